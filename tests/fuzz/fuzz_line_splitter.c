/* Fuzz target: the chunked line splitter (epan-ext/line_splitter.c), driven by
 * the byte script of fuzz_common.h. A chunk with the direction bit set is first
 * read as a raw run (as BDAT chunks are), the rest as lines. Checks that memory
 * stays bounded and that every byte fed is accounted for exactly once: in a
 * line, in a raw run, dropped by take_raw's documented surplus rule, or still
 * carried at the end. */
#include "fuzz_common.h"
#include "line_splitter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_script script = { data, size, 0 };
    fuzz_chunk ch;
    mailx_line_carry carry = {0};
    uint64_t fed = 0, accounted = 0;

    while (fuzz_script_next(&script, &ch)) {
        mailx_line_iter it;
        mailx_line_iter_init(&it, &carry, ch.p, ch.n);
        fed += ch.n;
        if (ch.from_client && ch.n > 0) {
            uint64_t want = ch.p[0];
            uint64_t before = carry.full;
            const uint8_t *p;
            size_t n;
            uint64_t got = mailx_line_take_raw(&it, want, &p, &n);
            FUZZ_CHECK(got <= want && n <= got);
            if (n)
                fuzz_touch(p, n);
            accounted += got;
            if (want > 0 && before > want)
                accounted += before - want;   /* the surplus rule */
        }
        mailx_line line;
        while (mailx_line_next(&it, &line)) {
            /* a line inside one chunk is a view of it, whole; only a line carried
             * across chunks is kept (and cut) in the bounded carry */
            FUZZ_CHECK(line.len <= line.full_len);
            FUZZ_CHECK(!line.truncated || line.len <= MAILX_LINE_KEEP_MAX);
            FUZZ_CHECK(line.truncated == (line.len < line.full_len));
            FUZZ_CHECK(line.wire_len == line.full_len + (line.bare_lf ? 1 : 2));
            FUZZ_CHECK(line.ptr != NULL);
            fuzz_touch(line.ptr, line.len);
            accounted += line.wire_len;
        }
        FUZZ_CHECK(mailx_line_remaining(&it) == 0);
        FUZZ_CHECK(carry.kept <= MAILX_LINE_KEEP_MAX && carry.cap <= MAILX_LINE_KEEP_MAX);
        FUZZ_CHECK(carry.kept <= carry.full);
    }
    FUZZ_CHECK(accounted + carry.full == fed);
    mailx_line_carry_clear(&carry);
    return 0;
}
