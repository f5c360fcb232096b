/* Table-driven tests of the export file-name sanitiser: declared name ->
 * safe name, then properties every result must have whatever the input
 * (hostile names, long names, random bytes). */
#include <string.h>
#include <glib.h>

#include "export_name.h"

typedef struct {
    const char *name;
    const char *in;            /* NULL: no declared name */
    const char *want;
} name_case;

static const name_case cases[] = {
    { "plain", "report.pdf", "report.pdf" },
    { "UTF-8 kept", "R\xc3\xa9sum\xc3\xa9 Fran\xc3\xa7ois.pdf", "R\xc3\xa9sum\xc3\xa9 Fran\xc3\xa7ois.pdf" },
    { "no name: fallback", NULL, "attachment-f7-2" },
    { "empty: fallback", "", "attachment-f7-2" },
    { "path traversal", "../../etc/passwd", "_._etc_passwd" },
    { "absolute path", "/etc/passwd", "_etc_passwd" },
    { "windows path", "..\\..\\Windows\\system.ini", "_._Windows_system.ini" },
    { "only dots", "..", "attachment-f7-2" },
    { "dots and slashes", "../", "_" },
    { "dot runs collapse", "a....b...pdf", "a.b.pdf" },
    { "trailing dots and spaces", "invoice.pdf. . ", "invoice.pdf" },
    { "leading spaces and dots", " . .hidden", "hidden" },
    { "leading dash", "-rf", "_rf" },
    { "control characters", "a\tb\r\nc\x01\x1f\x7f.txt", "a_b__c___.txt" },
    { "replacement character", "ctl\xef\xbf\xbd[31m.txt", "ctl_[31m.txt" },
    { "C1 control", "a\xc2\x85" "b", "a_b" },
    { "bidi override (RLO)", "invoice\xe2\x80\xae" "fdp.exe", "invoice_fdp.exe" },
    { "zero-width and BOM", "a\xe2\x80\x8b" "b\xef\xbb\xbf" "c", "a_b_c" },
    { "line separator", "a\xe2\x80\xa8" "b", "a_b" },
    { "no-break space becomes space", "a\xc2\xa0" "b", "a b" },
    { "reserved characters", "a<b>c:d\"e|f?g*h", "a_b_c_d_e_f_g_h" },
    { "invalid UTF-8 bytes", "a\xff\xfe" "b\xc3", "a__b_" },
    { "windows device", "CON", "_CON" },
    { "windows device with extension", "nul.txt", "_nul.txt" },
    { "com1 any case", "Com1.tar.gz", "_Com1.tar.gz" },
    { "not a device", "console.txt", "console.txt" },
    { "percent kept", "100%.txt", "100%.txt" },
    { "ASCII space kept", "my report.pdf", "my report.pdf" },
    { "ASCII next to UTF-8", "a\xc2\xa0" "b/c\xe2\x80\xae" "d:e", "a b_c_d_e" },
    { "dot runs around reserved", "a/..b..\\.c", "a_.b._.c" },
    { "dot runs after UTF-8", "\xc3\xa9...b", "\xc3\xa9.b" },
};

static void test_case(gconstpointer p)
{
    const name_case *tc = (const name_case *)p;
    char *got = mailx_export_safe_name(tc->in, "attachment-f7-2");
    g_assert_cmpstr(got, ==, tc->want);
    g_free(got);
}

/* What every result must be: non-empty valid UTF-8 within the length cap,
 * no separator, no "..", no control, not starting with '.' or '-', and
 * stable (sanitising a safe name gives it back). */
static void assert_safe(const char *s)
{
    g_assert_nonnull(s);
    g_assert_cmpuint(strlen(s), >, 0);
    g_assert_cmpuint(strlen(s), <=, MAILX_EXPORT_NAME_MAX);
    g_assert_true(g_utf8_validate(s, -1, NULL));
    g_assert_null(strpbrk(s, "/\\:*?\"<>|"));
    g_assert_null(strstr(s, ".."));
    g_assert_true(s[0] != '.' && s[0] != '-' && s[0] != ' ');
    g_assert_true(s[strlen(s) - 1] != '.' && s[strlen(s) - 1] != ' ');
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        g_assert_false(c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f));
        g_assert_cmpint(g_unichar_type(c), !=, G_UNICODE_FORMAT);
    }
    char *again = mailx_export_safe_name(s, "x");
    g_assert_cmpstr(again, ==, s);
    g_free(again);
}

static void test_long_name(void)
{
    /* 10,000 characters, then an extension: cut, extension kept */
    GString *in = g_string_new(NULL);
    for (int i = 0; i < 10000; i++)
        g_string_append_c(in, 'A' + i % 26);
    g_string_append(in, ".pdf");
    char *got = mailx_export_safe_name(in->str, "x");
    assert_safe(got);
    g_assert_cmpuint(strlen(got), ==, MAILX_EXPORT_NAME_MAX);
    g_assert_true(g_str_has_suffix(got, ".pdf"));
    g_assert_true(g_str_has_prefix(got, "ABCDEF"));
    g_free(got);
    /* multi-byte characters: never cut inside one */
    g_string_truncate(in, 0);
    for (int i = 0; i < 3000; i++)
        g_string_append(in, "\xe2\x82\xac");       /* U+20AC, 3 bytes */
    got = mailx_export_safe_name(in->str, "x");
    assert_safe(got);
    g_assert_cmpuint(strlen(got), ==, MAILX_EXPORT_NAME_MAX - MAILX_EXPORT_NAME_MAX % 3);
    g_free(got);
    /* a long extension is not kept apart */
    g_string_assign(in, "a.");
    for (int i = 0; i < 500; i++)
        g_string_append_c(in, 'x');
    got = mailx_export_safe_name(in->str, "x");
    assert_safe(got);
    g_assert_true(g_str_has_prefix(got, "a.xxx"));
    g_free(got);
    /* a cut that would leave "stem." + ".ext" */
    g_string_truncate(in, 0);
    for (int i = 0; i < MAILX_EXPORT_NAME_MAX - 5; i++)
        g_string_append_c(in, 'b');
    g_string_append(in, ". . . . . . . . . . . . . .pdf");
    got = mailx_export_safe_name(in->str, "x");
    assert_safe(got);
    g_free(got);
    g_string_free(in, TRUE);
}

static void test_numbered(void)
{
    char *a = mailx_export_name_numbered("invoice.pdf", 2);
    g_assert_cmpstr(a, ==, "invoice-2.pdf");
    g_free(a);
    a = mailx_export_name_numbered("README", 3);
    g_assert_cmpstr(a, ==, "README-3");
    g_free(a);
    a = mailx_export_name_numbered("archive.tar.gz", 10);
    g_assert_cmpstr(a, ==, "archive.tar-10.gz");
    g_free(a);
    char *k1 = mailx_export_name_key("Invoice.PDF"), *k2 = mailx_export_name_key("invoice.pdf");
    g_assert_cmpstr(k1, ==, k2);
    g_free(k1);
    g_free(k2);
    /* NFC and NFD spellings collide (macOS stores NFD) */
    k1 = mailx_export_name_key("\xc3\xa9.txt");
    k2 = mailx_export_name_key("e\xcc\x81.txt");
    g_assert_cmpstr(k1, ==, k2);
    g_free(k1);
    g_free(k2);
    /* an ASCII name's key is its Unicode case fold and normalization too */
    GRand *r = g_rand_new_with_seed(8);
    for (int i = 0; i < 2000; i++) {
        char buf[40];
        int n = g_rand_int_range(r, 0, (int)sizeof buf);
        for (int j = 0; j < n; j++)
            buf[j] = (char)g_rand_int_range(r, 1, 128);
        buf[n] = '\0';
        char *fold = g_utf8_casefold(buf, -1);
        char *want = g_utf8_normalize(fold, -1, G_NORMALIZE_DEFAULT);
        k1 = mailx_export_name_key(buf);
        g_assert_cmpstr(k1, ==, want);
        g_free(k1);
        g_free(want);
        g_free(fold);
    }
    g_rand_free(r);
}

/* Random bytes (fixed seed): every result is safe. */
static void test_random(void)
{
    GRand *r = g_rand_new_with_seed(20240610);
    for (int i = 0; i < 20000; i++) {
        int n = g_rand_int_range(r, 0, 400);
        char *buf = g_malloc(n + 1);
        for (int j = 0; j < n; j++) {
            /* bias towards the interesting bytes */
            static const char pick[] = "./\\ -.\t\x01\x7f\xc2\x85\xe2\x80\xae" "CONaz";
            buf[j] = g_rand_boolean(r) ? pick[g_rand_int_range(r, 0, sizeof pick - 1)]
                                       : (char)g_rand_int_range(r, 1, 256);
        }
        buf[n] = 0;
        char *got = mailx_export_safe_name(buf, "fallback");
        assert_safe(got);
        g_free(got);
        g_free(buf);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/export_name/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
    }
    g_test_add_func("/export_name/long", test_long_name);
    g_test_add_func("/export_name/numbered", test_numbered);
    g_test_add_func("/export_name/random", test_random);
    return g_test_run();
}
