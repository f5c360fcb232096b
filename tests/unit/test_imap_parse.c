/* IMAP responses, commands, literals and astrings: line -> expected struct,
 * malformed input included (huge literal sizes, unbalanced quotes, NUL bytes,
 * 1 MB lines). Exact-size heap copies let ASan catch over-reads. */
#include <string.h>

#include <glib.h>

#include "imap_parse.h"
#include "ascii_case.h"

#define IN(s) s, sizeof(s) - 1

static uint8_t *dup_in(const char *s, size_t n)
{
    return g_memdup2(s, n ? n : 1);
}

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool present, non_sync, too_big, binary;
    uint64_t size;
} lit_row;

static const lit_row lit_rows[] = {
    { "sync",          IN("a LOGIN {5}"),          true, false, false, false, 5 },
    { "non-sync",      IN("a LOGIN {5+}"),         true, true,  false, false, 5 },
    { "zero",          IN("x {0}"),                true, false, false, false, 0 },
    { "fetch",         IN("* 1 FETCH (BODY[] {1234}"), true, false, false, false, 1234 },
    { "binary",        IN("* 1 FETCH (BINARY[] ~{7}"), true, false, false, true, 7 },
    { "max",           IN("{4294967295}"),         true, false, false, false, 4294967295u },
    { "over-max",      IN("{4294967296}"),         true, false, true,  false, 4294967295u },
    { "huge",          IN("a {99999999999}"),      true, false, true,  false, 4294967295u },
    { "very-long",     IN("a {999999999999999999999999999999}"), true, false, true, false, 4294967295u },
    { "no-digits",     IN("a {}"),                 false, false, false, false, 0 },
    { "plus-only",     IN("a {+}"),                false, false, false, false, 0 },
    { "not-at-end",    IN("a {5} x"),              false, false, false, false, 0 },
    { "no-open",       IN("a 5}"),                 false, false, false, false, 0 },
    { "letters",       IN("a {5a}"),               false, false, false, false, 0 },
    { "brace-only",    IN("}"),                    false, false, false, false, 0 },
    { "open-at-start", IN("{5}"),                  true, false, false, false, 5 },
    { "empty",         IN(""),                     false, false, false, false, 0 },
    { "cr-after",      IN("a {5}\r"),              false, false, false, false, 0 },
    { "minus",         IN("a {-5}"),               false, false, false, false, 0 },
};

static void test_literal(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(lit_rows); i++) {
        const lit_row *r = &lit_rows[i];
        uint8_t *in = dup_in(r->in, r->in_len);
        mailx_imap_literal l;
        bool ok = mailx_imap_literal_at_end(in, r->in_len, &l);
        if (ok != r->present)
            g_error("%s: present %d, expected %d", r->name, ok, r->present);
        if (ok) {
            g_assert_cmpint(l.non_sync, ==, r->non_sync);
            g_assert_cmpint(l.too_big, ==, r->too_big);
            g_assert_cmpint(l.binary, ==, r->binary);
            g_assert_cmpuint(l.size, ==, r->size);
            g_assert_cmpuint(l.off, <, r->in_len);
        }
        g_free(in);
    }
}

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    mailx_imap_resp_kind kind;
    const char *tag;
    mailx_imap_status status;
    const char *code;       /* NULL: none */
    const char *code_arg;
    const char *text;
    const char *kw;         /* untagged data keyword, NULL if not checked */
    int64_t number;         /* -1: none */
} resp_row;

static const resp_row resp_rows[] = {
    { "greeting", IN("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready."), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_OK, "CAPABILITY", "IMAP4rev1 STARTTLS", "Dovecot ready.", NULL, -1 },
    { "tagged-ok", IN("a1 OK Logged in"), true,
      MAILX_IMAP_RESP_TAGGED, "a1", MAILX_IMAP_STATUS_OK, NULL, "", "Logged in", NULL, -1 },
    { "auth-failed", IN("a2 NO [AUTHENTICATIONFAILED] Authentication failed."), true,
      MAILX_IMAP_RESP_TAGGED, "a2", MAILX_IMAP_STATUS_NO, "AUTHENTICATIONFAILED", "", "Authentication failed.", NULL, -1 },
    { "bad", IN("a3 BAD Error in IMAP command"), true,
      MAILX_IMAP_RESP_TAGGED, "a3", MAILX_IMAP_STATUS_BAD, NULL, "", "Error in IMAP command", NULL, -1 },
    { "lower-status", IN("a3 ok done"), true,
      MAILX_IMAP_RESP_TAGGED, "a3", MAILX_IMAP_STATUS_OK, NULL, "", "done", NULL, -1 },
    { "bye", IN("* BYE Logging out"), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_BYE, NULL, "", "Logging out", NULL, -1 },
    { "preauth", IN("* PREAUTH ready"), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_PREAUTH, NULL, "", "ready", NULL, -1 },
    { "code-no-text", IN("a OK [READ-WRITE]"), true,
      MAILX_IMAP_RESP_TAGGED, "a", MAILX_IMAP_STATUS_OK, "READ-WRITE", "", "", NULL, -1 },
    { "code-arg", IN("* OK [UIDVALIDITY 1700000000] UIDs valid"), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_OK, "UIDVALIDITY", "1700000000", "UIDs valid", NULL, -1 },
    { "code-unterminated", IN("a NO [OVERQUOTA quota"), true,
      MAILX_IMAP_RESP_TAGGED, "a", MAILX_IMAP_STATUS_NO, NULL, "", "[OVERQUOTA quota", NULL, -1 },
    { "status-alone", IN("a NO"), true,
      MAILX_IMAP_RESP_TAGGED, "a", MAILX_IMAP_STATUS_NO, NULL, "", "", NULL, -1 },
    { "exists", IN("* 3 EXISTS"), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_NONE, NULL, "", "", "EXISTS", 3 },
    { "fetch", IN("* 12 FETCH (BODY[] {342}"), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_NONE, NULL, "", "(BODY[] {342}", "FETCH", 12 },
    { "capability", IN("* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN"), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_NONE, NULL, "", "IMAP4rev1 STARTTLS AUTH=PLAIN", "CAPABILITY", -1 },
    { "number-overflow", IN("* 99999999999 EXISTS"), true,
      MAILX_IMAP_RESP_UNTAGGED, NULL, MAILX_IMAP_STATUS_NONE, NULL, "", "EXISTS", "99999999999", -1 },
    { "continuation", IN("+ idling"), true,
      MAILX_IMAP_RESP_CONTINUATION, NULL, MAILX_IMAP_STATUS_NONE, NULL, "", "idling", NULL, -1 },
    { "continuation-bare", IN("+"), true,
      MAILX_IMAP_RESP_CONTINUATION, NULL, MAILX_IMAP_STATUS_NONE, NULL, "", "", NULL, -1 },
    { "continuation-empty", IN("+ "), true,
      MAILX_IMAP_RESP_CONTINUATION, NULL, MAILX_IMAP_STATUS_NONE, NULL, "", "", NULL, -1 },
    { "plus-glued", IN("+OK"), false, MAILX_IMAP_RESP_CONTINUATION, NULL, 0, NULL, "", "", NULL, -1 },
    { "tagged-data", IN("a1 FETCH x"), false, MAILX_IMAP_RESP_NONE, NULL, 0, NULL, "", "", NULL, -1 },
    { "star-alone", IN("*"), false, MAILX_IMAP_RESP_NONE, NULL, 0, NULL, "", "", NULL, -1 },
    { "star-space", IN("* "), false, MAILX_IMAP_RESP_NONE, NULL, 0, NULL, "", "", NULL, -1 },
    { "tag-alone", IN("a1"), false, MAILX_IMAP_RESP_NONE, NULL, 0, NULL, "", "", NULL, -1 },
    { "empty", IN(""), false, MAILX_IMAP_RESP_NONE, NULL, 0, NULL, "", "", NULL, -1 },
    { "nul-tag", IN("a\0 OK x"), false, MAILX_IMAP_RESP_NONE, NULL, 0, NULL, "", "", NULL, -1 },
    { "quote-tag", IN("\"a OK x"), false, MAILX_IMAP_RESP_NONE, NULL, 0, NULL, "", "", NULL, -1 },
};

static void test_response(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(resp_rows); i++) {
        const resp_row *r = &resp_rows[i];
        uint8_t *in = dup_in(r->in, r->in_len);
        mailx_imap_response out;
        bool ok = mailx_imap_response_parse(in, r->in_len, &out);
        if (ok != r->ok)
            g_error("%s: ok %d, expected %d", r->name, ok, r->ok);
        if (!ok) {
            g_free(in);
            continue;
        }
        g_assert_cmpint(out.kind, ==, r->kind);
        g_assert_cmpint(out.status, ==, r->status);
        if (r->tag)
            g_assert_cmpmem(in + out.tag_off, out.tag_len, r->tag, strlen(r->tag));
        g_assert_cmpint(out.has_code, ==, r->code != NULL);
        if (r->code) {
            g_assert_cmpmem(in + out.code_off, out.code_len, r->code, strlen(r->code));
            g_assert_cmpmem(in + out.code_arg_off, out.code_arg_len, r->code_arg, strlen(r->code_arg));
        }
        if (r->kw) {
            g_assert_cmpmem(in + out.kw_off, out.kw_len, r->kw, strlen(r->kw));
            g_assert_cmpint(out.has_number, ==, r->number >= 0);
            if (r->number >= 0)
                g_assert_cmpuint(out.number, ==, (uint64_t)r->number);
        }
        g_assert_cmpmem(in + out.text_off, out.text_len, r->text, strlen(r->text));
        g_free(in);
    }
}

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    const char *tag;
    const char *cmdname;
    mailx_imap_cmd cmd;
    bool uid;
    const char *args;
} cmd_row;

static const cmd_row cmd_rows[] = {
    { "login",      IN("a1 LOGIN alice secret"),   true, "a1", "LOGIN", MAILX_IMAP_CMD_LOGIN, false, "alice secret" },
    { "lower",      IN("a1 login alice secret"),   true, "a1", "login", MAILX_IMAP_CMD_LOGIN, false, "alice secret" },
    { "auth",       IN("a2 AUTHENTICATE PLAIN"),   true, "a2", "AUTHENTICATE", MAILX_IMAP_CMD_AUTHENTICATE, false, "PLAIN" },
    { "uid-fetch",  IN("a3 UID FETCH 1:* (FLAGS)"), true, "a3", "UID FETCH", MAILX_IMAP_CMD_FETCH, true, "1:* (FLAGS)" },
    { "starttls",   IN("a4 STARTTLS"),             true, "a4", "STARTTLS", MAILX_IMAP_CMD_STARTTLS, false, "" },
    { "other",      IN("a5 EXAMINE INBOX"),        true, "a5", "EXAMINE", MAILX_IMAP_CMD_OTHER, false, "INBOX" },
    { "uid-alone",  IN("a6 UID"),                  true, "a6", "UID", MAILX_IMAP_CMD_OTHER, false, "" },
    { "no-command", IN("a1"),                      false, NULL, NULL, 0, false, NULL },
    { "tag-space",  IN("a1 "),                     false, NULL, NULL, 0, false, NULL },
    { "digit-cmd",  IN("a1 1LOGIN"),               false, NULL, NULL, 0, false, NULL },
    { "star-tag",   IN("* LOGIN a b"),             false, NULL, NULL, 0, false, NULL },
    { "plus-tag",   IN("+ LOGIN a b"),             false, NULL, NULL, 0, false, NULL },
    { "empty",      IN(""),                        false, NULL, NULL, 0, false, NULL },
    { "nul-tag",    IN("a\0 LOGIN"),               false, NULL, NULL, 0, false, NULL },
    { "leading-sp", IN(" a LOGIN"),                false, NULL, NULL, 0, false, NULL },
};

static void test_command(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cmd_rows); i++) {
        const cmd_row *r = &cmd_rows[i];
        uint8_t *in = dup_in(r->in, r->in_len);
        mailx_imap_command c;
        bool ok = mailx_imap_command_parse(in, r->in_len, &c);
        if (ok != r->ok)
            g_error("%s: ok %d, expected %d", r->name, ok, r->ok);
        if (ok) {
            g_assert_cmpmem(in + c.tag_off, c.tag_len, r->tag, strlen(r->tag));
            g_assert_cmpmem(in + c.name_off, c.name_len, r->cmdname, strlen(r->cmdname));
            g_assert_cmpint(c.cmd, ==, r->cmd);
            g_assert_cmpint(c.uid, ==, r->uid);
            g_assert_cmpmem(in + c.args_off, c.args_len, r->args, strlen(r->args));
        }
        g_free(in);
    }
}

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    int n;                       /* astrings expected (then the next call fails) */
    mailx_imap_astr_kind k[2];
    const char *v[2];            /* value (quoted: raw inside the quotes) */
} astr_row;

static const astr_row astr_rows[] = {
    { "atoms",        IN("alice secret"),          2, { MAILX_IMAP_ASTR_ATOM, MAILX_IMAP_ASTR_ATOM }, { "alice", "secret" } },
    { "quoted",       IN("\"alice\" \"se cret\""), 2, { MAILX_IMAP_ASTR_QUOTED, MAILX_IMAP_ASTR_QUOTED }, { "alice", "se cret" } },
    { "escaped",      IN("\"a\\\"b\" x"),          2, { MAILX_IMAP_ASTR_QUOTED, MAILX_IMAP_ASTR_ATOM }, { "a\\\"b", "x" } },
    { "literal",      IN("alice {6}"),             2, { MAILX_IMAP_ASTR_ATOM, MAILX_IMAP_ASTR_LITERAL }, { "alice", "{6}" } },
    { "literal-plus", IN("{5+}"),                  1, { MAILX_IMAP_ASTR_LITERAL }, { "{5+}" } },
    { "unbalanced",   IN("\"alice secret"),        0, { 0 }, { NULL } },
    { "escape-at-end",IN("\"alice\\"),             0, { 0 }, { NULL } },
    { "brace-middle", IN("{5} x"),                 0, { 0 }, { NULL } },
    { "paren",        IN("(x)"),                   0, { 0 }, { NULL } },
    { "spaces-only",  IN("   "),                   0, { 0 }, { NULL } },
    { "empty-quoted", IN("\"\" x"),                2, { MAILX_IMAP_ASTR_QUOTED, MAILX_IMAP_ASTR_ATOM }, { "", "x" } },
};

static void test_astring(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(astr_rows); i++) {
        const astr_row *r = &astr_rows[i];
        uint8_t *in = dup_in(r->in, r->in_len);
        size_t pos = 0;
        mailx_imap_astring a;
        for (int k = 0; k < r->n; k++) {
            if (!mailx_imap_astring_next(in, r->in_len, &pos, &a))
                g_error("%s: astring %d missing", r->name, k);
            g_assert_cmpint(a.kind, ==, r->k[k]);
            g_assert_cmpmem(in + a.off, a.len, r->v[k], strlen(r->v[k]));
        }
        g_assert_false(mailx_imap_astring_next(in, r->in_len, &pos, &a));
        g_assert_cmpuint(pos, <=, r->in_len);
        g_free(in);
    }
}

static void test_unquote(void)
{
    char out[8];
    g_assert_cmpuint(mailx_imap_unquote((const uint8_t *)"a\\\"b\\\\c", 7, out, sizeof out), ==, 5);
    g_assert_cmpstr(out, ==, "a\"b\\c");
    g_assert_cmpuint(mailx_imap_unquote((const uint8_t *)"abcdefghijk", 11, out, sizeof out), ==, 7);
    g_assert_cmpstr(out, ==, "abcdefg");
    g_assert_cmpuint(mailx_imap_unquote((const uint8_t *)"x", 1, out, 0), ==, 0);
}

static void test_long_lines(void)
{
    size_t n = 1024 * 1024;
    uint8_t *in = g_malloc(n);
    memset(in, '9', n);
    in[0] = '{';
    in[n - 1] = '}';
    mailx_imap_literal l;
    g_assert_true(mailx_imap_literal_at_end(in, n, &l));
    g_assert_true(l.too_big);
    memcpy(in, "a NO [", 6);
    memset(in + 6, 'X', n - 6);
    mailx_imap_response r;
    g_assert_true(mailx_imap_response_parse(in, n, &r));
    g_assert_true(r.code_unterminated);
    memcpy(in, "a LOGIN \"", 9);
    size_t pos = 8;
    mailx_imap_astring a;
    g_assert_false(mailx_imap_astring_next(in, n, &pos, &a));
    g_free(in);
}

/* mailx_ascii_ieq (epan-ext/ascii_case.h, used by every parser's word
 * compares) gives g_ascii_strncasecmp's answer: every pair of bytes, and words
 * of a few lengths with one byte changed anywhere, NUL included. */
static void test_ascii_ieq(void)
{
    for (unsigned x = 0; x < 256; x++)
        for (unsigned y = 1; y < 256; y++) {
            char a = (char)x, b = (char)y;
            if (mailx_ascii_ieq(&a, &b, 1) != (g_ascii_strncasecmp(&a, &b, 1) == 0))
                g_error("bytes 0x%02x 0x%02x", x, y);
        }
    static const char *words[] = { "OK", "CAPABILITY", "content-transfer-encoding", "SCRAM-", "UID" };
    static const uint8_t subst[] = { 0, 'a', 'Z', '@', '[', '`', '{', '-', ' ', 0x80, 0xc1, 0xe1 };
    for (size_t w = 0; w < G_N_ELEMENTS(words); w++) {
        size_t n = strlen(words[w]);
        uint8_t *buf = g_malloc(n);   /* exactly n bytes: ASan sees an over-read */
        for (int upper = 0; upper < 2; upper++) {
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)(upper ? g_ascii_toupper(words[w][i]) : g_ascii_tolower(words[w][i]));
            g_assert_true(mailx_ascii_ieq(buf, words[w], n));
            for (size_t pos = 0; pos < n; pos++)
                for (size_t k = 0; k < G_N_ELEMENTS(subst); k++) {
                    uint8_t keep = buf[pos];
                    buf[pos] = subst[k];
                    if (mailx_ascii_ieq(buf, words[w], n) !=
                        (g_ascii_strncasecmp((const char *)buf, words[w], n) == 0))
                        g_error("%s: byte %zu set to 0x%02x", words[w], pos, subst[k]);
                    buf[pos] = keep;
                }
        }
        g_assert_true(mailx_ascii_ieq(buf, words[w], 0));
        g_free(buf);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/imap/literal", test_literal);
    g_test_add_func("/imap/response", test_response);
    g_test_add_func("/imap/command", test_command);
    g_test_add_func("/imap/astring", test_astring);
    g_test_add_func("/imap/unquote", test_unquote);
    g_test_add_func("/imap/long_lines", test_long_lines);
    g_test_add_func("/imap/ascii_ieq", test_ascii_ieq);
    return g_test_run();
}
