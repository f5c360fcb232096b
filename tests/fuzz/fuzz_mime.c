/* Fuzz target: the streaming MIME parser (epan-ext/mime.c) with its decoders,
 * RFC 2047/2231 header code and the risk assessment of each attachment. The
 * byte script of fuzz_common.h cuts the message into chunks (the direction bit
 * is ignored). Checks: the same result whatever the chunking (the whole input
 * in one chunk gives the same summary), names are valid UTF-8, sizes add up,
 * and the reported attachments stay within the listing cap. */
#include <glib.h>

#include "fuzz_common.h"
#include "attach_risk.h"
#include "mime.h"

typedef struct {
    uint32_t n;
    uint64_t decoded, data_bytes;
    uint8_t digest[32];           /* XOR of the attachment hashes, order-free */
} fuzz_acc;

static void on_data(void *ctx, uint32_t index, const uint8_t *d, size_t n)
{
    (void)index;
    fuzz_touch(d, n);
    ((fuzz_acc *)ctx)->data_bytes += n;
}

static void on_end(void *ctx, const mailx_mime_attachment *a)
{
    fuzz_acc *acc = ctx;
    acc->n++;
    acc->decoded += a->decoded_size;
    if (a->filename)
        FUZZ_CHECK(g_utf8_validate(a->filename, -1, NULL));
    FUZZ_CHECK(a->head_len <= MAILX_SNIFF_MAX && a->head_len <= a->decoded_size);
    if (a->head_len)
        fuzz_touch(a->head, a->head_len);
    if (a->hashed)
        for (int i = 0; i < 32; i++)
            acc->digest[i] ^= a->sha256[i];
    mailx_risk r;
    mailx_attach_risk_assess(a->filename, a->type, a->head, a->head_len, &r);
    FUZZ_CHECK(r.n <= MAILX_RISK_REASONS_MAX && (r.n > 0) == (r.flags != 0));
    for (unsigned i = 0; i < r.n; i++)
        FUZZ_CHECK(g_utf8_validate(r.reason[i], -1, NULL));
}

static void run(const uint8_t *data, size_t size, bool chunked, fuzz_acc *acc, mailx_mime_summary *s)
{
    mailx_mime_sink sink = { .attachment_data = on_data, .attachment_end = on_end };
    mailx_mime_parser *p = mailx_mime_new(NULL, &sink, acc);
    if (chunked) {
        fuzz_script script = { data, size, 0 };
        fuzz_chunk ch;
        while (fuzz_script_next(&script, &ch))
            mailx_mime_feed(p, ch.p, ch.n);
    } else {
        /* the same payload bytes, concatenated */
        fuzz_script script = { data, size, 0 };
        fuzz_chunk ch;
        GByteArray *all = g_byte_array_new();
        while (fuzz_script_next(&script, &ch))
            g_byte_array_append(all, ch.p, (guint)ch.n);
        mailx_mime_feed(p, all->data, all->len);
        g_byte_array_free(all, TRUE);
    }
    mailx_mime_finish(p, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_acc a = {0}, b = {0};
    mailx_mime_summary sa, sb;
    run(data, size, true, &a, &sa);
    run(data, size, false, &b, &sb);
    FUZZ_CHECK(a.n == b.n && a.decoded == b.decoded && !memcmp(a.digest, b.digest, 32));
    FUZZ_CHECK(sa.parts == sb.parts && sa.attachments == sb.attachments && sa.limits == sb.limits);
    FUZZ_CHECK(a.n <= MAILX_MIME_ATTACHMENTS_MAX_DEFAULT && a.n <= sa.attachments);
    FUZZ_CHECK(a.data_bytes <= a.decoded);
    if (sa.subject)
        FUZZ_CHECK(g_utf8_validate(sa.subject, -1, NULL));
    if (sa.from)
        FUZZ_CHECK(g_utf8_validate(sa.from, -1, NULL));
    mailx_mime_summary_clear(&sa);
    mailx_mime_summary_clear(&sb);
    return 0;
}
