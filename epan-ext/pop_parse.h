/* POP3 lines: server status lines (RFC 1939 s3 "+OK"/"-ERR" with the RFC 2449
 * s8 bracketed, hierarchical response code, RFC 3206 codes) and client command
 * lines (RFC 1939, 2449 CAPA, 2595 STLS, 5034 AUTH). One line without CRLF in,
 * offsets into it out; no allocation. */
#ifndef MAILX_POP_PARSE_H
#define MAILX_POP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MAILX_POP_IND_NONE = 0,  /* not a status line */
    MAILX_POP_IND_OK,        /* +OK */
    MAILX_POP_IND_ERR,       /* -ERR */
    MAILX_POP_IND_CONT,      /* "+ " SASL challenge (RFC 5034 s4) or a lone "+" */
} mailx_pop_indicator;

typedef struct {
    mailx_pop_indicator ind;
    bool   has_code;          /* "[...]" right after the indicator and one space */
    bool   code_unterminated; /* '[' without ']' on the line: no code taken */
    size_t code_off, code_len;/* inside the brackets, as sent (e.g. "SYS/TEMP") */
    size_t text_off, text_len;/* the text after the indicator (and the code) */
} mailx_pop_status;

/* RFC 1939 s3: status indicators are upper case; "+OK"/"-ERR" must be followed
 * by a space or the end of the line. Returns false (ind NONE) for other lines. */
bool mailx_pop_status_parse(const uint8_t *line, size_t len, mailx_pop_status *out);

typedef enum {
    MAILX_POP_CMD_UNKNOWN = 0,
    MAILX_POP_CMD_USER, MAILX_POP_CMD_PASS, MAILX_POP_CMD_APOP, MAILX_POP_CMD_AUTH,
    MAILX_POP_CMD_STAT, MAILX_POP_CMD_LIST, MAILX_POP_CMD_RETR, MAILX_POP_CMD_DELE,
    MAILX_POP_CMD_NOOP, MAILX_POP_CMD_RSET, MAILX_POP_CMD_QUIT, MAILX_POP_CMD_TOP,
    MAILX_POP_CMD_UIDL, MAILX_POP_CMD_CAPA, MAILX_POP_CMD_STLS, MAILX_POP_CMD_UTF8,
    MAILX_POP_CMD_LANG, MAILX_POP_CMD_COUNT
} mailx_pop_verb;

typedef struct {
    mailx_pop_verb verb;
    size_t verb_len;          /* the first word as sent */
    size_t arg_off, arg_len;  /* everything after the verb and its spaces */
    size_t arg1_len;          /* the first argument (up to a space) */
    size_t arg2_off, arg2_len;/* the second argument (APOP digest, TOP lines) */
} mailx_pop_command;

/* RFC 1939 s3: keyword (3-4 chars, case-insensitive), SP-separated arguments.
 * Returns false for an empty line or one not starting with a letter. */
bool mailx_pop_command_parse(const uint8_t *line, size_t len, mailx_pop_command *out);

const char *mailx_pop_verb_name(mailx_pop_verb v);

/* Does a +OK to this command open a multi-line response ended by "."?
 * RFC 1939: LIST and UIDL without argument, RETR, TOP; RFC 2449: CAPA;
 * AUTH without argument lists mechanisms (RFC 1734 practice, Dovecot does). */
bool mailx_pop_multiline(mailx_pop_verb v, bool has_arg);

#endif
