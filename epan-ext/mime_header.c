/* MIME header values: RFC 2047 encoded words, RFC 2045 s5.1 / RFC 2231
 * parameters, addresses. Every output is bounded and valid UTF-8. */
#include "mime_header.h"
#include "ascii_case.h"

#include <glib.h>
#include <string.h>

#include "decode.h"

/* Valid UTF-8 without control characters, cut at max bytes on a character
 * boundary. Takes ownership of s. */
static char *sanitize_utf8(char *s, size_t max)
{
    /* Most header text is printable ASCII (tabs allowed): the result is then
       the same bytes with tabs as spaces, cut at max, with no copy. Only the
       first max bytes matter: when they are all printable ASCII, the walk
       below would keep exactly them too, whatever follows. */
    const unsigned char *u = (const unsigned char *)s;
    size_t n = 0;
    while (n < max && ((u[n] >= 0x20 && u[n] < 0x7f) || u[n] == '\t'))
        n++;
    if (n == max || s[n] == '\0') {
        s[n] = '\0';
        for (char *t = strchr(s, '\t'); t; t = strchr(t + 1, '\t'))
            *t = ' ';
        return s;
    }
    /* callers may hand raw header bytes: walk only valid UTF-8 */
    if (!g_utf8_validate(s, -1, NULL)) {
        char *v = g_utf8_make_valid(s, -1);
        g_free(s);
        s = v;
    }
    GString *out = g_string_sized_new(strlen(s) + 1);
    const char *p = s;
    while (*p) {
        gunichar c = g_utf8_get_char(p);
        const char *next = g_utf8_next_char(p);
        size_t clen = (size_t)(next - p);
        if (c == '\t') {
            c = ' ';
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
            c = 0xfffd;
        }
        char buf[6];
        clen = (size_t)g_unichar_to_utf8(c, buf);
        if (out->len + clen > max)
            break;
        g_string_append_len(out, buf, (gssize)clen);
        p = next;
    }
    g_free(s);
    return g_string_free(out, FALSE);
}

static bool is_utf8_name(const char *cs)
{
    return !g_ascii_strcasecmp(cs, "utf-8") || !g_ascii_strcasecmp(cs, "utf8") ||
           !g_ascii_strcasecmp(cs, "us-ascii") || !g_ascii_strcasecmp(cs, "ascii");
}

/* Bytes to valid UTF-8 (unbounded; the caller sanitizes and cuts). */
static char *to_utf8(const char *charset, const uint8_t *b, size_t len, bool *bad)
{
    if (len == 0 || !b)
        return g_strdup("");   /* an empty GByteArray has no data pointer */
    if (charset && *charset && !is_utf8_name(charset)) {
        gsize written = 0;
        GError *err = NULL;
        char *r = g_convert((const char *)b, (gssize)len, "UTF-8", charset, NULL, &written, &err);
        if (r && !err && g_utf8_validate(r, (gssize)written, NULL) && strlen(r) == written)
            return r;
        g_clear_error(&err);
        g_free(r);
        if (bad)
            *bad = true;
    }
    if (g_utf8_validate((const char *)b, (gssize)len, NULL) && !memchr(b, 0, len))
        return g_strndup((const char *)b, len);
    if (charset && *charset && is_utf8_name(charset) && bad)
        *bad = true;
    /* ISO-8859-1 maps every byte: the fallback that always works */
    GString *s = g_string_sized_new(len * 2 + 1);
    for (size_t i = 0; i < len; i++)
        g_string_append_unichar(s, b[i] ? b[i] : 0xfffd);
    return g_string_free(s, FALSE);
}

char *mailx_charset_to_utf8(const char *charset, const uint8_t *b, size_t len, size_t max,
                            bool *bad)
{
    return sanitize_utf8(to_utf8(charset, b, len, bad), max);
}

/* ---- RFC 2047 ---- */

/* Parses "=?charset?E?text?=" at s[i]; on success fills charset (without an
 * RFC 2231 s5 "*lang" suffix), appends the decoded bytes and returns the end. */
static size_t parse_encoded_word(const char *s, size_t len, size_t i, char *charset,
                                 size_t cs_cap, GByteArray *bytes)
{
    size_t p = i + 2;
    size_t cs_start = p;
    while (p < len && s[p] != '?' && s[p] != ' ' && s[p] != '\t' && p - cs_start < cs_cap - 1)
        p++;
    if (p >= len || s[p] != '?' || p == cs_start)
        return 0;
    size_t cs_len = p - cs_start;
    memcpy(charset, s + cs_start, cs_len);
    charset[cs_len] = '\0';
    char *star = strchr(charset, '*');
    if (star)
        *star = '\0';
    p++;
    if (p + 1 >= len || s[p + 1] != '?')
        return 0;
    char enc = g_ascii_toupper(s[p]);
    if (enc != 'B' && enc != 'Q')
        return 0;
    p += 2;
    size_t t_start = p;
    /* RFC 2047 s2: no white space inside an encoded word */
    while (p + 1 < len && !(s[p] == '?' && s[p + 1] == '=') && s[p] != ' ' && s[p] != '\t')
        p++;
    if (p + 1 >= len || s[p] != '?' || s[p + 1] != '=')
        return 0;
    size_t t_len = p - t_start;
    if (enc == 'B') {
        mailx_b64_state st;
        mailx_b64_init(&st);
        guint old = bytes->len;
        g_byte_array_set_size(bytes, old + (guint)t_len + MAILX_DECODE_SLACK);
        size_t n = mailx_b64_step(&st, (const uint8_t *)s + t_start, t_len, bytes->data + old);
        n += mailx_b64_finish(&st, bytes->data + old + n);
        g_byte_array_set_size(bytes, old + (guint)n);
    } else {
        /* RFC 2047 s4.2: "_" is a space, "=XX" a byte */
        for (size_t k = t_start; k < t_start + t_len; k++) {
            uint8_t c = (uint8_t)s[k];
            if (c == '_') {
                c = ' ';
            } else if (c == '=' && k + 2 < t_start + t_len &&
                       g_ascii_isxdigit(s[k + 1]) && g_ascii_isxdigit(s[k + 2])) {
                c = (uint8_t)(g_ascii_xdigit_value(s[k + 1]) << 4 | g_ascii_xdigit_value(s[k + 2]));
                k += 2;
            }
            g_byte_array_append(bytes, &c, 1);
        }
    }
    return p + 2;
}

static bool all_space(const char *s, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++)
        if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r' && s[k] != '\n')
            return false;
    return true;
}

static void flush_word(GString *out, GByteArray *pend, const char *charset)
{
    if (pend->len == 0)
        return;
    char *u = to_utf8(charset, pend->data, pend->len, NULL);
    g_string_append(out, u);
    g_free(u);
    g_byte_array_set_size(pend, 0);
}

/* Is there an "=?" (what an encoded word starts with) in s[0..len)? */
static bool has_word_start(const char *s, size_t len)
{
    if (len < 2)
        return false;   /* s may be NULL then (an empty GByteArray) */
    const char *p = s, *end = s + len;
    while (end - p >= 2 && (p = memchr(p, '=', (size_t)(end - p - 1))) != NULL) {
        if (p[1] == '?')
            return true;
        p++;
    }
    return false;
}

char *mailx_rfc2047_decode(const char *s, size_t len, size_t max)
{
    /* no encoded word: the text as it is (most header values) */
    if (!has_word_start(s, len))
        return sanitize_utf8(to_utf8(NULL, (const uint8_t *)s, len, NULL), max);
    GString *out = g_string_new(NULL);
    GByteArray *pend = g_byte_array_new();
    GByteArray *word = g_byte_array_new();
    char pend_cs[65] = "", cs[65];
    bool last_was_word = false;
    size_t raw_start = 0;
    /* stop early: more input than the output can hold is pointless work */
    size_t limit = len;
    for (size_t i = 0; i < limit && out->len <= max; ) {
        size_t end = 0;
        if (s[i] == '=' && i + 1 < limit && s[i + 1] == '?') {
            g_byte_array_set_size(word, 0);
            end = parse_encoded_word(s, limit, i, cs, sizeof cs, word);
        }
        if (!end) {
            i++;
            continue;
        }
        bool glue = last_was_word && all_space(s, raw_start, i);
        if (!glue) {
            flush_word(out, pend, pend_cs);
            char *u = to_utf8(NULL, (const uint8_t *)s + raw_start, i - raw_start, NULL);
            g_string_append(out, u);
            g_free(u);
        }
        /* adjacent words in one charset are joined before conversion, so a
         * multi-byte character split across two words survives */
        if (g_ascii_strcasecmp(cs, pend_cs) != 0) {
            flush_word(out, pend, pend_cs);
            g_strlcpy(pend_cs, cs, sizeof pend_cs);
        }
        g_byte_array_append(pend, word->data, word->len);
        last_was_word = true;
        i = end;
        raw_start = end;
    }
    flush_word(out, pend, pend_cs);
    if (raw_start < limit && out->len <= max) {
        char *u = to_utf8(NULL, (const uint8_t *)s + raw_start, limit - raw_start, NULL);
        g_string_append(out, u);
        g_free(u);
    }
    g_byte_array_free(pend, TRUE);
    g_byte_array_free(word, TRUE);
    return sanitize_utf8(g_string_free(out, FALSE), max);
}

/* ---- RFC 2045 s5.1 content types and parameters ---- */

static bool is_tspecial(char c)
{
    return strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

static bool is_token_char(char c)
{
    return (unsigned char)c > 32 && (unsigned char)c < 127 && !is_tspecial(c);
}

/* Skips white space and RFC 5322 comments (nested, bounded by len). */
static size_t skip_cfws(const char *v, size_t len, size_t p)
{
    while (p < len) {
        if (v[p] == ' ' || v[p] == '\t' || v[p] == '\r' || v[p] == '\n') {
            p++;
        } else if (v[p] == '(') {
            int depth = 0;
            while (p < len) {
                if (v[p] == '\\' && p + 1 < len) { p += 2; continue; }
                if (v[p] == '(') depth++;
                else if (v[p] == ')' && --depth == 0) { p++; break; }
                p++;
            }
        } else {
            break;
        }
    }
    return p;
}

static size_t scan_token(const char *v, size_t len, size_t p)
{
    while (p < len && is_token_char(v[p]))
        p++;
    return p;
}

char *mailx_mime_type(const char *v, size_t len)
{
    size_t p = skip_cfws(v, len, 0);
    size_t t0 = p;
    p = scan_token(v, len, p);
    if (p == t0 || p >= len || v[p] != '/')
        return NULL;
    size_t t1 = p;
    p++;
    size_t s0 = p;
    p = scan_token(v, len, p);
    if (p == s0)
        return NULL;
    if (p - t0 > 255)
        return NULL;
    (void)t1;
    return g_ascii_strdown(v + t0, (gssize)(p - t0));
}

char *mailx_mime_disposition(const char *v, size_t len)
{
    size_t p = skip_cfws(v, len, 0);
    size_t t0 = p;
    p = scan_token(v, len, p);
    if (p == t0 || p - t0 > 64)
        return NULL;
    return g_ascii_strdown(v + t0, (gssize)(p - t0));
}

typedef struct {
    bool present, extended;
    GByteArray *bytes;
} param_section;

#define PARAM_VALUE_MAX (64 * 1024)

/* Appends v[a..b) to `into` without its CR and LF bytes, up to PARAM_VALUE_MAX. */
static void append_run(GByteArray *into, const char *v, size_t a, size_t b)
{
    while (a < b && into->len < PARAM_VALUE_MAX) {
        /* the next CR or LF: a folded value has one pair, most have none */
        const char *cr = memchr(v + a, '\r', b - a);
        size_t e = cr ? (size_t)(cr - v) : b;
        const char *lf = e > a ? memchr(v + a, '\n', e - a) : NULL;
        if (lf)
            e = (size_t)(lf - v);
        size_t n = MIN(e - a, PARAM_VALUE_MAX - (size_t)into->len);
        if (n)
            g_byte_array_append(into, (const guint8 *)v + a, (guint)n);
        a = e + 1;
    }
}

/* Appends the value at v[p..] (quoted-string or token run) to `into` (NULL:
 * only skipped); returns the position after it. `quoted` tells which form it was. */
static size_t scan_value(const char *v, size_t len, size_t p, GByteArray *into, bool *quoted)
{
    *quoted = false;
    if (p < len && v[p] == '"') {
        *quoted = true;
        p++;
        /* RFC 5322 s3.2.4: a backslash quotes the next byte (a quote too); the
           bytes between escapes go over in runs; a backslash as the very last
           byte is data */
        size_t run = p;
        for (;;) {
            const char *q = memchr(v + p, '"', len - p);
            size_t qe = q ? (size_t)(q - v) : len;
            const char *bs = qe > p ? memchr(v + p, '\\', qe - p) : NULL;
            if (!bs || (size_t)(bs - v) + 1 >= len) {
                p = qe;
                break;
            }
            size_t at = (size_t)(bs - v);
            if (into)
                append_run(into, v, run, at);
            run = at + 1;
            p = at + 2;
        }
        if (into)
            append_run(into, v, run, p);
        if (p < len)
            p++;
        return p;
    }
    /* a token, tolerating what real mailers put unquoted (spaces, 8-bit) up to ';' */
    size_t start = p;
    const char *semi = p < len ? memchr(v + p, ';', len - p) : NULL;
    p = semi ? (size_t)(semi - v) : MAX(p, len);
    size_t end = p;
    while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
        end--;
    if (into && into->len < PARAM_VALUE_MAX)
        g_byte_array_append(into, (const guint8 *)v + start, (guint)MIN(end - start, PARAM_VALUE_MAX));
    return p;
}

/* RFC 2231 s4: %XX escapes of an extended value (charset'lang' already removed). */
static void pct_decode_into(const guint8 *b, size_t n, GByteArray *out)
{
    if (!b)
        return;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = b[i];
        if (c == '%' && i + 2 < n && g_ascii_isxdigit(b[i + 1]) && g_ascii_isxdigit(b[i + 2])) {
            c = (uint8_t)(g_ascii_xdigit_value(b[i + 1]) << 4 | g_ascii_xdigit_value(b[i + 2]));
            i += 2;
        }
        g_byte_array_append(out, &c, 1);
    }
}

char *mailx_mime_param(const char *v, size_t len, const char *name, unsigned *flags)
{
    unsigned fl = 0;
    size_t nlen = strlen(name);
    param_section sec[MAILX_RFC2231_SECTIONS_MAX];
    memset(sec, 0, sizeof sec);
    GByteArray *plain = NULL, *ext = NULL;

    /* skip the type (or disposition) up to the first ';' outside quotes */
    size_t p = 0;
    bool inq = false;
    while (p < len && (inq || v[p] != ';')) {
        if (v[p] == '"')
            inq = !inq;
        else if (v[p] == '\\' && inq)
            p++;
        p++;
    }
    while (p < len) {
        p++;   /* the ';' */
        p = skip_cfws(v, len, p);
        size_t n0 = p;
        while (p < len && v[p] != '=' && v[p] != ';' && v[p] != ' ' && v[p] != '\t')
            p++;
        size_t n1 = p;
        p = skip_cfws(v, len, p);
        if (p >= len || v[p] != '=') {
            /* a parameter without a value: skip to the next ';' */
            while (p < len && v[p] != ';')
                p++;
            continue;
        }
        p = skip_cfws(v, len, p + 1);
        /* the name decides where the value goes before it is read: only the
           wanted parameter's value is copied (the first of each form) */
        GByteArray *into = NULL;
        if (n1 - n0 >= nlen && mailx_ascii_ieq(v + n0, name, nlen)) {
            const char *rest = v + n0 + nlen;
            size_t rlen = n1 - n0 - nlen;
            if (rlen == 0) {
                if (!plain)
                    into = plain = g_byte_array_new();
            } else if (rlen == 1 && rest[0] == '*') {
                if (!ext)
                    into = ext = g_byte_array_new();
            } else if (rest[0] == '*' && g_ascii_isdigit(rest[1])) {
                /* name*N or name*N* */
                size_t k = 1;
                unsigned idx = 0;
                while (k < rlen && g_ascii_isdigit(rest[k]) && idx < 100000)
                    idx = idx * 10 + (unsigned)(rest[k++] - '0');
                bool star = k < rlen && rest[k] == '*';
                if (star)
                    k++;
                if (k != rlen || idx >= MAILX_RFC2231_SECTIONS_MAX ||
                    (rest[1] == '0' && rlen > 2 && g_ascii_isdigit(rest[2]))) {
                    fl |= MAILX_PARAM_BAD_SECTIONS;   /* too many, or a leading zero (s3) */
                } else if (sec[idx].present) {
                    fl |= MAILX_PARAM_BAD_SECTIONS;
                } else {
                    sec[idx].present = true;
                    sec[idx].extended = star;
                    into = sec[idx].bytes = g_byte_array_new();
                }
            }
        }
        bool quoted;
        p = scan_value(v, len, p, into, &quoted);
        /* whatever trails the value (comments, junk) up to the next ';' */
        while (p < len && v[p] != ';') {
            if (v[p] == '"') {
                bool q2;
                p = scan_value(v, len, p, NULL, &q2);
            } else {
                p++;
            }
        }
    }

    char *result = NULL;
    bool bad = false;
    GByteArray *joined = NULL;
    char charset[65] = "";
    if (ext || sec[0].present) {
        fl |= MAILX_PARAM_RFC2231;
        joined = g_byte_array_new();
        bool first_ext = ext ? true : sec[0].extended;
        GByteArray *first = ext ? ext : sec[0].bytes;
        const guint8 *fb = first->data;
        size_t fn = first->len;
        if (first_ext) {
            /* RFC 2231 s4: charset'language'value; both may be empty */
            const guint8 *q1 = fn ? memchr(fb, '\'', fn) : NULL;
            const guint8 *q2 = q1 ? memchr(q1 + 1, '\'', fn - (size_t)(q1 + 1 - fb)) : NULL;
            if (q1 && q2) {
                size_t cl = MIN((size_t)(q1 - fb), sizeof charset - 1);
                memcpy(charset, fb, cl);
                charset[cl] = '\0';
                fn -= (size_t)(q2 + 1 - fb);
                fb = q2 + 1;
            }
            pct_decode_into(fb, fn, joined);
        } else {
            g_byte_array_append(joined, fb, (guint)fn);
        }
        if (!ext) {
            for (unsigned i = 1; i < MAILX_RFC2231_SECTIONS_MAX; i++) {
                if (!sec[i].present) {
                    for (unsigned j = i + 1; j < MAILX_RFC2231_SECTIONS_MAX; j++)
                        if (sec[j].present)
                            fl |= MAILX_PARAM_BAD_SECTIONS;   /* a gap */
                    break;
                }
                if (sec[i].extended)
                    pct_decode_into(sec[i].bytes->data, sec[i].bytes->len, joined);
                else
                    g_byte_array_append(joined, sec[i].bytes->data, sec[i].bytes->len);
            }
        }
        char *u = to_utf8(charset, joined->data, joined->len, &bad);
        if (strlen(u) > MAILX_HDR_TEXT_MAX)
            fl |= MAILX_PARAM_TRUNCATED;
        result = sanitize_utf8(u, MAILX_HDR_TEXT_MAX);
    } else if (plain) {
        /* an empty value has no data pointer (and g_strstr_len a NULL check) */
        if (plain->len >= 2 && g_strstr_len((const char *)plain->data, plain->len, "=?"))
            fl |= MAILX_PARAM_RFC2047;
        if (plain->len > MAILX_HDR_TEXT_MAX)
            fl |= MAILX_PARAM_TRUNCATED;
        result = mailx_rfc2047_decode((const char *)plain->data, plain->len, MAILX_HDR_TEXT_MAX);
    }
    if (bad)
        fl |= MAILX_PARAM_BAD_CHARSET;

    for (unsigned i = 0; i < MAILX_RFC2231_SECTIONS_MAX; i++)
        if (sec[i].bytes)
            g_byte_array_free(sec[i].bytes, TRUE);
    if (plain) g_byte_array_free(plain, TRUE);
    if (ext) g_byte_array_free(ext, TRUE);
    if (joined) g_byte_array_free(joined, TRUE);
    if (flags)
        *flags = fl;
    return result;
}

/* ---- addresses ---- */

char *mailx_addr_spec(const char *v, size_t len)
{
    /* "Display <addr>": the angle address outside quotes and comments */
    size_t p = 0;
    while (p < len) {
        if (v[p] == '"') {
            p++;
            while (p < len && v[p] != '"') {
                if (v[p] == '\\') p++;
                p++;
            }
            p++;
            continue;
        }
        if (v[p] == '(') {
            p = skip_cfws(v, len, p);
            continue;
        }
        if (v[p] == '<') {
            size_t a = p + 1, b = a;
            while (b < len && v[b] != '>')
                b++;
            if (b - a == 0 || b - a > 512)
                return NULL;
            char *r = g_strndup(v + a, b - a);
            return sanitize_utf8(g_strstrip(r), 512);
        }
        if (v[p] == ',')
            break;   /* first address of a list only */
        p++;
    }
    /* a bare addr-spec: the word holding '@' */
    size_t end = MIN(p, len);
    for (size_t q = 0; q < end; q++) {
        if (v[q] != '@')
            continue;
        size_t a = q, b = q;
        while (a > 0 && v[a - 1] != ' ' && v[a - 1] != '\t' && v[a - 1] != ',' && v[a - 1] != ')' && v[a - 1] != '"')
            a--;
        while (b < end && v[b] != ' ' && v[b] != '\t' && v[b] != ',' && v[b] != '(')
            b++;
        if (b - a > 512)
            return NULL;
        return sanitize_utf8(g_strndup(v + a, b - a), 512);
    }
    return NULL;
}

char *mailx_addr_domain(const char *addr)
{
    if (!addr)
        return NULL;
    const char *at = strrchr(addr, '@');
    if (!at || !at[1])
        return NULL;
    return g_ascii_strdown(at + 1, -1);
}
