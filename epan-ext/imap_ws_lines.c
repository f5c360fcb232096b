/* The imap dissector's line loop (packet-imap.c dissect_imap and
 * dissect_imap_fetch, unchanged from Wireshark 4.0 to 4.6), replayed over plain
 * bytes to learn which lines it put imap.line items on. The tvb calls it makes
 * are mirrored with their exact semantics, quirks included: offsets are gint,
 * a '(' or '{' is searched for past the FETCH line, the literal size is added
 * to the '}' offset in unsigned arithmetic, and a LOGIN line with a password
 * token shorter than two bytes throws (tvb_get_string_enc with a negative
 * length), which ends the dissection after that line. */
#include "imap_ws_lines.h"

#include <string.h>

#include <glib.h>

typedef int64_t off_t64;

/* tvb_find_line_end(tvb, off, -1, &next, TRUE): the line's length, or -1 when
 * no terminator was found or a CR is the last byte (it might precede an LF). */
static off_t64 line_end(const uint8_t *b, off_t64 len, off_t64 off, off_t64 *next)
{
    const uint8_t *lf = memchr(b + off, '\n', (size_t)(len - off));
    off_t64 lim = lf ? lf - b : len;
    const uint8_t *cr = memchr(b + off, '\r', (size_t)(lim - off));
    if (cr) {
        off_t64 eol = cr - b;
        if (eol + 1 >= len)
            return -1;
        *next = b[eol + 1] == '\n' ? eol + 2 : eol + 1;
        return eol - off;
    }
    if (!lf)
        return -1;
    *next = lim + 1;
    return lim - off;
}

/* tvb_ws_mempbrk_pattern_guint8 over [off, off + n): the first space, CR or
 * LF, and with tab a tab too (the dissector's pattern has it, the one of
 * tvb_get_token_len has not) */
static off_t64 find_space(const uint8_t *b, off_t64 off, off_t64 n, bool tab)
{
    for (off_t64 i = off; i < off + n; i++)
        if (b[i] == ' ' || b[i] == '\r' || b[i] == '\n' || (tab && b[i] == '\t'))
            return i;
    return -1;
}

/* the separators of find_space with tab */
static inline bool is_space_tab(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* tvb_find_guint8(tvb, off, max, c), off within the captured bytes */
static off_t64 find_byte(const uint8_t *b, off_t64 len, off_t64 off, off_t64 max, uint8_t c)
{
    off_t64 lim = len - off;
    if (max >= 0 && lim > max)
        lim = max;
    const uint8_t *p = lim > 0 ? memchr(b + off, c, (size_t)lim) : NULL;
    return p ? p - b : -1;
}

/* tvb_get_token_len(tvb, off, n, &next, FALSE): a token ends at space, CR or LF */
static off_t64 token_len(const uint8_t *b, off_t64 len, off_t64 off, off_t64 n, off_t64 *next)
{
    off_t64 lim = len - off;
    if (n >= 0 && lim > n)
        lim = n;
    off_t64 e = find_space(b, off, lim, false);
    if (e < 0) {
        *next = off + n;
        return n;
    }
    *next = e + 1;
    return e - off;
}

/* ws_strtou32() of the string tvb_get_string_enc(ENC_ASCII) makes of the bytes
 * between '{' and '}': the C string ends at a NUL; a byte >= 0x80 becomes
 * U+FFFD (no digit); g_ascii_strtoull skips leading white space and takes a
 * sign, ws_strtou32 refuses a sign in the first byte and anything after the
 * digits. */
static bool size_value(const uint8_t *s, off_t64 n, uint32_t *out)
{
    const uint8_t *nul = memchr(s, '\0', (size_t)n);
    if (nul)
        n = nul - s;
    if (n == 0 || s[0] == '-' || s[0] == '+')
        return false;
    off_t64 i = 0;
    while (i < n && g_ascii_isspace(s[i]))
        i++;
    bool negative = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        negative = s[i++] == '-';
    if (i >= n || !g_ascii_isdigit(s[i]))
        return false;
    uint64_t v = 0;
    for (; i < n && g_ascii_isdigit(s[i]); i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (G_MAXUINT64 - d) / 10)
            return false;    /* ERANGE */
        v = v * 10 + d;
    }
    if (i < n)
        return false;        /* more than digits */
    if (negative)
        v = (uint64_t)0 - v;
    if (v > G_MAXUINT32)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* strncmp(ascii_strdown(tvb_get_string_enc(ENC_ASCII)), "login", n) == 0 for a
 * token that starts with 'l' or 'L' (no other command the dissector tests
 * starts with it, so this is the LOGIN branch). */
static bool token_is_login(const uint8_t *t, off_t64 n)
{
    static const char kw[] = "login";
    uint8_t conv[8];
    size_t c = 0;
    for (off_t64 i = 0; i < n && c < 6; i++) {
        if (t[i] < 0x80) {
            conv[c++] = t[i];
        } else {
            static const uint8_t repl[3] = { 0xEF, 0xBF, 0xBD };
            for (int k = 0; k < 3 && c < sizeof conv; k++)
                conv[c++] = repl[k];
        }
    }
    /* wmem_strndup(str, n) stops at n bytes or a NUL */
    if ((off_t64)c > n)
        c = (size_t)n;
    for (size_t i = 0; i < c; i++)
        if (conv[i] == '\0') {
            c = i;
            break;
        }
    for (off_t64 i = 0; i < n; i++) {
        int c1 = (size_t)i < c ? g_ascii_tolower(conv[i]) : 0;
        int c2 = i < 5 ? kw[i] : 0;
        if (c1 != c2)
            return false;
        if (c1 == 0)
            return true;
    }
    return true;
}

/* The body of dissect_imap for a line not starting with '*' throws only in
 * the LOGIN branch (client lines), when the password token is shorter than two
 * bytes: tvb_get_string_enc(offset + 1, tokenlen - 2). */
static bool login_throws(const uint8_t *b, off_t64 len, off_t64 off, off_t64 linelen)
{
    off_t64 next, next2;
    off_t64 tl = token_len(b, len, off, linelen, &next);
    if (tl != 0) {
        linelen -= next - off;
        off = next;
    }
    tl = token_len(b, len, off, linelen, &next2);
    if (tl == 0)
        return false;
    /* only UID (or a prefix of it) and LOGIN (or a prefix) pass the tests below */
    uint8_t c0 = b[off] | 0x20;
    if (c0 != 'u' && c0 != 'l')
        return false;
    off_t64 cmd_off = off, cmd_len = tl;
    if (c0 == 'u' && g_ascii_strncasecmp((const char *)b + off, "UID", (gsize)tl) == 0) {
        off_t64 uid_next;
        cmd_off = next2;
        cmd_len = token_len(b, len, next2, linelen - (next2 - off), &uid_next);
    }
    if (cmd_len <= 0 || (b[cmd_off] != 'l' && b[cmd_off] != 'L') || !token_is_login(b + cmd_off, cmd_len))
        return false;
    off_t64 user_next, pass_next;
    token_len(b, len, next2, linelen - (next2 - off), &user_next);
    off_t64 pass_len = token_len(b, len, user_next, linelen - (user_next - off), &pass_next);
    return pass_len < 2;
}

/* tvb_reported_length_remaining(tvb, off): 0 when off is past the captured
 * bytes; a negative off counts from the end */
static off_t64 reported_remaining(off_t64 len, off_t64 rep, off_t64 off, off_t64 *abs)
{
    if (off >= 0) {
        if (off > len)
            return 0;
        *abs = off;
    } else {
        if (-off > len)
            return 0;
        *abs = len + off;
    }
    return rep - *abs;
}

typedef enum { FETCH_MORE, FETCH_LINE, FETCH_THROW } fetch_result;

/* dissect_imap_fetch: FETCH_LINE puts an item over [off, *next) (and moves
 * *next past a literal), FETCH_MORE asks for more data (no item), FETCH_THROW
 * puts the item and then throws. */
static fetch_result fetch(const uint8_t *b, off_t64 len, off_t64 rep, off_t64 fetch_off,
                          off_t64 *next, off_t64 *item_end)
{
    off_t64 fp = find_byte(b, len, fetch_off, -1, '(');
    if (fp < 0)
        return FETCH_MORE;
    off_t64 remaining_size = rep - (fp + 1);
    if (remaining_size <= 0)
        return FETCH_MORE;
    off_t64 ss = find_byte(b, len, fp, remaining_size, '{');
    if (ss < 0) {
        off_t64 n;
        if (line_end(b, len, fp, &n) < 0)
            return FETCH_MORE;
        *next = n;
        *item_end = n;
        return FETCH_LINE;
    }
    off_t64 se = find_byte(b, len, ss + 1, remaining_size - (ss - fp), '}');
    if (se <= 0)
        return FETCH_MORE;
    uint32_t size;
    if (!size_value(b + ss + 1, se - ss - 1, &size))
        return FETCH_MORE;
    /* size_end + size: int + guint32, passed on as a gint */
    off_t64 at, off = (int32_t)(uint32_t)((uint32_t)se + size);
    off_t64 remaining = reported_remaining(len, rep, off, &at);
    if (remaining <= 0 || find_byte(b, len, at, remaining, ')') < 0)
        return FETCH_MORE;
    *item_end = *next;
    /* tvb_new_subset_length(tvb, next, size) refuses a length below -1 */
    if ((int32_t)size < -1)
        return FETCH_THROW;
    int32_t moved = (int32_t)(uint32_t)((uint32_t)*next + size);
    if (moved > *next)
        *next = moved;
    return FETCH_LINE;
}

bool mailx_imap_ws_last_line(const uint8_t *buf, size_t cap, bool cut, bool is_request,
                             size_t min_start, size_t *line_start, size_t *line_end_out)
{
    if (!buf || cap == 0 || cap > G_MAXINT32)
        return false;
    const off_t64 len = (off_t64)cap;
    const off_t64 rep = cut ? len + 1 : len;   /* only "more than captured" matters */
    bool found = false;
    off_t64 off = 0;
    while (off < len) {
        off_t64 next;
        off_t64 linelen = line_end(buf, len, off, &next);
        if (linelen < 0)
            break;          /* desegment: the rest comes again */
        off_t64 item_end = next;
        bool item = true, stop = false;
        if (buf[off] == '*') {
            /* The dissector splits the line after the '*' into up to three
               tokens (runs of bytes other than space, tab, CR and LF) and, when
               there are at least two, looks for FETCH among them, in order;
               only a token starting with f or F can pass its comparison. So a
               token's end is looked for only when it may be FETCH or leads to
               the next token, and none after a hit but the second's start. */
            off_t64 i = off + 1, hit_s = -1, hit_e = -1;
            int count = 0;
            while (count < 3) {
                while (i < next && is_space_tab(buf[i]))
                    i++;
                if (i >= next)
                    break;
                count++;
                if (hit_s >= 0)
                    break;
                bool f = (buf[i] | 0x20) == 'f';
                if (!f && count == 3)
                    break;
                off_t64 ts = i;
                while (i < next && !is_space_tab(buf[i]))
                    i++;
                if (i >= next) {
                    count--;    /* no separator after it: the dissector sees no token */
                    break;
                }
                if (f && g_ascii_strncasecmp((const char *)buf + ts, "FETCH", (gsize)(i - ts)) == 0) {
                    hit_s = ts;
                    hit_e = i;
                }
            }
            if (hit_s >= 0 && count >= 2) {
                fetch_result r = fetch(buf, len, rep, hit_e, &next, &item_end);
                if (r == FETCH_MORE)
                    return found;
                stop = r == FETCH_THROW;
            }
        } else if (is_request) {
            stop = login_throws(buf, len, off, linelen);
        }
        if (item && off >= (off_t64)min_start) {
            *line_start = (size_t)off;
            *line_end_out = (size_t)item_end;
            found = true;
        }
        if (stop)
            break;
        off = next;
    }
    return found;
}
