/* Streaming base64 and quoted-printable decoders (RFC 2045 s6.7, s6.8). */
#include "decode.h"

#include <string.h>

/* 0..63 for the base64 alphabet, 64 for ignorable white space (CR, LF, SP,
 * HT), 65 for '=', 255 for anything else; indexed by the byte (one load per
 * input byte instead of a chain of range tests). */
static const uint8_t b64_class_of[256] = {
    255, 255, 255, 255, 255, 255, 255, 255, 255,  64,  64, 255, 255,  64, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
     64, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255, 255, 255,  63,
     52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255,  65, 255, 255,
    255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
     15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255, 255,
    255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
     41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

static uint8_t b64_class(uint8_t c)
{
    return b64_class_of[c];
}

void mailx_b64_init(mailx_b64_state *s)
{
    memset(s, 0, sizeof *s);
}

size_t mailx_b64_step(mailx_b64_state *s, const uint8_t *in, size_t len, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        /* between quanta, whole quanta of four alphabet bytes (most of a body
           line) decode at once; anything else goes byte by byte below */
        if (s->nacc == 0 && !s->ended) {
            while (i + 4 <= len) {
                uint8_t a = b64_class(in[i]), b = b64_class(in[i + 1]),
                        c = b64_class(in[i + 2]), d = b64_class(in[i + 3]);
                if ((a | b | c | d) & 0xc0)
                    break;
                uint32_t q = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | d;
                out[o++] = (uint8_t)(q >> 16);
                out[o++] = (uint8_t)(q >> 8);
                out[o++] = (uint8_t)q;
                i += 4;
            }
            if (i >= len)
                break;
        }
        uint8_t v = b64_class(in[i]);
        if (v == 64)
            continue;
        if (v == 255) {
            s->invalid++;
            continue;
        }
        if (s->ended) {
            if (v < 64)
                s->after_end++;
            continue;
        }
        if (v == 65) {
            /* padding: "xx==" or "xxx=" closes the last quantum */
            if (s->nacc == 2) {
                out[o++] = (uint8_t)(s->acc >> 4);
            } else if (s->nacc == 3) {
                out[o++] = (uint8_t)(s->acc >> 10);
                out[o++] = (uint8_t)(s->acc >> 2);
            } else if (s->nacc != 0) {
                s->invalid++;
            } else {
                /* a stray "=" between quanta: tolerated, counted */
                s->invalid++;
                continue;
            }
            s->nacc = 0;
            s->acc = 0;
            s->ended = true;
            continue;
        }
        s->acc = (s->acc << 6) | v;
        if (++s->nacc == 4) {
            out[o++] = (uint8_t)(s->acc >> 16);
            out[o++] = (uint8_t)(s->acc >> 8);
            out[o++] = (uint8_t)s->acc;
            s->acc = 0;
            s->nacc = 0;
        }
    }
    return o;
}

size_t mailx_b64_finish(mailx_b64_state *s, uint8_t *out)
{
    size_t o = 0;
    if (s->nacc == 2) {
        out[o++] = (uint8_t)(s->acc >> 4);
    } else if (s->nacc == 3) {
        out[o++] = (uint8_t)(s->acc >> 10);
        out[o++] = (uint8_t)(s->acc >> 2);
    } else if (s->nacc == 1) {
        s->invalid++;
    }
    s->nacc = 0;
    s->acc = 0;
    return o;
}

void mailx_qp_init(mailx_qp_state *s)
{
    memset(s, 0, sizeof *s);
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;   /* RFC 2045 s6.7 (1): should accept */
    return -1;
}

static size_t qp_flush_ws(mailx_qp_state *s, uint8_t *out)
{
    size_t n = s->nws;
    memcpy(out, s->ws, n);
    s->nws = 0;
    return n;
}

/* An escape that did not complete: its bytes are data (RFC 2045 s6.7 note 2
 * suggests decoders leave such sequences as they are). */
static size_t qp_flush_pend(mailx_qp_state *s, uint8_t *out)
{
    size_t n = s->npend;
    if (n)
        s->invalid++;
    memcpy(out, s->pend, n);
    s->npend = 0;
    return n;
}

size_t mailx_qp_step(mailx_qp_state *s, const uint8_t *in, size_t len, bool eol, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = in[i];
        if (s->npend == 1 && s->nws == 0 && hexval(c) >= 0) {
            s->pend[s->npend++] = c;
            continue;
        }
        if (s->npend == 2) {
            if (hexval(c) >= 0) {
                out[o++] = (uint8_t)(hexval(s->pend[1]) << 4 | hexval(c));
                s->npend = 0;
                continue;
            }
            o += qp_flush_pend(s, out + o);
        }
        if (c == ' ' || c == '\t') {
            if (s->nws == sizeof s->ws)
                o += qp_flush_ws(s, out + o);
            s->ws[s->nws++] = c;
            continue;
        }
        /* not white space: anything held is data after all */
        if (s->npend)
            o += qp_flush_pend(s, out + o);
        o += qp_flush_ws(s, out + o);
        if (c == '=') {
            s->pend[0] = c;
            s->npend = 1;
        } else {
            out[o++] = c;
        }
    }
    if (eol) {
        /* rule 3: trailing white space is not data; a final "=" is a soft break */
        s->nws = 0;
        if (s->npend == 1) {
            s->npend = 0;
        } else {
            o += qp_flush_pend(s, out + o);
            out[o++] = '\r';
            out[o++] = '\n';
        }
    }
    return o;
}

size_t mailx_qp_finish(mailx_qp_state *s, uint8_t *out)
{
    size_t o = 0;
    s->nws = 0;
    if (s->npend == 1)
        s->npend = 0;           /* a soft break just before the boundary */
    else
        o += qp_flush_pend(s, out);
    return o;
}
