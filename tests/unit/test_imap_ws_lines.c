/* Which lines Wireshark's imap dissector puts imap.line items on (epan-ext/
 * imap_ws_lines.c): buffer -> last line item, one row per branch of
 * packet-imap.c's loop, its quirks included (the tests in tests/golden and the
 * comparison against the real imap.line items, docs/performance.md, cover real
 * traffic). Exact-size heap copies let ASan catch over-reads. */
#include <string.h>

#include <glib.h>

#include "imap_ws_lines.h"

#define IN(s) s, sizeof(s) - 1

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool cut, is_request;
    size_t min_start;
    bool found;
    size_t start, end;
} row;

static const row rows[] = {
    { "one line",        IN("a1 OK done\r\n"),                       false, false, 0, true, 0, 12 },
    { "part line left",  IN("* OK x\r\nA1 OK y\r\npartial"),         false, false, 0, true, 8, 17 },
    { "no line",         IN("partial"),                              false, false, 0, false, 0, 0 },
    { "CR last byte",    IN("a OK\r\nb OK\r"),                       false, false, 0, true, 0, 6 },
    { "bare LF",         IN("a\nb\n"),                               false, false, 0, true, 2, 4 },
    { "bare CR",         IN("a\rb\r\n"),                             false, false, 0, true, 2, 5 },
    { "empty line",      IN("\r\n\r\n"),                             false, false, 0, true, 2, 4 },
    { "min_start",       IN("a OK\r\nb OK\r\n"),                     false, false, 6, true, 6, 12 },
    { "min_start none",  IN("a OK\r\nb OK\r\n"),                     false, false, 7, false, 0, 0 },
    /* FETCH literals: the FETCH line's item, the literal skipped, then ")" */
    { "fetch literal",   IN("* 1 FETCH (BODY[] {5}\r\nhello)\r\n"),  false, false, 0, true, 28, 31 },
    { "fetch no close",  IN("* 1 FETCH (BODY[] {5}\r\nhello)"),      false, false, 0, true, 0, 23 },
    { "fetch waits",     IN("* OK a\r\n* 1 FETCH (BODY[] {50}\r\nhel"), false, false, 0, true, 0, 8 },
    { "fetch no paren",  IN("* 1 FETCH\r\n* OK\r\n"),                false, false, 0, false, 0, 0 },
    { "fetch flags",     IN("* 1 FETCH (FLAGS (\\Seen))\r\n"),       false, false, 0, true, 0, 27 },
    /* '(' searched past the line: the item runs to the end of the line holding it */
    { "paren later",     IN("* 1 FETCH\r\nb OK (x)\r\n"),            false, false, 0, true, 0, 21 },
    /* the '{' search stops one byte short of the end unless the buffer was cut */
    { "brace last byte", IN("* 1 FETCH (x\r\n{"),                    false, false, 0, true, 0, 14 },
    { "brace last, cut", IN("* 1 FETCH (x\r\n{"),                    true,  false, 0, false, 0, 0 },
    /* ws_strtou32 on the digits */
    { "size too big",    IN("* 1 FETCH (B {4294967296}\r\nx)\r\n"),  false, false, 0, false, 0, 0 },
    { "size space",      IN("* 1 FETCH (B { 1}\r\nx)\r\n"),          false, false, 0, true, 20, 23 },
    { "size plus",       IN("* 1 FETCH (B {+1}\r\nx)\r\n"),          false, false, 0, false, 0, 0 },
    { "size empty",      IN("* 1 FETCH (B {}\r\nx)\r\n"),            false, false, 0, false, 0, 0 },
    { "size NUL",        IN("* 1 FETCH (B {1\0z}\r\nx)\r\n"),        false, false, 0, true, 21, 24 },
    /* size_end + size wraps: -1 leaves next_offset, -2 throws after the item */
    { "size -1",         IN("* 1 FETCH (B {4294967295})\r\nb OK\r\n"), false, false, 0, true, 28, 34 },
    { "size -2",         IN("* 1 FETCH (B {4294967294})\r\nb OK\r\n"), false, false, 0, true, 0, 28 },
    /* the FETCH test: a case-insensitive prefix of FETCH, among the first three tokens */
    { "fetch prefix",    IN("* F (x)\r\n"),                          false, false, 0, true, 0, 9 },
    { "one token",       IN("* FETCH\r\nb OK\r\n"),                  false, false, 0, true, 9, 15 },
    { "tab tokens",      IN("*\tFETCH\t1\r\nb OK\r\n"),              false, false, 0, false, 0, 0 },
    { "fourth token",    IN("* 1 2 3 FETCH\r\nb OK\r\n"),            false, false, 0, true, 15, 21 },
    { "fetch NUL",       IN("* 1 fetch\0x (a)\r\n"),                 false, false, 0, true, 0, 17 },
    /* which token may be FETCH: the first, the third, after another f token;
       a lone token is not enough (at least two), a third not starting with f
       is not read on */
    { "third token",     IN("* 1 2 FETCH (x)\r\nb OK\r\n"),         false, false, 0, true, 17, 23 },
    { "first token",     IN("* FETCH 1 (x)\r\nb OK\r\n"),           false, false, 0, true, 15, 21 },
    { "lone f token",    IN("* F\r\nb OK\r\n"),                     false, false, 0, true, 5, 11 },
    { "f token first",   IN("* fx FETCH (a)\r\nb OK\r\n"),          false, false, 0, true, 16, 22 },
    { "flags first",     IN("* FLAGS FETCH (a)\r\nb OK\r\n"),       false, false, 0, true, 19, 25 },
    { "third not f",     IN("* 1 EXISTS (a)\r\nb OK\r\n"),          false, false, 0, true, 16, 22 },
    { "fetch at end",    IN("* 1 FETCH\r\n"),                        false, false, 0, false, 0, 0 },
    /* LOGIN with a password token under two bytes throws after its line */
    { "login literal",   IN("a LOGIN {5+}\r\nuser1\r\n"),            false, true,  0, true, 0, 14 },
    { "login as reply",  IN("a LOGIN {5+}\r\nuser1\r\n"),            false, false, 0, true, 14, 21 },
    { "login quoted",    IN("a LOGIN u \"pw\"\r\nb NOOP\r\n"),       false, true,  0, true, 16, 24 },
    { "login short pw",  IN("a LOGIN u p\r\nb NOOP\r\n"),            false, true,  0, true, 0, 13 },
    { "login no user",   IN("a login\r\nb NOOP\r\n"),                false, true,  0, true, 0, 9 },
    { "uid login",       IN("a UID LOGIN x\r\nb NOOP\r\n"),          false, true,  0, true, 0, 15 },
    { "login prefix",    IN("a lo u p\r\nb NOOP\r\n"),               false, true,  0, true, 0, 10 },
    { "login prefix ok", IN("a log u pw\r\nb NOOP\r\n"),             false, true,  0, true, 12, 20 },
    { "loginx",          IN("a LOGINX u p\r\nb NOOP\r\n"),           false, true,  0, true, 14, 22 },
    { "no tag",          IN(" LOGIN u p\r\nb NOOP\r\n"),             false, true,  0, true, 12, 20 },
    /* UID in any case, or a prefix of it, before LOGIN; other commands never throw */
    { "uid mixed case",  IN("a Uid login u p\r\nb NOOP\r\n"),        false, true,  0, true, 0, 17 },
    { "uid prefix",      IN("a UI LOGIN u p\r\nb NOOP\r\n"),         false, true,  0, true, 0, 16 },
    { "u not uid",       IN("a u1 LOGIN u p\r\nb NOOP\r\n"),         false, true,  0, true, 16, 24 },
    { "other command",   IN("a SELECT u p\r\nb NOOP\r\n"),           false, true,  0, true, 14, 22 },
};

static void test_rows(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        const row *r = &rows[i];
        uint8_t *in = g_memdup2(r->in, r->in_len);
        size_t s = 999, e = 999;
        bool found = mailx_imap_ws_last_line(in, r->in_len, r->cut, r->is_request, r->min_start, &s, &e);
        if (found != r->found || (found && (s != r->start || e != r->end)))
            g_error("%s: found %d [%zu, %zu), want %d [%zu, %zu)", r->name, found, s, e,
                    r->found, r->start, r->end);
        g_free(in);
    }
}

/* a 1 MB buffer of lines, and one without any line end: linear, no over-read */
static void test_long(void)
{
    size_t n = 1 << 20;
    uint8_t *in = g_malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = i % 10 == 8 ? '\r' : i % 10 == 9 ? '\n' : 'x';
    size_t s, e;
    g_assert_true(mailx_imap_ws_last_line(in, n, false, true, 0, &s, &e));
    g_assert_cmpuint(e, ==, n - n % 10);
    memset(in, 'x', n);
    g_assert_false(mailx_imap_ws_last_line(in, n, false, false, 0, &s, &e));
    g_assert_false(mailx_imap_ws_last_line(NULL, 0, false, false, 0, &s, &e));
    g_free(in);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/imap_ws_lines/rows", test_rows);
    g_test_add_func("/imap_ws_lines/long", test_long);
    return g_test_run();
}
