/* The mailx post-dissector: runs after every frame, picks the frames that the
 * smtp/pop/imap dissectors claimed, feeds their bytes to the epan-free session
 * logic on the first pass, stores what each frame showed and renders it on
 * every pass (the GUI hands a post-dissector its wanted fields only on the
 * first pass, so nothing is recomputed later). */

#define _GNU_SOURCE 1   /* dl_iterate_phdr (the interposer) */
#include <link.h>
#include <stdint.h>

#include <epan/packet.h>
#include <epan/conversation.h>
#include <epan/exceptions.h>
#include <epan/prefs.h>
#include <epan/prefs-int.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <wsutil/wslog.h>

#include "mailx.h"
#include "mailx_msg.h"
#include "frame_table.h"
#include "index_table.h"
#include "rec_arena.h"
#include "rec_pack.h"

int proto_mailx = -1;
int mailx_tap = -1;
gboolean mailx_frame_revisited;
static gint ett_mailx = -1;
static int hf_mailx_session = -1;
static int hf_mailx_session_proto = -1;

guint mailx_pref_data_size_limit = 10 * 1024 * 1024;

static dissector_handle_t mailx_handle, mailx_gate_handle;
static int proto_smtp = -1, proto_pop = -1, proto_imap = -1, proto_tcp = -1;
static int hf_tcp_payload = -1;
/* tcp.desegment_tcp_streams is off: IMAP is fed from the TCP payload (mailx_imap.c) */
static gboolean mailx_tcp_unreassembled;
static dissector_handle_t smtp_handle, pop_handle, imap_handle;
static dissector_table_t tcp_port_table, tls_port_table;

/* Every session of the open file, so that cleanup can free their heap buffers. */
static GPtrArray *mailx_convs;
static guint32 mailx_next_session_id;
/* The kept record (frame_rec) of each frame with mail data, by frame number
 * (first pass; 12 bytes a record here, 40 as p_add_proto_data: frame_table.h). */
static mailx_frame_table mailx_frames;
/* The file's records (mailx_rec_alloc). */
static mailx_rec_arena mailx_recs;

void *mailx_rec_alloc(size_t n)
{
    return mailx_rec_arena_alloc(&mailx_recs, n);
}

void *mailx_rec_dup(const void *src, size_t n)
{
    return mailx_rec_arena_dup(&mailx_recs, src, n);
}

char *mailx_rec_strndup(const char *s, size_t len)
{
    const char *nul = (const char *)memchr(s, '\0', len);
    size_t n = nul ? (size_t)(nul - s) : len;
    char *d = (char *)mailx_rec_arena_alloc(&mailx_recs, n + 1);   /* zeroed: NUL-terminated */
    memcpy(d, s, n);
    return d;
}

/* The cheap check for TCP frames without mail data (most frames of most captures):
 * a frame can belong to a session only if one of its ports is the server port of
 * a session seen so far, and can open one (implicit TLS) only on a mail TLS port.
 * One bit per port, so unrelated traffic leaves after four array reads instead of
 * a conversation look-up and a walk of its protocol layers (bench/, docs/performance.md). */
static guint8 mailx_server_ports[65536 / 8];
static guint8 mailx_tls_port_class[65536];   /* 0 not looked up yet, 1 no, 2 a mail TLS port */

static gboolean port_is_server(guint32 port)
{
    return (mailx_server_ports[(port & 0xFFFF) >> 3] >> (port & 7)) & 1;
}

/* Without a visible tree Wireshark fakes the items of fields nobody referenced,
 * but every proto_tree_add_* call still costs ~50-100 instructions, plus the
 * formatting of its arguments: mailx.conn's subtree and the session summary
 * cost ~2,700 instructions on every mail frame of a `-Y` or `-z` run that reads
 * none of them (docs/performance.md). Expert items are always added: they
 * count whether or not a tree is shown. */
header_field_info *mailx_proto_hfi;

/* mailx_hf_wanted() runs for several groups on every mail frame (and for
 * mailx.conn on every frame to a mail port), and a field can be primed or
 * released between any two dissections (a new filter, a tap, a column, the
 * GUI's packet list between two frames of a rescan), so the answer is not kept
 * from one frame to the next: it is made cheap instead (mailx.h). */
gboolean mailx_hf_in_place = TRUE;

void mailx_field_group_check(const hf_register_info *hf, guint n)
{
    for (guint i = 0; i < n; i++)
        if (proto_registrar_get_nth((guint)*hf[i].p_id) != &hf[i].hfinfo ||
            hf[i].hfinfo.id != hf[0].hfinfo.id + (int)i)
            mailx_hf_in_place = FALSE;
}

/* The rare path of mailx_hf_wanted() (mailx.h): marks it does not know, or
 * fields Wireshark does not keep in place. */
gboolean mailx_fields_wanted_slow(const hf_register_info *hf, guint n)
{
    for (guint i = 0; i < n; i++)
        if (MAILX_HF_DIRECT(proto_registrar_get_nth((guint)*hf[i].p_id)))
            return TRUE;
    return FALSE;
}

/* Who can read an expert item's text (expert_set_info_vformat in epan/expert.c,
 * the same from 4.0 to 4.6): a listener of the expert tap (-z expert, the
 * GUI's Expert Information, Lua) gets it as the summary; in the tree it is the
 * label of the _ws.expert item, the value of _ws.expert.message and the label
 * of the item's own filter field. Those are real items only in a shown tree,
 * when protocols are not faked, or when one of them is referenced (filter, -e,
 * column, colouring rule: _ws.expert.* marks _ws.expert). Otherwise
 * expert_add_info() does the rest exactly as expert_add_info_format() would,
 * with the summary as text, which nobody sees: on mail-heavy captures formatting
 * was ~1,500 instructions of the ~2,400 an expert item costs. */
static int expert_tap_id;                    /* 0: not found (find_tap_id) */
static header_field_info *expert_proto_hfi;

gboolean mailx_expert_text_read(proto_tree *tree, expert_field *ei)
{
    if (expert_tap_id <= 0 || !expert_proto_hfi || have_tap_listener(expert_tap_id))
        return TRUE;
    if (!tree)
        return FALSE;
    if (PTREE_DATA(tree)->visible || !PTREE_DATA(tree)->fake_protocols ||
        expert_proto_hfi->ref_type != HF_REF_TYPE_NONE)
        return TRUE;
    return ei->hf <= 0 || proto_registrar_get_nth((guint)ei->hf)->ref_type != HF_REF_TYPE_NONE;
}

static const value_string mailx_proto_vals[] = {
    { MAILX_PROTO_SMTP, "smtp" },
    { MAILX_PROTO_POP,  "pop"  },
    { MAILX_PROTO_IMAP, "imap" },
    { 0, NULL }
};

static dissector_handle_t proto_handle(mailx_proto p)
{
    switch (p) {
    case MAILX_PROTO_SMTP: return smtp_handle;
    case MAILX_PROTO_POP:  return pop_handle;
    case MAILX_PROTO_IMAP: return imap_handle;
    default:               return NULL;
    }
}

/* Is `port` where this protocol's server listens, by Wireshark's own port tables
 * (so Decode As and the dissectors' port preferences count) or over TLS? */
static gboolean port_serves(guint16 port, mailx_proto p)
{
    dissector_handle_t want = proto_handle(p);
    if (!want)
        return FALSE;
    if (tcp_port_table && dissector_get_uint_handle(tcp_port_table, port) == want)
        return TRUE;
    if (tls_port_table && dissector_get_uint_handle(tls_port_table, port) == want)
        return TRUE;
    return FALSE;
}

/* Each conversation's mailx_conv_link, by conversation_t.conv_index (unique
 * within the file). */
static mailx_index_table mailx_links;

mailx_conv_link *mailx_conv_link_get(conversation_t *c, gboolean create)
{
    return (mailx_conv_link *)mailx_index_table_get(&mailx_links, c->conv_index, create);
}

/* The session of a link's session number (NULL: none, or past mailx.sessions_max:
 * MAILX_LINK_UNTRACKED, so that its later frames are neither analysed nor
 * counted again). */
static mailx_conv *link_conv(const mailx_conv_link *l)
{
    if (!l || !l->session || l->session == MAILX_LINK_UNTRACKED)
        return NULL;
    return (mailx_conv *)g_ptr_array_index(mailx_convs, l->session - 1);
}

static mailx_conv *conv_data(conversation_t *c)
{
    return link_conv(mailx_conv_link_get(c, FALSE));
}

/* The frame's session, created on its first mail frame; NULL past mailx.sessions_max. */
static mailx_conv *conv_get(packet_info *pinfo, mailx_proto p)
{
    conversation_t *c = mailx_frame_conversation(pinfo, TRUE);
    mailx_conv_link *l = mailx_conv_link_get(c, TRUE);
    if (l->session)
        return link_conv(l);
    if (!mailx_limits_session_admit(pinfo, mailx_convs->len)) {
        l->session = MAILX_LINK_UNTRACKED;
        return NULL;
    }
    mailx_conv *mc = mailx_rec_new0(mailx_conv);
    mc->id = ++mailx_next_session_id;
    mc->proto = p;
    mc->first_frame = pinfo->num;
    /* The server is the side whose port the dissector is registered on; when both
     * or neither are, the lower port (clients use ephemeral ports). */
    gboolean dst_is_server;
    gboolean dst_serves = port_serves((guint16)pinfo->destport, p);
    gboolean src_serves = port_serves((guint16)pinfo->srcport, p);
    if (dst_serves != src_serves)
        dst_is_server = dst_serves;
    else
        dst_is_server = pinfo->destport <= pinfo->srcport;
    mc->server_port = (guint16)(dst_is_server ? pinfo->destport : pinfo->srcport);
    mailx_rec_address(&mc->server_addr, dst_is_server ? &pinfo->dst : &pinfo->src);
    mailx_server_ports[mc->server_port >> 3] |= (guint8)(1u << (mc->server_port & 7));
    g_ptr_array_add(mailx_convs, mc);
    l->session = mc->id;
    return mc;
}

static gboolean frame_from_client(const mailx_conv *mc, const packet_info *pinfo)
{
    return pinfo->destport == mc->server_port && addresses_equal(&pinfo->dst, &mc->server_addr);
}

/* The mail protocol whose TLS port (465/993/995, or as configured in the TLS
 * dissector's port table) this frame uses, for implicit-TLS sessions that show
 * only TLS when no key log was given. */
static mailx_proto implicit_tls_proto(const packet_info *pinfo)
{
    static const mailx_proto ps[] = { MAILX_PROTO_SMTP, MAILX_PROTO_POP, MAILX_PROTO_IMAP };
    if (!tls_port_table)
        return MAILX_PROTO_NONE;
    for (size_t i = 0; i < G_N_ELEMENTS(ps); i++) {
        dissector_handle_t h = proto_handle(ps[i]);
        if (h && (dissector_get_uint_handle(tls_port_table, pinfo->destport) == h ||
                  dissector_get_uint_handle(tls_port_table, pinfo->srcport) == h))
            return ps[i];
    }
    return MAILX_PROTO_NONE;
}

static gboolean port_is_mail_tls(guint32 port)
{
    guint8 *c = &mailx_tls_port_class[port & 0xFFFF];
    if (!*c) {
        static const mailx_proto ps[] = { MAILX_PROTO_SMTP, MAILX_PROTO_POP, MAILX_PROTO_IMAP };
        *c = 1;
        for (size_t i = 0; tls_port_table && i < G_N_ELEMENTS(ps); i++) {
            dissector_handle_t h = proto_handle(ps[i]);
            if (h && dissector_get_uint_handle(tls_port_table, port) == h)
                *c = 2;
        }
    }
    return *c == 2;
}

/* Did the TLS dissector handle this frame? By protocol id: proto_is_frame_protocol()
 * compares names, a string compare per layer on every mail frame. The walk is
 * shared with the connection analysis' ICMP check (mailx_frame_layers). */
static gboolean frame_has_tls(const packet_info *pinfo)
{
    return (mailx_frame_layers(pinfo) & MAILX_LAYER_TLS) != 0;
}

/* Can this frame belong to a session, or open one? (FALSE: certainly not.) */
static gboolean frame_may_be_mail(const packet_info *pinfo)
{
    return port_is_server(pinfo->srcport) || port_is_server(pinfo->destport) ||
           port_is_mail_tls(pinfo->srcport) || port_is_mail_tls(pinfo->destport);
}

/* The stand-in of the mailx item (stand_in_ok, render). */
typedef struct {
    proto_node node;
    field_info fi;
} mailx_stand_in;

/* A frame's mailx_frame and the stand-in its rendering may use, in one
 * packet-scope block: one allocation a mail frame instead of two (the stand-in
 * stays unused when the tree is shown or read). */
typedef struct {
    mailx_frame fr;
    mailx_stand_in si;
} frame_block;

static mailx_frame *frame_new(packet_info *pinfo)
{
    return &wmem_new0(pinfo->pool, frame_block)->fr;
}

/* The session of a frame without mail data, or NULL. */
static mailx_conv *frame_conv(packet_info *pinfo)
{
    if (!frame_may_be_mail(pinfo))
        return NULL;
    conversation_t *c = mailx_frame_conversation(pinfo, FALSE);
    return c ? conv_data(c) : NULL;
}

/* A TCP frame without mail data: ACKs, the handshake, TLS records. It belongs to
 * a session when its conversation has one (or starts one: TLS on a mail TLS
 * port); such frames get the session items only. Nothing of them is stored: a
 * later pass rebuilds the same from the conversation, in packet scope (a frame
 * record per ACK would be most of mailx's memory on a large capture). */
/* POP3 and IMAP gaps (pop_session.h, imap_session.h). A frame whose ACK covers
 * bytes of the peer that the capture lacks (tcp.analysis.ack_lost_segment) says
 * the gap came before this frame: so a command in it was sent after the lost
 * response, and can pair with what follows. The peer's next data frame, flagged
 * tcp.analysis.lost_segment, starts where that ACK pointed: the same gap, told once.
 * (SMTP keeps its own handling: mailx_smtp.c.) */
static void note_holes(mailx_conv *mc, packet_info *pinfo, proto_tree *tree, tvbuff_t *frame_tvb,
                       gboolean from_client, gboolean data, gboolean *segment_lost)
{
    if (mc->proto != MAILX_PROTO_POP && mc->proto != MAILX_PROTO_IMAP)
        return;
    guint32 seq = 0, ack = 0, len = 0;
    const mailx_tcp_header *h = mailx_tcp_header_of(pinfo, frame_tvb);
    gboolean have = h != NULL;
    if (h) {
        seq = h->seq;
        ack = h->ack;
        len = h->payload_len;
    }
    int side = from_client ? 1 : 0;
    if (data) {
        if (*segment_lost && have && mc->hole_known[side] && seq == mc->hole_end[side])
            *segment_lost = FALSE;    /* told already, from the peer's ACK */
        mc->hole_known[side] = FALSE;
        if (have) {
            mc->seq_next[side] = seq + len;
            mc->seq_known[side] = TRUE;
        }
    }
    /* Wireshark flags later ACKs too; only one past the peer's data seen is news */
    if (have && (mailx_tcp_analysis(pinfo, tree) & MAILX_TA_ACK_LOST) &&
        (!mc->seq_known[!side] || (gint32)(ack - mc->seq_next[!side]) > 0)) {
        mc->hole_end[!side] = ack;
        mc->hole_known[!side] = TRUE;
        if (!mc->hole_pending[!side])
            mc->hole_pending[!side] = MAILX_GAP_LOST;
    }
    /* a data frame cut by the snap length that the dissector gave no item (it
       stopped at the cut): told at the session's next mail frame */
    if (!data && have && len > 0 && pinfo->fd->cap_len < pinfo->fd->pkt_len) {
        mc->hole_pending[side] = MAILX_GAP_SNAP;
        mc->hole_bytes[side] += pinfo->fd->pkt_len - pinfo->fd->cap_len;
    }
}

guint mailx_frame_gaps(mailx_frame *fr, guint8 cause[2], guint32 bytes[2])
{
    mailx_conv *mc = fr->conv;
    for (int i = 0; i < 2; i++) {
        cause[i] = mc->hole_pending[i];
        bytes[i] = mc->hole_bytes[i];
        mc->hole_pending[i] = 0;
        mc->hole_bytes[i] = 0;
    }
    if (fr->segment_lost && !cause[fr->from_client ? 1 : 0])
        cause[fr->from_client ? 1 : 0] = MAILX_GAP_LOST;
    return (guint)(cause[0] != 0) + (guint)(cause[1] != 0);
}

static mailx_frame *analyse_other_frame(packet_info *pinfo, proto_tree *tree, tvbuff_t *frame_tvb)
{
    if (!frame_may_be_mail(pinfo))
        return NULL;
    gboolean tls = frame_has_tls(pinfo);
    mailx_conv *mc = frame_conv(pinfo);
    if (mc && (tree || mailx_treeless)) {
        gboolean lost = FALSE;
        note_holes(mc, pinfo, tree, frame_tvb, frame_from_client(mc, pinfo), FALSE, &lost);
    }
    if (!mc) {
        mailx_proto p = tls ? implicit_tls_proto(pinfo) : MAILX_PROTO_NONE;
        if (p == MAILX_PROTO_NONE)
            return NULL;
        mc = conv_get(pinfo, p);
        if (!mc)
            return NULL;
    }
    mailx_frame *fr = frame_new(pinfo);
    fr->conv = mc;
    fr->from_client = frame_from_client(mc, pinfo);
    fr->tls_layer = tls;
    fr->session_only = TRUE;
    mailx_session_account(fr, pinfo, FALSE);
    return fr;
}

/* Without TCP reassembly, the TCP payload of a clear-text IMAP frame (one the
 * imap dissector took, or one of an IMAP session it left without an item because
 * no line ended in it), or NULL. */
static GPtrArray *calls_payload(packet_info *pinfo, const void *calls);
/* calls: the frame's interposer records (mailx_gate.calls) */
static GPtrArray *imap_payload_items(packet_info *pinfo, proto_tree *tree, gboolean has_imap,
                                     const void *calls)
{
    if (!mailx_tcp_unreassembled || frame_has_tls(pinfo))
        return NULL;
    /* treeless, the imap dissector's calls straight from TCP (their tvb is the
       TCP payload); else the tcp.payload items (a wanted field then) */
    GPtrArray *pl = mailx_treeless ? calls_payload(pinfo, calls)
                    : hf_tcp_payload > 0 && tree ? proto_get_finfo_ptr_array(tree, hf_tcp_payload) : NULL;
    if (!pl || pl->len == 0)
        return NULL;
    if (!has_imap) {
        mailx_conv *mc = frame_conv(pinfo);
        if (!mc || mc->proto != MAILX_PROTO_IMAP)
            return NULL;
    }
    return pl;
}

/* Lines the session's splitters cut at mailx.line_keep_max so far, all protocols. */
static guint64 conv_lines_cut(const mailx_conv *mc)
{
    return (mc->smtp ? mailx_smtp_session_lines_cut(mc->smtp) : 0) +
           (mc->pop ? mailx_pop_session_lines_cut(mc->pop) : 0) +
           (mc->imap ? mailx_imap_session_lines_cut(mc->imap) : 0);
}

/* A frame's record as kept for the whole file: one block from the record
 * arena (epan-ext/rec_pack.h), read back into a mailx_frame view on later
 * passes. The view has six pointers and its protocol record three more, with
 * counts and rare fields; the kept block has only what the frame has: an
 * 8-byte head with the counts of the two parts most frames have (replies or
 * responses, commands), those parts, and only when the frame has one of the
 * others (a completed message, a login step, an SMTP message, a gap, a rare
 * field) an 8-byte second head with their counts and those parts after it
 * (~30-50 bytes a frame instead of ~150 with the 16 bytes wmem added to each). */
enum {
    PART_A,         /* SMTP replies, POP3 and IMAP responses */
    PART_B,         /* command pointers */
    MAIN_PARTS
};
enum {
    PART_MSG,       /* the mailx_msg_frame pointer: messages completed here (0 or 1) */
    PART_RARE,      /* rec_rare (0 or 1) */
    PART_AUTH,      /* the login steps' pointers */
    PART_C,         /* SMTP messages, POP3 and IMAP capture gaps */
    EXT_PARTS
};

typedef struct {
    guint32 session;            /* the session's mailx.session (its index in mailx_convs + 1); 0: none */
    guint8 proto : 2,           /* the protocol record: MAILX_PROTO_*, NONE for none */
           from_client : 1, tls_layer : 1, segment_lost : 1, line_cut : 1,
           ext : 1;             /* the second head and its parts follow the main parts */
    guint8 starttls : 3;        /* mailx_starttls_event */
    guint8 n[MAIN_PARTS];       /* count bytes (rec_pack.h) */
} frame_rec;
G_STATIC_ASSERT(sizeof(frame_rec) == 8);
#define REC_HEAD sizeof(frame_rec)
/* the second head: the count bytes of the other parts, 8 bytes with the padding */
#define EXT_HEAD ((size_t)8)

/* What few frames have: the pending-command limit hit here, a gap that stopped
 * pairing (SMTP), the bytes the capture cut off (SMTP) */
typedef struct {
    guint64 pending_dropped;
    guint32 bytes_missing;
    guint32 segment_lost;
} rec_rare;

/* Element size of each part, by the protocol record. */
static const size_t main_elem[4][MAIN_PARTS] = {
    [MAILX_PROTO_NONE] = { 0, 0 },
    [MAILX_PROTO_SMTP] = { sizeof(mailx_smtp_reply_rec), sizeof(mailx_smtp_cmd_rec *) },
    [MAILX_PROTO_POP]  = { sizeof(mailx_pop_resp_rec), sizeof(mailx_pop_cmd_rec *) },
    [MAILX_PROTO_IMAP] = { sizeof(mailx_imap_resp_rec), sizeof(mailx_imap_cmd_rec *) },
};
#define COMMON_PARTS sizeof(struct mailx_msg_frame *), sizeof(rec_rare), sizeof(mailx_auth_rec *)
static const size_t ext_elem[4][EXT_PARTS] = {
    [MAILX_PROTO_NONE] = { COMMON_PARTS, 0 },
    [MAILX_PROTO_SMTP] = { COMMON_PARTS, sizeof(mailx_smtp_msg_rec) },
    [MAILX_PROTO_POP]  = { COMMON_PARTS, sizeof(mailx_gap_rec) },
    [MAILX_PROTO_IMAP] = { COMMON_PARTS, sizeof(mailx_gap_rec) },
};

static void rec_layout(mailx_pack *main, mailx_pack *ext, guint8 proto)
{
    main->parts = MAIN_PARTS;
    main->elem = main_elem[proto];
    ext->parts = EXT_PARTS;
    ext->elem = ext_elem[proto];
}

/* The view a kept record is read back into: the mailx_frame and its protocol
 * record in one packet-scope block. */
typedef struct {
    frame_block b;              /* first: the view's mailx_frame is a frame_block's */
    union {
        mailx_smtp_frame smtp;
        mailx_pop_frame pop;
        mailx_imap_frame imap;
    } p;
} frame_view_block;

/* Keeps the frame built in packet scope (tmp). */
static const frame_rec *frame_store(const mailx_frame *tmp)
{
    frame_rec h;
    memset(&h, 0, sizeof h);
    h.session = tmp->conv ? tmp->conv->id : 0;
    h.from_client = tmp->from_client;
    h.tls_layer = tmp->tls_layer;
    h.segment_lost = tmp->segment_lost;
    h.line_cut = tmp->line_cut;
    h.starttls = tmp->starttls;
    rec_rare rare = { 0, 0, 0 };
    const void *src[MAIN_PARTS] = { NULL, NULL };
    const void *ext_src[EXT_PARTS] = { &tmp->msg, &rare, tmp->auth, NULL };
    mailx_pack pk, ek;
    if (tmp->smtp) {
        const mailx_smtp_frame *f = tmp->smtp;
        h.proto = MAILX_PROTO_SMTP;
        rec_layout(&pk, &ek, h.proto);
        pk.n[PART_A] = f->n_replies; pk.n[PART_B] = f->n_commands; ek.n[PART_C] = f->n_messages;
        src[PART_A] = f->replies; src[PART_B] = f->commands; ext_src[PART_C] = f->messages;
        rare.pending_dropped = f->pending_dropped;
        rare.bytes_missing = f->bytes_missing;
        rare.segment_lost = f->segment_lost;
    } else if (tmp->pop) {
        const mailx_pop_frame *f = tmp->pop;
        h.proto = MAILX_PROTO_POP;
        rec_layout(&pk, &ek, h.proto);
        pk.n[PART_A] = f->n_resp; pk.n[PART_B] = f->n_cmd; ek.n[PART_C] = f->n_gap;
        src[PART_A] = f->resp; src[PART_B] = f->cmd; ext_src[PART_C] = f->gap;
        rare.pending_dropped = f->pending_dropped;
    } else if (tmp->imap) {
        const mailx_imap_frame *f = tmp->imap;
        h.proto = MAILX_PROTO_IMAP;
        rec_layout(&pk, &ek, h.proto);
        pk.n[PART_A] = f->n_resp; pk.n[PART_B] = f->n_cmd; ek.n[PART_C] = f->n_gap;
        src[PART_A] = f->resp; src[PART_B] = f->cmd; ext_src[PART_C] = f->gap;
        rare.pending_dropped = f->pending_dropped;
    } else {
        rec_layout(&pk, &ek, MAILX_PROTO_NONE);
        pk.n[PART_A] = pk.n[PART_B] = ek.n[PART_C] = 0;
    }
    ek.n[PART_MSG] = tmp->msg != NULL;
    ek.n[PART_RARE] = rare.pending_dropped || rare.bytes_missing || rare.segment_lost;
    ek.n[PART_AUTH] = tmp->n_auth;
    h.ext = ek.n[PART_MSG] || ek.n[PART_RARE] || ek.n[PART_AUTH] || ek.n[PART_C];
    size_t body = mailx_pack_prepare(&pk, h.n);
    guint8 ext_nb[EXT_HEAD] = { 0 };
    size_t ext_body = h.ext ? mailx_pack_prepare(&ek, ext_nb) : 0;
    guint8 *block = (guint8 *)mailx_rec_alloc(REC_HEAD + body + (h.ext ? EXT_HEAD + ext_body : 0));
    memcpy(block, &h, sizeof h);
    mailx_pack_write(&pk, h.n, block + REC_HEAD, src);
    if (h.ext) {
        guint8 *ext = block + REC_HEAD + body;
        memcpy(ext, ext_nb, EXT_HEAD);
        mailx_pack_write(&ek, ext_nb, ext + EXT_HEAD, ext_src);
    }
    return (const frame_rec *)block;
}

/* The mailx_frame of a kept record, in packet scope; its arrays are the
 * record's own (file scope, read only). */
static mailx_frame *frame_view(const frame_rec *r, packet_info *pinfo)
{
    mailx_pack pk, ek;
    const void *part[MAIN_PARTS];
    const void *ext_part[EXT_PARTS] = { NULL, NULL, NULL, NULL };
    rec_layout(&pk, &ek, r->proto);
    size_t body = mailx_pack_read(&pk, r->n, (const guint8 *)r + REC_HEAD, part);
    if (r->ext) {
        const guint8 *ext = (const guint8 *)r + REC_HEAD + body;
        mailx_pack_read(&ek, ext, ext + EXT_HEAD, ext_part);
    } else {
        memset(ek.n, 0, sizeof ek.n);
    }

    frame_view_block *v = wmem_new0(pinfo->pool, frame_view_block);
    mailx_frame *fr = &v->b.fr;
    fr->conv = r->session ? (mailx_conv *)g_ptr_array_index(mailx_convs, r->session - 1) : NULL;
    fr->from_client = r->from_client;
    fr->tls_layer = r->tls_layer;
    fr->segment_lost = r->segment_lost;
    fr->line_cut = r->line_cut;
    fr->starttls = r->starttls;
    if (ext_part[PART_MSG])
        memcpy(&fr->msg, ext_part[PART_MSG], sizeof fr->msg);
    rec_rare rare = { 0, 0, 0 };
    if (ext_part[PART_RARE])
        memcpy(&rare, ext_part[PART_RARE], sizeof rare);
    fr->n_auth = ek.n[PART_AUTH];
    fr->auth = (mailx_auth_rec **)ext_part[PART_AUTH];
    switch (r->proto) {
    case MAILX_PROTO_SMTP: {
        mailx_smtp_frame *f = &v->p.smtp;
        f->n_replies = pk.n[PART_A]; f->n_commands = pk.n[PART_B]; f->n_messages = ek.n[PART_C];
        f->replies = (mailx_smtp_reply_rec *)part[PART_A];
        f->commands = (mailx_smtp_cmd_rec **)part[PART_B];
        f->messages = (mailx_smtp_msg_rec *)ext_part[PART_C];
        f->pending_dropped = rare.pending_dropped;
        f->bytes_missing = rare.bytes_missing;
        f->segment_lost = rare.segment_lost != 0;
        fr->smtp = f;
        break;
    }
    case MAILX_PROTO_POP: {
        mailx_pop_frame *f = &v->p.pop;
        f->n_resp = pk.n[PART_A]; f->n_cmd = pk.n[PART_B]; f->n_gap = ek.n[PART_C];
        f->resp = (mailx_pop_resp_rec *)part[PART_A];
        f->cmd = (mailx_pop_cmd_rec **)part[PART_B];
        f->gap = (mailx_gap_rec *)ext_part[PART_C];
        f->pending_dropped = rare.pending_dropped;
        fr->pop = f;
        break;
    }
    case MAILX_PROTO_IMAP: {
        mailx_imap_frame *f = &v->p.imap;
        f->n_resp = pk.n[PART_A]; f->n_cmd = pk.n[PART_B]; f->n_gap = ek.n[PART_C];
        f->resp = (mailx_imap_resp_rec *)part[PART_A];
        f->cmd = (mailx_imap_cmd_rec **)part[PART_B];
        f->gap = (mailx_gap_rec *)ext_part[PART_C];
        f->pending_dropped = rare.pending_dropped;
        fr->imap = f;
        break;
    }
    default:
        break;
    }
    return fr;
}

static mailx_frame *analyse_frame(packet_info *pinfo, proto_tree *tree, tvbuff_t *frame_tvb,
                                  GPtrArray *smtp_items, GPtrArray *pop_items, GPtrArray *imap_items,
                                  GPtrArray *imap_payload)
{
    /* Data the sender already sent once: the dissectors see it again, the session
     * must not (it would pair replies twice). */
    guint ta = mailx_tcp_analysis(pinfo, tree);
    if (ta & (MAILX_TA_RETRANS | MAILX_TA_SPURIOUS))
        return NULL;
    /* POP3/IMAP: bytes that belong before a gap already told to the session would
       be read in the wrong place; they stay out (SMTP: unchanged) */
    if (!smtp_items && (ta & MAILX_TA_OUT_OF_ORDER))
        return NULL;

    mailx_conv *mc = conv_get(pinfo, smtp_items ? MAILX_PROTO_SMTP : pop_items ? MAILX_PROTO_POP
                                                                   : MAILX_PROTO_IMAP);
    if (!mc)
        return NULL;   /* past mailx.sessions_max: not analysed */
    /* data long after both sides closed (a sender may send nothing after its
       FIN): left out like a retransmission, not read as a session starting again */
    if (mc->released)
        return NULL;
    /* packet scope while it is built; frame_store() keeps it */
    mailx_frame *fr = frame_new(pinfo);
    /* data the TLS dissector decrypted (implicit TLS or after STARTTLS) */
    fr->tls_layer = frame_has_tls(pinfo);
    /* bytes of this direction went missing before this frame: no pairing across them */
    fr->segment_lost = (ta & MAILX_TA_LOST) != 0;
    guint64 cut_before = conv_lines_cut(mc);
    if (smtp_items) {
        fr->conv = mc;
        fr->from_client = frame_from_client(fr->conv, pinfo);
        mailx_session_account(fr, pinfo, TRUE);
        mailx_smtp_analyse(fr, pinfo, smtp_items);
    } else if (pop_items) {
        fr->conv = mc;
        fr->from_client = frame_from_client(fr->conv, pinfo);
        gboolean lost = fr->segment_lost;   /* a bit-field: no address */
        note_holes(fr->conv, pinfo, tree, frame_tvb, fr->from_client, TRUE, &lost);
        fr->segment_lost = lost;
        mailx_session_account(fr, pinfo, TRUE);
        mailx_pop_analyse(fr, pinfo, pop_items);
    } else if (imap_items || imap_payload) {
        fr->conv = mc;
        fr->from_client = frame_from_client(fr->conv, pinfo);
        gboolean lost = fr->segment_lost;   /* a bit-field: no address */
        note_holes(fr->conv, pinfo, tree, frame_tvb, fr->from_client, TRUE, &lost);
        fr->segment_lost = lost;
        mailx_session_account(fr, pinfo, TRUE);
        if (imap_payload)
            mailx_imap_analyse_payload(fr, pinfo, imap_payload);
        else
            mailx_imap_analyse(fr, pinfo, imap_items);
    }
    /* the limit is announced once per session: in the frame that first cuts a line */
    fr->line_cut = cut_before == 0 && conv_lines_cut(mc) > 0;
    return fr;
}

/* Interned strings of the per-frame records (mailx.h): distinct values are
 * few (command names, response codes, tags, mechanisms, users), records many. */
static wmem_map_t *mailx_strings;
/* In front of the map, the last strings by their length and three of their
 * bytes: a session repeats its user, mechanism and command names, so most
 * calls end with one compare instead of a hash and a look-up. Holds pointers
 * into mailx_strings (file scope): cleared with it (mailx_init). */
#define MAILX_INTERN_CACHE 256
static const char *mailx_intern_cache[MAILX_INTERN_CACHE];

const char *mailx_str_intern(const char *s)
{
    if (!s || !s[0])
        return "";
    size_t n = strlen(s);
    guint slot = ((guint)(guchar)s[0] * 7u + (guint)(guchar)s[n >> 1] * 131u +
                  (guint)(guchar)s[n - 1] * 31u + (guint)n * 17u) % MAILX_INTERN_CACHE;
    const char *v = mailx_intern_cache[slot];
    if (v && strcmp(v, s) == 0)
        return v;
    v = (const char *)wmem_map_lookup(mailx_strings, s);
    if (!v) {
        char *c = wmem_strdup(wmem_file_scope(), s);
        wmem_map_insert(mailx_strings, c, c);
        v = c;
    }
    mailx_intern_cache[slot] = v;
    return v;
}

/* Freeing what a closed session no longer needs. Both sides sent FIN: no
 * new data can follow (TCP, RFC 9293 s3.6), only retransmissions, which are
 * left out, and segments the capture shows out of order, which arrive within a
 * few frames; after MAILX_RELEASE_DELAY more frames the protocol state
 * (line carries, pending commands, parser state) is freed. What rendering and
 * the taps read on later passes stays: the per-frame records, the session
 * summary, and the login state (copied for POP3/IMAP, whose session holds it). */
#define MAILX_RELEASE_DELAY 1000
static GQueue *mailx_closed;        /* mailx_conv * in the order they closed */

static void conv_release(mailx_conv *mc)
{
    const mailx_auth_state *a = mailx_session_auth(mc);
    if ((mc->pop && a == &mc->pop->auth) || (mc->imap && a == &mc->imap->auth)) {
        /* what mailx_session_auth's readers use; all zero is the same as no login */
        if (a->attempt || a->open || a->failures || a->last_result || a->last_user[0]) {
            mailx_login_kept *k = mailx_rec_new0(mailx_login_kept);
            k->attempt = a->attempt;
            k->failures = a->failures;
            k->last_result = (guint8)a->last_result;
            k->open = a->open;
            k->last_user = mailx_str_intern(a->last_user);
            mc->login_kept = k;
        }
    }
    if (mc->smtp) {
        mailx_smtp_session_free(mc->smtp);
        wmem_free(wmem_file_scope(), mc->smtp);
        mc->smtp = NULL;
    }
    if (mc->pop) {
        mailx_pop_session_free(mc->pop);
        wmem_free(wmem_file_scope(), mc->pop);
        mc->pop = NULL;
    }
    if (mc->imap) {
        mailx_imap_session_free(mc->imap);
        wmem_free(wmem_file_scope(), mc->imap);
        mc->imap = NULL;
    }
    mc->released = TRUE;
}

/* First pass, every frame of a session: note its FIN; free the sessions that
 * closed long enough ago. */
static void conv_note_close(mailx_frame *fr, packet_info *pinfo, tvbuff_t *frame_tvb)
{
    mailx_conv *mc = fr ? fr->conv : NULL;
    guint32 flags, len;
    if (mc && !mc->close_queued && mailx_tcp_segment(pinfo, frame_tvb, &flags, &len) && (flags & 0x01)) {
        mc->fin_seen |= fr->from_client ? 2 : 1;
        if (mc->fin_seen == 3) {
            mc->close_queued = TRUE;
            mc->closed_frame = pinfo->num;
            g_queue_push_tail(mailx_closed, mc);
        }
    }
    /* the queue's head read in place (GQueue's public fields): this runs on
       every first-pass frame, the queue is empty or its head too young on most */
    while (mailx_closed->head) {
        mailx_conv *c = (mailx_conv *)mailx_closed->head->data;
        if (pinfo->num - c->closed_frame < MAILX_RELEASE_DELAY)
            break;
        g_queue_pop_head(mailx_closed);
        conv_release(c);
    }
}

/* The layers above the frame's innermost TCP: did the smtp, pop or imap
 * dissector take part? A dissector called through a handle is in
 * pinfo->layers unless it refused the data (then it added no item), so a
 * frame without one of them has none of their items: no hash look-ups for it.
 * Walked from the tail: mail sits right above TCP (or TLS). */
static gboolean frame_has_mail_layer(const packet_info *pinfo)
{
    for (wmem_list_frame_t *l = wmem_list_tail(pinfo->layers); l; l = wmem_list_frame_prev(l)) {
        int p = GPOINTER_TO_INT(wmem_list_frame_data(l));
        if (p == proto_smtp || p == proto_pop || p == proto_imap)
            return TRUE;
        if (p == proto_tcp)
            return FALSE;
    }
    return FALSE;
}

#if MAILX_ROOT_WALK
/* The smtp, pop or imap items of a frame, read like the array that
 * proto_get_finfo_ptr_array() gives (pdata and len are GPtrArray's public
 * fields; the analysers only read them). */
typedef struct {
    GPtrArray a;
    gpointer local[8];
    guint cap;
} mail_items;

static void mail_items_init(mail_items *l)
{
    l->a.pdata = l->local;
    l->a.len = 0;
    l->cap = G_N_ELEMENTS(l->local);
}

static G_GNUC_NO_INLINE void mail_items_grow(mail_items *l, packet_info *pinfo)
{
    gpointer *p = wmem_alloc_array(pinfo->pool, gpointer, l->cap * 2);
    memcpy(p, l->a.pdata, l->a.len * sizeof *p);
    l->a.pdata = p;
    l->cap *= 2;
}

static inline void mail_items_add(mail_items *l, packet_info *pinfo, field_info *fi)
{
    if (G_UNLIKELY(l->a.len == l->cap))
        mail_items_grow(l, pinfo);
    l->a.pdata[l->a.len++] = fi;
}

/* The frame's smtp, pop and imap protocol items, in the order they were added.
 * The mail dissectors add them to the root of the tree (TCP hands its payload
 * the root; TLS hands decrypted data proto_tree_get_root()), where an
 * FT_PROTOCOL item is never faked on these versions (mailx_compat.h).
 * Walking the root's few children replaces asking for them as wanted fields,
 * which costs Wireshark a priming per frame and a pointer array and a hash
 * insert per frame and protocol that has an item (proto.c
 * tree_data_add_maybe_interesting_field; docs/performance.md). */
static void frame_mail_items(proto_tree *tree, packet_info *pinfo, mail_items *smtp, mail_items *pop,
                             mail_items *imap)
{
    for (proto_node *n = tree->first_child; n; n = n->next) {
        field_info *fi = PNODE_FINFO(n);
        if (!fi || !fi->hfinfo)
            continue;
        int id = fi->hfinfo->id;
        if (id == proto_smtp)
            mail_items_add(smtp, pinfo, fi);
        else if (id == proto_pop)
            mail_items_add(pop, pinfo, fi);
        else if (id == proto_imap)
            mail_items_add(imap, pinfo, fi);
    }
}
#endif

/* What the gate found out, handed to dissect_mailx as its data. */
typedef struct {
    gboolean mail_port;     /* a mail port on either side: connection analysis */
    gboolean mail_layer;    /* the smtp, pop or imap dissector took part */
    const void *calls;      /* the frame's interposer records (mail_calls), or NULL */
} mailx_gate;

gboolean mailx_treeless;

/* Set by the init routine: mailx is enabled (and has asked for its fields). */
static gboolean mailx_enabled;

/* ------------------------------------------------------------------ the interposer
 * The smtp, pop and imap bytes without a tree (MAILX_INTERPOSER, mailx_compat.h).
 * At handoff the function pointer inside the smtp/pop/imap dissector handles
 * (the private struct dissector_handle of epan/packet.c) is replaced by a
 * mailx function that calls the original and records, per frame (packet
 * scope), the range the protocol item covers (proto_tree_add_item(tree,
 * proto_X, tvb, 0, -1): ds_tvb, raw offset, captured length) and whether the
 * dissector added that item. Every caller of the handle (tcp.port, tls.port,
 * Decode As, STARTTLS' app handle, conversation dissectors) goes through it. */
typedef struct mail_call {
    struct mail_call *next;
    guint8 proto;           /* MAILX_PROTO_* */
    guint8 item;            /* the dissector added its protocol item (or left by an exception) */
    guint8 from_tcp;        /* called right above TCP (not TLS): the TCP payload */
    field_info fi;          /* ds_tvb, start, length: as the item's */
} mail_call;

typedef struct {
    mail_call *first, *last;
    guint n_item[4];
    guint n_tcp_imap;
} mail_calls;

/* The frame's calls: one static list, valid for the dissection under way (the
 * same packet pool, frame and pass) until the post-dissector has run for it
 * (dissect_mailx_gate closes it), so that a frame dissected again starts a
 * new list. Cheaper than p_add_proto_data/p_get_proto_data (a list walk over
 * every protocol's packet data). */
static mail_calls cur_calls;
static struct {
    wmem_allocator_t *pool;
    guint32 num;
    gboolean visited, open;
} cur_owner;

static mail_calls *frame_calls(packet_info *pinfo, gboolean create)
{
    if (cur_owner.open && cur_owner.pool == pinfo->pool && cur_owner.num == pinfo->num &&
        cur_owner.visited == PINFO_FD_VISITED(pinfo))
        return &cur_calls;
    if (!create)
        return NULL;
    memset(&cur_calls, 0, sizeof cur_calls);
    cur_owner.pool = pinfo->pool;
    cur_owner.num = pinfo->num;
    cur_owner.visited = PINFO_FD_VISITED(pinfo);
    cur_owner.open = TRUE;
    return &cur_calls;
}

static inline void frame_calls_close(void)
{
    cur_owner.open = FALSE;
}

#if MAILX_INTERPOSER
static int proto_tls_id = -1;
static dissector_t orig_smtp, orig_pop, orig_imap;

/* fn with desegment_len cleared, and the caller's value back when fn sets
 * none, by an exception too */
static G_GNUC_NO_INLINE int call_desegment_cleared(dissector_t fn, tvbuff_t *tvb, packet_info *pinfo,
                                                   proto_tree *tree, void *data, gboolean *deseg)
{
    int saved_off = pinfo->desegment_offset;
    guint32 saved_len = pinfo->desegment_len;
    volatile int ret = 0;
    pinfo->desegment_len = 0;
    TRY {
        ret = fn(tvb, pinfo, tree, data);
    }
    FINALLY {
        *deseg = pinfo->desegment_len != 0;
        if (!*deseg) {
            pinfo->desegment_offset = saved_off;
            pinfo->desegment_len = saved_len;
        }
    }
    ENDTRY;
    return ret;
}

static int interpose(mailx_proto p, int proto_id, dissector_t fn, tvbuff_t *tvb, packet_info *pinfo,
                     proto_tree *tree, void *data)
{
    int ret;
    /* an error packet's quoted segment: its items are not at the root */
    if (!mailx_enabled || pinfo->flags.in_error_pkt)
        return fn(tvb, pinfo, tree, data);
    mail_calls *c = frame_calls(pinfo, TRUE);
    mail_call *r = wmem_new0(pinfo->pool, mail_call);
    r->proto = (guint8)p;
    r->item = 1;                    /* stays so if an exception leaves the dissector */
    r->fi.ds_tvb = tvb_get_ds_tvb(tvb);
    r->fi.start = tvb_raw_offset(tvb);
    r->fi.length = (gint)tvb_captured_length(tvb);
    /* the layer below this protocol's (call_dissector_work added it) */
    wmem_list_frame_t *self = wmem_list_tail(pinfo->layers);
    wmem_list_frame_t *below = self;
    if (below && GPOINTER_TO_INT(wmem_list_frame_data(below)) == proto_id)
        below = wmem_list_frame_prev(below);
    r->from_tcp = below && GPOINTER_TO_INT(wmem_list_frame_data(below)) == proto_tcp;
    if (c->last)
        c->last->next = r;
    else
        c->first = r;
    c->last = r;
    c->n_item[p]++;                 /* taken back below when there is no item */
    if (r->from_tcp && p == MAILX_PROTO_IMAP)
        c->n_tcp_imap++;

    /* Did the dissector ask TCP for more? TCP hands it desegment_len 0 (so
       any value after the call is the dissector's); a caller that hands it
       something else gets it back unless the dissector set its own. */
    gboolean deseg;
    if (G_LIKELY(pinfo->desegment_len == 0)) {
        ret = fn(tvb, pinfo, tree, data);
        deseg = pinfo->desegment_len != 0;
    } else {
        ret = call_desegment_cleared(fn, tvb, pinfo, tree, data, &deseg);
    }
    gboolean no_item = FALSE;
    if (deseg && p != MAILX_PROTO_POP) {
        /* smtp: its only way out before the item asks for more when the first
           line has no end; imap the same (packet-smtp.c, packet-imap.c: 4.0, 4.4,
           4.6, docs/api-differences.md) */
        gint next;
        if (p == MAILX_PROTO_SMTP)
            no_item = TRUE;
        else
            no_item = tvb_find_line_end(tvb, 0, -1, &next, TRUE) == -1;
    }
    if (p == MAILX_PROTO_IMAP && !no_item && self && proto_tls_id > 0) {
        /* the imap STARTTLS heuristic handed the data to TLS: no imap item */
        wmem_list_frame_t *after = wmem_list_frame_next(self);
        if (after && GPOINTER_TO_INT(wmem_list_frame_data(after)) == proto_tls_id &&
            GPOINTER_TO_INT(wmem_list_frame_data(self)) == proto_id)
            no_item = TRUE;
    }
    if (no_item) {
        r->item = 0;
        c->n_item[p]--;
    }
    return ret;
}

static int ip_smtp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return interpose(MAILX_PROTO_SMTP, proto_smtp, orig_smtp, tvb, pinfo, tree, data);
}

static int ip_pop(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return interpose(MAILX_PROTO_POP, proto_pop, orig_pop, tvb, pinfo, tree, data);
}

static int ip_imap(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    return interpose(MAILX_PROTO_IMAP, proto_imap, orig_imap, tvb, pinfo, tree, data);
}

/* The executable segments of the object that holds `code` (libwireshark). */
typedef struct {
    uintptr_t code;
    uintptr_t lo[4], hi[4];
    int n;
} exec_ranges;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *ud)
{
    exec_ranges *er = (exec_ranges *)ud;
    uintptr_t lo[4], hi[4];
    int n = 0;
    gboolean mine = FALSE;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        uintptr_t a = (uintptr_t)info->dlpi_addr + ph->p_vaddr, b = a + ph->p_memsz;
        if (er->code >= a && er->code < b)
            mine = TRUE;
        if (n < 4) {
            lo[n] = a;
            hi[n] = b;
            n++;
        }
    }
    if (!mine)
        return 0;
    memcpy(er->lo, lo, sizeof lo);
    memcpy(er->hi, hi, sizeof hi);
    er->n = n;
    return 1;
}

static gboolean in_exec(const exec_ranges *er, const void *p)
{
    for (int i = 0; i < er->n; i++)
        if ((uintptr_t)p >= er->lo[i] && (uintptr_t)p < er->hi[i])
            return TRUE;
    return FALSE;
}

/* The dissector function's slot in the handle: the private struct
 * dissector_handle of epan/packet.c. 4.0.17 (its source): {name, description,
 * dissector_type, dissector_func, dissector_data, protocol}. 4.4.19 and 4.6.9
 * (Debian's libwireshark18 / libwireshark19, whose source packages could not
 * be fetched here, read from the code of dissector_handle_get_*() and of the
 * handle's constructor): a pref_suffix pointer after the description, the
 * same words after it, 0x38 bytes (MAILX_HANDLE_PREF_SUFFIX, mailx_compat.h).
 * Every word but the type's (an int and padding, which is never read whole) is
 * checked against what the public calls say: the name, the description, the
 * pref_suffix, the protocol, a simple dissector (type 0) with no data, and a
 * function inside libwireshark's code. */
typedef struct {
    const char *name;
    const char *description;
#if MAILX_HANDLE_PREF_SUFFIX
    const char *pref_suffix;    /* NULL reads as libwireshark's "" */
#endif
    int dissector_type;
    void *dissector_func;
    void *dissector_data;
    void *protocol;
} mailx_handle_layout;

static gboolean handle_pref_suffix_ok(const mailx_handle_layout *l, dissector_handle_t h)
{
#if MAILX_HANDLE_PREF_SUFFIX
    /* the accessor answers a NULL word with the "" it also answers for no
       handle at all (4.4.19, 4.6.9): the same pointer either way */
    const char *pub = dissector_handle_get_pref_suffix(h);
    return pub && (l->pref_suffix == pub ||
                   (l->pref_suffix == NULL && pub == dissector_handle_get_pref_suffix(NULL)));
#else
    (void)l;
    (void)h;
    return TRUE;
#endif
}

static void **handle_func_slot(dissector_handle_t h, int proto_id, const exec_ranges *er)
{
    if (!h || proto_id <= 0)
        return NULL;
    mailx_handle_layout *l = (mailx_handle_layout *)(void *)h;
    const char *name = dissector_handle_get_dissector_name(h);
    if (!name || l->name != name || l->description != dissector_handle_get_description(h) ||
        !handle_pref_suffix_ok(l, h) ||
        l->protocol != (void *)find_protocol_by_id(proto_id) || l->dissector_type != 0 ||
        l->dissector_data != NULL || !in_exec(er, l->dissector_func))
        return NULL;
    return &l->dissector_func;
}

/* Sets mailx_treeless: all three handles found as expected and going through
 * mailx, or none (the tree path, unchanged). */
static void interpose_handles(void)
{
    /* the tree path on demand: tests compare the two (tests/golden-tree) */
    if (g_getenv("MAILX_TREE_PATH"))
        return;
    exec_ranges er;
    memset(&er, 0, sizeof er);
    er.code = (uintptr_t)(void *)&call_dissector_only;
    dl_iterate_phdr(phdr_cb, &er);
    struct { dissector_handle_t h; int proto; dissector_t *orig; dissector_t mine; void **slot; } t[] = {
        { smtp_handle, proto_smtp, &orig_smtp, ip_smtp, NULL },
        { pop_handle, proto_pop, &orig_pop, ip_pop, NULL },
        { imap_handle, proto_imap, &orig_imap, ip_imap, NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        t[i].slot = er.n ? handle_func_slot(t[i].h, t[i].proto, &er) : NULL;
        if (!t[i].slot || *t[i].slot == (void *)t[i].mine) {
            ws_warning("mailx: a mail dissector's handle is not laid out as expected; "
                       "mailx reads the protocol tree instead (slower)");
            return;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        *t[i].orig = (dissector_t)*t[i].slot;
        *t[i].slot = (void *)t[i].mine;
    }
    mailx_treeless = TRUE;
}
#endif

/* The recorded calls of protocol p that have an item (items: TRUE) or that
 * came straight from TCP (payload), as the analysers' field_info array. */
static GPtrArray *calls_array(packet_info *pinfo, const mail_calls *c, mailx_proto p, gboolean payload)
{
    guint n = payload ? c->n_tcp_imap : c->n_item[p];
    if (!n)
        return NULL;
    GPtrArray *a = wmem_new0(pinfo->pool, GPtrArray);
    a->pdata = wmem_alloc_array(pinfo->pool, gpointer, n);
    for (mail_call *r = c->first; r; r = r->next) {
        if (r->proto != p || (payload ? !r->from_tcp : !r->item))
            continue;
        a->pdata[a->len++] = &r->fi;
    }
    return a;
}

static GPtrArray *calls_payload(packet_info *pinfo, const void *calls)
{
    const mail_calls *c = (const mail_calls *)calls;
    return c ? calls_array(pinfo, c, MAILX_PROTO_IMAP, TRUE) : NULL;
}

static int dissect_mailx(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data);
static const char *mailx_short_name;

/* What call_dissector_only() does around a dissector of a protocol (epan/packet.c
 * in 4.0: call_dissector_work, add_layer, remove_last_layer), done here for
 * mailx alone: ~250 instructions a frame less than the generic path (the
 * enabled check, the protocol name look-up, the layer map look-up), with the
 * same results: pinfo->current_proto is "mailx" during the call (expert items
 * and exceptions name it), mailx is a layer of the frame (pinfo->layers, as
 * sharkd and later post-dissectors see it) whose items have layer number 1
 * (filters like mailx.smtp.class#1), and the layer goes again when mailx took
 * nothing. An exception leaves everything as the generic path does (it does not
 * catch either). The enabled check is the gate's mailx_enabled. */
static int call_mailx(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const char *saved_proto = pinfo->current_proto;
    guint16 saved_can_desegment = pinfo->can_desegment;
    guint saved_tree_count = tree ? PTREE_DATA(tree)->count : 0;
    int saved_layer_num = pinfo->curr_layer_num;

    pinfo->saved_can_desegment = saved_can_desegment;
    pinfo->can_desegment = saved_can_desegment - (saved_can_desegment > 0);
    pinfo->current_proto = mailx_short_name;
    /* add_layer(). The post-dissector runs once per frame and only through here
       (or the generic path, never both), so mailx is not in the frame's layers
       yet: its number is 1, and the map holds no entry for it (one static 1,
       which only later layers' bookkeeping reads) */
    static int mailx_layer_one = 1;
    pinfo->curr_layer_num++;
    wmem_list_append(pinfo->layers, GINT_TO_POINTER(proto_mailx));
    if (!pinfo->proto_layers)
        pinfo->proto_layers = wmem_map_new(pinfo->pool, g_direct_hash, g_direct_equal);
    wmem_map_insert(pinfo->proto_layers, GINT_TO_POINTER(proto_mailx), &mailx_layer_one);
    pinfo->curr_proto_layer_num = 1;

    int len = dissect_mailx(tvb, pinfo, tree, data);

    if (len == 0 || (tree && saved_tree_count == PTREE_DATA(tree)->count)) {
        /* remove_last_layer(): the number goes back only when mailx refused */
        wmem_list_remove_frame(pinfo->layers, wmem_list_tail(pinfo->layers));
        if (len == 0)
            pinfo->curr_layer_num = saved_layer_num;   /* (and mailx's count to 0: never read again) */
        wmem_list_frame_t *tail = wmem_list_tail(pinfo->layers);
        if (tail) {
            int *n = (int *)wmem_map_lookup(pinfo->proto_layers, wmem_list_frame_data(tail));
            if (n)
                pinfo->curr_proto_layer_num = *n;
        }
    }
    pinfo->current_proto = saved_proto;
    pinfo->can_desegment = saved_can_desegment;
    return len;
}

/* The post-dissector Wireshark calls for every frame: the one cheap check for
 * frames that are not mail, then the real post-dissector. Its handle has no
 * protocol on purpose: for a handle with one, Wireshark adds and removes a
 * protocol layer around the call (~500 instructions a frame in 4.0) even when
 * the post-dissector returns at once. Frames that pass get call_mailx(). */
static int dissect_mailx_gate(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    /* Mail rides on TCP. Then: neither port is a mail port (connection
     * analysis, implicit TLS) nor the server port of a session seen so far,
     * and no mail dissector took part (what finds sessions on other ports,
     * e.g. by Decode As): not mail. */
    if (!mailx_enabled)
        return 0;
    /* this dissection's interposer records, taken and closed here, before
       anything can throw: a later dissection starts afresh */
    mail_calls calls;
    const mail_calls *c = frame_calls(pinfo, FALSE);
    if (c)
        calls = *c;
    frame_calls_close();
    if (pinfo->ptype != PT_TCP)
        return 0;
    /* treeless, the TCP analysis flags come from the tcp dissector's record on
       every pass (mailx_tcp_analysis): nothing to keep */
    if (tree && !PINFO_FD_VISITED(pinfo) && !mailx_treeless)
        mailx_tcp_flags_keep(pinfo, tree);
    mailx_gate g;
    g.mail_port = (mailx_port_service[pinfo->srcport] | mailx_port_service[pinfo->destport]) != 0;
    g.mail_layer = frame_has_mail_layer(pinfo);
    g.calls = c ? &calls : NULL;
    if (!g.mail_port && !g.mail_layer && !port_is_server(pinfo->srcport) && !port_is_server(pinfo->destport))
        return 0;
    /* a frame quoted in an error packet: the generic path (it saves and
       restores the columns and addresses around such frames) */
    if (pinfo->flags.in_error_pkt)
        return call_dissector_only(mailx_handle, tvb, pinfo, tree, &g);
    return call_mailx(tvb, pinfo, tree, &g);
}

/* The mailx item stands at the root of the tree, where Wireshark never fakes
 * an item (TRY_TO_FAKE_THIS_ITEM needs a parent with a field_info): in a hidden
 * tree it cost ~560 instructions a frame, for an item nobody may look at. When
 * nobody can (tree hidden, protocols faked as usual, "mailx" itself not
 * referenced, no tap listener that walks the tree: -z io,phs counts the item),
 * the subtree hangs from a stand-in node outside the tree. Items of fields
 * nobody references are faked to it as they were to the real item, expert items
 * attach to it as they did (same severity bookkeeping: a fresh item), and the
 * referenced ones are real; stand_in_end() moves those to the root, so that the
 * tree owns them (their values are freed with it) and filters, columns and taps
 * find them as before (by field, not by place). */
static gboolean stand_in_ok(proto_tree *tree)
{
    return tree && !PTREE_DATA(tree)->visible && PTREE_DATA(tree)->fake_protocols &&
           !MAILX_HF_DIRECT(mailx_proto_hfi) &&
           !(union_of_tap_listener_flags() & TL_REQUIRES_PROTO_TREE);
}

/* fr: the frame's record (frame_new, frame_view: its block holds the
 * stand-in), or NULL */
static proto_node *stand_in_new(proto_tree *root, packet_info *pinfo, mailx_frame *fr)
{
    mailx_stand_in *s = fr ? &((frame_block *)fr)->si : wmem_new0(pinfo->pool, mailx_stand_in);
    s->fi.hfinfo = mailx_proto_hfi;
    /* what render_frame() gives the real item: proto_item_set_generated(),
       proto_item_add_subtree(ett_mailx) */
    s->fi.flags = FI_GENERATED;
    s->fi.tree_type = ett_mailx;
    s->node.parent = root;
    s->node.finfo = &s->fi;
    s->node.tree_data = PTREE_DATA(root);
    PTREE_DATA(root)->count++;     /* as the real item: call_mailx() reads the count */
    return &s->node;
}

static void stand_in_end(proto_tree *root, proto_node *s)
{
    proto_node *c = s->first_child;
    if (!c)
        return;
    for (proto_node *n = c; n; n = n->next)
        n->parent = root;
    if (root->last_child)
        root->last_child->next = c;
    else
        root->first_child = c;
    root->last_child = s->last_child;
    s->first_child = s->last_child = NULL;
}

#if MAILX_STAND_IN_LINKED
/* Where the tree can own the stand-in while it is rendered (mailx_compat.h):
 * it goes in as the root's last child and is replaced by its children at the
 * end, the same order stand_in_end() gives; when an exception leaves
 * render_frame() early it stays, an empty FT_PROTOCOL item of "mailx" in a
 * tree nobody shows or walks (stand_in_ok), its items still in the tree (the
 * frees, -T fields). That costs two pointer writes instead of a TRY (a setjmp
 * and three calls into the exception stack, ~150 instructions a frame). */
static ftype_t *stand_in_ftype;     /* FT_PROTOCOL's, read from a real protocol item */

static gboolean stand_in_linkable(proto_tree *root)
{
    if (G_LIKELY(stand_in_ftype != NULL))
        return TRUE;
    for (proto_node *n = root->first_child; n; n = n->next) {
        field_info *fi = PNODE_FINFO(n);
        if (fi && fi->hfinfo && fi->hfinfo->type == FT_PROTOCOL && MAILX_STAND_IN_FTYPE(fi)) {
            stand_in_ftype = MAILX_STAND_IN_FTYPE(fi);
            return TRUE;
        }
    }
    return FALSE;
}

/* s (from stand_in_new) in as the root's last child; returns the child before it */
static proto_node *stand_in_link(proto_tree *root, proto_node *s)
{
    MAILX_STAND_IN_VALUE(PNODE_FINFO(s), stand_in_ftype);
    proto_node *prev = root->last_child;
    if (prev)
        prev->next = s;
    else
        root->first_child = s;
    root->last_child = s;
    return prev;
}

/* s out again, its children in its place (prev: what stand_in_link returned) */
static void stand_in_unlink(proto_tree *root, proto_node *s, proto_node *prev)
{
    proto_node *first = s->first_child, *last = s->last_child, *after = s->next;
    for (proto_node *n = first; n; n = n->next)
        n->parent = root;
    proto_node *repl = after;
    if (first) {
        last->next = after;
        repl = first;
    }
    if (prev)
        prev->next = repl;
    else
        root->first_child = repl;
    if (root->last_child == s)
        root->last_child = first ? last : prev;
    s->first_child = s->last_child = s->next = NULL;
}
#endif

/* mailx.session and mailx.session.proto (mailx_hf_wanted) */
static hf_register_info core_hf[] = {
    { &hf_mailx_session,
      { "Session", "mailx.session", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Mail session number, stable within the capture", HFILL } },
    { &hf_mailx_session_proto,
      { "Session protocol", "mailx.session.proto", FT_STRING, BASE_NONE, NULL, 0x0,
        "smtp, pop or imap", HFILL } },
};

/* Every pass: the items of the frame's stored record (fr NULL: a frame of no
 * session, the connection items and the session-limit note alone) under ti,
 * the mailx item or its stand-in (stand_in: ti is one); then the tap. */
static void render_frame(mailx_frame *fr, packet_info *pinfo, proto_tree *tree, proto_item *ti,
                         gboolean stand_in, tvbuff_t *tvb, gboolean limit_here, gboolean mail_port)
{
    proto_tree *mt = ti;    /* a stand-in is generated and has its subtree type (stand_in_new) */
    if (!stand_in) {
        proto_item_set_generated(ti);
        mt = proto_item_add_subtree(ti, ett_mailx);
    }
    if (!fr) {
        if (limit_here)
            mailx_limits_sessions_render(pinfo, mt, tvb);
        if (mail_port)
            mailx_conn_render(pinfo, mt, tvb);
        return;
    }
    /* in a hidden tree, items of fields nobody references are faked anyway: the
       calls are left out, and so is the formatting of their arguments */
    if (MAILX_FIELDS_WANTED(tree, core_hf)) {
        proto_item *pi = proto_tree_add_uint(mt, hf_mailx_session, tvb, 0, 0, fr->conv->id);
        proto_item_set_generated(pi);
        const char *pname = val_to_str_const(fr->conv->proto, mailx_proto_vals, "?");
        pi = proto_tree_add_string(mt, hf_mailx_session_proto, tvb, 0, 0, pname);
        proto_item_set_generated(pi);
        /* nothing in a hidden tree in 4.0; 4.2+ keeps the label of an item
           printed with -e (HF_REF_TYPE_PRINT) */
        proto_item_append_text(ti, ", %s session %u", pname, fr->conv->id);
    }

    if (fr->smtp)
        mailx_smtp_render(fr, pinfo, mt, tvb);
    if (fr->pop)
        mailx_pop_render(fr, pinfo, mt, tvb);
    if (fr->imap)
        mailx_imap_render(fr, pinfo, mt, tvb);
    if (fr->line_cut)
        mailx_limits_line_render(pinfo, mt, tvb);
    if (fr->n_auth)     /* most frames have no login step */
        mailx_auth_render(fr, pinfo, mt, tvb);
    mailx_session_render(fr, pinfo, mt, tvb);
    mailx_conn_render(pinfo, mt, tvb);
    if (fr->msg)
        mailx_msg_render(fr, pinfo, mt, tvb);
    /* the statistics read the same stored record the fields come from */
    tap_queue_packet(mailx_tap, pinfo, fr);
}

/* render_frame() under the stand-in (stand_in_ok), which is back in the tree
 * however render_frame() leaves: by a TRY where the tree cannot own it
 * (MAILX_STAND_IN_LINKED) */
static G_GNUC_NO_INLINE void render_stand_in_try(mailx_frame *fr, packet_info *pinfo, proto_tree *tree,
                                                 tvbuff_t *tvb, gboolean limit_here, gboolean mail_port)
{
    proto_node *si = stand_in_new(tree, pinfo, fr);
    TRY {
        render_frame(fr, pinfo, tree, si, TRUE, tvb, limit_here, mail_port);
    }
    FINALLY {
        stand_in_end(tree, si);
    }
    ENDTRY;
}

static inline void render_stand_in(mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb,
                                   gboolean limit_here, gboolean mail_port)
{
#if MAILX_STAND_IN_LINKED
    if (G_LIKELY(stand_in_linkable(tree))) {
        proto_node *si = stand_in_new(tree, pinfo, fr);
        proto_node *prev = stand_in_link(tree, si);
        render_frame(fr, pinfo, tree, si, TRUE, tvb, limit_here, mail_port);
        stand_in_unlink(tree, si, prev);
        return;
    }
#endif
    render_stand_in_try(fr, pinfo, tree, tvb, limit_here, mail_port);
}

static int dissect_mailx(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    const mailx_gate *g = (const mailx_gate *)data;
    if (!g)                 /* only ever called by the gate */
        return 0;
    gboolean mail_port = g->mail_port, mail_layer = g->mail_layer;
    mailx_frame_revisited = PINFO_FD_VISITED(pinfo);
    /* Connections to mail ports are analysed from the handshake on (SYN, RST,
     * FIN carry no mail). A frame dissected again on the first pass is not fed
     * twice: mailx_conn_analyse() checks that itself. */
    if (mail_port && !PINFO_FD_VISITED(pinfo) && (tree || mailx_treeless))
        mailx_conn_analyse(pinfo, tree, tvb);

    const frame_rec *rec = (const frame_rec *)mailx_frame_table_get(&mailx_frames, pinfo->num);
    mailx_frame *fr = rec ? frame_view(rec, pinfo) : NULL;
    /* Analysis runs once, on the first pass: from the interposer's records
     * (treeless), or from the tree's items, which exist only in a tree on the
     * first pass (the GUI's wanted fields); rendering runs on every pass, with or without a tree, so that expert info and
     * taps see the same on each. */
    if (!PINFO_FD_VISITED(pinfo) && !fr && (tree || mailx_treeless)) {
        GPtrArray *smtp_items = NULL, *pop_items = NULL, *imap_items = NULL;
#if MAILX_ROOT_WALK
        mail_items smtp, pop, imap;
#endif
        if (mailx_treeless) {
            /* the ranges of the smtp, pop and imap items as the interposer
               recorded them, tree or not */
            const mail_calls *calls = mail_layer ? (const mail_calls *)g->calls : NULL;
            if (calls) {
                smtp_items = calls_array(pinfo, calls, MAILX_PROTO_SMTP, FALSE);
                pop_items = calls_array(pinfo, calls, MAILX_PROTO_POP, FALSE);
                imap_items = calls_array(pinfo, calls, MAILX_PROTO_IMAP, FALSE);
            }
        } else if (mail_layer) {
#if MAILX_ROOT_WALK
            mail_items_init(&smtp);
            mail_items_init(&pop);
            mail_items_init(&imap);
            frame_mail_items(tree, pinfo, &smtp, &pop, &imap);
            smtp_items = smtp.a.len ? &smtp.a : NULL;
            pop_items = pop.a.len ? &pop.a : NULL;
            imap_items = imap.a.len ? &imap.a : NULL;
#else
            smtp_items = proto_get_finfo_ptr_array(tree, proto_smtp);
            pop_items = proto_get_finfo_ptr_array(tree, proto_pop);
            imap_items = proto_get_finfo_ptr_array(tree, proto_imap);
            if (smtp_items && smtp_items->len == 0) smtp_items = NULL;
            if (pop_items && pop_items->len == 0) pop_items = NULL;
            if (imap_items && imap_items->len == 0) imap_items = NULL;
#endif
        }
        GPtrArray *imap_payload = smtp_items || pop_items ? NULL
                                  : imap_payload_items(pinfo, tree, imap_items != NULL, g->calls);
        if (smtp_items || pop_items || imap_items || imap_payload)
            fr = analyse_frame(pinfo, tree, tvb, smtp_items, pop_items, imap_items, imap_payload);
        else
            fr = analyse_other_frame(pinfo, tree, tvb);
        /* this pass renders the frame as built; later ones from what is kept,
           which reads back the same (frame_view) */
        if (fr && !fr->session_only)
            mailx_frame_table_set(&mailx_frames, pinfo->num, (void *)frame_store(fr));
        conv_note_close(fr, pinfo, tvb);
    } else if (!fr && PINFO_FD_VISITED(pinfo)) {
        /* frames without mail data, frames before the session was known (the TCP
           handshake), or left out (retransmissions): the session items from the
           finished conversation, in packet scope (the tap reads it after we return) */
        mailx_conv *mc = frame_conv(pinfo);
        if (mc) {
            fr = frame_new(pinfo);
            fr->conv = mc;
            fr->from_client = frame_from_client(mc, pinfo);
            fr->tls_layer = frame_has_tls(pinfo);
            fr->session_only = TRUE;
        }
    }
    gboolean limit_here = FALSE;
    if (!fr || !fr->conv) {
        /* no mail session (yet, or past mailx.sessions_max): the connection items alone */
        limit_here = mailx_limits_sessions_frame(pinfo);
        if (!limit_here && (!mail_port || !mailx_conn_has_record(pinfo)))
            return 0;
        fr = NULL;
    }
    if (!stand_in_ok(tree)) {
        proto_item *ti = proto_tree_add_item(tree, proto_mailx, tvb, 0, 0, ENC_NA);
        render_frame(fr, pinfo, tree, ti, FALSE, tvb, limit_here, mail_port);
    } else {
        render_stand_in(fr, pinfo, tree, tvb, limit_here, mail_port);
    }
    return tvb_captured_length(tvb);
}

static void mailx_init(void)
{
    mailx_convs = g_ptr_array_new();
    mailx_closed = g_queue_new();
    mailx_strings = wmem_map_new(wmem_file_scope(), g_str_hash, g_str_equal);
    memset(mailx_intern_cache, 0, sizeof mailx_intern_cache);
    mailx_next_session_id = 0;
    mailx_frame_table_clear(&mailx_frames);
    mailx_index_table_clear(&mailx_links);
    mailx_index_table_init(&mailx_links, sizeof(mailx_conv_link));
    mailx_rec_arena_clear(&mailx_recs);
    /* new file, or Decode As / port preferences changed: look the ports up again */
    memset(mailx_server_ports, 0, sizeof mailx_server_ports);
    memset(mailx_tls_port_class, 0, sizeof mailx_tls_port_class);
    /* registered after the handoffs (expert_packet_init in epan_init) */
    expert_tap_id = find_tap_id("expert");
    int expert_proto_id = proto_get_id_by_filter_name("_ws.expert");
    expert_proto_hfi = expert_proto_id > 0 ? proto_registrar_get_nth((guint)expert_proto_id) : NULL;
    mailx_limits_file_init();
    mailx_auth_file_init();
    mailx_conn_file_init();
    mailx_tcp_stats_file_init();
    module_t *tcp_mod = prefs_find_module("tcp");
    pref_t *deseg = tcp_mod ? prefs_find_preference(tcp_mod, "desegment_tcp_streams") : NULL;
    mailx_tcp_unreassembled = deseg && !prefs_get_bool_value(deseg, pref_current);

    /* As TRANSUM does: ask for fields only while enabled, because any wanted field
     * makes Wireshark build a protocol tree for every frame. Treeless (the
     * interposer feeds the analysis, the tcp dissector's record gives the
     * analysis flags) mailx asks for none: a tree is built only when something
     * else needs one. Otherwise, where the root walk works (MAILX_ROOT_WALK)
     * the smtp, pop and imap items are not asked for (frame_mail_items finds
     * them at the root); the TCP analysis flags always are, so the first pass
     * has a tree. */
    mailx_enabled = proto_is_protocol_enabled(find_protocol_by_id(proto_mailx));
    if (mailx_enabled && !mailx_treeless) {
        GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
#if !MAILX_ROOT_WALK
        int ids[] = { proto_smtp, proto_pop, proto_imap };
        for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
            if (ids[i] > 0)
                g_array_append_val(wanted, ids[i]);
#endif
        if (mailx_tcp_unreassembled && hf_tcp_payload > 0)
            g_array_append_val(wanted, hf_tcp_payload);
        mailx_conn_wanted(wanted);    /* the tcp.analysis.* flags */
        set_postdissector_wanted_hfids(mailx_gate_handle, wanted);
    } else {
        set_postdissector_wanted_hfids(mailx_gate_handle, NULL);
    }
}

static void mailx_cleanup(void)
{
    memset(mailx_intern_cache, 0, sizeof mailx_intern_cache);   /* file scope goes */
    if (mailx_convs) {
        for (guint i = 0; i < mailx_convs->len; i++)
        {
            mailx_conv *mc = (mailx_conv *)g_ptr_array_index(mailx_convs, i);
            if (mc->smtp)
                mailx_smtp_session_free(mc->smtp);
            if (mc->pop)
                mailx_pop_session_free(mc->pop);
            if (mc->imap)
                mailx_imap_session_free(mc->imap);
        }
        g_ptr_array_free(mailx_convs, TRUE);
        mailx_convs = NULL;
    }
    if (mailx_closed) {
        g_queue_free(mailx_closed);
        mailx_closed = NULL;
    }
    mailx_frame_table_clear(&mailx_frames);
    mailx_index_table_clear(&mailx_links);
    mailx_auth_file_cleanup();
    mailx_conn_file_cleanup();
    mailx_tcp_stats_file_cleanup();
    mailx_rec_arena_clear(&mailx_recs);   /* last: the records above point into it */
}

void proto_register_mailx(void)
{
    static gint *ett[] = { &ett_mailx };

    proto_mailx = proto_register_protocol("Mail analysis (mailx)", "mailx", "mailx");
    mailx_proto_hfi = proto_registrar_get_nth((guint)proto_mailx);
    proto_register_field_array(proto_mailx, core_hf, array_length(core_hf));
    mailx_field_group_check(core_hf, array_length(core_hf));
    proto_register_subtree_array(ett, array_length(ett));

    module_t *mod = prefs_register_protocol(proto_mailx, mailx_limits_apply);
    prefs_register_uint_preference(mod, "data_size_limit", "Oversized message limit (bytes)",
        "A message (SMTP DATA/BDAT, POP3 RETR/TOP, IMAP FETCH) larger than this is flagged "
        "mailx.msg.oversized (and mailx.smtp.data.oversized for SMTP)",
        10, &mailx_pref_data_size_limit);

    mailx_smtp_register();
    mailx_pop_register();
    mailx_imap_register();
    mailx_auth_register(mod);
    mailx_session_register();
    mailx_msg_register();
    mailx_conn_register(mod);
    mailx_limits_register(mod);

    mailx_tap = register_tap("mailx");

    register_init_routine(mailx_init);
    register_cleanup_routine(mailx_cleanup);
}

void proto_reg_handoff_mailx(void)
{
    mailx_handle = create_dissector_handle(dissect_mailx, proto_mailx);
    mailx_short_name = proto_get_protocol_short_name(find_protocol_by_id(proto_mailx));
    mailx_gate_handle = create_dissector_handle(dissect_mailx_gate, -1);
    register_postdissector(mailx_gate_handle);

    proto_smtp = proto_get_id_by_filter_name("smtp");
    proto_pop = proto_get_id_by_filter_name("pop");
    proto_imap = proto_get_id_by_filter_name("imap");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    hf_tcp_payload = proto_registrar_get_id_byname("tcp.payload");
    smtp_handle = find_dissector("smtp");
    pop_handle = find_dissector("pop");
    imap_handle = find_dissector("imap");
    tcp_port_table = find_dissector_table("tcp.port");
    tls_port_table = find_dissector_table("tls.port");
#if MAILX_INTERPOSER
    proto_tls_id = proto_get_id_by_filter_name("tls");
    interpose_handles();
#endif
    ws_info("mailx: %s", mailx_treeless ? "mail read through the smtp, pop and imap handles, no protocol tree needed"
                                        : "mail read from the protocol tree");

    /* Handoff runs before the applications register their tap listeners, so
     * the trees reach the Statistics menu and tshark's -z list. */
    mailx_conn_handoff();
    mailx_stats_register();
    mailx_attach_stats_register();
}
