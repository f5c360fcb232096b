/* IMAP session logic: a conversation (client and server chunks) -> the events
 * the sink hears, as text lines; every script also runs split into one-byte
 * chunks, which must give the same events. */
#include <string.h>

#include <glib.h>

#include "imap_session.h"

/* gap: instead of feeding data, bytes of side c went missing (mailx_imap_session_gap) */
typedef struct { bool c; const char *data; size_t len; /* 0: strlen */ bool gap; } chunk;
#define GAP(side) { .c = (side), .data = "", .gap = true }

static void *on_command(void *ctx, const mailx_imap_command_event *ev)
{
    GString *o = ctx;
    switch (ev->kind) {
    case MAILX_IMAP_CLIENT_COMMAND:
        g_string_append_printf(o, "C %.*s %s%s%s\n", (int)ev->cmd.tag_len, ev->line, ev->name,
                               ev->not_remembered ? " dropped" : "", ev->line_cut ? " cut" : "");
        break;
    case MAILX_IMAP_CLIENT_CONTINUED: g_string_append(o, "C ...\n"); break;
    case MAILX_IMAP_CLIENT_SASL:
        g_string_append_printf(o, "C sasl%s\n", ev->sasl_cancel ? " cancel" : "");
        break;
    case MAILX_IMAP_CLIENT_DONE:     g_string_append(o, "C DONE\n"); break;
    case MAILX_IMAP_CLIENT_UNPARSED: g_string_append(o, "C ?\n"); break;
    }
    return GUINT_TO_POINTER(1);
}

static void on_response(void *ctx, const mailx_imap_response_event *ev)
{
    GString *o = ctx;
    if (ev->continues) {
        g_string_append(o, "S ...\n");
        return;
    }
    if (!ev->parsed) {
        g_string_append(o, "S ?\n");
        return;
    }
    const mailx_imap_response *r = &ev->resp;
    switch (r->kind) {
    case MAILX_IMAP_RESP_TAGGED:
        g_string_append_printf(o, "S %.*s %s", (int)r->tag_len, ev->line + r->tag_off,
                               mailx_imap_status_name(r->status));
        break;
    case MAILX_IMAP_RESP_UNTAGGED:
        if (r->status)
            g_string_append_printf(o, "S * %s", mailx_imap_status_name(r->status));
        else
            g_string_append_printf(o, "S * %.*s", (int)r->kw_len, ev->line + r->kw_off);
        break;
    default:
        g_string_append(o, "S +");
        break;
    }
    if (r->has_code)
        g_string_append_printf(o, " [%.*s]", (int)r->code_len, ev->line + r->code_off);
    if (ev->greeting)
        g_string_append(o, " greeting");
    if (ev->has_request)
        g_string_append_printf(o, " -> %s", ev->command);
    if (ev->line_cut)
        g_string_append(o, " cut");
    g_string_append_c(o, '\n');
}

static void on_literal_end(void *ctx, const mailx_imap_literal_event *ev)
{
    g_string_append_printf(ctx, "literal %s %" G_GUINT64_FORMAT "%s%s%s %s\n",
                           ev->from_client ? "client" : "server", ev->size,
                           ev->too_big ? " too-big" : "", ev->message ? " message" : "",
                           ev->incomplete ? " incomplete" : "", ev->section);
}

static void on_msg_end(void *ctx, const mailx_imap_literal_event *ev)
{
    g_string_append_printf(ctx, "message %u size=%" G_GUINT64_FORMAT "\n", ev->msg_num, ev->size);
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
    if (ev->result)
        g_string_append_printf(o, " %s", mailx_auth_result_name(ev->result));
    g_string_append_c(o, '\n');
}

static void on_gap(void *ctx, const mailx_imap_gap_event *ev)
{
    g_string_append_printf(ctx, "gap %s%s unknown=%u%s%s%s\n", ev->from_client ? "client" : "server",
                           ev->mid_session ? " mid-session" : "", ev->unknown,
                           ev->literal_cut ? " literal-cut" : "", ev->message_cut ? " message-cut" : "",
                           ev->repeat ? " repeat" : "");
}

static const mailx_imap_sink sink = {
    .command = on_command, .response = on_response, .literal_end = on_literal_end,
    .message_end = on_msg_end, .content = on_content, .tls_started = on_tls, .auth = on_auth,
    .gap = on_gap,
};

/* The keep limit for the next runs (0: the default) and the lines the last run cut. */
static uint32_t run_keep;
static uint64_t run_cut;

static char *run(const chunk *ch, size_t n, bool bytewise, mailx_imap_session *keep)
{
    mailx_imap_session *s = g_new(mailx_imap_session, 1);
    mailx_imap_session_init(s);
    if (run_keep)
        mailx_imap_session_line_keep(s, run_keep);
    GString *o = g_string_new("");
    g_string_truncate(content, 0);
    for (size_t i = 0; i < n; i++) {
        mailx_frame_ref f = { .ts_ns = (int64_t)i, .num = (uint32_t)i + 1 };
        if (ch[i].gap) {
            mailx_imap_session_gap(s, ch[i].c, f, &sink, o);
            continue;
        }
        size_t len = ch[i].len ? ch[i].len : strlen(ch[i].data);
        uint8_t *buf = g_memdup2(ch[i].data, len ? len : 1);
        if (bytewise)
            for (size_t k = 0; k < len; k++)
                mailx_imap_session_feed(s, ch[i].c, buf + k, 1, f, &sink, o);
        else
            mailx_imap_session_feed(s, ch[i].c, buf, len, f, &sink, o);
        g_free(buf);
    }
    if (keep)
        *keep = *s;
    run_cut = mailx_imap_session_lines_cut(s);
    mailx_imap_session_free(s);
    g_free(s);
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
 * each is reported cut and counted once; tag, status and pairing come from the
 * kept part, a user name or response code reaching the cut is not taken. */
typedef struct { const char *name; uint32_t keep; chunk ch[8]; size_t n; const char *expect; uint64_t cut; } cut_case;

static const cut_case cut_cases[] = {
    { "tagged response cut keeps tag, status and pairing", 16,
      { { false, "* OK ready\r\n" }, { true, "a1 NOOP\r\n" }, { false, "a1 OK NOOP compl" },
        { false, "eted and more text\r\n" } }, 4,
      "S * OK greeting\nC a1 NOOP\nS a1 OK -> NOOP cut\n", 1 },
    { "response code reaching the cut is not taken", 16,
      { { false, "* OK ready\r\n" }, { true, "a1 SELECT x\r\n" }, { false, "a1 NO [NONEXIST" },
        { false, "ENT] no such mailbox\r\n" } }, 4,
      "S * OK greeting\nC a1 SELECT\nS a1 NO -> SELECT cut\n", 1 },
    { "LOGIN user reaching the cut is not taken", 16,
      { { false, "* OK ready\r\n" }, { true, "a2 LOGIN bobbyt" }, { true, "ables secret\r\n" },
        { false, "a2 OK done\r\n" } }, 4,
      "S * OK greeting\nC a2 LOGIN cut\nauth #1 IMAP LOGIN\nS a2 OK -> LOGIN\nauth #1 IMAP LOGIN success\n", 1 },
    { "LOGIN user before the cut is taken", 16,
      { { false, "* OK ready\r\n" }, { true, "a2 LOGIN bob se" }, { true, "cret\r\n" },
        { false, "a2 OK done\r\n" } }, 4,
      "S * OK greeting\nC a2 LOGIN cut\nauth #1 IMAP LOGIN user=bob credential\nS a2 OK -> LOGIN\n"
      "auth #1 IMAP LOGIN user=bob success\n", 1 },
    { "many cut lines, each counted", 8,
      { { false, "* OK ready\r\n" }, { true, "a1 NOOP x" }, { true, "yz\r\na2 NOOP x" }, { true, "yz\r\n" },
        { false, "a1 OK done" }, { false, "\r\na2 OK done\r\n" } }, 6,
      "S * OK greeting\nC a1 NOOP cut\nC a2 NOOP cut\nS a1 OK -> NOOP cut\nS a2 OK -> NOOP\n", 3 },
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
    g_free(got);
}

static void test_login_forms(void)
{
    static const chunk ch[] = {
        { false, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.\r\n" },
        { true,  "a1 LOGIN \"alice\" \"wrong pw\"\r\n" },
        { false, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" },
        /* synchronizing literals: the client waits for "+" each time */
        { true,  "a2 LOGIN {5}\r\n" },
        { false, "+ OK\r\n" },
        { true,  "alice {10}\r\n" },
        { false, "+ OK\r\n" },
        { true,  "alice-pw-1\r\n" },
        { false, "a2 OK [CAPABILITY IMAP4rev1] Logged in\r\n" },
        /* LITERAL+: no waiting */
        { true,  "a3 LOGIN {3+}\r\nbob {3+}\r\npw!\r\n" },
        { false, "a3 OK Logged in\r\n" },
        /* a literal refused before "+": the next line is a command again */
        { true,  "a4 LOGIN atom {9999}\r\n" },
        { false, "a4 BAD literal too big\r\n" },
        { true,  "a5 LOGOUT\r\n" },
        { false, "* BYE Logging out\r\na5 OK Logout completed.\r\n" },
    };
    check("login", ch, G_N_ELEMENTS(ch),
          "S * OK [CAPABILITY] greeting\n"
          "C a1 LOGIN\n" "auth #1 IMAP LOGIN user=alice credential\n"
          "S a1 NO [AUTHENTICATIONFAILED] -> LOGIN\n" "auth #1 IMAP LOGIN user=alice failure\n"
          "C a2 LOGIN\n" "auth #2 IMAP LOGIN\n" "S + -> LOGIN\n"
          "literal client 5 \n" "auth #2 IMAP LOGIN user=alice\n"
          "C ...\n" "S + -> LOGIN\n"
          "literal client 10 \n" "auth #2 IMAP LOGIN user=alice credential\n"
          "C ...\n"
          "S a2 OK [CAPABILITY] -> LOGIN\n" "auth #2 IMAP LOGIN user=alice success\n"
          "C a3 LOGIN\n" "auth #3 IMAP LOGIN\n"
          "literal client 3 \n" "auth #3 IMAP LOGIN user=bob\n"
          "C ...\n" "literal client 3 \n" "auth #3 IMAP LOGIN user=bob credential\n" "C ...\n"
          "S a3 OK -> LOGIN\n" "auth #3 IMAP LOGIN user=bob success\n"
          "C a4 LOGIN\n" "auth #4 IMAP LOGIN user=atom\n"
          "S a4 BAD -> LOGIN\n" "auth #4 IMAP LOGIN user=atom failure\n"
          "C a5 LOGOUT\n" "S * BYE\n" "S a5 OK -> LOGOUT\n");
    mailx_imap_session s;
    g_free(run(ch, G_N_ELEMENTS(ch), false, &s));
    g_assert_true(s.starttls_offered);
    g_assert_cmpuint(s.auth.failures, ==, 2);
    g_assert_cmpuint(s.auth.successes, ==, 2);
    g_assert_cmpuint(s.pending_count, ==, 0);
}

/* STARTTLS in a capability list, by code or untagged response; once offered it
 * stays offered whatever later lists say (the scan then stops). */
typedef struct { const char *name; chunk ch[4]; size_t n; bool offered; } capa_case;
static const capa_case capa_cases[] = {
    { "code", { { false, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n" } }, 1, true },
    { "untagged", { { false, "* OK ready\r\n" }, { false, "* CAPABILITY IMAP4rev1 STARTTLS\r\n" } }, 2, true },
    { "lower_case", { { false, "* OK ready\r\n" }, { false, "* capability imap4rev1 starttls\r\n" } }, 2, true },
    { "later_list_without", { { false, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n" },
                              { false, "* CAPABILITY IMAP4rev1 IDLE\r\n" },
                              { false, "a1 OK [CAPABILITY IMAP4rev1 SORT] done\r\n" } }, 3, true },
    { "longer_word", { { false, "* OK [CAPABILITY IMAP4rev1 STARTTLSX XSTARTTLS] ready\r\n" } }, 1, false },
    { "spaces_only", { { false, "* OK ready\r\n" }, { false, "* CAPABILITY    \r\n" } }, 2, false },
    { "empty_code", { { false, "* OK [CAPABILITY] ready\r\n" } }, 1, false },
    { "other_code", { { false, "* OK [STARTTLS] ready\r\n" } }, 1, false },
    { "cut_word", { { false, "* OK ready\r\n" }, { false, "* CAPABILITY STARTTL\r\n" } }, 2, false },
    /* where the word sits in the list, and near misses around it */
    { "first_word", { { false, "* OK [CAPABILITY STARTTLS IMAP4rev1] ready\r\n" } }, 1, true },
    { "only_word", { { false, "* OK [CAPABILITY STARTTLS] ready\r\n" } }, 1, true },
    { "last_of_many", { { false, "* OK ready\r\n" },
                        { false, "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT "
                                 "SORT=DISPLAY THREAD=REFERENCES MULTIAPPEND LITERAL+ StartTls\r\n" } }, 2, true },
    { "after_near_misses", { { false, "* OK [CAPABILITY XSTARTTLS STARTTLSX STARTTL TARTTLS "
                                      "SSTARTTLS STARTTLS] ready\r\n" } }, 1, true },
    { "doubled", { { false, "* OK [CAPABILITY STARTTLSSTARTTLS] ready\r\n" } }, 1, false },
    { "double_spaces", { { false, "* OK [CAPABILITY IMAP4rev1  STARTTLS  IDLE] ready\r\n" } }, 1, true },
    { "tab_joined", { { false, "* OK ready\r\n" }, { false, "* CAPABILITY STARTTLS\tIDLE\r\n" } }, 2, false },
    { "equals_suffix", { { false, "* OK [CAPABILITY STARTTLS=1 AUTH=PLAIN] ready\r\n" } }, 1, false },
    { "high_bytes", { { false, "* OK [CAPABILITY \xd3TARTTLS STARTTL\xd3 \xf3tarttls] ready\r\n" } }, 1, false },
    { "other_letters_folded", { { false, "* OK [CAPABILITY S\x14" "ARTTLS STAR\x14TLS] ready\r\n" } }, 1, false },
    { "short_list", { { false, "* OK ready\r\n" }, { false, "* CAPABILITY TLS\r\n" } }, 2, false },
};

static void test_capability(gconstpointer data)
{
    const capa_case *c = data;
    mailx_imap_session s;
    g_free(run(c->ch, c->n, false, &s));
    if (s.starttls_offered != c->offered)
        g_error("%s: starttls_offered %d, expected %d", c->name, s.starttls_offered, c->offered);
    g_free(run(c->ch, c->n, true, &s));
    if (s.starttls_offered != c->offered)
        g_error("%s (byte by byte): starttls_offered %d, expected %d", c->name, s.starttls_offered, c->offered);
}

static void test_fetch_pipelined(void)
{
    /* the literal holds lines that look like responses; tagged responses come
       back in another order than the commands */
    static const chunk ch[] = {
        { false, "* PREAUTH ready\r\n" },
        { true,  "a1 SELECT INBOX\r\na2 FETCH 1 (BODY[])\r\na3 UID FETCH 7 (RFC822.HEADER)\r\n" },
        { false, "* 2 EXISTS\r\na1 OK [READ-WRITE] Select completed.\r\n* 1 FETCH (BODY[] {28}\r\n" },
        { false, "a2 OK fake\r\n" },
        { false, "* BYE fake\r\n.\r\n" },
        { false, "x)\r\n* 1 FETCH (UID 7 RFC822.HEADER {4}\r\nab\r\n FLAGS (\\Seen))\r\n" },
        { false, "a3 OK done\r\na2 OK Fetch completed.\r\n" },
    };
    check("fetch", ch, G_N_ELEMENTS(ch),
          "S * PREAUTH greeting\n"
          "C a1 SELECT\n" "C a2 FETCH\n" "C a3 UID FETCH\n"
          "S * EXISTS\n" "S a1 OK [READ-WRITE] -> SELECT\n" "S * FETCH\n"
          "literal server 28 message BODY[]\n" "message 1 size=28\n"
          "S ...\n" "S * FETCH\n" "literal server 4 RFC822.HEADER\n" "S ...\n"
          "S a3 OK -> UID FETCH\n" "S a2 OK -> FETCH\n");
    g_assert_cmpmem(content->str, content->len, "a2 OK fake\r\n* BYE fake\r\n.\r\nx", 28);
}

static void test_authenticate(void)
{
    static const chunk ch[] = {
        { false, "* OK ready\r\n" },
        { true,  "a1 AUTHENTICATE PLAIN\r\n" },
        { false, "+ \r\n" },
        { true,  "AGFsaWNlAHdyb25n\r\n" },
        { false, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" },
        { true,  "a2 AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlLXB3LTE=\r\n" },
        { false, "a2 OK Logged in\r\n" },
        { true,  "a3 AUTHENTICATE LOGIN\r\n" },
        { false, "+ VXNlcm5hbWU6\r\n" },
        { true,  "*\r\n" },
        { false, "a3 BAD Authentication aborted by client.\r\n" },
        { true,  "a4 IDLE\r\n" },
        { false, "+ idling\r\n* 3 EXISTS\r\n" },
        { true,  "DONE\r\n" },
        { false, "a4 OK Idle completed.\r\n" },
        { true,  "a5 STARTTLS\r\n" },
        { false, "a5 OK Begin TLS negotiation now.\r\n" },
        { true,  "\x16\x03\x01\r\n" },
    };
    check("authenticate", ch, G_N_ELEMENTS(ch),
          "S * OK greeting\n"
          "C a1 AUTHENTICATE\n" "auth #1 PLAIN\n" "S + -> AUTHENTICATE\n"
          "C sasl\n" "auth #1 PLAIN user=alice credential\n"
          "S a1 NO [AUTHENTICATIONFAILED] -> AUTHENTICATE\n" "auth #1 PLAIN user=alice failure\n"
          "C a2 AUTHENTICATE\n" "auth #2 PLAIN user=alice credential\n"
          "S a2 OK -> AUTHENTICATE\n" "auth #2 PLAIN user=alice success\n"
          "C a3 AUTHENTICATE\n" "auth #3 LOGIN\n" "S + -> AUTHENTICATE\n"
          "C sasl cancel\n" "auth #3 LOGIN\n"
          "S a3 BAD -> AUTHENTICATE\n" "auth #3 LOGIN aborted\n"
          "C a4 IDLE\n" "S + -> IDLE\n" "S * EXISTS\n" "C DONE\n" "S a4 OK -> IDLE\n"
          "C a5 STARTTLS\n" "S a5 OK -> STARTTLS\n" "tls\n" "C ?\n");
}

static void test_hostile(void)
{
    /* a huge literal announcement is skipped byte for byte (never allocated);
       unbalanced quotes and NUL bytes do not derail pairing */
    static const chunk ch[] = {
        { false, "* OK ready\r\n" },
        { true,  "a1 LOGIN \"alice secret\r\n" },
        { false, "a1 BAD unbalanced\r\n" },
        { true,  "a\0 NOOP\r\nb1 NOOP\r\n", 18 },
        { false, "* 1 FETCH (BODY[] {99999999999}\r\nabc\r\n" },
        { false, "b1 OK swallowed by the literal\r\n" },
    };
    check("hostile", ch, G_N_ELEMENTS(ch),
          "S * OK greeting\n"
          "C a1 LOGIN\n" "auth #1 IMAP LOGIN\n"
          "S a1 BAD -> LOGIN\n" "auth #1 IMAP LOGIN failure\n"
          "C ?\n" "C b1 NOOP\n" "S * FETCH\n");
    mailx_imap_session s;
    g_free(run(ch, G_N_ELEMENTS(ch), false, &s));
    g_assert_cmpuint(s.server.mode, ==, MAILX_IMAP_MODE_LITERAL);
    g_assert_true(s.server.lit.too_big);
    g_assert_cmpuint(s.server.lit_left, ==, MAILX_IMAP_LITERAL_MAX - 5 - 32);

    /* more pending commands than the table holds: counted, not paired */
    mailx_imap_session *t = g_new(mailx_imap_session, 1);
    mailx_imap_session_init(t);
    GString *o = g_string_new("");
    mailx_frame_ref f = { 0, 1 };
    for (int i = 0; i < MAILX_IMAP_PENDING_MAX + 5; i++) {
        char line[32];
        int n = g_snprintf(line, sizeof line, "t%d NOOP\r\n", i);
        mailx_imap_session_feed(t, true, (const uint8_t *)line, (size_t)n, f, &sink, o);
    }
    g_assert_cmpuint(t->pending_dropped, ==, 5);
    mailx_imap_session_feed(t, false, (const uint8_t *)"t0 OK\r\nt130 OK\r\n", 16, f, &sink, o);
    g_assert_cmpuint(t->pending_count, ==, MAILX_IMAP_PENDING_MAX - 1);
    /* a 1 MB line is carried truncated */
    size_t big = 1024 * 1024;
    uint8_t *line = g_malloc(big);
    memset(line, 'x', big);
    mailx_imap_session_feed(t, false, line, big, f, &sink, o);
    g_assert_cmpuint(t->server_carry.kept, <=, MAILX_LINE_KEEP_MAX);
    g_free(line);
    g_string_free(o, TRUE);
    mailx_imap_session_free(t);
    g_free(t);
}

/* Capture gaps (mailx_imap_session_gap) and captures that start mid-session:
 * commands waiting at a server-side gap stay unknown, a cut literal is
 * incomplete, and commands sent after the gap pair by tag. */
static const struct {
    const char *name;
    chunk ch[12];
    const char *expected;
} gap_cases[] = {
    { "server gap before the tagged response: LOGIN unknown, its late NO unpaired",
      { { false, "* OK ready\r\n" }, { true, "a1 LOGIN alice secret\r\n" }, GAP(false),
        { false, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n" },
        { true, "a2 CAPABILITY\r\n" }, { false, "* CAPABILITY IMAP4rev1\r\na2 OK done\r\n" } },
      "S * OK greeting\n"
      "C a1 LOGIN\n" "auth #1 IMAP LOGIN user=alice credential\n"
      "gap server unknown=1\n" "auth #1 IMAP LOGIN user=alice unknown\n"
      "S a1 NO [AUTHENTICATIONFAILED]\n"
      "C a2 CAPABILITY\n" "S * CAPABILITY\n" "S a2 OK -> CAPABILITY\n" },
    { "server gap inside a FETCH literal: incomplete, no message; body lines not paired",
      { { false, "* OK ready\r\n" }, { true, "a1 FETCH 1 (BODY[])\r\n" },
        { false, "* 1 FETCH (BODY[] {100}\r\nSubject: x\r\n" }, GAP(false),
        { false, "a1 OK fake in the body\r\nmore body\r\n)\r\na1 OK Fetch completed.\r\n" },
        { true, "a2 NOOP\r\n" }, { false, "a2 OK NOOP completed.\r\n" } },
      "S * OK greeting\n"
      "C a1 FETCH\n" "S * FETCH\n"
      "literal server 100 message incomplete BODY[]\n"
      "gap server unknown=1 literal-cut message-cut\n"
      "S a1 OK\n" "S ?\n" "S ?\n" "S a1 OK\n"
      "C a2 NOOP\n" "S a2 OK -> NOOP\n" },
    { "client gap inside an APPEND literal: its rest is not read as commands",
      { { false, "* OK ready\r\n" }, { true, "a1 APPEND INBOX {40+}\r\nFrom: a@b\r\n" }, GAP(true),
        { true, "a9 FAKE not a command\r\n\r\nbody\r\n" },
        { false, "a1 OK [APPENDUID 1 5] Append completed.\r\n" },
        { true, "a2 LOGOUT\r\n" }, { false, "* BYE bye\r\na2 OK done\r\n" } },
      "S * OK greeting\n"
      "C a1 APPEND\n" "literal client 40 incomplete \n" "gap client unknown=0 literal-cut\n"
      "C ?\n" "C ?\n" "C ?\n"
      "S a1 OK [APPENDUID] -> APPEND\n"
      "C a2 LOGOUT\n" "S * BYE\n" "S a2 OK -> LOGOUT\n" },
    { "pipelined commands and a server gap: the waiting ones unknown, later ones paired",
      { { false, "* OK ready\r\n" },
        { true, "a1 SELECT INBOX\r\na2 FETCH 1:* (FLAGS)\r\na3 NOOP\r\n" },
        { false, "* 2 EXISTS\r\na1 OK Select completed.\r\n" }, GAP(false),
        { false, "* 2 FETCH (FLAGS ())\r\na2 OK Fetch completed.\r\na3 OK NOOP completed.\r\n" },
        { true, "a4 LOGOUT\r\n" }, { false, "* BYE bye\r\na4 OK done\r\n" } },
      "S * OK greeting\n"
      "C a1 SELECT\n" "C a2 FETCH\n" "C a3 NOOP\n"
      "S * EXISTS\n" "S a1 OK -> SELECT\n"
      "gap server unknown=2\n"
      "S * FETCH\n" "S a2 OK\n" "S a3 OK\n"
      "C a4 LOGOUT\n" "S * BYE\n" "S a4 OK -> LOGOUT\n" },
    { "client gap: the commands seen stay paired, lost ones' responses unpaired",
      { { false, "* OK ready\r\n" }, { true, "a1 NOOP\r\na2 SEL" }, GAP(true),
        { false, "a1 OK\r\na2 OK [READ-WRITE] Select completed.\r\na3 NO nope\r\n" },
        { true, "a4 NOOP\r\n" }, { false, "a4 OK\r\n" } },
      "S * OK greeting\n"
      "C a1 NOOP\n" "gap client unknown=1\n"
      "S a1 OK -> NOOP\n" "S a2 OK [READ-WRITE]\n" "S a3 NO\n"
      "C a4 NOOP\n" "S a4 OK -> NOOP\n" },
    { "every frame of a literal cut (snap length): one gap, then repeats until a pairing",
      { { false, "* OK ready\r\n" }, { true, "a1 FETCH 1 BODY[]\r\n" },
        { false, "* 1 FETCH (BODY[] {9000}\r\nFrom: a" }, GAP(false),
        { false, "xx\r\nbody" }, GAP(false), { true, "a2 NOOP\r\n" }, { false, "a2 OK\r\n" },
        { false, "body" }, GAP(false) },
      "S * OK greeting\n"
      "C a1 FETCH\n" "S * FETCH\n"
      "literal server 9000 message incomplete BODY[]\n"
      "gap server unknown=1 literal-cut message-cut\n"
      "S ?\n" "gap server unknown=0 repeat\n"
      "C a2 NOOP\n" "S a2 OK -> NOOP\n" "gap server unknown=0\n" },
    { "a gap before the first line: an untagged OK is no proof of the greeting",
      { GAP(false), { false, "* OK [ALERT] x\r\n" }, { true, "a1 NOOP\r\n" }, { false, "a1 OK\r\n" } },
      "gap server mid-session unknown=0\n" "S * OK [ALERT]\n" "C a1 NOOP\n" "S a1 OK -> NOOP\n" },
    { "mid-session start inside a literal",
      { { false, "ody line\r\n)\r\na7 OK Fetch completed.\r\n" },
        { true, "a8 NOOP\r\n" }, { false, "a8 OK\r\n" } },
      "gap server mid-session unknown=0\n" "S ?\n" "S ?\n" "S a7 OK\n"
      "C a8 NOOP\n" "S a8 OK -> NOOP\n" },
    { "mid-session start with a client command: an untagged OK is no greeting",
      { { true, "a1 NOOP\r\n" }, { false, "* OK still here\r\na1 OK done\r\n" } },
      "gap client mid-session unknown=0\n" "C a1 NOOP\n" "S * OK\n" "S a1 OK -> NOOP\n" },
    { "duplicated data after a gap: a tagged response pairs once",
      { { false, "* OK ready\r\n" }, { true, "a5 NOOP\r\n" }, GAP(false),
        { true, "a6 STATUS INBOX (MESSAGES)\r\n" },
        { false, "* STATUS INBOX (MESSAGES 2)\r\na6 OK done\r\n" },
        { false, "* STATUS INBOX (MESSAGES 2)\r\na6 OK done\r\n" } },
      "S * OK greeting\n"
      "C a5 NOOP\n" "gap server unknown=1\n" "C a6 STATUS\n"
      "S * STATUS\n" "S a6 OK -> STATUS\n" "S * STATUS\n" "S a6 OK\n" },
    { "a tag reused after a gap is ambiguous: neither response paired",
      { { false, "* OK ready\r\n" }, { true, "a1 LOGIN alice pw\r\n" }, GAP(false),
        { true, "a1 NOOP\r\n" },
        { false, "a1 NO [AUTHENTICATIONFAILED] failed\r\na1 OK NOOP completed\r\n" },
        { true, "a2 NOOP\r\n" }, { false, "a2 OK\r\n" } },
      "S * OK greeting\n"
      "C a1 LOGIN\n" "auth #1 IMAP LOGIN user=alice credential\n"
      "gap server unknown=1\n" "auth #1 IMAP LOGIN user=alice unknown\n"
      "C a1 NOOP\n" "S a1 NO [AUTHENTICATIONFAILED]\n" "S a1 OK\n"
      "C a2 NOOP\n" "S a2 OK -> NOOP\n" },
    { "server gap during AUTHENTICATE: the next continuation invites nothing",
      { { false, "* OK ready\r\n" }, { true, "a1 AUTHENTICATE PLAIN\r\n" }, GAP(false),
        { false, "+ \r\n" }, { true, "a2 NOOP\r\n" }, { false, "a2 OK\r\n" } },
      "S * OK greeting\n"
      "C a1 AUTHENTICATE\n" "auth #1 PLAIN\n"
      "gap server unknown=1\n" "auth #1 PLAIN unknown\n"
      "S +\n" "C a2 NOOP\n" "S a2 OK -> NOOP\n" },
    { "malformed: gaps before anything, twice, in a waiting literal, a cut server line",
      { GAP(false), GAP(true), { true, "a1 LOGIN {5}\r\n" }, GAP(true), GAP(true),
        { false, "a1 NO [half a li" }, GAP(false), { false, "\0\0{99999999999}\n", 17 },
        { true, "\xff\r\n" }, GAP(false) },
      "gap client mid-session unknown=0\n" "C a1 LOGIN\n" "auth #1 IMAP LOGIN\n"
      "gap client unknown=0\n" "gap client unknown=0 repeat\n"
      "gap server unknown=1\n" "auth #1 IMAP LOGIN unknown\n"
      "S ?\n" "C ?\n"
      "literal server 4294967295 too-big incomplete \n" "gap server unknown=0 literal-cut\n" },
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

/* Stale commands give way to new ones when the table is full. */
static void test_gap_table_full(void)
{
    mailx_imap_session s;
    mailx_imap_session_init(&s);
    GString *o = g_string_new("");
    mailx_frame_ref f = { 0, 1 };
    mailx_imap_session_feed(&s, false, (const uint8_t *)"* OK ready\r\n", 12, f, &sink, o);
    for (int i = 0; i < MAILX_IMAP_PENDING_MAX; i++) {
        char line[32];
        int n = g_snprintf(line, sizeof line, "t%d NOOP\r\n", i);
        mailx_imap_session_feed(&s, true, (const uint8_t *)line, (size_t)n, f, &sink, o);
    }
    g_assert_cmpuint(s.pending_count, ==, MAILX_IMAP_PENDING_MAX);
    mailx_imap_session_gap(&s, false, f, &sink, o);
    g_assert_cmpuint(s.stale_count, ==, MAILX_IMAP_PENDING_MAX);
    g_assert_cmpuint(s.unknown, ==, MAILX_IMAP_PENDING_MAX);
    g_string_truncate(o, 0);
    mailx_imap_session_feed(&s, true, (const uint8_t *)"n1 NOOP\r\n", 9, f, &sink, o);
    mailx_imap_session_feed(&s, false, (const uint8_t *)"t0 OK\r\nn1 OK\r\n", 14, f, &sink, o);
    g_assert_cmpstr(o->str, ==, "C n1 NOOP\n" "S t0 OK\n" "S n1 OK -> NOOP\n");
    g_assert_cmpuint(s.pending_dropped, ==, 0);
    g_assert_cmpuint(s.stale_count, ==, MAILX_IMAP_PENDING_MAX - 1);
    g_string_free(o, TRUE);
    mailx_imap_session_free(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    content = g_string_new("");
    for (size_t i = 0; i < G_N_ELEMENTS(cut_cases); i++) {
        char *path = g_strdup_printf("/imap_session/line_cut/%s", cut_cases[i].name);
        g_test_add_data_func(path, &cut_cases[i], test_cut);
        g_free(path);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(capa_cases); i++) {
        char path[96];
        g_snprintf(path, sizeof path, "/imap_session/capability/%s", capa_cases[i].name);
        g_test_add_data_func(path, &capa_cases[i], test_capability);
    }
    g_test_add_func("/imap_session/login_forms", test_login_forms);
    g_test_add_func("/imap_session/fetch_pipelined", test_fetch_pipelined);
    g_test_add_func("/imap_session/authenticate", test_authenticate);
    g_test_add_func("/imap_session/hostile", test_hostile);
    g_test_add_func("/imap_session/capture/gaps", test_gaps);
    g_test_add_func("/imap_session/capture/gap_table_full", test_gap_table_full);
    return g_test_run();
}
