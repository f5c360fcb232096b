/* Line splitting across chunk boundaries with a bounded carry buffer.
 * See line_splitter.h for the contract. */
#include "line_splitter.h"

#include <glib.h>
#include <string.h>

void mailx_line_iter_init(mailx_line_iter *it, mailx_line_carry *carry,
                          const uint8_t *data, size_t len)
{
    it->carry = carry;
    it->data = data;
    it->len = data ? len : 0;
    it->pos = 0;
}

static uint32_t keep_of(const mailx_line_carry *c)
{
    return c->keep_max ? c->keep_max : MAILX_LINE_KEEP_MAX;
}

void mailx_line_carry_keep(mailx_line_carry *carry, uint32_t keep_max)
{
    carry->keep_max = keep_max < MAILX_LINE_KEEP_MIN ? MAILX_LINE_KEEP_MIN
                    : keep_max > MAILX_LINE_KEEP_HARD_MAX ? MAILX_LINE_KEEP_HARD_MAX : keep_max;
}

void mailx_line_carry_clear(mailx_line_carry *carry)
{
    g_free(carry->buf);
    carry->buf = NULL;
    carry->kept = 0;
    carry->cap = 0;
    carry->full = 0;
    carry->handed = 0;
    carry->last_cr = false;
    carry->in_piece = false;
}

static void carry_append(mailx_line_carry *c, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    c->full += n;
    c->last_cr = p[n - 1] == '\r';
    uint32_t keep = keep_of(c);
    if (c->kept >= keep)
        return;
    size_t room = keep - c->kept;
    if (n > room)
        n = room;
    if (n == 0)
        return;
    if (c->kept + n > c->cap) {
        /* grow geometrically, but never past the keep limit */
        uint32_t cap = c->cap ? c->cap : 128;
        while (cap < c->kept + n)
            cap *= 2;
        if (cap > keep)
            cap = keep;
        c->buf = g_realloc(c->buf, cap);
        c->cap = cap;
    }
    memcpy(c->buf + c->kept, p, n);
    c->kept += (uint32_t)n;
}

/* The line is complete: it is data[start..end) (without the LF), possibly preceded
 * by the carried bytes. Fills out; the carried part stays valid until the next call. */
static void finish_line(mailx_line_iter *it, size_t start, size_t end, mailx_line *out)
{
    mailx_line_carry *c = it->carry;
    bool carried = c->full > 0;
    /* the CR of CRLF may be the last byte of the previous chunk */
    bool cr = end > start ? it->data[end - 1] == '\r' : (carried && c->last_cr);
    const uint8_t *p;
    size_t n;
    uint64_t full;

    if (carried) {
        carry_append(c, it->data + start, end - start);
        p = c->buf;
        n = c->kept;
        full = c->full;
        c->full = 0;   /* the bytes stay in buf until the next append */
        c->kept = 0;
    } else {
        p = it->data + start;
        n = end - start;
        full = n;
    }
    /* full: this part of the line (all of it unless pieces went out before) */
    out->wire_len = full + 1 + c->handed;
    if (cr) {
        full--;
        if (n > full)
            n = (size_t)full;
    }
    out->bare_lf = !cr;
    out->ptr = n ? p : (const uint8_t *)"";
    out->len = n;
    out->truncated = n < full;
    out->more = false;
    out->cont = c->in_piece;
    out->full_len = full + c->handed;   /* pieces handed out before (mailx_line_next_piece) */
    c->handed = 0;
    c->in_piece = false;
    if (out->truncated)
        c->cut++;
}

/* mailx_line_next with the chunk's next LF (or NULL) already found. */
static bool line_next_at(mailx_line_iter *it, const uint8_t *lf, mailx_line *out)
{
    const uint8_t *start = it->data + it->pos;
    if (!lf) {
        carry_append(it->carry, start, it->len - it->pos);
        it->pos = it->len;
        return false;
    }
    size_t s = it->pos;
    size_t e = (size_t)(lf - it->data);
    it->pos = e + 1;
    finish_line(it, s, e, out);
    return true;
}

/* line_next_at for the usual case: a line that ends in the chunk, with
 * nothing carried and no piece of it handed out before; the same fields as
 * finish_line() gives then, read in place. */
static inline bool line_whole(mailx_line_iter *it, const uint8_t *lf, mailx_line *out)
{
    const mailx_line_carry *c = it->carry;
    if (!lf || c->full > 0 || c->in_piece)
        return line_next_at(it, lf, out);
    const uint8_t *start = it->data + it->pos;
    size_t n = (size_t)(lf - start);
    bool cr = n > 0 && start[n - 1] == '\r';
    it->pos += n + 1;
    out->wire_len = n + 1;
    n -= cr;
    out->ptr = n ? start : (const uint8_t *)"";
    out->len = n;
    out->full_len = n;
    out->truncated = false;
    out->bare_lf = !cr;
    out->more = false;
    out->cont = false;
    return true;
}

bool mailx_line_next(mailx_line_iter *it, mailx_line *out)
{
    if (it->pos >= it->len)
        return false;
    return line_whole(it, memchr(it->data + it->pos, '\n', it->len - it->pos), out);
}

/* A piece: bytes of a line that continues, handed out instead of kept. */
static bool give_piece(mailx_line_carry *c, const uint8_t *p, size_t n, mailx_line *out)
{
    out->ptr = p;
    out->len = n;
    out->full_len = 0;
    out->wire_len = 0;
    out->truncated = false;
    out->bare_lf = false;
    out->more = true;
    out->cont = c->in_piece;
    c->in_piece = true;
    c->handed += n;
    return true;
}

bool mailx_line_next_piece(mailx_line_iter *it, mailx_line *out)
{
    mailx_line_carry *c = it->carry;
    uint32_t keep = keep_of(c);
    if (it->pos >= it->len)
        return false;
    const uint8_t *start = it->data + it->pos;
    size_t rest = it->len - it->pos;
    const uint8_t *lf = memchr(start, '\n', rest);
    if (c->full > 0 && c->kept == c->full) {
        /* What the carry would have to hold: up to the line end (its CR, if any,
           need not be kept), or all of the chunk. Too much: the carried bytes go
           out as a piece (a CR among them is content: more of the line follows). */
        size_t n = lf ? (size_t)(lf - start) : rest;
        size_t need = lf && n > 0 && start[n - 1] == '\r' ? n - 1 : n;
        if ((uint64_t)c->kept + need > keep) {
            give_piece(c, c->buf, c->kept, out);
            c->full = 0;   /* the bytes stay in buf until the next append */
            c->kept = 0;
            c->last_cr = false;
            return true;
        }
    } else if (c->full == 0 && !lf && rest > keep) {
        /* Nothing carried, no line end, more than the limit: this chunk's bytes go
           out as a piece, straight from the chunk, but a final CR stays carried
           (it may be the first half of CR LF). */
        size_t give = start[rest - 1] == '\r' ? rest - 1 : rest;
        it->pos = it->len;
        give_piece(c, start, give, out);
        if (give < rest)
            carry_append(c, start + give, 1);
        return true;
    }
    /* the line fits (or ends in this chunk without a carry): as usual, with the
       LF already found */
    return line_whole(it, lf, out);
}

uint64_t mailx_line_take_raw(mailx_line_iter *it, uint64_t want,
                             const uint8_t **ptr, size_t *n)
{
    mailx_line_carry *c = it->carry;
    *ptr = NULL;
    *n = 0;
    if (want == 0)
        return 0;
    if (c->full > 0) {
        /* Bytes carried as a would-be line belong to the raw run. Hand them out
         * whole (the run is at least this long in practice; if not, the surplus is
         * dropped, which only happens on a protocol violation). */
        uint64_t got = c->full < want ? c->full : want;
        *ptr = c->buf;
        *n = c->kept < got ? c->kept : (size_t)got;
        if (*n < got)
            c->cut++;
        c->full = 0;
        c->kept = 0;
        return got;
    }
    size_t avail = it->len - it->pos;
    size_t take = (uint64_t)avail < want ? avail : (size_t)want;
    *ptr = it->data + it->pos;
    *n = take;
    it->pos += take;
    return take;
}

size_t mailx_line_remaining(const mailx_line_iter *it)
{
    return it->len - it->pos;
}
