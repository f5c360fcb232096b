/* Small fixed-size records by a dense 32-bit index, such as Wireshark's
 * conversation index (conversation_t.conv_index: 0, 1, ... in order of
 * creation within a file). Records sit in pages of MAILX_INDEX_TABLE_PAGE,
 * made zeroed on first use, so a record costs its own bytes and nothing else:
 * no list or tree node per record as a conversation's proto data has, no hash
 * map entry. Indexes never used cost nothing but their page's slot (8 bytes
 * per page of indexes, in one array). */
#ifndef MAILX_INDEX_TABLE_H
#define MAILX_INDEX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAILX_INDEX_TABLE_PAGE 512

typedef struct {
    size_t elem;                    /* bytes of one record */
    uint8_t **pages;                /* [index / PAGE]: NULL until a record there is made */
    uint32_t n_pages;               /* slots in pages */
    uint32_t pages_made;
} mailx_index_table;

/* elem: bytes of a record (> 0). */
void mailx_index_table_init(mailx_index_table *t, size_t elem);
/* Frees every page; the table is empty and usable again with the same elem. */
void mailx_index_table_clear(mailx_index_table *t);
/* The record of index i: with `create`, made (zeroed) if its page was not;
 * without, NULL when its page was never made (a record in a made page that was
 * never written reads as zeros). The address stays valid until cleared. */
void *mailx_index_table_get(mailx_index_table *t, uint32_t i, bool create);
/* Bytes the table holds (pages and the page array). */
size_t mailx_index_table_bytes(const mailx_index_table *t);

#endif
