/* Table-driven tests of the MIME layer: base64/QP streaming decoders, RFC 2047
 * words, RFC 2231 parameters, addresses, magic and risk tables, the ZIP header
 * walk, and the streaming parser on hostile input (unterminated boundaries,
 * 10,000 nested parts, invalid base64, 1 MB header lines, chunking); the
 * attachment SHA-256 (libgcrypt) against GLib's, its initialisation, and an
 * attachment whose hash context cannot be opened. */
#include <gcrypt.h>
#include <glib.h>
#include <string.h>

#include "attach_risk.h"
#include "decode.h"
#include "mime.h"
#include "mime_header.h"

/* ---- decoders: every input also fed one byte at a time ---- */

typedef struct { const char *name, *in, *out; uint64_t invalid; } dec_case;

static const dec_case b64_cases[] = {
    { "plain",          "aGVsbG8=",            "hello", 0 },
    { "no padding",     "aGVsbG8",             "hello", 0 },
    { "two pad",        "aGk=",                "hi", 0 },
    { "line breaks",    "aGVs\r\nbG8=\r\n",    "hello", 0 },
    { "garbage chars",  "aG!Vs*bG8=",          "hello", 2 },
    { "after padding",  "aGk=aGk=",            "hi", 0 },
    { "lone sextet",    "aGVsb",               "hel", 1 },
    { "empty",          "",                    "", 0 },
    { "only junk",      "!!!!",                "", 4 },
    /* whole quanta decode four bytes at a time between quanta */
    { "long run",       "aGVsbG8gd29ybGQhIQ==", "hello world!!", 0 },
    { "ws between quanta", "aGVs bG8g d29y bGQh", "hello world!", 0 },
    { "junk in a quantum", "aGV!sbG8gd29y",    "hello wor", 1 },
    { "pad then quanta", "aGk=aGVsbG8gd29y",   "hi", 0 },
    { "ws in a quantum", "aG Vs\r\nbG8gd29y",  "hello wor", 0 },
};

static GString *run_b64(const char *in, size_t step, mailx_b64_state *st)
{
    GString *o = g_string_new(NULL);
    mailx_b64_init(st);
    size_t len = strlen(in);
    uint8_t buf[64];
    for (size_t i = 0; i < len; i += step) {
        size_t n = MIN(step, len - i);
        g_string_append_len(o, (char *)buf, (gssize)mailx_b64_step(st, (const uint8_t *)in + i, n, buf));
    }
    g_string_append_len(o, (char *)buf, (gssize)mailx_b64_finish(st, buf));
    return o;
}

static void test_b64(gconstpointer d)
{
    const dec_case *c = d;
    for (size_t step = 1; step <= 16; step += 15) {
        mailx_b64_state st;
        GString *o = run_b64(c->in, step, &st);
        g_assert_cmpstr(o->str, ==, c->out);
        g_assert_cmpuint(st.invalid, ==, c->invalid);
        g_string_free(o, TRUE);
    }
}

/* QP: input lines separated by '\n' here; the harness adds eol between them */
static const dec_case qp_cases[] = {
    { "plain",          "abc",                 "abc", 0 },
    { "escape",         "caf=C3=A9",           "caf\xc3\xa9", 0 },
    { "lower hex",      "=c3=a9",              "\xc3\xa9", 0 },
    { "soft break",     "ab=\ncd",             "abcd", 0 },
    { "hard break",     "ab\ncd",              "ab\r\ncd", 0 },
    { "trailing ws",    "ab  \ncd",            "ab\r\ncd", 0 },
    { "inner ws kept",  "a b\tc",              "a b\tc", 0 },
    { "bad escape",     "a=ZZb",               "a=ZZb", 1 },
    { "half escape",    "a=A",                 "a=A", 1 },
    { "soft + ws",      "ab=  \ncd",           "abcd", 0 },
    { "eq ws text",     "a= b",                "a= b", 1 },
};

static void test_qp(gconstpointer d)
{
    const dec_case *c = d;
    for (size_t step = 1; step <= 16; step += 15) {
        mailx_qp_state st;
        mailx_qp_init(&st);
        GString *o = g_string_new(NULL);
        gchar **lines = g_strsplit(c->in, "\n", -1);
        uint8_t buf[256];
        for (gchar **l = lines; *l; l++) {
            size_t len = strlen(*l);
            for (size_t i = 0; i < len; i += step)
                g_string_append_len(o, (char *)buf, (gssize)mailx_qp_step(&st, (const uint8_t *)*l + i,
                                                                          MIN(step, len - i), false, buf));
            if (l[1])
                g_string_append_len(o, (char *)buf, (gssize)mailx_qp_step(&st, NULL, 0, true, buf));
        }
        g_string_append_len(o, (char *)buf, (gssize)mailx_qp_finish(&st, buf));
        g_assert_cmpstr(o->str, ==, c->out);
        g_assert_cmpuint(st.invalid, ==, c->invalid);
        g_strfreev(lines);
        g_string_free(o, TRUE);
    }
}

/* ---- RFC 2047 ---- */

typedef struct { const char *name, *in, *out; } str_case;

static const str_case rfc2047_cases[] = {
    { "plain",            "Hello world",                                  "Hello world" },
    { "Q utf-8",          "=?UTF-8?Q?Ren=C3=A9e_M=C3=BCller?= <r@x>",     "Renée Müller <r@x>" },
    { "B latin1",         "=?ISO-8859-1?B?UulzdW3pIGRlIGxhIHLpdW5pb24=?=", "Résumé de la réunion" },
    { "adjacent joined",  "=?UTF-8?Q?a?= =?UTF-8?Q?b?=",                  "ab" },
    { "split multibyte",  "=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=",            "€" },
    { "mixed charsets",   "=?UTF-8?Q?r=C3=A9sum=C3=A9?=\r\n =?ISO-8859-1?Q?_na=EFve?=", "résumé naïve" },
    { "text between",     "=?UTF-8?Q?a?= x =?UTF-8?Q?b?=",                "a x b" },
    { "lang suffix",      "=?UTF-8*en?Q?hi?=",                            "hi" },
    { "unknown charset",  "=?X-NOPE?Q?caf=E9?=",                          "caf\xc3\xa9" },
    { "bad encoding",     "=?UTF-8?X?abc?=",                              "=?UTF-8?X?abc?=" },
    { "unterminated",     "=?UTF-8?Q?abc",                                "=?UTF-8?Q?abc" },
    { "empty word",       "=?UTF-8?B?" "?=",                                 "" },
    { "invalid utf8 raw", "caf\xe9",                                      "caf\xc3\xa9" },
    { "control chars",    "a\x01" "b",                                    "a\xef\xbf\xbd" "b" },
    { "Q bad escape",     "=?UTF-8?Q?a=ZZ?=",                             "a=ZZ" },
    { "garbage",          "=?=?=?==?" "?=?",                              "=?=?=?==?" "?=?" },
    /* text without an encoded word */
    { "tab to space",     "a\tb\t",                                       "a b " },
    { "equals, no word",  "a=b c= =",                                     "a=b c= =" },
    { "word start at end", "ab=?",                                        "ab=?" },
    { "plain UTF-8",      "Gr\xc3\xbc\xc3\x9f" "e",                         "Gr\xc3\xbc\xc3\x9f" "e" },
    { "C1 control raw",   "a\xc2\x85" "b",                                 "a\xef\xbf\xbd" "b" },
    { "DEL",              "a\x7f" "b",                                    "a\xef\xbf\xbd" "b" },
};

static void test_rfc2047(gconstpointer d)
{
    const str_case *c = d;
    char *got = mailx_rfc2047_decode(c->in, strlen(c->in), MAILX_HDR_TEXT_MAX);
    g_assert_cmpstr(got, ==, c->out);
    g_free(got);
}

static void test_rfc2047_bounded(void)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 20000; i++)
        g_string_append(s, "=?UTF-8?Q?=E2=82=AC?= ");
    char *got = mailx_rfc2047_decode(s->str, s->len, 100);
    g_assert_cmpuint(strlen(got), <=, 100);
    g_assert_true(g_utf8_validate(got, -1, NULL));
    g_assert_true(g_str_has_prefix(got, "€€€"));
    g_free(got);
    /* plain text is cut at the limit too, tabs still spaces */
    g_string_truncate(s, 0);
    for (int i = 0; i < 5000; i++)
        g_string_append_c(s, i % 10 == 9 ? '\t' : 'x');
    got = mailx_rfc2047_decode(s->str, s->len, 100);
    g_assert_cmpuint(strlen(got), ==, 100);
    g_assert_null(strchr(got, '\t'));
    g_assert_cmpstr(got + 90, ==, "xxxxxxxxx ");
    g_free(got);
    /* printable text up to the limit: what follows it does not matter */
    static const struct { size_t ascii; const char *tail; size_t want; } cut[] = {
        { 5000, "\xe9", 100 },        /* Latin-1 byte far past the limit */
        { 100, "\x01", 100 },         /* a control character right at it */
        { 99, "\xc3\xa9", 99 },       /* a 2-byte character that does not fit */
        { 98, "\xc3\xa9", 100 },      /* one that does */
        { 100, "", 100 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cut); i++) {
        g_string_truncate(s, 0);
        for (size_t k = 0; k < cut[i].ascii; k++)
            g_string_append_c(s, k % 7 == 6 ? '\t' : 'x');
        g_string_append(s, cut[i].tail);
        got = mailx_rfc2047_decode(s->str, s->len, 100);
        g_assert_cmpuint(strlen(got), ==, cut[i].want);
        g_assert_true(g_utf8_validate(got, -1, NULL));
        g_assert_null(strchr(got, '\t'));
        g_assert_cmpint(strncmp(got, "xxxxxx ", 7), ==, 0);
        g_free(got);
    }
    /* a multi-byte character never cut in two */
    g_string_truncate(s, 0);
    for (int i = 0; i < 200; i++)
        g_string_append(s, "\xe2\x82\xac");
    got = mailx_rfc2047_decode(s->str, s->len, 100);
    g_assert_cmpuint(strlen(got), ==, 99);
    g_assert_true(g_utf8_validate(got, -1, NULL));
    g_free(got);
    g_string_free(s, TRUE);
}

/* ---- RFC 2045/2231 parameters ---- */

typedef struct { const char *name, *value, *param, *out; unsigned flags; } param_case;

static const param_case param_cases[] = {
    { "token",         "attachment; filename=a.pdf", "filename", "a.pdf", 0 },
    { "quoted",        "attachment; filename=\"a b.pdf\"", "filename", "a b.pdf", 0 },
    { "escaped quote", "attachment; filename=\"a\\\"b\"", "filename", "a\"b", 0 },
    { "case",          "attachment; FileName=\"x\"", "filename", "x", 0 },
    { "absent",        "attachment", "filename", NULL, 0 },
    { "other param",   "text/plain; charset=utf-8; name=x.txt", "name", "x.txt", 0 },
    { "semicolon in quotes", "a; x=\"1;2\"; filename=f", "filename", "f", 0 },
    { "rfc2231 ext",   "attachment; filename*=iso-8859-1''na%EFve%20caf%E9.txt", "filename",
                       "naïve café.txt", MAILX_PARAM_RFC2231 },
    { "rfc2231 cont",  "attachment; filename*0*=UTF-8''Quarterly%20%E2%82%AC%20; filename*1*=2024%20;"
                       " filename*2=\"final.xlsx\"", "filename", "Quarterly € 2024 final.xlsx", MAILX_PARAM_RFC2231 },
    { "rfc2231 out of order", "a; filename*1=b; filename*0=a", "filename", "ab", MAILX_PARAM_RFC2231 },
    { "rfc2231 gap",   "a; filename*0=a; filename*2=c", "filename", "a",
                       MAILX_PARAM_RFC2231 | MAILX_PARAM_BAD_SECTIONS },
    { "rfc2231 dup",   "a; filename*0=a; filename*0=b", "filename", "a",
                       MAILX_PARAM_RFC2231 | MAILX_PARAM_BAD_SECTIONS },
    { "rfc2231 huge index", "a; filename*0=a; filename*99999999999=z", "filename", "a",
                       MAILX_PARAM_RFC2231 | MAILX_PARAM_BAD_SECTIONS },
    { "rfc2231 bad charset", "a; filename*=x-bogus''caf%E9", "filename", "caf\xc3\xa9",
                       MAILX_PARAM_RFC2231 | MAILX_PARAM_BAD_CHARSET },
    { "rfc2231 no quotes", "a; filename*=abc%41", "filename", "abcA", MAILX_PARAM_RFC2231 },
    { "rfc2231 bad pct", "a; filename*=utf-8''%G1%", "filename", "%G1%", MAILX_PARAM_RFC2231 },
    { "rfc2047 in quotes", "a; filename=\"=?UTF-8?B?0J7RgtGH0ZHRgi50eHQ=?=\"", "filename", "Отчёт.txt",
                       MAILX_PARAM_RFC2047 },
    { "ext wins",      "a; filename=plain.txt; filename*=utf-8''ext.txt", "filename", "ext.txt", MAILX_PARAM_RFC2231 },
    { "unterminated quote", "a; filename=\"abc", "filename", "abc", 0 },
    { "comment",       "a; (c) filename=x", "filename", "x", 0 },
    { "no value",      "a; filename; name=y", "filename", NULL, 0 },
    { "control chars", "a; filename=\"a\x01\x7f" "b\"", "filename", "a\xef\xbf\xbd\xef\xbf\xbd" "b", 0 },
    /* quoted strings: CR and LF dropped, a backslash quotes the next byte */
    { "quoted folded", "a; filename=\"a\r\n b.txt\"", "filename", "a b.txt", 0 },
    { "escaped backslash", "a; filename=\"a\\\\b\"", "filename", "a\\b", 0 },
    { "escaped CR",    "a; filename=\"a\\\rb\"", "filename", "ab", 0 },
    { "backslash last", "a; filename=\"ab\\", "filename", "ab\\", 0 },
    { "escapes in a row", "a; filename=\"\\a\\b\\\"c\"", "filename", "ab\"c", 0 },
    { "junk quoted after value", "a; filename=x \"y;z\"; name=w", "name", "w", 0 },
    { "value after junk", "a; filename=x \"y;z\"; name=w", "filename", "x \"y", 0 },
    { "tab in value", "a; filename=\"a\tb\"", "filename", "a b", 0 },
    { "empty quoted value", "a; filename=\"\"", "filename", "", 0 },
    { "empty token value", "a; filename=; name=x", "filename", "", 0 },
    /* only the wanted parameter's value is read: the first of each form counts,
       values of others (and rejected sections) are skipped whole */
    { "plain dup first wins", "a; filename=one; filename=two", "filename", "one", 0 },
    { "ext dup first wins", "a; filename*=utf-8''one; filename*=utf-8''two", "filename", "one",
                       MAILX_PARAM_RFC2231 },
    { "longer name",   "a; filenames=\"x;y\"; filename=z", "filename", "z", 0 },
    { "dup section skipped", "a; filename*0=a; filename*0=\"b;c\"; filename*1=d", "filename", "ad",
                       MAILX_PARAM_RFC2231 | MAILX_PARAM_BAD_SECTIONS },
    { "bad section skipped", "a; filename*01=\"x;y\"; filename=z", "filename", "z",
                       MAILX_PARAM_BAD_SECTIONS },
    { "escaped backslash, then quote", "a; filename=\"x\\\\\"; name=y", "filename", "x\\", 0 },
    { "escaped quote, then more", "a; filename=\"\\\"x\\\"y\"z; name=w", "filename", "\"x\"y", 0 },
    { "bare LF in quotes", "a; filename=\"a\nb\"", "filename", "ab", 0 },
    { "bare CR in quotes", "a; filename=\"a\rb\"", "filename", "ab", 0 },
    { "LF CR in quotes", "a; filename=\"a\n\r\r\nb\"", "filename", "ab", 0 },
    { "token to the end", "a; filename=x.pdf  ", "filename", "x.pdf", 0 },
};

static void test_param(gconstpointer d)
{
    const param_case *c = d;
    unsigned fl = 0;
    char *got = mailx_mime_param(c->value, strlen(c->value), c->param, &fl);
    g_assert_cmpstr(got, ==, c->out);
    g_assert_cmpuint(fl, ==, c->flags);
    g_free(got);
}

static void test_types(void)
{
    struct { const char *in, *out; } t[] = {
        { "Text/Plain; charset=x", "text/plain" }, { " multipart/mixed;boundary=x", "multipart/mixed" },
        { "(c) image/png", "image/png" }, { "text", NULL }, { "/x", NULL }, { "", NULL }, { "a/", NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        char *got = mailx_mime_type(t[i].in, strlen(t[i].in));
        g_assert_cmpstr(got, ==, t[i].out);
        g_free(got);
    }
}

static void test_addr(void)
{
    struct { const char *in, *addr, *domain; } t[] = {
        { "\"PayPal Billing\" <billing@paypal-billing.example>", "billing@paypal-billing.example", "paypal-billing.example" },
        { "a@B.Example (Alice)", "a@B.Example", "b.example" },
        { "\"x <fake@evil>\" <real@good.test>", "real@good.test", "good.test" },
        { "<>", NULL, NULL },
        { "no address", NULL, NULL },
        { "a@b, c@d", "a@b", "b" },
        { "Undisclosed:;", NULL, NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
        char *a = mailx_addr_spec(t[i].in, strlen(t[i].in));
        char *dm = mailx_addr_domain(a);
        g_assert_cmpstr(a, ==, t[i].addr);
        g_assert_cmpstr(dm, ==, t[i].domain);
        g_free(a);
        g_free(dm);
    }
}

/* ---- risk ---- */

typedef struct {
    const char *name, *filename, *type;
    const char *head; size_t head_len;
    uint32_t flags;
    const char *first_reason;
} risk_case;

#define MZ "MZ\x90\x00"
static const risk_case risk_cases[] = {
    { "clean pdf", "report.pdf", "application/pdf", "%PDF-1.4\n", 9, 0, NULL },
    { "exe", "setup.exe", "application/octet-stream", MZ, 4, MAILX_RISK_EXT_EXECUTABLE,
      "executable extension .exe (executable)" },
    { "double ext", "invoice.pdf.exe", "application/pdf", MZ, 4,
      MAILX_RISK_EXT_EXECUTABLE | MAILX_RISK_DOUBLE_EXT | MAILX_RISK_TYPE_MISMATCH, NULL },
    { "upper ext", "RUN.JS", "text/plain", "x", 1, MAILX_RISK_EXT_SCRIPT, "script extension .js (JScript)" },
    { "padded", "photo.jpg          .scr", NULL, NULL, 0, MAILX_RISK_EXT_EXECUTABLE | MAILX_RISK_DOUBLE_EXT, NULL },
    { "macro", "q.xlsm", "application/vnd.ms-excel.sheet.macroenabled.12", "PK\x03\x04", 4,
      MAILX_RISK_MACRO_OFFICE, NULL },
    { "lnk", "doc.lnk", NULL, NULL, 0, MAILX_RISK_EXT_OTHER, "risky extension .lnk (Windows shortcut)" },
    { "iso", "a.iso", NULL, NULL, 0, MAILX_RISK_EXT_OTHER, NULL },
    { "mismatch", "a.pdf", "application/pdf", "PK\x03\x04", 4, MAILX_RISK_TYPE_MISMATCH,
      "declared application/pdf but content is ZIP archive" },
    { "exec content", "data.bin", "application/octet-stream", "\x7f" "ELF", 4, MAILX_RISK_EXEC_CONTENT,
      "content is ELF executable (declared application/octet-stream)" },
    { "name vs magic", "scan.jpg", "application/octet-stream", "%PDF-", 5, MAILX_RISK_TYPE_MISMATCH,
      "name says .jpg but content is PDF document" },
    { "no name", NULL, NULL, NULL, 0, 0, NULL },
    { "dot only", ".", NULL, NULL, 0, 0, NULL },
    { "trailing dot", "a.exe.", NULL, NULL, 0, 0, NULL },
    { "docx ok", "a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "PK\x03\x04", 4, 0, NULL },
};

static void test_risk(gconstpointer d)
{
    const risk_case *c = d;
    mailx_risk r;
    mailx_attach_risk_assess(c->filename, c->type, (const uint8_t *)c->head, c->head_len, &r);
    g_assert_cmphex(r.flags, ==, c->flags);
    g_assert_cmpuint(r.n > 0, ==, c->flags != 0);
    if (c->first_reason)
        g_assert_cmpstr(r.reason[0], ==, c->first_reason);
}

/* A ZIP local header: name, flags, stored data. */
static void zip_entry(GByteArray *z, const char *name, uint16_t flags, const char *data)
{
    uint8_t h[30] = { 'P', 'K', 3, 4, 20, 0 };
    size_t nl = strlen(name), dl = strlen(data);
    h[6] = (uint8_t)flags; h[7] = (uint8_t)(flags >> 8);
    h[18] = (uint8_t)dl; h[22] = (uint8_t)dl;
    h[26] = (uint8_t)nl;
    g_byte_array_append(z, h, 30);
    g_byte_array_append(z, (const guint8 *)name, (guint)nl);
    g_byte_array_append(z, (const guint8 *)data, (guint)dl);
}

static void test_zip(void)
{
    GByteArray *z = g_byte_array_new();
    zip_entry(z, "readme.txt", 0, "hello");
    zip_entry(z, "docs/Invoice.PDF.exe", 0, "MZ");
    g_byte_array_append(z, (const guint8 *)"PK\x01\x02", 4);
    mailx_zip_scan s;
    mailx_zip_scan_local(z->data, z->len, &s);
    g_assert_cmpuint(s.entries, ==, 2);
    g_assert_false(s.encrypted);
    g_assert_cmpstr(s.risky_name, ==, "docs/Invoice.PDF.exe");
    mailx_risk r;
    mailx_attach_risk_assess("files.zip", "application/zip", z->data, z->len, &r);
    g_assert_cmphex(r.flags, ==, MAILX_RISK_ARCHIVE_EXEC);
    g_assert_cmpstr(r.reason[0], ==, "archive contains docs/Invoice.PDF.exe");

    /* encrypted entry; every truncation point of the bytes is safe */
    g_byte_array_set_size(z, 0);
    zip_entry(z, "secret.docx", 1, "xxxxxxxxxx");
    for (guint cut = 0; cut <= z->len; cut++) {
        guint8 *copy = g_memdup2(z->data, cut ? cut : 1);
        mailx_zip_scan_local(copy, cut, &s);
        g_assert_cmpuint(s.encrypted, ==, cut >= 30);
        g_free(copy);
    }
    mailx_attach_risk_assess("x.zip", "application/zip", z->data, z->len, &r);
    g_assert_cmphex(r.flags, ==, MAILX_RISK_ENCRYPTED_ZIP);

    /* a compressed size pointing far away stops the walk */
    g_byte_array_set_size(z, 0);
    zip_entry(z, "a", 0, "");
    z->data[18] = z->data[19] = z->data[20] = z->data[21] = 0xff;
    mailx_zip_scan_local(z->data, z->len, &s);
    g_assert_cmpuint(s.entries, ==, 1);
    g_assert_true(s.truncated);
    g_byte_array_free(z, TRUE);
}

/* ---- streaming parser ---- */

typedef struct {
    GString *log;
    uint64_t data_bytes;
} collect;

static void on_data(void *ctx, uint32_t index, const uint8_t *d, size_t n)
{
    ((collect *)ctx)->data_bytes += n;
    (void)index; (void)d;
}

static void on_end(void *ctx, const mailx_mime_attachment *a)
{
    collect *c = ctx;
    char hex[17] = "-";
    if (a->hashed)
        for (int i = 0; i < 8; i++)
            g_snprintf(hex + 2 * i, 3, "%02x", a->sha256[i]);
    g_string_append_printf(c->log, "[#%u d%u %s %s %" G_GUINT64_FORMAT " %s a%x]", a->index, a->depth,
                           a->filename ? a->filename : "-", a->type ? a->type : "-",
                           a->decoded_size, hex, a->anomalies);
}

/* Parses msg fed in chunks of `step` bytes; returns the attachment log plus
 * " parts=N att=N limits=X anomalies=X". */
static char *parse(const char *msg, size_t len, size_t step, const mailx_mime_limits *lim,
                   mailx_mime_summary *sum_out)
{
    collect c = { g_string_new(NULL), 0 };
    mailx_mime_sink sink = { .attachment_data = on_data, .attachment_end = on_end };
    mailx_mime_parser *p = mailx_mime_new(lim, &sink, &c);
    for (size_t i = 0; i < len; i += step) {
        /* a heap copy of exactly the chunk, so ASan sees an over-read */
        size_t n = MIN(step, len - i);
        guint8 *b = g_memdup2(msg + i, n);
        mailx_mime_feed(p, b, n);
        g_free(b);
    }
    mailx_mime_summary s;
    mailx_mime_finish(p, &s);
    g_string_append_printf(c.log, " parts=%u att=%u limits=%x anomalies=%x", s.parts, s.attachments,
                           s.limits, s.anomalies);
    if (sum_out)
        *sum_out = s;
    else
        mailx_mime_summary_clear(&s);
    return g_string_free(c.log, FALSE);
}

/* As parse(), the message fed in calls that end at the given offsets (in
 * increasing order) and one more for the rest. */
static char *parse_cut(const char *msg, size_t len, const size_t *cuts, size_t n_cuts)
{
    collect c = { g_string_new(NULL), 0 };
    mailx_mime_sink sink = { .attachment_data = on_data, .attachment_end = on_end };
    mailx_mime_parser *p = mailx_mime_new(NULL, &sink, &c);
    size_t from = 0;
    for (size_t k = 0; k <= n_cuts; k++) {
        size_t to = k < n_cuts ? cuts[k] : len;
        guint8 *b = g_memdup2(msg + from, to - from);   /* ASan sees an over-read */
        mailx_mime_feed(p, b, to - from);
        g_free(b);
        from = to;
    }
    mailx_mime_summary s;
    mailx_mime_finish(p, &s);
    g_string_append_printf(c.log, " parts=%u att=%u limits=%x anomalies=%x", s.parts, s.attachments,
                           s.limits, s.anomalies);
    mailx_mime_summary_clear(&s);
    return g_string_free(c.log, FALSE);
}

typedef struct { const char *name, *msg, *expect; } mime_case;

#define HDR "From: a@b\r\nMIME-Version: 1.0\r\n"
static const mime_case mime_cases[] = {
    { "single text", HDR "Subject: x\r\n\r\nhello\r\n", " parts=1 att=0 limits=0 anomalies=0" },
    { "single attachment b64",
      HDR "Content-Type: application/octet-stream; name=\"b.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
      "aGVsbG8=\r\n",
      "[#0 d0 b.bin application/octet-stream 5 2cf24dba5fb0a30e a0] parts=1 att=1 limits=0 anomalies=0" },
    { "multipart",
      HDR "Content-Type: multipart/mixed; boundary=XX\r\n\r\npreamble\r\n--XX\r\n\r\nbody\r\n"
      "--XX\r\nContent-Disposition: attachment; filename=h.txt\r\n\r\nhello\r\n--XX--\r\nepilogue\r\n",
      "[#2 d1 h.txt - 5 2cf24dba5fb0a30e a0] parts=3 att=1 limits=0 anomalies=0" },
    { "boundary lookalike",
      HDR "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Disposition: attachment; filename=h\r\n\r\n"
      "--XXY\r\n--XX x\r\n--XX--\r\n",
      "[#1 d1 h - 13 b8c38a6a6742c58c a0] parts=2 att=1 limits=0 anomalies=0" },
    { "unterminated boundary",
      HDR "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Disposition: attachment; filename=h\r\n\r\n"
      "hello\r\n",
      "[#1 d1 h - 7 cd2eca3535741f27 a0] parts=2 att=1 limits=0 anomalies=4" },
    { "inner unterminated",
      HDR "Content-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\nContent-Type: multipart/mixed; boundary=I\r\n\r\n"
      "--I\r\nContent-Disposition: attachment; filename=a\r\n\r\nx\r\n--O\r\n"
      "Content-Disposition: attachment; filename=b\r\n\r\ny\r\n--O--\r\n",
      "[#2 d2 a - 1 2d711642b726b044 a0][#3 d1 b - 1 a1fce4363854ff88 a0] parts=4 att=2 limits=0 anomalies=4" },
    { "no boundary param",
      HDR "Content-Type: multipart/mixed\r\n\r\n--XX\r\nfoo\r\n",
      " parts=1 att=0 limits=0 anomalies=8" },
    { "invalid base64",
      HDR "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Transfer-Encoding: base64\r\n"
      "Content-Disposition: attachment; filename=x\r\n\r\naGVs!!bG8=\r\n--XX--\r\n",
      "[#1 d1 x - 5 2cf24dba5fb0a30e a1] parts=2 att=1 limits=0 anomalies=1" },
    { "qp attachment",
      HDR "Content-Type: text/plain; name=q.txt\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
      "caf=C3=A9 =\r\nend\r\n",
      "[#0 d0 q.txt text/plain 11 9c46a9704558a3bb a0] parts=1 att=1 limits=0 anomalies=0" },
    { "header without colon",
      HDR "garbage line\r\nContent-Disposition: attachment; filename=g\r\n\r\nx",
      "[#0 d0 g - 1 2d711642b726b044 a20] parts=1 att=1 limits=0 anomalies=20" },
    { "ends in header", HDR "Subject: cut", " parts=1 att=0 limits=0 anomalies=0" },
    { "empty", "", " parts=1 att=0 limits=0 anomalies=0" },
    { "bare LF lines",
      "Content-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Disposition: attachment; filename=l\n\nab\n--XX--\n",
      "[#1 d1 l - 2 fb8e20fc2e4c3f24 a0] parts=2 att=1 limits=0 anomalies=0" },
    { "embedded message",
      HDR "Content-Type: multipart/mixed; boundary=O\r\n\r\n--O\r\nContent-Type: message/rfc822\r\n"
      "Content-Disposition: attachment; filename=f.eml\r\n\r\nSubject: in\r\nContent-Type: text/plain; name=i.txt\r\n\r\nhi\r\n--O--\r\n",
      "[#2 d2 i.txt text/plain 2 8f434346648f6b96 a0][#1 d1 f.eml message/rfc822 55 31f720511c163c72 a0] parts=3 att=2 limits=0 anomalies=0" },
};

static void test_mime(gconstpointer d)
{
    const mime_case *c = d;
    size_t len = strlen(c->msg);
    char *whole = parse(c->msg, len, len ? len : 1, NULL, NULL);
    /* hashes: the first 8 bytes, computed independently with Python's hashlib */
    g_assert_cmpstr(whole, ==, c->expect);
    /* any chunking gives the same result */
    for (size_t step = 1; step <= 7; step++) {
        char *got = parse(c->msg, len, step, NULL, NULL);
        g_assert_cmpstr(got, ==, whole);
        g_free(got);
    }
    g_free(whole);
}

/* Lines around the peek size (512 bytes: longer ones cannot be a boundary and
 * stream through): a line handed over whole (as a DATA line with its CRLF is)
 * and the same bytes cut anywhere give the same attachment, boundaries and
 * sizes; so do a boundary line padded with white space to that length. */
static void test_mime_peek_edge(void)
{
    for (size_t len = 509; len <= 515; len++) {
        for (int cr = 0; cr <= 1; cr++) {
            const char *eol = cr ? "\r\n" : "\n";
            GString *m = g_string_new(NULL);
            g_string_append_printf(m, "Content-Type: multipart/mixed; boundary=b%s%s--b", eol, eol);
            /* a boundary line whose trailing blanks make it len bytes long, while
               that is below the peek (test_mime_peek_boundary_length has the
               lines at and past it) */
            size_t blen = len < 512 ? len - cr : 400;
            for (size_t k = 3; k < blen; k++)
                g_string_append_c(m, ' ');
            g_string_append_printf(m, "%sContent-Disposition: attachment; filename=x.txt%s%s", eol, eol, eol);
            for (int l = 0; l < 3; l++) {
                for (size_t k = 0; k < len - cr; k++)
                    g_string_append_c(m, (char)('a' + (k + (size_t)l) % 26));
                g_string_append(m, eol);
            }
            g_string_append_printf(m, "--b--%s", eol);
            char *whole = parse(m->str, m->len, m->len, NULL, NULL);
            /* 3 lines of content, the last line end belongs to the delimiter */
            char want[32];
            g_snprintf(want, sizeof want, " %zu ", 3 * (len - cr) + 2 * 2);
            g_assert_nonnull(strstr(whole, want));
            g_assert_nonnull(strstr(whole, "[#1 d1 x.txt - "));
            g_assert_true(g_str_has_suffix(whole, " parts=2 att=1 limits=0 anomalies=0"));
            for (size_t step = 1; step <= 7; step++) {
                char *got = parse(m->str, m->len, step, NULL, NULL);
                g_assert_cmpstr(got, ==, whole);
                g_free(got);
            }
            /* line by line, as the SMTP session hands DATA over */
            GArray *cuts = g_array_new(FALSE, FALSE, sizeof(size_t));
            for (const char *q = m->str; (q = strchr(q, '\n')) != NULL; q++) {
                size_t at = (size_t)(q - m->str) + 1;
                g_array_append_val(cuts, at);
            }
            char *got = parse_cut(m->str, m->len, (const size_t *)(void *)cuts->data, cuts->len);
            g_assert_cmpstr(got, ==, whole);
            g_free(got);
            g_array_free(cuts, TRUE);
            g_free(whole);
            g_string_free(m, TRUE);
        }
    }
}

/* A delimiter padded with blanks (RFC 2046 allows them after the boundary) to
 * 509..515 bytes before its LF, its CR included: below the peek (512) it is a
 * boundary, at or past it never, however the bytes arrive: whole, in small
 * chunks, or cut just before the LF (where the peek fills before the line end
 * is seen). The padded line sits between two parts. */
static void test_mime_peek_boundary_length(void)
{
    for (size_t len = 509; len <= 515; len++) {
        for (int cr = 0; cr <= 1; cr++) {
            const char *eol = cr ? "\r\n" : "\n";
            GString *m = g_string_new(NULL);
            g_string_append_printf(m, "Content-Type: multipart/mixed; boundary=b%s%s--b%s", eol, eol, eol);
            g_string_append_printf(m, "Content-Disposition: attachment; filename=one.txt%s%sfirst%s", eol,
                                   eol, eol);
            size_t cut = 0;
            g_string_append(m, "--b");
            for (size_t k = 3; k < len - cr; k++)
                g_string_append_c(m, ' ');
            if (cr)
                g_string_append_c(m, '\r');
            cut = m->len;   /* the padded line's LF comes next */
            g_string_append_printf(m, "\nContent-Disposition: attachment; filename=two.txt%s%ssecond%s--b--%s",
                                   eol, eol, eol, eol);
            char *whole = parse(m->str, m->len, m->len, NULL, NULL);
            if (len < 512) {
                g_assert_true(g_str_has_suffix(whole, " parts=3 att=2 limits=0 anomalies=0"));
            } else {
                /* content of the first attachment: one part, one attachment */
                g_assert_true(g_str_has_suffix(whole, " parts=2 att=1 limits=0 anomalies=0"));
                g_assert_null(strstr(whole, "two.txt"));
            }
            for (size_t step = 1; step <= 7; step++) {
                char *got = parse(m->str, m->len, step, NULL, NULL);
                g_assert_cmpstr(got, ==, whole);
                g_free(got);
            }
            /* in two calls, the second starting at the padded line's LF */
            char *got = parse_cut(m->str, m->len, &cut, 1);
            g_assert_cmpstr(got, ==, whole);
            g_free(got);
            g_free(whole);
            g_string_free(m, TRUE);
        }
    }
}

static void test_mime_headers_decoded(void)
{
    const char *m = "From: =?UTF-8?Q?Ren=C3=A9e?= <renee@client.test>\r\nSubject: =?ISO-8859-1?Q?caf=E9?=\r\n"
                    " =?UTF-8?Q?_ok?=\r\nMessage-ID: <x@y>\r\nFrom: second@z\r\n\r\nbody";
    mailx_mime_summary s;
    char *log = parse(m, strlen(m), 3, NULL, &s);
    g_assert_cmpstr(s.from, ==, "Renée <renee@client.test>");
    g_assert_cmpstr(s.from_addr, ==, "renee@client.test");
    g_assert_cmpstr(s.subject, ==, "café ok");
    g_assert_cmpstr(s.message_id, ==, "<x@y>");
    mailx_mime_summary_clear(&s);
    g_free(log);
}

static void test_mime_nested_10000(void)
{
    /* 10,000 nested multiparts, each opening the next: depth is capped, the
     * parser neither recurses nor grows, and the limit is reported */
    GString *m = g_string_new(NULL);
    for (int i = 0; i < 10000; i++)
        g_string_append_printf(m, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
    g_string_append(m, "Content-Disposition: attachment; filename=deep\r\n\r\nx\r\n");
    mailx_mime_summary s;
    char *log = parse(m->str, m->len, 4096, NULL, &s);
    g_assert_cmpuint(s.max_depth, ==, MAILX_MIME_DEPTH_MAX_DEFAULT);
    g_assert_true(s.limits & MAILX_MIME_LIMIT_DEPTH);
    g_assert_true(s.anomalies & MAILX_MIME_UNTERMINATED);
    mailx_mime_summary_clear(&s);
    g_free(log);
    g_string_free(m, TRUE);
}

static void test_mime_parts_10000(void)
{
    /* 10,000 sibling attachments: counted, reported up to attachments_max */
    GString *m = g_string_new("Content-Type: multipart/mixed; boundary=X\r\n\r\n");
    for (int i = 0; i < 10000; i++)
        g_string_append_printf(m, "--X\r\nContent-Disposition: attachment; filename=f%d\r\n\r\n%d\r\n", i, i);
    g_string_append(m, "--X--\r\n");
    mailx_mime_summary s;
    char *log = parse(m->str, m->len, 65536, NULL, &s);
    g_assert_true(s.limits & MAILX_MIME_LIMIT_ATTACHMENTS);
    g_assert_true(s.limits & MAILX_MIME_LIMIT_PARTS);
    g_assert_cmpuint(s.parts, ==, MAILX_MIME_PARTS_MAX_DEFAULT);
    /* the log holds exactly attachments_max entries */
    guint n = 0;
    for (const char *p = log; (p = strchr(p, '[')); p++)
        n++;
    g_assert_cmpuint(n, ==, MAILX_MIME_ATTACHMENTS_MAX_DEFAULT);
    mailx_mime_summary_clear(&s);
    g_free(log);
    g_string_free(m, TRUE);
}

static void test_mime_huge_header(void)
{
    /* a 1 MB header line (folded and not), then a real attachment */
    GString *m = g_string_new("Subject: ");
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append_c(m, (char)('a' + i % 26));
    g_string_append(m, "\r\nX-Folded: a\r\n");
    for (int i = 0; i < 20000; i++)
        g_string_append(m, " continuation line of a folded header field\r\n");
    g_string_append(m, "Content-Type: application/pdf; name=r.pdf\r\n\r\n%PDF-1.4\r\n");
    mailx_mime_summary s;
    char *log = parse(m->str, m->len, 1500, NULL, &s);
    g_assert_true(s.limits & MAILX_MIME_LIMIT_HEADER_FIELD);
    g_assert_true(s.limits & MAILX_MIME_LIMIT_HEADER_BYTES);
    g_assert_cmpuint(strlen(s.subject), <=, MAILX_HDR_TEXT_MAX);
    /* past header_bytes_max the Content-Type is not interpreted: said so, not guessed */
    g_assert_cmpuint(s.attachments, ==, 0);
    mailx_mime_summary_clear(&s);
    g_free(log);

    /* a 1 MB body line with no line end at all, in a base64 attachment */
    g_string_assign(m, "Content-Type: application/octet-stream; name=a\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    for (int i = 0; i < 256 * 1024; i++)
        g_string_append(m, "AAAA");
    log = parse(m->str, m->len, 999, NULL, &s);
    g_assert_true(strstr(log, "[#0 d0 a application/octet-stream 786432 ") != NULL);
    mailx_mime_summary_clear(&s);
    g_free(log);
    g_string_free(m, TRUE);
}

static void test_mime_decoded_limit(void)
{
    mailx_mime_limits lim;
    mailx_mime_limits_default(&lim);
    lim.decoded_max = 4;
    const char *m = "Content-Type: text/plain; name=t\r\n\r\n0123456789";
    mailx_mime_summary s;
    char *log = parse(m, strlen(m), 3, &lim, &s);
    g_assert_cmpstr(log, ==, "[#0 d0 t text/plain 10 - a0] parts=1 att=1 limits=20 anomalies=0");
    mailx_mime_summary_clear(&s);
    g_free(log);
}

static void test_mime_garbage(void)
{
    /* random bytes with MIME-ish fragments: no crash, bounded results */
    GRand *r = g_rand_new_with_seed(4);
    static const char *frag[] = { "--", "XX", "\r\n", "\n", "Content-Type: multipart/mixed; boundary=XX\r\n",
                                  "=?UTF-8?B?", "?=", "filename*0*=", "%E2", "base64", ": ", " ", "\r\n\r\n",
                                  "Content-Transfer-Encoding: quoted-printable\r\n", "=\r\n", "message/rfc822" };
    for (int round = 0; round < 300; round++) {
        GString *m = g_string_new(NULL);
        int n = g_rand_int_range(r, 1, 200);
        for (int i = 0; i < n; i++) {
            if (g_rand_boolean(r))
                g_string_append(m, frag[g_rand_int_range(r, 0, G_N_ELEMENTS(frag))]);
            else
                g_string_append_c(m, (char)g_rand_int_range(r, 0, 256));
        }
        char *a = parse(m->str, m->len, (size_t)g_rand_int_range(r, 1, 64), NULL, NULL);
        char *b = parse(m->str, m->len, m->len ? m->len : 1, NULL, NULL);
        g_assert_cmpstr(a, ==, b);
        g_free(a);
        g_free(b);
        g_string_free(m, TRUE);
    }
    g_rand_free(r);
}

/* ---- SHA-256 through libgcrypt ---- */

/* One attachment's decoded bytes as streamed, and what its end reported. */
typedef struct {
    GByteArray *data;
    guint ends;
    bool hashed;
    uint8_t sha256[32];
    uint64_t decoded_size;
    bool truncated;
} whole;

static void whole_data(void *ctx, uint32_t index, const uint8_t *d, size_t n)
{
    g_byte_array_append(((whole *)ctx)->data, d, (guint)n);
    (void)index;
}

static void whole_end(void *ctx, const mailx_mime_attachment *a)
{
    whole *w = ctx;
    w->ends++;
    w->hashed = a->hashed;
    w->truncated = a->truncated;
    memcpy(w->sha256, a->sha256, sizeof w->sha256);
    w->decoded_size = a->decoded_size;
}

/* Feeds msg in chunks of 1..max_step bytes (drawn from r) into a parser
 * reporting into *w. */
static void parse_whole(const char *msg, size_t len, GRand *r, guint max_step,
                        const mailx_mime_limits *lim, whole *w)
{
    mailx_mime_sink sink = { .attachment_data = whole_data, .attachment_end = whole_end };
    mailx_mime_parser *p = mailx_mime_new(lim, &sink, w);
    for (size_t i = 0; i < len;) {
        size_t n = MIN((size_t)g_rand_int_range(r, 1, (gint32)max_step + 1), len - i);
        guint8 *b = g_memdup2(msg + i, n);   /* ASan sees an over-read */
        mailx_mime_feed(p, b, n);
        g_free(b);
        i += n;
    }
    mailx_mime_summary s;
    mailx_mime_finish(p, &s);
    mailx_mime_summary_clear(&s);
}

/* A base64 attachment holding body, its lines 76 characters (RFC 2045 s6.8). */
static GString *b64_message(const guint8 *body, size_t len)
{
    GString *m = g_string_new(HDR "Content-Type: application/octet-stream; name=r.bin\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n");
    char *enc = g_base64_encode(body, len);
    for (size_t i = 0, n = strlen(enc); i < n; i += 76) {
        g_string_append_len(m, enc + i, (gssize)MIN(76, n - i));
        g_string_append(m, "\r\n");
    }
    g_free(enc);
    return m;
}

/* The digest is GLib's GChecksum's, byte for byte (mailx used GChecksum
 * before libgcrypt), over random bodies whose lengths straddle SHA-256's
 * 64-byte block and its 55/56-byte padding edge, fed in random chunks. */
static void test_sha256_as_glib(void)
{
    static const size_t lens[] = { 0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129,
                                   1000, 65536, 1000003 };
    GRand *r = g_rand_new_with_seed(11);
    for (size_t k = 0; k < G_N_ELEMENTS(lens); k++) {
        guint8 *body = g_malloc(lens[k] + 1);
        for (size_t i = 0; i < lens[k]; i++)
            body[i] = (guint8)g_rand_int_range(r, 0, 256);
        GString *m = b64_message(body, lens[k]);
        whole w = { g_byte_array_new(), 0, false, { 0 }, 0 };
        parse_whole(m->str, m->len, r, lens[k] < 1000 ? 7 : 4096, NULL, &w);

        guint8 want[32];
        gsize wl = sizeof want;
        GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
        g_checksum_update(c, body, (gssize)lens[k]);
        g_checksum_get_digest(c, want, &wl);
        g_checksum_free(c);

        g_assert_cmpuint(w.ends, ==, 1);
        g_assert_true(w.hashed);
        g_assert_false(w.truncated);
        g_assert_cmpuint(w.decoded_size, ==, lens[k]);
        g_assert_cmpmem(w.data->data, w.data->len, body, lens[k]);
        g_assert_cmpmem(w.sha256, sizeof w.sha256, want, wl);
        g_byte_array_free(w.data, TRUE);
        g_string_free(m, TRUE);
        g_free(body);
    }
    g_rand_free(r);
}

static const char one_attachment[] =
    HDR "Content-Type: text/plain; name=h.txt\r\n\r\nhello";

/* A program that never initialised libgcrypt (unit tests, fuzzers,
 * mime_dump): the parser does, the whole way, before its first hash.
 * In a subprocess: libgcrypt's state is per process. */
static void test_gcrypt_uninitialised(void)
{
    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        return;
    }
    g_assert_false(gcry_control(GCRYCTL_ANY_INITIALIZATION_P));
    char *log = parse(one_attachment, strlen(one_attachment), 5, NULL, NULL);
    g_assert_cmpstr(log, ==, "[#0 d0 h.txt text/plain 5 2cf24dba5fb0a30e a0] parts=1 att=1 limits=0 anomalies=0");
    g_free(log);
    g_assert_true(gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P));
}

/* A host that has begun to initialise libgcrypt and not finished (its own
 * secure memory set-up, say): the parser hashes and leaves the rest to it.
 * (Wireshark finishes in epan_init(); the golden tests run that case.) */
static void test_gcrypt_host_begun(void)
{
    if (!g_test_subprocess()) {
        g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
        g_test_trap_assert_passed();
        return;
    }
    g_assert_nonnull(gcry_check_version(NULL));
    char *log = parse(one_attachment, strlen(one_attachment), 5, NULL, NULL);
    g_assert_cmpstr(log, ==, "[#0 d0 h.txt text/plain 5 2cf24dba5fb0a30e a0] parts=1 att=1 limits=0 anomalies=0");
    g_free(log);
    g_assert_false(gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P));
}

#ifdef MAILX_TEST_WRAP_MD_OPEN
/* Linked with -Wl,--wrap=gcry_md_open (tests/unit/meson.build): the parser's
 * calls come here, and the next md_open_failures of them fail as libgcrypt
 * does when it cannot allocate a context. */
gcry_error_t __real_gcry_md_open(gcry_md_hd_t *h, int algo, unsigned int flags);
gcry_error_t __wrap_gcry_md_open(gcry_md_hd_t *h, int algo, unsigned int flags);
static guint md_open_failures;

gcry_error_t __wrap_gcry_md_open(gcry_md_hd_t *h, int algo, unsigned int flags)
{
    if (md_open_failures) {
        md_open_failures--;
        *h = NULL;
        return gcry_error(GPG_ERR_ENOMEM);
    }
    return __real_gcry_md_open(h, algo, flags);
}

/* No hash context: the attachment is still reported, unhashed, with the same
 * bytes streamed and the same limits as with one; the next one is hashed. */
static void test_mime_no_hash_context(void)
{
    const char *two = HDR "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        "--XX\r\nContent-Disposition: attachment; filename=a\r\n\r\nhello\r\n"
        "--XX\r\nContent-Disposition: attachment; filename=b\r\n\r\nhello\r\n--XX--\r\n";
    md_open_failures = 1;
    char *log = parse(two, strlen(two), 4, NULL, NULL);
    g_assert_cmpuint(md_open_failures, ==, 0);
    g_assert_cmpstr(log, ==, "[#1 d1 a - 5 - a0][#2 d1 b - 5 2cf24dba5fb0a30e a0] parts=3 att=2 limits=0 anomalies=0");
    g_free(log);

    /* the same bytes streamed with a context or without one, up to the
       decoded limit too, which is reported all the same */
    const char *m = "Content-Type: text/plain; name=t\r\n\r\n01\r\n23\r\n45\r\n6789";
    static const uint64_t maxes[] = { 4, 100 };
    for (size_t k = 0; k < G_N_ELEMENTS(maxes); k++) {
        mailx_mime_limits lim;
        mailx_mime_limits_default(&lim);
        lim.decoded_max = maxes[k];
        whole with = { g_byte_array_new(), 0, false, { 0 }, 0 };
        whole without = { g_byte_array_new(), 0, false, { 0 }, 0 };
        GRand *r = g_rand_new_with_seed(3);
        parse_whole(m, strlen(m), r, 3, &lim, &with);
        g_rand_set_seed(r, 3);
        md_open_failures = 1;
        parse_whole(m, strlen(m), r, 3, &lim, &without);
        g_rand_free(r);
        g_assert_cmpuint(md_open_failures, ==, 0);
        g_assert_cmpuint(with.hashed, ==, maxes[k] == 100);
        g_assert_cmpuint(without.ends, ==, 1);
        g_assert_false(without.hashed);
        /* cut by the limit or not, whether or not there was a context: what
           the export goes by (mailx_export_attach_end) */
        g_assert_cmpuint(with.truncated, ==, maxes[k] == 4);
        g_assert_cmpuint(without.truncated, ==, maxes[k] == 4);
        g_assert_cmpuint(without.decoded_size, ==, 16);
        g_assert_cmpmem(without.data->data, without.data->len, with.data->data, with.data->len);
        /* the line "01" and its CRLF, then nothing: the next line passes the limit */
        g_assert_cmpuint(without.data->len, ==, maxes[k] == 4 ? 4 : 16);
        g_byte_array_free(with.data, TRUE);
        g_byte_array_free(without.data, TRUE);
    }

    mailx_mime_limits lim;
    mailx_mime_limits_default(&lim);
    lim.decoded_max = 4;
    md_open_failures = 1;
    log = parse(m, strlen(m), 3, &lim, NULL);
    g_assert_cmpstr(log, ==, "[#0 d0 t text/plain 16 - a0] parts=1 att=1 limits=20 anomalies=0");
    g_free(log);
}
#else
static void test_skip_no_wrap(void)
{
    g_test_skip("the linker has no --wrap: gcry_md_open cannot be made to fail");
}
#endif

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(b64_cases); i++) {
        char *n = g_strdup_printf("/decode/base64/%s", b64_cases[i].name);
        g_test_add_data_func(n, &b64_cases[i], test_b64);
        g_free(n);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(qp_cases); i++) {
        char *n = g_strdup_printf("/decode/qp/%s", qp_cases[i].name);
        g_test_add_data_func(n, &qp_cases[i], test_qp);
        g_free(n);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(rfc2047_cases); i++) {
        char *n = g_strdup_printf("/rfc2047/%s", rfc2047_cases[i].name);
        g_test_add_data_func(n, &rfc2047_cases[i], test_rfc2047);
        g_free(n);
    }
    g_test_add_func("/rfc2047/bounded", test_rfc2047_bounded);
    for (size_t i = 0; i < G_N_ELEMENTS(param_cases); i++) {
        char *n = g_strdup_printf("/param/%s", param_cases[i].name);
        g_test_add_data_func(n, &param_cases[i], test_param);
        g_free(n);
    }
    g_test_add_func("/header/types", test_types);
    g_test_add_func("/header/addr", test_addr);
    for (size_t i = 0; i < G_N_ELEMENTS(risk_cases); i++) {
        char *n = g_strdup_printf("/risk/%s", risk_cases[i].name);
        g_test_add_data_func(n, &risk_cases[i], test_risk);
        g_free(n);
    }
    g_test_add_func("/risk/zip", test_zip);
    for (size_t i = 0; i < G_N_ELEMENTS(mime_cases); i++) {
        char *n = g_strdup_printf("/mime/%s", mime_cases[i].name);
        g_test_add_data_func(n, &mime_cases[i], test_mime);
        g_free(n);
    }
    g_test_add_func("/mime/headers_decoded", test_mime_headers_decoded);
    g_test_add_func("/mime/nested_10000", test_mime_nested_10000);
    g_test_add_func("/mime/parts_10000", test_mime_parts_10000);
    g_test_add_func("/mime/huge_header", test_mime_huge_header);
    g_test_add_func("/mime/decoded_limit", test_mime_decoded_limit);
    g_test_add_func("/mime/garbage", test_mime_garbage);
    g_test_add_func("/mime/peek_edge", test_mime_peek_edge);
    g_test_add_func("/mime/peek_boundary_length", test_mime_peek_boundary_length);
    g_test_add_func("/mime/sha256/as_glib", test_sha256_as_glib);
    g_test_add_func("/mime/sha256/gcrypt_uninitialised", test_gcrypt_uninitialised);
    g_test_add_func("/mime/sha256/gcrypt_host_begun", test_gcrypt_host_begun);
#ifdef MAILX_TEST_WRAP_MD_OPEN
    g_test_add_func("/mime/sha256/no_hash_context", test_mime_no_hash_context);
#else
    g_test_add_func("/mime/sha256/no_hash_context", test_skip_no_wrap);
#endif
    return g_test_run();
}
