/* Export Objects for attachments (plugins/mailx/mailx_export.c): decoded bytes
 * kept on the first pass only when an export is wanted, within a capture-wide
 * byte budget; safe unique file names; the "Mail attachments" export-object
 * class (File > Export Objects, tshark --export-objects mailx-attachments,DIR). */
#ifndef MAILX_EXPORT_H
#define MAILX_EXPORT_H

#include "mailx_msg.h"

/* mailx_attach_rec.export_state */
enum {
    MAILX_EXPORT_NOT_KEPT = 0,       /* no export wanted on the first pass */
    MAILX_EXPORT_KEPT,               /* data/data_len hold the decoded bytes */
    MAILX_EXPORT_DROPPED_CAP,        /* over mailx.export_max_bytes */
    MAILX_EXPORT_DROPPED_LIMIT,      /* larger than the MIME parser's decoded limit */
};

typedef struct mailx_export_stream mailx_export_stream;

void mailx_export_register(void);

/* First pass, from the MIME sink of a conversation. */
void mailx_export_data(mailx_export_stream **s, guint32 index, const guint8 *data, size_t len);
void mailx_export_attach_end(mailx_export_stream *s, guint32 index, guint64 decoded_size,
                             gboolean truncated, mailx_attach_rec *r);
/* The message was dropped: frees what is open and what its records kept. */
void mailx_export_stream_free(mailx_export_stream **s);
void mailx_export_release(mailx_attach_rec *r);
/* At message end: the attachment's safe, capture-unique export file name. */
void mailx_export_name_assign(const mailx_msg_rec *m, mailx_attach_rec *r);

/* Every pass: mailx.attach.export_name, the expert item of an attachment the
 * cap dropped, and the export-object record when a listener is active. */
void mailx_export_render(const mailx_msg_rec *m, const mailx_attach_rec *a, packet_info *pinfo,
                         proto_tree *tree, tvbuff_t *tvb);

#endif
