/* POP3 session logic: a conversation (client and server chunks) -> the events
 * the sink hears, written as text lines; every script also runs split into
 * one-byte chunks, which must give the same events. */
#include <string.h>

#include <glib.h>

#include "pop_session.h"

/* gap: instead of feeding data, bytes of side c went missing (mailx_pop_session_gap) */
typedef struct { bool c; const char *data; size_t len; /* 0: strlen */ bool gap; } chunk;
#define GAP(side) { .c = (side), .data = "", .gap = true }

static void *on_command(void *ctx, const mailx_pop_command_event *ev)
{
    GString *o = ctx;
    if (ev->kind == MAILX_POP_ANSWERS_SASL_RESPONSE)
        g_string_append_printf(o, "C sasl%s\n", ev->sasl_cancel ? " cancel" : "");
    else
        g_string_append_printf(o, "C %s%s%s\n", ev->parsed ? mailx_pop_verb_name(ev->cmd.verb) : "?",
                               ev->not_remembered ? " dropped" : "", ev->line_cut ? " cut" : "");
    return GUINT_TO_POINTER(1);
}

static void on_response(void *ctx, const mailx_pop_response_event *ev)
{
    GString *o = ctx;
    if (!ev->parsed) {
        g_string_append(o, "S ?\n");
        return;
    }
    const char *ind = ev->status.ind == MAILX_POP_IND_OK ? "+OK" :
                      ev->status.ind == MAILX_POP_IND_ERR ? "-ERR" : "+";
    g_string_append_printf(o, "S %s", ind);
    if (ev->status.has_code)
        g_string_append_printf(o, " [%.*s]", (int)ev->status.code_len, ev->line + ev->status.code_off);
    g_string_append_printf(o, " -> %s%s%s\n", mailx_pop_answers_name(ev->answers, ev->verb),
                           ev->opens_multiline ? " (multi)" : "", ev->line_cut ? " cut" : "");
}

static void on_ml_end(void *ctx, const mailx_pop_multiline_event *ev)
{
    g_string_append_printf(ctx, "end %s lines=%" G_GUINT64_FORMAT " size=%" G_GUINT64_FORMAT "%s\n",
                           mailx_pop_verb_name(ev->verb), ev->lines, ev->size,
                           ev->incomplete ? " incomplete" : "");
}

static void on_msg_end(void *ctx, const mailx_pop_multiline_event *ev)
{
    g_string_append_printf(ctx, "message %u size=%" G_GUINT64_FORMAT "\n", ev->arg_num, ev->size);
}

static GString *content;
static void on_content(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    g_string_append_len(content, (const char *)d, (gssize)n);
}

static void on_tls(void *ctx)
{
    g_string_append(ctx, "tls\n");
}

static void on_auth(void *ctx, const mailx_auth_event *ev)
{
    GString *o = ctx;
    g_string_append_printf(o, "auth #%u %s", ev->attempt, ev->mech);
    if (ev->user[0])
        g_string_append_printf(o, " user=%s", ev->user);
    if (ev->credential)
        g_string_append(o, " credential");
    if (ev->bad_encoding)
        g_string_append(o, " bad-base64");
    if (ev->prev_unanswered)
        g_string_append_printf(o, " prev#%u-unknown", ev->prev_attempt);
    if (ev->result)
        g_string_append_printf(o, " %s", mailx_auth_result_name(ev->result));
    g_string_append_c(o, '\n');
}

static void on_gap(void *ctx, const mailx_pop_gap_event *ev)
{
    g_string_append_printf(ctx, "gap %s%s unknown=%u%s%s%s\n", ev->from_client ? "client" : "server",
                           ev->mid_session ? " mid-session" : "", ev->unknown,
                           ev->multiline_cut ? " multiline-cut" : "",
                           ev->message_cut ? " message-cut" : "", ev->repeat ? " repeat" : "");
}

static const mailx_pop_sink sink = {
    .command = on_command, .response = on_response, .multiline_end = on_ml_end,
    .message_end = on_msg_end, .content = on_content, .tls_started = on_tls, .auth = on_auth,
    .gap = on_gap,
};

/* The keep limit for the next runs (0: the default) and the lines the last run cut. */
static uint32_t run_keep;
static uint64_t run_cut;

static char *run(const chunk *ch, size_t n, bool bytewise, mailx_pop_session *out)
{
    mailx_pop_session s;
    mailx_pop_session_init(&s);
    if (run_keep)
        mailx_pop_session_line_keep(&s, run_keep);
    GString *o = g_string_new("");
    g_string_truncate(content, 0);
    for (size_t i = 0; i < n; i++) {
        mailx_frame_ref f = { .ts_ns = (int64_t)i, .num = (uint32_t)i + 1 };
        if (ch[i].gap) {
            mailx_pop_session_gap(&s, ch[i].c, f, &sink, o);
            continue;
        }
        size_t len = ch[i].len ? ch[i].len : strlen(ch[i].data);
        uint8_t *buf = g_memdup2(ch[i].data, len ? len : 1);
        if (bytewise)
            for (size_t k = 0; k < len; k++)
                mailx_pop_session_feed(&s, ch[i].c, buf + k, 1, f, &sink, o);
        else
            mailx_pop_session_feed(&s, ch[i].c, buf, len, f, &sink, o);
        g_free(buf);
    }
    if (out)
        *out = s;
    run_cut = mailx_pop_session_lines_cut(&s);
    mailx_pop_session_free(&s);
    return g_string_free(o, FALSE);
}

static void check(const char *name, const chunk *ch, size_t n, const char *expected)
{
    char *a = run(ch, n, false, NULL);
    if (strcmp(a, expected) != 0)
        g_error("%s:\n--- got\n%s--- expected\n%s", name, a, expected);
    char *b = run(ch, n, true, NULL);
    if (strcmp(b, expected) != 0)
        g_error("%s (bytewise):\n--- got\n%s--- expected\n%s", name, b, expected);
    g_free(a);
    g_free(b);
}

/* Lines carried across frames and cut at the keep limit (mailx.line_keep_max):
 * each is reported cut and counted once; what is read comes from the kept part
 * (a status indicator before the cut stays, a code reaching it is not taken),
 * sizes from the full length. */
typedef struct {
    const char *name; uint32_t keep; chunk ch[8]; size_t n; const char *expect; uint64_t cut;
    const char *content;   /* the message content the sink got (NULL: not checked) */
} cut_case;

static const cut_case cut_cases[] = {
    { "status line cut after +OK", 8,
      { { false, "+OK ready\r\n" }, { true, "STAT\r\n" }, { false, "+OK 2 32" }, { false, "0 octets\r\n" } }, 4,
      "S +OK -> greeting\nC STAT\nS +OK -> STAT cut\n", 1 },
    { "code reaching the cut is not taken", 10,
      { { false, "+OK ready\r\n" }, { true, "STAT\r\n" }, { false, "-ERR [SYS/" }, { false, "TEMP] busy\r\n" } }, 4,
      "S +OK -> greeting\nC STAT\nS -ERR -> STAT cut\n", 1 },
    { "command line cut is recorded as cut", 8,
      { { false, "+OK ready\r\n" }, { true, "USER averyl" }, { true, "ongname\r\n" }, { false, "+OK\r\n" } }, 4,
      "S +OK -> greeting\nC USER cut\nauth #1 USER/PASS\nS +OK -> USER\n", 1 },
    { "user name reaching the cut is not taken", 12,
      { { false, "+OK ready\r\n" }, { true, "APOP averyl" }, { true, "ongname c4c9334bac560ecc979e58001b3e22fb\r\n" },
        { false, "-ERR\r\n" } }, 4,
      "S +OK -> greeting\nC APOP cut\nauth #1 APOP\nS -ERR -> APOP\nauth #1 APOP failure\n", 1 },
    { "user name before the cut is taken", 12,
      { { false, "+OK ready\r\n" }, { true, "APOP bob c4c9" }, { true, "334bac560ecc979e58001b3e22fb\r\n" },
        { false, "-ERR\r\n" } }, 4,
      "S +OK -> greeting\nC APOP cut\nauth #1 APOP user=bob\nS -ERR -> APOP\nauth #1 APOP user=bob failure\n", 1 },
    { "SASL response cut: no user decoded", 8,
      { { false, "+OK ready\r\n" }, { true, "AUTH LOGIN\r\n" }, { false, "+ VXNlcm5hbWU6\r\n" },
        { true, "YWxpY2Vh" }, { true, "bGljZQ==\r\n" } }, 5,
      "S +OK -> greeting\nC AUTH\nauth #1 LOGIN\nS + -> AUTH\nC sasl\nauth #1 LOGIN\n", 1 },
    { "message line past the limit is not cut: content and size whole", 8,
      { { false, "+OK ready\r\n" }, { true, "RETR 1\r\n" }, { false, "+OK\r\nSubject: 0123" },
        { false, "456789\r\n.\r\n" }, { true, "QUIT\r\n" } }, 5,
      "S +OK -> greeting\nC RETR\nS +OK -> RETR (multi)\nend RETR lines=1 size=21\nmessage 1 size=21\nC QUIT\n", 0,
      "Subject: 0123456789\r\n" },
    { "stuffed-dot body line in pieces, then the end", 4,
      { { false, "+OK ready\r\n" }, { true, "RETR 2\r\n" }, { false, "+OK\r\n..abcdefgh" }, { false, "ij" },
        { false, "kl\r" }, { false, "\nx\r\n." }, { false, "\r\n" } }, 7,
      "S +OK -> greeting\nC RETR\nS +OK -> RETR (multi)\nend RETR lines=2 size=18\nmessage 2 size=18\n", 0,
      ".abcdefghijkl\r\nx\r\n" },
    { "CAPA line past the limit is cut, counted", 4,
      { { false, "+OK ready\r\n" }, { true, "CAPA\r\n" }, { false, "+OK\r\nIMPLEM" }, { false, "ENTATION x\r\n.\r\n" } }, 4,
      "S +OK -> greeting\nC CAPA\nS +OK -> CAPA (multi)\nend CAPA lines=1 size=18\n", 1, NULL },
    { "many cut lines, each counted", 8,
      { { false, "+OK ready\r\n" }, { true, "NOOP 123456" }, { true, "789\r\nNOOP 1234567" }, { true, "89\r\n" },
        { false, "+OK 123456789" }, { false, "\r\n+OK 123456789\r\n" } }, 6,
      "S +OK -> greeting\nC NOOP cut\nC NOOP cut\nS +OK -> NOOP cut\nS +OK -> NOOP\n", 3 },
};

static void test_cut(gconstpointer data)
{
    const cut_case *c = data;
    run_keep = c->keep;
    char *got = run(c->ch, c->n, false, NULL);
    run_keep = 0;
    if (strcmp(got, c->expect) != 0)
        g_error("%s:\n--- got\n%s--- expected\n%s", c->name, got, c->expect);
    g_assert_cmpuint(run_cut, ==, c->cut);
    if (c->content)
        g_assert_cmpstr(content->str, ==, c->content);
    g_free(got);
}

static void test_user_pass(void)
{
    static const chunk ch[] = {
        { false, "+OK Dovecot ready.\r\n" },
        { true,  "CAPA\r\n" },
        { false, "+OK\r\nCAPA\r\nTOP\r\nSTLS\r\nUSER\r\n.\r\n" },
        { true,  "USER alice\r\n" },
        { false, "+OK\r\n" },
        { true,  "PASS wrong\r\n" },
        { false, "-ERR [AUTH] Authentication failed.\r\n" },
        { true,  "USER alice\r\n" },
        { false, "+OK\r\n" },
        { true,  "PASS alice-pw-1\r\n" },
        { false, "+OK Logged in.\r\n" },
        { true,  "QUIT\r\n" },
        { false, "+OK Logging out.\r\n" },
    };
    check("user-pass", ch, G_N_ELEMENTS(ch),
          "S +OK -> greeting\n"
          "C CAPA\n" "S +OK -> CAPA (multi)\n" "end CAPA lines=4 size=23\n"
          "C USER\n" "auth #1 USER/PASS user=alice\n" "S +OK -> USER\n"
          "C PASS\n" "auth #1 USER/PASS user=alice credential\n"
          "S -ERR [AUTH] -> PASS\n" "auth #1 USER/PASS user=alice failure\n"
          "C USER\n" "auth #2 USER/PASS user=alice\n" "S +OK -> USER\n"
          "C PASS\n" "auth #2 USER/PASS user=alice credential\n"
          "S +OK -> PASS\n" "auth #2 USER/PASS user=alice success\n"
          "C QUIT\n" "S +OK -> QUIT\n");
    mailx_pop_session s;
    g_free(run(ch, G_N_ELEMENTS(ch), false, &s));
    g_assert_true(s.starttls_offered);
    g_assert_cmpuint(s.auth.failures, ==, 1);
    g_assert_cmpuint(s.auth.successes, ==, 1);
}

static void test_retr_pipelined(void)
{
    /* RFC 2449 PIPELINING: three commands in one segment; the RETR body has a
       dot-stuffed line and a line that is only "..". */
    static const chunk ch[] = {
        { false, "+OK ready\r\n" },
        { true,  "STAT\r\nRETR 2\r\nLIST\r\n" },
        { false, "+OK 2 320\r\n+OK 40 octets\r\nSubject: x\r\n\r\n..dot\r\n..\r\n" },
        { false, ".\r\n+OK\r\n1 120\r\n2 200\r\n.\r\n" },
        { true,  "RETR 9\r\n" },
        { false, "-ERR [SYS/TEMP] no such message\r\n" },
    };
    check("retr", ch, G_N_ELEMENTS(ch),
          "S +OK -> greeting\n"
          "C STAT\n" "C RETR\n" "C LIST\n"
          "S +OK -> STAT\n" "S +OK -> RETR (multi)\n"
          "end RETR lines=4 size=23\n" "message 2 size=23\n"
          "S +OK -> LIST (multi)\n" "end LIST lines=2 size=14\n"
          "C RETR\n" "S -ERR [SYS/TEMP] -> RETR\n");
    g_assert_cmpmem(content->str, content->len, "Subject: x\r\n\r\n.dot\r\n.\r\n", 23);
}

static void test_auth_sasl(void)
{
    static const chunk ch[] = {
        { false, "+OK ready\r\n" },
        { true,  "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3LTE=\r\n" },
        { false, "+OK Logged in.\r\n" },
        { true,  "AUTH LOGIN\r\n" },
        { false, "+ VXNlcm5hbWU6\r\n" },
        { true,  "Ym9i\r\n" },
        { false, "+ UGFzc3dvcmQ6\r\n" },
        { true,  "d3Jvbmc=\r\n" },
        { false, "-ERR [AUTH] Authentication failed.\r\n" },
        { true,  "AUTH CRAM-MD5\r\n" },
        { false, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n" },
        { true,  "*\r\n" },
        { false, "-ERR Authentication aborted\r\n" },
        { true,  "AUTH PLAIN\r\n" },
        { false, "+ \r\n" },
        { true,  "!!notbase64\r\n" },
        { false, "-ERR bad\r\n" },
    };
    check("auth", ch, G_N_ELEMENTS(ch),
          "S +OK -> greeting\n"
          "C AUTH\n" "auth #1 PLAIN user=alice credential\n"
          "S +OK -> AUTH\n" "auth #1 PLAIN user=alice success\n"
          "C AUTH\n" "auth #2 LOGIN\n" "S + -> AUTH\n"
          "C sasl\n" "auth #2 LOGIN user=bob\n" "S + -> AUTH response\n"
          "C sasl\n" "auth #2 LOGIN user=bob credential\n"
          "S -ERR [AUTH] -> AUTH response\n" "auth #2 LOGIN user=bob failure\n"
          "C AUTH\n" "auth #3 CRAM-MD5\n" "S + -> AUTH\n"
          "C sasl cancel\n" "auth #3 CRAM-MD5\n"
          "S -ERR -> AUTH response\n" "auth #3 CRAM-MD5 aborted\n"
          "C AUTH\n" "auth #4 PLAIN\n" "S + -> AUTH\n"
          "C sasl\n" "auth #4 PLAIN credential bad-base64\n"
          "S -ERR -> AUTH response\n" "auth #4 PLAIN failure\n");
}

static void test_apop_stls(void)
{
    static const chunk ch[] = {
        { false, "+OK <1896.697170952@dbc.mtview.ca.us>\r\n" },
        { true,  "STLS\r\nUSER half" },   /* the client must wait; bytes after STLS are TLS */
        { false, "+OK Begin TLS negotiation now.\r\n" },
        { true,  "\x16\x03\x01 binary\r\n" },
    };
    char *a = run(ch, G_N_ELEMENTS(ch), false, NULL);
    g_assert_cmpstr(a, ==, "S +OK -> greeting\n" "C STLS\n" "S +OK -> STLS\n" "tls\n" "C ?\n");
    g_free(a);
    static const chunk ch2[] = {
        { false, "+OK <1896.697170952@dbc.mtview.ca.us>\r\n" },
        { true,  "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n" },
        { false, "+OK maildrop has 1 message (369 octets)\r\n" },
        { true,  "PASS lonely\r\n" },
        { false, "-ERR\r\n" },
    };
    check("apop", ch2, G_N_ELEMENTS(ch2),
          "S +OK -> greeting\n"
          "C APOP\n" "auth #1 APOP user=mrose\n" "S +OK -> APOP\n" "auth #1 APOP user=mrose success\n"
          "C PASS\n" "auth #2 USER/PASS credential\n" "S -ERR -> PASS\n" "auth #2 USER/PASS failure\n");
}

static void test_malformed(void)
{
    /* bare LF, NUL bytes, a server line that is no status, a reply without a
       command, a 1 MB line, and a flood of pipelined commands */
    static const chunk ch[] = {
        { false, "garbage\n" },
        { false, "+OK\n" },
        { true,  "NOOP\n" },
        { false, "+OK a\0b\r\n", 9 },
        { false, "-ERR nobody asked\r\n" },
    };
    /* the first line is no greeting: the capture may have started inside a body,
       so lines are not read as status lines until the next command */
    check("malformed", ch, G_N_ELEMENTS(ch),
          "gap server mid-session unknown=0\n" "S ?\n" "S ?\n"
          "C NOOP\n" "S +OK -> NOOP\n" "S -ERR -> unknown\n");

    mailx_pop_session s;
    mailx_pop_session_init(&s);
    GString *o = g_string_new("");
    mailx_frame_ref f = { 0, 1 };
    size_t big = 1024 * 1024;
    uint8_t *line = g_malloc(big);
    memset(line, 'A', big);
    memcpy(line, "USER ", 5);
    mailx_pop_session_feed(&s, true, line, big, f, &sink, o);
    mailx_pop_session_feed(&s, true, (const uint8_t *)"\r\n", 2, f, &sink, o);
    g_assert_true(s.client_carry.kept <= MAILX_LINE_KEEP_MAX);
    g_assert_cmpuint(strlen(s.auth.user), ==, MAILX_AUTH_USER_MAX);
    for (int i = 0; i < MAILX_POP_PENDING_MAX + 10; i++)
        mailx_pop_session_feed(&s, true, (const uint8_t *)"NOOP\r\n", 6, f, &sink, o);
    g_assert_cmpuint(s.pending_count, ==, MAILX_POP_PENDING_MAX);
    g_assert_cmpuint(s.pending_dropped, ==, 11);
    g_free(line);
    g_string_free(o, TRUE);
    mailx_pop_session_free(&s);
}

/* Capture gaps (mailx_pop_session_gap) and captures that start mid-session:
 * what cannot be paired answers "unknown", a cut body is incomplete, and
 * pairing resumes at the first command sent after the gap. */
static const struct {
    const char *name;
    chunk ch[12];
    const char *expected;
} gap_cases[] = {
    { "server gap before the response: PASS and STAT unknown, login unknown",
      { { false, "+OK ready\r\n" }, { true, "USER alice\r\n" }, { false, "+OK\r\n" },
        { true, "PASS secret\r\n" }, { true, "STAT\r\n" }, GAP(false),
        { false, "+OK 2 320\r\n" },
        { true, "LIST\r\n" }, { false, "+OK\r\n1 120\r\n.\r\n" } },
      "S +OK -> greeting\n"
      "C USER\n" "auth #1 USER/PASS user=alice\n" "S +OK -> USER\n"
      "C PASS\n" "auth #1 USER/PASS user=alice credential\n" "C STAT\n"
      "gap server unknown=2\n" "auth #1 USER/PASS user=alice unknown\n"
      "S +OK -> unknown\n"
      "C LIST\n" "S +OK -> LIST (multi)\n" "end LIST lines=1 size=7\n" },
    { "server gap before the USER response: PASS after the gap completes the login",
      { { false, "+OK ready\r\n" }, { true, "USER alice\r\n" }, GAP(false),
        { true, "PASS wrong\r\n" }, { false, "-ERR [AUTH] Authentication failed.\r\n" } },
      "S +OK -> greeting\n"
      "C USER\n" "auth #1 USER/PASS user=alice\n" "gap server unknown=1\n"
      "C PASS\n" "auth #1 USER/PASS user=alice credential\n"
      "S -ERR [AUTH] -> PASS\n" "auth #1 USER/PASS user=alice failure\n" },
    { "server gap inside a RETR body: incomplete, no message; status-looking body lines ignored",
      { { false, "+OK ready\r\n" }, { true, "RETR 1\r\n" },
        { false, "+OK 120 octets\r\nSubject: x\r\n\r\nline1\r\n" }, GAP(false),
        { false, "-ERR not a status line\r\n+OK neither\r\n.\r\n" },
        { true, "DELE 1\r\n" }, { false, "+OK deleted\r\n" } },
      "S +OK -> greeting\n"
      "C RETR\n" "S +OK -> RETR (multi)\n"
      "end RETR lines=3 size=21 incomplete\n"
      "gap server unknown=0 multiline-cut message-cut\n"
      "S ?\n" "S ?\n" "S ?\n"
      "C DELE\n" "S +OK -> DELE\n" },
    { "server gap, RETR left unknown: the body after the gap is not read as responses",
      { { false, "+OK ready\r\n" }, { true, "RETR 1\r\n" }, GAP(false),
        { false, "From: a\r\n-ERR in the body\r\n.\r\n" },
        { true, "QUIT\r\n" }, { false, "+OK Logging out.\r\n" } },
      "S +OK -> greeting\n"
      "C RETR\n" "gap server unknown=1\n"
      "S ?\n" "S ?\n" "S ?\n"
      "C QUIT\n" "S +OK -> QUIT\n" },
    { "pipelined across the gap: a body line after the new command, so it stays unknown",
      { { false, "+OK ready\r\n" }, { true, "RETR 1\r\n" }, GAP(false),
        { true, "DELE 1\r\n" }, { false, "body line\r\n.\r\n+OK deleted\r\n" },
        { true, "NOOP\r\n" }, { false, "+OK\r\n" } },
      "S +OK -> greeting\n"
      "C RETR\n" "gap server unknown=1\n" "C DELE\n"
      "S ?\n" "S ?\n" "S ?\n"
      "C NOOP\n" "S +OK -> NOOP\n" },
    { "client gap: the commands seen stay paired; the next response (a lost PASS's) answers unknown",
      { { false, "+OK ready\r\n" }, { true, "USER alice\r\nPA" }, GAP(true),
        { false, "+OK\r\n-ERR [AUTH] Authentication failed.\r\n" },
        { true, "USER alice\r\n" }, { false, "+OK\r\n" } },
      "S +OK -> greeting\n"
      "C USER\n" "auth #1 USER/PASS user=alice\n" "gap client unknown=1\n"
      "S +OK -> USER\n" "S -ERR [AUTH] -> unknown\n"
      "C USER\n" "auth #2 USER/PASS user=alice prev#1-unknown\n" "S +OK -> USER\n" },
    { "client gap behind pipelined commands: the command sent meanwhile is not a resync point",
      { { false, "+OK ready\r\n" }, { true, "STAT\r\nLIST\r\n" }, GAP(true),
        { true, "NOOP\r\n" },
        { false, "+OK 1 9\r\n+OK\r\n1 9\r\n.\r\n+OK\r\n+OK\r\n" },
        { true, "NOOP\r\n" }, { false, "+OK\r\n" } },
      "S +OK -> greeting\n"
      "C STAT\n" "C LIST\n" "gap client unknown=0\n" "C NOOP\n"
      "S +OK -> STAT\n" "S +OK -> LIST (multi)\n" "end LIST lines=1 size=5\n"
      "S +OK -> unknown\n" "S ?\n"
      "C NOOP\n" "S +OK -> NOOP\n" },
    { "every frame of a body cut (snap length): one gap, then repeats",
      { { false, "+OK ready\r\n" }, { true, "RETR 1\r\n" }, { false, "+OK\r\nFrom: a" }, GAP(false),
        { false, "xx\r\nbody" }, GAP(false), { false, "yy\r\nbody" }, GAP(false),
        { true, "QUIT\r\n" }, { false, "+OK bye\r\n" } },
      "S +OK -> greeting\n"
      "C RETR\n" "S +OK -> RETR (multi)\n"
      "end RETR lines=0 size=0 incomplete\n" "gap server unknown=0 multiline-cut message-cut\n"
      "S ?\n" "gap server unknown=0 repeat\n" "S ?\n" "gap server unknown=0 repeat\n"
      "C QUIT\n" "S +OK -> QUIT\n" },
    { "a gap before the first line: a +OK is no proof of the greeting",
      { GAP(false), { false, "+OK 2 320\r\n" }, { true, "STAT\r\n" }, { false, "+OK 2 320\r\n" } },
      "gap server mid-session unknown=0\n" "S ?\n" "C STAT\n" "S +OK -> STAT\n" },
    { "mid-session start inside a body",
      { { false, "the end of a message\r\n.\r\n+OK\r\n" },
        { true, "STAT\r\n" }, { false, "+OK 1 100\r\n" } },
      "gap server mid-session unknown=0\n" "S ?\n" "S ?\n" "S ?\n"
      "C STAT\n" "S +OK -> STAT\n" },
    { "mid-session start with a client command",
      { { true, "RETR 1\r\n" }, { false, "+OK\r\nhello\r\n.\r\n" } },
      "gap client mid-session unknown=0\n" "C RETR\n"
      "S +OK -> RETR (multi)\n" "end RETR lines=1 size=7\n" "message 1 size=7\n" },
    { "duplicated data after a gap pairs once",
      { { false, "+OK ready\r\n" }, { true, "NOOP\r\n" }, GAP(false),
        { true, "STAT\r\n" }, { false, "+OK 2 320\r\n" }, { false, "+OK 2 320\r\n" } },
      "S +OK -> greeting\n"
      "C NOOP\n" "gap server unknown=1\n" "C STAT\n"
      "S +OK -> STAT\n" "S +OK -> unknown\n" },
    { "server gap with nothing owed: pairing goes on",
      { { false, "+OK ready\r\n" }, { true, "NOOP\r\n" }, { false, "+OK\r\n" }, GAP(false),
        { true, "STAT\r\n" }, { false, "+OK 1 9\r\n" } },
      "S +OK -> greeting\n"
      "C NOOP\n" "S +OK -> NOOP\n" "gap server unknown=0\n" "C STAT\n" "S +OK -> STAT\n" },
    { "malformed: gaps before anything, twice in a row, a cut first line (reported as a gap, not mid-session), garbage",
      { GAP(false), GAP(true), { false, "+OK half a gree" }, GAP(false),
        { false, "\0\0garbage\n", 10 }, GAP(true), GAP(true), { true, "\xff\r\n" },
        { false, "+OK\r\n" } },
      "gap server unknown=0\n" "S ?\n"
      "gap client unknown=0 repeat\n" "gap client unknown=0 repeat\n"
      "C ?\n" "S +OK -> unknown\n" },
};

static void test_gaps(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(gap_cases); i++) {
        size_t n = 0;
        while (n < G_N_ELEMENTS(gap_cases[i].ch) && gap_cases[i].ch[n].data)
            n++;
        check(gap_cases[i].name, gap_cases[i].ch, n, gap_cases[i].expected);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    content = g_string_new("");
    for (size_t i = 0; i < G_N_ELEMENTS(cut_cases); i++) {
        char *path = g_strdup_printf("/pop_session/line_cut/%s", cut_cases[i].name);
        g_test_add_data_func(path, &cut_cases[i], test_cut);
        g_free(path);
    }
    g_test_add_func("/pop_session/user_pass", test_user_pass);
    g_test_add_func("/pop_session/retr_pipelined", test_retr_pipelined);
    g_test_add_func("/pop_session/auth_sasl", test_auth_sasl);
    g_test_add_func("/pop_session/apop_stls", test_apop_stls);
    g_test_add_func("/pop_session/malformed", test_malformed);
    g_test_add_func("/pop_session/capture/gaps", test_gaps);
    return g_test_run();
}
