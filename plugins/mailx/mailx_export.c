/* Export Objects for attachments: File > Export Objects > Mail attachments and
 * `tshark --export-objects mailx-attachments,DIR`.
 *
 * Why bytes are kept on the first pass, and when: the MIME parser streams each
 * attachment's decoded bytes only while the message is read, i.e. on the first
 * pass, and the GUI gives a post-dissector its wanted fields only then, so the
 * bytes cannot be re-derived on a later pass. tshark registers its export
 * listener before reading the file, so have_tap_listener() is true on the
 * first pass; the GUI's Export Objects dialog registers its listener only when
 * opened and then re-taps already visited frames. So bytes are kept when an
 * export listener is active on the first pass, or when mailx.export_keep is
 * set (for the GUI; changing it re-dissects the capture from the first pass),
 * and never more than mailx.export_max_bytes in total per capture. An
 * attachment that does not fit is not exported and says so with an expert
 * item, never silently. */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <epan/export_object.h>
#include <epan/to_str.h>

#include "mailx_export.h"
#include "export_name.h"

static int proto_mailx_attachments = -1;
static int eo_tap = -1;

static int hf_attach_export_name = -1;
static expert_field ei_attach_export_dropped = EI_INIT;

static mailx_pref_bool pref_export_keep = FALSE;
static guint pref_export_max_bytes = 64 * 1024 * 1024;

/* Bytes held for export in this capture: kept records and open buffers. */
static guint64 kept_bytes;
/* Every kept buffer (g_malloc), freed by the cleanup routine. */
static GPtrArray *kept_buffers;
/* Export names given out (case-folded keys), and per base name the next
 * number to try, so that many attachments with one name stay linear. */
static GHashTable *names_used;
static GHashTable *names_next;

typedef struct {
    guint32 index;
    GByteArray *buf;               /* NULL once dropped */
    gboolean dropped;
} open_buf;

struct mailx_export_stream {
    GArray *open;                  /* open_buf: attachments being read (nested ones too) */
};

static gboolean export_wanted(void)
{
    return pref_export_keep || have_tap_listener(eo_tap);
}

static open_buf *find_open(mailx_export_stream *s, guint32 index, guint *pos)
{
    if (!s)
        return NULL;
    for (guint i = 0; i < s->open->len; i++) {
        open_buf *b = &g_array_index(s->open, open_buf, i);
        if (b->index == index) {
            if (pos)
                *pos = i;
            return b;
        }
    }
    return NULL;
}

static void drop_buf(open_buf *b)
{
    if (b->buf) {
        kept_bytes -= b->buf->len;
        g_byte_array_free(b->buf, TRUE);
        b->buf = NULL;
    }
    b->dropped = TRUE;
}

void mailx_export_data(mailx_export_stream **sp, guint32 index, const guint8 *data, size_t len)
{
    if (!len || !export_wanted())
        return;
    if (!*sp) {
        *sp = g_new0(mailx_export_stream, 1);
        (*sp)->open = g_array_new(FALSE, TRUE, sizeof(open_buf));
    }
    open_buf *b = find_open(*sp, index, NULL);
    if (!b) {
        open_buf nb = { index, g_byte_array_new(), FALSE };
        g_array_append_val((*sp)->open, nb);
        b = &g_array_index((*sp)->open, open_buf, (*sp)->open->len - 1);
    }
    if (b->dropped)
        return;
    if (kept_bytes + len > pref_export_max_bytes) {
        drop_buf(b);
        return;
    }
    g_byte_array_append(b->buf, data, (guint)len);
    kept_bytes += len;
}

void mailx_export_attach_end(mailx_export_stream *s, guint32 index, guint64 decoded_size,
                             gboolean truncated, mailx_attach_rec *r)
{
    guint pos = 0;
    open_buf *b = find_open(s, index, &pos);
    r->data = NULL;
    r->data_len = 0;
    if (b && b->dropped) {
        r->export_state = MAILX_EXPORT_DROPPED_CAP;
    } else if (truncated && (b || export_wanted())) {
        /* the parser stopped hashing and streaming at its decoded limit: what
           was kept is partial (an attachment without a hash context is
           streamed whole, and exported) */
        if (b)
            drop_buf(b);
        r->export_state = MAILX_EXPORT_DROPPED_LIMIT;
    } else if (b && b->buf->len == decoded_size) {
        r->data_len = b->buf->len;
        r->data = g_byte_array_free(b->buf, FALSE);
        b->buf = NULL;
        g_ptr_array_add(kept_buffers, r->data);
        r->export_state = MAILX_EXPORT_KEPT;
    } else if (b) {
        /* streaming began mid-attachment (an export listener appeared):
           never export part of a file */
        drop_buf(b);
        r->export_state = MAILX_EXPORT_NOT_KEPT;
    } else if (decoded_size == 0 && export_wanted()) {
        r->export_state = MAILX_EXPORT_KEPT;       /* an empty file */
    } else {
        r->export_state = MAILX_EXPORT_NOT_KEPT;
    }
    if (b)
        g_array_remove_index_fast(s->open, pos);
}

void mailx_export_stream_free(mailx_export_stream **sp)
{
    mailx_export_stream *s = *sp;
    if (!s)
        return;
    for (guint i = 0; i < s->open->len; i++)
        drop_buf(&g_array_index(s->open, open_buf, i));
    g_array_free(s->open, TRUE);
    g_free(s);
    *sp = NULL;
}

void mailx_export_release(mailx_attach_rec *r)
{
    if (r->data) {
        if (kept_buffers && g_ptr_array_remove_fast(kept_buffers, r->data)) {
            kept_bytes -= r->data_len;
            g_free(r->data);
        }
        r->data = NULL;
        r->data_len = 0;
    }
    r->export_state = MAILX_EXPORT_NOT_KEPT;
}

void mailx_export_name_assign(const mailx_msg_rec *m, mailx_attach_rec *r)
{
    char fallback[64];
    snprintf(fallback, sizeof fallback, "attachment-f%u-%u", m->frame, r->index);
    char *safe = mailx_export_safe_name(r->filename, fallback);
    char *base_key = mailx_export_name_key(safe);
    char *name = g_strdup(safe), *key = g_strdup(base_key);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(names_next, base_key));
    if (!n)
        n = 2;
    while (g_hash_table_contains(names_used, key)) {
        g_free(name);
        g_free(key);
        name = mailx_export_name_numbered(safe, n++);
        key = mailx_export_name_key(name);
    }
    g_hash_table_insert(names_next, base_key, GUINT_TO_POINTER(n));
    g_hash_table_add(names_used, key);
    r->export_name = wmem_strdup(wmem_file_scope(), name);
    g_free(name);
    g_free(safe);
}

/* ---- rendering and the export-object record ---- */

typedef struct {
    const mailx_msg_rec *msg;
    const mailx_attach_rec *attach;
} eo_item;

static gboolean rcpt_accepted(const mailx_env_rcpt *r)
{
    return r->code == 0 || r->code / 100 == 2;
}

/* Printable UTF-8 for the dialog's "Hostname" column. */
static void append_clean(GString *out, const char *s)
{
    char *v = g_utf8_make_valid(s, -1);
    for (const char *p = v; *p; p++)
        g_string_append_c(out, ((guchar)*p < 0x20 || *p == 0x7f) ? '?' : *p);
    g_free(v);
}

/* Sender and recipients of the message, e.g.
 * "<a@x.test> (From: b@y.test) -> <c@z.test>, <d@z.test>". */
static char *describe(const mailx_msg_rec *m, packet_info *pinfo)
{
    GString *d = g_string_new(NULL);
    if (m->env && m->env->mail_from) {
        g_string_append_c(d, '<');
        append_clean(d, m->env->mail_from);
        g_string_append_c(d, '>');
    } else if (m->proto != MAILX_PROTO_SMTP) {
        char *srv = address_to_str(NULL, &pinfo->src);
        g_string_append_printf(d, "%s from %s", m->proto == MAILX_PROTO_POP ? "POP3" : "IMAP", srv);
        wmem_free(NULL, srv);
    }
    if (m->from_addr) {
        g_string_append(d, d->len ? " (From: " : "(From: ");
        append_clean(d, m->from_addr);
        g_string_append_c(d, ')');
    }
    if (m->env) {
        guint shown = 0, more = 0;
        for (guint32 i = 0; i < m->env->n_rcpts; i++) {
            if (!rcpt_accepted(&m->env->rcpts[i]))
                continue;
            if (shown < 8) {
                g_string_append(d, shown ? ", <" : " -> <");
                append_clean(d, m->env->rcpts[i].addr);
                g_string_append_c(d, '>');
                shown++;
            } else {
                more++;
            }
        }
        more += m->env->rcpts_dropped;
        if (more)
            g_string_append_printf(d, " and %u more", more);
    }
    return g_string_free(d, FALSE);
}

static tap_packet_status eo_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                                   const void *data, tap_flags_t flags _U_)
{
    export_object_list_t *ol = (export_object_list_t *)tapdata;
    const eo_item *it = (const eo_item *)data;
    const mailx_attach_rec *a = it->attach;
    /* freed by the export code (eo_free_entry) */
    export_object_entry_t *e = g_new0(export_object_entry_t, 1);
    e->pkt_num = pinfo->num;
    e->hostname = describe(it->msg, pinfo);
    e->content_type = g_strdup(a->type ? a->type : "application/octet-stream");
    e->filename = g_strdup(a->export_name);
    e->payload_len = (size_t)a->data_len;
    e->payload_data = a->data_len ? (guint8 *)g_memdup2(a->data, (gsize)a->data_len) : NULL;
    ol->add_entry(ol->gui_data, e);
    return TAP_PACKET_REDRAW;
}

void mailx_export_render(const mailx_msg_rec *m, const mailx_attach_rec *a, packet_info *pinfo,
                         proto_tree *tree, tvbuff_t *tvb)
{
    if (!a->export_name)
        return;
    proto_item *ni = proto_tree_add_string(tree, hf_attach_export_name, tvb, 0, 0, a->export_name);
    proto_item_set_generated(ni);
    const char *shown = a->filename ? a->filename : "(no name)";
    if (a->export_state == MAILX_EXPORT_DROPPED_CAP)
        expert_add_info_format(pinfo, ni, &ei_attach_export_dropped,
            "Attachment %s (%" G_GUINT64_FORMAT " bytes) not kept for export: over the "
            "%u bytes kept per capture (mailx.export_max_bytes)", shown, a->size, pref_export_max_bytes);
    else if (a->export_state == MAILX_EXPORT_DROPPED_LIMIT)
        expert_add_info_format(pinfo, ni, &ei_attach_export_dropped,
            "Attachment %s (%" G_GUINT64_FORMAT " bytes) not kept for export: larger than the "
            "decoded bytes mailx reads per attachment", shown, a->size);
    if (a->export_state == MAILX_EXPORT_KEPT && have_tap_listener(eo_tap)) {
        eo_item *it = wmem_new(pinfo->pool, eo_item);
        it->msg = m;
        it->attach = a;
        tap_queue_packet(eo_tap, pinfo, it);
    }
}

/* ---- registration ---- */

static void export_init(void)
{
    kept_bytes = 0;
    kept_buffers = g_ptr_array_new_with_free_func(g_free);
    names_used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    names_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static void export_cleanup(void)
{
    if (kept_buffers)
        g_ptr_array_free(kept_buffers, TRUE);
    kept_buffers = NULL;
    if (names_used)
        g_hash_table_destroy(names_used);
    if (names_next)
        g_hash_table_destroy(names_next);
    names_used = names_next = NULL;
    kept_bytes = 0;
}

void mailx_export_register(void)
{
    static hf_register_info hf[] = {
        { &hf_attach_export_name, { "Export file name", "mailx.attach.export_name", FT_STRING, BASE_NONE,
            NULL, 0x0, "Safe, capture-unique file name the attachment is exported under (File > Export "
            "Objects > Mail attachments, tshark --export-objects mailx-attachments,DIR)", HFILL } },
    };
    static ei_register_info ei[] = {
        { &ei_attach_export_dropped, { "mailx.attach.export.dropped", PI_PROTOCOL, PI_WARN,
            "Attachment not kept for export (mailx.export_max_bytes or the decoded-size limit)", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, hf, array_length(hf));
    expert_module_t *em = expert_register_protocol(proto_mailx);
    expert_register_field_array(em, ei, array_length(ei));

    module_t *mod = prefs_find_module("mailx");
    prefs_register_bool_preference(mod, "export_keep", "Keep attachments for Export Objects",
        "Keep the decoded bytes of attachments while reading the capture, so that File > Export "
        "Objects > Mail attachments can save them. Needed in the GUI, whose dialog opens after the "
        "capture is read; tshark --export-objects keeps them without it. Bounded by "
        "mailx.export_max_bytes", &pref_export_keep);
    prefs_register_uint_preference(mod, "export_max_bytes", "Bytes kept for export per capture",
        "Total decoded attachment bytes kept for export in one capture; an attachment that does not "
        "fit is not exported (expert item mailx.attach.export.dropped)",
        10, &pref_export_max_bytes);

    /* Its own helper protocol so the menu reads "Mail attachments..." */
    proto_mailx_attachments = proto_register_protocol_in_name_only("Mail attachments (mailx)",
        "Mail attachments", "mailx-attachments", proto_mailx, FT_PROTOCOL);
    eo_tap = register_export_object(proto_mailx_attachments, eo_packet, NULL);

    register_init_routine(export_init);
    register_cleanup_routine(export_cleanup);
}
