/* Shared declarations of the mailx post-dissector: the protocol, preferences,
 * per-conversation session state and the per-frame results that rendering
 * replays on every pass. */
#ifndef MAILX_H
#define MAILX_H

#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/conversation.h>
#include <epan/prefs.h>

#include "mailx_compat.h"
#include "smtp_session.h"
#include "pop_session.h"
#include "imap_session.h"
#include "auth.h"
#include "mem_limits.h"
#include "tcp_analysis.h"
#include "tcp_header.h"

extern int proto_mailx;
/* The "mailx" tap: one mailx_frame per mail frame, queued on every pass
 * (plugins/mailx/mailx_stats.c reads it). */
extern int mailx_tap;
/* Whether the frame being dissected had been dissected before (a later pass),
 * as dissect_mailx saw it on entry. Taps must use this, not PINFO_FD_VISITED:
 * Wireshark marks the frame visited at the end of its dissection, before it
 * runs the taps, so in a tap PINFO_FD_VISITED is TRUE even on the first pass. */
extern gboolean mailx_frame_revisited;
/* mailx analyses without a protocol tree (MAILX_INTERPOSER, packet-mailx.c):
 * set at handoff when the smtp, pop and imap handles all go through mailx. */
extern gboolean mailx_treeless;

/* Rendering only what someone reads (packet-mailx.c). A group is the fields of
 * one static hf array (name_hf, at file scope); MAILX_FIELDS_WANTED(tree,
 * name_hf) is TRUE when the tree is shown (packet details, -V, -T pdml/json) or
 * a field of the group is referenced for this frame (display filter, -e,
 * column, colouring rule, tap filter: Wireshark primes those for every frame,
 * and clears the marks of those that got items when the tree is freed, so the
 * answer is not kept from one frame to the next).
 * The marks are read where Wireshark keeps them: proto_register_field_array()
 * registers each array entry's own header_field_info (&hf[i].hfinfo, 4.0 to
 * 4.6) and numbers an array's fields in a row. mailx_field_group_check(),
 * called right after each array is registered, makes sure of both, and clears
 * mailx_hf_in_place (then every check asks the registrar) if not. Read in place,
 * a group costs one OR with a memory operand a field (an 80-byte stride), with
 * no pointer array and no loop. */
extern header_field_info *mailx_proto_hfi;
extern gboolean mailx_hf_in_place;
void mailx_field_group_check(const hf_register_info *hf, guint n);
gboolean mailx_fields_wanted_slow(const hf_register_info *hf, guint n);
#if defined(__GNUC__) && !defined(__clang__)
#define MAILX_UNROLL _Pragma("GCC unroll 32")
#else
#define MAILX_UNROLL
#endif
static inline gboolean mailx_hf_wanted(proto_tree *tree, const hf_register_info *hf, guint n)
{
    if (!tree)
        return FALSE;
    if (PTREE_DATA(tree)->visible)
        return TRUE;
    /* no mailx field referenced at all (a -z statistic, a filter on other
       fields): Wireshark marks the protocol of every referenced field */
    if (!mailx_proto_hfi || mailx_proto_hfi->ref_type == HF_REF_TYPE_NONE)
        return FALSE;
    if (G_UNLIKELY(!mailx_hf_in_place))
        return mailx_fields_wanted_slow(hf, n);
    /* a field gets an item in a hidden tree only when referenced directly
       (TRY_TO_FAKE_THIS_ITEM in epan/proto.c); no mailx field is FT_PROTOCOL */
    guint refs = 0;
    MAILX_UNROLL
    for (guint i = 0; i < n; i++)
        refs |= (guint)hf[i].hfinfo.ref_type;
    return MAILX_HF_REFS_EXACT(refs) ? MAILX_HF_REFS_DIRECT(refs) : mailx_fields_wanted_slow(hf, n);
}
#define MAILX_FIELDS_WANTED(tree, hf) mailx_hf_wanted((tree), (hf), (guint)G_N_ELEMENTS(hf))
/* One field of a group: does proto_tree_add_* make an item of it under a
 * parent that has one, rather than fake it (TRY_TO_FAKE_THIS_ITEM: the tree is
 * shown, or the field is referenced directly)? tree: non-NULL. */
static inline gboolean mailx_hf_real(proto_tree *tree, const hf_register_info *hf, guint n, int id)
{
    if (PTREE_DATA(tree)->visible)
        return TRUE;
    guint i = (guint)(id - hf[0].hfinfo.id);
    const header_field_info *h = G_LIKELY(mailx_hf_in_place && i < n) ? &hf[i].hfinfo
                                                                      : proto_registrar_get_nth((guint)id);
    return MAILX_HF_DIRECT(h);
}
#define MAILX_FIELD_REAL(tree, hf, id) mailx_hf_real((tree), (hf), (guint)G_N_ELEMENTS(hf), (id))
/* The same by the field's place in its array, known when the array is written
 * with designated initializers ([POS] = { &hf_x, ... }): no subtraction and no
 * range check at run time. */
static inline gboolean mailx_hf_real_at(proto_tree *tree, const hf_register_info *hf, guint pos)
{
    if (PTREE_DATA(tree)->visible)
        return TRUE;
    const header_field_info *h = G_LIKELY(mailx_hf_in_place) ? &hf[pos].hfinfo
                                                             : proto_registrar_get_nth((guint)*hf[pos].p_id);
    return MAILX_HF_DIRECT(h);
}
#define MAILX_FIELD_REAL_AT(tree, hf, pos) \
    (G_STATIC_ASSERT_EXPR((pos) < G_N_ELEMENTS(hf)), mailx_hf_real_at((tree), (hf), (guint)(pos)))

/* Expert items whose text nobody can read (packet-mailx.c): everything else
 * about them (severity, group, the expert column, the item flags, the
 * _ws.expert items, faked or not) is the same with or without the text, so
 * only formatting it is left out, and the formatting of its arguments. tree:
 * the tree the item goes into (NULL: no tree). */
gboolean mailx_expert_text_read(proto_tree *tree, expert_field *ei);
#define MAILX_EXPERT(pinfo, tree, pi, ei, ...) \
    (mailx_expert_text_read((tree), (ei)) ? expert_add_info_format((pinfo), (pi), (ei), __VA_ARGS__) \
                                          : expert_add_info((pinfo), (pi), (ei)))

/* Preferences (see docs/preferences.md). */
extern guint mailx_pref_data_size_limit;
extern mailx_pref_bool mailx_pref_mask_users;
extern guint mailx_pref_auth_failure_threshold;

/* --- memory limits (plugins/mailx/mailx_limits.c, epan-ext/mem_limits.h) --- */
/* The limits this file is analysed with: the preferences as the init routine read them. */
extern mailx_limits mailx_limits_now;
void mailx_limits_register(module_t *mod);
void mailx_limits_apply(void);
void mailx_limits_file_init(void);
/* First pass, a conversation about to become a mail session while `tracked`
 * are: FALSE past mailx.sessions_max (the refusal is counted, and the first
 * refused frame raises mailx.limit.sessions). */
gboolean mailx_limits_session_admit(packet_info *pinfo, guint32 tracked);
guint32 mailx_limits_sessions_untracked(void);
/* -z outputs a parser reads (csv, json, the trees): the sessions left out
 * have no rows or counts there, so the count goes to stderr, once per output */
void mailx_limits_sessions_warn(const char *stat);
/* Is this the frame that raises mailx.limit.sessions? Then render it (every pass). */
gboolean mailx_limits_sessions_frame(const packet_info *pinfo);
void mailx_limits_sessions_render(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);
/* mailx.limit.line, in the frame where a session first cut a line (every pass). */
void mailx_limits_line_render(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);

typedef enum {
    MAILX_PROTO_NONE = 0,
    MAILX_PROTO_SMTP,
    MAILX_PROTO_POP,
    MAILX_PROTO_IMAP,
} mailx_proto;

/* One mail session = one TCP conversation carrying SMTP, POP or IMAP.
 * Lives in file scope; the epan-ext state inside may hold heap buffers, which
 * the cleanup routine frees. */
typedef enum {
    MAILX_TLS_NONE = 0,
    MAILX_TLS_STARTTLS,
    MAILX_TLS_IMPLICIT,
} mailx_tls_mode;

struct mailx_auth_rec;

/* The fields of a session's login state that the session summary and the
 * statistics read (mailx_session_auth), kept when the session state is freed. */
typedef struct mailx_login_kept {
    guint32 attempt, failures;
    guint8  last_result, open;
    const char *last_user;      /* interned (mailx_str_intern) */
} mailx_login_kept;

/* What the whole session showed so far (final after the first pass): the source
 * of the session summary subtree and of the session statistics. */
typedef struct {
    guint8  tls;                /* mailx_tls_mode */
    /* bytes, not gbooleans: one of these per session, for the whole file */
    guint8  tls_active;         /* TLS started (STARTTLS accepted, or implicit) */
    guint8  starttls_offered;   /* EHLO / CAPA / CAPABILITY listed it */
    guint8  decrypted;          /* mail bytes were read after TLS started */
    guint8  frames_before_tls_plain; /* mail data in clear seen (so TLS is not implicit) */
    guint32 tls_frames;         /* frames carrying TLS after it started */
    guint32 first_tls_frame;
    guint32 messages;           /* SMTP messages sent, POP RETR/TOP and IMAP message literals */
    guint32 failures;           /* SMTP 4xx/5xx, POP -ERR, IMAP tagged NO/BAD */
    guint64 bytes;              /* frame bytes of the session's frames */
    guint32 frames;
    nstime_t first_ts, last_ts;
    struct mailx_auth_rec *open_attempt; /* the login waiting for its result */
} mailx_session_summary;

/* (one per session for the whole file: the small fields together, no padding) */
typedef struct mailx_conv {
    guint32 id;                 /* mailx.session: 1, 2, ... in order of first mail frame */
    guint32 first_frame;
    guint32 closed_frame;             /* the frame with the second FIN */
    guint16 server_port;
    guint8  proto;                    /* mailx_proto */
    guint8  fin_seen;                 /* bit 0: the server sent FIN, bit 1: the client */
    guint8  released : 1,             /* closed: the session state below is freed (packet-mailx.c) */
            close_queued : 1;
    guint8  hole_known[2];            /* POP3/IMAP gaps (below): a lost_segment frame starting at
                                         hole_end is that gap */
    guint8  hole_pending[2];          /* not yet told to the session: a mailx_gap_cause */
    guint8  seq_known[2];
    address server_addr;
    /* Session state, file scope, made at the first frame that needs it and freed
       MAILX_RELEASE_DELAY frames after both sides sent FIN (packet-mailx.c), so
       that memory follows the sessions open, not all sessions of the capture */
    mailx_smtp_session *smtp;         /* SMTP bytes were fed */
    struct mailx_msg_conv *msg;       /* messages being read (mailx_msg.c) */
    mailx_auth_state *smtp_auth;      /* SMTP AUTH, file scope from the first AUTH on (most
                                         sessions never log in); POP/IMAP keep theirs in the session */
    mailx_pop_session *pop;           /* when proto == POP */
    mailx_imap_session *imap;         /* when proto == IMAP */
    struct mailx_login_kept *login_kept; /* POP/IMAP: what mailx_session_auth's readers need of
                                         the login state, kept when the session was freed */
    mailx_session_summary sum;
    /* POP3/IMAP capture gaps seen by an ACK ([from_client]: the side whose bytes are
       missing; packet-mailx.c): the peer acknowledged bytes of that side that the
       capture lacks, so the gap lies before the peer's frame */
    guint32 hole_end[2];              /* the acknowledged sequence number */
    guint32 hole_bytes[2];            /* MAILX_GAP_SNAP: bytes cut from frames without mail data */
    guint32 seq_next[2];              /* end of the last data segment of that side */
} mailx_conv;

/* The per-frame records keep their strings (codes, command names, login
 * mechanisms and users; not IMAP tags, unique per command) interned: one copy per distinct string in the file, a
 * pointer in each record ("" when none). A record's string is what fitted the
 * fixed array it had before (so its length is still bounded by the limit
 * noted at each field). NULL and "" give "". File scope. */
const char *mailx_str_intern(const char *s);

/* First pass, the protocol glue: a frame's records of one kind, in a
 * packet-scope array made on first use (most frames fill one kind of record,
 * or none) and handed over as it is (data, n). Zero-initialised: empty. */
typedef struct {
    guint8 *data;
    guint n, cap;
} mailx_rec_buf;

static inline void mailx_rec_append(mailx_rec_buf *b, packet_info *pinfo, size_t elem_size,
                                    const void *rec)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4;
        b->data = (guint8 *)wmem_realloc(pinfo->pool, b->data, b->cap * elem_size);
    }
    memcpy(b->data + b->n * elem_size, rec, elem_size);
    b->n++;
}

/* Records kept until the file is closed and never freed one by one (frame
 * records, command and login records, sessions): cut from one arena
 * (epan-ext/rec_arena.h), without the 16-byte header and 16-byte rounding
 * wmem_file_scope() adds to every block. Zeroed; freed by the cleanup routine. */
void *mailx_rec_alloc(size_t n);
#define mailx_rec_new0(type) ((type *)mailx_rec_alloc(sizeof(type)))
/* A copy of n bytes of src in the record arena (NULL when n == 0). */
void *mailx_rec_dup(const void *src, size_t n);
/* The first len bytes of s, up to a NUL, as a string in the record arena. */
char *mailx_rec_strndup(const char *s, size_t len);
/* dst: a copy of src whose bytes are in the record arena (copy_address_wmem()
 * in file scope takes 32 bytes for the 4 of an IPv4 address). */
static inline void mailx_rec_address(address *dst, const address *src)
{
    void *data = src->len > 0 ? mailx_rec_dup(src->data, (size_t)src->len) : NULL;
    set_address(dst, src->type, data ? src->len : 0, data);
}

/* --- logins, all protocols (plugins/mailx/mailx_auth.c) --- */
typedef struct mailx_auth_rec {
    guint32 attempt;
    guint8  proto;              /* mailx_proto */
    guint8  result;             /* mailx_auth_result decided in this frame (NONE: not here) */
    guint8  started : 1, credential : 1, cleartext : 1, before_starttls : 1, user_now : 1,
            bad_encoding : 1, repeated : 1, cancel : 1;
    guint32 client_failures;    /* failed logins from this client so far (when repeated) */
    guint32 decided_in;         /* on the starting record: frame of the result */
    const char *mech;           /* < MAILX_AUTH_MECH_MAX bytes (interned) */
    const char *user;           /* <= MAILX_AUTH_USER_MAX bytes (interned) */
    const char *reply;          /* < 40 bytes, the deciding reply: "535 5.7.8", "-ERR [AUTH]",
                                   "NO [AUTHENTICATIONFAILED]" (interned) */
} mailx_auth_rec;

/* --- a gap in the capture seen by the POP3 or IMAP session in a frame --- */
typedef enum {
    MAILX_GAP_LOST = 1,         /* tcp.analysis.lost_segment: a segment was not captured */
    MAILX_GAP_SNAP,             /* the frame was cut by the snap length */
    MAILX_GAP_MID_SESSION,      /* the capture starts inside the session */
} mailx_gap_cause;

typedef struct {
    guint8  cause;              /* mailx_gap_cause */
    guint8  from_client : 1, body_cut : 1;
    guint32 unknown;            /* commands left without a known response */
    guint32 bytes_missing;      /* MAILX_GAP_SNAP: bytes not captured */
} mailx_gap_rec;

/* --- POP3 per-frame results (plugins/mailx/mailx_pop.c) --- */
typedef struct {
    guint8  ind;                /* mailx_pop_indicator */
    guint8  answers;            /* mailx_pop_answers */
    guint8  verb;               /* mailx_pop_verb */
    guint8  parsed : 1, has_request : 1, multiline : 1;
    guint32 request_frame;
    const char *code;           /* < 32 bytes, "" when none (interned) */
    gint64  delta_ns;
} mailx_pop_resp_rec;

typedef struct {
    guint8  kind;               /* mailx_pop_answers: COMMAND or SASL_RESPONSE */
    guint8  line_cut;           /* the line was cut at mailx.line_keep_max */
    guint32 response_frame;
    const char *name;           /* < 16 bytes: the verb as sent, upper case, or "AUTH response" (interned) */
    const char *response;       /* "+OK", "-ERR", "+" (static), "" before the response */
} mailx_pop_cmd_rec;

typedef struct {
    guint n_resp, n_cmd;
    mailx_pop_resp_rec *resp;
    mailx_pop_cmd_rec **cmd;
    guint64 pending_dropped;
    guint n_gap;
    mailx_gap_rec *gap;         /* capture gaps noticed in this frame */
} mailx_pop_frame;

/* --- IMAP per-frame results (plugins/mailx/mailx_imap.c) --- */
typedef struct {
    guint8  kind;               /* mailx_imap_resp_kind */
    guint8  status;             /* mailx_imap_status */
    guint8  parsed : 1, has_request : 1, greeting : 1, literal_too_big : 1;
    guint32 request_frame;
    /* < 16 bytes, "" when none: a client gives each command its own tag (RFC
       9051 s2.2.1), so interning them would cost a table entry per command; a
       tagged response points at its command's (mailx_imap_cmd_rec.tag), or at a
       copy in the record arena when it has none or another */
    const char *tag;
    const char *code;           /* < 32 bytes (interned, as the string below) */
    const char *command;        /* < MAILX_IMAP_NAME_MAX bytes */
    gint64  delta_ns;
} mailx_imap_resp_rec;

typedef struct {
    char    tag[16];
    const char *name;           /* < MAILX_IMAP_NAME_MAX bytes (interned) */
    guint32 response_frame;
    guint8  response_status;    /* mailx_imap_status of the tagged response */
    guint8  line_cut;           /* the line was cut at mailx.line_keep_max */
} mailx_imap_cmd_rec;

typedef struct {
    guint n_resp, n_cmd;
    mailx_imap_resp_rec *resp;
    mailx_imap_cmd_rec **cmd;
    guint64 pending_dropped;
    guint n_gap;
    mailx_gap_rec *gap;         /* capture gaps noticed in this frame */
} mailx_imap_frame;

/* --- SMTP per-frame results (plugins/mailx/mailx_smtp.c) --- */
typedef struct {
    guint16 code;
    guint8  klass;
    guint8  st_class;
    guint16 subject, detail;
    guint8  answers;            /* mailx_smtp_answers */
    guint8  verb;               /* mailx_smtp_verb */
    guint8  parsed : 1, is_last : 1, has_status : 1, code_changed : 1, bare_lf : 1,
            has_request : 1,
            line_cut : 1,       /* cut at mailx.line_keep_max: read from what was kept */
            cut_before_code : 1;/* ... before its code and separator: not known to be malformed */
    guint32 request_frame;
    gint64  delta_ns;
    const struct mailx_smtp_cmd_rec *request;   /* the command answered (file scope), or NULL */
} mailx_smtp_reply_rec;

typedef struct mailx_smtp_cmd_rec {
    guint8  kind;               /* mailx_smtp_answers */
    guint8  verb;               /* mailx_smtp_verb */
    guint8  not_remembered : 1, auth_cancel : 1, line_cut : 1;
    guint16 response_code;
    guint32 response_frame;     /* filled when the (last line of the) reply arrives */
    const char *word;           /* < 16 bytes: an unknown verb as sent (printable, truncated),
                                   for display, else "" (interned) */
    void   *msg_ref;            /* MAIL/RCPT: where the envelope keeps the reply code */
} mailx_smtp_cmd_rec;

typedef struct {
    guint64 size;
    guint32 chunks;
    gboolean bdat;
} mailx_smtp_msg_rec;

typedef struct {
    guint n_replies, n_commands, n_messages;
    mailx_smtp_reply_rec *replies;
    mailx_smtp_cmd_rec **commands;
    mailx_smtp_msg_rec *messages;
    guint64 pending_dropped;    /* commands not remembered in this frame (limit) */
    guint32 bytes_missing;      /* bytes the capture cut off this frame, when pairing stops here */
    gboolean segment_lost;      /* a lost TCP segment before this frame stopped pairing here */
} mailx_smtp_frame;

/* What one frame showed: built (and rendered) on the first pass, kept in a
 * compact form (packet-mailx.c frame_store) and read back into this view on
 * later passes (frame_view, packet scope; its arrays are then the kept
 * record's, read only). */
typedef struct {
    mailx_conv *conv;
    mailx_smtp_frame *smtp;
    struct mailx_msg_frame *msg;  /* messages completed in this frame (mailx_msg.c) */
    mailx_pop_frame *pop;
    mailx_imap_frame *imap;
    mailx_auth_rec **auth;      /* login steps in this frame (mailx_auth.c) */
    guint n_auth;
    guint8 starttls;            /* mailx_starttls_event seen in this frame */
    guint8 from_client : 1,
           tls_layer : 1,       /* the frame went through the TLS dissector */
           session_only : 1,    /* no mail data: only the session items */
           segment_lost : 1,    /* TCP: a segment before this one (same direction) was not captured */
           line_cut : 1;        /* the session's first line cut at mailx.line_keep_max is here */
} mailx_frame;

/* POP3/IMAP: the gaps to tell the session before this frame's bytes, per side
 * ([from_client]: a mailx_gap_cause or 0, and the bytes cut): segment_lost, a
 * hole an ACK revealed, or a frame of the session cut by the snap length that
 * the dissector gave no item; clears what it returns. */
guint mailx_frame_gaps(mailx_frame *fr, guint8 cause[2], guint32 bytes[2]);

typedef enum {
    MAILX_STARTTLS_NONE = 0,
    MAILX_STARTTLS_OFFERED,
    MAILX_STARTTLS_REQUESTED,
    MAILX_STARTTLS_ACCEPTED,
    MAILX_STARTTLS_REFUSED,
} mailx_starttls_event;

void mailx_smtp_register(void);
/* Statistics trees and tshark -z handlers (mailx_stats.c); called from handoff. */
void mailx_stats_register(void);
/* First pass: feed the SMTP bytes of one frame; fills fr->smtp. */
void mailx_smtp_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *smtp_items);
void mailx_pop_register(void);
void mailx_pop_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *items);
void mailx_pop_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);
void mailx_imap_register(void);
/* items: the frame's imap items (fed up to what the imap dissector consumed) */
void mailx_imap_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *imap_items);
/* the same from the frame's whole TCP payload (tcp.payload items), when TCP reassembly is off */
void mailx_imap_analyse_payload(mailx_frame *fr, packet_info *pinfo, GPtrArray *payload_items);
void mailx_imap_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);
void mailx_auth_register(module_t *mod);
void mailx_auth_file_init(void);
void mailx_auth_file_cleanup(void);
/* The deciding reply of a POP3/IMAP login as the login record keeps it:
 * "<status> [<code>]" ("-ERR [AUTH]", "NO [AUTHENTICATIONFAILED]"), or the status
 * alone without a code; cut to size - 1 bytes. */
void mailx_auth_reply_text(char *out, size_t size, const char *status, const char *code);
/* First pass: one login step of this frame; `reply` describes the deciding reply. */
void mailx_auth_record(mailx_frame *fr, packet_info *pinfo, const mailx_auth_event *ev, const char *reply);
void mailx_auth_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);
void mailx_session_register(void);
/* First pass: TLS and summary bookkeeping for a frame of the session. */
void mailx_session_account(mailx_frame *fr, packet_info *pinfo, gboolean has_mail);
void mailx_session_tls_started(mailx_conv *mc);
void mailx_session_starttls(mailx_frame *fr, mailx_starttls_event ev);
void mailx_session_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);
/* The session's login state (SMTP, POP or IMAP). */
const mailx_auth_state *mailx_session_auth(const mailx_conv *mc);
/* Every pass: render the stored results. */
void mailx_smtp_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);

/* --- connections to mail ports, TCP health, bursts, storms (mailx_conn.c) --- */
enum {
    MAILX_SVC_NONE = 0, MAILX_SVC_SMTP, MAILX_SVC_SUBMISSION, MAILX_SVC_SMTPS,
    MAILX_SVC_POP3, MAILX_SVC_POP3S, MAILX_SVC_IMAP, MAILX_SVC_IMAPS, MAILX_SVC_COUNT
};
/* Service of each TCP port (MAILX_SVC_NONE: not a mail port), rebuilt by the
 * init routine from the defaults, the extra_ports pref and Decode As. */
extern guint8 mailx_port_service[65536];
const char *mailx_service_name(guint8 svc);
void mailx_conn_register(module_t *mod);
void mailx_conn_handoff(void);
void mailx_conn_file_init(void);
void mailx_conn_file_cleanup(void);
void mailx_conn_wanted(GArray *wanted);
/* The flags (tcp.flags) and payload length (tcp.len) of the frame's TCP
 * segment (the one pinfo's ports are from), read from the frame's bytes
 * (frame_tvb: the frame's top-level tvb); FALSE when they cannot be found there
 * (an IP fragment, a TCP header quoted in an ICMP error, an unusual encapsulation). */
gboolean mailx_tcp_segment(packet_info *pinfo, tvbuff_t *frame_tvb, guint32 *flags, guint32 *len);
/* The same segment's header as read (NULL: not found), for callers that want
 * several of its fields (the raw sequence and acknowledgement numbers too). */
const mailx_tcp_header *mailx_tcp_header_of(packet_info *pinfo, tvbuff_t *frame_tvb);
/* The layers below mailx that it asks about, from one walk of pinfo->layers
 * per frame and pass: the TLS dissector took part, or ICMP or ICMPv6 (the TCP
 * header is one quoted in an error). */
#define MAILX_LAYER_TLS 1u
#define MAILX_LAYER_ICMP 2u
guint mailx_frame_layers(const packet_info *pinfo);
/* The tcp.analysis.* items Wireshark added to the frame as MAILX_TA_* bits
 * (epan-ext/tcp_analysis.h), read once per frame (for every pass: a tree
 * without them gives 0). */
guint mailx_tcp_analysis(packet_info *pinfo, proto_tree *tree);
/* First pass, a TCP frame with a mail port on either side. */
void mailx_conn_analyse(packet_info *pinfo, proto_tree *tree, tvbuff_t *frame_tvb);
/* First pass: a failure reply of the session's server (SMTP 421/45x, POP3
 * -ERR [SYS/TEMP], IMAP NO [UNAVAILABLE], BYE): feeds the burst detector. */
void mailx_conn_server_failure(packet_info *pinfo, const struct mailx_conv *mc);
/* One call per reply from the protocol glue; each picks its failures. */
void mailx_conn_smtp_reply(packet_info *pinfo, const struct mailx_conv *mc, guint16 code, gboolean is_last);
void mailx_conn_pop_reply(packet_info *pinfo, const struct mailx_conv *mc, gboolean err, const char *code);
void mailx_conn_imap_reply(packet_info *pinfo, const struct mailx_conv *mc, gboolean no, gboolean bye,
                           const char *code);
gboolean mailx_conn_has_record(packet_info *pinfo);
/* What mailx keeps of a conversation (packet-mailx.c): the mail session's
 * mailx.session (0: none yet; MAILX_LINK_UNTRACKED: past mailx.sessions_max)
 * and the tracked connection's number (mailx_conn.c; 0: none). 8 bytes in a
 * table by the conversation's index (epan-ext/index_table.h), instead of a
 * conversation datum (a tree node of ~56 bytes with its allocator header) and
 * a map from conversations to connections. */
typedef struct {
    guint32 session, track;
} mailx_conv_link;
#define MAILX_LINK_UNTRACKED G_MAXUINT32
/* The conversation's link, zero when nothing was linked yet; NULL instead when
 * !create and none near it was made either. With create, never NULL. */
mailx_conv_link *mailx_conv_link_get(conversation_t *c, gboolean create);
/* The frame's conversation, one look-up per frame shared by all of mailx
 * (with `create`: made if there is none). */
conversation_t *mailx_frame_conversation(packet_info *pinfo, gboolean create);
/* First pass: FALSE when this frame's connection is tracked and its TCP handshake
 * is not in the capture (the capture began inside the connection). */
gboolean mailx_conn_saw_handshake(packet_info *pinfo);
/* Every pass: the connection subtree and its expert items. */
void mailx_conn_render(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);
typedef struct {
    const address *addr;
    const char *family;         /* "SMTP", "POP3", "IMAP" */
    guint32 sessions, peak_rate, peak_concurrent, failures, bursts;
} mailx_conn_server_info;
void mailx_conn_foreach_server(void (*fn)(const mailx_conn_server_info *, void *), void *ud);
/* Connections to mail ports left untracked past mailx.conn_max (and the limit). */
guint32 mailx_conn_untracked(guint32 *limit);
/* tshark -z mailx,tcp and the TCP health tree (mailx_tcp_stats.c) */
void mailx_tcp_stats_register(void);
/* First pass, every TCP frame with a tree: keeps the frame's TCP analysis
 * flags, which later passes (tshark -2, the GUI's statistics) cannot read:
 * Wireshark asks for a post-dissector's wanted fields on the first pass only. */
void mailx_tcp_flags_keep(packet_info *pinfo, proto_tree *tree);
void mailx_tcp_stats_file_init(void);
void mailx_tcp_stats_file_cleanup(void);

#endif
