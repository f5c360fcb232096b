/* A table of per-frame records keyed by frame number, for what a dissector
 * keeps about some frames of a capture. Wireshark's p_add_proto_data costs a
 * list node and a proto_data_t per record (40 bytes with the allocator's
 * headers) and a list walk per look-up; here a record costs 12 bytes (its frame
 * number and pointer in fixed-size chunks, so growing never copies the table)
 * and a look-up is a binary search, or one compare when frames come in order
 * (the first pass, tshark's second pass). Records are added on the first pass
 * in frame order; one added out of order goes to a small side table. A record
 * is a pointer, or a value of up to 64 bits kept in the table itself (a
 * record that small costs no block of its own). */
#ifndef MAILX_FRAME_TABLE_H
#define MAILX_FRAME_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAILX_FRAME_TABLE_CHUNK 4096

typedef struct mailx_frame_chunk mailx_frame_chunk;

typedef struct {
    mailx_frame_chunk **chunks;     /* each full but the last */
    uint32_t n_chunks, chunks_cap;
    uint64_t count;                 /* records in the chunks */
    uint64_t cursor;                /* index of the last record found or added */
    /* records added with a frame number not above the last one (never on
       Wireshark's sequential first pass): sorted, searched after the chunks */
    uint32_t *late_num;
    uint64_t *late_rec;
    uint32_t late_count, late_cap;
    /* the highest frame number with a record: a look-up above it (every frame
       of Wireshark's first pass that has none yet) needs no search */
    uint32_t max_num;
} mailx_frame_table;

void mailx_frame_table_init(mailx_frame_table *t);
/* Frees the table's memory (not the records); the table is empty and usable again. */
void mailx_frame_table_clear(mailx_frame_table *t);
/* Adds or replaces the record of frame `num` (rec may not be NULL). */
void mailx_frame_table_set(mailx_frame_table *t, uint32_t num, void *rec);
/* The same with the record a value kept in the table (rec may not be 0). */
void mailx_frame_table_set_value(mailx_frame_table *t, uint32_t num, uint64_t rec);
/* The search behind the look-ups below (num not above max_num). */
uint64_t mailx_frame_table_search(mailx_frame_table *t, uint32_t num);
/* The value of frame `num`, or 0. Inline: most look-ups are above every record. */
static inline uint64_t mailx_frame_table_get_value(mailx_frame_table *t, uint32_t num)
{
    return num > t->max_num ? 0 : mailx_frame_table_search(t, num);
}
/* The record of frame `num`, or NULL (the same check, not inline). */
void *mailx_frame_table_get(mailx_frame_table *t, uint32_t num);
/* Records stored. */
uint64_t mailx_frame_table_count(const mailx_frame_table *t);
/* Bytes the table itself holds (for the memory figures in docs/hostile-input.md). */
size_t mailx_frame_table_bytes(const mailx_frame_table *t);

#endif
