/* IMAP session logic: follows one IMAP conversation from the bytes each side
 * sends. Pairs tagged responses with their commands by tag, also across
 * pipelined commands (RFC 3501 s5.5), in a bounded table; reports untagged and
 * continuation responses; reads literals from both sides as raw bytes (the
 * client's synchronizing literal waits for "+", RFC 3501 s7.5, unless it is
 * LITERAL+ "{n+}", RFC 7888; the server's FETCH literals carry messages and are
 * counted, not parsed as lines); follows LOGIN (quoted, atom and literal
 * arguments), AUTHENTICATE with SASL-IR and continuations (RFC 3501 s6.2.2,
 * RFC 4959), STARTTLS (s6.2.1) and IDLE/DONE (RFC 2177). Fixed-size state plus
 * one bounded carry per direction. */
#ifndef MAILX_IMAP_SESSION_H
#define MAILX_IMAP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "imap_parse.h"
#include "line_splitter.h"
#include "smtp_session.h"   /* mailx_frame_ref */

/* Commands waiting for their tagged response. Clients pipeline a few; past this
 * the overflow is counted (pending_dropped) and those responses are not paired.
 * The default of mailx.imap_pending_max (mem_limits.h). The hard bound is lower than
 * SMTP's and POP3's: each tagged response searches the table by tag. */
#define MAILX_IMAP_PENDING_MAX 128
#define MAILX_IMAP_PENDING_HARD_MAX 4096
#define MAILX_IMAP_TAG_MAX     32   /* longer tags are compared on this prefix */
#define MAILX_IMAP_NAME_MAX    24   /* "UID FETCH", "AUTHENTICATE" ... */
#define MAILX_IMAP_SECTION_MAX 32   /* "BODY[]", "RFC822", "BODY[1.2]<0>" */

typedef struct {
    bool used;
    uint8_t tag_len;
    char tag[MAILX_IMAP_TAG_MAX];
    char name[MAILX_IMAP_NAME_MAX];
    mailx_imap_cmd cmd;
    uint32_t seq;                   /* order of arrival: the oldest match wins */
    bool stale;                     /* sent before a server-side gap: its tagged response
                                       is consumed unpaired (see mailx_imap_session_gap) */
    mailx_frame_ref frame;
    void *token;
} mailx_imap_pending;

typedef enum {
    MAILX_IMAP_CLIENT_COMMAND = 0,  /* a tagged command line */
    MAILX_IMAP_CLIENT_CONTINUED,    /* a command's line after one of its literals */
    MAILX_IMAP_CLIENT_SASL,         /* a SASL response after "+" to AUTHENTICATE */
    MAILX_IMAP_CLIENT_DONE,         /* "DONE" ending IDLE (RFC 2177 s3) */
    MAILX_IMAP_CLIENT_UNPARSED,     /* not a command line */
} mailx_imap_client_kind;

typedef struct {
    const uint8_t *line;            /* without CRLF; cut to the keep limit when line_cut */
    size_t line_len;
    mailx_imap_client_kind kind;
    mailx_imap_command cmd;         /* COMMAND */
    const char *name;               /* COMMAND: upper-case command name */
    bool sasl_cancel;
    bool bare_lf;
    bool line_cut;                 /* longer than the keep limit: line holds its start */
    bool not_remembered;            /* too many commands pending */
} mailx_imap_command_event;

typedef struct {
    const uint8_t *line;
    size_t line_len;
    bool parsed;
    mailx_imap_response resp;
    bool continues;                 /* rest of a response after a literal: not a new response */
    bool greeting;                  /* the server's first response (RFC 3501 s7.1) */
    bool has_request;               /* tagged: the command of that tag; "+": the one it invites */
    const char *command;            /* its name ("LOGIN") when has_request */
    mailx_imap_cmd cmd;
    mailx_frame_ref request;
    void *request_token;
    bool bare_lf;
    bool line_cut;                 /* longer than the keep limit: line holds its start */
} mailx_imap_response_event;

typedef struct {
    bool from_client;               /* APPEND / LOGIN literal (client) or server data */
    uint64_t size;                  /* announced size; bytes actually seen may be fewer
                                       when the capture ends inside it */
    bool too_big;                   /* the announcement exceeded MAILX_IMAP_LITERAL_MAX */
    bool message;                   /* server FETCH BODY[] / BODY[]<n> / RFC822 / BINARY[]:
                                       a whole message */
    char section[MAILX_IMAP_SECTION_MAX]; /* the FETCH item before the literal, upper case */
    uint32_t msg_num;               /* "* n FETCH" sequence number (0 if none) */
    mailx_frame_ref first;          /* frame of the line announcing it */
    bool incomplete;                /* ended by a capture gap before its last byte (no
                                       message_end follows) */
} mailx_imap_literal_event;

/* Bytes of the conversation are missing (see mailx_imap_session_gap). */
typedef struct {
    bool from_client;               /* the direction that lost bytes */
    bool mid_session;               /* the capture starts inside the session: the first
                                       line seen is not the server's greeting */
    uint32_t unknown;               /* commands whose tagged response will not be paired */
    bool literal_cut;               /* a literal was being read: ended incomplete */
    bool message_cut;               /* ... a FETCH message: its size is not known */
    bool repeat;                    /* another gap in this direction since which nothing
                                       was paired (server) or sent (client), and this one
                                       leaves nothing new unknown (e.g. every frame of a
                                       literal cut by the snap length) */
} mailx_imap_gap_event;

typedef struct {
    void *(*command)(void *ctx, const mailx_imap_command_event *ev);
    void  (*response)(void *ctx, const mailx_imap_response_event *ev);
    /* any literal ended (both sides); may be NULL */
    void  (*literal_end)(void *ctx, const mailx_imap_literal_event *ev);
    /* a server literal holding a whole message ended; may be NULL */
    void  (*message_end)(void *ctx, const mailx_imap_literal_event *ev);
    /* bytes of a server message literal as they arrive; may be NULL */
    void  (*content)(void *ctx, const uint8_t *data, size_t len);
    /* tagged OK to STARTTLS: later bytes are TLS; may be NULL */
    void  (*tls_started)(void *ctx);
    /* a login step (auth.h); may be NULL */
    void  (*auth)(void *ctx, const mailx_auth_event *ev);
    /* a gap in the capture (also a capture starting mid-session); may be NULL */
    void  (*gap)(void *ctx, const mailx_imap_gap_event *ev);
} mailx_imap_sink;

typedef enum {
    MAILX_IMAP_MODE_LINE = 0,
    MAILX_IMAP_MODE_LITERAL,        /* raw literal bytes */
} mailx_imap_mode;

typedef struct {
    mailx_imap_mode mode;
    uint64_t lit_left;
    mailx_imap_literal_event lit;   /* the literal being read */
    bool after_literal;             /* the next line continues the command/response */
} mailx_imap_side;

typedef struct {
    mailx_line_carry client_carry, server_carry;
    mailx_imap_side client, server;
    /* slots, grown on demand up to pending_max (most sessions have one or two
       commands in flight; a fixed table made every IMAP session 13 kB) */
    mailx_imap_pending *pending;
    uint32_t pending_cap;
    uint32_t pending_max;           /* MAILX_IMAP_PENDING_MAX unless set (mailx_imap_session_limit) */
    uint32_t pending_count, next_seq;
    uint32_t stale_count;           /* of pending_count: stale entries (evicted first) */
    uint64_t pending_dropped;
    bool server_spoke;
    /* the client command whose lines/literals are being read */
    char cur_tag[MAILX_IMAP_TAG_MAX];
    uint8_t cur_tag_len;
    mailx_imap_cmd cur_cmd;
    uint32_t cur_arg;               /* LOGIN: next argument index (0 user, 1 password) */
    bool lit_wait;                  /* a synchronizing literal waits for "+" */
    uint64_t lit_wait_size;
    bool lit_wait_too_big;
    int lit_role;                   /* 0 none, 1 LOGIN user, 2 LOGIN password */
    uint8_t lit_user[MAILX_AUTH_USER_MAX];
    size_t lit_user_len;
    bool sasl_open;                 /* AUTHENTICATE in progress: "+" invites a SASL line */
    char sasl_tag[MAILX_IMAP_TAG_MAX];
    uint8_t sasl_tag_len;
    bool client_sasl;               /* the next client line is a SASL response */
    bool idle;                      /* IDLE in progress: the client's "DONE" ends it */
    uint32_t server_msg_num;        /* FETCH number of the response being read */
    bool starttls_offered;          /* CAPABILITY listed STARTTLS */
    bool preauth;                   /* PREAUTH greeting: logged in without LOGIN */
    bool tls;                       /* STARTTLS accepted */
    uint32_t messages;              /* message literals completed */
    mailx_auth_state auth;
    bool started;                   /* a line was seen (mid-session check) */
    bool early_gap;                 /* a gap cut the first line: reported, not as mid-session */
    bool joined_late;               /* set by the caller: the connection began before the
                                       capture (no TCP handshake seen), so even a first
                                       server line that looks like a greeting may not be */
    bool no_greeting;               /* started mid-session: no response is the greeting */
    bool client_skip;               /* a client gap cut a literal: client lines may be its
                                       rest, not commands, until the command's tagged response */
    uint64_t unknown;               /* commands left unknown by gaps, all gaps */
    bool gap_open[2];               /* [from_client]: a gap, and nothing paired (server) or
                                       sent (client) since (mailx_imap_gap_event.repeat) */
} mailx_imap_session;

void mailx_imap_session_init(mailx_imap_session *s);
/* Commands remembered at once (clamped to 1..MAILX_IMAP_PENDING_HARD_MAX). */
void mailx_imap_session_limit(mailx_imap_session *s, uint32_t pending_max);
/* Bytes kept of a line carried across segments, per direction (the preference
 * mailx.line_keep_max, clamped like mailx_line_carry_keep); set before the first feed. */
void mailx_imap_session_line_keep(mailx_imap_session *s, uint32_t keep_max);
/* Lines cut at the keep limit so far, both directions. */
uint64_t mailx_imap_session_lines_cut(const mailx_imap_session *s);
void mailx_imap_session_free(mailx_imap_session *s);
void mailx_imap_session_feed(mailx_imap_session *s, bool from_client,
                             const uint8_t *data, size_t len, mailx_frame_ref frame,
                             const mailx_imap_sink *sink, void *ctx);

/* Bytes of one direction are missing after what was fed last: a TCP segment
 * not captured, or a frame cut by the snap length. Tagged responses name their
 * command (RFC 9051 s2.2.1: the client SHOULD use a unique tag per command), so
 * pairing by tag survives a gap; what may not is the stream position:
 *  - server side: the tagged responses of the commands waiting may be lost, so
 *    they are left unknown: marked stale, so that a tagged response that still
 *    comes for one is consumed unpaired (never given to a newer command reusing
 *    the tag), and a continuation no longer invites their literal or SASL step;
 *    an open login ends "unknown"; a literal being read ends incomplete (no
 *    message, RFC 9051 s4.3: its byte count is all that delimits it), and the
 *    cut line is dropped. Commands sent after the gap pair by tag as usual.
 *    Lines after the gap are parsed afresh: a literal announced by one of them
 *    is followed again;
 *  - client side: the commands seen keep their tags, so they stay paired; lost
 *    commands have tags that are not waiting, so their responses are unpaired;
 *    a cut command line is dropped (counted unknown) and the client is read
 *    again from a command line; but when a client literal (APPEND, LOGIN) was
 *    being read, it ends incomplete and client lines are not read as commands
 *    until the tagged response of the command that sent it (RFC 9051 s2.2.2:
 *    the server answers a command only once it has read all of it): they may be
 *    the rest of the literal.
 * A command sent after a server-side gap with the tag of a stale one is left
 * unknown too: a response with that tag could answer either.
 * Untagged responses are never paired with a command, before or after a gap.
 * A session whose first line is not the server's greeting (capture started
 * mid-session), or whose start was in a gap (then nothing is reported for the
 * gap itself, only the mid-session start), reports a gap with no command
 * unknown. Each gap is reported to sink->gap. */
void mailx_imap_session_gap(mailx_imap_session *s, bool from_client, mailx_frame_ref frame,
                            const mailx_imap_sink *sink, void *ctx);

#endif
