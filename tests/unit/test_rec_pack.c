/* Table-driven tests of packed records: parts (count x element size) -> the
 * head's count bytes, narrow or wide, the body's size and where each part
 * starts; then written and read back, element bytes compared. */
#include <glib.h>
#include <string.h>

#include "rec_pack.h"

typedef struct {
    const char *name;
    unsigned parts;
    guint32 n[MAILX_PACK_MAX_PARTS];
    size_t elem[MAILX_PACK_MAX_PARTS];
    gboolean narrow;            /* the counts fit the head's bytes */
    size_t body;                        /* bytes after the head */
    int offset[MAILX_PACK_MAX_PARTS];   /* where each part starts in the body, -1: empty (NULL) */
} pack_case;

static const pack_case cases[] = {
    { "no parts", 0, { 0 }, { 0 }, TRUE, 0, { 0 } },
    { "all empty", 3, { 0, 0, 0 }, { 8, 32, 8 }, TRUE, 0, { -1, -1, -1 } },
    { "one reply of 32 bytes", 6, { 0, 0, 0, 1, 0, 0 }, { 8, 16, 8, 32, 8, 16 }, TRUE, 32,
      { -1, -1, -1, 0, -1, -1 } },
    { "parts rounded to 8", 4, { 1, 3, 1, 2 }, { 12, 12, 1, 8 }, TRUE, 16 + 40 + 8 + 16,
      { 0, 16, 56, 64 } },
    { "254 is narrow", 2, { 254, 1 }, { 8, 8 }, TRUE, 254 * 8 + 8, { 0, 254 * 8 } },
    { "255 is wide", 2, { 255, 1 }, { 8, 8 }, FALSE, 8 + 255 * 8 + 8, { 8, 8 + 255 * 8 } },
    { "wide: counts padded to 8", 3, { 1, 0, 70000 }, { 8, 8, 4 }, FALSE, 16 + 8 + 280000,
      { 16, -1, 24 } },
    { "an element size of 0 takes nothing", 2, { 5, 1 }, { 0, 8 }, TRUE, 8, { -1, 0 } },
    { "eight parts", 8, { 1, 1, 1, 1, 1, 1, 1, 1 }, { 1, 2, 3, 4, 5, 6, 7, 8 }, TRUE, 64,
      { 0, 8, 16, 24, 32, 40, 48, 56 } },
};

static void test_case(gconstpointer data)
{
    const pack_case *tc = (const pack_case *)data;
    mailx_pack p = { .parts = tc->parts, .elem = tc->elem };
    const void *src[MAILX_PACK_MAX_PARTS] = { 0 };
    guint8 *content[MAILX_PACK_MAX_PARTS] = { 0 };
    for (unsigned i = 0; i < tc->parts; i++) {
        p.n[i] = tc->n[i];
        size_t len = (size_t)tc->n[i] * tc->elem[i];
        content[i] = g_malloc(len + 1);
        for (size_t k = 0; k < len; k++)
            content[i][k] = (guint8)(i * 37 + k);
        src[i] = content[i];
    }
    guint8 nb[MAILX_PACK_MAX_PARTS];
    size_t body = mailx_pack_prepare(&p, nb);
    g_assert_cmpuint(body, ==, tc->body);
    for (unsigned i = 0; i < tc->parts; i++)
        g_assert_cmpuint(nb[i], ==, tc->narrow ? tc->n[i] : MAILX_PACK_WIDE);

    /* a guard byte after the body: nothing is written past it */
    guint8 *block = g_malloc0(body + 8 + 1);
    guint8 *at = block + 8;         /* 8-byte aligned, as after a head */
    at[body] = 0xA5;
    mailx_pack_write(&p, nb, at, src);
    g_assert_cmpuint(at[body], ==, 0xA5);

    mailx_pack back = { .parts = tc->parts, .elem = tc->elem };
    const void *part[MAILX_PACK_MAX_PARTS];
    g_assert_cmpuint(mailx_pack_read(&back, nb, at, part), ==, tc->body);
    for (unsigned i = 0; i < tc->parts; i++) {
        g_assert_cmpuint(back.n[i], ==, tc->n[i]);
        if (tc->offset[i] < 0) {
            g_assert_null(part[i]);
            continue;
        }
        g_assert_true((const guint8 *)part[i] == at + tc->offset[i]);
        g_assert_cmpuint(GPOINTER_TO_SIZE(part[i]) % 8, ==, 0);
        g_assert_cmpmem(part[i], (size_t)tc->n[i] * tc->elem[i], content[i], (size_t)tc->n[i] * tc->elem[i]);
    }
    g_free(block);
    for (unsigned i = 0; i < tc->parts; i++)
        g_free(content[i]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/rec_pack/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
    }
    return g_test_run();
}
