/* SASL mechanism names, strict base64 and user extraction. See sasl.h.
 * glib's g_base64_decode skips invalid bytes silently and allocates; mail
 * analysis wants to know that a response was not base64 (a broken or hostile
 * client) and must not allocate per line, hence the small decoder here. */
#include "sasl.h"
#include "ascii_case.h"

#include <glib.h>
#include <string.h>

static const struct { const char *name; mailx_sasl_mech mech; } mech_names[] = {
    { "PLAIN", MAILX_SASL_PLAIN },
    { "LOGIN", MAILX_SASL_LOGIN },
    { "CRAM-MD5", MAILX_SASL_CRAM_MD5 },
    { "DIGEST-MD5", MAILX_SASL_DIGEST_MD5 },
    { "XOAUTH2", MAILX_SASL_XOAUTH2 },
    { "OAUTHBEARER", MAILX_SASL_OAUTHBEARER },
    { "EXTERNAL", MAILX_SASL_EXTERNAL },
    { "ANONYMOUS", MAILX_SASL_ANONYMOUS },
    { "GSSAPI", MAILX_SASL_GSSAPI },
    { "NTLM", MAILX_SASL_NTLM },
};

mailx_sasl_mech mailx_sasl_mech_from_name(const uint8_t *name, size_t len)
{
    if (!name)
        return MAILX_SASL_UNKNOWN;
    for (size_t i = 0; i < G_N_ELEMENTS(mech_names); i++) {
        size_t n = strlen(mech_names[i].name);
        if (n == len && mailx_ascii_ieq(name, mech_names[i].name, n))
            return mech_names[i].mech;
    }
    /* RFC 5802 s4 / RFC 7677: SCRAM-SHA-1, SCRAM-SHA-256 and their -PLUS forms */
    if (len > 6 && mailx_ascii_ieq(name, "SCRAM-", 6))
        return MAILX_SASL_SCRAM;
    return MAILX_SASL_UNKNOWN;
}

bool mailx_sasl_mech_reveals_secret(mailx_sasl_mech m)
{
    return m == MAILX_SASL_PLAIN || m == MAILX_SASL_LOGIN ||
           m == MAILX_SASL_XOAUTH2 || m == MAILX_SASL_OAUTHBEARER;
}

static int b64val(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool mailx_base64_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                         size_t *out_len)
{
    *out_len = 0;
    if (len == 0 || (len == 1 && in[0] == '='))
        return true;
    if (len % 4 != 0)
        return false;
    size_t pad = 0;
    if (in[len - 1] == '=') pad++;
    if (in[len - 2] == '=') pad++;
    size_t need = len / 4 * 3 - pad;
    if (need > cap)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        int v[4];
        for (size_t k = 0; k < 4; k++) {
            uint8_t c = in[i + k];
            if (c == '=' && last && k >= 4 - pad) {
                v[k] = 0;
                continue;
            }
            v[k] = b64val(c);
            if (v[k] < 0)
                return false;
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t n = last ? 3 - pad : 3;
        /* RFC 4648 s3.5: the unused bits before padding must be zero */
        if (last && pad == 1 && (w & 0xff))
            return false;
        if (last && pad == 2 && (w & 0xffff))
            return false;
        if (n >= 1) out[o++] = (uint8_t)(w >> 16);
        if (n >= 2) out[o++] = (uint8_t)(w >> 8);
        if (n >= 3) out[o++] = (uint8_t)w;
    }
    *out_len = o;
    return true;
}

bool mailx_sasl_plain_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen)
{
    /* RFC 4616 s2: message = [authzid] UTF8NUL authcid UTF8NUL passwd */
    const uint8_t *nul1 = memchr(dec, 0, len);
    if (!nul1)
        return false;
    size_t a = (size_t)(nul1 - dec) + 1;
    const uint8_t *nul2 = memchr(dec + a, 0, len - a);
    if (!nul2)
        return false;
    size_t alen = (size_t)(nul2 - (dec + a));
    if (alen > 0) {
        *off = a;
        *ulen = alen;
        return true;
    }
    if (nul1 > dec) {
        *off = 0;
        *ulen = (size_t)(nul1 - dec);
        return true;
    }
    return false;
}

bool mailx_sasl_cram_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen)
{
    /* RFC 2195 s2: the user name, a space, and 32 lowercase hex digits */
    if (len < 34 || dec[len - 33] != ' ')
        return false;
    for (size_t i = len - 32; i < len; i++)
        if (!g_ascii_isxdigit(dec[i]))
            return false;
    *off = 0;
    *ulen = len - 33;
    return *ulen > 0;
}

/* Value of `key` (e.g. "user=") in `dec` up to one of the stop bytes. */
static bool find_attr(const uint8_t *dec, size_t len, size_t from, const char *key,
                      const char *stops, size_t *off, size_t *ulen)
{
    size_t kl = strlen(key);
    if (from > len || len - from < kl || memcmp(dec + from, key, kl) != 0)
        return false;
    size_t s = from + kl, e = s;
    while (e < len && !strchr(stops, dec[e]))
        e++;
    if (e == s)
        return false;
    *off = s;
    *ulen = e - s;
    return true;
}

bool mailx_sasl_oauth_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen)
{
    /* XOAUTH2: "user=" {User} "^Aauth=Bearer " {token} "^A^A" */
    if (find_attr(dec, len, 0, "user=", "\001", off, ulen))
        return true;
    /* RFC 7628 s3.1: gs2-header = gs2-cbind-flag "," [ "a=" saslname ] "," */
    if (len < 2 || (dec[0] != 'n' && dec[0] != 'y' && dec[0] != 'p'))
        return false;
    const uint8_t *comma = memchr(dec, ',', len);
    if (!comma)
        return false;
    return find_attr(dec, len, (size_t)(comma - dec) + 1, "a=", ",\001", off, ulen);
}

bool mailx_sasl_scram_user(const uint8_t *dec, size_t len, size_t *off, size_t *ulen)
{
    /* RFC 5802 s7: client-first = gs2-header "n=" saslname "," "r=" nonce ... */
    if (len < 3 || (dec[0] != 'n' && dec[0] != 'y' && dec[0] != 'p'))
        return false;
    const uint8_t *c1 = memchr(dec, ',', len);
    if (!c1)
        return false;
    size_t p = (size_t)(c1 - dec) + 1;
    const uint8_t *c2 = memchr(dec + p, ',', len - p);
    if (!c2)
        return false;
    return find_attr(dec, len, (size_t)(c2 - dec) + 1, "n=", ",", off, ulen);
}
