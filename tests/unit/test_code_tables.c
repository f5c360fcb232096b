/* The generated code tables: every row is reachable through its lookup, both by
 * walking the tables (_count/_key) and by reading the TSV sources at run time
 * ($MAILX_TABLES), so a row the generator dropped or garbled shows up here. */
#include <string.h>

#include <glib.h>

#include "code_tables.h"

static const char *const tsv_files[] = {
    "rfc3463-enhanced.tsv", "rfc5321-reply.tsv",
    "imap-response-codes.tsv", "pop3-response-codes.tsv",
};

/* ---- reading a TSV the way the reference README describes it ---- */

typedef struct {
    char **header;
    GPtrArray *rows;            /* of char ** (NULL-terminated cells) */
} tsv;

static void
tsv_free(tsv *t)
{
    g_strfreev(t->header);
    g_ptr_array_unref(t->rows);
}

static char *
tables_path(const char *file)
{
    const char *dir = g_getenv("MAILX_TABLES");

    if (dir == NULL) {
        g_test_message("MAILX_TABLES is not set (tests/unit/meson.build sets it to epan-ext/tables)");
        return NULL;
    }
    return g_build_filename(dir, file, NULL);
}

static bool
tsv_load(const char *file, tsv *t)
{
    char *path = tables_path(file);
    char *text = NULL;
    GError *err = NULL;
    char **lines;
    size_t i, ncols;

    if (path == NULL)
        return false;
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_test_message("%s: %s", path, err->message);
        g_error_free(err);
        g_free(path);
        return false;
    }
    lines = g_strsplit(text, "\n", -1);
    t->header = g_strsplit(lines[0], "\t", -1);
    ncols = g_strv_length(t->header);
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (i = 1; lines[i] != NULL; i++) {
        char **cells;

        if (lines[i][0] == '\0' && lines[i + 1] == NULL)
            break;                       /* after the final newline */
        cells = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(cells) != ncols)
            g_test_message("%s:%zu: %u columns, header has %zu", path, i + 1,
                           g_strv_length(cells), ncols);
        g_assert_cmpuint(g_strv_length(cells), ==, ncols);
        g_ptr_array_add(t->rows, cells);
    }
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    g_assert_cmpuint(t->rows->len, >, 0);
    return true;
}

static size_t
col(const tsv *t, const char *name)
{
    size_t i;

    for (i = 0; t->header[i] != NULL; i++) {
        if (strcmp(t->header[i], name) == 0)
            return i;
    }
    g_test_message("no column %s", name);
    g_assert_not_reached();
    return 0;
}

static const char *
cell(const tsv *t, size_t r, size_t c)
{
    return ((char **)g_ptr_array_index(t->rows, r))[c];
}

static unsigned
num(const char *s)
{
    guint64 v = 0;
    GError *err = NULL;

    if (!g_ascii_string_to_unsigned(s, 10, 0, 999, &v, &err)) {
        g_test_message("bad number %s: %s", s, err->message);
        g_error_free(err);
        g_assert_not_reached();
    }
    return (unsigned)v;
}

/* ---- every row of each TSV through its lookup ---- */

static void
test_enhanced_tsv(void)
{
    tsv t;
    size_t r, kind, title, klass, subject, detail, n_detail = 0, n_subject = 0, n_class = 0;

    if (!tsv_load("rfc3463-enhanced.tsv", &t)) {
        g_test_fail();
        return;
    }
    kind = col(&t, "kind");
    title = col(&t, "title");
    klass = col(&t, "class");
    subject = col(&t, "subject");
    detail = col(&t, "detail");
    for (r = 0; r < t.rows->len; r++) {
        const char *k = cell(&t, r, kind);
        const char *got;

        if (strcmp(k, "detail") == 0) {
            got = mailx_enhanced_detail_title(num(cell(&t, r, subject)), num(cell(&t, r, detail)));
            n_detail++;
        } else if (strcmp(k, "subject") == 0) {
            got = mailx_enhanced_subject_title(num(cell(&t, r, subject)));
            n_subject++;
        } else if (strcmp(k, "class") == 0) {
            got = mailx_enhanced_class_title(num(cell(&t, r, klass)));
            n_class++;
        } else {
            g_test_message("row %zu: unknown kind %s", r + 2, k);
            g_assert_not_reached();
        }
        if (g_strcmp0(got, cell(&t, r, title)) != 0)
            g_test_message("rfc3463-enhanced.tsv row %zu (%s)", r + 2, cell(&t, r, col(&t, "code")));
        g_assert_cmpstr(got, ==, cell(&t, r, title));
    }
    g_assert_cmpuint(n_detail, ==, mailx_enhanced_detail_count());
    g_assert_cmpuint(n_subject, ==, 8);      /* RFC 3463 s2: X.0 .. X.7 */
    g_assert_cmpuint(n_class, ==, 3);        /* RFC 3463 s2: 2, 4, 5 */
    tsv_free(&t);
}

static void
test_basic_tsv(void)
{
    tsv t;
    size_t r, code, meaning;

    if (!tsv_load("rfc5321-reply.tsv", &t)) {
        g_test_fail();
        return;
    }
    code = col(&t, "code");
    meaning = col(&t, "meaning");
    for (r = 0; r < t.rows->len; r++) {
        const char *got = mailx_smtp_basic_title(num(cell(&t, r, code)));

        if (g_strcmp0(got, cell(&t, r, meaning)) != 0)
            g_test_message("rfc5321-reply.tsv row %zu (%s)", r + 2, cell(&t, r, code));
        g_assert_cmpstr(got, ==, cell(&t, r, meaning));
    }
    g_assert_cmpuint(t.rows->len, ==, mailx_smtp_basic_count());
    tsv_free(&t);
}

typedef const char *(*name_lookup)(const char *name, size_t len);

typedef struct {
    const char *file;
    name_lookup meaning, hint;
    size_t (*count)(void);
} named_table;

static const named_table imap_table = {
    "imap-response-codes.tsv", mailx_imap_code_meaning, mailx_imap_code_hint, mailx_imap_code_count
};
static const named_table pop_table = {
    "pop3-response-codes.tsv", mailx_pop_code_meaning, mailx_pop_code_hint, mailx_pop_code_count
};

static void
test_named_tsv(gconstpointer data)
{
    const named_table *nt = data;
    tsv t;
    size_t r, kind, code, meaning, hint, n_code = 0;

    if (!tsv_load(nt->file, &t)) {
        g_test_fail();
        return;
    }
    kind = col(&t, "kind");
    code = col(&t, "code");
    meaning = col(&t, "meaning");
    hint = col(&t, "mailx_hint");
    for (r = 0; r < t.rows->len; r++) {
        const char *name = cell(&t, r, code);
        /* an exact-size copy: the lookup must not need a NUL */
        char *copy = g_memdup2(name, strlen(name));
        const char *got_meaning = nt->meaning(copy, strlen(name));
        const char *got_hint = nt->hint(copy, strlen(name));

        if (strcmp(cell(&t, r, kind), "code") == 0) {
            if (g_strcmp0(got_meaning, cell(&t, r, meaning)) != 0 ||
                g_strcmp0(got_hint, cell(&t, r, hint)) != 0)
                g_test_message("%s row %zu (%s)", nt->file, r + 2, name);
            g_assert_cmpstr(got_meaning, ==, cell(&t, r, meaning));
            g_assert_cmpstr(got_hint, ==, cell(&t, r, hint));
            n_code++;
        } else {
            /* OK/NO/BAD, +OK/-ERR are status indicators, not response codes */
            g_assert_cmpstr(cell(&t, r, kind), ==, "status");
            g_assert_null(got_meaning);
            g_assert_null(got_hint);
        }
        g_free(copy);
    }
    g_assert_cmpuint(n_code, ==, nt->count());
    tsv_free(&t);
}

/* ---- every row through the _count/_key walk ---- */

static void
test_enhanced_walk(void)
{
    size_t i, n = mailx_enhanced_detail_count();
    unsigned prev = 0, s, d;

    g_assert_cmpuint(n, >, 0);
    for (i = 0; i < n; i++) {
        mailx_enhanced_detail_key(i, &s, &d);
        g_assert_nonnull(mailx_enhanced_detail_title(s, d));
        /* every registered detail belongs to a registered subject */
        g_assert_nonnull(mailx_enhanced_subject_title(s));
        /* sorted and unique: the binary search depends on it */
        if (i > 0)
            g_assert_cmpuint(s * 1000 + d, >, prev);
        prev = s * 1000 + d;
    }
    mailx_enhanced_detail_key(n, &s, &d);
    g_assert_cmpuint(s, ==, 0);
    g_assert_cmpuint(d, ==, 0);
    g_assert_cmpstr(mailx_enhanced_detail_title(1, 1), ==, "Bad destination mailbox address");
    g_assert_cmpstr(mailx_enhanced_detail_title(7, 1), ==, "Delivery not authorized, message refused");
    g_assert_cmpstr(mailx_enhanced_subject_title(2), ==, "Mailbox Status");
    g_assert_cmpstr(mailx_enhanced_class_title(4), ==, "Persistent Transient Failure");
}

static void
test_basic_walk(void)
{
    size_t i, n = mailx_smtp_basic_count();
    unsigned prev = 0;

    g_assert_cmpuint(n, >, 0);
    for (i = 0; i < n; i++) {
        unsigned code = mailx_smtp_basic_key(i);

        g_assert_nonnull(mailx_smtp_basic_title(code));
        g_assert_cmpuint(code, >, prev);
        prev = code;
    }
    g_assert_cmpuint(mailx_smtp_basic_key(n), ==, 0);
    g_assert_cmpstr(mailx_smtp_basic_title(250), ==, "Requested mail action okay, completed");
}

typedef struct {
    name_lookup meaning, hint;
    size_t (*count)(void);
    const char *(*key)(size_t i);
} named_walk;

static const named_walk imap_walk = {
    mailx_imap_code_meaning, mailx_imap_code_hint, mailx_imap_code_count, mailx_imap_code_key
};
static const named_walk pop_walk = {
    mailx_pop_code_meaning, mailx_pop_code_hint, mailx_pop_code_count, mailx_pop_code_key
};

static void
test_named_walk(gconstpointer data)
{
    const named_walk *w = data;
    size_t i, n = w->count();
    const char *prev = NULL;

    g_assert_cmpuint(n, >, 0);
    for (i = 0; i < n; i++) {
        const char *key = w->key(i);
        size_t len = strlen(key);
        char *lower = g_ascii_strdown(key, -1);
        char *padded = g_strconcat(key, "X", NULL);

        g_assert_nonnull(w->meaning(key, len));
        g_assert_nonnull(w->hint(key, len));
        /* RFC 3501 s9: atoms are case-insensitive */
        g_assert_true(w->meaning(lower, len) == w->meaning(key, len));
        /* `len` decides, not a NUL: a longer buffer cut to len still matches,
           and a prefix or an extension of the key does not */
        g_assert_true(w->meaning(padded, len) == w->meaning(key, len));
        g_assert_null(w->meaning(padded, len + 1));
        g_assert_null(w->meaning(key, len - 1));
        if (prev != NULL)
            g_assert_cmpint(strcmp(prev, key), <, 0);
        prev = key;
        g_free(padded);
        g_free(lower);
    }
    g_assert_null(w->key(n));
}

static void
test_unknown(void)
{
    static const char alert_nul[] = { 'A', 'L', 'E', 'R', 'T', '\0' };

    g_assert_null(mailx_enhanced_detail_title(1, 999));
    g_assert_null(mailx_enhanced_detail_title(8, 0));
    g_assert_null(mailx_enhanced_detail_title(999, 999));
    g_assert_null(mailx_enhanced_detail_title(0, 1000));   /* not an alias of 1.0 */
    g_assert_null(mailx_enhanced_detail_title(G_MAXUINT, G_MAXUINT));
    g_assert_null(mailx_enhanced_subject_title(8));
    g_assert_null(mailx_enhanced_subject_title(1000));
    g_assert_null(mailx_enhanced_subject_title(G_MAXUINT));
    g_assert_null(mailx_enhanced_class_title(0));
    g_assert_null(mailx_enhanced_class_title(1));
    g_assert_null(mailx_enhanced_class_title(3));
    g_assert_null(mailx_enhanced_class_title(6));
    g_assert_null(mailx_smtp_basic_title(0));
    g_assert_null(mailx_smtp_basic_title(200));
    g_assert_null(mailx_smtp_basic_title(600));
    g_assert_null(mailx_smtp_basic_title(G_MAXUINT));
    g_assert_null(mailx_imap_code_meaning("NOPE", 4));
    g_assert_null(mailx_imap_code_meaning("", 0));
    g_assert_null(mailx_imap_code_meaning(NULL, 0));
    g_assert_null(mailx_imap_code_meaning("OK", 2));        /* a status, not a code */
    g_assert_null(mailx_imap_code_meaning(alert_nul, sizeof alert_nul));
    g_assert_null(mailx_imap_code_hint("ZZZZ", 4));
    g_assert_nonnull(mailx_imap_code_meaning("alert", 5));
    g_assert_cmpstr(mailx_imap_code_hint("OverQuota", 9), ==, "quota");
    g_assert_null(mailx_pop_code_meaning("+OK", 3));
    g_assert_null(mailx_pop_code_meaning("-ERR", 4));
    g_assert_null(mailx_pop_code_meaning("SYS/", 4));
    g_assert_null(mailx_pop_code_hint(NULL, 0));
    g_assert_cmpstr(mailx_pop_code_hint("sys/temp", 8), ==, "transient");
    /* the IMAP and POP tables are separate: AUTH is a POP3 code only */
    g_assert_null(mailx_imap_code_meaning("AUTH", 4));
    g_assert_nonnull(mailx_pop_code_meaning("AUTH", 4));
}

/* The TSVs in epan-ext/tables are copies of the shared reference: when the
 * shared directory is here, a drifted copy fails the build's tests. */
static void
test_copies_identical(void)
{
    const char *shared = g_getenv("MAILX_SHARED_REFERENCE");
    size_t i;

    if (shared == NULL || !g_file_test(shared, G_FILE_TEST_IS_DIR)) {
        g_test_skip("MAILX_SHARED_REFERENCE is not an existing directory; "
                    "cannot compare the table copies with the shared reference");
        return;
    }
    for (i = 0; i < G_N_ELEMENTS(tsv_files); i++) {
        char *ours_path = tables_path(tsv_files[i]);
        char *ref_path = g_build_filename(shared, tsv_files[i], NULL);
        char *ours = NULL, *ref = NULL;
        gsize ours_len = 0, ref_len = 0;

        g_assert_nonnull(ours_path);
        if (!g_file_get_contents(ours_path, &ours, &ours_len, NULL) ||
            !g_file_get_contents(ref_path, &ref, &ref_len, NULL))
            g_test_message("cannot read %s or %s", ours_path, ref_path);
        g_assert_nonnull(ours);
        g_assert_nonnull(ref);
        if (ours_len != ref_len || memcmp(ours, ref, ours_len) != 0)
            g_test_message("%s differs from %s: copy the shared table again", ours_path, ref_path);
        g_assert_cmpmem(ours, ours_len, ref, ref_len);
        g_free(ours);
        g_free(ref);
        g_free(ours_path);
        g_free(ref_path);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/code_tables/enhanced/walk", test_enhanced_walk);
    g_test_add_func("/code_tables/enhanced/tsv", test_enhanced_tsv);
    g_test_add_func("/code_tables/smtp-basic/walk", test_basic_walk);
    g_test_add_func("/code_tables/smtp-basic/tsv", test_basic_tsv);
    g_test_add_data_func("/code_tables/imap/walk", &imap_walk, test_named_walk);
    g_test_add_data_func("/code_tables/imap/tsv", &imap_table, test_named_tsv);
    g_test_add_data_func("/code_tables/pop/walk", &pop_walk, test_named_walk);
    g_test_add_data_func("/code_tables/pop/tsv", &pop_table, test_named_tsv);
    g_test_add_func("/code_tables/unknown", test_unknown);
    g_test_add_func("/code_tables/copies-identical-to-shared", test_copies_identical);
    return g_test_run();
}
