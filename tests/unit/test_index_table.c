/* Table-driven tests of the records by dense index: a sequence of writes and
 * look-ups (with or without making the page) -> what each look-up finds, across
 * page edges, at index 0 and the largest index; then many indexes against a
 * plain reference map, and the bytes held. */
#include <glib.h>
#include <string.h>

#include "index_table.h"

/* 12 bytes: a record size that is not a power of two */
typedef struct {
    guint32 set, value, check;
} rec12;

typedef struct {
    const char *name;
    const char *ops;    /* "w5" writes record 5 (value 5, check ~5), "g5" looks it up, "c5" looks it up making its page */
    const char *found;  /* per look-up: the record's value, '0' for a zero record, '-' for NULL */
} index_case;

static const index_case cases[] = {
    { "empty table finds nothing", "g0 g1 g4294967295", "- - -" },
    { "written, found", "w3 g3", "3" },
    { "record 0 written", "w0 g0 g1", "0 0" },
    { "same page, never written: zeros", "w3 g4 g511", "0 0" },
    { "next page not made", "w3 g512 g100000", "- -" },
    { "page edges", "w511 w512 w1023 w1024 g511 g512 g1023 g1024 g0 g1025", "511 512 1023 1024 0 0" },
    { "making a page gives zeros", "c700 g700 g701 g1023 g1024", "0 0 0 0 -" },
    { "written twice", "w9 w9 g9", "9" },
    { "index 0 and the largest", "w0 w4294967295 g0 g4294967295 g4294967294 g4294966784 g4294966783",
      "0 4294967295 0 0 -" },
    { "pages far apart", "w1 w2000000 g1 g2000000 g1000000", "1 2000000 -" },
};

static void test_case(gconstpointer p)
{
    const index_case *tc = (const index_case *)p;
    mailx_index_table t;
    mailx_index_table_init(&t, sizeof(rec12));
    gchar **ops = g_strsplit(tc->ops, " ", -1);
    GString *got = g_string_new(NULL);
    for (gchar **o = ops; *o; o++) {
        guint32 i = (guint32)g_ascii_strtoull(*o + 1, NULL, 10);
        if (**o == 'w') {
            rec12 *r = (rec12 *)mailx_index_table_get(&t, i, TRUE);
            g_assert_nonnull(r);
            g_assert_cmpuint(GPOINTER_TO_SIZE(r) % 4, ==, 0);
            r->set = 1;
            r->value = i;
            r->check = ~i;
            continue;
        }
        rec12 *r = (rec12 *)mailx_index_table_get(&t, i, **o == 'c');
        if (got->len)
            g_string_append_c(got, ' ');
        if (!r) {
            g_string_append_c(got, '-');
        } else if (!r->set) {
            g_assert_cmpuint(r->value, ==, 0);
            g_assert_cmpuint(r->check, ==, 0);
            g_string_append_c(got, '0');
        } else {
            g_assert_cmpuint(r->check, ==, ~r->value);
            g_string_append_printf(got, "%u", r->value);
        }
    }
    g_strfreev(ops);
    g_assert_cmpstr(got->str, ==, tc->found);
    g_string_free(got, TRUE);
    mailx_index_table_clear(&t);
    g_assert_null(mailx_index_table_get(&t, 0, FALSE));
    g_assert_cmpuint(mailx_index_table_bytes(&t), ==, 0);
}

/* Indexes as a capture's conversations give them: every fifth written, then all
 * read in order, backwards and at random against a GHashTable; records keep
 * their address while the page array grows; the bytes held are the pages made
 * and the page array. */
static void test_against_hash(void)
{
    mailx_index_table t;
    mailx_index_table_init(&t, sizeof(rec12));
    GHashTable *ref = g_hash_table_new(g_direct_hash, g_direct_equal);
    const guint32 last = 40 * MAILX_INDEX_TABLE_PAGE + 77;
    rec12 *first = NULL;
    for (guint32 i = 0; i <= last; i += 5) {
        rec12 *r = (rec12 *)mailx_index_table_get(&t, i, TRUE);
        if (!first)
            first = r;
        r->set = 1;
        r->value = i;
        g_hash_table_insert(ref, GUINT_TO_POINTER(i + 1), GUINT_TO_POINTER(i + 1));
    }
    g_assert_true(mailx_index_table_get(&t, 0, FALSE) == first);
    g_assert_cmpuint(first->set, ==, 1);
    for (guint32 i = 0; i <= last + MAILX_INDEX_TABLE_PAGE; i++) {
        rec12 *r = (rec12 *)mailx_index_table_get(&t, i, FALSE);
        guint32 want = GPOINTER_TO_UINT(g_hash_table_lookup(ref, GUINT_TO_POINTER(i + 1)));
        if (i > last / MAILX_INDEX_TABLE_PAGE * MAILX_INDEX_TABLE_PAGE + MAILX_INDEX_TABLE_PAGE - 1)
            g_assert_null(r);
        else
            g_assert_cmpuint(r->set ? r->value + 1 : 0, ==, want);
    }
    GRand *g = g_rand_new_with_seed(8);
    for (int k = 0; k < 20000; k++) {
        guint32 i = (guint32)g_rand_int_range(g, 0, (gint32)last + 1);
        rec12 *r = (rec12 *)mailx_index_table_get(&t, i, FALSE);
        g_assert_cmpuint(r->set ? r->value + 1 : 0, ==,
                         GPOINTER_TO_UINT(g_hash_table_lookup(ref, GUINT_TO_POINTER(i + 1))));
    }
    g_rand_free(g);
    guint32 pages = last / MAILX_INDEX_TABLE_PAGE + 1;
    g_assert_cmpuint(mailx_index_table_bytes(&t), ==,
                     pages * MAILX_INDEX_TABLE_PAGE * sizeof(rec12) + 64 * sizeof(void *));
    mailx_index_table_clear(&t);
    g_hash_table_destroy(ref);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/index_table/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
    }
    g_test_add_func("/index_table/against a hash table", test_against_hash);
    return g_test_run();
}
