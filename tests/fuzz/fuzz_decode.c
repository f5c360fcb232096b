/* Fuzz target: the streaming base64 and quoted-printable decoders
 * (epan-ext/decode.c), fed in the chunks of the byte script of fuzz_common.h
 * into output buffers of exactly the documented size (len + slack), so a write
 * past the contract is an ASan report. Base64 must not depend on the chunking:
 * the chunked output equals the output of one call over the whole body. For
 * quoted-printable the direction bit says whether a line break ends the chunk. */
#include "fuzz_common.h"
#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_script script = { data, size, 0 };
    fuzz_chunk ch;
    mailx_b64_state b64;
    mailx_qp_state qp;
    mailx_b64_init(&b64);
    mailx_qp_init(&qp);
    uint8_t *joined = malloc(size + 1), *chunked_out = malloc(size + MAILX_DECODE_SLACK + 1);
    if (!joined || !chunked_out) {
        free(joined);
        free(chunked_out);
        return 0;
    }
    size_t jn = 0, cn = 0;

    while (fuzz_script_next(&script, &ch)) {
        memcpy(joined + jn, ch.p, ch.n);
        jn += ch.n;
        uint8_t *o = malloc(ch.n + MAILX_DECODE_SLACK);
        if (!o)
            break;
        size_t w = mailx_b64_step(&b64, ch.p, ch.n, o);
        FUZZ_CHECK(w <= ch.n + MAILX_DECODE_SLACK);
        FUZZ_CHECK(cn + w <= size + MAILX_DECODE_SLACK);
        memcpy(chunked_out + cn, o, w);
        cn += w;
        free(o);

        uint8_t *q = malloc(ch.n + 64 + 4);
        if (!q)
            break;
        w = mailx_qp_step(&qp, ch.p, ch.n, ch.from_client, q);
        FUZZ_CHECK(w <= ch.n + 64 + 4);
        fuzz_touch(q, w);
        free(q);
    }
    uint8_t tail[MAILX_DECODE_SLACK + 64 + 8];
    size_t w = mailx_b64_finish(&b64, tail);
    FUZZ_CHECK(w <= MAILX_DECODE_SLACK && cn + w <= size + MAILX_DECODE_SLACK);
    memcpy(chunked_out + cn, tail, w);
    cn += w;
    w = mailx_qp_finish(&qp, tail);
    FUZZ_CHECK(w <= sizeof tail);

    /* the same body in one call */
    mailx_b64_state one;
    mailx_b64_init(&one);
    uint8_t *whole = malloc(jn + MAILX_DECODE_SLACK * 2);
    if (whole) {
        size_t wn = mailx_b64_step(&one, joined, jn, whole);
        wn += mailx_b64_finish(&one, whole + wn);
        FUZZ_CHECK(wn == cn && memcmp(whole, chunked_out, cn) == 0);
        FUZZ_CHECK(one.invalid == b64.invalid && one.after_end == b64.after_end);
        free(whole);
    }
    free(joined);
    free(chunked_out);
    return 0;
}
