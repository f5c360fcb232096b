/* Developer tool and test helper: runs the streaming MIME parser over a file
 * (fed in chunks of a given size, default 1000 bytes) and prints the summary
 * and each attachment with its SHA-256 and risk reasons, one per line.
 *   mime_dump FILE [CHUNK] */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "mime.h"

static void on_end(void *ctx, const mailx_mime_attachment *a)
{
    (void)ctx;
    char hex[65] = "-";
    if (a->hashed)
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", a->sha256[i]);
    mailx_risk r;
    mailx_attach_risk_assess(a->filename, a->type, a->head, a->head_len, &r);
    printf("attachment #%u depth %u name=%s type=%s enc=%s size=%" G_GUINT64_FORMAT
           " sha256=%s anomalies=%#x magic=%s",
           a->index, a->depth, a->filename ? a->filename : "-", a->type ? a->type : "-",
           a->encoding ? a->encoding : "-", a->decoded_size, hex, a->anomalies,
           mailx_magic_short(r.magic) ? mailx_magic_short(r.magic) : "-");
    for (unsigned i = 0; i < r.n; i++)
        printf(" risk=[%s]", r.reason[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mime_dump FILE [CHUNK]\n");
        return 2;
    }
    gchar *buf;
    gsize len;
    if (!g_file_get_contents(argv[1], &buf, &len, NULL)) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    size_t chunk = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 1000;
    if (!chunk)
        chunk = 1;
    mailx_mime_sink sink = { .attachment_end = on_end };
    mailx_mime_parser *p = mailx_mime_new(NULL, &sink, NULL);
    for (size_t off = 0; off < len; off += chunk)
        mailx_mime_feed(p, (const uint8_t *)buf + off, MIN(chunk, len - off));
    mailx_mime_summary s;
    mailx_mime_finish(p, &s);
    printf("from=%s addr=%s subject=%s message_id=%s parts=%u attachments=%u depth=%u limits=%#x anomalies=%#x\n",
           s.from ? s.from : "-", s.from_addr ? s.from_addr : "-", s.subject ? s.subject : "-",
           s.message_id ? s.message_id : "-", s.parts, s.attachments, s.max_depth, s.limits,
           s.anomalies);
    mailx_mime_summary_clear(&s);
    g_free(buf);
    return 0;
}
