/* A record kept in one block, as small as its content: a head the caller
 * defines (holding one count byte per part), then the parts, each n elements
 * of a fixed size, one after another, 8-byte aligned. Counts up to
 * MAILX_PACK_NARROW_MAX sit in the head's count bytes; when one is larger, all
 * of them are 0xFF there and the counts follow the head as uint32_t (the wide
 * form, for the rare record with hundreds of elements). */
#ifndef MAILX_REC_PACK_H
#define MAILX_REC_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAILX_PACK_MAX_PARTS 8
#define MAILX_PACK_NARROW_MAX 254
#define MAILX_PACK_WIDE 0xFF
#define MAILX_PACK_ALIGN8(n) (((n) + 7) & ~(size_t)7)

typedef struct {
    unsigned parts;                         /* <= MAILX_PACK_MAX_PARTS */
    const size_t *elem;                     /* bytes of one element of each part */
    uint32_t n[MAILX_PACK_MAX_PARTS];       /* elements of each part */
} mailx_pack;

/* The writers are inline: one record is written per mail frame of the first
 * pass, from a caller whose part counts are constants. */

/* Fills the head's count bytes (nb[p->parts]) and returns the bytes after the
 * head: the wide counts if any, then every part (8-byte aligned). */
static inline size_t mailx_pack_prepare(const mailx_pack *p, uint8_t *nb)
{
    size_t size = 0;
    bool wide = false;
    for (unsigned i = 0; i < p->parts; i++) {
        wide |= p->n[i] > MAILX_PACK_NARROW_MAX;
        nb[i] = (uint8_t)p->n[i];
        size += MAILX_PACK_ALIGN8((size_t)p->n[i] * p->elem[i]);
    }
    if (wide) {
        memset(nb, MAILX_PACK_WIDE, p->parts);
        size += MAILX_PACK_ALIGN8(p->parts * sizeof(uint32_t));
    }
    return size;
}

/* Writes the body at `at` (8-byte aligned, as many bytes as mailx_pack_prepare
 * said): part i is n[i] * elem[i] bytes from src[i]. nb: as prepared. */
static inline void mailx_pack_write(const mailx_pack *p, const uint8_t *nb, uint8_t *at, const void *const *src)
{
    if (p->parts && nb[0] == MAILX_PACK_WIDE) {
        memcpy(at, p->n, p->parts * sizeof(uint32_t));
        at += MAILX_PACK_ALIGN8(p->parts * sizeof(uint32_t));
    }
    for (unsigned i = 0; i < p->parts; i++) {
        size_t len = (size_t)p->n[i] * p->elem[i];
        if (len)
            memcpy(at, src[i], len);
        at += MAILX_PACK_ALIGN8(len);
    }
}

/* Reads a body back: p->parts and p->elem as written, nb the head's count
 * bytes; sets p->n and part[i] (where part i starts in the body, NULL when empty).
 * Returns the body's bytes (what mailx_pack_prepare said): where whatever the
 * caller put after it starts. */
size_t mailx_pack_read(mailx_pack *p, const uint8_t *nb, const uint8_t *at, const void **part);

#endif
