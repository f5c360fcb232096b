/* SMTP command lines (RFC 5321 s4.1 and extensions). One line without CRLF. */
#ifndef MAILX_SMTP_COMMAND_H
#define MAILX_SMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MAILX_SMTP_CMD_UNKNOWN = 0, /* a word that is not a known verb */
    MAILX_SMTP_CMD_HELO, MAILX_SMTP_CMD_EHLO, MAILX_SMTP_CMD_LHLO,
    MAILX_SMTP_CMD_MAIL, MAILX_SMTP_CMD_RCPT, MAILX_SMTP_CMD_DATA,
    MAILX_SMTP_CMD_BDAT, MAILX_SMTP_CMD_RSET, MAILX_SMTP_CMD_VRFY,
    MAILX_SMTP_CMD_EXPN, MAILX_SMTP_CMD_HELP, MAILX_SMTP_CMD_NOOP,
    MAILX_SMTP_CMD_QUIT, MAILX_SMTP_CMD_STARTTLS, MAILX_SMTP_CMD_AUTH,
    MAILX_SMTP_CMD_ETRN, MAILX_SMTP_CMD_ATRN, MAILX_SMTP_CMD_TURN,
    MAILX_SMTP_CMD_XCLIENT, MAILX_SMTP_CMD_XFORWARD,
    MAILX_SMTP_CMD_COUNT
} mailx_smtp_verb;

typedef struct {
    mailx_smtp_verb verb;
    size_t verb_len;   /* bytes of the first word (the verb as sent, any case) */
    size_t arg_off;    /* offset of the argument text after the verb and its spaces */
    size_t arg_len;    /* its length (0 when none) */
    /* MAIL/RCPT: the path between '<' and '>' after "FROM:"/"TO:" (case-insensitive,
       RFC 5321 s4.1.1.2/3; a space after ':' is tolerated as many clients send it). */
    bool   has_path;
    size_t path_off, path_len;
    /* BDAT (RFC 3030 s3): chunk size and LAST flag; bdat_ok false when the size is
       missing, not decimal or larger than UINT32_MAX */
    bool     bdat_ok;
    uint32_t bdat_size;
    bool     bdat_last;
    /* MAIL ... SIZE=n (RFC 1870): declared message size */
    bool     has_size_param;
    uint64_t size_param;
} mailx_smtp_command;

/* Returns false only for an empty line or one whose first byte is not a letter;
 * an unknown word gives true with verb == MAILX_SMTP_CMD_UNKNOWN. */
bool mailx_smtp_command_parse(const uint8_t *line, size_t len, mailx_smtp_command *out);

/* Canonical upper-case name of a verb ("RCPT"); "unknown" for UNKNOWN. */
const char *mailx_smtp_verb_name(mailx_smtp_verb verb);

#endif
