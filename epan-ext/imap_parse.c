/* IMAP response and command lines, literals and astrings. See imap_parse.h. */
#include "imap_parse.h"
#include "ascii_case.h"

#include <glib.h>
#include <string.h>

bool mailx_imap_literal_at_end(const uint8_t *line, size_t len, mailx_imap_literal *out)
{
    memset(out, 0, sizeof *out);
    if (len < 3 || line[len - 1] != '}')
        return false;
    size_t e = len - 1;             /* the '}' */
    size_t d = e;
    bool plus = false;
    if (d > 0 && line[d - 1] == '+') {
        plus = true;
        d--;
    }
    size_t s = d;
    while (s > 0 && g_ascii_isdigit(line[s - 1]))
        s--;
    if (s == d || s == 0 || line[s - 1] != '{')
        return false;
    uint64_t v = 0;
    bool big = false;
    for (size_t i = s; i < d; i++) {
        uint64_t digit = (uint64_t)(line[i] - '0');
        if (v > (MAILX_IMAP_LITERAL_MAX - digit) / 10) {
            big = true;
            break;
        }
        v = v * 10 + digit;
    }
    out->present = true;
    out->non_sync = plus;
    out->too_big = big;
    out->size = big ? MAILX_IMAP_LITERAL_MAX : v;
    out->off = s - 1;
    /* RFC 3516 s4.2: literal8 = "~{" number "}" */
    if (out->off > 0 && line[out->off - 1] == '~') {
        out->binary = true;
        out->off--;
    }
    return true;
}

/* names with their lengths: a word of another length is not compared */
#define NAME_LEN(s) s, sizeof(s) - 1

static const struct { const char *name; size_t len; mailx_imap_status st; } status_names[] = {
    { NAME_LEN("OK"), MAILX_IMAP_STATUS_OK }, { NAME_LEN("NO"), MAILX_IMAP_STATUS_NO },
    { NAME_LEN("BAD"), MAILX_IMAP_STATUS_BAD }, { NAME_LEN("BYE"), MAILX_IMAP_STATUS_BYE },
    { NAME_LEN("PREAUTH"), MAILX_IMAP_STATUS_PREAUTH },
};

const char *mailx_imap_status_name(mailx_imap_status s)
{
    for (size_t i = 0; i < G_N_ELEMENTS(status_names); i++)
        if (status_names[i].st == s)
            return status_names[i].name;
    return "";
}

static size_t word_end(const uint8_t *line, size_t len, size_t p)
{
    while (p < len && line[p] != ' ')
        p++;
    return p;
}

static bool word_is(const uint8_t *line, size_t off, size_t n, const char *w, size_t wlen)
{
    return wlen == n && mailx_ascii_ieq(line + off, w, n);
}

/* Status, optional [code arg], text, starting at p. */
static void parse_resp_text(const uint8_t *line, size_t len, size_t p, mailx_imap_response *out)
{
    if (p < len && line[p] == '[') {
        const uint8_t *close = memchr(line + p + 1, ']', len - p - 1);
        if (!close) {
            out->code_unterminated = true;
        } else {
            size_t c = p + 1, ce = (size_t)(close - line);
            size_t a = c;
            while (a < ce && line[a] != ' ')
                a++;
            if (a > c) {
                out->has_code = true;
                out->code_off = c;
                out->code_len = a - c;
                if (a < ce) {
                    out->code_arg_off = a + 1;
                    out->code_arg_len = ce - a - 1;
                }
            }
            p = ce + 1;
            if (p < len && line[p] == ' ')
                p++;
        }
    }
    out->text_off = p;
    out->text_len = len - p;
}

bool mailx_imap_response_parse(const uint8_t *line, size_t len, mailx_imap_response *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return false;
    mailx_imap_literal_at_end(line, len, &out->literal);
    if (line[0] == '+') {
        /* RFC 3501 s7.5: continue-req = "+" SP (resp-text / base64) CRLF; a bare "+"
           is common (Dovecot sends "+ " and some servers "+") */
        out->kind = MAILX_IMAP_RESP_CONTINUATION;
        out->text_off = len > 1 && line[1] == ' ' ? 2 : 1;
        out->text_len = len - out->text_off;
        return len == 1 || line[1] == ' ';
    }
    size_t te = word_end(line, len, 0);
    if (te == len)
        return false;   /* a tag or "*" alone is no response */
    size_t p;
    if (te == 1 && line[0] == '*') {
        out->kind = MAILX_IMAP_RESP_UNTAGGED;
        p = 2;
    } else {
        /* RFC 3501 s9: tag = 1*<any ASTRING-CHAR except "+"> */
        for (size_t i = 0; i < te; i++)
            if (line[i] < 0x21 || line[i] > 0x7e || line[i] == '+' || line[i] == '(' ||
                line[i] == ')' || line[i] == '{' || line[i] == '"' || line[i] == '\\' ||
                line[i] == '%' || line[i] == '*')
                return false;
        out->kind = MAILX_IMAP_RESP_TAGGED;
        out->tag_off = 0;
        out->tag_len = te;
        p = te + 1;
    }
    size_t we = word_end(line, len, p);
    if (we == p) {
        out->kind = MAILX_IMAP_RESP_NONE;
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(status_names); i++) {
        if (word_is(line, p, we - p, status_names[i].name, status_names[i].len)) {
            out->status = status_names[i].st;
            parse_resp_text(line, len, we < len ? we + 1 : we, out);
            return true;
        }
    }
    if (out->kind == MAILX_IMAP_RESP_TAGGED) {
        /* RFC 3501 s7.1: a tagged response is always a status response */
        out->kind = MAILX_IMAP_RESP_NONE;
        return false;
    }
    /* untagged data: [number SP] keyword ... */
    if (g_ascii_isdigit(line[p])) {
        uint64_t n = 0;
        size_t i = p;
        while (i < we && g_ascii_isdigit(line[i]) && n <= UINT32_MAX) {
            n = n * 10 + (uint64_t)(line[i] - '0');
            i++;
        }
        if (i == we && n <= UINT32_MAX) {
            out->has_number = true;
            out->number = (uint32_t)n;
            p = we < len ? we + 1 : we;
            we = word_end(line, len, p);
        }
    }
    out->kw_off = p;
    out->kw_len = we - p;
    /* a keyword glued to "(" as in "FETCH (..." ends at the space; "FLAGS (" too */
    out->text_off = we < len ? we + 1 : we;
    out->text_len = len - out->text_off;
    return true;
}

static const struct { const char *name; size_t len; mailx_imap_cmd cmd; } cmd_names[] = {
    { NAME_LEN("LOGIN"), MAILX_IMAP_CMD_LOGIN }, { NAME_LEN("AUTHENTICATE"), MAILX_IMAP_CMD_AUTHENTICATE },
    { NAME_LEN("STARTTLS"), MAILX_IMAP_CMD_STARTTLS }, { NAME_LEN("LOGOUT"), MAILX_IMAP_CMD_LOGOUT },
    { NAME_LEN("CAPABILITY"), MAILX_IMAP_CMD_CAPABILITY }, { NAME_LEN("IDLE"), MAILX_IMAP_CMD_IDLE },
    { NAME_LEN("APPEND"), MAILX_IMAP_CMD_APPEND }, { NAME_LEN("FETCH"), MAILX_IMAP_CMD_FETCH },
    { NAME_LEN("SELECT"), MAILX_IMAP_CMD_SELECT },
};

bool mailx_imap_command_parse(const uint8_t *line, size_t len, mailx_imap_command *out)
{
    memset(out, 0, sizeof *out);
    size_t te = word_end(line, len, 0);
    if (te == 0 || te >= len)
        return false;
    for (size_t i = 0; i < te; i++)
        if (line[i] < 0x21 || line[i] > 0x7e || line[i] == '{' || line[i] == '"' ||
            line[i] == '(' || line[i] == ')' || line[i] == '*' || line[i] == '+')
            return false;
    out->tag_len = te;
    size_t p = te + 1;
    size_t we = word_end(line, len, p);
    if (we == p || !g_ascii_isalpha(line[p]))
        return false;
    out->name_off = p;
    size_t cw = p;
    if (word_is(line, p, we - p, NAME_LEN("UID")) && we < len) {
        /* RFC 3501 s6.4.8: UID FETCH / STORE / SEARCH / COPY (and MOVE, EXPUNGE) */
        out->uid = true;
        cw = we + 1;
        we = word_end(line, len, cw);
    }
    out->name_len = we - p;
    for (size_t i = 0; i < G_N_ELEMENTS(cmd_names); i++)
        if (word_is(line, cw, we - cw, cmd_names[i].name, cmd_names[i].len))
            out->cmd = cmd_names[i].cmd;
    out->args_off = we < len ? we + 1 : we;
    out->args_len = len - out->args_off;
    mailx_imap_literal_at_end(line, len, &out->literal);
    return true;
}

/* RFC 3501 s9: ASTRING-CHAR = ATOM-CHAR / resp-specials ("]"); ATOM-CHAR excludes
 * "(" ")" "{" SP CTL "%" "*" DQUOTE "\" */
static bool astring_char(uint8_t c)
{
    return c > 0x20 && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' &&
           c != '*' && c != '"' && c != '\\';
}

bool mailx_imap_astring_next(const uint8_t *line, size_t len, size_t *pos,
                             mailx_imap_astring *out)
{
    memset(out, 0, sizeof *out);
    size_t p = *pos;
    while (p < len && line[p] == ' ')
        p++;
    if (p >= len)
        return false;
    if (line[p] == '"') {
        size_t i = p + 1;
        while (i < len && line[i] != '"') {
            if (line[i] == '\\') {
                if (i + 1 >= len)
                    return false;
                i++;
            }
            i++;
        }
        if (i >= len)
            return false;   /* unbalanced quote */
        out->kind = MAILX_IMAP_ASTR_QUOTED;
        out->off = p + 1;
        out->len = i - p - 1;
        *pos = i + 1;
        return true;
    }
    if (line[p] == '{' || (line[p] == '~' && p + 1 < len && line[p + 1] == '{')) {
        mailx_imap_literal lit;
        if (!mailx_imap_literal_at_end(line, len, &lit) || lit.off != p)
            return false;
        out->kind = MAILX_IMAP_ASTR_LITERAL;
        out->literal = lit;
        out->off = p;
        out->len = len - p;
        *pos = len;
        return true;
    }
    size_t e = p;
    while (e < len && astring_char(line[e]))
        e++;
    if (e == p)
        return false;
    out->kind = MAILX_IMAP_ASTR_ATOM;
    out->off = p;
    out->len = e - p;
    *pos = e;
    return true;
}

size_t mailx_imap_unquote(const uint8_t *p, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        if (p[i] == '\\' && i + 1 < len)
            i++;
        out[o++] = (char)p[i];
    }
    out[o] = '\0';
    return o;
}
