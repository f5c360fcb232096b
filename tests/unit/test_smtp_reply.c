/* mailx_smtp_reply_parse(): reply line -> expected struct, one row per case.
 * Inputs are copied into exact-size heap buffers so ASan catches any read past
 * `len`; the text is checked as bytes, so a NUL or CR inside it counts. */
#include <string.h>

#include <glib.h>

#include "smtp_reply.h"

#define IN(s) s, sizeof(s) - 1

typedef struct {
    const char *name;
    const char *in;
    size_t in_len;
    bool ok;
    unsigned code;
    bool is_last;
    bool has_status;
    unsigned sk, ss, sd;        /* enhanced class.subject.detail */
    const char *text;           /* expected text (NUL-free rows), NULL when !ok */
    size_t text_len;
} row;

/* shorthands: a reply without / with an enhanced code */
#define PLAIN(code, last, txt)          true, code, last, false, 0, 0, 0, IN(txt)
#define ENH(code, last, k, s, d, txt)   true, code, last, true, k, s, d, IN(txt)
#define BAD                             false, 0, false, false, 0, 0, 0, NULL, 0

static const row rows[] = {
    { "plain-ok",           IN("250 OK"),                PLAIN(250, true, "OK") },
    { "250-PIPELINING",     IN("250-PIPELINING"),        PLAIN(250, false, "PIPELINING") },
    { "queued",             IN("250 2.0.0 Ok: queued as ABC"),
                                                         ENH(250, true, 2, 0, 0, "Ok: queued as ABC") },
    { "mailbox-full",       IN("452 4.2.2 Mailbox full"), ENH(452, true, 4, 2, 2, "Mailbox full") },
    { "recipient-rejected", IN("550 5.1.1 <x@y>: Recipient address rejected"),
                                                         ENH(550, true, 5, 1, 1, "<x@y>: Recipient address rejected") },
    { "shutdown",           IN("421 4.3.2 Service shutting down"),
                                                         ENH(421, true, 4, 3, 2, "Service shutting down") },
    /* RFC 2034 s4: the code is on every line of a multi-line reply */
    { "multiline-enhanced", IN("250-2.1.0 Sender ok"),   ENH(250, false, 2, 1, 0, "Sender ok") },
    /* a greeting that starts with a code carries one ... */
    { "banner-with-code",   IN("220 2.0.0 ready"),       ENH(220, true, 2, 0, 0, "ready") },
    /* ... one with a version later in the text does not: only the start counts */
    { "banner-version",     IN("220 mx ESMTP 2.3.19"),   PLAIN(220, true, "mx ESMTP 2.3.19") },
    /* a version AT the start is indistinguishable from a code and is taken as one
       (the reference rule: class.subject.detail then SP at the start of the text) */
    { "banner-version-first", IN("220 2.3.19 mail ready"), ENH(220, true, 2, 3, 19, "mail ready") },
    { "banner-version-glued", IN("220 2.3.19a ready"),   PLAIN(220, true, "2.3.19a ready") },
    { "ehlo-size",          IN("250-SIZE 5242880"),      PLAIN(250, false, "SIZE 5242880") },
    { "ehlo-8bitmime",      IN("250 8BITMIME"),          PLAIN(250, true, "8BITMIME") },
    /* RFC 5321 s4.2: the text is optional */
    { "bare-code",          IN("250"),                   PLAIN(250, true, "") },
    { "dash-empty-text",    IN("250-"),                  PLAIN(250, false, "") },
    { "space-empty-text",   IN("250 "),                  PLAIN(250, true, "") },
    { "code-only-status",   IN("250 2.0.0"),             ENH(250, true, 2, 0, 0, "") },
    { "status-then-space",  IN("250 2.0.0 "),            ENH(250, true, 2, 0, 0, "") },
    { "status-two-spaces",  IN("250 2.0.0  x"),          ENH(250, true, 2, 0, 0, " x") },
    { "space-before-status", IN("250  2.0.0 x"),         PLAIN(250, true, " 2.0.0 x") },
    /* a class that disagrees with the basic code: both kept, the caller flags it */
    { "class-mismatch",     IN("550 4.2.2 x"),           ENH(550, true, 4, 2, 2, "x") },
    { "3xx-with-status",    IN("354 2.0.0 go ahead"),    ENH(354, true, 2, 0, 0, "go ahead") },
    { "ugly-status-5.1",    IN("550 5.1 no"),            PLAIN(550, true, "5.1 no") },
    { "ugly-status-1000",   IN("550 5.1.1000 no"),       PLAIN(550, true, "5.1.1000 no") },
    { "ugly-status-class9", IN("550 9.1.1 no"),          PLAIN(550, true, "9.1.1 no") },
    { "auth-challenge",     IN("334 VXNlcm5hbWU6"),      PLAIN(334, true, "VXNlcm5hbWU6") },
    { "lower-case-text",    IN("250 ok, go ahead"),      PLAIN(250, true, "ok, go ahead") },
    { "nul-in-text",        IN("250 O\0K"),              PLAIN(250, true, "O\0K") },
    { "cr-in-text",         IN("250 O\rK"),              PLAIN(250, true, "O\rK") },
    { "high-bytes-text",    IN("250 \xc3\xa9t\xc3\xa9"), PLAIN(250, true, "\xc3\xa9t\xc3\xa9") },
    /* RFC 5321 s4.2.1: 1yz is a positive preliminary reply; not used by SMTP
       but accepted (the caller decides). Second digit stays 0..5. */
    { "1xx-150",            IN("150 x"),                 PLAIN(150, true, "x") },
    { "1xx-199",            IN("199 x"),                 BAD },
    { "category-6",         IN("260 x"),                 BAD },
    { "599-max",            IN("559 x"),                 PLAIN(559, true, "x") },
    { "first-digit-6",      IN("600 x"),                 BAD },
    { "first-digit-0",      IN("050 x"),                 BAD },
    { "four-digits",        IN("2500 x"),                BAD },
    { "two-digits",         IN("25 x"),                  BAD },
    { "two-digits-end",     IN("25"),                    BAD },
    { "letters",            IN("abc"),                   BAD },
    { "letter-in-code",     IN("25a x"),                 BAD },
    { "tab-separator",      IN("250\tOK"),               BAD },
    { "cr-after-code",      IN("250\r"),                 BAD },
    { "nul-after-code",     IN("250\0OK"),               BAD },
    { "no-separator",       IN("250OK"),                 BAD },
    { "leading-space",      IN(" 250 OK"),               BAD },
    { "empty",              IN(""),                      BAD },
};

static void
test_row(gconstpointer data)
{
    const row *r = data;
    uint8_t *buf = g_memdup2(r->in, r->in_len);  /* NULL for the empty row */
    mailx_smtp_reply rep;
    bool ok;

    memset(&rep, 0xa5, sizeof rep);              /* every field must be set */
    ok = mailx_smtp_reply_parse(buf, r->in_len, &rep);
    g_assert_cmpint(ok, ==, r->ok);
    if (!ok) {
        /* a rejected line leaves the struct zeroed, not half filled */
        g_assert_cmpuint(rep.code, ==, 0);
        g_assert_false(rep.has_status);
        g_assert_cmpuint(rep.text_off, ==, 0);
        g_assert_cmpuint(rep.text_len, ==, 0);
        g_free(buf);
        return;
    }
    g_assert_cmpuint(rep.code, ==, r->code);
    g_assert_cmpuint(rep.klass, ==, r->code / 100);
    g_assert_cmpint(rep.is_last, ==, r->is_last);
    g_assert_cmpint(rep.has_status, ==, r->has_status);
    if (r->has_status) {
        g_assert_cmpuint(rep.status_off, ==, 4);
        g_assert_cmpuint(rep.status.klass, ==, r->sk);
        g_assert_cmpuint(rep.status.subject, ==, r->ss);
        g_assert_cmpuint(rep.status.detail, ==, r->sd);
    } else {
        g_assert_cmpuint(rep.status.klass, ==, 0);
        g_assert_cmpuint(rep.status.len, ==, 0);
    }
    g_assert_cmpuint(rep.text_off + rep.text_len, ==, r->in_len);
    g_assert_cmpmem(buf + rep.text_off, rep.text_len, r->text, r->text_len);
    g_free(buf);
}

static void
test_megabyte(void)
{
    const size_t mb = 1024 * 1024;
    uint8_t *buf = g_malloc(mb);
    mailx_smtp_reply rep;

    /* a 1 MB reply line: parsed, the text is a view of the rest */
    memset(buf, 'x', mb);
    memcpy(buf, "550 5.7.1 ", 10);
    g_assert_true(mailx_smtp_reply_parse(buf, mb, &rep));
    g_assert_cmpuint(rep.code, ==, 550);
    g_assert_true(rep.has_status);
    g_assert_cmpuint(rep.text_off, ==, 10);
    g_assert_cmpuint(rep.text_len, ==, mb - 10);

    /* 1 MB of digits: "555" then a digit, no separator */
    memset(buf, '5', mb);
    g_assert_false(mailx_smtp_reply_parse(buf, mb, &rep));

    /* "250 " then a megabyte of digits with dots: no 1*3digit code */
    memcpy(buf, "250 5.5.", 8);
    g_assert_true(mailx_smtp_reply_parse(buf, mb, &rep));
    g_assert_false(rep.has_status);
    g_assert_cmpuint(rep.text_off, ==, 4);
    g_free(buf);
}

/* Every prefix of a reply, in a buffer that ends exactly there, parses without
 * reading past it, and the prefixes that are lines by themselves are accepted. */
static void
test_prefixes(void)
{
    static const char line[] = "452-4.2.2 full";
    size_t n;

    for (n = 0; n <= sizeof line - 1; n++) {
        uint8_t *buf = g_memdup2(line, n);
        mailx_smtp_reply rep;
        bool ok = mailx_smtp_reply_parse(buf, n, &rep);

        g_assert_cmpint(ok, ==, n >= 3);
        if (ok)
            g_assert_cmpint(rep.has_status, ==, n >= 9);   /* "452-4.2.2" */
        g_free(buf);
    }
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    for (i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *path = g_strdup_printf("/smtp_reply/%s", rows[i].name);
        g_test_add_data_func(path, &rows[i], test_row);
        g_free(path);
    }
    g_test_add_func("/smtp_reply/1MB", test_megabyte);
    g_test_add_func("/smtp_reply/prefixes-exact-buffer", test_prefixes);
    return g_test_run();
}
