/* Records by dense index in pages made on first use (index_table.h). */
#include "index_table.h"

#include <string.h>
#include <glib.h>

void mailx_index_table_init(mailx_index_table *t, size_t elem)
{
    memset(t, 0, sizeof *t);
    t->elem = elem;
}

void mailx_index_table_clear(mailx_index_table *t)
{
    for (uint32_t p = 0; p < t->n_pages; p++)
        g_free(t->pages[p]);
    g_free(t->pages);
    mailx_index_table_init(t, t->elem);
}

void *mailx_index_table_get(mailx_index_table *t, uint32_t i, bool create)
{
    uint32_t p = i / MAILX_INDEX_TABLE_PAGE;
    if (p >= t->n_pages) {
        if (!create)
            return NULL;
        /* the page array grows to the page asked for, doubling: powers of
           two up to 2^32 / PAGE slots, the most an index can need */
        uint32_t n = t->n_pages ? t->n_pages : 16;
        while (n <= p)
            n *= 2;
        t->pages = g_renew(uint8_t *, t->pages, n);
        memset(t->pages + t->n_pages, 0, (size_t)(n - t->n_pages) * sizeof *t->pages);
        t->n_pages = n;
    }
    if (!t->pages[p]) {
        if (!create)
            return NULL;
        t->pages[p] = g_malloc0(t->elem * MAILX_INDEX_TABLE_PAGE);
        t->pages_made++;
    }
    return t->pages[p] + (size_t)(i % MAILX_INDEX_TABLE_PAGE) * t->elem;
}

size_t mailx_index_table_bytes(const mailx_index_table *t)
{
    return (size_t)t->pages_made * t->elem * MAILX_INDEX_TABLE_PAGE + (size_t)t->n_pages * sizeof *t->pages;
}
