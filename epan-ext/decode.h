/* Streaming content-transfer-encoding decoders (RFC 2045 s6.7 quoted-printable,
 * s6.8 base64) for MIME bodies that arrive in arbitrary chunks. The state is a
 * few bytes; output never exceeds the input plus what the state carried, so a
 * caller-sized buffer of len + 4 bytes always suffices. Invalid input is
 * counted, never fatal: real mail carries broken encodings. */
#ifndef MAILX_DECODE_H
#define MAILX_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Output room a step may need beyond len (bytes carried between calls). */
#define MAILX_DECODE_SLACK 4

typedef struct {
    uint32_t acc;        /* sextets collected for the current quantum */
    uint8_t  nacc;       /* how many (0..3) */
    bool     ended;      /* '=' padding seen: later data is ignored (RFC 2045 s6.8) */
    uint64_t invalid;    /* bytes outside the base64 alphabet (other than CR, LF, space, tab) */
    uint64_t after_end;  /* alphabet bytes after the padding */
} mailx_b64_state;

void mailx_b64_init(mailx_b64_state *s);
/* Decodes len bytes into out (room for len + MAILX_DECODE_SLACK); returns bytes written. */
size_t mailx_b64_step(mailx_b64_state *s, const uint8_t *in, size_t len, uint8_t *out);
/* End of the body: a partial quantum of 2 or 3 sextets still yields 1 or 2 bytes
 * (decoders are lenient about missing padding); a lone sextet is invalid. */
size_t mailx_b64_finish(mailx_b64_state *s, uint8_t *out);

typedef struct {
    uint8_t  pend[3];    /* "=", "=X" waiting for the rest of an escape */
    uint8_t  npend;
    uint8_t  ws[64];     /* trailing white space held back: RFC 2045 s6.7 rule 3
                            says it is removed at the end of an encoded line */
    uint8_t  nws;
    uint64_t invalid;    /* "=" not followed by two hex digits or a line end */
} mailx_qp_state;

void mailx_qp_init(mailx_qp_state *s);
/* Decodes the bytes of one line or part of one; `eol` says a line break ends
 * this input (a hard break is written as CRLF unless the line ended in a soft
 * break "="). Returns bytes written to out (room for len + sizeof ws + 4). */
size_t mailx_qp_step(mailx_qp_state *s, const uint8_t *in, size_t len, bool eol, uint8_t *out);
/* End of body: flushes held bytes. */
size_t mailx_qp_finish(mailx_qp_state *s, uint8_t *out);

#define MAILX_QP_SLACK (64 + 8)

#endif
