/* SMTP command lines: the verb, its argument, and what the session logic needs
 * from MAIL/RCPT (the path, SIZE=) and BDAT (chunk size, LAST). One line without
 * its CRLF; results are views (offset, length) into the caller's bytes. */
#include "smtp_command.h"

#include <string.h>

#include <glib.h>

static const char *const verb_names[MAILX_SMTP_CMD_COUNT] = {
    [MAILX_SMTP_CMD_UNKNOWN]  = "unknown",
    [MAILX_SMTP_CMD_HELO]     = "HELO",
    [MAILX_SMTP_CMD_EHLO]     = "EHLO",
    [MAILX_SMTP_CMD_LHLO]     = "LHLO",      /* RFC 2033 s4.1 */
    [MAILX_SMTP_CMD_MAIL]     = "MAIL",
    [MAILX_SMTP_CMD_RCPT]     = "RCPT",
    [MAILX_SMTP_CMD_DATA]     = "DATA",
    [MAILX_SMTP_CMD_BDAT]     = "BDAT",      /* RFC 3030 s2 */
    [MAILX_SMTP_CMD_RSET]     = "RSET",
    [MAILX_SMTP_CMD_VRFY]     = "VRFY",
    [MAILX_SMTP_CMD_EXPN]     = "EXPN",
    [MAILX_SMTP_CMD_HELP]     = "HELP",
    [MAILX_SMTP_CMD_NOOP]     = "NOOP",
    [MAILX_SMTP_CMD_QUIT]     = "QUIT",
    [MAILX_SMTP_CMD_STARTTLS] = "STARTTLS",  /* RFC 3207 s4 */
    [MAILX_SMTP_CMD_AUTH]     = "AUTH",      /* RFC 4954 s4 */
    [MAILX_SMTP_CMD_ETRN]     = "ETRN",      /* RFC 1985 s5 */
    [MAILX_SMTP_CMD_ATRN]     = "ATRN",      /* RFC 2645 s4 */
    [MAILX_SMTP_CMD_TURN]     = "TURN",      /* RFC 821 s4.1.1 */
    [MAILX_SMTP_CMD_XCLIENT]  = "XCLIENT",   /* Postfix extension */
    [MAILX_SMTP_CMD_XFORWARD] = "XFORWARD",  /* Postfix extension */
};

const char *
mailx_smtp_verb_name(mailx_smtp_verb verb)
{
    if ((unsigned)verb >= MAILX_SMTP_CMD_COUNT)
        return verb_names[MAILX_SMTP_CMD_UNKNOWN];
    return verb_names[verb];
}

/* RFC 5321 s2.4: verbs and argument keywords ("FROM:", "SIZE") are not case
 * sensitive. `word` is counted and may hold NULs; `upper` is a C string. */
static inline uint8_t
ascii_upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - ('a' - 'A')) : c;   /* g_ascii_toupper, inline */
}

static bool
word_equals(const uint8_t *word, size_t len, const char *upper)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (upper[i] == '\0' || ascii_upper(word[i]) != (uint8_t)upper[i])
            return false;
    }
    return upper[len] == '\0';
}

static bool
has_prefix_nocase(const uint8_t *s, size_t len, const char *upper)
{
    size_t n = strlen(upper);

    return len >= n && word_equals(s, n, upper);
}

static mailx_smtp_verb
verb_lookup(const uint8_t *word, size_t len)
{
    /* the word upper-cased once (no verb is longer than 8 letters), then
       compared with each name of its length */
    uint8_t up[8];
    unsigned v;
    size_t i;

    if (len == 0 || len > sizeof up)
        return MAILX_SMTP_CMD_UNKNOWN;
    for (i = 0; i < len; i++)
        up[i] = ascii_upper(word[i]);
    for (v = MAILX_SMTP_CMD_UNKNOWN + 1; v < MAILX_SMTP_CMD_COUNT; v++) {
        const char *name = verb_names[v];
        if (strlen(name) == len && memcmp(up, name, len) == 0)
            return (mailx_smtp_verb)v;
    }
    return MAILX_SMTP_CMD_UNKNOWN;
}

/* Decimal digits at s[*pos] into *value; false when there are none or the value
 * exceeds `max`. All the digits are consumed either way, so the caller sees
 * where the number ended. */
static bool
read_decimal(const uint8_t *s, size_t len, size_t *pos, uint64_t max, uint64_t *value)
{
    size_t start = *pos;
    uint64_t v = 0;
    bool overflow = false;

    for (; *pos < len && g_ascii_isdigit(s[*pos]); (*pos)++) {
        unsigned d = (unsigned)(s[*pos] - '0');
        if (overflow || v > (max - d) / 10)
            overflow = true;
        else
            v = v * 10 + d;
    }
    if (*pos == start || overflow)
        return false;
    *value = v;
    return true;
}

static size_t
skip_spaces(const uint8_t *s, size_t len, size_t pos)
{
    while (pos < len && s[pos] == ' ')
        pos++;
    return pos;
}

/* MAIL FROM:<reverse-path> / RCPT TO:<forward-path> (RFC 5321 s4.1.1.2, s4.1.1.3).
 * Returns the offset just after '>' (0 when there is no complete path). */
static size_t
parse_path(const uint8_t *line, size_t len, size_t pos, const char *keyword,
           mailx_smtp_command *out)
{
    bool quoted = false;
    size_t start;

    if (!has_prefix_nocase(line + pos, len - pos, keyword))
        return 0;
    /* "MAIL FROM: <a@b>": RFC 5321 s4.1.1.2 allows no space there, but many
     * clients send one and servers accept it. */
    pos = skip_spaces(line, len, pos + strlen(keyword));
    if (pos >= len || line[pos] != '<')
        return 0;
    start = ++pos;
    /* RFC 5321 s4.1.2: a Quoted-string local part may hold '>' and, after a
     * backslash (quoted-pairSMTP), any printable byte, '"' included. */
    for (; pos < len; pos++) {
        if (quoted && line[pos] == '\\') {
            pos++;
            continue;
        }
        if (line[pos] == '"')
            quoted = !quoted;
        else if (!quoted && line[pos] == '>')
            break;
    }
    if (pos >= len)
        return 0;                        /* no closing '>' */
    out->has_path = true;
    out->path_off = start;
    out->path_len = pos - start;         /* 0 for the null path "<>" (s4.5.5) */
    return pos + 1;
}

/* RFC 1870 s3: MAIL FROM:<...> SIZE=size-value, size-value = 1*20DIGIT, among
 * the SP-separated Mail-parameters of RFC 5321 s4.1.2. */
static void
parse_size_param(const uint8_t *line, size_t len, size_t pos, mailx_smtp_command *out)
{
    while (pos < len) {
        size_t tok, end;
        uint64_t v;

        pos = skip_spaces(line, len, pos);
        tok = pos;
        while (pos < len && line[pos] != ' ')
            pos++;
        end = pos;
        if (end - tok > 5 && has_prefix_nocase(line + tok, end - tok, "SIZE=")) {
            size_t p = tok + 5;
            if (end - p <= 20 && read_decimal(line, end, &p, UINT64_MAX, &v) && p == end) {
                out->has_size_param = true;
                out->size_param = v;
            }
            return;                      /* one SIZE per command; the first decides */
        }
    }
}

/* RFC 3030 s3: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF,
 * chunk-size = 1*DIGIT, end-marker = "LAST". Runs of spaces and trailing spaces
 * are tolerated as servers tokenise on whitespace. Anything else leaves bdat_ok
 * false: the session then cannot know where the chunk ends. */
static void
parse_bdat(const uint8_t *line, size_t len, size_t pos, mailx_smtp_command *out)
{
    uint64_t size;
    bool last = false;

    if (!read_decimal(line, len, &pos, UINT32_MAX, &size))
        return;
    if (pos < len && line[pos] != ' ')
        return;                          /* "BDAT 12x" */
    pos = skip_spaces(line, len, pos);
    if (pos < len) {
        if (!has_prefix_nocase(line + pos, len - pos, "LAST"))
            return;
        pos += 4;
        if (pos < len && line[pos] != ' ')
            return;                      /* "LASTX" */
        if (skip_spaces(line, len, pos) != len)
            return;                      /* a third argument */
        last = true;
    }
    out->bdat_ok = true;
    out->bdat_size = (uint32_t)size;
    out->bdat_last = last;
}

bool
mailx_smtp_command_parse(const uint8_t *line, size_t len, mailx_smtp_command *out)
{
    size_t w, after;

    memset(out, 0, sizeof *out);
    if (line == NULL || len == 0 || !g_ascii_isalpha(line[0]))
        return false;

    /* RFC 5321 s4.1.1: a command is a verb, then SP and its argument. */
    for (w = 0; w < len && line[w] != ' '; w++)
        ;
    out->verb_len = w;
    out->verb = verb_lookup(line, w);
    out->arg_off = skip_spaces(line, len, w);
    out->arg_len = len - out->arg_off;

    switch (out->verb) {
    case MAILX_SMTP_CMD_MAIL:
        after = parse_path(line, len, out->arg_off, "FROM:", out);
        if (after != 0)
            parse_size_param(line, len, after, out);
        break;
    case MAILX_SMTP_CMD_RCPT:
        parse_path(line, len, out->arg_off, "TO:", out);
        break;
    case MAILX_SMTP_CMD_BDAT:
        parse_bdat(line, len, out->arg_off, out);
        break;
    default:
        break;
    }
    return true;
}
