/* The login model shared by the SMTP, POP3 and IMAP glue. See auth.h. */
#include "auth.h"

#include <glib.h>
#include <string.h>

void mailx_auth_init(mailx_auth_state *a)
{
    memset(a, 0, sizeof *a);
}

/* Printable copy: control bytes and NUL become '?', so a hostile name cannot
 * hide text after a NUL or break a log line. */
static void copy_text(char *dst, size_t cap, const uint8_t *src, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (src[i] < 0x20 || src[i] == 0x7f) ? '?' : (char)src[i];
    dst[n] = '\0';
}

static void fill(const mailx_auth_state *a, mailx_auth_event *ev)
{
    ev->attempt = a->attempt;
    memcpy(ev->mech, a->mech, sizeof ev->mech);
    if (a->user_known)
        memcpy(ev->user, a->user, sizeof ev->user);
    else
        ev->user[0] = '\0';
}

void mailx_auth_begin(mailx_auth_state *a, const uint8_t *mech, size_t mlen, bool sasl,
                      mailx_auth_event *ev)
{
    if (a->open) {
        ev->prev_unanswered = true;
        ev->prev_attempt = a->attempt;
        a->last_result = MAILX_AUTH_UNKNOWN;
    }
    a->open = true;
    a->attempt++;
    copy_text(a->mech, sizeof a->mech, mech, mlen);
    for (char *p = a->mech; *p; p++)
        *p = g_ascii_toupper(*p);
    a->is_sasl = sasl;
    a->sasl = sasl ? mailx_sasl_mech_from_name(mech, mlen) : MAILX_SASL_UNKNOWN;
    a->steps = 0;
    a->user_known = false;
    a->user[0] = '\0';
    a->cancelled = false;
    ev->started = true;
    fill(a, ev);
}

void mailx_auth_user(mailx_auth_state *a, const uint8_t *user, size_t len, mailx_auth_event *ev)
{
    if (!a->open)
        return;
    copy_text(a->user, sizeof a->user, user, len);
    a->user_known = true;
    memcpy(a->last_user, a->user, sizeof a->last_user);
    ev->user_now = true;
    fill(a, ev);
}

void mailx_auth_credential(mailx_auth_state *a, mailx_auth_event *ev)
{
    if (!a->open)
        return;
    ev->credential = true;
    fill(a, ev);
}

void mailx_auth_sasl_response_cut(mailx_auth_state *a, mailx_auth_event *ev)
{
    if (!a->open)
        return;
    uint32_t step = a->steps++;
    fill(a, ev);
    /* LOGIN's first response is the user name, its second the password */
    if (mailx_sasl_mech_reveals_secret(a->sasl) && !(a->sasl == MAILX_SASL_LOGIN && step == 0))
        ev->credential = true;
}

void mailx_auth_sasl_response(mailx_auth_state *a, const uint8_t *b64, size_t len,
                              mailx_auth_event *ev)
{
    if (!a->open)
        return;
    uint32_t step = a->steps++;
    fill(a, ev);
    if (len == 1 && b64[0] == '*') {
        a->cancelled = true;
        ev->cancel = true;
        return;
    }
    uint8_t dec[MAILX_AUTH_DECODE_MAX];
    size_t n = 0;
    if (!mailx_base64_decode(b64, len, dec, sizeof dec, &n)) {
        /* too long to look at is not malformed; a bad byte is */
        ev->bad_encoding = len <= (MAILX_AUTH_DECODE_MAX / 3) * 4;
        if (mailx_sasl_mech_reveals_secret(a->sasl) && len > 0)
            ev->credential = true;
        return;
    }
    size_t off = 0, ulen = 0;
    bool got = false;
    switch (a->sasl) {
    case MAILX_SASL_PLAIN:
        got = mailx_sasl_plain_user(dec, n, &off, &ulen);
        ev->credential = n > 0;
        break;
    case MAILX_SASL_LOGIN:
        /* first response: the user name; second: the password */
        if (step == 0) {
            got = n > 0;
            off = 0;
            ulen = n;
        } else if (step == 1) {
            ev->credential = true;
        }
        break;
    case MAILX_SASL_CRAM_MD5:
        got = mailx_sasl_cram_user(dec, n, &off, &ulen);
        break;
    case MAILX_SASL_XOAUTH2:
    case MAILX_SASL_OAUTHBEARER:
        if (step == 0) {
            got = mailx_sasl_oauth_user(dec, n, &off, &ulen);
            ev->credential = n > 0;
        }
        break;
    case MAILX_SASL_SCRAM:
        if (step == 0)
            got = mailx_sasl_scram_user(dec, n, &off, &ulen);
        break;
    default:
        break;
    }
    if (got && ulen > 0)
        mailx_auth_user(a, dec + off, ulen, ev);
    /* the decoded bytes (with any password) die with this stack frame */
    memset(dec, 0, n);
}

void mailx_auth_end(mailx_auth_state *a, mailx_auth_result r, mailx_auth_event *ev)
{
    if (!a->open)
        return;
    if (r == MAILX_AUTH_FAILURE && a->cancelled)
        r = MAILX_AUTH_ABORTED;
    a->open = false;
    a->last_result = r;
    if (r == MAILX_AUTH_SUCCESS)
        a->successes++;
    else if (r == MAILX_AUTH_FAILURE)
        a->failures++;
    else if (r == MAILX_AUTH_ABORTED)
        a->aborted++;
    ev->result = r;
    fill(a, ev);
}

const char *mailx_auth_result_name(mailx_auth_result r)
{
    switch (r) {
    case MAILX_AUTH_SUCCESS: return "success";
    case MAILX_AUTH_FAILURE: return "failure";
    case MAILX_AUTH_ABORTED: return "aborted";
    case MAILX_AUTH_UNKNOWN: return "unknown";
    case MAILX_AUTH_NONE:
    default:                 return "none";
    }
}

size_t mailx_auth_mask_user(const char *user, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t len = strlen(user);
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (len > 2 && (i == 0 || i == len - 1)) ? user[i] : '*';
    out[n] = '\0';
    return n;
}
