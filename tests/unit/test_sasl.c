/* SASL: strict base64 and the user each mechanism reveals, one row per input,
 * including malformed ones. Inputs are copied into exact-size heap buffers so
 * ASan catches a read past `len`. */
#include <string.h>

#include <glib.h>

#include "sasl.h"

#define IN(s) s, sizeof(s) - 1

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    const char *out;       /* expected bytes when ok */
    size_t out_len;
} b64_row;

static const b64_row b64_rows[] = {
    { "empty",          IN(""),             true,  IN("") },
    { "empty-equals",   IN("="),            true,  IN("") },          /* RFC 4954 s4 */
    { "one-byte",       IN("YQ=="),         true,  IN("a") },
    { "two-bytes",      IN("YWI="),         true,  IN("ab") },
    { "three-bytes",    IN("YWJj"),         true,  IN("abc") },
    { "plain-alice",    IN("AGFsaWNlAHNlY3JldA=="), true, IN("\0alice\0secret") },
    { "login-prompt",   IN("VXNlcm5hbWU6"), true,  IN("Username:") },
    { "bad-length",     IN("YWJ"),          false, NULL, 0 },
    { "bad-char",       IN("YW!j"),         false, NULL, 0 },
    { "space-inside",   IN("YW Jj"),        false, NULL, 0 },
    { "pad-in-middle",  IN("YQ==YWJj"),     false, NULL, 0 },
    { "pad-misplaced",  IN("Y=Jj"),         false, NULL, 0 },
    { "all-pad",        IN("===="),         false, NULL, 0 },
    { "three-pad",      IN("Y==="),         false, NULL, 0 },
    /* RFC 4648 s3.5: non-zero bits before the padding */
    { "nonzero-bits",   IN("YR=="),         false, NULL, 0 },
    { "nul-byte",       IN("YW\0j"),        false, NULL, 0 },
    { "cancel-star",    IN("*"),            false, NULL, 0 },
    { "crlf-left",      IN("YWJj\r"),       false, NULL, 0 },
};

static void test_base64(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(b64_rows); i++) {
        const b64_row *r = &b64_rows[i];
        uint8_t *in = g_memdup2(r->in, r->in_len ? r->in_len : 1);
        uint8_t out[64];
        size_t n = 99;
        bool ok = mailx_base64_decode(in, r->in_len, out, sizeof out, &n);
        if (ok != r->ok)
            g_error("%s: ok %d, expected %d", r->name, ok, r->ok);
        if (ok) {
            g_assert_cmpuint(n, ==, r->out_len);
            g_assert_cmpmem(out, n, r->out, r->out_len);
        } else {
            g_assert_cmpuint(n, ==, 0);
        }
        g_free(in);
    }
}

static void test_base64_capacity(void)
{
    /* output must never exceed cap: "YWJj" needs 3 bytes */
    uint8_t out[2] = { 0x55, 0x55 };
    size_t n = 7;
    g_assert_false(mailx_base64_decode((const uint8_t *)"YWJj", 4, out, 2, &n));
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpuint(out[0], ==, 0x55);
    /* 1 MB of valid base64 into a small buffer: refused, not overrun */
    size_t big = 1024 * 1024;
    uint8_t *in = g_malloc(big);
    memset(in, 'Q', big);
    g_assert_false(mailx_base64_decode(in, big, out, sizeof out, &n));
    g_free(in);
}

typedef enum { PLAIN, CRAM, OAUTH, SCRAM } kind;
typedef struct {
    const char *name;
    kind k;
    const char *in;
    size_t in_len;
    bool ok;
    const char *user;
} user_row;

static const user_row user_rows[] = {
    { "plain-authcid",      PLAIN, IN("\0alice\0pw"),        true,  "alice" },
    { "plain-authzid-too",  PLAIN, IN("admin\0alice\0pw"),   true,  "alice" },
    { "plain-only-authzid", PLAIN, IN("alice\0\0pw"),        true,  "alice" },
    { "plain-empty-pw",     PLAIN, IN("\0alice\0"),          true,  "alice" },
    { "plain-one-nul",      PLAIN, IN("alice\0pw"),          false, NULL },
    { "plain-no-nul",       PLAIN, IN("alicepw"),            false, NULL },
    { "plain-all-empty",    PLAIN, IN("\0\0pw"),             false, NULL },
    { "plain-empty",        PLAIN, IN(""),                   false, NULL },
    { "cram",               CRAM,  IN("tim b913a602c7eda7a495b4e6e7334d3890"), true, "tim" },
    { "cram-space-user",    CRAM,  IN("t i m b913a602c7eda7a495b4e6e7334d3890"), true, "t i m" },
    { "cram-short-digest",  CRAM,  IN("tim b913a602c7eda7a495b4e6e7334d389"), false, NULL },
    { "cram-not-hex",       CRAM,  IN("tim z913a602c7eda7a495b4e6e7334d3890"), false, NULL },
    { "cram-no-user",       CRAM,  IN(" b913a602c7eda7a495b4e6e7334d3890"), false, NULL },
    { "xoauth2",            OAUTH, IN("user=alice@x\001auth=Bearer tok\001\001"), true, "alice@x" },
    { "xoauth2-no-ctrl-a",  OAUTH, IN("user=alice@x"),       true,  "alice@x" },
    { "xoauth2-empty-user", OAUTH, IN("user=\001auth=Bearer t\001\001"), false, NULL },
    { "oauthbearer",        OAUTH, IN("n,a=bob@x,\001host=h\001auth=Bearer t\001\001"), true, "bob@x" },
    { "oauthbearer-no-a",   OAUTH, IN("n,,\001auth=Bearer t\001\001"), false, NULL },
    { "oauth-garbage",      OAUTH, IN("hello"),              false, NULL },
    { "scram",              SCRAM, IN("n,,n=carol,r=abc"),   true,  "carol" },
    { "scram-authzid",      SCRAM, IN("n,a=x,n=carol,r=abc"), true, "carol" },
    { "scram-no-n",         SCRAM, IN("n,,r=abc"),           false, NULL },
    { "scram-truncated",    SCRAM, IN("n,"),                 false, NULL },
};

static void test_users(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(user_rows); i++) {
        const user_row *r = &user_rows[i];
        uint8_t *in = g_memdup2(r->in, r->in_len ? r->in_len : 1);
        size_t off = 0, len = 0;
        bool ok = false;
        switch (r->k) {
        case PLAIN: ok = mailx_sasl_plain_user(in, r->in_len, &off, &len); break;
        case CRAM:  ok = mailx_sasl_cram_user(in, r->in_len, &off, &len); break;
        case OAUTH: ok = mailx_sasl_oauth_user(in, r->in_len, &off, &len); break;
        case SCRAM: ok = mailx_sasl_scram_user(in, r->in_len, &off, &len); break;
        }
        if (ok != r->ok)
            g_error("%s: ok %d, expected %d", r->name, ok, r->ok);
        if (ok) {
            g_assert_cmpuint(off + len, <=, r->in_len);
            g_assert_cmpmem(in + off, len, r->user, strlen(r->user));
        }
        g_free(in);
    }
}

static void test_mech_names(void)
{
    g_assert_cmpint(mailx_sasl_mech_from_name((const uint8_t *)"plain", 5), ==, MAILX_SASL_PLAIN);
    g_assert_cmpint(mailx_sasl_mech_from_name((const uint8_t *)"CRAM-MD5", 8), ==, MAILX_SASL_CRAM_MD5);
    g_assert_cmpint(mailx_sasl_mech_from_name((const uint8_t *)"SCRAM-SHA-256-PLUS", 18), ==, MAILX_SASL_SCRAM);
    g_assert_cmpint(mailx_sasl_mech_from_name((const uint8_t *)"SCRAM-", 6), ==, MAILX_SASL_UNKNOWN);
    g_assert_cmpint(mailx_sasl_mech_from_name((const uint8_t *)"PLAINX", 6), ==, MAILX_SASL_UNKNOWN);
    g_assert_cmpint(mailx_sasl_mech_from_name((const uint8_t *)"PLAI", 4), ==, MAILX_SASL_UNKNOWN);
    g_assert_cmpint(mailx_sasl_mech_from_name(NULL, 0), ==, MAILX_SASL_UNKNOWN);
    g_assert_true(mailx_sasl_mech_reveals_secret(MAILX_SASL_PLAIN));
    g_assert_true(mailx_sasl_mech_reveals_secret(MAILX_SASL_XOAUTH2));
    g_assert_false(mailx_sasl_mech_reveals_secret(MAILX_SASL_CRAM_MD5));
    g_assert_false(mailx_sasl_mech_reveals_secret(MAILX_SASL_SCRAM));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sasl/base64", test_base64);
    g_test_add_func("/sasl/base64_capacity", test_base64_capacity);
    g_test_add_func("/sasl/users", test_users);
    g_test_add_func("/sasl/mech_names", test_mech_names);
    return g_test_run();
}
