/* Splits a byte stream that arrives in arbitrary chunks (TCP segments as the
 * mail dissectors hand them over) into lines, carrying an incomplete line from
 * one chunk to the next. Also hands out raw byte runs (BDAT chunks, literals).
 * Memory is bounded: a carried line keeps at most MAILX_LINE_KEEP_MAX bytes;
 * longer lines are still delimited correctly but reported truncated. */
#ifndef MAILX_LINE_SPLITTER_H
#define MAILX_LINE_SPLITTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 5321 s4.5.3.1.6 limits a text line to 1000 octets; RFC 5322 s2.1.1 to 998
 * + CRLF. Keep a margin for servers that exceed it. */
#define MAILX_LINE_KEEP_MAX 4096

typedef struct {
    uint8_t *buf;      /* heap copy of the incomplete line (NULL when empty) */
    uint32_t kept;     /* bytes in buf (<= MAILX_LINE_KEEP_MAX) */
    uint32_t cap;
    uint64_t full;     /* bytes of the incomplete line seen so far (may exceed kept) */
    bool     last_cr;  /* the last carried byte was CR (its LF may open the next chunk) */
} mailx_line_carry;

typedef struct {
    const uint8_t *ptr;   /* the line without CR LF; valid until the next call */
    size_t   len;         /* bytes at ptr (may be less than full_len: truncated) */
    uint64_t full_len;    /* real length of the line without CR LF */
    uint64_t wire_len;    /* real length including the terminator (CRLF or LF) */
    bool     truncated;   /* len < full_len */
    bool     bare_lf;     /* ended by LF without CR (RFC 5321 s2.3.8 forbids it) */
} mailx_line;

typedef struct {
    mailx_line_carry *carry;
    const uint8_t *data;
    size_t len;
    size_t pos;
} mailx_line_iter;

void mailx_line_iter_init(mailx_line_iter *it, mailx_line_carry *carry,
                          const uint8_t *data, size_t len);

/* Next complete line, or false at the end of the chunk (the remainder, if any,
 * is then kept in the carry for the next chunk). */
bool mailx_line_next(mailx_line_iter *it, mailx_line *out);

/* Up to `want` raw bytes from the current position: first any bytes held in the
 * carry, then from the chunk. Returns the number of bytes consumed (0 at the end).
 * *ptr and *n describe what is available for inspection (n may be less than the
 * returned count when carried bytes were truncated). */
uint64_t mailx_line_take_raw(mailx_line_iter *it, uint64_t want,
                             const uint8_t **ptr, size_t *n);

/* Bytes not yet consumed in the current chunk. */
size_t mailx_line_remaining(const mailx_line_iter *it);

/* Drops a carried partial line (stream reset, e.g. after STARTTLS) and frees it. */
void mailx_line_carry_clear(mailx_line_carry *carry);

#endif
