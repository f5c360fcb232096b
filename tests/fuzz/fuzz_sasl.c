/* Fuzz target: SASL pieces (epan-ext/sasl.c): the mechanism name, strict base64
 * into a buffer of exactly `cap` bytes (so a write past cap is an ASan report)
 * and the user-name extractors on the decoded bytes and on the raw input.
 * Input: byte 0 = mechanism name length (mod 32), byte 1 = cap, then the name,
 * then the base64 response. */
#include "fuzz_common.h"
#include "sasl.h"

static void users(const uint8_t *d, size_t n)
{
    size_t off, len;
    bool (*const fns[])(const uint8_t *, size_t, size_t *, size_t *) = {
        mailx_sasl_plain_user, mailx_sasl_cram_user, mailx_sasl_oauth_user, mailx_sasl_scram_user,
    };
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        if (fns[i](d, n, &off, &len)) {
            FUZZ_CHECK_VIEW(off, len, n);
            fuzz_touch(d + off, len);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t nlen = data[0] % 32;
    size_t cap = data[1];
    data += 2;
    size -= 2;
    if (nlen > size)
        nlen = size;
    mailx_sasl_mech m = mailx_sasl_mech_from_name(data, nlen);
    (void)mailx_sasl_mech_reveals_secret(m);
    const uint8_t *b64 = data + nlen;
    size_t blen = size - nlen;

    uint8_t *out = malloc(cap ? cap : 1);
    if (!out)
        return 0;
    size_t out_len = 12345;
    if (mailx_base64_decode(b64, blen, out, cap, &out_len)) {
        FUZZ_CHECK(out_len <= cap && out_len <= blen);
        users(out, out_len);
    } else {
        FUZZ_CHECK(out_len == 0);
    }
    free(out);
    users(b64, blen);
    return 0;
}
