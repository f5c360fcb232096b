/* SMTP reply lines: the basic code, the continuation mark and the optional
 * enhanced status code that starts the text. One line at a time, without its
 * CRLF; the text is returned as a view (offset, length) into the caller's bytes. */
#include "smtp_reply.h"

#include <string.h>

#include <glib.h>

bool
mailx_smtp_reply_parse(const uint8_t *line, size_t len, mailx_smtp_reply *out)
{
    mailx_enhanced_status st;
    size_t text_off;

    memset(out, 0, sizeof *out);
    if (line == NULL || len < 3)
        return false;

    /* RFC 5321 s4.2: Reply-code = %x32-35 %x30-35 %x30-39. The first digit is
     * widened to 1 (a positive preliminary reply, RFC 5321 s4.2.1): no SMTP
     * command asks for one, but a server that sends it has still replied, and
     * the caller is better placed to flag it than we are to call it garbage. */
    if (line[0] < '1' || line[0] > '5')
        return false;
    if (line[1] < '0' || line[1] > '5')
        return false;
    if (!g_ascii_isdigit(line[2]))
        return false;

    if (len == 3) {
        /* RFC 5321 s4.2: Reply-code [ SP textstring ]: the text is optional on
         * the last line, so a bare code ends the reply. */
        out->is_last = true;
    } else if (line[3] == ' ') {
        out->is_last = true;
    } else if (line[3] == '-') {
        /* RFC 5321 s4.2.1: "-" after the code on every line but the last. */
        out->is_last = false;
    } else {
        /* "2500 x", "250\tOK", "250OK": not a reply line. Some servers are
         * lenient about a tab, but RFC 5321 s4.2 names SP only and taking it
         * would let digits in a message body pass as replies. */
        return false;
    }

    out->code = (uint16_t)((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
    out->klass = (uint8_t)(line[0] - '0');

    text_off = len == 3 ? 3 : 4;
    /* RFC 2034 s4 / RFC 3463 s2: a text that starts with class.subject.detail and
     * SP (or ends there) carries an enhanced code, on every line of a multi-line
     * reply. Only the very start counts: "220 mx ESMTP 2.3.19" is a banner with
     * a version in it, not a code. A class that disagrees with the basic code
     * ("550 4.2.2") is kept as sent for the caller to flag. */
    if (text_off < len && mailx_enhanced_status_parse(line + text_off, len - text_off, &st)) {
        out->has_status = true;
        out->status = st;
        out->status_off = text_off;
        text_off += st.len;
        if (text_off < len)
            text_off++;                  /* the SP after the code */
    }
    out->text_off = text_off;
    out->text_len = len - text_off;
    return true;
}
