/* POP3 status and command lines. See pop_parse.h. */
#include "pop_parse.h"
#include "ascii_case.h"

#include <glib.h>
#include <string.h>

bool mailx_pop_status_parse(const uint8_t *line, size_t len, mailx_pop_status *out)
{
    memset(out, 0, sizeof *out);
    size_t p;
    if (len >= 3 && memcmp(line, "+OK", 3) == 0) {
        out->ind = MAILX_POP_IND_OK;
        p = 3;
    } else if (len >= 4 && memcmp(line, "-ERR", 4) == 0) {
        out->ind = MAILX_POP_IND_ERR;
        p = 4;
    } else if (len >= 1 && line[0] == '+' && (len == 1 || line[1] == ' ')) {
        /* RFC 5034 s4: continue-req = "+" SP [base64] CRLF */
        out->ind = MAILX_POP_IND_CONT;
        out->text_off = len > 1 ? 2 : 1;
        out->text_len = len - out->text_off;
        return true;
    } else {
        return false;
    }
    if (p < len && line[p] != ' ') {
        out->ind = MAILX_POP_IND_NONE;   /* "+OKAY", "-ERROR" are not indicators */
        return false;
    }
    if (p < len)
        p++;
    /* RFC 2449 s8: resp-code = "[" resp-level *("/" resp-level) "]" */
    if (p < len && line[p] == '[') {
        const uint8_t *close = memchr(line + p + 1, ']', len - p - 1);
        if (!close || close == line + p + 1) {
            out->code_unterminated = close == NULL;
        } else {
            out->has_code = true;
            out->code_off = p + 1;
            out->code_len = (size_t)(close - line) - out->code_off;
            p = (size_t)(close - line) + 1;
            if (p < len && line[p] == ' ')
                p++;
        }
    }
    out->text_off = p;
    out->text_len = len - p;
    return true;
}

static const char *const verb_names[MAILX_POP_CMD_COUNT] = {
    [MAILX_POP_CMD_UNKNOWN] = "unknown",
    [MAILX_POP_CMD_USER] = "USER", [MAILX_POP_CMD_PASS] = "PASS",
    [MAILX_POP_CMD_APOP] = "APOP", [MAILX_POP_CMD_AUTH] = "AUTH",
    [MAILX_POP_CMD_STAT] = "STAT", [MAILX_POP_CMD_LIST] = "LIST",
    [MAILX_POP_CMD_RETR] = "RETR", [MAILX_POP_CMD_DELE] = "DELE",
    [MAILX_POP_CMD_NOOP] = "NOOP", [MAILX_POP_CMD_RSET] = "RSET",
    [MAILX_POP_CMD_QUIT] = "QUIT", [MAILX_POP_CMD_TOP] = "TOP",
    [MAILX_POP_CMD_UIDL] = "UIDL", [MAILX_POP_CMD_CAPA] = "CAPA",
    [MAILX_POP_CMD_STLS] = "STLS", [MAILX_POP_CMD_UTF8] = "UTF8",
    [MAILX_POP_CMD_LANG] = "LANG",
};

const char *mailx_pop_verb_name(mailx_pop_verb v)
{
    return (unsigned)v < MAILX_POP_CMD_COUNT ? verb_names[v] : "unknown";
}

bool mailx_pop_command_parse(const uint8_t *line, size_t len, mailx_pop_command *out)
{
    memset(out, 0, sizeof *out);
    if (len == 0 || !g_ascii_isalpha(line[0]))
        return false;
    size_t e = 0;
    while (e < len && line[e] != ' ')
        e++;
    out->verb_len = e;
    for (int v = 1; v < MAILX_POP_CMD_COUNT; v++) {
        /* the names are upper-case letters and line[0] a letter: a first letter
           that differs in more than case rules the name out at once */
        if ((line[0] | 0x20) != (verb_names[v][0] | 0x20))
            continue;
        size_t n = strlen(verb_names[v]);
        if (n == e && mailx_ascii_ieq(line, verb_names[v], n)) {
            out->verb = (mailx_pop_verb)v;
            break;
        }
    }
    size_t p = e;
    while (p < len && line[p] == ' ')
        p++;
    out->arg_off = p;
    out->arg_len = len - p;
    size_t a1 = p;
    while (a1 < len && line[a1] != ' ')
        a1++;
    out->arg1_len = a1 - p;
    size_t q = a1;
    while (q < len && line[q] == ' ')
        q++;
    size_t a2 = q;
    while (a2 < len && line[a2] != ' ')
        a2++;
    out->arg2_off = q;
    out->arg2_len = a2 - q;
    return true;
}

bool mailx_pop_multiline(mailx_pop_verb v, bool has_arg)
{
    switch (v) {
    case MAILX_POP_CMD_LIST:
    case MAILX_POP_CMD_UIDL:
    case MAILX_POP_CMD_AUTH:
        return !has_arg;
    case MAILX_POP_CMD_RETR:
    case MAILX_POP_CMD_TOP:
    case MAILX_POP_CMD_CAPA:
        return true;
    default:
        return false;
    }
}
