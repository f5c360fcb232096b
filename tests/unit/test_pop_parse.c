/* POP3 status and command lines: line -> expected struct, one row per case,
 * malformed ones included. Exact-size heap copies let ASan catch over-reads. */
#include <string.h>

#include <glib.h>

#include "pop_parse.h"

#define IN(s) s, sizeof(s) - 1

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    mailx_pop_indicator ind;
    const char *code;     /* NULL: no code */
    bool unterminated;
    const char *text;
} st_row;

static const st_row st_rows[] = {
    { "ok",              IN("+OK"),                    true,  MAILX_POP_IND_OK,  NULL, false, "" },
    { "ok-text",         IN("+OK Dovecot ready."),     true,  MAILX_POP_IND_OK,  NULL, false, "Dovecot ready." },
    { "err",             IN("-ERR"),                   true,  MAILX_POP_IND_ERR, NULL, false, "" },
    { "err-auth",        IN("-ERR [AUTH] Authentication failed."),
                                                       true,  MAILX_POP_IND_ERR, "AUTH", false, "Authentication failed." },
    { "err-sys-temp",    IN("-ERR [SYS/TEMP] try later"), true, MAILX_POP_IND_ERR, "SYS/TEMP", false, "try later" },
    { "err-in-use",      IN("-ERR [IN-USE] locked"),  true,  MAILX_POP_IND_ERR, "IN-USE", false, "locked" },
    { "code-no-text",    IN("-ERR [LOGIN-DELAY]"),    true,  MAILX_POP_IND_ERR, "LOGIN-DELAY", false, "" },
    { "code-deep",       IN("-ERR [SYS/PERM/X] t"),   true,  MAILX_POP_IND_ERR, "SYS/PERM/X", false, "t" },
    { "unterminated",    IN("-ERR [AUTH failed"),     true,  MAILX_POP_IND_ERR, NULL, true, "[AUTH failed" },
    { "empty-brackets",  IN("-ERR [] x"),             true,  MAILX_POP_IND_ERR, NULL, false, "[] x" },
    { "code-later",      IN("-ERR no [AUTH]"),        true,  MAILX_POP_IND_ERR, NULL, false, "no [AUTH]" },
    { "continuation",    IN("+ VXNlcm5hbWU6"),        true,  MAILX_POP_IND_CONT, NULL, false, "VXNlcm5hbWU6" },
    { "bare-plus",       IN("+"),                     true,  MAILX_POP_IND_CONT, NULL, false, "" },
    { "okay-word",       IN("+OKAY"),                 false, MAILX_POP_IND_NONE, NULL, false, NULL },
    { "error-word",      IN("-ERROR x"),              false, MAILX_POP_IND_NONE, NULL, false, NULL },
    { "lower-case",      IN("+ok"),                   false, MAILX_POP_IND_NONE, NULL, false, NULL },
    { "body-line",       IN("Subject: hi"),           false, MAILX_POP_IND_NONE, NULL, false, NULL },
    { "empty",           IN(""),                      false, MAILX_POP_IND_NONE, NULL, false, NULL },
    { "plus-glued",      IN("+x"),                    false, MAILX_POP_IND_NONE, NULL, false, NULL },
    { "nul-in-text",     IN("+OK a\0b"),              true,  MAILX_POP_IND_OK,  NULL, false, "a\0b" },
    { "nul-in-code",     IN("-ERR [A\0B] x"),         true,  MAILX_POP_IND_ERR, "A\0B", false, "x" },
    { "cr-left",         IN("+OK\r"),                 false, MAILX_POP_IND_NONE, NULL, false, NULL },
};

static void test_status(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(st_rows); i++) {
        const st_row *r = &st_rows[i];
        uint8_t *in = g_memdup2(r->in, r->in_len ? r->in_len : 1);
        mailx_pop_status st;
        bool ok = mailx_pop_status_parse(in, r->in_len, &st);
        if (ok != r->ok)
            g_error("%s: ok %d, expected %d", r->name, ok, r->ok);
        g_assert_cmpint(st.ind, ==, r->ind);
        if (ok) {
            g_assert_cmpint(st.has_code, ==, r->code != NULL);
            g_assert_cmpint(st.code_unterminated, ==, r->unterminated);
            g_assert_cmpuint(st.text_off + st.text_len, ==, r->in_len);
            if (r->code && strcmp(r->name, "nul-in-code") != 0)
                g_assert_cmpmem(in + st.code_off, st.code_len, r->code, strlen(r->code));
            if (strcmp(r->name, "nul-in-code") == 0)
                g_assert_cmpmem(in + st.code_off, st.code_len, "A\0B", 3);
            else if (strcmp(r->name, "nul-in-text") == 0)
                g_assert_cmpmem(in + st.text_off, st.text_len, "a\0b", 3);
            else
                g_assert_cmpmem(in + st.text_off, st.text_len, r->text, strlen(r->text));
        }
        g_free(in);
    }
}

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    mailx_pop_verb verb;
    const char *arg1;
    const char *arg2;
} cmd_row;

static const cmd_row cmd_rows[] = {
    { "user",        IN("USER alice"),           true,  MAILX_POP_CMD_USER, "alice", "" },
    { "user-lower",  IN("user alice"),           true,  MAILX_POP_CMD_USER, "alice", "" },
    { "pass",        IN("PASS se cret"),         true,  MAILX_POP_CMD_PASS, "se", "cret" },
    { "apop",        IN("APOP mrose c4c9334bac560ecc979e58001b3e22fb"),
                                                 true,  MAILX_POP_CMD_APOP, "mrose", "c4c9334bac560ecc979e58001b3e22fb" },
    { "auth-ir",     IN("AUTH PLAIN AGEAYg=="),  true,  MAILX_POP_CMD_AUTH, "PLAIN", "AGEAYg==" },
    { "auth-list",   IN("AUTH"),                 true,  MAILX_POP_CMD_AUTH, "", "" },
    { "retr",        IN("RETR 1"),               true,  MAILX_POP_CMD_RETR, "1", "" },
    { "top",         IN("TOP 2 10"),             true,  MAILX_POP_CMD_TOP,  "2", "10" },
    { "stls",        IN("STLS"),                 true,  MAILX_POP_CMD_STLS, "", "" },
    { "capa",        IN("CAPA"),                 true,  MAILX_POP_CMD_CAPA, "", "" },
    { "extra-spaces",IN("LIST   3"),             true,  MAILX_POP_CMD_LIST, "3", "" },
    { "unknown",     IN("XTND XMIT"),            true,  MAILX_POP_CMD_UNKNOWN, "XMIT", "" },
    { "prefix-only", IN("RET 1"),                true,  MAILX_POP_CMD_UNKNOWN, "1", "" },
    { "longer-verb", IN("RETRX 1"),              true,  MAILX_POP_CMD_UNKNOWN, "1", "" },
    { "empty",       IN(""),                     false, MAILX_POP_CMD_UNKNOWN, "", "" },
    { "digit-first", IN("1 RETR"),               false, MAILX_POP_CMD_UNKNOWN, "", "" },
    { "nul-first",   IN("\0USER"),               false, MAILX_POP_CMD_UNKNOWN, "", "" },
    { "trailing-sp", IN("QUIT "),                true,  MAILX_POP_CMD_QUIT, "", "" },
};

static void test_command(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cmd_rows); i++) {
        const cmd_row *r = &cmd_rows[i];
        uint8_t *in = g_memdup2(r->in, r->in_len ? r->in_len : 1);
        mailx_pop_command c;
        bool ok = mailx_pop_command_parse(in, r->in_len, &c);
        if (ok != r->ok)
            g_error("%s: ok %d, expected %d", r->name, ok, r->ok);
        if (ok) {
            g_assert_cmpint(c.verb, ==, r->verb);
            g_assert_cmpmem(in + c.arg_off, c.arg1_len, r->arg1, strlen(r->arg1));
            g_assert_cmpmem(in + c.arg2_off, c.arg2_len, r->arg2, strlen(r->arg2));
            g_assert_cmpuint(c.arg_off + c.arg_len, ==, r->in_len);
        }
        g_free(in);
    }
}

static void test_multiline(void)
{
    g_assert_true(mailx_pop_multiline(MAILX_POP_CMD_LIST, false));
    g_assert_false(mailx_pop_multiline(MAILX_POP_CMD_LIST, true));
    g_assert_true(mailx_pop_multiline(MAILX_POP_CMD_RETR, true));
    g_assert_true(mailx_pop_multiline(MAILX_POP_CMD_CAPA, false));
    g_assert_false(mailx_pop_multiline(MAILX_POP_CMD_STAT, false));
    g_assert_false(mailx_pop_multiline(MAILX_POP_CMD_AUTH, true));
    g_assert_cmpstr(mailx_pop_verb_name(MAILX_POP_CMD_COUNT), ==, "unknown");
    g_assert_cmpstr(mailx_pop_verb_name(MAILX_POP_CMD_TOP), ==, "TOP");
}

static void test_long_line(void)
{
    size_t n = 1024 * 1024;
    uint8_t *in = g_malloc(n);
    memcpy(in, "-ERR [", 6);
    memset(in + 6, 'A', n - 6);
    mailx_pop_status st;
    g_assert_true(mailx_pop_status_parse(in, n, &st));
    g_assert_true(st.code_unterminated);
    in[n - 1] = ']';
    g_assert_true(mailx_pop_status_parse(in, n, &st));
    g_assert_true(st.has_code);
    g_assert_cmpuint(st.code_len, ==, n - 7);
    mailx_pop_command c;
    memcpy(in, "USER ", 5);
    g_assert_true(mailx_pop_command_parse(in, n, &c));
    g_assert_cmpuint(c.arg1_len, ==, n - 5);
    g_free(in);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pop/status", test_status);
    g_test_add_func("/pop/command", test_command);
    g_test_add_func("/pop/multiline", test_multiline);
    g_test_add_func("/pop/long_line", test_long_line);
    return g_test_run();
}
