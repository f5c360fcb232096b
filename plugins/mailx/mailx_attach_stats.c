/* The mailx,attachments statistic: attachments grouped by SHA-256 with their
 * names, senders, recipients, counts and risk, and for each sender behind a
 * risky or repeated attachment, suggested block rules (a Postfix
 * check_sender_access entry, Suricata rules on smtp.mail_from and file.name)
 * printed as suggestions for an administrator to review - mailx applies
 * nothing. Reads the message records the "mailx" tap hands over (the same
 * records the mailx.msg / mailx.attach fields come from).
 *
 *   tshark: -z mailx,attachments[,FILTER]
 *   GUI:    Statistics > Mail (mailx) > Attachments (stats_tree mailx_attachments) */
#include <stdio.h>

#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>

#include "mailx_msg.h"

#define TAP_NAME "mailx"
#define GROUP_LIST_MAX 32      /* names, senders, recipients, frames kept per hash */

typedef struct {
    char sha256[65];
    char *type;
    const char *magic;
    guint64 size;
    guint attachments;
    guint messages;
    guint32 last_msg_frame;
    gboolean risky;
    GPtrArray *names, *senders, *rcpts, *reasons;   /* distinct strings (g_strdup) */
    GArray *frames;                                 /* guint32 */
    guint first_order;
} attach_group;

typedef struct {
    GHashTable *groups;          /* sha256 -> attach_group* */
    guint order;
    const char *filter;
} attach_agg;

static void group_free(gpointer p)
{
    attach_group *g = (attach_group *)p;
    g_free(g->type);
    g_ptr_array_free(g->names, TRUE);
    g_ptr_array_free(g->senders, TRUE);
    g_ptr_array_free(g->rcpts, TRUE);
    g_ptr_array_free(g->reasons, TRUE);
    g_array_free(g->frames, TRUE);
    g_free(g);
}

static void agg_init(attach_agg *a)
{
    a->groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, group_free);
    a->order = 0;
}

static gboolean add_distinct(GPtrArray *set, const char *v)
{
    if (!v)
        return FALSE;
    for (guint i = 0; i < set->len; i++)
        if (!g_ascii_strcasecmp((const char *)g_ptr_array_index(set, i), v))
            return FALSE;
    if (set->len >= GROUP_LIST_MAX)
        return FALSE;
    g_ptr_array_add(set, g_strdup(v));
    return TRUE;
}

/* The sender a rule can name: the envelope (SMTP), else the header From address
 * of a retrieved message. */
static const char *msg_sender(const mailx_msg_rec *m)
{
    if (m->env && m->env->mail_from)
        return m->env->mail_from;
    return m->from_addr;
}

static attach_group *agg_add(attach_agg *a, const mailx_msg_rec *m, const mailx_attach_rec *r)
{
    attach_group *g = (attach_group *)g_hash_table_lookup(a->groups, r->sha256);
    if (!g) {
        g = g_new0(attach_group, 1);
        g_strlcpy(g->sha256, r->sha256, sizeof g->sha256);
        g->type = g_strdup(r->type);
        g->magic = r->magic;
        g->size = r->size;
        g->names = g_ptr_array_new_with_free_func(g_free);
        g->senders = g_ptr_array_new_with_free_func(g_free);
        g->rcpts = g_ptr_array_new_with_free_func(g_free);
        g->reasons = g_ptr_array_new_with_free_func(g_free);
        g->frames = g_array_new(FALSE, FALSE, sizeof(guint32));
        g->first_order = a->order++;
        g_hash_table_insert(a->groups, g->sha256, g);
    }
    g->attachments++;
    if (g->last_msg_frame != m->frame || g->messages == 0) {
        g->messages++;
        g->last_msg_frame = m->frame;
        if (g->frames->len < GROUP_LIST_MAX)
            g_array_append_val(g->frames, m->frame);
    }
    add_distinct(g->names, r->filename);
    add_distinct(g->senders, msg_sender(m));
    if (m->env)
        for (guint32 i = 0; i < m->env->n_rcpts; i++)
            if (m->env->rcpts[i].code / 100 == 2)
                add_distinct(g->rcpts, m->env->rcpts[i].addr);
    if (r->risk_flags) {
        g->risky = TRUE;
        for (guint i = 0; i < r->n_reasons; i++)
            add_distinct(g->reasons, r->reasons[i]);
    }
    return g;
}

/* Worth a rule: risky, or the same file in more than one message. */
static gboolean group_actionable(const attach_group *g)
{
    return g->risky || g->messages > 1;
}

static gint group_cmp(gconstpointer pa, gconstpointer pb)
{
    const attach_group *a = *(attach_group *const *)pa, *b = *(attach_group *const *)pb;
    if (a->risky != b->risky)
        return a->risky ? -1 : 1;
    if (a->attachments != b->attachments)
        return a->attachments > b->attachments ? -1 : 1;
    return a->first_order < b->first_order ? -1 : a->first_order > b->first_order;
}

static GPtrArray *sorted_groups(GHashTable *groups)
{
    GPtrArray *arr = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, groups);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(arr, v);
    g_ptr_array_sort(arr, group_cmp);
    return arr;
}

static char *join(const GPtrArray *set, const char *sep)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < set->len; i++)
        g_string_append_printf(s, "%s%s", i ? sep : "", (const char *)g_ptr_array_index(set, i));
    if (set->len >= GROUP_LIST_MAX)
        g_string_append_printf(s, "%s...", sep);
    return g_string_free(s, FALSE);
}

/* A Suricata content string: printable ASCII as is, the rest and the
 * characters the rule grammar reserves (" ; \ |) as |hex| bytes. */
static void suricata_content(GString *out, const char *v)
{
    gboolean in_hex = FALSE;
    for (const guchar *p = (const guchar *)v; *p; p++) {
        gboolean lit = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != ';' && *p != '\\' && *p != '|';
        if (lit) {
            if (in_hex) { g_string_append_c(out, '|'); in_hex = FALSE; }
            g_string_append_c(out, (char)*p);
        } else {
            g_string_append_printf(out, in_hex ? " %02X" : "|%02X", *p);
            in_hex = TRUE;
        }
    }
    if (in_hex)
        g_string_append_c(out, '|');
}

static gboolean postfix_key_ok(const char *s)
{
    for (const char *p = s; *p; p++)
        if (g_ascii_isspace(*p) || (guchar)*p < 0x20)
            return FALSE;
    return TRUE;
}

/* The suggested lines for one sender of one group, appended to `out` (one per line). */
static void rules_for(GString *postfix, GString *suricata, const attach_group *g, const char *sender,
                      guint *sid)
{
    const char *name = g->names->len ? (const char *)g_ptr_array_index(g->names, 0) : NULL;
    const char *why = g->risky ? "risky attachment" : "repeated attachment";
    const char *key = *sender ? sender : "<>";
    if (postfix_key_ok(key))
        g_string_append_printf(postfix, "%s\tREJECT %s %s (SHA-256 %.16s...)\n",
                               key, why, name ? name : "(no name)", g->sha256);
    else
        g_string_append_printf(postfix, "# (sender \"%s\" cannot be a map key as is; write it by hand)\n", key);
    GString *c = g_string_new(NULL);
    suricata_content(c, sender);
    g_string_append_printf(suricata,
        "alert smtp any any -> any any (msg:\"mailx suggestion: %s from sender %s\"; "
        "smtp.mail_from; content:\"%s\"; nocase; sid:%u; rev:1;)\n", why, c->str, c->str, (*sid)++);
    g_string_free(c, TRUE);
}

static void agg_draw_text(attach_agg *a)
{
    GPtrArray *arr = sorted_groups(a->groups);
    guint total = 0;
    for (guint i = 0; i < arr->len; i++)
        total += ((attach_group *)g_ptr_array_index(arr, i))->attachments;
    printf("\n===================================================================================================\n");
    printf("mailx attachments: %u distinct SHA-256 in %u attachments%s%s\n", arr->len, total,
           a->filter ? ", filter: " : "", a->filter ? a->filter : "");
    GString *postfix = g_string_new(NULL), *suricata = g_string_new(NULL);
    guint sid = 9100001;
    for (guint i = 0; i < arr->len; i++) {
        const attach_group *g = (const attach_group *)g_ptr_array_index(arr, i);
        char *names = join(g->names, ", "), *senders = join(g->senders, ", "), *rcpts = join(g->rcpts, ", ");
        printf("---------------------------------------------------------------------------------------------------\n");
        printf("SHA-256     %s\n", g->sha256);
        printf("  names     %s\n", *names ? names : "(no name)");
        printf("  type      %s, %" G_GUINT64_FORMAT " bytes%s%s\n", g->type ? g->type : "(none)", g->size,
               g->magic ? ", content " : "", g->magic ? g->magic : "");
        printf("  seen      %u attachment%s in %u message%s, frames", g->attachments,
               g->attachments == 1 ? "" : "s", g->messages, g->messages == 1 ? "" : "s");
        for (guint k = 0; k < g->frames->len; k++)
            printf("%s%u", k ? ", " : " ", g_array_index(g->frames, guint32, k));
        printf("\n  senders   %s\n", *senders ? senders : "(unknown)");
        printf("  to        %s\n", *rcpts ? rcpts : "(no accepted envelope recipient)");
        if (g->risky) {
            char *why = join(g->reasons, "; ");
            printf("  RISKY     %s\n", why);
            g_free(why);
        }
        if (group_actionable(g)) {
            for (guint k = 0; k < g->senders->len; k++)
                rules_for(postfix, suricata, g, (const char *)g_ptr_array_index(g->senders, k), &sid);
            for (guint k = 0; k < g->names->len; k++) {
                GString *c = g_string_new(NULL);
                suricata_content(c, (const char *)g_ptr_array_index(g->names, k));
                g_string_append_printf(suricata,
                    "alert smtp any any -> any any (msg:\"mailx suggestion: %s attachment name %s\"; "
                    "file.name; content:\"%s\"; nocase; sid:%u; rev:1;)\n",
                    g->risky ? "risky" : "repeated", c->str, c->str, sid++);
                g_string_free(c, TRUE);
            }
        }
        g_free(names); g_free(senders); g_free(rcpts);
    }
    printf("===================================================================================================\n");
    if (postfix->len || suricata->len) {
        printf("SUGGESTED RULES - for an administrator to review before use; mailx applies nothing.\n"
               "Check each sender first: a forged envelope sender blocks an innocent party.\n\n");
        printf("# Postfix: smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access\n"
               "# add these lines to /etc/postfix/sender_access, then: postmap /etc/postfix/sender_access\n%s\n",
               postfix->str);
        printf("# Suricata (smtp.mail_from and file.name keywords; sids 9100001+ are local, renumber as needed)\n%s",
               suricata->str);
        printf("===================================================================================================\n");
    }
    g_string_free(postfix, TRUE);
    g_string_free(suricata, TRUE);
    g_ptr_array_free(arr, TRUE);
}

/* ---- tshark -z mailx,attachments[,FILTER] ---- */

static void cli_reset(void *tapdata)
{
    g_hash_table_remove_all(((attach_agg *)tapdata)->groups);
}

static tap_packet_status cli_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                    const void *p, tap_flags_t flags _U_)
{
    const mailx_frame *fr = (const mailx_frame *)p;
    if (!fr || !fr->msg)
        return TAP_PACKET_DONT_REDRAW;
    for (guint i = 0; i < fr->msg->n; i++) {
        const mailx_msg_rec *m = fr->msg->msgs[i];
        for (guint k = 0; k < m->n_attach; k++)
            if (m->attach[k].hashed)
                agg_add((attach_agg *)tapdata, m, &m->attach[k]);
    }
    return TAP_PACKET_REDRAW;
}

static void cli_draw(void *tapdata)
{
    agg_draw_text((attach_agg *)tapdata);
    mailx_limits_sessions_warn("mailx,attachments");
}

static MAILX_CLI_INIT_RET cli_init(const char *opt_arg, void *userdata _U_)
{
    attach_agg *a = g_new0(attach_agg, 1);
    agg_init(a);
    const char *prefix = "mailx,attachments";
    const char *filter = NULL;
    if (!strncmp(opt_arg, prefix, strlen(prefix)) && opt_arg[strlen(prefix)] == ',')
        filter = opt_arg + strlen(prefix) + 1;
    a->filter = filter ? g_strdup(filter) : NULL;
    GString *err = register_tap_listener(TAP_NAME, a, filter, TL_REQUIRES_NOTHING, cli_reset, cli_packet,
                                         cli_draw, NULL);
    if (err) {
        fprintf(stderr, "tshark: mailx,attachments: %s\n", err->str);
        g_string_free(err, TRUE);
        exit(1);
    }
    MAILX_CLI_INIT_DONE;
}

/* ---- GUI: Statistics > Mail (mailx) > Attachments ---- */

/* stats_tree has no user pointer in 4.0: the aggregate of each open tree */
static GHashTable *tree_aggs;

static attach_agg *tree_agg(stats_tree *st)
{
    if (!tree_aggs)
        tree_aggs = g_hash_table_new(g_direct_hash, g_direct_equal);
    attach_agg *a = (attach_agg *)g_hash_table_lookup(tree_aggs, st);
    if (!a) {
        a = g_new0(attach_agg, 1);
        agg_init(a);
        g_hash_table_insert(tree_aggs, st, a);
    }
    return a;
}

static const char *RULES_NODE = "Suggested rules (for an administrator to review; mailx applies nothing)";

static void tree_init(stats_tree *st)
{
    g_hash_table_remove_all(tree_agg(st)->groups);
    stats_tree_create_node(st, "Attachments by SHA-256", 0, STAT_DT_INT, TRUE);
    stats_tree_create_node(st, RULES_NODE, 0, STAT_DT_INT, TRUE);
}

static void tree_cleanup(stats_tree *st)
{
    attach_agg *a = tree_aggs ? (attach_agg *)g_hash_table_lookup(tree_aggs, st) : NULL;
    if (a) {
        g_hash_table_destroy(a->groups);
        g_free(a);
        g_hash_table_remove(tree_aggs, st);
    }
}

static void tick_lines(stats_tree *st, int parent, const char *lines)
{
    gchar **v = g_strsplit(lines, "\n", -1);
    for (gchar **l = v; *l; l++)
        if (**l)
            tick_stat_node(st, *l, parent, FALSE);
    g_strfreev(v);
}

static tap_packet_status tree_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                                     const void *p, tap_flags_t flags _U_)
{
    const mailx_frame *fr = (const mailx_frame *)p;
    if (!fr || !fr->msg)
        return TAP_PACKET_DONT_REDRAW;
    attach_agg *a = tree_agg(st);
    int root = tick_stat_node(st, "Attachments by SHA-256", 0, TRUE);
    for (guint i = 0; i < fr->msg->n; i++) {
        const mailx_msg_rec *m = fr->msg->msgs[i];
        for (guint k = 0; k < m->n_attach; k++) {
            const mailx_attach_rec *r = &m->attach[k];
            if (!r->hashed)
                continue;
            attach_group *g = agg_add(a, m, r);
            const char *name = g->names->len ? (const char *)g_ptr_array_index(g->names, 0) : "(no name)";
            char *label = wmem_strdup_printf(pinfo->pool, "%s %s%s", g->sha256, name, g->risky ? " [RISKY]" : "");
            int n = tick_stat_node(st, label, root, TRUE);
            tick_stat_node(st, wmem_strdup_printf(pinfo->pool, "sender %s", msg_sender(m) ? msg_sender(m) : "(unknown)"), n, FALSE);
            if (m->env)
                for (guint32 j = 0; j < m->env->n_rcpts; j++)
                    if (m->env->rcpts[j].code / 100 == 2)
                        tick_stat_node(st, wmem_strdup_printf(pinfo->pool, "recipient %s", m->env->rcpts[j].addr), n, FALSE);
            for (guint j = 0; j < r->n_reasons; j++)
                tick_stat_node(st, wmem_strdup_printf(pinfo->pool, "risk: %s", r->reasons[j]), n, FALSE);
            if (group_actionable(g) && msg_sender(m)) {
                /* this message's sender; on the second message of a repeated file
                   the first one's senders are added too */
                int rules = tick_stat_node(st, RULES_NODE, 0, TRUE);
                GString *pf = g_string_new(NULL), *su = g_string_new(NULL);
                guint sid = 9100001 + g->first_order * 100;
                for (guint j = 0; j < g->senders->len; j++)
                    rules_for(pf, su, g, (const char *)g_ptr_array_index(g->senders, j), &sid);
                tick_lines(st, rules, pf->str);
                tick_lines(st, rules, su->str);
                g_string_free(pf, TRUE);
                g_string_free(su, TRUE);
            }
        }
    }
    return TAP_PACKET_REDRAW;
}

void mailx_attach_stats_register(void)
{
    stats_tree_register_plugin(TAP_NAME, "mailx_attachments", MAILX_STATS_MENU "Attachments",
                               TL_REQUIRES_NOTHING, tree_packet, tree_init, tree_cleanup);
    static stat_tap_ui ui = { REGISTER_STAT_GROUP_GENERIC, "mailx attachments", "mailx,attachments",
                              cli_init, 0, NULL };
    register_stat_tap_ui(&ui, NULL);
}
