/* Messages and attachments (plugins/mailx/mailx_msg.c): per-message records
 * built on the first pass from the content bytes each protocol's session logic
 * hands over (SMTP DATA/BDAT, POP3 RETR/TOP, IMAP FETCH literals) through the
 * epan-ext streaming MIME parser, the SMTP envelope, and a capture-wide table
 * of attachment hashes. The statistic and the export-object tap read these. */
#ifndef MAILX_MSG_H
#define MAILX_MSG_H

#include "mailx.h"

/* Capture-wide record of one attachment SHA-256 (bounded table). */
#define MAILX_HASH_SENDERS_MAX 16
#define MAILX_HASH_RCPTS_MAX   64
typedef struct mailx_hash_entry {
    char sha256[65];
    guint32 messages;              /* messages carrying it */
    guint32 first_frame;
    guint32 n_senders;             /* distinct senders (stored up to MAILX_HASH_SENDERS_MAX) */
    gboolean senders_overflow;
    char *senders[MAILX_HASH_SENDERS_MAX];
    guint32 n_rcpts;               /* distinct recipients (stored up to MAILX_HASH_RCPTS_MAX) */
    gboolean rcpts_overflow;
    char *rcpts[MAILX_HASH_RCPTS_MAX];
} mailx_hash_entry;

/* "Many recipients": a hash sent to at least this many is reported. */
#define MAILX_HASH_MANY_RCPTS 10

typedef struct {
    char *addr;                    /* path between < and > as sent ("" for <>) */
    guint16 code;                  /* reply code, 0 while unanswered */
} mailx_env_rcpt;

/* The SMTP envelope of one transaction (file scope; replies fill in codes).
 * The recipients grow on demand (4, 8, ... up to the cap): a fixed table was
 * 4 KB for every transaction, most of which have one recipient. */
#define MAILX_ENV_RCPTS_MAX 256
typedef struct mailx_envelope {
    char *mail_from;               /* NULL: no MAIL command seen */
    guint16 from_code;
    guint32 n_rcpts;               /* RCPT commands stored (<= MAILX_ENV_RCPTS_MAX) */
    guint32 rcpts_cap;             /* slots allocated at rcpts */
    guint32 rcpts_dropped;         /* past the cap */
    mailx_env_rcpt *rcpts;         /* file scope; may move while the envelope grows */
} mailx_envelope;

typedef struct {
    guint32 index;                 /* MIME entity number within the message */
    guint32 depth;
    char *filename;                /* UTF-8 or NULL */
    char *type;                    /* declared, lower-case, or NULL */
    const char *magic;             /* short magic name or NULL */
    guint64 size;                  /* decoded */
    gboolean hashed;
    char sha256[65];
    guint32 risk_flags;
    guint n_reasons;
    char **reasons;
    guint32 anomalies;
    mailx_hash_entry *hash;        /* NULL when not hashed or the table is full */
    /* decoded bytes kept for Export Objects (NULL unless an export listener
       was active on the first pass and the size was within the limit) */
    guint8 *data;
    guint64 data_len;
    guint8 export_state;           /* MAILX_EXPORT_* (mailx_export.h) */
    char *export_name;             /* safe, capture-unique; set at message end */
} mailx_attach_rec;

typedef struct mailx_msg_rec {
    mailx_proto proto;
    guint32 frame;                 /* the frame that completed it */
    guint32 first_frame;
    guint64 size;
    gboolean bdat;
    guint32 chunks;
    char *from, *from_addr, *from_domain, *subject, *message_id;
    mailx_envelope *env;           /* SMTP only */
    gboolean from_mismatch;
    char *env_domain;
    guint n_attach;
    mailx_attach_rec *attach;
    guint32 attachments_total;     /* also those past the attachments cap */
    guint32 parts, limits, anomalies;
} mailx_msg_rec;

typedef struct mailx_msg_frame {
    guint n;
    mailx_msg_rec **msgs;
} mailx_msg_frame;

void mailx_msg_register(void);
/* Shared by mailx.smtp.data.oversized and mailx.msg.oversized. */
gboolean mailx_msg_oversized(guint64 size);

/* First pass, from the protocol glue. */
void mailx_msg_content(mailx_conv *mc, const guint8 *data, size_t len);
void mailx_msg_end(mailx_frame *fr, packet_info *pinfo, mailx_proto proto, guint64 size,
                   gboolean bdat, guint32 chunks, guint32 first_frame);
/* Drops a message being read (RSET, a new MAIL, STARTTLS, a failed transfer). */
void mailx_msg_abort(mailx_conv *mc);
/* SMTP envelope: a MAIL or RCPT command with its path; returns a reference to
 * hand to mailx_msg_envelope_reply with the reply code (NULL past the cap). */
void *mailx_msg_envelope_command(mailx_conv *mc, gboolean is_mail, const guint8 *path, size_t len);
void mailx_msg_envelope_reply(void *ref, guint16 code);

/* The mailx,attachments statistic (mailx_attach_stats.c); called from handoff. */
void mailx_attach_stats_register(void);

/* Every pass. */
void mailx_msg_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);

#endif
