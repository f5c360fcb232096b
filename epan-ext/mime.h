/* Streaming MIME parser (RFC 2045/2046/5322): fed a message's bytes chunk by
 * chunk as they cross the wire (SMTP DATA after dot-unstuffing, BDAT chunks,
 * POP3 RETR, IMAP literals), it reports the top-level header fields and every
 * attachment (file name, type, decoded size, SHA-256, first bytes for magic
 * sniffing) without ever holding the message. State is bounded: one line peek,
 * one header field, a stack of open entities (depth cap), and per open
 * attachment a SHA-256 context and MAILX_SNIFF_MAX bytes. Each limit reached is
 * reported in the summary, never silently. */
#ifndef MAILX_MIME_H
#define MAILX_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attach_risk.h"

typedef struct {
    uint32_t depth_max;         /* nested entities (multipart levels, embedded messages) */
    uint32_t parts_max;         /* entities per message */
    uint32_t attachments_max;   /* attachments reported per message */
    uint32_t header_field_max;  /* bytes kept of one (unfolded) header field */
    uint32_t header_bytes_max;  /* header bytes of one entity that are interpreted */
    uint64_t decoded_max;       /* decoded bytes hashed per attachment */
} mailx_mime_limits;

#define MAILX_MIME_DEPTH_MAX_DEFAULT       32
#define MAILX_MIME_PARTS_MAX_DEFAULT       10000
#define MAILX_MIME_ATTACHMENTS_MAX_DEFAULT 256
#define MAILX_MIME_HEADER_FIELD_MAX_DEFAULT 16384
#define MAILX_MIME_HEADER_BYTES_MAX_DEFAULT (256 * 1024)
#define MAILX_MIME_DECODED_MAX_DEFAULT     ((uint64_t)1 << 30)

void mailx_mime_limits_default(mailx_mime_limits *l);

/* Limits reached (mailx_mime_summary.limits). */
enum {
    MAILX_MIME_LIMIT_DEPTH        = 1 << 0,
    MAILX_MIME_LIMIT_PARTS        = 1 << 1,
    MAILX_MIME_LIMIT_ATTACHMENTS  = 1 << 2,
    MAILX_MIME_LIMIT_HEADER_FIELD = 1 << 3,
    MAILX_MIME_LIMIT_HEADER_BYTES = 1 << 4,
    MAILX_MIME_LIMIT_DECODED      = 1 << 5,
    MAILX_MIME_LIMIT_BOUNDARY     = 1 << 6,   /* boundary parameter longer than we match */
};

/* Anomalies (per attachment and summed in the summary). */
enum {
    MAILX_MIME_BAD_BASE64      = 1 << 0,
    MAILX_MIME_BAD_QP          = 1 << 1,
    MAILX_MIME_UNTERMINATED    = 1 << 2,   /* multipart without its close delimiter */
    MAILX_MIME_NO_BOUNDARY     = 1 << 3,   /* a multipart type without a boundary parameter */
    MAILX_MIME_BAD_PARAM       = 1 << 4,   /* RFC 2231 sections or charset broken */
    MAILX_MIME_BAD_HEADER_LINE = 1 << 5,   /* a header line without a colon */
};

typedef struct {
    uint32_t index;             /* entity number in message order; 0 is the message */
    uint32_t depth;
    const char *filename;       /* UTF-8 (RFC 2231/2047 decoded) or NULL */
    const char *type;           /* lower-case type/subtype; NULL: none declared */
    const char *encoding;       /* lower-case Content-Transfer-Encoding or NULL */
    bool embedded_message;      /* message/rfc822: hashed as its raw bytes */
    uint64_t encoded_size;      /* body bytes on the wire (line ends as CRLF) */
    uint64_t decoded_size;
    bool hashed;                /* false when decoded_max was reached or no
                                   SHA-256 context could be opened */
    bool truncated;             /* decoded_max was reached: the hash and the
                                   streamed bytes stopped there */
    uint8_t sha256[32];
    const uint8_t *head;        /* first decoded bytes (for mailx_attach_risk_assess) */
    size_t head_len;
    uint32_t anomalies;
} mailx_mime_attachment;

typedef struct {
    /* decoded bytes of the attachment being read (may be NULL); in order, for export */
    void (*attachment_data)(void *ctx, uint32_t index, const uint8_t *data, size_t len);
    /* an attachment is complete (its boundary, or the end of the message) */
    void (*attachment_end)(void *ctx, const mailx_mime_attachment *a);
} mailx_mime_sink;

typedef struct {
    char *from;                 /* header From, RFC 2047 decoded (display form) */
    char *from_addr;            /* its address */
    char *to;
    char *subject;
    char *message_id;
    uint32_t parts;             /* entities seen, including the message itself */
    uint32_t attachments;       /* attachments seen (also those past attachments_max) */
    uint32_t max_depth;
    uint32_t limits;            /* MAILX_MIME_LIMIT_* reached */
    uint32_t anomalies;         /* MAILX_MIME_* seen anywhere */
    uint64_t header_bytes;      /* of the top-level header */
} mailx_mime_summary;

typedef struct mailx_mime_parser mailx_mime_parser;

mailx_mime_parser *mailx_mime_new(const mailx_mime_limits *limits, const mailx_mime_sink *sink,
                                  void *ctx);
void mailx_mime_feed(mailx_mime_parser *p, const uint8_t *data, size_t len);
/* End of the message: closes what is open (reporting attachments) and fills *out
 * (free its strings with mailx_mime_summary_clear). The parser is freed. */
void mailx_mime_finish(mailx_mime_parser *p, mailx_mime_summary *out);
/* Frees a parser without reporting (session torn down mid-message). */
void mailx_mime_free(mailx_mime_parser *p);
void mailx_mime_summary_clear(mailx_mime_summary *s);

#endif
