/* IMAP lines (RFC 3501 / RFC 9051 s7, s9): server responses (tagged, untagged,
 * continuation; status OK/NO/BAD/BYE/PREAUTH with the bracketed response code
 * and its argument, RFC 5530 codes), client command lines (tag, command name,
 * arguments as atom/quoted/literal astrings) and the literal announcement
 * "{n}" / "{n+}" (RFC 7888) at a line's end. One line without CRLF in, offsets
 * out; no allocation. A line is the text up to CRLF: what follows a literal
 * announcement is the literal's bytes, which the caller must take raw. */
#ifndef MAILX_IMAP_PARSE_H
#define MAILX_IMAP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A literal larger than this is still skipped byte for byte, but flagged: no
 * honest message is over 4 GiB, and u64 arithmetic must not overflow. */
#define MAILX_IMAP_LITERAL_MAX UINT64_C(0xFFFFFFFF)

typedef struct {
    bool     present;      /* the line ends in "{digits}" or "{digits+}" */
    bool     non_sync;     /* "+" (RFC 7888 LITERAL+ / LITERAL-) */
    bool     too_big;      /* more digits or a larger value than MAILX_IMAP_LITERAL_MAX;
                              size is then MAILX_IMAP_LITERAL_MAX */
    bool     binary;       /* "~{n}" (RFC 3516 literal8) */
    uint64_t size;
    size_t   off;          /* offset of '{' (or '~') */
} mailx_imap_literal;

/* RFC 3501 s9: literal = "{" number "}" CRLF *CHAR8; only at the end of a line. */
bool mailx_imap_literal_at_end(const uint8_t *line, size_t len, mailx_imap_literal *out);

typedef enum {
    MAILX_IMAP_RESP_NONE = 0,      /* not a response line */
    MAILX_IMAP_RESP_TAGGED,        /* tag SP ... */
    MAILX_IMAP_RESP_UNTAGGED,      /* "*" SP ... */
    MAILX_IMAP_RESP_CONTINUATION,  /* "+" [SP text] */
} mailx_imap_resp_kind;

typedef enum {
    MAILX_IMAP_STATUS_NONE = 0,
    MAILX_IMAP_STATUS_OK, MAILX_IMAP_STATUS_NO, MAILX_IMAP_STATUS_BAD,
    MAILX_IMAP_STATUS_BYE, MAILX_IMAP_STATUS_PREAUTH,
} mailx_imap_status;

typedef struct {
    mailx_imap_resp_kind kind;
    size_t tag_off, tag_len;       /* TAGGED */
    mailx_imap_status status;      /* NONE for data responses (CAPABILITY, FETCH ...) */
    /* untagged data: "* 3 FETCH" -> has_number, number = 3, keyword = FETCH;
       "* CAPABILITY ..." -> keyword = CAPABILITY */
    bool     has_number;
    uint32_t number;
    size_t   kw_off, kw_len;
    /* RFC 3501 s7.1: resp-text-code in brackets after the status */
    bool   has_code;
    bool   code_unterminated;      /* '[' without ']' */
    size_t code_off, code_len;     /* the atom: ALERT, AUTHENTICATIONFAILED ... */
    size_t code_arg_off, code_arg_len; /* what follows the atom up to ']' (may be 0) */
    size_t text_off, text_len;     /* human text after status and code, or after the
                                      keyword / continuation '+' */
    mailx_imap_literal literal;    /* a literal announced at the end of this line */
} mailx_imap_response;

bool mailx_imap_response_parse(const uint8_t *line, size_t len, mailx_imap_response *out);

const char *mailx_imap_status_name(mailx_imap_status s);

/* Commands that change how the following bytes must be read or that matter for
 * login and TLS analysis; everything else is OTHER with its name kept. */
typedef enum {
    MAILX_IMAP_CMD_OTHER = 0,
    MAILX_IMAP_CMD_LOGIN, MAILX_IMAP_CMD_AUTHENTICATE, MAILX_IMAP_CMD_STARTTLS,
    MAILX_IMAP_CMD_LOGOUT, MAILX_IMAP_CMD_CAPABILITY, MAILX_IMAP_CMD_IDLE,
    MAILX_IMAP_CMD_APPEND, MAILX_IMAP_CMD_FETCH, MAILX_IMAP_CMD_SELECT,
} mailx_imap_cmd;

typedef struct {
    size_t tag_off, tag_len;
    size_t name_off, name_len;     /* the command word; for "UID FETCH" covers both */
    mailx_imap_cmd cmd;
    bool   uid;                    /* "UID" prefix */
    size_t args_off, args_len;     /* after the command name and its space */
    mailx_imap_literal literal;
} mailx_imap_command;

/* RFC 3501 s9: command = tag SP (command-any / -auth / -nonauth / -select) CRLF.
 * Returns false for a line without a tag and a command word. */
bool mailx_imap_command_parse(const uint8_t *line, size_t len, mailx_imap_command *out);

typedef enum {
    MAILX_IMAP_ASTR_NONE = 0,
    MAILX_IMAP_ASTR_ATOM,     /* 1*ASTRING-CHAR */
    MAILX_IMAP_ASTR_QUOTED,   /* DQUOTE *QUOTED-CHAR DQUOTE; off/len inside the quotes,
                                 escapes (\" \\) not yet removed */
    MAILX_IMAP_ASTR_LITERAL,  /* "{n}" ending the line: the value is the next n bytes */
} mailx_imap_astr_kind;

typedef struct {
    mailx_imap_astr_kind kind;
    size_t off, len;
    mailx_imap_literal literal;  /* LITERAL */
} mailx_imap_astring;

/* Reads one astring at *pos (after skipping spaces) and advances *pos past it.
 * False at the end of the line or on a malformed string (unbalanced quote, a
 * "{" that is not a literal at the end of the line). */
bool mailx_imap_astring_next(const uint8_t *line, size_t len, size_t *pos,
                             mailx_imap_astring *out);

/* Copies a quoted string's content without its escapes into out (NUL-terminated,
 * truncated to cap-1). Returns the bytes written. */
size_t mailx_imap_unquote(const uint8_t *p, size_t len, char *out, size_t cap);

#endif
