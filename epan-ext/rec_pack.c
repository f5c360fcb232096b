/* Records packed into one block: count bytes, wide counts, aligned parts
 * (rec_pack.h); reading one back (the writers are inline in rec_pack.h). */
#include "rec_pack.h"

#include <string.h>

size_t mailx_pack_read(mailx_pack *p, const uint8_t *nb, const uint8_t *at, const void **part)
{
    const uint8_t *start = at;
    if (p->parts && nb[0] == MAILX_PACK_WIDE) {
        memcpy(p->n, at, p->parts * sizeof(uint32_t));
        at += MAILX_PACK_ALIGN8(p->parts * sizeof(uint32_t));
    } else {
        for (unsigned i = 0; i < p->parts; i++)
            p->n[i] = nb[i];
    }
    for (unsigned i = 0; i < p->parts; i++) {
        size_t len = (size_t)p->n[i] * p->elem[i];
        part[i] = len ? at : NULL;
        at += MAILX_PACK_ALIGN8(len);
    }
    return (size_t)(at - start);
}
