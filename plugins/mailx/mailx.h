/* Shared declarations of the mailx post-dissector: the protocol, preferences,
 * per-conversation session state and the per-frame results that rendering
 * replays on every pass. */
#ifndef MAILX_H
#define MAILX_H

#include <epan/packet.h>
#include <epan/expert.h>

#include "mailx_compat.h"
#include "smtp_session.h"

extern int proto_mailx;
/* The "mailx" tap: one mailx_frame per mail frame, queued on every pass
 * (plugins/mailx/mailx_stats.c reads it). */
extern int mailx_tap;

/* Preferences (see docs/preferences.md). */
extern guint mailx_pref_data_size_limit;

typedef enum {
    MAILX_PROTO_NONE = 0,
    MAILX_PROTO_SMTP,
    MAILX_PROTO_POP,
    MAILX_PROTO_IMAP,
} mailx_proto;

/* One mail session = one TCP conversation carrying SMTP, POP or IMAP.
 * Lives in file scope; the epan-ext state inside may hold heap buffers, which
 * the cleanup routine frees. */
typedef struct mailx_conv {
    guint32 id;                 /* mailx.session: 1, 2, ... in order of first mail frame */
    mailx_proto proto;
    guint16 server_port;
    address server_addr;
    guint32 first_frame;
    mailx_smtp_session smtp;
    struct mailx_msg_conv *msg;       /* messages being read (mailx_msg.c) */
} mailx_conv;

/* --- SMTP per-frame results (plugins/mailx/mailx_smtp.c) --- */
typedef struct {
    guint16 code;
    guint8  klass;
    guint8  st_class;
    guint16 subject, detail;
    guint8  answers;            /* mailx_smtp_answers */
    guint8  verb;               /* mailx_smtp_verb */
    guint8  parsed : 1, is_last : 1, has_status : 1, code_changed : 1, bare_lf : 1,
            has_request : 1;
    guint32 request_frame;
    gint64  delta_ns;
} mailx_smtp_reply_rec;

typedef struct {
    guint8  kind;               /* mailx_smtp_answers */
    guint8  verb;               /* mailx_smtp_verb */
    guint8  not_remembered : 1, auth_cancel : 1;
    guint32 response_frame;     /* filled when the (last line of the) reply arrives */
    guint16 response_code;
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
} mailx_smtp_frame;

/* What one frame showed; stored with p_add_proto_data on the first pass. */
typedef struct {
    mailx_conv *conv;
    gboolean from_client;
    mailx_smtp_frame *smtp;
    struct mailx_msg_frame *msg;  /* messages completed in this frame (mailx_msg.c) */
} mailx_frame;

void mailx_smtp_register(void);
/* Statistics trees and tshark -z handlers (mailx_stats.c); called from handoff. */
void mailx_stats_register(void);
/* First pass: feed the SMTP bytes of one frame; fills fr->smtp. */
void mailx_smtp_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *smtp_items);
/* Every pass: render the stored results. */
void mailx_smtp_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb);

#endif
