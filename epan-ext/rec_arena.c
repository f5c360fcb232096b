/* Record arena: blocks cut from large chunks, freed all at once (rec_arena.h). */
#include "rec_arena.h"

#include <string.h>
#include <glib.h>

struct mailx_rec_chunk {
    mailx_rec_chunk *next;
    size_t size;                /* bytes of data after the header */
    /* data follows, 8-byte aligned (the header is 16 bytes) */
};

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)
#define CHUNK_DATA(c) ((uint8_t *)(c) + sizeof(mailx_rec_chunk))

void mailx_rec_arena_init(mailx_rec_arena *a)
{
    memset(a, 0, sizeof *a);
}

void mailx_rec_arena_clear(mailx_rec_arena *a)
{
    mailx_rec_chunk *c = a->chunks;
    while (c) {
        mailx_rec_chunk *next = c->next;
        g_free(c);
        c = next;
    }
    mailx_rec_arena_init(a);
}

static mailx_rec_chunk *chunk_new(mailx_rec_arena *a, size_t size)
{
    mailx_rec_chunk *c = (mailx_rec_chunk *)g_malloc0(sizeof *c + size);
    c->size = size;
    a->held += size;
    return c;
}

void *mailx_rec_arena_alloc_slow(mailx_rec_arena *a, size_t n)
{
    if (n == 0)
        return NULL;
    size_t need = ALIGN8(n);
    if (need < n)
        g_error("mailx_rec_arena_alloc: %zu bytes", n);     /* overflow: never from real sizes */
    if (need > MAILX_REC_ARENA_CHUNK / 4) {
        /* a chunk of its own, behind the newest ordinary one so that its free
           part stays in use */
        mailx_rec_chunk *c = chunk_new(a, need);
        if (a->chunks) {
            c->next = a->chunks->next;
            a->chunks->next = c;
        } else {
            a->chunks = c;
        }
        a->used += need;
        return CHUNK_DATA(c);
    }
    if ((size_t)(a->end - a->at) < need) {
        mailx_rec_chunk *c = chunk_new(a, MAILX_REC_ARENA_CHUNK);
        c->next = a->chunks;
        a->chunks = c;
        a->at = CHUNK_DATA(c);
        a->end = a->at + MAILX_REC_ARENA_CHUNK;
    }
    void *p = a->at;
    a->at += need;
    a->used += need;
    return p;
}

void *mailx_rec_arena_dup(mailx_rec_arena *a, const void *src, size_t n)
{
    void *p = mailx_rec_arena_alloc(a, n);
    if (p)
        memcpy(p, src, n);
    return p;
}
