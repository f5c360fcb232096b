/* Records packed into one block: count bytes, wide counts, aligned parts (rec_pack.h). */
#include "rec_pack.h"

#include <string.h>

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)

size_t mailx_pack_prepare(const mailx_pack *p, uint8_t *nb)
{
    size_t size = 0;
    bool wide = false;
    for (unsigned i = 0; i < p->parts; i++) {
        wide |= p->n[i] > MAILX_PACK_NARROW_MAX;
        nb[i] = (uint8_t)p->n[i];
        size += ALIGN8((size_t)p->n[i] * p->elem[i]);
    }
    if (wide) {
        memset(nb, MAILX_PACK_WIDE, p->parts);
        size += ALIGN8(p->parts * sizeof(uint32_t));
    }
    return size;
}

void mailx_pack_write(const mailx_pack *p, const uint8_t *nb, uint8_t *at, const void *const *src)
{
    if (p->parts && nb[0] == MAILX_PACK_WIDE) {
        memcpy(at, p->n, p->parts * sizeof(uint32_t));
        at += ALIGN8(p->parts * sizeof(uint32_t));
    }
    for (unsigned i = 0; i < p->parts; i++) {
        size_t len = (size_t)p->n[i] * p->elem[i];
        if (len)
            memcpy(at, src[i], len);
        at += ALIGN8(len);
    }
}

size_t mailx_pack_read(mailx_pack *p, const uint8_t *nb, const uint8_t *at, const void **part)
{
    const uint8_t *start = at;
    if (p->parts && nb[0] == MAILX_PACK_WIDE) {
        memcpy(p->n, at, p->parts * sizeof(uint32_t));
        at += ALIGN8(p->parts * sizeof(uint32_t));
    } else {
        for (unsigned i = 0; i < p->parts; i++)
            p->n[i] = nb[i];
    }
    for (unsigned i = 0; i < p->parts; i++) {
        size_t len = (size_t)p->n[i] * p->elem[i];
        part[i] = len ? at : NULL;
        at += ALIGN8(len);
    }
    return (size_t)(at - start);
}
