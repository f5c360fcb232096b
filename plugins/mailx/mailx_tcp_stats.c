/* "Mail or line?": TCP problems inside mail sessions against all other TCP
 * traffic of the same capture. Counts segments, retransmissions, duplicate
 * ACKs, zero windows, out-of-order segments and resets per mail service and
 * for "non-mail", read from Wireshark's own tcp.analysis items (not
 * recomputed), and says in one line where the problems concentrate.
 * tshark -z mailx,tcp[,filter] (text) and Statistics > Mail (mailx) > TCP health. */
#include <stdio.h>

#include <epan/packet.h>
#include <epan/tap.h>
#include <epan/epan_dissect.h>
#include <epan/stat_tap_ui.h>
#include <epan/stats_tree.h>
#include <epan/to_str.h>

#include "mailx.h"
#include "frame_table.h"

#define ROW_OTHER MAILX_SVC_COUNT      /* index of "all non-mail traffic" */
#define N_ROWS (MAILX_SVC_COUNT + 1)

typedef struct {
    guint64 segments, retrans, dup_acks, zero_windows, ooo, resets;
} tcp_row;

typedef struct {
    tcp_row rows[N_ROWS];
} tcp_tap;

/* The TCP analysis flags of the first pass, for frames that had any (few):
 * a frame of the table's number without a record had none. */
static mailx_frame_table kept_flags;
/* the first pass kept them: mailx was enabled (its wanted fields gave that
   pass a tree) */
static gboolean kept_valid;
static int hf_analysis_flags = -1;     /* tcp.analysis.flags */

void mailx_tcp_stats_file_init(void)
{
    mailx_frame_table_clear(&kept_flags);
    kept_valid = FALSE;
    hf_analysis_flags = proto_registrar_get_id_byname("tcp.analysis.flags");
}

void mailx_tcp_stats_file_cleanup(void)
{
    mailx_frame_table_clear(&kept_flags);
    kept_valid = FALSE;
}

void mailx_tcp_flags_keep(packet_info *pinfo, proto_tree *tree)
{
    kept_valid = TRUE;
    /* Wireshark adds tcp.analysis.flags (a wanted field: real on this pass)
       whenever the segment has a flag; most have none, and one look-up tells */
    if (hf_analysis_flags > 0) {
        /* proto_get_finfo_ptr_array() without the call: the tree's table of
           referenced items exists once any such item was added */
        GHashTable *refs = PTREE_DATA(tree)->interesting_hfids;
        if (!refs || !g_hash_table_lookup(refs, GINT_TO_POINTER(hf_analysis_flags)))
            return;
    }
    guint ta = mailx_tcp_analysis(pinfo, tree);
    if (ta)
        mailx_frame_table_set(&kept_flags, pinfo->num, GUINT_TO_POINTER(ta));
}

/* The frame's flags: as read now on the first pass, as kept on later ones. */
static guint frame_flags(packet_info *pinfo, proto_tree *tree)
{
    if (!mailx_treeless && PINFO_FD_VISITED(pinfo) && kept_valid)
        return GPOINTER_TO_UINT(mailx_frame_table_get(&kept_flags, pinfo->num));
    return mailx_tcp_analysis(pinfo, tree);   /* treeless: the tcp dissector's record, every pass */
}

static gboolean frame_rst(packet_info *pinfo, tvbuff_t *frame_tvb)
{
    guint32 flags = 0, len;
    /* from the frame's bytes (mailx_conn.c), not a wanted tcp.flags: that
       one would cost every TCP frame of every capture a real bitmask item */
    return mailx_tcp_segment(pinfo, frame_tvb, &flags, &len) && (flags & 0x004) != 0;
}

static guint row_of(const packet_info *pinfo)
{
    guint8 svc = mailx_port_service[pinfo->destport];
    if (!svc)
        svc = mailx_port_service[pinfo->srcport];
    return svc ? svc : ROW_OTHER;
}

/* One frame into a row; FALSE when it is not TCP. */
static gboolean count_frame(tcp_row *rows, packet_info *pinfo, epan_dissect_t *edt, guint *row_out)
{
    if (pinfo->ptype != PT_TCP)
        return FALSE;
    proto_tree *tree = edt ? edt->tree : NULL;
    guint r = row_of(pinfo);
    tcp_row *row = &rows[r];
    row->segments++;
    /* the flags the post-dissector read for this frame (mailx_conn.c) */
    guint ta = frame_flags(pinfo, tree);
    if (ta & (MAILX_TA_RETRANS | MAILX_TA_SPURIOUS))
        row->retrans++;
    if (ta & MAILX_TA_DUP_ACK)
        row->dup_acks++;
    if (ta & MAILX_TA_ZERO_WINDOW)
        row->zero_windows++;
    if (ta & MAILX_TA_OUT_OF_ORDER)
        row->ooo++;
    if (edt && frame_rst(pinfo, edt->tvb))
        row->resets++;
    *row_out = r;
    return TRUE;
}

static const char *row_name(guint r)
{
    return r == ROW_OTHER ? "non-mail" : mailx_service_name((guint8)r);
}

static double pct(guint64 part, guint64 whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* The one line: where do the problems concentrate? Problems = retransmitted
 * share; below 0.5 % on both sides there is nothing to blame. */
static void verdict(const tcp_row *mail, const tcp_row *other, GString *out)
{
    double m = pct(mail->retrans, mail->segments), o = pct(other->retrans, other->segments);
    if (!mail->segments) {
        g_string_append(out, "no TCP segments to mail ports in the capture");
    } else if (!other->segments) {
        g_string_append_printf(out, "no other TCP traffic to compare with (mail: %.1f %% retransmitted)", m);
    } else if (m < 0.5 && o < 0.5) {
        g_string_append_printf(out, "no notable TCP problems on either side (mail %.1f %%, other %.1f %% "
                               "retransmitted)", m, o);
    } else if (m >= 2 * o) {
        g_string_append_printf(out, "problems concentrate on the mail sessions (%.1f %% retransmitted vs "
                               "%.1f %% in other traffic): the mail server or its path", m, o);
    } else if (o >= 2 * m) {
        g_string_append_printf(out, "problems concentrate on the other traffic (%.1f %% retransmitted vs "
                               "%.1f %% in mail): the line, not the mail server", o, m);
    } else {
        g_string_append_printf(out, "problems hit mail and other traffic alike (mail %.1f %%, other %.1f %% "
                               "retransmitted): the line", m, o);
    }
}

/* ----------------------------------------------------------- tshark text */
static void tcp_reset(void *p)
{
    memset(((tcp_tap *)p)->rows, 0, sizeof ((tcp_tap *)p)->rows);
}

static tap_packet_status tcp_packet(void *p, packet_info *pinfo, epan_dissect_t *edt,
                                    const void *data _U_, tap_flags_t flags _U_)
{
    guint r;
    return count_frame(((tcp_tap *)p)->rows, pinfo, edt, &r) ? TAP_PACKET_REDRAW
                                                                               : TAP_PACKET_DONT_REDRAW;
}

static void print_row(const char *name, const tcp_row *r)
{
    printf("%-12s %9" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %6.1f%% %8" G_GUINT64_FORMAT
           " %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT " %7" G_GUINT64_FORMAT "\n",
           name, r->segments, r->retrans, pct(r->retrans, r->segments), r->dup_acks, r->zero_windows,
           r->ooo, r->resets);
}

static void collect_server(const mailx_conn_server_info *s, void *ud)
{
    char *addr = address_to_str(NULL, s->addr);
    char *line = g_strdup_printf("%-16s %-5s %8u %7u %9u %8u %6u", addr, s->family, s->sessions,
                                 s->peak_rate, s->peak_concurrent, s->failures, s->bursts);
    wmem_free(NULL, addr);
    g_ptr_array_add((GPtrArray *)ud, line);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static void tcp_draw(void *p)
{
    const tcp_tap *t = (const tcp_tap *)p;
    tcp_row mail = { 0 };
    for (guint r = 1; r < MAILX_SVC_COUNT; r++) {
        mail.segments += t->rows[r].segments;
        mail.retrans += t->rows[r].retrans;
        mail.dup_acks += t->rows[r].dup_acks;
        mail.zero_windows += t->rows[r].zero_windows;
        mail.ooo += t->rows[r].ooo;
        mail.resets += t->rows[r].resets;
    }
    printf("\n=================================================================================\n");
    printf("mailx TCP health: mail sessions vs all other TCP traffic\n");
    printf("%-12s %9s %8s %7s %8s %8s %8s %7s\n", "Service", "Segments", "Retrans", "Share", "DupACKs",
           "ZeroWin", "OutOfOrd", "Resets");
    for (guint r = 1; r < MAILX_SVC_COUNT; r++)
        if (t->rows[r].segments)
            print_row(row_name(r), &t->rows[r]);
    print_row("mail total", &mail);
    print_row("non-mail", &t->rows[ROW_OTHER]);
    GString *v = g_string_new(NULL);
    verdict(&mail, &t->rows[ROW_OTHER], v);
    printf("Verdict: %s\n", v->str);
    g_string_free(v, TRUE);

    GPtrArray *servers = g_ptr_array_new_with_free_func(g_free);
    mailx_conn_foreach_server(collect_server, servers);
    g_ptr_array_sort(servers, cmp_str);
    printf("\nMail servers (sessions = connections set up with a handshake in the capture)\n");
    printf("%-16s %-5s %8s %7s %9s %8s %6s\n", "Server", "Proto", "Sessions", "Peak/s", "PeakConc",
           "Failures", "Bursts");
    for (guint i = 0; i < servers->len; i++)
        printf("%s\n", (const char *)g_ptr_array_index(servers, i));
    g_ptr_array_free(servers, TRUE);
    guint32 limit, untracked = mailx_conn_untracked(&limit);
    if (untracked)   /* the segment rows above count them; the server rows cannot */
        printf("(%u more connection%s to mail ports not in the server rows: past the mailx.conn_max "
               "limit of %u)\n", untracked, untracked == 1 ? "" : "s", limit);
    printf("=================================================================================\n");
}

static MAILX_CLI_INIT_RET tcp_cli_init(const char *opt_arg, void *userdata _U_)
{
    /* "mailx,tcp" or "mailx,tcp,<display filter>" */
    const char *filter = NULL;
    if (g_str_has_prefix(opt_arg, "mailx,tcp,"))
        filter = opt_arg + strlen("mailx,tcp,");
    tcp_tap *t = g_new0(tcp_tap, 1);
    GString *err = register_tap_listener("frame", t, filter, TL_REQUIRES_NOTHING, tcp_reset,
                                         tcp_packet, tcp_draw, NULL);
    if (err) {
        fprintf(stderr, "tshark: mailx,tcp: %s\n", err->str);
        g_string_free(err, TRUE);
        g_free(t);
        exit(1);
    }
    MAILX_CLI_INIT_DONE;
}

/* ------------------------------------------------------------- GUI tree */
static void tcp_tree_init(stats_tree *st)
{
    stats_tree_create_node(st, "TCP segments", 0, STAT_DT_INT, TRUE);
}

static tap_packet_status tcp_tree_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt,
                                         const void *p _U_, tap_flags_t flags _U_)
{
    tcp_row rows[N_ROWS];
    memset(rows, 0, sizeof rows);
    guint r;
    if (!count_frame(rows, pinfo, edt, &r))
        return TAP_PACKET_DONT_REDRAW;
    /* Percent column = share of the parent's segments */
    int root = tick_stat_node(st, "TCP segments", 0, TRUE);
    int kind = tick_stat_node(st, r == ROW_OTHER ? "all non-mail traffic" : "mail", root, TRUE);
    int n = r == ROW_OTHER ? kind : tick_stat_node(st, row_name(r), kind, TRUE);
    if (rows[r].retrans)      tick_stat_node(st, "retransmissions", n, FALSE);
    if (rows[r].dup_acks)     tick_stat_node(st, "duplicate ACKs", n, FALSE);
    if (rows[r].zero_windows) tick_stat_node(st, "zero windows", n, FALSE);
    if (rows[r].ooo)          tick_stat_node(st, "out-of-order", n, FALSE);
    if (rows[r].resets)       tick_stat_node(st, "resets", n, FALSE);
    return TAP_PACKET_REDRAW;
}

void mailx_tcp_stats_register(void)
{
    stats_tree_register_plugin("frame", "mailx_tcp", MAILX_STATS_MENU "TCP health", TL_REQUIRES_NOTHING,
                               tcp_tree_packet, tcp_tree_init, NULL);
    static stat_tap_ui tcp_ui = { REGISTER_STAT_GROUP_GENERIC, "mailx TCP health", "mailx,tcp",
                                  tcp_cli_init, 0, NULL };
    register_stat_tap_ui(&tcp_ui, NULL);
}
