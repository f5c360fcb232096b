/* Table-driven tests of the line splitter: lines split across chunks, CR at a
 * chunk's end, bare LF, over-long lines, raw runs. */
#include <glib.h>
#include <string.h>

#include "line_splitter.h"

/* Feeds chunks separated by '|' and renders every line as "[text]" with flags
 * "~" (truncated, followed by the full length) and "!" (bare LF). */
static char *split_keep(const char *chunks_spec, uint32_t keep, uint64_t *cut)
{
    GString *out = g_string_new(NULL);
    mailx_line_carry carry = { 0 };
    if (keep)
        mailx_line_carry_keep(&carry, keep);
    gchar **chunks = g_strsplit(chunks_spec, "|", -1);
    for (gchar **c = chunks; *c; c++) {
        /* heap copy of exactly the chunk, so ASan sees any over-read */
        size_t n = strlen(*c);
        guint8 *buf = g_memdup2(*c, n ? n : 1);
        mailx_line_iter it;
        mailx_line_iter_init(&it, &carry, buf, n);
        mailx_line line;
        while (mailx_line_next(&it, &line)) {
            g_string_append_c(out, '[');
            g_string_append_len(out, (const char *)line.ptr, (gssize)line.len);
            g_string_append_c(out, ']');
            if (line.truncated)
                g_string_append_printf(out, "~%" G_GUINT64_FORMAT, line.full_len);
            if (line.bare_lf)
                g_string_append_c(out, '!');
        }
        g_free(buf);
    }
    g_strfreev(chunks);
    if (carry.full)
        g_string_append_printf(out, "+%" G_GUINT64_FORMAT, carry.full);
    mailx_line_carry_clear(&carry);
    if (cut)
        *cut = carry.cut;
    return g_string_free(out, FALSE);
}

static char *split(const char *chunks_spec)
{
    return split_keep(chunks_spec, 0, NULL);
}

typedef struct { const char *name, *chunks, *expect; } split_case;

static const split_case split_cases[] = {
    { "one line",            "250 ok\r\n",                    "[250 ok]" },
    { "two lines",           "a\r\nb\r\n",                    "[a][b]" },
    { "split mid line",      "25|0 ok\r\n",                   "[250 ok]" },
    { "split between CR LF", "250 ok\r|\n",                   "[250 ok]" },
    { "split before CR",     "250 ok|\r\n",                   "[250 ok]" },
    { "bare LF",             "a\nb\r\n",                      "[a]![b]" },
    { "empty lines",         "\r\n\r\n",                      "[][]" },
    { "only LF",             "\n",                            "[]!" },
    { "partial kept",        "abc",                           "+3" },
    { "partial over chunks", "a|b|c|\r\n",                    "[abc]" },
    { "CR inside line",      "a\rb\r\n",                      "[a\rb]" },
    { "empty chunks",        "||a\r\n||",                     "[a]" },
};

static void test_split(gconstpointer data)
{
    const split_case *c = data;
    char *got = split(c->chunks);
    g_assert_cmpstr(got, ==, c->expect);
    g_free(got);
}

/* The keep limit (mailx.line_keep_max): only a line carried across chunks is
 * cut, at exactly `keep` bytes of text (its CR LF never counts), each cut line is
 * counted once, and a line that fits is never reported cut. */
typedef struct { const char *name; uint32_t keep; const char *chunks, *expect; uint64_t cut; } keep_case;

static const keep_case keep_cases[] = {
    { "exactly the limit",          8, "12345|678\r\n",      "[12345678]",        0 },
    { "limit - 1",                  8, "1234|567\r\n",       "[1234567]",         0 },
    { "limit + 1",                  8, "12345|6789\r\n",     "[12345678]~9",      1 },
    { "limit + 1 bare LF",          8, "12345|6789\n",        "[12345678]~9!",     1 },
    { "CR LF split at the limit",   8, "12345678\r|\n",      "[12345678]",        0 },
    { "CR opens the next chunk",    8, "12345678|\r\n",      "[12345678]",        0 },
    { "LF alone after a full carry",8, "12345678|\n",         "[12345678]!",       0 },
    { "CR LF split past the limit", 8, "123456789\r|\n",     "[12345678]~9",      1 },
    { "whole line in one chunk",    8, "123456789012\r\n",   "[123456789012]",    0 },
    { "many cut lines in a row",    8, "aaaaaaaaaa|aa\r\nbbbbbbbbbbbb|b\r\ncccccccccccc|c\r\nd|\r\n",
      "[aaaaaaaa]~12[bbbbbbbb]~13[cccccccc]~13[d]", 3 },
    { "cut line then whole lines",  8, "0123456789|\r\nab\r\ncd\r\n", "[01234567]~10[ab][cd]", 1 },
    { "limit 1",                    1, "ab|c\r\n",            "[a]~3",             1 },
    { "limit 1, one byte",          1, "a|\r\n",              "[a]",               0 },
    { "limit 1, empty line",        1, "\r|\n",               "[]",                0 },
    { "limit 1, three cut",         1, "xy|\r\nxy|\nxy|z\r\n", "[x]~2[x]~2![x]~3", 3 },
    { "unfinished line not counted",8, "0123456789|0123",       "+14",               0 },
};

static void test_keep(gconstpointer data)
{
    const keep_case *c = data;
    uint64_t cut = 99;
    char *got = split_keep(c->chunks, c->keep, &cut);
    g_assert_cmpstr(got, ==, c->expect);
    g_assert_cmpuint(cut, ==, c->cut);
    g_free(got);
}

/* mailx_line_next_piece: a line longer than the keep limit comes in pieces
 * ("{text}" with more set) and then its last part ("[text]", "^" when pieces went
 * before, then "=" full length and wire length); nothing dropped, nothing cut. */
static char *pieces(const char *chunks_spec, uint32_t keep, uint64_t *cut)
{
    GString *out = g_string_new(NULL);
    mailx_line_carry carry = { 0 };
    mailx_line_carry_keep(&carry, keep);
    gchar **chunks = g_strsplit(chunks_spec, "|", -1);
    for (gchar **c = chunks; *c; c++) {
        size_t n = strlen(*c);
        guint8 *buf = g_memdup2(*c, n ? n : 1);
        mailx_line_iter it;
        mailx_line_iter_init(&it, &carry, buf, n);
        mailx_line line;
        while (mailx_line_next_piece(&it, &line)) {
            g_assert_false(line.truncated);
            if (line.more) {
                g_string_append_c(out, '{');
                g_string_append_len(out, (const char *)line.ptr, (gssize)line.len);
                g_string_append_c(out, '}');
                continue;
            }
            g_string_append_c(out, '[');
            g_string_append_len(out, (const char *)line.ptr, (gssize)line.len);
            g_string_append_c(out, ']');
            if (line.cont)
                g_string_append_printf(out, "^=%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT,
                                       line.full_len, line.wire_len);
            if (line.bare_lf)
                g_string_append_c(out, '!');
        }
        g_free(buf);
    }
    g_strfreev(chunks);
    if (carry.full)
        g_string_append_printf(out, "+%" G_GUINT64_FORMAT, carry.full);
    mailx_line_carry_clear(&carry);
    *cut = carry.cut;
    return g_string_free(out, FALSE);
}

static const keep_case piece_cases[] = {
    { "fits: whole",                8, "12345|678\r\n",        "[12345678]",                       0 },
    { "one chunk, long: whole",     8, "123456789012\r\n",     "[123456789012]",                   0 },
    { "limit + 1: carried piece",   8, "12345|6789\r\n",       "{12345}[6789]^=9,11",             0 },
    { "long chunk: piece from it",  8, "123456789012|ab\r\n",  "{123456789012}[ab]^=14,16",       0 },
    { "CR held back from a piece",  8, "123456789\r|\nx\r\n","{123456789}[]^=9,11[x]",          0 },
    { "CR inside, not the end",     8, "123456789\r|y\r\n",   "{123456789}[\ry]^=11,13",       0 },
    { "CR LF split past the limit", 8, "12345678\r|\n",        "{12345678}[]^=8,10",               0 },
    { "bare LF after pieces",       8, "123456789012|\n",       "{123456789012}[]^=12,13!",        0 },
    { "many pieces",                4, "abcdef|ghij|klmn|o\r\n","{abcdef}{ghij}{klmn}[o]^=15,17", 0 },
    { "dot line fits at limit 1",   1, ".|\r\n",               "[.]",                              0 },
    { "limit 1",                    1, "ab|c\r\n",             "{ab}[c]^=3,5",                     0 },
    { "pieces then short lines",    4, "abcdefgh|ij\r\nk\r\n.\r\n", "{abcdefgh}[ij]^=10,12[k][.]", 0 },
};

static void test_piece(gconstpointer data)
{
    const keep_case *c = data;
    uint64_t cut = 99;
    char *got = pieces(c->chunks, c->keep, &cut);
    g_assert_cmpstr(got, ==, c->expect);
    g_assert_cmpuint(cut, ==, c->cut);
    g_free(got);
}

/* Every field of lines read in place (nothing carried), also right after a
 * carried line and after pieces in the same chunk, for both readers. */
typedef struct { size_t len; uint64_t full_len, wire_len; bool bare_lf; } line_fields;

static void check_lines(bool piece, uint32_t keep, const char *first, const char *second,
                        const line_fields *want, size_t n_want)
{
    mailx_line_carry carry = { 0 };
    if (keep)
        mailx_line_carry_keep(&carry, keep);
    const char *chunk[2] = { first, second };
    size_t got = 0;
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(chunk[k]);
        guint8 *buf = g_memdup2(chunk[k], n ? n : 1);
        mailx_line_iter it;
        mailx_line_iter_init(&it, &carry, buf, n);
        mailx_line line;
        while (piece ? mailx_line_next_piece(&it, &line) : mailx_line_next(&it, &line)) {
            if (line.more)
                continue;
            g_assert_cmpuint(got, <, n_want);
            const line_fields *w = &want[got++];
            g_assert_nonnull(line.ptr);
            g_assert_cmpuint(line.len, ==, w->len);
            g_assert_cmpuint(line.full_len, ==, w->full_len);
            g_assert_cmpuint(line.wire_len, ==, w->wire_len);
            g_assert_cmpint(line.bare_lf, ==, w->bare_lf);
            g_assert_false(line.truncated);
        }
        g_free(buf);
    }
    g_assert_cmpuint(got, ==, n_want);
    mailx_line_carry_clear(&carry);
}

static void test_in_place_fields(void)
{
    static const line_fields lines[] = {
        { 2, 2, 4, false }, { 0, 0, 1, true }, { 0, 0, 2, false }, { 2, 2, 4, false }, { 1, 1, 2, true },
    };
    for (int piece = 0; piece < 2; piece++) {
        /* all in one chunk: "ab", "" (bare LF), "" (CR LF), "x\r" (a CR before CR LF), "y" */
        check_lines(piece, 0, "ab\r\n\n\r\nx\r\r\ny\n", "", lines, G_N_ELEMENTS(lines));
        /* the first line carried from the chunk before, the rest in place */
        check_lines(piece, 0, "a", "b\r\n\n\r\nx\r\r\ny\n", lines, G_N_ELEMENTS(lines));
    }
    /* after pieces of a long line (limit 4): the line's end, then lines in place */
    static const line_fields after[] = { { 2, 8, 10, false }, { 1, 1, 3, false }, { 0, 0, 1, true } };
    check_lines(true, 4, "abcdef", "gh\r\nk\r\n\n", after, G_N_ELEMENTS(after));
}

/* The keep limit is clamped to its range; the buffer grows on demand up to it
 * (a session does not pay the limit up front); a clear keeps limit and count. */
static void test_keep_bounds(void)
{
    mailx_line_carry carry = { 0 };
    mailx_line_carry_keep(&carry, 0);
    g_assert_cmpuint(carry.keep_max, ==, MAILX_LINE_KEEP_MIN);
    mailx_line_carry_keep(&carry, UINT32_MAX);
    g_assert_cmpuint(carry.keep_max, ==, MAILX_LINE_KEEP_HARD_MAX);

    guint8 *chunk = g_malloc(64 * 1024);
    memset(chunk, 'x', 64 * 1024);
    mailx_line_iter it;
    mailx_line line;
    mailx_line_iter_init(&it, &carry, chunk, 200);
    g_assert_false(mailx_line_next(&it, &line));
    g_assert_cmpuint(carry.cap, <=, 256);          /* 200 bytes carried: no 1 MiB buffer */
    for (int i = 0; i < 40; i++) {                  /* 2.5 MiB more without a line end */
        mailx_line_iter_init(&it, &carry, chunk, 64 * 1024);
        g_assert_false(mailx_line_next(&it, &line));
    }
    g_assert_cmpuint(carry.cap, ==, MAILX_LINE_KEEP_HARD_MAX);
    g_assert_cmpuint(carry.kept, ==, MAILX_LINE_KEEP_HARD_MAX);
    mailx_line_iter_init(&it, &carry, (const guint8 *)"\r\n", 2);
    g_assert_true(mailx_line_next(&it, &line));
    g_assert_true(line.truncated);
    g_assert_cmpuint(line.len, ==, MAILX_LINE_KEEP_HARD_MAX);
    g_assert_cmpuint(line.full_len, ==, 200 + 40 * 64 * 1024);
    g_assert_cmpuint(carry.cut, ==, 1);
    mailx_line_carry_clear(&carry);
    g_assert_null(carry.buf);
    g_assert_cmpuint(carry.cut, ==, 1);
    g_assert_cmpuint(carry.keep_max, ==, MAILX_LINE_KEEP_HARD_MAX);
    g_free(chunk);
}

/* A line longer than the keep limit, split over many chunks: delimited right,
 * reported truncated with its real length, memory stays bounded. */
static void test_long_line(void)
{
    mailx_line_carry carry = { 0 };
    guint8 *chunk = g_malloc(1000);
    memset(chunk, 'x', 1000);
    size_t total = 0;
    for (int i = 0; i < 1000; i++) {   /* 1 MB without a line end */
        mailx_line_iter it;
        mailx_line_iter_init(&it, &carry, chunk, 1000);
        mailx_line line;
        g_assert_false(mailx_line_next(&it, &line));
        total += 1000;
    }
    g_assert_cmpuint(carry.kept, <=, MAILX_LINE_KEEP_MAX);
    g_assert_cmpuint(carry.cap, <=, MAILX_LINE_KEEP_MAX);
    const guint8 tail[] = { 'y', '\r', '\n', 'n', 'e', 'x', 't', '\n' };
    guint8 *t = g_memdup2(tail, sizeof tail);
    mailx_line_iter it;
    mailx_line_iter_init(&it, &carry, t, sizeof tail);
    mailx_line line;
    g_assert_true(mailx_line_next(&it, &line));
    g_assert_true(line.truncated);
    g_assert_false(line.bare_lf);
    g_assert_cmpuint(line.full_len, ==, total + 1);
    g_assert_cmpuint(line.len, ==, MAILX_LINE_KEEP_MAX);
    g_assert_cmpuint(line.wire_len, ==, total + 3);
    g_assert_cmpuint(carry.cut, ==, 1);
    g_assert_true(mailx_line_next(&it, &line));
    g_assert_cmpuint(line.len, ==, 4);
    g_assert_true(memcmp(line.ptr, "next", 4) == 0);
    g_assert_true(line.bare_lf);
    g_free(t);
    g_free(chunk);
    mailx_line_carry_clear(&carry);
}

/* Raw runs (BDAT chunks): bytes are handed out across chunk ends, and a line
 * after the run is split normally. */
static void test_raw(void)
{
    mailx_line_carry carry = { 0 };
    const char *a = "BDAT 5\r\nhel";
    const char *b = "loNOOP\r\n";
    mailx_line_iter it;
    mailx_line line;
    const guint8 *p;
    size_t n;
    mailx_line_iter_init(&it, &carry, (const guint8 *)a, strlen(a));
    g_assert_true(mailx_line_next(&it, &line));
    g_assert_cmpuint(mailx_line_take_raw(&it, 5, &p, &n), ==, 3);
    g_assert_cmpuint(n, ==, 3);
    g_assert_true(memcmp(p, "hel", 3) == 0);
    g_assert_cmpuint(mailx_line_take_raw(&it, 2, &p, &n), ==, 0);
    mailx_line_iter_init(&it, &carry, (const guint8 *)b, strlen(b));
    g_assert_cmpuint(mailx_line_take_raw(&it, 2, &p, &n), ==, 2);
    g_assert_true(memcmp(p, "lo", 2) == 0);
    g_assert_true(mailx_line_next(&it, &line));
    g_assert_cmpuint(line.len, ==, 4);
    g_assert_cmpuint(mailx_line_remaining(&it), ==, 0);
    g_assert_cmpuint(carry.cut, ==, 0);
    /* a carried would-be line longer than the keep limit handed out as a raw run:
       the bytes past the limit are gone, which counts as a cut */
    mailx_line_carry_keep(&carry, 4);
    mailx_line_iter_init(&it, &carry, (const guint8 *)"abcdefgh", 8);
    g_assert_false(mailx_line_next(&it, &line));
    mailx_line_iter_init(&it, &carry, (const guint8 *)"ij", 2);
    g_assert_cmpuint(mailx_line_take_raw(&it, 8, &p, &n), ==, 8);
    g_assert_cmpuint(n, ==, 4);
    g_assert_true(memcmp(p, "abcd", 4) == 0);
    g_assert_cmpuint(carry.cut, ==, 1);
    g_assert_cmpuint(mailx_line_take_raw(&it, 2, &p, &n), ==, 2);
    g_assert_cmpuint(carry.cut, ==, 1);
    /* zero-length request, NULL data */
    mailx_line_iter_init(&it, &carry, NULL, 10);
    g_assert_false(mailx_line_next(&it, &line));
    g_assert_cmpuint(mailx_line_take_raw(&it, 0, &p, &n), ==, 0);
    mailx_line_carry_clear(&carry);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(split_cases); i++) {
        char *path = g_strdup_printf("/line_splitter/split/%s", split_cases[i].name);
        g_test_add_data_func(path, &split_cases[i], test_split);
        g_free(path);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(keep_cases); i++) {
        char *path = g_strdup_printf("/line_splitter/keep/%s", keep_cases[i].name);
        g_test_add_data_func(path, &keep_cases[i], test_keep);
        g_free(path);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(piece_cases); i++) {
        char *path = g_strdup_printf("/line_splitter/piece/%s", piece_cases[i].name);
        g_test_add_data_func(path, &piece_cases[i], test_piece);
        g_free(path);
    }
    g_test_add_func("/line_splitter/keep_bounds", test_keep_bounds);
    g_test_add_func("/line_splitter/in_place_fields", test_in_place_fields);
    g_test_add_func("/line_splitter/long_line", test_long_line);
    g_test_add_func("/line_splitter/raw", test_raw);
    return g_test_run();
}
