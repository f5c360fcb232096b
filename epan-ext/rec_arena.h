/* An arena for the records a dissector keeps for the whole file: many small
 * blocks that are never freed one by one. Wireshark's file-scope allocator
 * puts a 16-byte header before each block and rounds it up to 16 bytes (~24
 * bytes more per record on average); here blocks are cut one after another
 * from large chunks, 8-byte aligned, and everything goes at once. */
#ifndef MAILX_REC_ARENA_H
#define MAILX_REC_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* Bytes per chunk; a request larger than a quarter of it gets a chunk of its own. */
#define MAILX_REC_ARENA_CHUNK (64 * 1024)

typedef struct mailx_rec_chunk mailx_rec_chunk;

typedef struct {
    mailx_rec_chunk *chunks;    /* newest first */
    uint8_t *at, *end;          /* the free part of the newest ordinary chunk */
    size_t used;                /* bytes handed out (aligned) */
    size_t held;                /* bytes of all chunks */
} mailx_rec_arena;

void mailx_rec_arena_init(mailx_rec_arena *a);
/* Frees every block of the arena; the arena is empty and usable again. */
void mailx_rec_arena_clear(mailx_rec_arena *a);
/* What mailx_rec_arena_alloc() does when the block does not fit the newest
 * chunk's free part (a new chunk, or one of its own), or n is 0 or huge. */
void *mailx_rec_arena_alloc_slow(mailx_rec_arena *a, size_t n);
/* n bytes, 8-byte aligned, zeroed; valid until the arena is cleared.
 * n == 0 gives NULL. Inline: most requests are cut from the newest chunk (a
 * record a frame, on the first pass), which is a compare and an add. */
static inline void *mailx_rec_arena_alloc(mailx_rec_arena *a, size_t n)
{
    size_t need = (n + 7) & ~(size_t)7;
    if (n != 0 && need >= n && need <= MAILX_REC_ARENA_CHUNK / 4 && (size_t)(a->end - a->at) >= need) {
        void *p = a->at;
        a->at += need;
        a->used += need;
        return p;
    }
    return mailx_rec_arena_alloc_slow(a, n);
}
/* A copy of n bytes of src (NULL when n == 0). */
void *mailx_rec_arena_dup(mailx_rec_arena *a, const void *src, size_t n);

#endif
