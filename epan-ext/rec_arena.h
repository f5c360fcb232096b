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
/* n bytes, 8-byte aligned, zeroed; valid until the arena is cleared.
 * n == 0 gives NULL. */
void *mailx_rec_arena_alloc(mailx_rec_arena *a, size_t n);
/* A copy of n bytes of src (NULL when n == 0). */
void *mailx_rec_arena_dup(mailx_rec_arena *a, const void *src, size_t n);

#endif
