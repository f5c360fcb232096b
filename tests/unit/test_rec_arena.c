/* Table-driven tests of the record arena: a sequence of request sizes -> every
 * block non-NULL (NULL for 0), 8-byte aligned, zeroed, not overlapping any
 * other, and the arena's byte counts; then cleared and used again. */
#include <glib.h>
#include <string.h>

#include "rec_arena.h"

typedef struct {
    const char *name;
    size_t sizes[8];            /* requests, 0-terminated after the first */
    size_t n;
    size_t used;                /* bytes handed out (8-byte aligned) */
    size_t held;                /* bytes of the chunks */
} arena_case;

#define BIG (MAILX_REC_ARENA_CHUNK / 4 + 1)
static const arena_case cases[] = {
    { "nothing asked, nothing held", { 0 }, 1, 0, 0 },
    { "one byte takes eight", { 1 }, 1, 8, MAILX_REC_ARENA_CHUNK },
    { "sizes round up to 8", { 1, 8, 9, 15, 16, 17 }, 6, 8 + 8 + 16 + 16 + 16 + 24, MAILX_REC_ARENA_CHUNK },
    { "a chunk filled exactly", { MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4,
                                  MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4 }, 4,
      MAILX_REC_ARENA_CHUNK, MAILX_REC_ARENA_CHUNK },
    { "the next block starts a new chunk", { MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4,
                                             MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4 - 8, 16 }, 5,
      MAILX_REC_ARENA_CHUNK + 8, 2 * MAILX_REC_ARENA_CHUNK },
    { "a large block gets its own chunk", { 8, BIG, 8 }, 3,
      8 + ((BIG + 7) & ~(size_t)7) + 8, MAILX_REC_ARENA_CHUNK + ((BIG + 7) & ~(size_t)7) },
    { "a large block first", { 3 * MAILX_REC_ARENA_CHUNK, 24 }, 2,
      3 * MAILX_REC_ARENA_CHUNK + 24, 4 * MAILX_REC_ARENA_CHUNK },
    { "zero-size requests in between", { 16, 0, 16 }, 3, 32, MAILX_REC_ARENA_CHUNK },
    /* the inline fast path's edges (rec_arena.h) */
    { "the last eight bytes of a chunk", { MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4,
                                           MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4 - 8, 8 }, 5,
      MAILX_REC_ARENA_CHUNK, MAILX_REC_ARENA_CHUNK },
    { "a quarter chunk fits, one byte more is a chunk of its own", { MAILX_REC_ARENA_CHUNK / 4, BIG, 1 }, 3,
      MAILX_REC_ARENA_CHUNK / 4 + ((BIG + 7) & ~(size_t)7) + 8,
      MAILX_REC_ARENA_CHUNK + ((BIG + 7) & ~(size_t)7) },
    { "the room left taken, the next byte starts a new chunk", { MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4,
                                                             MAILX_REC_ARENA_CHUNK / 4, MAILX_REC_ARENA_CHUNK / 4 - 8,
                                                             1, 1 }, 6,
      MAILX_REC_ARENA_CHUNK + 8, 2 * MAILX_REC_ARENA_CHUNK },
};

static void check_case(mailx_rec_arena *a, const arena_case *tc)
{
    guint8 *blk[8];
    for (size_t i = 0; i < tc->n; i++) {
        blk[i] = (guint8 *)mailx_rec_arena_alloc(a, tc->sizes[i]);
        if (tc->sizes[i] == 0) {
            g_assert_null(blk[i]);
            continue;
        }
        g_assert_nonnull(blk[i]);
        g_assert_cmpuint(GPOINTER_TO_SIZE(blk[i]) % 8, ==, 0);
        for (size_t k = 0; k < tc->sizes[i]; k++)
            g_assert_cmpuint(blk[i][k], ==, 0);
        memset(blk[i], (int)(i + 1), tc->sizes[i]);
    }
    /* no block was written over by a later one */
    for (size_t i = 0; i < tc->n; i++)
        for (size_t k = 0; k < tc->sizes[i]; k++)
            g_assert_cmpuint(blk[i][k], ==, i + 1);
    g_assert_cmpuint(a->used, ==, tc->used);
    g_assert_cmpuint(a->held, ==, tc->held);
}

static void test_case(gconstpointer p)
{
    const arena_case *tc = (const arena_case *)p;
    mailx_rec_arena a;
    mailx_rec_arena_init(&a);
    check_case(&a, tc);
    mailx_rec_arena_clear(&a);
    g_assert_cmpuint(a.used, ==, 0);
    g_assert_cmpuint(a.held, ==, 0);
    check_case(&a, tc);        /* usable again after clear */
    mailx_rec_arena_clear(&a);
}

static void test_dup(void)
{
    mailx_rec_arena a;
    mailx_rec_arena_init(&a);
    const char src[] = "250 2.0.0 Ok";
    char *d = (char *)mailx_rec_arena_dup(&a, src, sizeof src);
    g_assert_cmpstr(d, ==, src);
    g_assert_true(d != src);
    g_assert_null(mailx_rec_arena_dup(&a, src, 0));
    mailx_rec_arena_clear(&a);
}

/* Many records of mixed sizes, as a capture stores them: none overlap. */
static void test_many(void)
{
    mailx_rec_arena a;
    mailx_rec_arena_init(&a);
    GRand *r = g_rand_new_with_seed(8);
    enum { N = 20000 };
    guint32 **blk = g_new(guint32 *, N);
    for (guint32 i = 0; i < N; i++) {
        size_t n = (size_t)g_rand_int_range(r, 1, 200) * sizeof(guint32);
        if (i % 997 == 0)
            n = MAILX_REC_ARENA_CHUNK;
        blk[i] = (guint32 *)mailx_rec_arena_alloc(&a, n);
        blk[i][0] = i;
        blk[i][n / sizeof(guint32) - 1] = i;
    }
    for (guint32 i = 0; i < N; i++)
        g_assert_cmpuint(blk[i][0], ==, i);
    g_assert_cmpuint(a.used, <=, a.held);
    g_free(blk);
    g_rand_free(r);
    mailx_rec_arena_clear(&a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/rec_arena/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
    }
    g_test_add_func("/rec_arena/dup", test_dup);
    g_test_add_func("/rec_arena/many", test_many);
    return g_test_run();
}
