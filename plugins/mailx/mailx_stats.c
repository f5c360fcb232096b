/* Statistics over the "mailx" tap. The post-dissector queues each mail frame's
 * stored record (mailx_frame) once per pass; everything here counts only what
 * those records hold, so the tables agree with the mailx.* fields rendered
 * from the same records. See docs/statistics.md.
 *
 *   GUI (Statistics › Mail (mailx)) and `tshark -z mailx_replies,tree`:
 *     stats_tree trees mailx_replies, mailx_auth, mailx_sessions
 *   tshark: -z mailx,replies[,FORMAT][,FILTER]   FORMAT: plain (default), csv, yaml, xml
 *           -z mailx,auth[,FORMAT][,FILTER]
 *           -z mailx,sessions[,text|csv|json][,FILTER]   one row per session
 */
#include <stdio.h>

#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/stats_tree_priv.h>
#include <epan/address.h>
#include <epan/to_str.h>

#include "mailx.h"
#include "code_tables.h"

#define TAP_NAME "mailx"

/* ---------------------------------------------------------------- helpers */

static const char *proto_label(mailx_proto p)
{
    switch (p) {
    case MAILX_PROTO_SMTP: return "SMTP";
    case MAILX_PROTO_POP:  return "POP";
    case MAILX_PROTO_IMAP: return "IMAP";
    default:               return "?";
    }
}

static const char *smtp_class_label(guint klass)
{
    switch (klass) {
    case 2: return "2xx Success";
    case 3: return "3xx Positive intermediate";
    case 4: return "4xx Transient failure";
    case 5: return "5xx Permanent failure";
    default: return "other class";
    }
}

/* A reply is counted once, on its final line (continuation lines of a
 * multi-line reply repeat the code); a line that is no reply counts as malformed. */
static gboolean reply_counts(const mailx_smtp_reply_rec *r)
{
    return !r->parsed || r->is_last;
}

static const address *client_addr(const mailx_frame *fr, const packet_info *pinfo, guint32 *port)
{
    *port = fr->from_client ? pinfo->srcport : pinfo->destport;
    return fr->from_client ? &pinfo->src : &pinfo->dst;
}

static char *endpoint_str(wmem_allocator_t *scope, const address *a, guint32 port)
{
    char *as = address_to_str(scope, a);
    /* IPv6 in brackets so the port stays readable */
    char *s = wmem_strdup_printf(scope, a->type == AT_IPv6 ? "[%s]:%u" : "%s:%u", as, port);
    wmem_free(scope, as);   /* scope may be NULL (g_malloc) */
    return s;
}

/* The server of a reply or login step, as endpoint_str() writes it, for the
 * per-frame statistics: a small direct-mapped cache (a busy capture has few
 * servers), so that a frame costs a hash and a compare, not two printfs. The
 * strings live until replaced (the stats_tree copies names it keeps). */
#define SERVER_LABEL_SLOTS 64
static struct {
    address addr;           /* g_malloc'd copy */
    guint32 port;
    char *label;
} server_labels[SERVER_LABEL_SLOTS];

static const char *server_label(const address *a, guint32 port)
{
    guint slot = (add_address_to_hash(port, a) * 2654435761u) >> 26;   /* 6 bits */
    if (server_labels[slot].label && server_labels[slot].port == port && addresses_equal(&server_labels[slot].addr, a))
        return server_labels[slot].label;
    free_address(&server_labels[slot].addr);
    g_free(server_labels[slot].label);
    copy_address(&server_labels[slot].addr, a);
    server_labels[slot].port = port;
    server_labels[slot].label = endpoint_str(NULL, a, port);
    return server_labels[slot].label;
}

/* tshark's -z arguments: "<cli>[,FORMAT][,FILTER]". Returns the format index
 * (0 when absent) and the filter (NULL when absent). */
static int parse_cli(const char *opt_arg, const char *cli, const char *const *formats,
                     const char **filter)
{
    const char *p = opt_arg + strlen(cli);
    *filter = NULL;
    if (*p != ',')
        return 0;
    p++;
    for (int i = 0; formats[i]; i++) {
        size_t n = strlen(formats[i]);
        if (g_ascii_strncasecmp(p, formats[i], n) == 0 && (p[n] == '\0' || p[n] == ',')) {
            if (p[n] == ',' && p[n + 1])
                *filter = p + n + 1;
            return i;
        }
    }
    if (*p)
        *filter = p;
    return 0;
}

/* ------------------------------------------------------ mailx,replies tree */

static int st_replies_proto = -1;
static int st_replies_server = -1;

static void replies_init(stats_tree *st)
{
    st_replies_proto = stats_tree_create_node(st, "Replies by protocol", 0, STAT_DT_INT, TRUE);
    st_replies_server = stats_tree_create_node(st, "Replies by server", 0, STAT_DT_INT, TRUE);
}

/* One reply in both branches: protocol > class/status > code (> enhanced code
 * for SMTP), and server > protocol > class/status. */
static void replies_tick(stats_tree *st, const char *server, const char *proto, const char *cls,
                         const char *code, const char *status)
{
    tick_stat_node(st, "Replies by protocol", 0, TRUE);
    int n = tick_stat_node(st, proto, st_replies_proto, TRUE);
    n = tick_stat_node(st, cls, n, TRUE);
    if (code) {
        n = tick_stat_node(st, code, n, TRUE);
        if (status)
            tick_stat_node(st, status, n, FALSE);
    }
    tick_stat_node(st, "Replies by server", 0, TRUE);
    n = tick_stat_node(st, server, st_replies_server, TRUE);
    n = tick_stat_node(st, proto, n, TRUE);
    tick_stat_node(st, cls, n, FALSE);
}

static const char *pop_ind_label(guint8 ind)
{
    switch (ind) {
    case MAILX_POP_IND_OK:  return "+OK";
    case MAILX_POP_IND_ERR: return "-ERR";
    default:                return "+ (SASL challenge)";
    }
}

/* "CODE (meaning)" or "no response code" */
static const char *resp_code_label(wmem_allocator_t *scope, const char *code, const char *meaning)
{
    if (!code[0])
        return "no response code";
    if (!meaning)
        return code;
    return wmem_strdup_printf(scope, "%s (%s)", code, meaning);
}

/* The labels of SMTP reply codes and enhanced status codes depend on the code
 * tables alone: made once per code for the process, so that a reply costs
 * the stats_tree look-ups and no printf. Bounded: past 1000 reply codes and
 * STATUS_LABELS_MAX enhanced codes (hostile traffic) a label is made per
 * reply, in the packet's pool. */
#define STATUS_LABELS_MAX 4096
static const char *smtp_code_labels[1000];
static GHashTable *status_labels;      /* class << 20 | subject << 10 | detail -> label */

static const char *smtp_code_label(wmem_allocator_t *scope, guint code)
{
    if (code < G_N_ELEMENTS(smtp_code_labels) && smtp_code_labels[code])
        return smtp_code_labels[code];
    const char *basic = mailx_smtp_basic_title(code);
    char *label = basic ? g_strdup_printf("%u (%s)", code, basic) : g_strdup_printf("%u", code);
    if (code < G_N_ELEMENTS(smtp_code_labels))
        return smtp_code_labels[code] = label;
    char *copy = wmem_strdup(scope, label);
    g_free(label);
    return copy;
}

static const char *status_label(wmem_allocator_t *scope, guint cls, guint subject, guint detail)
{
    gboolean keep = cls < 1024 && subject < 1024 && detail < 1024;
    gpointer key = GUINT_TO_POINTER(cls << 20 | subject << 10 | detail);
    if (keep && status_labels) {
        const char *hit = (const char *)g_hash_table_lookup(status_labels, key);
        if (hit)
            return hit;
    }
    const char *t = mailx_enhanced_detail_title(subject, detail);
    char *label = t ? g_strdup_printf("%u.%u.%u (%s)", cls, subject, detail, t)
                    : g_strdup_printf("%u.%u.%u", cls, subject, detail);
    if (!status_labels)
        status_labels = g_hash_table_new(g_direct_hash, g_direct_equal);
    if (keep && g_hash_table_size(status_labels) < STATUS_LABELS_MAX) {
        g_hash_table_insert(status_labels, key, label);
        return label;
    }
    char *copy = wmem_strdup(scope, label);
    g_free(label);
    return copy;
}

static tap_packet_status replies_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                        const void *p, tap_flags_t flags _U_)
{
    const mailx_frame *fr = (const mailx_frame *)p;
    if (!fr || !fr->conv || !(fr->smtp || fr->pop || fr->imap))
        return TAP_PACKET_DONT_REDRAW;
    const mailx_conv *mc = fr->conv;
    const char *server = server_label(&mc->server_addr, mc->server_port);
    gboolean any = FALSE;
    for (guint i = 0; fr->smtp && i < fr->smtp->n_replies; i++) {
        const mailx_smtp_reply_rec *r = &fr->smtp->replies[i];
        if (!reply_counts(r))
            continue;
        any = TRUE;
        const char *cls = r->parsed ? smtp_class_label(r->klass) : "malformed";
        const char *code = NULL, *status = NULL;
        if (r->parsed) {
            code = smtp_code_label(pinfo->pool, r->code);
            status = r->has_status ? status_label(pinfo->pool, r->st_class, r->subject, r->detail)
                                   : "no enhanced code";
        }
        replies_tick(st, server, "SMTP", cls, code, status);
    }
    /* what carries mailx.pop.indicator: every parsed status line, SASL challenges included */
    for (guint i = 0; fr->pop && i < fr->pop->n_resp; i++) {
        const mailx_pop_resp_rec *r = &fr->pop->resp[i];
        if (!r->parsed)
            continue;
        any = TRUE;
        const char *meaning = r->code[0] ? mailx_pop_code_meaning(r->code, strlen(r->code)) : NULL;
        replies_tick(st, server, "POP", pop_ind_label(r->ind),
                     r->ind == MAILX_POP_IND_CONT ? NULL : resp_code_label(pinfo->pool, r->code, meaning),
                     NULL);
    }
    /* what carries mailx.imap.status: tagged and untagged status responses
       (continuation requests "+" have no status) */
    for (guint i = 0; fr->imap && i < fr->imap->n_resp; i++) {
        const mailx_imap_resp_rec *r = &fr->imap->resp[i];
        if (!r->status)
            continue;
        any = TRUE;
        const char *meaning = r->code[0] ? mailx_imap_code_meaning(r->code, strlen(r->code)) : NULL;
        replies_tick(st, server, "IMAP", mailx_imap_status_name((mailx_imap_status)r->status),
                     resp_code_label(pinfo->pool, r->code, meaning), NULL);
    }
    return any ? TAP_PACKET_REDRAW : TAP_PACKET_DONT_REDRAW;
}

/* --------------------------------------------------------- mailx,auth tree */

static int st_auth_server = -1;
static int st_auth_client = -1;

static void auth_init(stats_tree *st)
{
    st_auth_server = stats_tree_create_node(st, "Logins by server", 0, STAT_DT_INT, TRUE);
    st_auth_client = stats_tree_create_node(st, "Failed logins by client", 0, STAT_DT_INT, TRUE);
}

/* The result a login record shows as mailx.auth.result on this pass (as
 * mailx_auth_render decides it), or NONE. (In a tap PINFO_FD_VISITED is
 * always TRUE: see mailx_frame_revisited.) */
static mailx_auth_result auth_shown_result(const mailx_auth_rec *r, const packet_info *pinfo _U_)
{
    mailx_auth_result result = (mailx_auth_result)r->result;
    if (!result && r->started && !r->decided_in && mailx_frame_revisited)
        result = MAILX_AUTH_UNKNOWN;
    return result;
}

/* the user as mailx.auth.user shows it (masked when mailx.mask_users is set) */
static const char *auth_shown_user(const char *user, char *buf, size_t cap)
{
    if (!user[0])
        return NULL;
    if (!mailx_pref_mask_users)
        return user;
    mailx_auth_mask_user(user, buf, cap);
    return buf;
}

static tap_packet_status auth_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                     const void *p, tap_flags_t flags _U_)
{
    const mailx_frame *fr = (const mailx_frame *)p;
    if (!fr || !fr->conv || !fr->n_auth)
        return TAP_PACKET_DONT_REDRAW;
    const mailx_conv *mc = fr->conv;
    gboolean any = FALSE;
    /* one count per mailx.auth.result: the frame that decides a login (or, for
       an attempt never answered, the frame that started it: unknown) */
    for (guint i = 0; i < fr->n_auth; i++) {
        const mailx_auth_rec *r = fr->auth[i];
        mailx_auth_result result = auth_shown_result(r, pinfo);
        if (!result)
            continue;
        any = TRUE;
        char masked[MAILX_AUTH_USER_MAX + 1];
        const char *user = auth_shown_user(r->user, masked, sizeof masked);
        const char *proto = proto_label((mailx_proto)r->proto);
        const char *server = server_label(&mc->server_addr, mc->server_port);
        tick_stat_node(st, "Logins by server", 0, TRUE);
        int n = tick_stat_node(st, server, st_auth_server, TRUE);
        n = tick_stat_node(st, proto, n, TRUE);
        n = tick_stat_node(st, r->mech[0] ? r->mech : "unknown mechanism", n, TRUE);
        n = tick_stat_node(st, user ? user : "(user not seen)", n, TRUE);
        tick_stat_node(st, mailx_auth_result_name(result), n, FALSE);
        if (result == MAILX_AUTH_FAILURE) {
            guint32 cport;
            const address *ca = client_addr(fr, pinfo, &cport);
            tick_stat_node(st, "Failed logins by client", 0, TRUE);
            n = tick_stat_node(st, address_to_str(pinfo->pool, ca), st_auth_client, TRUE);
            tick_stat_node(st, proto, n, FALSE);
        }
    }
    return any ? TAP_PACKET_REDRAW : TAP_PACKET_DONT_REDRAW;
}

/* ------------------------------------------------------ mailx,sessions tap */

/* One session's row. A table keeps its rows in pages of SESSION_PAGE, indexed
 * by session id (ids are dense: 1, 2, ... in order of first mail frame), so a
 * row costs its own bytes and no hash node or allocation of its own; the
 * strings repeat across sessions (servers, users, reply codes) and are kept
 * once in the table's string pool, referred to by number. An IPv4 client is
 * kept as its 4 bytes. Issue #8: ~330 bytes a session before, ~90 now, which
 * was most of what -z adds to peak memory on a large capture. */
typedef struct {
    guint64 bytes;
    gint64 first_secs, last_secs;
    gint32 first_nsecs, last_nsecs;
    guint32 frames;              /* 0: no row for this id */
    guint32 messages;
    guint32 replies;             /* as counted by mailx,replies */
    guint32 failures;            /* SMTP 4xx/5xx, POP3 -ERR, IMAP tagged NO/BAD */
    guint32 auth_ok, auth_failed;  /* decided logins */
    guint32 client_v4;           /* an IPv4 client's address, network order */
    guint32 client_str;          /* any other client: "addr:port" in the pool */
    guint32 server;              /* "addr:port" in the pool */
    /* from the session summary (mailx.session.*), as of the session's latest frame */
    guint32 user;                /* in the pool, 0 when none is shown */
    guint32 worst_code;          /* the first failure reply of the worst class: "550 5.1.1", "-ERR [IN-USE]" */
    guint16 client_port;
    guint8 proto;                /* mailx_proto */
    guint8 tls;                  /* mailx_tls_mode */
    guint8 decrypted;
    guint8 auth;                 /* mailx.session.auth: 0 none, else a mailx_auth_result + 1 */
    guint8 worst_class;          /* 5, 4, or 2 for "only success/intermediate"; 0 no reply */
} session_row;

#define SESSION_PAGE 256

/* Strings by number; number 0 is "". Strings worth sharing are looked up
 * first; the rest (clients) are only appended. */
typedef struct {
    GStringChunk *chunk;
    GPtrArray *strs;             /* number -> string in chunk */
    GHashTable *numbers;         /* string in chunk -> number */
} string_pool;

typedef struct {
    GPtrArray *pages;            /* page i: rows of ids i*SESSION_PAGE ... (NULL until used) */
    guint32 max_id;
    guint32 n_rows;
    string_pool pool;
} session_table;

static void pool_init(string_pool *sp)
{
    sp->chunk = g_string_chunk_new(4096);
    sp->strs = g_ptr_array_new();
    g_ptr_array_add(sp->strs, (gpointer)"");
    sp->numbers = g_hash_table_new(g_str_hash, g_str_equal);
}

static void pool_free(string_pool *sp)
{
    g_string_chunk_free(sp->chunk);
    g_ptr_array_free(sp->strs, TRUE);
    g_hash_table_destroy(sp->numbers);
}

static const char *pool_str(const string_pool *sp, guint32 n)
{
    return (const char *)g_ptr_array_index(sp->strs, n);
}

static guint32 pool_append(string_pool *sp, const char *v)
{
    g_ptr_array_add(sp->strs, g_string_chunk_insert(sp->chunk, v));
    return sp->strs->len - 1;
}

static guint32 pool_shared(string_pool *sp, const char *v)
{
    if (!v[0])
        return 0;
    gpointer n = g_hash_table_lookup(sp->numbers, v);
    if (n)
        return GPOINTER_TO_UINT(n);
    guint32 k = pool_append(sp, v);
    g_hash_table_insert(sp->numbers, (gpointer)pool_str(sp, k), GUINT_TO_POINTER(k));
    return k;
}

static session_table *session_table_new(void)
{
    session_table *t = g_new0(session_table, 1);
    t->pages = g_ptr_array_new_with_free_func(g_free);
    pool_init(&t->pool);
    return t;
}

static void session_table_clear(session_table *t)
{
    g_ptr_array_set_size(t->pages, 0);
    t->max_id = t->n_rows = 0;
    pool_free(&t->pool);
    pool_init(&t->pool);
}

static void session_table_free(gpointer p)
{
    session_table *t = (session_table *)p;
    g_ptr_array_free(t->pages, TRUE);
    pool_free(&t->pool);
    g_free(t);
}

/* The row of session id, or NULL when it has none. */
static const session_row *session_table_find(const session_table *t, guint32 id)
{
    guint32 page = id / SESSION_PAGE;
    const session_row *rows = page < t->pages->len ? (const session_row *)g_ptr_array_index(t->pages, page) : NULL;
    return rows && rows[id % SESSION_PAGE].frames ? &rows[id % SESSION_PAGE] : NULL;
}

/* The row of session id, made (all zero) with its page when it has none. */
static session_row *session_table_get(session_table *t, guint32 id)
{
    guint32 page = id / SESSION_PAGE;
    if (page >= t->pages->len)
        g_ptr_array_set_size(t->pages, (gint)page + 1);
    session_row *rows = (session_row *)g_ptr_array_index(t->pages, page);
    if (!rows) {
        rows = g_new0(session_row, SESSION_PAGE);
        g_ptr_array_index(t->pages, page) = rows;
    }
    return &rows[id % SESSION_PAGE];
}

static char *row_client(wmem_allocator_t *scope, const session_table *t, const session_row *s)
{
    if (s->client_str)
        return wmem_strdup(scope, pool_str(&t->pool, s->client_str));
    address a;
    set_address(&a, AT_IPv4, 4, &s->client_v4);
    return endpoint_str(scope, &a, s->client_port);
}

typedef enum { SESS_TEXT, SESS_CSV, SESS_JSON } session_format;
static const char *const session_formats[] = { "text", "csv", "json", NULL };

typedef struct {
    session_table *rows;
    session_format format;
} sessions_tap;

static void sessions_reset(void *tapdata)
{
    session_table_clear(((sessions_tap *)tapdata)->rows);
}

static void worst_update(session_table *t, session_row *s, guint rank, const char *text)
{
    if (rank > s->worst_class && rank >= 4) {
        s->worst_class = (guint8)rank;
        s->worst_code = pool_shared(&t->pool, text);
    } else if (!s->worst_class) {
        s->worst_class = 2;
    }
}

/* POP3 -ERR / IMAP NO codes that say "try again later" (RFC 2449 s8, RFC 3206,
 * RFC 5530 s3) rank as transient; every other refusal as permanent. */
static guint pop_err_rank(const char *code)
{
    return (g_str_has_prefix(code, "SYS/TEMP") || g_str_has_prefix(code, "IN-USE") ||
            g_str_has_prefix(code, "LOGIN-DELAY")) ? 4 : 5;
}

static guint imap_no_rank(guint8 status, const char *code)
{
    if (status == MAILX_IMAP_STATUS_NO &&
        (!g_ascii_strcasecmp(code, "UNAVAILABLE") || !g_ascii_strcasecmp(code, "INUSE")))
        return 4;
    return 5;
}

/* The session's rows, kept in one place so the GUI tree and the CLI table agree. */
static session_row *session_update(session_table *t, packet_info *pinfo, const mailx_frame *fr)
{
    const mailx_conv *mc = fr->conv;
    session_row *s = session_table_get(t, mc->id);
    if (!s->frames) {
        t->n_rows++;
        t->max_id = MAX(t->max_id, mc->id);
        s->proto = (guint8)mc->proto;
        guint32 cport;
        const address *ca = client_addr(fr, pinfo, &cport);
        s->client_port = (guint16)cport;
        if (ca->type == AT_IPv4 && ca->len == 4)
            memcpy(&s->client_v4, ca->data, 4);
        else
            s->client_str = pool_append(&t->pool, endpoint_str(pinfo->pool, ca, cport));
        s->server = pool_shared(&t->pool, endpoint_str(pinfo->pool, &mc->server_addr, mc->server_port));
        s->first_secs = (gint64)pinfo->abs_ts.secs;
        s->first_nsecs = pinfo->abs_ts.nsecs;
    }
    s->frames++;
    s->bytes += pinfo->fd->pkt_len;
    s->last_secs = (gint64)pinfo->abs_ts.secs;
    s->last_nsecs = pinfo->abs_ts.nsecs;
    /* RFC 3207: implicit TLS for SMTP is port 465 (RFC 8314) */
    if (fr->smtp) {
        s->messages += fr->smtp->n_messages;
        for (guint i = 0; i < fr->smtp->n_replies; i++) {
            const mailx_smtp_reply_rec *r = &fr->smtp->replies[i];
            if (!r->parsed || !r->is_last)
                continue;
            s->replies++;
            if (r->klass == 4 || r->klass == 5)
                s->failures++;
            /* 3xx is a step of a successful exchange, ranked with 2xx */
            char text[24];
            if (r->has_status)
                snprintf(text, sizeof text, "%u %u.%u.%u", r->code, r->st_class, r->subject, r->detail);
            else
                snprintf(text, sizeof text, "%u", r->code);
            worst_update(t, s, r->klass >= 4 ? r->klass : 2, text);
        }
    }
    for (guint i = 0; fr->pop && i < fr->pop->n_resp; i++) {
        const mailx_pop_resp_rec *r = &fr->pop->resp[i];
        if (!r->parsed)
            continue;
        s->replies++;
        if (r->ind == MAILX_POP_IND_ERR) {
            s->failures++;
            char text[48];
            snprintf(text, sizeof text, "-ERR%s%s%s", r->code[0] ? " [" : "", r->code, r->code[0] ? "]" : "");
            worst_update(t, s, pop_err_rank(r->code), text);
        } else {
            worst_update(t, s, 2, "");
        }
    }
    for (guint i = 0; fr->imap && i < fr->imap->n_resp; i++) {
        const mailx_imap_resp_rec *r = &fr->imap->resp[i];
        if (!r->status)
            continue;
        s->replies++;
        if (r->kind == MAILX_IMAP_RESP_TAGGED &&
            (r->status == MAILX_IMAP_STATUS_NO || r->status == MAILX_IMAP_STATUS_BAD)) {
            s->failures++;
            char text[48];
            snprintf(text, sizeof text, "%s%s%s%s", mailx_imap_status_name((mailx_imap_status)r->status),
                     r->code[0] ? " [" : "", r->code, r->code[0] ? "]" : "");
            worst_update(t, s, imap_no_rank(r->status, r->code), text);
        } else {
            worst_update(t, s, 2, "");
        }
    }
    if (mc->proto != MAILX_PROTO_SMTP)
        s->messages = mc->sum.messages;
    for (guint i = 0; i < fr->n_auth; i++) {
        mailx_auth_result r = auth_shown_result(fr->auth[i], pinfo);
        s->auth_ok += r == MAILX_AUTH_SUCCESS;
        s->auth_failed += r == MAILX_AUTH_FAILURE;
    }
    /* the summary as mailx.session.* shows it on this frame */
    s->tls = (guint8)mc->sum.tls;
    s->decrypted = mc->sum.decrypted ? 1 : 0;
    const mailx_auth_state *a = mailx_session_auth(mc);
    char masked[MAILX_AUTH_USER_MAX + 1];
    const char *u = auth_shown_user(a->last_user, masked, sizeof masked);
    if (!u)
        s->user = 0;
    else if (!s->user || strcmp(pool_str(&t->pool, s->user), u))
        s->user = pool_shared(&t->pool, u);
    if (a->attempt) {
        mailx_auth_result r = a->last_result;
        if (a->open && r == MAILX_AUTH_NONE)
            r = MAILX_AUTH_UNKNOWN;
        s->auth = (guint8)(r + 1);
    } else {
        s->auth = 0;
    }
    return s;
}

static tap_packet_status sessions_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                         const void *p, tap_flags_t flags _U_)
{
    const mailx_frame *fr = (const mailx_frame *)p;
    if (!fr || !fr->conv)
        return TAP_PACKET_DONT_REDRAW;
    session_update(((sessions_tap *)tapdata)->rows, pinfo, fr);
    return TAP_PACKET_REDRAW;
}

static const char *session_tls(const session_row *s)
{
    switch (s->tls) {
    case MAILX_TLS_STARTTLS: return "starttls";
    case MAILX_TLS_IMPLICIT: return "implicit";
    default:                 return "none";
    }
}

/* "yes"/"no" after TLS started, "" without TLS (mailx.tls.decrypted) */
static const char *session_decrypted(const session_row *s)
{
    return s->tls == MAILX_TLS_NONE ? "" : s->decrypted ? "yes" : "no";
}

static const char *session_auth(const session_row *s)
{
    return s->auth ? mailx_auth_result_name((mailx_auth_result)(s->auth - 1)) : "none";
}

/* The user name comes from the wire: quoted for CSV (RFC 4180) and JSON, with
 * control bytes and non-ASCII escaped in JSON. */
static char *csv_field(const char *v)
{
    if (!strpbrk(v, ",\"\r\n"))
        return g_strdup(v);
    GString *g = g_string_new("\"");
    for (const char *c = v; *c; c++) {
        if (*c == '"')
            g_string_append_c(g, '"');
        g_string_append_c(g, *c);
    }
    g_string_append_c(g, '"');
    return g_string_free(g, FALSE);
}

static char *json_str(const char *v)
{
    GString *g = g_string_new("\"");
    for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
        if (*c == '"' || *c == '\\')
            g_string_append_printf(g, "\\%c", *c);
        else if (*c < 0x20 || *c >= 0x7f)
            g_string_append_printf(g, "\\u%04x", *c);
        else
            g_string_append_c(g, (char)*c);
    }
    g_string_append_c(g, '"');
    return g_string_free(g, FALSE);
}

static const char *session_worst(const session_row *s)
{
    switch (s->worst_class) {
    case 5: return "permanent";
    case 4: return "transient";
    case 2: return "ok";
    default: return "none";
    }
}

static double session_duration(const session_row *s)
{
    nstime_t first = { (time_t)s->first_secs, s->first_nsecs }, last = { (time_t)s->last_secs, s->last_nsecs };
    nstime_t d;
    nstime_delta(&d, &last, &first);
    return nstime_to_sec(&d);
}

static char *worst_code_str(const session_table *t, const session_row *s)
{
    return g_strdup(s->worst_class < 4 ? "" : pool_str(&t->pool, s->worst_code));
}

static void sessions_draw(void *tapdata)
{
    sessions_tap *t = (sessions_tap *)tapdata;
    const session_table *rows = t->rows;
    static const char *cols = "session,proto,client,server,tls,decrypted,user,auth,messages,replies,"
                              "failures,frames,bytes,duration,worst,worst_code";
    if (t->format == SESS_CSV)
        printf("%s\n", cols);
    else if (t->format == SESS_JSON)
        printf("[");
    else {
        printf("\n===================================================================================================\n");
        printf("mailx sessions: %u\n", rows->n_rows);
        printf("%-7s %-5s %-22s %-22s %-8s %-12s %-8s %4s %5s %5s %7s %10s %-10s %s\n", "Session", "Proto",
               "Client", "Server", "TLS", "User", "Auth", "Msgs", "Repl", "Fail", "Frames", "Duration",
               "Worst", "Worst code");
    }
    guint shown = 0;
    /* ids in order: the rows come out sorted */
    for (guint32 id = 0; id <= rows->max_id; id++) {
        const session_row *s = session_table_find(rows, id);
        if (!s)
            continue;
        char *client = row_client(NULL, rows, s);
        const char *server = pool_str(&rows->pool, s->server);
        const char *user = pool_str(&rows->pool, s->user);
        char *wc = worst_code_str(rows, s);
        if (t->format == SESS_CSV) {
            char *wcq = csv_field(wc), *userq = csv_field(user);
            printf("%u,%s,%s,%s,%s,%s,%s,%s,%u,%u,%u,%u,%" G_GUINT64_FORMAT ",%.6f,%s,%s\n",
                   id, proto_label((mailx_proto)s->proto), client, server, session_tls(s),
                   session_decrypted(s), userq, session_auth(s), s->messages, s->replies, s->failures,
                   s->frames, s->bytes, session_duration(s), session_worst(s), wcq);
            g_free(wcq);
            g_free(userq);
        } else if (t->format == SESS_JSON) {
            char *wcj = json_str(wc), *userj = user[0] ? json_str(user) : g_strdup("null");
            /* addresses and the fixed words need no JSON escaping */
            printf("%s\n  {\"session\": %u, \"proto\": \"%s\", \"client\": \"%s\", \"server\": \"%s\", "
                   "\"tls\": \"%s\", \"decrypted\": \"%s\", \"user\": %s, \"auth\": \"%s\", \"messages\": %u, "
                   "\"replies\": %u, \"failures\": %u, \"frames\": %u, \"bytes\": %"
                   G_GUINT64_FORMAT ", \"duration\": %.6f, \"worst\": \"%s\", \"worst_code\": %s}",
                   shown ? "," : "", id, proto_label((mailx_proto)s->proto), client, server, session_tls(s),
                   session_decrypted(s), userj, session_auth(s), s->messages, s->replies, s->failures,
                   s->frames, s->bytes, session_duration(s), session_worst(s), wcj);
            g_free(wcj);
            g_free(userj);
        } else {
            char tls[24];
            snprintf(tls, sizeof tls, "%s%s", session_tls(s), s->tls != MAILX_TLS_NONE && !s->decrypted ? "*" : "");
            printf("%-7u %-5s %-22s %-22s %-8s %-12s %-8s %4u %5u %5u %7u %10.3f %-10s %s\n",
                   id, proto_label((mailx_proto)s->proto), client, server, tls, user[0] ? user : "-",
                   session_auth(s),
                   s->messages, s->replies, s->failures, s->frames, session_duration(s),
                   session_worst(s), wc);
        }
        g_free(wc);
        wmem_free(NULL, client);
        shown++;
    }
    if (t->format == SESS_JSON) {
        printf("%s]\n", shown ? "\n" : "");
        mailx_limits_sessions_warn("mailx,sessions,json");
    } else if (t->format == SESS_CSV) {
        mailx_limits_sessions_warn("mailx,sessions,csv");
    } else if (t->format == SESS_TEXT) {
        printf("(TLS*: encrypted and not decrypted)\n");
        guint32 untracked = mailx_limits_sessions_untracked();
        if (untracked)   /* they have no frames in the tap: counted where they were refused */
            printf("(%u more sessions not analysed: past the mailx.sessions_max limit of %u)\n",
                   untracked, mailx_limits_now.v[MAILX_LIMIT_SESSIONS]);
        printf("===================================================================================================\n");
    }
}

static MAILX_CLI_INIT_RET sessions_cli_init(const char *opt_arg, void *userdata _U_)
{
    const char *filter;
    sessions_tap *t = g_new0(sessions_tap, 1);
    t->format = (session_format)parse_cli(opt_arg, "mailx,sessions", session_formats, &filter);
    t->rows = session_table_new();
    GString *err = register_tap_listener(TAP_NAME, t, filter, TL_REQUIRES_NOTHING, sessions_reset,
                                         sessions_packet, sessions_draw, NULL);
    if (err) {
        fprintf(stderr, "tshark: mailx,sessions: %s\n", err->str);
        g_string_free(err, TRUE);
        session_table_free(t->rows);
        g_free(t);
        exit(1);
    }
    MAILX_CLI_INIT_DONE;
}

/* The GUI view of the sessions: one node per session (count = its mail
 * frames) under its protocol, with its facts as children. Session summaries
 * change as frames arrive, so the children are set, not ticked. Each open
 * tree has its own rows (stats_tree has no user pointer in 4.0). */
static GHashTable *st_session_rows;   /* stats_tree* -> session_table* */

static session_table *tree_rows(stats_tree *st)
{
    if (!st_session_rows)
        st_session_rows = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, session_table_free);
    session_table *rows = (session_table *)g_hash_table_lookup(st_session_rows, st);
    if (!rows) {
        rows = session_table_new();
        g_hash_table_insert(st_session_rows, st, rows);
    }
    return rows;
}

static void sessions_tree_init(stats_tree *st)
{
    session_table_clear(tree_rows(st));
    stats_tree_create_node(st, "Sessions", 0, STAT_DT_INT, TRUE);
}

static void sessions_tree_cleanup(stats_tree *st)
{
    if (st_session_rows)
        g_hash_table_remove(st_session_rows, st);
}

static tap_packet_status sessions_tree_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                              const void *p, tap_flags_t flags _U_)
{
    const mailx_frame *fr = (const mailx_frame *)p;
    if (!fr || !fr->conv)
        return TAP_PACKET_DONT_REDRAW;
    session_table *rows = tree_rows(st);
    session_row *s = session_update(rows, pinfo, fr);
    int root = tick_stat_node(st, "Sessions", 0, TRUE);
    int n = tick_stat_node(st, proto_label((mailx_proto)s->proto), root, TRUE);
    char *name = wmem_strdup_printf(pinfo->pool, "#%u %s -> %s", fr->conv->id, row_client(pinfo->pool, rows, s),
                                    pool_str(&rows->pool, s->server));
    n = tick_stat_node(st, name, n, TRUE);
    stats_tree_manip_node_int(MN_SET, st, "messages", n, FALSE, (gint)s->messages);
    stats_tree_manip_node_int(MN_SET, st, "failure replies", n, FALSE, (gint)s->failures);
    stats_tree_manip_node_int(MN_SET, st, "logins ok", n, FALSE, (gint)s->auth_ok);
    stats_tree_manip_node_int(MN_SET, st, "logins failed", n, FALSE, (gint)s->auth_failed);
    /* 0 none, 1 STARTTLS, 2 implicit (mailx.tls) */
    stats_tree_manip_node_int(MN_SET, st, "TLS (1 starttls, 2 implicit)", n, FALSE, (gint)s->tls);
    stats_tree_manip_node_int(MN_SET, st, "decrypted", n, FALSE, s->decrypted ? 1 : 0);
    stats_tree_manip_node_int(MN_SET, st, "worst reply class", n, FALSE, (gint)s->worst_class);
    return TAP_PACKET_REDRAW;
}

/* ------------------------------------------- stats_tree trees in tshark -z */

typedef struct {
    const char *cli;             /* "mailx,replies" */
    const char *abbr;            /* the stats_tree abbr: no comma allowed there */
    void (*init)(stats_tree *);
} tree_cli;

static const tree_cli tree_clis[] = {
    { "mailx,replies", "mailx_replies", replies_init },
    { "mailx,auth",    "mailx_auth",    auth_init },
};
static const char *const tree_formats[] = { "plain", "csv", "yaml", "xml", NULL };
static const st_format_type tree_format_types[] = { ST_FORMAT_PLAIN, ST_FORMAT_CSV, ST_FORMAT_YAML, ST_FORMAT_XML };

/* The same tree may be asked for several times (-z mailx,replies -z mailx,replies,csv):
 * the output format of each instance, keyed by its stats_tree. */
static GHashTable *tree_cli_formats;

static void tree_cli_draw(void *tapdata)
{
    stats_tree *st = (stats_tree *)tapdata;
    st_format_type fmt = (st_format_type)GPOINTER_TO_INT(g_hash_table_lookup(tree_cli_formats, st));
    GString *s = stats_tree_format_as_str(st, fmt, stats_tree_get_default_sort_col(st),
                                          stats_tree_is_default_sort_DESC(st));
    printf("%s", s->str);
    g_string_free(s, TRUE);
    for (size_t i = 0; i < G_N_ELEMENTS(tree_clis); i++)
        if (!strcmp(st->cfg->abbr, tree_clis[i].abbr))
            mailx_limits_sessions_warn(tree_clis[i].cli);
}

static MAILX_CLI_INIT_RET tree_cli_init(const char *opt_arg, void *userdata)
{
    const tree_cli *tc = (const tree_cli *)userdata;
    const char *filter;
    st_format_type fmt = tree_format_types[parse_cli(opt_arg, tc->cli, tree_formats, &filter)];
    stats_tree_cfg *cfg = stats_tree_get_cfg_by_abbr(tc->abbr);
    if (!cfg) {
        fprintf(stderr, "tshark: %s: stats tree %s not registered\n", tc->cli, tc->abbr);
        exit(1);
    }
    stats_tree *st = stats_tree_new(cfg, NULL, filter);
    if (!tree_cli_formats)
        tree_cli_formats = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(tree_cli_formats, st, GINT_TO_POINTER((int)fmt));
    GString *err = register_tap_listener(TAP_NAME, st, filter, TL_REQUIRES_NOTHING, stats_tree_reset,
                                         stats_tree_packet, tree_cli_draw, NULL);
    if (err) {
        fprintf(stderr, "tshark: %s: %s\n", tc->cli, err->str);
        g_string_free(err, TRUE);
        exit(1);
    }
    tc->init(st);
    MAILX_CLI_INIT_DONE;
}

/* ------------------------------------------------------------ registration */

void mailx_stats_register(void)
{
    stats_tree_register_plugin(TAP_NAME, "mailx_replies", MAILX_STATS_MENU "Replies", TL_REQUIRES_NOTHING,
                               replies_packet, replies_init, NULL);
    stats_tree_register_plugin(TAP_NAME, "mailx_auth", MAILX_STATS_MENU "Logins", TL_REQUIRES_NOTHING,
                               auth_packet, auth_init, NULL);
    stats_tree_register_plugin(TAP_NAME, "mailx_sessions", MAILX_STATS_MENU "Sessions", TL_REQUIRES_NOTHING,
                               sessions_tree_packet, sessions_tree_init, sessions_tree_cleanup);

    static stat_tap_ui replies_ui = { REGISTER_STAT_GROUP_GENERIC, "mailx replies", "mailx,replies",
                                      tree_cli_init, 0, NULL };
    static stat_tap_ui auth_ui = { REGISTER_STAT_GROUP_GENERIC, "mailx logins", "mailx,auth",
                                   tree_cli_init, 0, NULL };
    static stat_tap_ui sessions_ui = { REGISTER_STAT_GROUP_GENERIC, "mailx sessions", "mailx,sessions",
                                       sessions_cli_init, 0, NULL };
    register_stat_tap_ui(&replies_ui, (void *)&tree_clis[0]);
    register_stat_tap_ui(&auth_ui, (void *)&tree_clis[1]);
    register_stat_tap_ui(&sessions_ui, NULL);
}
