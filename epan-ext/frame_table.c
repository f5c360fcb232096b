/* Per-frame records keyed by frame number: append-mostly chunks searched by
 * binary search, with a cursor for in-order passes (frame_table.h). */
#include "frame_table.h"

#include <string.h>
#include <glib.h>

struct mailx_frame_chunk {
    uint32_t num[MAILX_FRAME_TABLE_CHUNK];
    uint64_t rec[MAILX_FRAME_TABLE_CHUNK];
};

void mailx_frame_table_init(mailx_frame_table *t)
{
    memset(t, 0, sizeof *t);
}

void mailx_frame_table_clear(mailx_frame_table *t)
{
    for (uint32_t i = 0; i < t->n_chunks; i++)
        g_free(t->chunks[i]);
    g_free(t->chunks);
    g_free(t->late_num);
    g_free(t->late_rec);
    mailx_frame_table_init(t);
}

static uint32_t num_at(const mailx_frame_table *t, uint64_t i)
{
    return t->chunks[i / MAILX_FRAME_TABLE_CHUNK]->num[i % MAILX_FRAME_TABLE_CHUNK];
}

static uint64_t *rec_at(const mailx_frame_table *t, uint64_t i)
{
    return &t->chunks[i / MAILX_FRAME_TABLE_CHUNK]->rec[i % MAILX_FRAME_TABLE_CHUNK];
}

/* Index of the first record with a frame number >= num (count if none). */
static uint64_t lower_bound(const mailx_frame_table *t, uint32_t num)
{
    uint64_t lo = 0, hi = t->count;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (num_at(t, mid) < num)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static uint32_t late_lower_bound(const mailx_frame_table *t, uint32_t num)
{
    uint32_t lo = 0, hi = t->late_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->late_num[mid] < num)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void append(mailx_frame_table *t, uint32_t num, uint64_t rec)
{
    if (t->count == (uint64_t)t->n_chunks * MAILX_FRAME_TABLE_CHUNK) {
        if (t->n_chunks == t->chunks_cap) {
            t->chunks_cap = t->chunks_cap ? t->chunks_cap * 2 : 16;
            t->chunks = g_renew(mailx_frame_chunk *, t->chunks, t->chunks_cap);
        }
        t->chunks[t->n_chunks++] = g_new(mailx_frame_chunk, 1);
    }
    t->chunks[t->count / MAILX_FRAME_TABLE_CHUNK]->num[t->count % MAILX_FRAME_TABLE_CHUNK] = num;
    *rec_at(t, t->count) = rec;
    t->cursor = t->count++;
}

static void late_set(mailx_frame_table *t, uint32_t num, uint64_t rec)
{
    uint32_t i = late_lower_bound(t, num);
    if (i < t->late_count && t->late_num[i] == num) {
        t->late_rec[i] = rec;
        return;
    }
    if (t->late_count == t->late_cap) {
        t->late_cap = t->late_cap ? t->late_cap * 2 : 8;
        t->late_num = g_renew(uint32_t, t->late_num, t->late_cap);
        t->late_rec = g_renew(uint64_t, t->late_rec, t->late_cap);
    }
    memmove(t->late_num + i + 1, t->late_num + i, (t->late_count - i) * sizeof *t->late_num);
    memmove(t->late_rec + i + 1, t->late_rec + i, (t->late_count - i) * sizeof *t->late_rec);
    t->late_num[i] = num;
    t->late_rec[i] = rec;
    t->late_count++;
}

void mailx_frame_table_set_value(mailx_frame_table *t, uint32_t num, uint64_t rec)
{
    if (num > t->max_num)
        t->max_num = num;
    if (t->count == 0 || num > num_at(t, t->count - 1)) {
        append(t, num, rec);
        return;
    }
    uint64_t i = lower_bound(t, num);
    if (i < t->count && num_at(t, i) == num) {
        *rec_at(t, i) = rec;
        t->cursor = i;
        return;
    }
    late_set(t, num, rec);
}

uint64_t mailx_frame_table_search(mailx_frame_table *t, uint32_t num)
{
    if (t->count) {
        uint64_t c = t->cursor;
        /* in-order passes: the record last found, or the next one */
        if (num_at(t, c) == num)
            return *rec_at(t, c);
        if (c + 1 < t->count && num_at(t, c + 1) == num) {
            t->cursor = c + 1;
            return *rec_at(t, c + 1);
        }
        if (num <= num_at(t, t->count - 1)) {
            uint64_t i = lower_bound(t, num);
            if (i < t->count && num_at(t, i) == num) {
                t->cursor = i;
                return *rec_at(t, i);
            }
        }
    }
    if (t->late_count) {
        uint32_t i = late_lower_bound(t, num);
        if (i < t->late_count && t->late_num[i] == num)
            return t->late_rec[i];
    }
    return 0;
}

void mailx_frame_table_set(mailx_frame_table *t, uint32_t num, void *rec)
{
    mailx_frame_table_set_value(t, num, (uint64_t)(uintptr_t)rec);
}

void *mailx_frame_table_get(mailx_frame_table *t, uint32_t num)
{
    return (void *)(uintptr_t)mailx_frame_table_get_value(t, num);
}

uint64_t mailx_frame_table_count(const mailx_frame_table *t)
{
    return t->count + t->late_count;
}

size_t mailx_frame_table_bytes(const mailx_frame_table *t)
{
    return (size_t)t->n_chunks * sizeof(mailx_frame_chunk) + t->chunks_cap * sizeof(mailx_frame_chunk *) +
           t->late_cap * (sizeof(uint32_t) + sizeof(uint64_t));
}
