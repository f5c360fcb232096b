/* Table-driven tests of the per-frame record table: a sequence of stores and
 * look-ups (frame numbers) -> what each look-up finds, across chunk edges, out
 * of order, replaced, and checked against a plain reference map. */
#include <glib.h>

#include "frame_table.h"

typedef struct {
    const char *name;
    const char *ops;           /* "s5" stores frame 5 (record = its number), "g5" looks it up */
    const char *found;         /* per look-up: the record found, or '-' */
} table_case;

static const table_case cases[] = {
    { "empty table finds nothing", "g0 g1 g4294967295", "- - -" },
    { "in order", "s1 s3 s7 g1 g3 g7 g2 g8", "1 3 7 - -" },
    { "look-ups in any order", "s10 s20 s30 g30 g10 g20 g25 g5", "30 10 20 - -" },
    { "replaced in place", "s4 s9 s4 g4 g9", "4 9" },
    { "out of order goes to the side table", "s5 s9 s2 s7 s1 g1 g2 g5 g7 g9 g3", "1 2 5 7 9 -" },
    { "out of order replaced", "s5 s2 s2 g2 g5", "2 5" },
    { "frame 0 and the largest number", "s0 s4294967295 g0 g4294967295 g1", "0 4294967295 -" },
    { "above the highest record", "s5 s9 s2 g10 g9 s12 g12 g13 g2", "- 9 12 - 2" },
    { "only frame 0", "s0 g0 g1", "0 -" },
};

/* values kept in the table: the frame number under the top bit (never 0), so
 * that all 64 bits are carried */
#define VALUE_OF(num) (G_GUINT64_CONSTANT(0x8000000000000000) | (guint64)(num))

static void run_case(const table_case *tc, gboolean values)
{
    mailx_frame_table t;
    mailx_frame_table_init(&t);
    gchar **ops = g_strsplit(tc->ops, " ", -1);
    GString *got = g_string_new(NULL);
    for (gchar **o = ops; *o; o++) {
        guint32 num = (guint32)g_ascii_strtoull(*o + 1, NULL, 10);
        if (**o == 's') {
            /* record: a pointer that encodes the number (+1: never NULL) */
            if (values)
                mailx_frame_table_set_value(&t, num, VALUE_OF(num));
            else
                mailx_frame_table_set(&t, num, GSIZE_TO_POINTER((gsize)num + 1));
        } else {
            if (got->len)
                g_string_append_c(got, ' ');
            if (values) {
                guint64 v = mailx_frame_table_get_value(&t, num);
                if (v) {
                    g_assert_cmphex(v >> 32, ==, 0x80000000u);
                    g_string_append_printf(got, "%" G_GUINT64_FORMAT, v & 0xFFFFFFFFu);
                } else {
                    g_string_append_c(got, '-');
                }
                continue;
            }
            void *r = mailx_frame_table_get(&t, num);
            if (r)
                g_string_append_printf(got, "%" G_GSIZE_FORMAT, GPOINTER_TO_SIZE(r) - 1);
            else
                g_string_append_c(got, '-');
        }
    }
    g_strfreev(ops);
    g_assert_cmpstr(got->str, ==, tc->found);
    g_string_free(got, TRUE);
    mailx_frame_table_clear(&t);
    g_assert_cmpuint(mailx_frame_table_count(&t), ==, 0);
    g_assert_null(mailx_frame_table_get(&t, 1));
    g_assert_cmpuint(mailx_frame_table_get_value(&t, 1), ==, 0);
}

static void test_case(gconstpointer p)
{
    run_case((const table_case *)p, FALSE);
}

static void test_case_values(gconstpointer p)
{
    run_case((const table_case *)p, TRUE);
}

/* Many records over several chunks, every third frame, then a few out of
 * order; every frame number looked up in order, backwards and at random
 * against a GHashTable. */
static void test_against_hash(void)
{
    mailx_frame_table t;
    mailx_frame_table_init(&t);
    GHashTable *ref = g_hash_table_new(g_direct_hash, g_direct_equal);
    const guint32 last = 3 * (3 * MAILX_FRAME_TABLE_CHUNK + 17);
    for (guint32 n = 1; n <= last; n += 3) {
        mailx_frame_table_set(&t, n, GUINT_TO_POINTER(n));
        g_hash_table_insert(ref, GUINT_TO_POINTER(n), GUINT_TO_POINTER(n));
    }
    for (guint32 n = 2; n < 200; n += 30) {       /* out of order */
        mailx_frame_table_set(&t, n, GUINT_TO_POINTER(n));
        g_hash_table_insert(ref, GUINT_TO_POINTER(n), GUINT_TO_POINTER(n));
    }
    g_assert_cmpuint(mailx_frame_table_count(&t), ==, g_hash_table_size(ref));
    for (guint32 n = 0; n <= last + 2; n++)
        g_assert_true(mailx_frame_table_get(&t, n) == g_hash_table_lookup(ref, GUINT_TO_POINTER(n)));
    for (guint32 n = last + 2; n > 0; n--)
        g_assert_true(mailx_frame_table_get(&t, n) == g_hash_table_lookup(ref, GUINT_TO_POINTER(n)));
    GRand *r = g_rand_new_with_seed(8);
    for (int i = 0; i < 20000; i++) {
        guint32 n = (guint32)g_rand_int_range(r, 0, (gint32)last + 3);
        g_assert_true(mailx_frame_table_get(&t, n) == g_hash_table_lookup(ref, GUINT_TO_POINTER(n)));
    }
    g_rand_free(r);
    g_assert_cmpuint(mailx_frame_table_bytes(&t), <, 16 * mailx_frame_table_count(&t));
    mailx_frame_table_clear(&t);
    g_hash_table_destroy(ref);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/frame_table/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
        path = g_strdup_printf("/frame_table/values/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case_values);
        g_free(path);
    }
    g_test_add_func("/frame_table/against a hash table", test_against_hash);
    return g_test_run();
}
