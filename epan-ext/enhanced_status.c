/* RFC 3463 enhanced status codes ("5.1.1") at the start of a byte buffer.
 * Shared by the SMTP reply parser, the plugin and the fuzz target: reads only
 * within `len`, never allocates, needs no NUL terminator. */
#include "enhanced_status.h"

#include <string.h>

#include <glib.h>

/* RFC 3463 s2: subject = 1*3digit, detail = 1*3digit. A fourth digit means the
 * text is not a status code ("5.1.1000"), so stop there rather than wrap. */
static bool
read_1to3_digits(const uint8_t *s, size_t len, size_t *pos, uint16_t *value)
{
    size_t start = *pos;
    unsigned v = 0;

    while (*pos < len && g_ascii_isdigit(s[*pos])) {
        if (*pos - start == 3)
            return false;
        v = v * 10 + (unsigned)(s[*pos] - '0');
        (*pos)++;
    }
    if (*pos == start)
        return false;
    *value = (uint16_t)v;
    return true;
}

bool
mailx_enhanced_status_parse(const uint8_t *s, size_t len, mailx_enhanced_status *out)
{
    mailx_enhanced_status st = {0};
    size_t pos;

    memset(out, 0, sizeof *out);
    if (s == NULL || len < 5)            /* the shortest code is "2.0.0" */
        return false;

    /* RFC 3463 s2: class = "2" / "4" / "5" */
    if (s[0] != '2' && s[0] != '4' && s[0] != '5')
        return false;
    st.klass = (uint8_t)(s[0] - '0');
    if (s[1] != '.')
        return false;

    pos = 2;
    if (!read_1to3_digits(s, len, &pos, &st.subject))
        return false;
    if (pos >= len || s[pos] != '.')
        return false;
    pos++;
    if (!read_1to3_digits(s, len, &pos, &st.detail))
        return false;

    /* RFC 2034 s4 puts SP between the code and the text; anything else glued
     * on ("2.3.19a", "5.1.1.1") makes it a different token, not a status code. */
    if (pos < len && s[pos] != ' ')
        return false;

    st.len = pos;
    *out = st;
    return true;
}
