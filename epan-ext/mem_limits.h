/* The memory limits of mailx in one place: what each per-session and
 * per-capture limit is called, its default and the range a preference may set.
 * The plugin registers one `mailx.<name>` preference per row and hands the
 * values in as a plain mailx_limits; the session logic and the MIME parser take
 * the values they need from it. The hard bounds keep a preference from turning
 * a limit off: each is what one hostile session may then cost (docs/preferences.md). */
#ifndef MAILX_MEM_LIMITS_H
#define MAILX_MEM_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mime.h"

/* Mail sessions, and connections to mail ports, tracked per capture by default
 * (mailx.sessions_max, mailx.conn_max): a busy server's day of mail, whole. */
#define MAILX_SESSIONS_MAX_DEFAULT 1000000u

typedef enum {
    MAILX_LIMIT_SMTP_PENDING = 0,   /* SMTP commands waiting for replies, per session */
    MAILX_LIMIT_POP_PENDING,        /* POP3 commands waiting for responses, per session */
    MAILX_LIMIT_IMAP_PENDING,       /* IMAP commands waiting for tagged responses, per session */
    MAILX_LIMIT_MIME_DEPTH,         /* nested MIME entities, per message */
    MAILX_LIMIT_MIME_PARTS,         /* MIME entities, per message */
    MAILX_LIMIT_MIME_ATTACHMENTS,   /* attachments listed, per message */
    MAILX_LIMIT_HEADER_FIELD,       /* bytes kept of one unfolded header field */
    MAILX_LIMIT_HEADER_BLOCK,       /* header bytes of one entity that are interpreted */
    MAILX_LIMIT_SESSIONS,           /* mail sessions tracked, per capture */
    MAILX_LIMIT_LINE_KEEP,          /* bytes kept of a line carried across TCP segments */
    MAILX_LIMIT_COUNT
} mailx_limit_id;

typedef struct {
    const char *name;               /* preference name without "mailx.": "smtp_pending_max" */
    const char *title;              /* preference title */
    const char *description;        /* preference description (the range is added by the plugin) */
    uint32_t def, min, max;         /* default and the allowed range, inclusive */
} mailx_limit_info;

typedef struct {
    uint32_t v[MAILX_LIMIT_COUNT];
} mailx_limits;

/* The row of a limit (id < MAILX_LIMIT_COUNT). */
const mailx_limit_info *mailx_limit_info_get(mailx_limit_id id);

/* Every limit at its default. */
void mailx_limits_default(mailx_limits *l);

/* value brought into the allowed range of limit id. */
uint32_t mailx_limit_clamp(mailx_limit_id id, uint32_t value);

/* Clamps every value; returns how many were out of range. */
unsigned mailx_limits_clamp(mailx_limits *l);

/* The MIME parser's part of the limits (decoded_max stays at its default). */
void mailx_limits_mime(const mailx_limits *l, mailx_mime_limits *out);

#endif
