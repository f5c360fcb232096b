/* SMTP reply lines (RFC 5321 s4.2) with the optional RFC 2034/3463 enhanced
 * status code after the basic code. Input is one line without its CRLF. */
#ifndef MAILX_SMTP_REPLY_H
#define MAILX_SMTP_REPLY_H

#include "enhanced_status.h"

typedef struct {
    uint16_t code;          /* three-digit basic code, 200..599 (also 1xx, see below) */
    uint8_t  klass;         /* first digit of the code */
    bool     is_last;       /* ' ' separator or bare code: last line of the reply; '-' => false */
    bool     has_status;    /* an enhanced status code follows the separator */
    mailx_enhanced_status status;
    size_t   status_off;    /* offset of the enhanced code in the line (valid when has_status) */
    size_t   text_off;      /* offset of the text after the separator (and after the enhanced code
                               and its space when present); == len when there is no text */
    size_t   text_len;
} mailx_smtp_reply;

/* RFC 5321 s4.2: Reply-line = *( Reply-code "-" [ textstring ] CRLF )
 *                             Reply-code [ SP textstring ] CRLF
 * Reply-code = %x32-35 %x30-35 %x30-39. We accept first digit 1..5, second 0..5,
 * third 0..9 (1xx is not used by SMTP but a server may send it; the caller decides).
 * A code must be followed by '-', ' ' or the end of line. Returns false for any
 * other line (the caller counts such lines as malformed replies). */
bool mailx_smtp_reply_parse(const uint8_t *line, size_t len, mailx_smtp_reply *out);

#endif
