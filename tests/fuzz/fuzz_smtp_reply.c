/* Fuzz target: one SMTP reply line (epan-ext/smtp_reply.c). */
#include "fuzz_common.h"
#include "smtp_reply.h"
#include "code_tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mailx_smtp_reply r;
    if (!mailx_smtp_reply_parse(data, size, &r)) {
        FUZZ_CHECK(r.code == 0 && !r.has_status);
        return 0;
    }
    /* RFC 5321 s4.2 (first digit widened to 1 by the parser) */
    FUZZ_CHECK(size >= 3 && r.code >= 100 && r.code <= 559);
    FUZZ_CHECK(r.klass == r.code / 100);
    FUZZ_CHECK(r.is_last == (size == 3 || data[3] == ' '));
    FUZZ_CHECK_VIEW(r.text_off, r.text_len, size);
    FUZZ_CHECK(r.text_off + r.text_len == size);
    fuzz_touch(data + r.text_off, r.text_len);
    if (r.has_status) {
        FUZZ_CHECK_VIEW(r.status_off, r.status.len, size);
        FUZZ_CHECK(r.status_off == 4 && r.text_off >= r.status_off + r.status.len);
        fuzz_touch(data + r.status_off, r.status.len);
    }
    const char *t = mailx_smtp_basic_title(r.code);
    if (t)
        fuzz_touch((const uint8_t *)t, strlen(t));
    return 0;
}
