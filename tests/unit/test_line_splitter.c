/* Table-driven tests of the line splitter: lines split across chunks, CR at a
 * chunk's end, bare LF, over-long lines, raw runs. */
#include <glib.h>
#include <string.h>

#include "line_splitter.h"

/* Feeds chunks separated by '|' and renders every line as "[text]" with flags
 * "~" (truncated, followed by the full length) and "!" (bare LF). */
static char *split(const char *chunks_spec)
{
    GString *out = g_string_new(NULL);
    mailx_line_carry carry = { 0 };
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
    return g_string_free(out, FALSE);
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
    g_test_add_func("/line_splitter/long_line", test_long_line);
    g_test_add_func("/line_splitter/raw", test_raw);
    return g_test_run();
}
