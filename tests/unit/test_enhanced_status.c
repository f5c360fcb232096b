/* mailx_enhanced_status_parse(): input bytes -> expected code, one row per case.
 * Every input is copied into a heap buffer of exactly its length, so an
 * over-read past `len` is caught by ASan instead of hitting a NUL. */
#include <string.h>

#include <glib.h>

#include "enhanced_status.h"

#define IN(s) s, sizeof(s) - 1

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    unsigned klass, subject, detail;
    size_t len;
} row;

static const row rows[] = {
    /* RFC 3463 s2 codes, the registered ones and the widest the grammar allows */
    { "valid/2.0.0",        IN("2.0.0"),           true, 2, 0, 0, 5 },
    { "valid/4.2.2",        IN("4.2.2"),           true, 4, 2, 2, 5 },
    { "valid/5.7.1",        IN("5.7.1"),           true, 5, 7, 1, 5 },
    { "valid/5.1.10",       IN("5.1.10"),          true, 5, 1, 10, 6 },
    { "valid/4.999.999",    IN("4.999.999"),       true, 4, 999, 999, 9 },
    { "valid/leading-zero", IN("5.01.001"),        true, 5, 1, 1, 8 },
    { "valid/then-text",    IN("5.1.1 User unknown"), true, 5, 1, 1, 5 },
    { "valid/then-space",   IN("2.0.0 "),          true, 2, 0, 0, 5 },
    { "valid/exact-5.1.1",  IN("5.1.1"),           true, 5, 1, 1, 5 },
    /* the ugly ones */
    { "bad/5.1",            IN("5.1"),             false },
    { "bad/5.1.",           IN("5.1."),            false },
    { "bad/5.1-space",      IN("5.1 x"),           false },
    { "bad/5.1.1000",       IN("5.1.1000"),        false },
    { "bad/5.1000.1",       IN("5.1000.1"),        false },
    { "bad/class-9",        IN("9.9.9"),           false },
    { "bad/class-3",        IN("3.1.1"),           false },
    { "bad/class-1",        IN("1.0.0"),           false },
    { "bad/class-0",        IN("0.0.0"),           false },
    { "bad/class-two-digits", IN("55.1.1"),        false },
    { "bad/5..1",           IN("5..1"),            false },
    { "bad/5..1.1",         IN("5..1.1"),          false },
    { "bad/.5.1.1",         IN(".5.1.1"),          false },
    { "bad/5.1.1a",         IN("5.1.1a"),          false },
    { "bad/2.3.19a",        IN("2.3.19a"),         false },
    { "bad/5.1.1.1",        IN("5.1.1.1"),         false },
    { "bad/5.1.1-tab",      IN("5.1.1\tx"),        false },
    { "bad/5.1.1-nul",      IN("5.1.1\0"),         false },
    { "bad/nul-inside",     IN("5.\0.1"),          false },
    { "bad/letters",        IN("a.b.c"),           false },
    { "bad/X.1.1",          IN("X.1.1"),           false },
    { "bad/words",          IN("Ok"),              false },
    { "bad/leading-space",  IN(" 5.1.1"),          false },
    { "bad/sign",           IN("5.+1.1"),          false },
    { "bad/high-bytes",     IN("5.\xd9\xa1.1"),    false },  /* Arabic-Indic one */
    { "bad/empty",          IN(""),                false },
    { "bad/just-5",         IN("5"),               false },
};

static void
check(const row *r, const uint8_t *buf, size_t len)
{
    mailx_enhanced_status st;
    bool ok;

    memset(&st, 0xa5, sizeof st);        /* the parser must set every field */
    ok = mailx_enhanced_status_parse(buf, len, &st);
    if (ok != r->ok)
        g_test_message("input %s: parse returned %d, expected %d", r->name, ok, r->ok);
    g_assert_cmpint(ok, ==, r->ok);
    g_assert_cmpuint(st.klass, ==, r->klass);
    g_assert_cmpuint(st.subject, ==, r->subject);
    g_assert_cmpuint(st.detail, ==, r->detail);
    g_assert_cmpuint(st.len, ==, r->len);
}

static void
test_row(gconstpointer data)
{
    const row *r = data;
    /* g_memdup2 of 0 bytes gives NULL: the parser must take (NULL, 0) too */
    uint8_t *buf = g_memdup2(r->in, r->in_len);

    check(r, buf, r->in_len);
    g_free(buf);
}

/* Every proper prefix of a valid code is rejected or parsed as what it is, with
 * the buffer ending exactly where the prefix ends. */
static void
test_prefixes(void)
{
    static const char code[] = "4.999.999";
    size_t n;

    for (n = 0; n < sizeof code - 1; n++) {
        uint8_t *buf = g_memdup2(code, n);
        mailx_enhanced_status st;
        bool ok = mailx_enhanced_status_parse(buf, n, &st);

        /* "4.999.9" and "4.999.99" are codes in their own right */
        g_assert_cmpint(ok, ==, n >= 7);
        if (ok)
            g_assert_cmpuint(st.len, ==, n);
        g_free(buf);
    }
}

static void
test_megabyte(void)
{
    const size_t mb = 1024 * 1024;
    uint8_t *buf = g_malloc(mb);
    mailx_enhanced_status st;

    /* 1 MB of digits: no dot, no code */
    memset(buf, '5', mb);
    g_assert_false(mailx_enhanced_status_parse(buf, mb, &st));
    g_assert_cmpuint(st.len, ==, 0);

    /* "5.1." and a detail of a million digits: not 1*3digit */
    memcpy(buf, "5.1.", 4);
    g_assert_false(mailx_enhanced_status_parse(buf, mb, &st));

    /* "5.1.1 " then a megabyte of text: parsed, only the code consumed */
    memcpy(buf, "5.1.1 ", 6);
    g_assert_true(mailx_enhanced_status_parse(buf, mb, &st));
    g_assert_cmpuint(st.len, ==, 5);
    g_free(buf);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *path = g_strdup_printf("/enhanced_status/%s", rows[i].name);
        g_test_add_data_func(path, &rows[i], test_row);
        g_free(path);
    }
    g_test_add_func("/enhanced_status/prefixes-exact-buffer", test_prefixes);
    g_test_add_func("/enhanced_status/1MB", test_megabyte);
    return g_test_run();
}
