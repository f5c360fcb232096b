/* POP3 session logic: follows one POP3 conversation from the bytes each side
 * sends, pairs status lines with commands in order (RFC 1939; RFC 2449 s6.6
 * PIPELINING keeps the order), reads multi-line responses up to "." (LIST,
 * UIDL, RETR, TOP, CAPA, AUTH list), SASL continuations (RFC 5034), STLS
 * (RFC 2595) and logins (USER/PASS, APOP, AUTH) into the login model. Reports
 * through a sink. Fixed-size state plus one bounded carry per direction. */
#ifndef MAILX_POP_SESSION_H
#define MAILX_POP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "line_splitter.h"
#include "pop_parse.h"
#include "smtp_session.h"   /* mailx_frame_ref */

/* Commands waiting for their status line. PIPELINING clients send a handful;
 * past this the overflow is counted (pending_dropped) and not paired. The
 * default of mailx.pop_pending_max (mem_limits.h); the hard bound is what a
 * preference may set. */
#define MAILX_POP_PENDING_MAX 64
#define MAILX_POP_PENDING_HARD_MAX 65536

typedef enum {
    MAILX_POP_ANSWERS_NOTHING = 0,   /* no command waiting (capture started mid-session) */
    MAILX_POP_ANSWERS_GREETING,      /* RFC 1939 s4: the server's first +OK */
    MAILX_POP_ANSWERS_COMMAND,       /* see verb */
    MAILX_POP_ANSWERS_SASL_RESPONSE, /* a client line answering a "+ " challenge */
} mailx_pop_answers;

typedef struct {
    mailx_pop_answers kind;
    mailx_pop_verb verb;
    bool has_arg;
    uint32_t arg_num;              /* RETR/TOP message number */
    mailx_frame_ref frame;
    void *token;
    uint64_t srv_lines;            /* server lines seen when it was sent (resync, see gap) */
} mailx_pop_pending;

typedef struct {
    const uint8_t *line;           /* without CRLF; cut to the keep limit when line_cut */
    size_t line_len;
    bool parsed;                   /* a command word was found (kind COMMAND) */
    mailx_pop_command cmd;
    mailx_pop_answers kind;        /* COMMAND or SASL_RESPONSE */
    bool sasl_cancel;              /* "*" (RFC 5034 s4) */
    bool bare_lf;
    bool line_cut;                 /* longer than the keep limit: line holds its start */
    bool not_remembered;           /* too many pending: will not be paired */
} mailx_pop_command_event;

typedef struct {
    const uint8_t *line;
    size_t line_len;
    bool parsed;                   /* a status line (+OK, -ERR or "+ " continuation) */
    mailx_pop_status status;
    mailx_pop_answers answers;
    mailx_pop_verb verb;
    bool has_request;
    mailx_frame_ref request;
    void *request_token;
    bool opens_multiline;          /* +OK to a multi-line command: lines follow up to "." */
    bool bare_lf;
    bool line_cut;                 /* longer than the keep limit: line holds its start */
} mailx_pop_response_event;

typedef struct {
    mailx_pop_verb verb;           /* the command whose multi-line response ended */
    uint64_t lines;                /* lines before the "." */
    uint64_t size;                 /* bytes after dot-unstuffing, CRLF included, without "." */
    uint32_t arg_num;              /* RETR/TOP message number (0 if none) */
    mailx_frame_ref first;         /* frame of the status line that opened it */
    bool incomplete;               /* ended by a capture gap, not by "." (size/lines are
                                      what was seen; no message_end follows) */
} mailx_pop_multiline_event;

/* Bytes of the conversation are missing (see mailx_pop_session_gap). */
typedef struct {
    bool from_client;              /* the direction that lost bytes */
    bool mid_session;              /* the capture starts inside the session: the first
                                      line seen is not the server's greeting */
    uint32_t unknown;              /* commands that will not be paired with a response:
                                      their outcome is unknown */
    bool multiline_cut;            /* a multi-line response was open: ended incomplete */
    bool message_cut;              /* ... a RETR/TOP body: its size is not known */
    bool repeat;                   /* the session was still desynchronised by an earlier
                                      gap and this one leaves nothing new unknown (e.g.
                                      every frame of a body cut by the snap length) */
} mailx_pop_gap_event;

typedef struct {
    void *(*command)(void *ctx, const mailx_pop_command_event *ev);
    void  (*response)(void *ctx, const mailx_pop_response_event *ev);
    /* end of any multi-line response; may be NULL */
    void  (*multiline_end)(void *ctx, const mailx_pop_multiline_event *ev);
    /* a RETR/TOP body ended: a retrieved message (TOP: headers and some lines);
       may be NULL */
    void  (*message_end)(void *ctx, const mailx_pop_multiline_event *ev);
    /* RETR/TOP body as it arrives: dot-unstuffed lines with CRLF; may be NULL */
    void  (*content)(void *ctx, const uint8_t *data, size_t len);
    /* +OK to STLS: later bytes are TLS; may be NULL */
    void  (*tls_started)(void *ctx);
    /* a login step (auth.h); may be NULL */
    void  (*auth)(void *ctx, const mailx_auth_event *ev);
    /* a gap in the capture (also a capture starting mid-session); may be NULL */
    void  (*gap)(void *ctx, const mailx_pop_gap_event *ev);
} mailx_pop_sink;

typedef struct {
    mailx_line_carry client_carry, server_carry;
    mailx_pop_pending *pending;    /* ring buffer, grown on demand up to pending_max */
    uint32_t pending_cap, pending_head, pending_count;
    uint32_t pending_max;          /* MAILX_POP_PENDING_MAX unless set (mailx_pop_session_limit) */
    uint64_t pending_dropped;
    bool client_sasl;              /* the next client line is a SASL response */
    bool greeting_seen;
    bool in_multiline;
    mailx_pop_verb ml_verb;
    uint32_t ml_arg_num;
    uint64_t ml_lines, ml_size;
    bool ml_dot;                   /* the body line coming in pieces began with a doubled "." */
    mailx_frame_ref ml_first;
    bool starttls_offered;         /* CAPA listed STLS */
    bool tls;                      /* STLS accepted */
    uint32_t messages;             /* RETR/TOP bodies completed */
    mailx_auth_state auth;
    /* capture gaps (mailx_pop_session_gap) */
    bool started;                  /* a line was seen (mid-session check) */
    bool early_gap;                /* a gap cut the first line: reported, not as mid-session */
    bool joined_late;              /* set by the caller: the connection began before the
                                      capture (no TCP handshake seen), so even a first
                                      server line that looks like a greeting may not be */
    bool desync;                   /* status lines are not paired until resynchronised */
    uint32_t pairable;             /* while desync: pending entries at the head sent before a
                                      client-side gap, still answered first and in order */
    bool maybe_body;               /* while desync: server lines may be the body of a
                                      multi-line response (not read as status lines) */
    bool status_next;              /* while desync: the next server line starts a response
                                      (to a command lost in a client-side gap) */
    uint64_t srv_lines;            /* server lines seen */
    uint64_t unknown;              /* commands left without a known response, all gaps */
} mailx_pop_session;

void mailx_pop_session_init(mailx_pop_session *s);
/* Commands remembered at once (clamped to 1..MAILX_POP_PENDING_HARD_MAX). */
void mailx_pop_session_limit(mailx_pop_session *s, uint32_t pending_max);
/* Bytes kept of a line carried across segments, per direction (the preference
 * mailx.line_keep_max, clamped like mailx_line_carry_keep); set before the first feed. */
void mailx_pop_session_line_keep(mailx_pop_session *s, uint32_t keep_max);
/* Lines cut at the keep limit so far, both directions. */
uint64_t mailx_pop_session_lines_cut(const mailx_pop_session *s);
void mailx_pop_session_free(mailx_pop_session *s);
void mailx_pop_session_feed(mailx_pop_session *s, bool from_client,
                            const uint8_t *data, size_t len, mailx_frame_ref frame,
                            const mailx_pop_sink *sink, void *ctx);

/* Bytes of one direction are missing after what was fed last: a TCP segment
 * not captured, or a frame cut by the snap length. How the session goes on
 * (RFC 1939 s3: responses come in the order of the commands; RFC 2449 s6.6 keeps
 * that order under PIPELINING; a multi-line response ends with "."):
 *  - server side: any response may be among the lost bytes, so every command
 *    waiting is left unknown (never paired with a later line), an open
 *    multi-line response ends incomplete (no size, no message), and an open
 *    login ends "unknown" when its deciding command was waiting;
 *  - client side: the commands seen are still answered first and in order, so
 *    they stay paired; whole commands may be lost after them, so the responses
 *    that follow answer "unknown" (the first of them is known to start with a
 *    status line; whether a body follows it is not); a cut command line is
 *    dropped (counted);
 *  - in both cases the session resynchronises on the next command the client
 *    sends after the gap: a client waits for a response before its next command
 *    (unless pipelining), so the first server line after that command answers
 *    it, when it is a status line (+OK, -ERR, "+ "). If it is not (a body line:
 *    an older multi-line response still streaming), or if older responses were
 *    still being paired after it was sent (pipelined), the commands sent so far
 *    are left unknown too and the next command is tried. Until then, server
 *    lines are reported unpaired: a status line answers "unknown" and opens no
 *    multi-line response; and when the lines may be a body (a multi-line
 *    response was cut, a command left unknown can have one, or commands were
 *    lost) they are not read as status lines at all (a body line may begin
 *    with "-ERR").
 * The same state starts a session whose first line is not the server's greeting
 * (capture started mid-session), or whose start was in a gap (then nothing is
 * reported for the gap itself, only the mid-session start). Each gap is
 * reported to sink->gap. */
void mailx_pop_session_gap(mailx_pop_session *s, bool from_client, mailx_frame_ref frame,
                           const mailx_pop_sink *sink, void *ctx);

/* "USER", "greeting", "AUTH response", "unknown" ... */
const char *mailx_pop_answers_name(mailx_pop_answers kind, mailx_pop_verb verb);

#endif
