/* The login model: attempt numbering, results, user masking, and SMTP AUTH
 * steps through the real SMTP session (auth_smtp). */
#include <string.h>

#include <glib.h>

#include "auth_smtp.h"

static void test_mask(void)
{
    static const struct { const char *in, *out; } rows[] = {
        { "alice", "a***e" }, { "bob", "b*b" }, { "al", "**" }, { "a", "*" }, { "", "" },
        { "alice@mailx.test", "a**************t" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char out[32];
        mailx_auth_mask_user(rows[i].in, out, sizeof out);
        g_assert_cmpstr(out, ==, rows[i].out);
    }
    char small[4];
    g_assert_cmpuint(mailx_auth_mask_user("alice", small, sizeof small), ==, 3);
    g_assert_cmpstr(small, ==, "a**");
    g_assert_cmpuint(mailx_auth_mask_user("alice", small, 0), ==, 0);
}

static void test_model(void)
{
    mailx_auth_state a;
    mailx_auth_init(&a);
    mailx_auth_event ev;
    memset(&ev, 0, sizeof ev);
    /* steps before any attempt do nothing */
    mailx_auth_credential(&a, &ev);
    mailx_auth_end(&a, MAILX_AUTH_SUCCESS, &ev);
    g_assert_cmpuint(ev.attempt, ==, 0);

    mailx_auth_begin(&a, (const uint8_t *)"plain", 5, true, &ev);
    g_assert_true(ev.started);
    g_assert_cmpstr(ev.mech, ==, "PLAIN");
    /* a second attempt before an answer: the first stays unknown */
    memset(&ev, 0, sizeof ev);
    mailx_auth_begin(&a, (const uint8_t *)"LOGIN", 5, true, &ev);
    g_assert_true(ev.prev_unanswered);
    g_assert_cmpuint(ev.prev_attempt, ==, 1);
    g_assert_cmpuint(ev.attempt, ==, 2);
    /* control bytes in a user name are neutralised; long names truncated */
    memset(&ev, 0, sizeof ev);
    mailx_auth_user(&a, (const uint8_t *)"a\0b\nc", 5, &ev);
    g_assert_cmpstr(ev.user, ==, "a?b?c");
    uint8_t longname[300];
    memset(longname, 'u', sizeof longname);
    mailx_auth_user(&a, longname, sizeof longname, &ev);
    g_assert_cmpuint(strlen(ev.user), ==, MAILX_AUTH_USER_MAX);
    memset(&ev, 0, sizeof ev);
    mailx_auth_end(&a, MAILX_AUTH_FAILURE, &ev);
    g_assert_cmpint(ev.result, ==, MAILX_AUTH_FAILURE);
    g_assert_cmpuint(a.failures, ==, 1);
    g_assert_false(a.open);
    /* a SASL response far too long to decode is not "bad base64" but still a
       credential for PLAIN */
    mailx_auth_begin(&a, (const uint8_t *)"PLAIN", 5, true, &ev);
    size_t big = 1024 * 1024;
    uint8_t *b = g_malloc(big);
    memset(b, 'Q', big);
    memset(&ev, 0, sizeof ev);
    mailx_auth_sasl_response(&a, b, big, &ev);
    g_assert_false(ev.bad_encoding);
    g_assert_true(ev.credential);
    g_free(b);
    g_assert_cmpstr(mailx_auth_result_name(MAILX_AUTH_UNKNOWN), ==, "unknown");
}

static GString *out;

static void *smtp_cmd(void *ctx, const mailx_smtp_command_event *cev)
{
    mailx_auth_event ev;
    memset(&ev, 0, sizeof ev);
    mailx_auth_smtp_command(ctx, cev, &ev);
    if (ev.attempt)
        g_string_append_printf(out, "C #%u %s user=%s%s\n", ev.attempt, ev.mech, ev.user,
                               ev.credential ? " credential" : "");
    return NULL;
}

static void smtp_reply(void *ctx, const mailx_smtp_reply_event *rev)
{
    mailx_auth_event ev;
    memset(&ev, 0, sizeof ev);
    mailx_auth_smtp_reply(ctx, rev, &ev);
    if (ev.attempt)
        g_string_append_printf(out, "S #%u %s\n", ev.attempt, mailx_auth_result_name(ev.result));
}

static void test_smtp(void)
{
    static const struct { bool c; const char *d; } ch[] = {
        { false, "220 mx ESMTP\r\n" },
        { true,  "EHLO c\r\n" },
        { false, "250-mx\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 STARTTLS\r\n" },
        { true,  "AUTH PLAIN AGFsaWNlAHdyb25n\r\n" },
        { false, "535 5.7.8 Error: authentication failed\r\n" },
        { true,  "AUTH LOGIN\r\n" },
        { false, "334 VXNlcm5hbWU6\r\n" },
        { true,  "Ym9i\r\n" },
        { false, "334 UGFzc3dvcmQ6\r\n" },
        { true,  "Ym9iLXB3LTI=\r\n" },
        { false, "235 2.7.0 Authentication successful\r\n" },
        { true,  "AUTH CRAM-MD5\r\n" },
        { false, "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n" },
        { true,  "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n" },
        { false, "535 5.7.8 no\r\n" },
        { true,  "AUTH XOAUTH2 dXNlcj1hbGljZUB4AWF1dGg9QmVhcmVyIHRvawEB\r\n" },
        { false, "235 ok\r\n" },
        { true,  "AUTH LOGIN\r\n" },
        { false, "334 VXNlcm5hbWU6\r\n" },
        { true,  "*\r\n" },
        { false, "501 5.7.0 Authentication aborted\r\n" },
    };
    mailx_smtp_sink sink = { .command = smtp_cmd, .reply = smtp_reply };
    mailx_smtp_session s;
    mailx_smtp_session_init(&s);
    mailx_auth_state a;
    mailx_auth_init(&a);
    out = g_string_new("");
    for (size_t i = 0; i < G_N_ELEMENTS(ch); i++) {
        mailx_frame_ref f = { (int64_t)i, (uint32_t)i + 1 };
        mailx_smtp_session_feed(&s, ch[i].c, (const uint8_t *)ch[i].d, strlen(ch[i].d), f, &sink, &a);
    }
    g_assert_cmpstr(out->str, ==,
        "C #1 PLAIN user=alice credential\n" "S #1 failure\n"
        "C #2 LOGIN user=\n" "C #2 LOGIN user=bob\n" "C #2 LOGIN user=bob credential\n" "S #2 success\n"
        "C #3 CRAM-MD5 user=\n" "C #3 CRAM-MD5 user=tim\n" "S #3 failure\n"
        "C #4 XOAUTH2 user=alice@x credential\n" "S #4 success\n"
        "C #5 LOGIN user=\n" "C #5 LOGIN user=\n" "S #5 aborted\n");
    g_assert_cmpuint(a.successes, ==, 2);
    g_assert_cmpuint(a.failures, ==, 2);
    g_assert_cmpuint(a.aborted, ==, 1);
    g_string_free(out, TRUE);
    mailx_smtp_session_free(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/auth/mask", test_mask);
    g_test_add_func("/auth/model", test_model);
    g_test_add_func("/auth/smtp", test_smtp);
    return g_test_run();
}
