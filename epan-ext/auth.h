/* One login model for SMTP AUTH, POP3 USER/PASS, APOP and AUTH, and IMAP LOGIN
 * and AUTHENTICATE: attempts are numbered per session, the user is taken from
 * whatever the exchange reveals (decoding SASL where the mechanism carries it),
 * and the server's answer decides the result. Passwords are never stored: a
 * step that carries one is only flagged (credential). Fixed-size state. */
#ifndef MAILX_AUTH_H
#define MAILX_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sasl.h"

#define MAILX_AUTH_USER_MAX   64    /* longer user names are kept truncated */
#define MAILX_AUTH_MECH_MAX   24
#define MAILX_AUTH_DECODE_MAX 1024  /* decoded SASL response bytes looked at */

typedef enum {
    MAILX_AUTH_NONE = 0,   /* not decided (yet) */
    MAILX_AUTH_SUCCESS,
    MAILX_AUTH_FAILURE,
    MAILX_AUTH_ABORTED,    /* the client cancelled ("*", RFC 4954 s4, RFC 3501 s6.2.2) */
    MAILX_AUTH_UNKNOWN,    /* no answer in the capture (a new attempt began first) */
} mailx_auth_result;

typedef struct {
    bool     open;                  /* an attempt waits for its result */
    uint32_t attempt;               /* number of the current or last attempt (1, 2 ...) */
    char     mech[MAILX_AUTH_MECH_MAX];
    mailx_sasl_mech sasl;
    bool     is_sasl;
    uint32_t steps;                 /* SASL client responses so far in this attempt */
    char     user[MAILX_AUTH_USER_MAX + 1];
    bool     user_known;
    bool     cancelled;
    /* the whole session */
    uint32_t successes, failures, aborted;
    mailx_auth_result last_result;
    char     last_user[MAILX_AUTH_USER_MAX + 1];  /* user of the latest attempt naming one */
} mailx_auth_state;

/* What one client or server step did to the login; attempt == 0: nothing. */
typedef struct {
    uint32_t attempt;
    bool     started;               /* this step opened the attempt */
    bool     credential;            /* a password or reusable secret crossed in this step */
    bool     user_now;              /* the user name became known in this step */
    bool     bad_encoding;          /* a SASL response that is not base64 */
    bool     cancel;                /* the client cancelled */
    bool     prev_unanswered;       /* a previous attempt got no answer (result UNKNOWN) */
    uint32_t prev_attempt;
    mailx_auth_result result;       /* decided in this step */
    char     mech[MAILX_AUTH_MECH_MAX];
    char     user[MAILX_AUTH_USER_MAX + 1];   /* "" when not known */
} mailx_auth_event;

void mailx_auth_init(mailx_auth_state *a);

/* A new attempt with mechanism `mech` (a SASL name when sasl, else a label such
 * as "USER/PASS"). */
void mailx_auth_begin(mailx_auth_state *a, const uint8_t *mech, size_t mlen, bool sasl,
                      mailx_auth_event *ev);
/* The user name as sent in clear (POP USER, APOP, IMAP LOGIN). */
void mailx_auth_user(mailx_auth_state *a, const uint8_t *user, size_t len, mailx_auth_event *ev);
/* A password crossed (POP PASS, IMAP LOGIN's second argument). */
void mailx_auth_credential(mailx_auth_state *a, mailx_auth_event *ev);
/* A SASL client response (initial response or answer to a challenge), base64. */
void mailx_auth_sasl_response(mailx_auth_state *a, const uint8_t *b64, size_t len,
                              mailx_auth_event *ev);
/* A SASL client response whose line was cut (mailx.line_keep_max): the step
 * counts, but nothing is decoded from the kept part (a user name in it may be
 * cut short). */
void mailx_auth_sasl_response_cut(mailx_auth_state *a, mailx_auth_event *ev);
/* The server decided. FAILURE after a client cancel becomes ABORTED. */
void mailx_auth_end(mailx_auth_state *a, mailx_auth_result r, mailx_auth_event *ev);

const char *mailx_auth_result_name(mailx_auth_result r);

/* Masks a user name for sharing: first and last character kept, the rest '*'
 * ("alice" -> "a***e", "al" -> "**"); NUL-terminated, truncated to cap-1. */
size_t mailx_auth_mask_user(const char *user, char *out, size_t cap);

#endif
