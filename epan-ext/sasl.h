/* SASL (RFC 4422) as the mail protocols carry it: mechanism names, strict
 * base64 (RFC 4648 s4) into a caller buffer, and the user name each common
 * mechanism reveals. Passwords are never copied out: the helpers return only
 * the offset and length of the user inside the decoded bytes. */
#ifndef MAILX_SASL_H
#define MAILX_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MAILX_SASL_UNKNOWN = 0,
    MAILX_SASL_PLAIN,        /* RFC 4616: [authzid] NUL authcid NUL passwd */
    MAILX_SASL_LOGIN,        /* draft-murchison-sasl-login: user, then password */
    MAILX_SASL_CRAM_MD5,     /* RFC 2195: "user SP hex-digest" */
    MAILX_SASL_DIGEST_MD5,   /* RFC 2831 (historic) */
    MAILX_SASL_SCRAM,        /* RFC 5802/7677 SCRAM-SHA-1/-256[-PLUS]: n=user */
    MAILX_SASL_XOAUTH2,      /* Google/Microsoft: user=... ^A auth=Bearer ... */
    MAILX_SASL_OAUTHBEARER,  /* RFC 7628: gs2 header n,a=user, then auth=Bearer */
    MAILX_SASL_EXTERNAL,
    MAILX_SASL_ANONYMOUS,
    MAILX_SASL_GSSAPI,
    MAILX_SASL_NTLM,
} mailx_sasl_mech;

/* Mechanism from its name as sent (case-insensitive, RFC 4422 s3.1). */
mailx_sasl_mech mailx_sasl_mech_from_name(const uint8_t *name, size_t len);

/* Does the mechanism put a password or a reusable token on the wire in a form
 * anyone who reads the traffic can reuse? (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) */
bool mailx_sasl_mech_reveals_secret(mailx_sasl_mech m);

/* Strict base64: alphabet A-Z a-z 0-9 + /, '=' padding only at the end, length a
 * multiple of 4 (RFC 4648 s4; RFC 4954 s4 and RFC 3501 s6.2.2 require it). An
 * empty input decodes to 0 bytes ("=" alone is RFC 4954's empty response and is
 * accepted too). Returns false on any other byte, bad padding, or when the
 * output would exceed `cap` (then *out_len is 0). Never writes past cap. */
bool mailx_base64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                         size_t *out_len);

/* User named by a decoded client response; offsets into `dec`. False when the
 * response does not have the mechanism's shape. */
/* PLAIN: authcid (the login name); when authcid is empty, authzid. */
bool mailx_sasl_plain_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen);
/* CRAM-MD5: everything before the last space, when 32 hex digits follow it. */
bool mailx_sasl_cram_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen);
/* XOAUTH2 ("user=" up to ^A) or OAUTHBEARER (gs2 header "a=" up to ','). */
bool mailx_sasl_oauth_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen);
/* SCRAM client-first message: gs2 header then "n=" up to ','. */
bool mailx_sasl_scram_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen);

#endif
