/* SMTP session logic: follows one SMTP conversation from the bytes each side
 * sends and reports, through a sink, every command line, every reply line with
 * the command it answers (correct under PIPELINING, RFC 2920), and the end of
 * each message body (DATA or BDAT, RFC 3030). No epan dependency: the plugin and
 * the unit tests drive it the same way. The state is a fixed-size struct plus a
 * bounded carry buffer per direction. */
#ifndef MAILX_SMTP_SESSION_H
#define MAILX_SMTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "line_splitter.h"
#include "smtp_command.h"
#include "smtp_reply.h"

/* Commands that may wait for their replies at once. RFC 2920 s3.1 lets a client
 * pipeline a whole transaction; 256 covers any honest client. Past it, commands
 * are still reported but their replies cannot be paired (reported as a limit).
 * MAILX_SMTP_PENDING_MAX is the default of the preference mailx.smtp_pending_max
 * (mem_limits.h); a session takes any value up to the hard bound (32 bytes each). */
#define MAILX_SMTP_PENDING_MAX 256
#define MAILX_SMTP_PENDING_HARD_MAX 65536

/* What a reply answers. */
typedef enum {
    MAILX_SMTP_ANSWERS_NOTHING = 0,  /* no command waiting (capture started mid-session, or
                                        a reply the client did not ask for) */
    MAILX_SMTP_ANSWERS_GREETING,     /* the connection greeting (RFC 5321 s3.1) */
    MAILX_SMTP_ANSWERS_COMMAND,      /* a command line, see verb */
    MAILX_SMTP_ANSWERS_END_OF_DATA,  /* the "." that ends DATA (RFC 5321 s4.1.1.4) */
    MAILX_SMTP_ANSWERS_AUTH_RESPONSE,/* a SASL response line after 334 (RFC 4954 s4) */
    MAILX_SMTP_ANSWERS_BDAT_CHUNK,   /* a BDAT command and its chunk (RFC 3030 s2) */
} mailx_smtp_answers;

typedef struct {
    int64_t  ts_ns;   /* capture time of the frame, nanoseconds since the epoch */
    uint32_t num;     /* frame number */
} mailx_frame_ref;

/* One command the client sent and that waits for its reply. */
typedef struct {
    mailx_smtp_answers kind;
    mailx_smtp_verb verb;
    mailx_frame_ref frame;
    void *token;      /* what the sink returned for this command line */
} mailx_smtp_pending;

typedef struct {
    const uint8_t *line;       /* the command line without CRLF (cut to the keep limit only when
                                  it was carried across segments: line_cut) */
    size_t line_len;
    mailx_smtp_command cmd;    /* parsed; offsets are into line */
    mailx_smtp_answers kind;   /* COMMAND, AUTH_RESPONSE, BDAT_CHUNK or END_OF_DATA (the "." line) */
    bool auth_cancel;          /* a "*" SASL response: the client aborts AUTH (RFC 4954 s4) */
    bool bare_lf;
    bool line_cut;             /* the line was longer than the keep limit: line holds its start */
    bool not_remembered;       /* too many pending commands: this one will not be paired */
} mailx_smtp_command_event;

typedef struct {
    const uint8_t *line;       /* the reply line without CRLF (cut like a command line) */
    size_t line_len;
    bool parsed;               /* false: not a valid reply line (reply fields are zero) */
    mailx_smtp_reply reply;
    bool bare_lf;
    bool line_cut;             /* cut at the keep limit: parsed only from what was kept (a code
                                  or status reaching the cut is not taken); !parsed && line_cut &&
                                  line_len < 4: the code and its separator were not kept, so
                                  the line is not known to be malformed */
    bool code_changed;         /* a continuation line with another code than the first
                                  line of the reply (RFC 5321 s4.2.1 says they must agree) */
    mailx_smtp_answers answers;
    mailx_smtp_verb verb;      /* when answers == COMMAND or BDAT_CHUNK */
    bool has_request;
    mailx_frame_ref request;   /* the frame of the command line answered */
    void *request_token;
} mailx_smtp_reply_event;

typedef struct {
    uint64_t size;             /* message bytes after dot-unstuffing, without the final "." line
                                  (DATA) or the sum of the chunks (BDAT) */
    bool bdat;
    uint32_t chunks;           /* BDAT chunks; 0 for DATA */
    mailx_frame_ref first;     /* frame with the first content byte */
} mailx_smtp_message_event;

typedef struct {
    /* returns a token stored with the pending command and handed back in the reply event */
    void *(*command)(void *ctx, const mailx_smtp_command_event *ev);
    void  (*reply)(void *ctx, const mailx_smtp_reply_event *ev);
    void  (*message_end)(void *ctx, const mailx_smtp_message_event *ev);
    /* message content as it arrives (dot-unstuffed DATA lines with CRLF, or BDAT bytes);
       may be NULL */
    void  (*content)(void *ctx, const uint8_t *data, size_t len);
    /* the client started TLS after a 220 to STARTTLS: later bytes are encrypted (or
       decrypted by Wireshark and fed again); may be NULL */
    void  (*tls_started)(void *ctx);
} mailx_smtp_sink;

typedef enum {
    MAILX_SMTP_CLIENT_COMMANDS = 0,
    MAILX_SMTP_CLIENT_DATA,      /* after 354: message lines until "." */
    MAILX_SMTP_CLIENT_BDAT,      /* raw chunk bytes */
    MAILX_SMTP_CLIENT_SASL,      /* after 334: one SASL response line */
} mailx_smtp_client_mode;

typedef struct {
    mailx_line_carry client_carry, server_carry;
    mailx_smtp_client_mode mode;
    mailx_smtp_pending *pending;  /* ring buffer, grown on demand up to pending_max */
    uint32_t pending_cap, pending_head, pending_count;
    uint32_t pending_max;         /* MAILX_SMTP_PENDING_MAX unless set (mailx_smtp_session_limit) */
    uint64_t pending_dropped;     /* commands not remembered because the ring was full */
    bool     client_spoke;        /* any client line seen */
    bool     server_spoke;        /* any server line seen */
    bool     in_reply;            /* a multi-line reply is open */
    uint16_t reply_code;          /* its code */
    mailx_smtp_answers reply_answers;
    /* the pending command the open reply answers (popped at the reply's last line) */
    bool     reply_has_request;
    mailx_smtp_pending reply_request;
    /* DATA awaiting 354 / BDAT chunk being read / the message being counted */
    bool     data_requested;      /* DATA sent; a 354 switches the client to DATA mode */
    uint64_t bdat_left;           /* bytes of the current chunk still to come */
    bool     bdat_last;           /* the current chunk ends the message */
    bool     msg_open;
    bool     data_dot;            /* the message line coming in pieces began with a doubled "." */
    uint64_t msg_size;
    uint32_t msg_chunks;
    mailx_frame_ref msg_first;
    bool     starttls_requested;
    bool     tls;                 /* STARTTLS accepted */
    bool     desync;              /* bytes went missing (mailx_smtp_session_gap): replies are
                                     no longer paired with commands */
} mailx_smtp_session;

void mailx_smtp_session_init(mailx_smtp_session *s);
/* Commands remembered at once (clamped to 1..MAILX_SMTP_PENDING_HARD_MAX); set
 * before the first feed. */
void mailx_smtp_session_limit(mailx_smtp_session *s, uint32_t pending_max);
/* Bytes kept of a line carried across segments, per direction (the preference
 * mailx.line_keep_max; clamped like mailx_line_carry_keep); set before the first feed. */
void mailx_smtp_session_line_keep(mailx_smtp_session *s, uint32_t keep_max);
/* Lines cut at the keep limit so far, both directions. */
uint64_t mailx_smtp_session_lines_cut(const mailx_smtp_session *s);
/* Frees the carried lines; the struct itself belongs to the caller. */
void mailx_smtp_session_free(mailx_smtp_session *s);

/* Feeds the bytes one side sent in one frame. */
void mailx_smtp_session_feed(mailx_smtp_session *s, bool from_client,
                             const uint8_t *data, size_t len, mailx_frame_ref frame,
                             const mailx_smtp_sink *sink, void *ctx);

/* Bytes of one direction are missing after what was fed last (a frame cut by the
 * capture's snap length). The cut line is reported as far as it was captured,
 * and since whole commands or replies may be gone, replies from here on answer
 * "unknown" (ANSWERS_NOTHING) instead of being paired with the wrong command.
 * Returns true the first time. */
bool mailx_smtp_session_gap(mailx_smtp_session *s, bool from_client, mailx_frame_ref frame,
                            const mailx_smtp_sink *sink, void *ctx);

const char *mailx_smtp_answers_name(mailx_smtp_answers kind, mailx_smtp_verb verb);

#endif
