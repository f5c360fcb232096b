/* mailx_smtp_command_parse(): command line -> expected struct, one row per case,
 * plus every verb in three spellings. Inputs are copied into exact-size heap
 * buffers so ASan catches any read past `len`. */
#include <string.h>

#include <glib.h>

#include "smtp_command.h"

#define IN(s) s, sizeof(s) - 1

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    mailx_smtp_verb verb;
    size_t verb_len;
    const char *arg;            /* expected argument bytes */
    size_t arg_len;
    bool has_path;
    const char *path;           /* expected path bytes (between < and >) */
    size_t path_len;
    bool bdat_ok;
    uint32_t bdat_size;
    bool bdat_last;
    bool has_size;
    uint64_t size;
} row;

#define NOPATH false, IN("")
#define PATH(p) true, IN(p)
#define NOBDAT false, 0, false
#define BDAT_(n, last) true, n, last
#define NOSIZE false, 0
#define SIZE_(n) true, n
#define BAD false, MAILX_SMTP_CMD_UNKNOWN, 0, IN(""), NOPATH, NOBDAT, NOSIZE

static const row rows[] = {
    { "mail-from",          IN("MAIL FROM:<a@b>"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b>"), PATH("a@b"), NOBDAT, NOSIZE },
    /* RFC 5321 s2.4: verbs and "TO:"/"FROM:" are case-insensitive */
    { "rcpt-lower",         IN("rcpt to:<a@b>"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("to:<a@b>"), PATH("a@b"), NOBDAT, NOSIZE },
    { "mail-mixed-case",    IN("Mail From:<A@B> size=7"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("From:<A@B> size=7"), PATH("A@B"), NOBDAT, SIZE_(7) },
    /* RFC 5321 s4.5.5: the null reverse-path of bounces */
    { "mail-null-path",     IN("MAIL FROM:<>"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<>"), PATH(""), NOBDAT, NOSIZE },
    { "mail-space-size",    IN("MAIL FROM: <a@b> SIZE=12345"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM: <a@b> SIZE=12345"), PATH("a@b"), NOBDAT, SIZE_(12345) },
    { "mail-params-size-later", IN("MAIL FROM:<a@b> BODY=8BITMIME SIZE=99 SMTPUTF8"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b> BODY=8BITMIME SIZE=99 SMTPUTF8"), PATH("a@b"), NOBDAT, SIZE_(99) },
    /* RFC 1870 s3: size-value = 1*20DIGIT within uint64 */
    { "mail-size-max",      IN("MAIL FROM:<a@b> SIZE=18446744073709551615"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b> SIZE=18446744073709551615"), PATH("a@b"), NOBDAT,
      SIZE_(G_MAXUINT64) },
    { "mail-size-overflow", IN("MAIL FROM:<a@b> SIZE=18446744073709551616"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b> SIZE=18446744073709551616"), PATH("a@b"), NOBDAT, NOSIZE },
    { "mail-size-empty",    IN("MAIL FROM:<a@b> SIZE="),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b> SIZE="), PATH("a@b"), NOBDAT, NOSIZE },
    { "mail-size-junk",     IN("MAIL FROM:<a@b> SIZE=12k"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b> SIZE=12k"), PATH("a@b"), NOBDAT, NOSIZE },
    { "mail-sizex-param",   IN("MAIL FROM:<a@b> SIZEX=5"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b> SIZEX=5"), PATH("a@b"), NOBDAT, NOSIZE },
    /* SIZE belongs to MAIL only (RFC 1870 s3) */
    { "rcpt-notify",        IN("RCPT TO:<a@b> NOTIFY=NEVER"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:<a@b> NOTIFY=NEVER"), PATH("a@b"), NOBDAT, NOSIZE },
    { "rcpt-size-ignored",  IN("RCPT TO:<a@b> SIZE=5"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:<a@b> SIZE=5"), PATH("a@b"), NOBDAT, NOSIZE },
    /* RFC 5321 s4.1.2: a quoted local part may hold '>' and escaped quotes */
    { "rcpt-quoted-gt",     IN("RCPT TO:<\"a>b\\\"c\"@d>"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:<\"a>b\\\"c\"@d>"), PATH("\"a>b\\\"c\"@d"), NOBDAT, NOSIZE },
    { "rcpt-source-route",  IN("RCPT TO:<@x,@y:a@b>"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:<@x,@y:a@b>"), PATH("@x,@y:a@b"), NOBDAT, NOSIZE },
    { "rcpt-no-close",      IN("RCPT TO:<a@b"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:<a@b"), NOPATH, NOBDAT, NOSIZE },
    { "mail-no-close-size", IN("MAIL FROM:<a@b SIZE=5"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a@b SIZE=5"), NOPATH, NOBDAT, NOSIZE },
    { "rcpt-no-brackets",   IN("RCPT TO:a@b"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:a@b"), NOPATH, NOBDAT, NOSIZE },
    { "rcpt-bare-lt",       IN("RCPT TO:<"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:<"), NOPATH, NOBDAT, NOSIZE },
    { "rcpt-backslash-end", IN("RCPT TO:<\"a\\"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("TO:<\"a\\"), NOPATH, NOBDAT, NOSIZE },
    { "rcpt-wrong-keyword", IN("RCPT FROM:<a@b>"),
      true, MAILX_SMTP_CMD_RCPT, 4, IN("FROM:<a@b>"), NOPATH, NOBDAT, NOSIZE },
    { "mail-no-arg",        IN("MAIL"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "mail-nul-in-path",   IN("MAIL FROM:<a\0b>"),
      true, MAILX_SMTP_CMD_MAIL, 4, IN("FROM:<a\0b>"), PATH("a\0b"), NOBDAT, NOSIZE },
    /* RFC 3030 s3: BDAT chunk-size [ SP "LAST" ] */
    { "bdat-1000",          IN("BDAT 1000"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("1000"), NOPATH, BDAT_(1000, false), NOSIZE },
    { "bdat-0-last",        IN("BDAT 0 LAST"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("0 LAST"), NOPATH, BDAT_(0, true), NOSIZE },
    { "bdat-lower-last",    IN("bdat 12 last"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("12 last"), NOPATH, BDAT_(12, true), NOSIZE },
    { "bdat-spaces",        IN("BDAT  12  LAST "),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("12  LAST "), NOPATH, BDAT_(12, true), NOSIZE },
    { "bdat-uint32-max",    IN("BDAT 4294967295"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("4294967295"), NOPATH, BDAT_(4294967295u, false), NOSIZE },
    { "bdat-uint32-max+1",  IN("BDAT 4294967296"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("4294967296"), NOPATH, NOBDAT, NOSIZE },
    { "bdat-overflow",      IN("BDAT 99999999999"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("99999999999"), NOPATH, NOBDAT, NOSIZE },
    { "bdat-leading-zeros", IN("BDAT 0000000000000000000000007 LAST"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("0000000000000000000000007 LAST"), NOPATH, BDAT_(7, true), NOSIZE },
    { "bdat-no-size",       IN("BDAT"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "bdat-x-last",        IN("BDAT x LAST"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("x LAST"), NOPATH, NOBDAT, NOSIZE },
    { "bdat-12x",           IN("BDAT 12x"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("12x"), NOPATH, NOBDAT, NOSIZE },
    { "bdat-lastx",         IN("BDAT 12 LASTX"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("12 LASTX"), NOPATH, NOBDAT, NOSIZE },
    { "bdat-third-arg",     IN("BDAT 12 LAST x"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("12 LAST x"), NOPATH, NOBDAT, NOSIZE },
    { "bdat-negative",      IN("BDAT -1"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("-1"), NOPATH, NOBDAT, NOSIZE },
    { "bdat-nul-after",     IN("BDAT 12\0"),
      true, MAILX_SMTP_CMD_BDAT, 4, IN("12\0"), NOPATH, NOBDAT, NOSIZE },
    { "auth-plain",         IN("AUTH PLAIN dGVzdA=="),
      true, MAILX_SMTP_CMD_AUTH, 4, IN("PLAIN dGVzdA=="), NOPATH, NOBDAT, NOSIZE },
    { "starttls",           IN("STARTTLS"),
      true, MAILX_SMTP_CMD_STARTTLS, 8, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "ehlo",               IN("EHLO client.example"),
      true, MAILX_SMTP_CMD_EHLO, 4, IN("client.example"), NOPATH, NOBDAT, NOSIZE },
    { "data-trailing-space", IN("DATA "),
      true, MAILX_SMTP_CMD_DATA, 4, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "unknown-foo",        IN("FOO bar"),
      true, MAILX_SMTP_CMD_UNKNOWN, 3, IN("bar"), NOPATH, NOBDAT, NOSIZE },
    /* a verb must be the whole word: no prefix or suffix matches */
    { "unknown-mailx",      IN("MAILX FROM:<a@b>"),
      true, MAILX_SMTP_CMD_UNKNOWN, 5, IN("FROM:<a@b>"), NOPATH, NOBDAT, NOSIZE },
    { "unknown-mai",        IN("MAI FROM:<a@b>"),
      true, MAILX_SMTP_CMD_UNKNOWN, 3, IN("FROM:<a@b>"), NOPATH, NOBDAT, NOSIZE },
    { "unknown-glued",      IN("MAIL:FROM:<a@b>"),
      true, MAILX_SMTP_CMD_UNKNOWN, 15, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "unknown-tab",        IN("QUIT\tnow"),
      true, MAILX_SMTP_CMD_UNKNOWN, 8, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "nul-in-verb",        IN("MA\0L FROM:<a@b>"),
      true, MAILX_SMTP_CMD_UNKNOWN, 4, IN("FROM:<a@b>"), NOPATH, NOBDAT, NOSIZE },
    { "nul-after-verb",     IN("QUIT\0"),
      true, MAILX_SMTP_CMD_UNKNOWN, 5, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "unknown-starttlsx",  IN("STARTTLSX"),
      true, MAILX_SMTP_CMD_UNKNOWN, 9, IN(""), NOPATH, NOBDAT, NOSIZE },
    { "unknown-8bit-verb",  IN("M\xc1IL FROM:<a@b>"),
      true, MAILX_SMTP_CMD_UNKNOWN, 4, IN("FROM:<a@b>"), NOPATH, NOBDAT, NOSIZE },
    { "leading-8bit",       IN("\xcd" "AIL FROM:<a@b>"), BAD },
    /* false only for an empty line or one that does not start with a letter */
    { "empty",              IN(""),              BAD },
    { "leading-space",      IN(" MAIL FROM:<a@b>"), BAD },
    { "leading-nul",        IN("\0MAIL"),        BAD },
    { "leading-digit",      IN("250 OK"),        BAD },
    { "leading-high-byte",  IN("\xc3\x89HLO x"), BAD },
    { "only-spaces",        IN("   "),           BAD },
};

static uint8_t *
parse_copy(const char *in, size_t len, mailx_smtp_command *cmd, bool *ok)
{
    uint8_t *buf = g_memdup2(in, len);   /* NULL for the empty row */

    memset(cmd, 0xa5, sizeof *cmd);      /* every field must be set */
    *ok = mailx_smtp_command_parse(buf, len, cmd);
    return buf;
}

static void
test_row(gconstpointer data)
{
    const row *r = data;
    mailx_smtp_command cmd;
    bool ok;
    uint8_t *buf = parse_copy(r->in, r->in_len, &cmd, &ok);

    g_assert_cmpint(ok, ==, r->ok);
    if (ok) {
        g_assert_cmpstr(mailx_smtp_verb_name(cmd.verb), ==, mailx_smtp_verb_name(r->verb));
        g_assert_cmpuint(cmd.verb_len, ==, r->verb_len);
        g_assert_cmpuint(cmd.arg_off + cmd.arg_len, ==, r->in_len);
        g_assert_cmpmem(buf + cmd.arg_off, cmd.arg_len, r->arg, r->arg_len);
    } else {
        g_assert_cmpint(cmd.verb, ==, MAILX_SMTP_CMD_UNKNOWN);
        g_assert_cmpuint(cmd.verb_len, ==, 0);
        g_assert_cmpuint(cmd.arg_off, ==, 0);
        g_assert_cmpuint(cmd.arg_len, ==, 0);
    }
    g_assert_cmpint(cmd.has_path, ==, r->has_path);
    if (r->has_path) {
        g_assert_cmpuint(cmd.path_off + cmd.path_len, <, r->in_len);
        g_assert_cmpmem(buf + cmd.path_off, cmd.path_len, r->path, r->path_len);
    } else {
        g_assert_cmpuint(cmd.path_off, ==, 0);
        g_assert_cmpuint(cmd.path_len, ==, 0);
    }
    g_assert_cmpint(cmd.bdat_ok, ==, r->bdat_ok);
    g_assert_cmpuint(cmd.bdat_size, ==, r->bdat_size);
    g_assert_cmpint(cmd.bdat_last, ==, r->bdat_last);
    g_assert_cmpint(cmd.has_size_param, ==, r->has_size);
    g_assert_cmpuint(cmd.size_param, ==, r->size);
    g_free(buf);
}

/* Every verb is found from its canonical name, in lower case, and with an
 * argument after it; and the name table gives the name back. */
static void
test_every_verb(void)
{
    unsigned v;

    for (v = MAILX_SMTP_CMD_UNKNOWN + 1; v < MAILX_SMTP_CMD_COUNT; v++) {
        const char *name = mailx_smtp_verb_name((mailx_smtp_verb)v);
        char *lower = g_ascii_strdown(name, -1);
        char *with_arg = g_strconcat(lower, " x", NULL);
        const char *spellings[] = { name, lower, with_arg };
        size_t i;

        g_assert_cmpstr(name, !=, "unknown");
        for (i = 0; i < G_N_ELEMENTS(spellings); i++) {
            mailx_smtp_command cmd;
            bool ok;
            uint8_t *buf = parse_copy(spellings[i], strlen(spellings[i]), &cmd, &ok);

            if (!ok || cmd.verb != (mailx_smtp_verb)v)
                g_test_message("verb %s: \"%s\" parsed as %s", name, spellings[i],
                               mailx_smtp_verb_name(cmd.verb));
            g_assert_true(ok);
            g_assert_cmpint(cmd.verb, ==, v);
            g_assert_cmpuint(cmd.verb_len, ==, strlen(name));
            g_free(buf);
        }
        g_free(with_arg);
        g_free(lower);
    }
    g_assert_cmpstr(mailx_smtp_verb_name(MAILX_SMTP_CMD_UNKNOWN), ==, "unknown");
    g_assert_cmpstr(mailx_smtp_verb_name(MAILX_SMTP_CMD_COUNT), ==, "unknown");
    g_assert_cmpstr(mailx_smtp_verb_name((mailx_smtp_verb)999), ==, "unknown");
}

static void
test_megabyte(void)
{
    const size_t mb = 1024 * 1024;
    uint8_t *buf = g_malloc(mb);
    mailx_smtp_command cmd;

    /* a 1 MB path, closed on the last byte */
    memset(buf, 'a', mb);
    memcpy(buf, "RCPT TO:<", 9);
    buf[mb - 1] = '>';
    g_assert_true(mailx_smtp_command_parse(buf, mb, &cmd));
    g_assert_cmpint(cmd.verb, ==, MAILX_SMTP_CMD_RCPT);
    g_assert_true(cmd.has_path);
    g_assert_cmpuint(cmd.path_off, ==, 9);
    g_assert_cmpuint(cmd.path_len, ==, mb - 10);

    /* the same without the '>': no path */
    buf[mb - 1] = 'a';
    g_assert_true(mailx_smtp_command_parse(buf, mb, &cmd));
    g_assert_false(cmd.has_path);

    /* a 1 MB word: unknown verb */
    memset(buf, 'X', mb);
    g_assert_true(mailx_smtp_command_parse(buf, mb, &cmd));
    g_assert_cmpint(cmd.verb, ==, MAILX_SMTP_CMD_UNKNOWN);
    g_assert_cmpuint(cmd.verb_len, ==, mb);
    g_assert_cmpuint(cmd.arg_len, ==, 0);

    /* BDAT with a megabyte of digits: overflow, not a wrapped size */
    memset(buf, '9', mb);
    memcpy(buf, "BDAT ", 5);
    g_assert_true(mailx_smtp_command_parse(buf, mb, &cmd));
    g_assert_cmpint(cmd.verb, ==, MAILX_SMTP_CMD_BDAT);
    g_assert_false(cmd.bdat_ok);
    g_assert_cmpuint(cmd.bdat_size, ==, 0);
    g_free(buf);
}

/* Every prefix of a command in a buffer ending exactly there: no over-read,
 * and the path and SIZE appear only once the line holds them whole. */
static void
test_prefixes(void)
{
    static const char line[] = "MAIL FROM:<\"q>\"@b> SIZE=42";
    size_t n;

    for (n = 0; n <= sizeof line - 1; n++) {
        uint8_t *buf = g_memdup2(line, n);
        mailx_smtp_command cmd;
        bool ok = mailx_smtp_command_parse(buf, n, &cmd);

        g_assert_cmpint(ok, ==, n >= 1);
        g_assert_cmpint(cmd.has_path, ==, n >= 18);      /* up to the last '>' */
        g_assert_cmpint(cmd.has_size_param, ==, n >= 25);
        if (cmd.has_size_param)
            g_assert_cmpuint(cmd.size_param, ==, n == 25 ? 4 : 42);
        g_free(buf);
    }
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *path = g_strdup_printf("/smtp_command/%s", rows[i].name);
        g_test_add_data_func(path, &rows[i], test_row);
        g_free(path);
    }
    g_test_add_func("/smtp_command/every-verb", test_every_verb);
    g_test_add_func("/smtp_command/1MB", test_megabyte);
    g_test_add_func("/smtp_command/prefixes-exact-buffer", test_prefixes);
    return g_test_run();
}
