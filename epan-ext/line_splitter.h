/* Splits a byte stream that arrives in arbitrary chunks (TCP segments as the
 * mail dissectors hand them over) into lines, carrying an incomplete line from
 * one chunk to the next. Also hands out raw byte runs (BDAT chunks, literals).
 * Memory is bounded: a carried line keeps at most its carry's keep limit
 * (MAILX_LINE_KEEP_MAX unless set, the preference mailx.line_keep_max); longer
 * lines are still delimited correctly but reported truncated, and counted. */
#ifndef MAILX_LINE_SPLITTER_H
#define MAILX_LINE_SPLITTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 5321 s4.5.3.1.6 limits a text line to 1000 octets; RFC 5322 s2.1.1 to 998
 * + CRLF. Keep a margin for servers that exceed it. */
#define MAILX_LINE_KEEP_MAX 4096
/* The range a keep limit may take: the buffer grows on demand up to it, so the
 * hard bound is what one hostile line may cost per direction of a session. */
#define MAILX_LINE_KEEP_MIN 1
#define MAILX_LINE_KEEP_HARD_MAX (1u << 20)

typedef struct {
    uint8_t *buf;      /* heap copy of the incomplete line (NULL when empty) */
    uint32_t kept;     /* bytes in buf (<= the keep limit) */
    uint32_t cap;
    uint32_t keep_max; /* the keep limit; 0: MAILX_LINE_KEEP_MAX (mailx_line_carry_keep) */
    uint64_t full;     /* bytes of the incomplete line seen so far (may exceed kept) */
    uint64_t cut;      /* lines (or carried runs) handed out cut so far; survives a clear */
    uint64_t handed;   /* mailx_line_next_piece: bytes of the current line already handed out */
    bool     last_cr;  /* the last carried byte was CR (its LF may open the next chunk) */
    bool     in_piece; /* mailx_line_next_piece handed out the start of the current line */
} mailx_line_carry;

typedef struct {
    const uint8_t *ptr;   /* the line without CR LF; valid until the next call */
    size_t   len;         /* bytes at ptr (may be less than full_len: truncated) */
    uint64_t full_len;    /* real length of the line without CR LF */
    uint64_t wire_len;    /* real length including the terminator (CRLF or LF) */
    bool     truncated;   /* len < full_len */
    bool     bare_lf;     /* ended by LF without CR (RFC 5321 s2.3.8 forbids it) */
    /* mailx_line_next_piece only (always false from mailx_line_next): */
    bool     more;        /* a piece of a line that continues: ptr/len are its next bytes,
                             full_len and wire_len are not known yet */
    bool     cont;        /* earlier pieces of this line were handed out before: ptr does not
                             start the line, and full_len / wire_len count the whole line */
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

/* Like mailx_line_next, but a line that would not fit the keep limit is handed
 * out in pieces instead of being cut (message content, where every byte
 * counts): pieces come with `more`, the last part of the line without it, and
 * every part after the first with `cont`. Only a line longer than the keep limit
 * is split, so a line that fits (". CR LF", a header line) comes whole; nothing
 * is dropped and nothing is counted as cut. */
bool mailx_line_next_piece(mailx_line_iter *it, mailx_line *out);

/* Up to `want` raw bytes from the current position: first any bytes held in the
 * carry, then from the chunk. Returns the number of bytes consumed (0 at the end).
 * *ptr and *n describe what is available for inspection (n may be less than the
 * returned count when carried bytes were truncated). */
uint64_t mailx_line_take_raw(mailx_line_iter *it, uint64_t want,
                             const uint8_t **ptr, size_t *n);

/* Bytes not yet consumed in the current chunk. */
size_t mailx_line_remaining(const mailx_line_iter *it);

/* Sets the keep limit (clamped to MAILX_LINE_KEEP_MIN..MAILX_LINE_KEEP_HARD_MAX);
 * set before the first line. */
void mailx_line_carry_keep(mailx_line_carry *carry, uint32_t keep_max);

/* Drops a carried partial line (stream reset, e.g. after STARTTLS) and frees it;
 * the keep limit and the cut count stay. */
void mailx_line_carry_clear(mailx_line_carry *carry);

#endif
