/* Helpers shared by the mailx libFuzzer targets (tests/fuzz/fuzz_<name>.c).
 * Each target defines LLVMFuzzerTestOneInput; the same file links either with
 * libFuzzer (-Dfuzz=true, clang) or with replay_main.c, which runs saved inputs
 * (seeds, regression inputs) in any build, including the ASan/UBSan one. */
#ifndef MAILX_FUZZ_COMMON_H
#define MAILX_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a finding just like a crash: abort so that libFuzzer
 * saves the input and replay_main reports it. Not assert(): it must stay on in
 * release builds. */
#define FUZZ_CHECK(cond)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                     \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* Reads every byte of a view the parser returned, so that AddressSanitizer
 * sees an offset/length that points outside the input. */
static inline void fuzz_touch(const uint8_t *p, size_t n)
{
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++)
        sink ^= p[i];
    (void)sink;
}

/* A view (off, len) must lie inside a buffer of `size` bytes. */
#define FUZZ_CHECK_VIEW(off, len, size) \
    FUZZ_CHECK((off) <= (size) && (len) <= (size) - (off))

/* The byte script that session targets replay: a sequence of chunks, each
 *   header byte h: direction = h & 1 (1 = client to server, 0 = server to client),
 *                  n = h >> 1; n == 127 means a 2-byte little-endian length follows
 *   then n bytes of payload (fewer at the end of the input).
 * Mutating it changes both what each side says and how TCP cut it into segments.
 * tests/fuzz/extract_seeds.py writes captures in this format. The POP3 and IMAP
 * session targets read a chunk of 0 bytes as bytes of that direction lost from
 * the capture (mailx_pop_session_gap / mailx_imap_session_gap). */
typedef struct {
    const uint8_t *data;
    size_t size, pos;
} fuzz_script;

typedef struct {
    bool from_client;
    const uint8_t *p;
    size_t n;
} fuzz_chunk;

static inline bool fuzz_script_next(fuzz_script *s, fuzz_chunk *c)
{
    if (s->pos >= s->size)
        return false;
    uint8_t h = s->data[s->pos++];
    size_t n = h >> 1;
    c->from_client = h & 1;
    if (n == 127) {
        n = 0;
        if (s->pos < s->size)
            n = s->data[s->pos++];
        if (s->pos < s->size)
            n |= (size_t)s->data[s->pos++] << 8;
    }
    if (n > s->size - s->pos)
        n = s->size - s->pos;
    c->p = s->data + s->pos;
    c->n = n;
    s->pos += n;
    return true;
}

#endif
