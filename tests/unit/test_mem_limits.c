/* The memory limits (epan-ext/mem_limits.h) and how the session logic and the
 * MIME parser honour a runtime value: clamping to each limit's range, limit 1,
 * a limit at its hard bound, and tables that grow on demand instead of being
 * allocated at the limit. */
#include <string.h>

#include <glib.h>

#include "imap_session.h"
#include "mem_limits.h"
#include "mime.h"
#include "pop_session.h"
#include "smtp_session.h"

/* ------------------------------------------------------------ the table */

typedef struct {
    mailx_limit_id id;
    const char *name;
    uint32_t def;           /* the value mailx had as a constant before */
} default_case;

static const default_case defaults[] = {
    { MAILX_LIMIT_SMTP_PENDING, "smtp_pending_max", 256 },
    { MAILX_LIMIT_POP_PENDING, "pop_pending_max", 64 },
    { MAILX_LIMIT_IMAP_PENDING, "imap_pending_max", 128 },
    { MAILX_LIMIT_MIME_DEPTH, "mime_depth_max", 32 },
    { MAILX_LIMIT_MIME_PARTS, "mime_parts_max", 10000 },
    { MAILX_LIMIT_MIME_ATTACHMENTS, "mime_attachments_max", 256 },
    { MAILX_LIMIT_HEADER_FIELD, "header_field_max", 16384 },
    { MAILX_LIMIT_HEADER_BLOCK, "header_block_max", 256 * 1024 },
    { MAILX_LIMIT_SESSIONS, "sessions_max", 1000000 },
    { MAILX_LIMIT_LINE_KEEP, "line_keep_max", 4096 },
};

static void test_defaults(void)
{
    g_assert_cmpuint(G_N_ELEMENTS(defaults), ==, MAILX_LIMIT_COUNT);
    mailx_limits l;
    mailx_limits_default(&l);
    for (size_t i = 0; i < G_N_ELEMENTS(defaults); i++) {
        const mailx_limit_info *r = mailx_limit_info_get(defaults[i].id);
        g_assert_nonnull(r);
        g_assert_cmpstr(r->name, ==, defaults[i].name);
        g_assert_cmpuint(r->def, ==, defaults[i].def);
        g_assert_cmpuint(l.v[defaults[i].id], ==, defaults[i].def);
        g_assert_cmpuint(r->min, <=, r->def);
        g_assert_cmpuint(r->def, <=, r->max);
        g_assert_true(r->title && *r->title && r->description && *r->description);
        /* a Wireshark preference name: lower-case letters, digits and '_' */
        for (const char *c = r->name; *c; c++)
            g_assert_true(g_ascii_islower(*c) || g_ascii_isdigit(*c) || *c == '_');
    }
    g_assert_null(mailx_limit_info_get(MAILX_LIMIT_COUNT));
    /* the defaults are in range: nothing to clamp */
    g_assert_cmpuint(mailx_limits_clamp(&l), ==, 0);
}

/* The hard bounds the session headers state are the ones a preference may set. */
static void test_bounds_match_sessions(void)
{
    g_assert_cmpuint(mailx_limit_info_get(MAILX_LIMIT_SMTP_PENDING)->max, ==, MAILX_SMTP_PENDING_HARD_MAX);
    g_assert_cmpuint(mailx_limit_info_get(MAILX_LIMIT_POP_PENDING)->max, ==, MAILX_POP_PENDING_HARD_MAX);
    g_assert_cmpuint(mailx_limit_info_get(MAILX_LIMIT_IMAP_PENDING)->max, ==, MAILX_IMAP_PENDING_HARD_MAX);
    g_assert_cmpuint(mailx_limit_info_get(MAILX_LIMIT_LINE_KEEP)->max, ==, MAILX_LINE_KEEP_HARD_MAX);
    g_assert_cmpuint(mailx_limit_info_get(MAILX_LIMIT_LINE_KEEP)->min, >=, MAILX_LINE_KEEP_MIN);
}

typedef enum { V_ZERO, V_MIN, V_DEF, V_MAX, V_MAX_PLUS_1, V_HUGE } value_kind;
typedef struct { value_kind in, out; } clamp_case;
static const clamp_case clamps[] = {
    { V_ZERO, V_MIN }, { V_MIN, V_MIN }, { V_DEF, V_DEF }, { V_MAX, V_MAX },
    { V_MAX_PLUS_1, V_MAX }, { V_HUGE, V_MAX },
};

static uint32_t value_of(const mailx_limit_info *r, value_kind k)
{
    switch (k) {
    case V_ZERO: return 0;
    case V_MIN: return r->min;
    case V_DEF: return r->def;
    case V_MAX: return r->max;
    case V_MAX_PLUS_1: return r->max + 1;
    case V_HUGE: default: return UINT32_MAX;
    }
}

static void test_clamp(void)
{
    for (int id = 0; id < MAILX_LIMIT_COUNT; id++) {
        const mailx_limit_info *r = mailx_limit_info_get((mailx_limit_id)id);
        for (size_t i = 0; i < G_N_ELEMENTS(clamps); i++) {
            uint32_t in = value_of(r, clamps[i].in), want = value_of(r, clamps[i].out);
            g_assert_cmpuint(mailx_limit_clamp((mailx_limit_id)id, in), ==, want);
            mailx_limits l;
            mailx_limits_default(&l);
            l.v[id] = in;
            g_assert_cmpuint(mailx_limits_clamp(&l), ==, in != want);
            g_assert_cmpuint(l.v[id], ==, want);
        }
    }
}

static void test_mime_mapping(void)
{
    mailx_limits l;
    mailx_limits_default(&l);
    l.v[MAILX_LIMIT_MIME_DEPTH] = 3;
    l.v[MAILX_LIMIT_MIME_PARTS] = 5;
    l.v[MAILX_LIMIT_MIME_ATTACHMENTS] = 7;
    l.v[MAILX_LIMIT_HEADER_FIELD] = 300;
    l.v[MAILX_LIMIT_HEADER_BLOCK] = 2000;
    mailx_mime_limits m;
    mailx_limits_mime(&l, &m);
    g_assert_cmpuint(m.depth_max, ==, 3);
    g_assert_cmpuint(m.parts_max, ==, 5);
    g_assert_cmpuint(m.attachments_max, ==, 7);
    g_assert_cmpuint(m.header_field_max, ==, 300);
    g_assert_cmpuint(m.header_bytes_max, ==, 2000);
    g_assert_cmpuint(m.decoded_max, ==, MAILX_MIME_DECODED_MAX_DEFAULT);
}

/* ------------------------------------------- pipelined commands per session */

typedef enum { P_SMTP, P_POP, P_IMAP } proto;

typedef struct {
    const char *name;
    proto p;
    uint32_t limit;         /* what the plugin would pass (clamped by the session) */
    uint32_t commands;      /* pipelined before any reply */
    uint32_t effective;     /* the limit the session uses */
} pending_case;

static const pending_case pending_cases[] = {
    { "smtp/limit_1", P_SMTP, 1, 3, 1 },
    { "smtp/limit_0_is_1", P_SMTP, 0, 3, 1 },
    { "smtp/not_power_of_two", P_SMTP, 100, 130, 100 },
    { "smtp/under_the_limit", P_SMTP, 100, 60, 100 },
    { "smtp/hard_bound", P_SMTP, MAILX_SMTP_PENDING_HARD_MAX, MAILX_SMTP_PENDING_HARD_MAX + 7,
      MAILX_SMTP_PENDING_HARD_MAX },
    { "smtp/past_hard_bound", P_SMTP, UINT32_MAX, MAILX_SMTP_PENDING_HARD_MAX + 7,
      MAILX_SMTP_PENDING_HARD_MAX },
    { "pop/limit_1", P_POP, 1, 3, 1 },
    { "pop/not_power_of_two", P_POP, 100, 130, 100 },
    { "pop/hard_bound", P_POP, MAILX_POP_PENDING_HARD_MAX, MAILX_POP_PENDING_HARD_MAX + 7,
      MAILX_POP_PENDING_HARD_MAX },
    { "pop/past_hard_bound", P_POP, UINT32_MAX, MAILX_POP_PENDING_HARD_MAX + 7, MAILX_POP_PENDING_HARD_MAX },
    { "imap/limit_1", P_IMAP, 1, 3, 1 },
    { "imap/not_power_of_two", P_IMAP, 100, 130, 100 },
    { "imap/hard_bound", P_IMAP, MAILX_IMAP_PENDING_HARD_MAX, MAILX_IMAP_PENDING_HARD_MAX + 7,
      MAILX_IMAP_PENDING_HARD_MAX },
    { "imap/past_hard_bound", P_IMAP, UINT32_MAX, MAILX_IMAP_PENDING_HARD_MAX + 7,
      MAILX_IMAP_PENDING_HARD_MAX },
};

typedef struct {
    uint32_t commands, not_remembered, replies, paired;
} counts;

static void *smtp_cmd(void *ctx, const mailx_smtp_command_event *ev)
{
    counts *c = ctx;
    c->commands++;
    c->not_remembered += ev->not_remembered;
    return NULL;
}
static void smtp_reply(void *ctx, const mailx_smtp_reply_event *ev)
{
    counts *c = ctx;
    c->replies++;
    c->paired += ev->has_request;
}
static void *pop_cmd(void *ctx, const mailx_pop_command_event *ev)
{
    counts *c = ctx;
    c->commands++;
    c->not_remembered += ev->not_remembered;
    return NULL;
}
static void pop_resp(void *ctx, const mailx_pop_response_event *ev)
{
    counts *c = ctx;
    c->replies++;
    c->paired += ev->has_request;
}
static void *imap_cmd(void *ctx, const mailx_imap_command_event *ev)
{
    counts *c = ctx;
    c->commands++;
    c->not_remembered += ev->not_remembered;
    return NULL;
}
static void imap_resp(void *ctx, const mailx_imap_response_event *ev)
{
    counts *c = ctx;
    c->replies++;
    c->paired += ev->has_request;
}

/* n lines "<pre><number><post>", in one buffer: one big pipelined write */
static GString *lines(const char *pre, const char *post, uint32_t first, uint32_t n)
{
    GString *g = g_string_new(NULL);
    for (uint32_t i = first; i < first + n; i++)
        g_string_append_printf(g, "%s%u%s", pre, i, post);
    return g;
}

static void test_pending(gconstpointer data)
{
    const pending_case *tc = data;
    counts c = { 0 };
    mailx_frame_ref f = { 0, 1 };
    GString *cmds, *replies;
    uint32_t cap_after_one = 0, cap, count, dropped;

    switch (tc->p) {
    case P_SMTP: {
        mailx_smtp_sink sink = { .command = smtp_cmd, .reply = smtp_reply };
        mailx_smtp_session s;
        mailx_smtp_session_init(&s);
        mailx_smtp_session_limit(&s, tc->limit);
        g_assert_cmpuint(s.pending_max, ==, tc->effective);
        mailx_smtp_session_feed(&s, false, (const uint8_t *)"220 hi\r\n", 8, f, &sink, &c);
        cmds = lines("RCPT TO:<u", "@example.test>\r\n", 0, tc->commands);
        mailx_smtp_session_feed(&s, true, (const uint8_t *)"NOOP\r\n", 6, f, &sink, &c);
        cap_after_one = s.pending_cap;
        mailx_smtp_session_feed(&s, true, (const uint8_t *)cmds->str, cmds->len, f, &sink, &c);
        cap = s.pending_cap; count = s.pending_count; dropped = (uint32_t)s.pending_dropped;
        replies = lines("250 2.1.5 ok ", "\r\n", 0, tc->commands + 1);
        mailx_smtp_session_feed(&s, false, (const uint8_t *)replies->str, replies->len, f, &sink, &c);
        mailx_smtp_session_free(&s);
        break;
    }
    case P_POP: {
        mailx_pop_sink sink = { .command = pop_cmd, .response = pop_resp };
        mailx_pop_session s;
        mailx_pop_session_init(&s);
        mailx_pop_session_limit(&s, tc->limit);
        g_assert_cmpuint(s.pending_max, ==, tc->effective);
        mailx_pop_session_feed(&s, false, (const uint8_t *)"+OK hi\r\n", 8, f, &sink, &c);
        cmds = lines("DELE ", "\r\n", 1, tc->commands);
        mailx_pop_session_feed(&s, true, (const uint8_t *)"NOOP\r\n", 6, f, &sink, &c);
        cap_after_one = s.pending_cap;
        mailx_pop_session_feed(&s, true, (const uint8_t *)cmds->str, cmds->len, f, &sink, &c);
        cap = s.pending_cap; count = s.pending_count; dropped = (uint32_t)s.pending_dropped;
        replies = lines("+OK ", "\r\n", 0, tc->commands + 1);
        mailx_pop_session_feed(&s, false, (const uint8_t *)replies->str, replies->len, f, &sink, &c);
        mailx_pop_session_free(&s);
        break;
    }
    case P_IMAP:
    default: {
        mailx_imap_sink sink = { .command = imap_cmd, .response = imap_resp };
        mailx_imap_session *s = g_new(mailx_imap_session, 1);
        mailx_imap_session_init(s);
        mailx_imap_session_limit(s, tc->limit);
        g_assert_cmpuint(s->pending_max, ==, tc->effective);
        mailx_imap_session_feed(s, false, (const uint8_t *)"* OK hi\r\n", 9, f, &sink, &c);
        cmds = lines("t", " NOOP\r\n", 1, tc->commands);
        mailx_imap_session_feed(s, true, (const uint8_t *)"t0 NOOP\r\n", 9, f, &sink, &c);
        cap_after_one = s->pending_cap;
        mailx_imap_session_feed(s, true, (const uint8_t *)cmds->str, cmds->len, f, &sink, &c);
        cap = s->pending_cap; count = s->pending_count; dropped = (uint32_t)s->pending_dropped;
        replies = lines("t", " OK done\r\n", 0, tc->commands + 1);
        mailx_imap_session_feed(s, false, (const uint8_t *)replies->str, replies->len, f, &sink, &c);
        mailx_imap_session_free(s);
        g_free(s);
        break;
    }
    }
    /* one command first, then the pipelined batch: commands + 1 in all */
    uint32_t total = tc->commands + 1;
    uint32_t remembered = MIN(total, tc->effective);
    /* grown on demand: one command does not allocate the whole table */
    g_assert_cmpuint(cap_after_one, <=, MIN(4, tc->effective));
    g_assert_cmpuint(cap, <=, tc->effective);
    g_assert_cmpuint(count, ==, remembered);
    g_assert_cmpuint(dropped, ==, total - remembered);
    g_assert_cmpuint(c.commands, ==, total);
    g_assert_cmpuint(c.not_remembered, ==, total - remembered);
    /* every reply reported; only those of remembered commands are paired */
    g_assert_cmpuint(c.replies, ==, 1 + total);
    g_assert_cmpuint(c.paired, ==, remembered);
    g_string_free(cmds, TRUE);
    g_string_free(replies, TRUE);
}

/* ------------------------------------------------------------ MIME depth */

typedef struct {
    const char *name;
    uint32_t depth_max;
    uint32_t nesting;       /* multipart levels in the message */
    uint32_t want_depth;    /* summary max_depth */
    bool want_limit;
} depth_case;

static const depth_case depth_cases[] = {
    { "limit_1", 1, 3, 1, true },
    { "under", 8, 3, 4, false },         /* 3 multiparts + the leaf */
    { "at", 4, 3, 4, false },
    { "over", 3, 3, 3, true },
    { "deep_growth", 1000, 999, 1000, false },  /* the stack grows to the hard bound */
    { "past_hard_bound", 1000, 1200, 1000, true },
};

static void test_mime_depth(gconstpointer data)
{
    const depth_case *tc = data;
    GString *m = g_string_new("From: a@example.test\r\n");
    for (uint32_t i = 0; i < tc->nesting; i++)
        g_string_append_printf(m, "Content-Type: multipart/mixed; boundary=\"b%u\"\r\n\r\n--b%u\r\n", i, i);
    g_string_append(m, "Content-Type: text/plain\r\n\r\nhello\r\n");
    for (uint32_t i = tc->nesting; i-- > 0;)
        g_string_append_printf(m, "--b%u--\r\n", i);
    mailx_limits l;
    mailx_limits_default(&l);
    l.v[MAILX_LIMIT_MIME_DEPTH] = tc->depth_max;
    g_assert_cmpuint(mailx_limits_clamp(&l), ==, 0);
    mailx_mime_limits ml;
    mailx_limits_mime(&l, &ml);
    mailx_mime_parser *p = mailx_mime_new(&ml, NULL, NULL);
    mailx_mime_feed(p, (const uint8_t *)m->str, m->len);
    mailx_mime_summary s;
    mailx_mime_finish(p, &s);
    g_assert_cmpuint(s.max_depth, ==, tc->want_depth);
    g_assert_cmpint(!!(s.limits & MAILX_MIME_LIMIT_DEPTH), ==, tc->want_limit);
    mailx_mime_summary_clear(&s);
    g_string_free(m, TRUE);
}

/* Header limits at their lowest: a long field is cut, a large block stops being read. */
static void test_header_limits_low(void)
{
    mailx_limits l;
    mailx_limits_default(&l);
    l.v[MAILX_LIMIT_HEADER_FIELD] = 0;        /* clamped to the minimum */
    l.v[MAILX_LIMIT_HEADER_BLOCK] = 0;
    g_assert_cmpuint(mailx_limits_clamp(&l), ==, 2);
    mailx_mime_limits ml;
    mailx_limits_mime(&l, &ml);
    GString *m = g_string_new("Subject: ");
    for (int i = 0; i < 2000; i++)
        g_string_append_c(m, 'x');
    g_string_append(m, "\r\n");
    for (int i = 0; i < 100; i++)
        g_string_append_printf(m, "X-Filler-%d: some text of a filler header\r\n", i);
    g_string_append(m, "\r\nbody\r\n");
    mailx_mime_parser *p = mailx_mime_new(&ml, NULL, NULL);
    mailx_mime_feed(p, (const uint8_t *)m->str, m->len);
    mailx_mime_summary s;
    mailx_mime_finish(p, &s);
    g_assert_true(s.limits & MAILX_MIME_LIMIT_HEADER_FIELD);
    g_assert_true(s.limits & MAILX_MIME_LIMIT_HEADER_BYTES);
    g_assert_nonnull(s.subject);
    g_assert_cmpuint(strlen(s.subject), <=, mailx_limit_info_get(MAILX_LIMIT_HEADER_FIELD)->min);
    mailx_mime_summary_clear(&s);
    g_string_free(m, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mem_limits/defaults", test_defaults);
    g_test_add_func("/mem_limits/bounds_match_sessions", test_bounds_match_sessions);
    g_test_add_func("/mem_limits/clamp", test_clamp);
    g_test_add_func("/mem_limits/mime_mapping", test_mime_mapping);
    for (size_t i = 0; i < G_N_ELEMENTS(pending_cases); i++) {
        char *path = g_strdup_printf("/mem_limits/pending/%s", pending_cases[i].name);
        g_test_add_data_func(path, &pending_cases[i], test_pending);
        g_free(path);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(depth_cases); i++) {
        char *path = g_strdup_printf("/mem_limits/mime_depth/%s", depth_cases[i].name);
        g_test_add_data_func(path, &depth_cases[i], test_mime_depth);
        g_free(path);
    }
    g_test_add_func("/mem_limits/header_low", test_header_limits_low);
    return g_test_run();
}
