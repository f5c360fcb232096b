/* Messages and attachments: feeds each message's content bytes (from the SMTP,
 * POP and IMAP glue) to the epan-ext streaming MIME parser on the first pass,
 * stores one record per message on the frame that completes it, and renders
 * mailx.msg.* / mailx.attach.* fields and their expert items on every pass.
 * A capture-wide table keyed by SHA-256 links messages carrying the same
 * attachment (bounded; filled on the first pass, read when rendering). */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/tap.h>

#include "mailx_msg.h"
#include "mailx_export.h"
#include "mime.h"
#include "mime_header.h"
#include "attach_risk.h"

static int hf_msg = -1;
static int hf_msg_size = -1;
static int hf_msg_oversized = -1;
static int hf_msg_first_frame = -1;
static int hf_msg_mail_from = -1;
static int hf_msg_rcpt_to = -1;
static int hf_msg_rcpt_count = -1;
static int hf_msg_rcpt_rejected = -1;
static int hf_msg_from = -1;
static int hf_msg_from_mismatch = -1;
static int hf_msg_subject = -1;
static int hf_msg_message_id = -1;
static int hf_msg_attachments = -1;
static int hf_attach = -1;
static int hf_attach_filename = -1;
static int hf_attach_type = -1;
static int hf_attach_size = -1;
static int hf_attach_sha256 = -1;
static int hf_attach_magic = -1;
static int hf_attach_risky = -1;
static int hf_attach_risk = -1;
static int hf_attach_hash_messages = -1;
static int hf_attach_hash_senders = -1;
static int hf_attach_hash_rcpts = -1;

static gint ett_msg = -1;
static gint ett_attach = -1;

static expert_field ei_msg_oversized = EI_INIT;
static expert_field ei_msg_from_mismatch = EI_INIT;
static expert_field ei_attach_risky = EI_INIT;
static expert_field ei_attach_hash_repeated = EI_INIT;
static expert_field ei_msg_mime_malformed = EI_INIT;
static expert_field ei_msg_limit = EI_INIT;

/* Distinct hashes remembered per capture: 64 Ki entries of a few hundred bytes. */
#define MAILX_HASH_TABLE_MAX 65536

typedef struct mailx_msg_conv {
    mailx_mime_parser *parser;
    GPtrArray *attach;             /* mailx_attach_rec * of the message being read */
    mailx_envelope *env;           /* the current SMTP transaction */
    mailx_export_stream *export;   /* decoded bytes kept for Export Objects */
} mailx_msg_conv;

static GPtrArray *msg_convs;       /* every mailx_msg_conv, for cleanup */
static wmem_map_t *hash_table;     /* sha256 hex -> mailx_hash_entry (file scope) */
static guint32 hash_table_full;    /* hashes not remembered */

gboolean mailx_msg_oversized(guint64 size)
{
    return size > mailx_pref_data_size_limit;
}

static mailx_msg_conv *msg_conv(mailx_conv *mc)
{
    if (!mc->msg) {
        mc->msg = g_new0(mailx_msg_conv, 1);
        g_ptr_array_add(msg_convs, mc->msg);
    }
    return mc->msg;
}

static char *file_strdup(const char *s)
{
    return s ? mailx_rec_strndup(s, strlen(s)) : NULL;
}

static void on_attachment_end(void *ctx, const mailx_mime_attachment *a)
{
    mailx_msg_conv *c = (mailx_msg_conv *)ctx;
    mailx_attach_rec *r = mailx_rec_new0(mailx_attach_rec);
    r->index = a->index;
    r->depth = a->depth;
    r->filename = file_strdup(a->filename);
    r->type = file_strdup(a->type);
    r->size = a->decoded_size;
    r->hashed = a->hashed;
    if (a->hashed) {
        static const char hex[] = "0123456789abcdef";
        for (int i = 0; i < 32; i++) {
            r->sha256[2 * i] = hex[a->sha256[i] >> 4];
            r->sha256[2 * i + 1] = hex[a->sha256[i] & 0xf];
        }
        r->sha256[64] = '\0';
    }
    r->anomalies = a->anomalies;
    mailx_export_attach_end(c->export, a->index, a->decoded_size, a->truncated, r);
    mailx_risk risk;
    mailx_attach_risk_assess(a->filename, a->type, a->head, a->head_len, &risk);
    r->magic = mailx_magic_short(risk.magic);
    r->risk_flags = risk.flags;
    r->n_reasons = risk.n;
    if (risk.n) {
        r->reasons = wmem_alloc_array(wmem_file_scope(), char *, risk.n);
        for (unsigned i = 0; i < risk.n; i++)
            r->reasons[i] = file_strdup(risk.reason[i]);
    }
    if (!c->attach)
        c->attach = g_ptr_array_new();
    g_ptr_array_add(c->attach, r);
}

static void on_attachment_data(void *ctx, uint32_t index, const uint8_t *data, size_t len)
{
    mailx_msg_conv *c = (mailx_msg_conv *)ctx;
    mailx_export_data(&c->export, index, data, len);
}

static const mailx_mime_sink mime_sink = {
    .attachment_data = on_attachment_data,
    .attachment_end = on_attachment_end,
};

/* A parser with the MIME limits this file is analysed with (mailx.mime_*_max,
 * mailx.header_*_max). */
static mailx_mime_parser *parser_new(mailx_msg_conv *c)
{
    mailx_mime_limits lim;
    mailx_limits_mime(&mailx_limits_now, &lim);
    return mailx_mime_new(&lim, &mime_sink, c);
}

void mailx_msg_content(mailx_conv *mc, const guint8 *data, size_t len)
{
    mailx_msg_conv *c = msg_conv(mc);
    if (!c->parser)
        c->parser = parser_new(c);
    mailx_mime_feed(c->parser, data, len);
}

void mailx_msg_abort(mailx_conv *mc)
{
    mailx_msg_conv *c = mc->msg;
    if (!c)
        return;
    mailx_mime_free(c->parser);
    c->parser = NULL;
    mailx_export_stream_free(&c->export);
    if (c->attach) {
        for (guint i = 0; i < c->attach->len; i++)
            mailx_export_release((mailx_attach_rec *)g_ptr_array_index(c->attach, i));
        g_ptr_array_set_size(c->attach, 0);
    }
}

/* ---- SMTP envelope ---- */

/* Where the reply code of a MAIL or RCPT command goes: by index, since the
 * recipient table moves when it grows (pipelined RCPTs wait for their replies). */
typedef struct {
    mailx_envelope *env;
    guint32 rcpt;                  /* G_MAXUINT32: the MAIL command */
} env_ref;

void *mailx_msg_envelope_command(mailx_conv *mc, gboolean is_mail, const guint8 *path, size_t len)
{
    mailx_msg_conv *c = msg_conv(mc);
    char *addr = mailx_rec_strndup((const char *)path, MIN(len, 512));
    env_ref *ref = mailx_rec_new0(env_ref);
    if (is_mail) {
        /* RFC 5321 s4.1.1.2: MAIL starts a new transaction */
        mailx_msg_abort(mc);
        c->env = mailx_rec_new0(mailx_envelope);
        c->env->mail_from = addr;
        ref->env = c->env;
        ref->rcpt = G_MAXUINT32;
        return ref;
    }
    if (!c->env)
        c->env = mailx_rec_new0(mailx_envelope);   /* capture began mid-transaction */
    mailx_envelope *e = c->env;
    if (e->n_rcpts >= MAILX_ENV_RCPTS_MAX) {
        e->rcpts_dropped++;
        return NULL;
    }
    if (e->n_rcpts == e->rcpts_cap) {
        e->rcpts_cap = e->rcpts_cap ? MIN(e->rcpts_cap * 2, MAILX_ENV_RCPTS_MAX) : 4;
        e->rcpts = wmem_realloc(wmem_file_scope(), e->rcpts, e->rcpts_cap * sizeof *e->rcpts);
    }
    mailx_env_rcpt *r = &e->rcpts[e->n_rcpts];
    r->addr = addr;
    r->code = 0;
    ref->env = e;
    ref->rcpt = e->n_rcpts++;
    return ref;
}

void mailx_msg_envelope_reply(void *ref, guint16 code)
{
    const env_ref *er = (const env_ref *)ref;
    if (!er)
        return;
    if (er->rcpt == G_MAXUINT32)
        er->env->from_code = code;
    else if (er->rcpt < er->env->n_rcpts)
        er->env->rcpts[er->rcpt].code = code;
}

/* ---- message end ---- */

static gboolean domain_related(const char *a, const char *b)
{
    /* equal, or one a subdomain of the other (bounce@mail.example.com sending
       From: news@example.com is ordinary) */
    size_t la = strlen(a), lb = strlen(b);
    if (la == lb)
        return g_ascii_strcasecmp(a, b) == 0;
    const char *lng = la > lb ? a : b, *sht = la > lb ? b : a;
    size_t ll = MAX(la, lb), ls = MIN(la, lb);
    return lng[ll - ls - 1] == '.' && g_ascii_strcasecmp(lng + ll - ls, sht) == 0;
}

static void add_distinct(char **set, guint32 *n, gboolean *overflow, guint cap, const char *v)
{
    if (!v)
        return;
    for (guint32 i = 0; i < MIN(*n, cap); i++)
        if (!g_ascii_strcasecmp(set[i], v))
            return;
    if (*n < cap) {
        set[*n] = file_strdup(v);
        (*n)++;
    } else {
        *overflow = TRUE;
    }
}

static gboolean rcpt_counts(const mailx_env_rcpt *r)
{
    /* accepted, or not yet answered (pipelined BDAT: the message may end first) */
    return r->code == 0 || r->code / 100 == 2;
}

static void hash_note(mailx_msg_rec *m, mailx_attach_rec *a)
{
    if (!a->hashed || !hash_table)
        return;
    mailx_hash_entry *h = (mailx_hash_entry *)wmem_map_lookup(hash_table, a->sha256);
    if (!h) {
        if (wmem_map_size(hash_table) >= MAILX_HASH_TABLE_MAX) {
            hash_table_full++;
            return;
        }
        h = wmem_new0(wmem_file_scope(), mailx_hash_entry);
        g_strlcpy(h->sha256, a->sha256, sizeof h->sha256);
        h->first_frame = m->frame;
        wmem_map_insert(hash_table, h->sha256, h);
    }
    h->messages++;
    const char *sender = m->env && m->env->mail_from ? m->env->mail_from : m->from_addr;
    add_distinct(h->senders, &h->n_senders, &h->senders_overflow, MAILX_HASH_SENDERS_MAX, sender);
    if (m->env)
        for (guint32 i = 0; i < m->env->n_rcpts; i++)
            if (rcpt_counts(&m->env->rcpts[i]))
                add_distinct(h->rcpts, &h->n_rcpts, &h->rcpts_overflow, MAILX_HASH_RCPTS_MAX,
                             m->env->rcpts[i].addr);
    a->hash = h;
}

void mailx_msg_end(mailx_frame *fr, packet_info *pinfo, mailx_proto proto, guint64 size,
                   gboolean bdat, guint32 chunks, guint32 first_frame)
{
    mailx_msg_conv *c = msg_conv(fr->conv);
    if (!c->parser)
        c->parser = parser_new(c);   /* an empty message */
    mailx_mime_summary s;
    mailx_mime_finish(c->parser, &s);
    c->parser = NULL;
    mailx_export_stream_free(&c->export);   /* finish closed every attachment */

    mailx_msg_rec *m = mailx_rec_new0(mailx_msg_rec);
    m->proto = proto;
    m->frame = pinfo->num;
    m->first_frame = first_frame ? first_frame : pinfo->num;
    m->size = size;
    m->bdat = bdat;
    m->chunks = chunks;
    m->from = file_strdup(s.from);
    m->from_addr = file_strdup(s.from_addr);
    m->subject = file_strdup(s.subject);
    m->message_id = file_strdup(s.message_id);
    char *dom = mailx_addr_domain(s.from_addr);
    m->from_domain = file_strdup(dom);
    g_free(dom);
    m->parts = s.parts;
    m->limits = s.limits;
    m->anomalies = s.anomalies;
    m->attachments_total = s.attachments;
    mailx_mime_summary_clear(&s);

    if (proto == MAILX_PROTO_SMTP && c->env) {
        m->env = c->env;
        /* the envelope belongs to this message; a next message needs a new MAIL */
        c->env = NULL;
        char *ed = mailx_addr_domain(m->env->mail_from);
        m->env_domain = file_strdup(ed);
        g_free(ed);
        m->from_mismatch = m->env_domain && m->from_domain && !domain_related(m->env_domain, m->from_domain);
    }
    if (c->attach && c->attach->len) {
        m->n_attach = c->attach->len;
        m->attach = (mailx_attach_rec *)mailx_rec_alloc(m->n_attach * sizeof *m->attach);
        for (guint i = 0; i < m->n_attach; i++) {
            m->attach[i] = *(mailx_attach_rec *)g_ptr_array_index(c->attach, i);
            hash_note(m, &m->attach[i]);
            mailx_export_name_assign(m, &m->attach[i]);
        }
        g_ptr_array_set_size(c->attach, 0);
    }

    mailx_msg_frame *mf = fr->msg;
    if (!mf) {
        mf = wmem_new0(wmem_file_scope(), mailx_msg_frame);
        fr->msg = mf;
    }
    mailx_msg_rec **grown = wmem_alloc_array(wmem_file_scope(), mailx_msg_rec *, mf->n + 1);
    if (mf->n)
        memcpy(grown, mf->msgs, mf->n * sizeof *grown);
    grown[mf->n++] = m;
    mf->msgs = grown;
}

/* ---- rendering ---- */

static const char *proto_transfer(const mailx_msg_rec *m)
{
    switch (m->proto) {
    case MAILX_PROTO_SMTP: return m->bdat ? "SMTP BDAT" : "SMTP DATA";
    case MAILX_PROTO_POP:  return "POP3";
    case MAILX_PROTO_IMAP: return "IMAP FETCH";
    default:               return "?";
    }
}

static void add_gen(proto_item *pi)
{
    proto_item_set_generated(pi);
}

static void render_limits(const mailx_msg_rec *m, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    /* the values the file was analysed with (read by the init routine) */
    static const struct { guint32 bit; int id; const char *pre, *post; } lim[] = {
        { MAILX_MIME_LIMIT_DEPTH, MAILX_LIMIT_MIME_DEPTH, "MIME nesting deeper than ",
          " levels (inner parts read as opaque content; mailx.mime_depth_max)" },
        { MAILX_MIME_LIMIT_PARTS, MAILX_LIMIT_MIME_PARTS, "more than ",
          " MIME parts (later parts not read; mailx.mime_parts_max)" },
        { MAILX_MIME_LIMIT_ATTACHMENTS, MAILX_LIMIT_MIME_ATTACHMENTS, "more than ",
          " attachments (later ones counted, not listed; mailx.mime_attachments_max)" },
        { MAILX_MIME_LIMIT_HEADER_FIELD, MAILX_LIMIT_HEADER_FIELD, "header field longer than ",
          " bytes (truncated; mailx.header_field_max)" },
        { MAILX_MIME_LIMIT_HEADER_BYTES, MAILX_LIMIT_HEADER_BLOCK, "header block larger than ",
          " bytes (later fields not interpreted; mailx.header_block_max)" },
        { MAILX_MIME_LIMIT_DECODED, -1, "attachment larger than 1 GiB decoded (not hashed)", "" },
        { MAILX_MIME_LIMIT_BOUNDARY, -1,
          "multipart boundary longer than 200 bytes (part read as opaque content)", "" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lim); i++) {
        if (!(m->limits & lim[i].bit))
            continue;
        if (lim[i].id < 0)
            proto_tree_add_expert_format(tree, pinfo, &ei_msg_limit, tvb, 0, 0,
                                         "mailx limit reached: %s", lim[i].pre);
        else
            proto_tree_add_expert_format(tree, pinfo, &ei_msg_limit, tvb, 0, 0,
                                         "mailx limit reached: %s%u%s", lim[i].pre,
                                         mailx_limits_now.v[lim[i].id], lim[i].post);
    }
    static const struct { guint32 bit; const char *text; } bad[] = {
        { MAILX_MIME_UNTERMINATED, "multipart without its closing boundary" },
        { MAILX_MIME_BAD_BASE64, "invalid base64 in a part" },
        { MAILX_MIME_BAD_QP, "invalid quoted-printable escape in a part" },
        { MAILX_MIME_NO_BOUNDARY, "multipart type without a boundary parameter" },
        { MAILX_MIME_BAD_PARAM, "broken RFC 2231 parameter (sections or charset)" },
        { MAILX_MIME_BAD_HEADER_LINE, "header line without a colon" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (m->anomalies & bad[i].bit)
            proto_tree_add_expert_format(tree, pinfo, &ei_msg_mime_malformed, tvb, 0, 0,
                                         "Malformed MIME: %s", bad[i].text);
}

static void render_attach(const mailx_msg_rec *m, const mailx_attach_rec *a, packet_info *pinfo,
                          proto_tree *tree, tvbuff_t *tvb)
{
    proto_item *ai = proto_tree_add_none_format(tree, hf_attach, tvb, 0, 0,
        "Attachment: %s (%s, %" G_GUINT64_FORMAT " bytes)", a->filename ? a->filename : "(no name)",
        a->type ? a->type : "no type", a->size);
    add_gen(ai);
    proto_tree *at = proto_item_add_subtree(ai, ett_attach);
    if (a->filename)
        add_gen(proto_tree_add_string(at, hf_attach_filename, tvb, 0, 0, a->filename));
    if (a->type)
        add_gen(proto_tree_add_string(at, hf_attach_type, tvb, 0, 0, a->type));
    add_gen(proto_tree_add_uint64(at, hf_attach_size, tvb, 0, 0, a->size));
    if (a->hashed)
        add_gen(proto_tree_add_string(at, hf_attach_sha256, tvb, 0, 0, a->sha256));
    if (a->magic)
        add_gen(proto_tree_add_string(at, hf_attach_magic, tvb, 0, 0, a->magic));
    if (a->risk_flags) {
        proto_item *ri = proto_tree_add_boolean(at, hf_attach_risky, tvb, 0, 0, TRUE);
        add_gen(ri);
        GString *why = g_string_new(NULL);
        for (guint i = 0; i < a->n_reasons; i++) {
            add_gen(proto_tree_add_string(at, hf_attach_risk, tvb, 0, 0, a->reasons[i]));
            g_string_append_printf(why, "%s%s", i ? "; " : "", a->reasons[i]);
        }
        MAILX_EXPERT(pinfo, tree, ri, &ei_attach_risky, "Risky attachment %s: %s",
                     a->filename ? a->filename : "(no name)", why->str);
        g_string_free(why, TRUE);
    }
    if (a->hash) {
        const mailx_hash_entry *h = a->hash;
        proto_item *hi = proto_tree_add_uint(at, hf_attach_hash_messages, tvb, 0, 0, h->messages);
        add_gen(hi);
        add_gen(proto_tree_add_uint(at, hf_attach_hash_senders, tvb, 0, 0, h->n_senders));
        add_gen(proto_tree_add_uint(at, hf_attach_hash_rcpts, tvb, 0, 0, h->n_rcpts));
        if (h->n_senders > 1 || h->n_rcpts >= MAILX_HASH_MANY_RCPTS)
            MAILX_EXPERT(pinfo, tree, hi, &ei_attach_hash_repeated,
                "Same attachment (SHA-256 %.16s...) in %u messages from %u%s senders to %u%s recipients",
                h->sha256, h->messages, h->n_senders, h->senders_overflow ? "+" : "",
                h->n_rcpts, h->rcpts_overflow ? "+" : "");
    }
    mailx_export_render(m, a, pinfo, at, tvb);
}

static void render_msg(const mailx_msg_rec *m, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    proto_item *mi = proto_tree_add_none_format(tree, hf_msg, tvb, 0, 0,
        "Message (%s): %" G_GUINT64_FORMAT " bytes, %u attachment%s", proto_transfer(m), m->size,
        m->attachments_total, m->attachments_total == 1 ? "" : "s");
    add_gen(mi);
    proto_tree *mt = proto_item_add_subtree(mi, ett_msg);
    add_gen(proto_tree_add_uint64(mt, hf_msg_size, tvb, 0, 0, m->size));
    if (mailx_msg_oversized(m->size)) {
        proto_item *oi = proto_tree_add_boolean(mt, hf_msg_oversized, tvb, 0, 0, TRUE);
        add_gen(oi);
        /* SMTP raises its own expert item (mailx.smtp.message.oversized) on this frame */
        if (m->proto != MAILX_PROTO_SMTP)
            MAILX_EXPERT(pinfo, tree, oi, &ei_msg_oversized,
                "Message of %" G_GUINT64_FORMAT " bytes exceeds the %u-byte limit (mailx.data_size_limit)",
                m->size, mailx_pref_data_size_limit);
    }
    if (m->first_frame != m->frame)
        add_gen(proto_tree_add_uint(mt, hf_msg_first_frame, tvb, 0, 0, m->first_frame));
    if (m->env) {
        const mailx_envelope *e = m->env;
        guint32 acc = 0, rej = 0;
        if (e->mail_from)
            add_gen(proto_tree_add_string(mt, hf_msg_mail_from, tvb, 0, 0, e->mail_from));
        for (guint32 i = 0; i < e->n_rcpts; i++) {
            guint16 k = e->rcpts[i].code / 100;
            if (k == 2) {
                acc++;
                add_gen(proto_tree_add_string(mt, hf_msg_rcpt_to, tvb, 0, 0, e->rcpts[i].addr));
            } else if (k == 4 || k == 5) {
                rej++;
            }
        }
        add_gen(proto_tree_add_uint(mt, hf_msg_rcpt_count, tvb, 0, 0, acc));
        if (rej)
            add_gen(proto_tree_add_uint(mt, hf_msg_rcpt_rejected, tvb, 0, 0, rej));
    }
    if (m->from)
        add_gen(proto_tree_add_string(mt, hf_msg_from, tvb, 0, 0, m->from));
    if (m->from_mismatch) {
        proto_item *fi = proto_tree_add_boolean(mt, hf_msg_from_mismatch, tvb, 0, 0, TRUE);
        add_gen(fi);
        MAILX_EXPERT(pinfo, tree, fi, &ei_msg_from_mismatch,
            "Header From domain %s differs from envelope MAIL FROM domain %s",
            m->from_domain, m->env_domain);
    }
    if (m->subject)
        add_gen(proto_tree_add_string(mt, hf_msg_subject, tvb, 0, 0, m->subject));
    if (m->message_id)
        add_gen(proto_tree_add_string(mt, hf_msg_message_id, tvb, 0, 0, m->message_id));
    add_gen(proto_tree_add_uint(mt, hf_msg_attachments, tvb, 0, 0, m->attachments_total));
    render_limits(m, pinfo, mt, tvb);
    for (guint i = 0; i < m->n_attach; i++)
        render_attach(m, &m->attach[i], pinfo, mt, tvb);
}

void mailx_msg_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    if (!fr->msg)
        return;
    for (guint i = 0; i < fr->msg->n; i++)
        render_msg(fr->msg->msgs[i], pinfo, tree, tvb);
}

/* ---- registration ---- */

static void msg_init(void)
{
    msg_convs = g_ptr_array_new();
    hash_table = wmem_map_new(wmem_file_scope(), g_str_hash, g_str_equal);
    hash_table_full = 0;
}

static void msg_cleanup(void)
{
    if (msg_convs) {
        for (guint i = 0; i < msg_convs->len; i++) {
            mailx_msg_conv *c = (mailx_msg_conv *)g_ptr_array_index(msg_convs, i);
            mailx_mime_free(c->parser);
            mailx_export_stream_free(&c->export);
            if (c->attach)
                g_ptr_array_free(c->attach, TRUE);
            g_free(c);
        }
        g_ptr_array_free(msg_convs, TRUE);
        msg_convs = NULL;
    }
    hash_table = NULL;   /* file scope frees it */
}

void mailx_msg_register(void)
{
    static hf_register_info hf[] = {
        { &hf_msg, { "Message", "mailx.msg", FT_NONE, BASE_NONE, NULL, 0x0,
            "A message transferred or retrieved, on the frame that completes it", HFILL } },
        { &hf_msg_size, { "Message size", "mailx.msg.size", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Message bytes (SMTP DATA after dot-unstuffing or BDAT chunks, POP3 RETR/TOP, IMAP literal)", HFILL } },
        { &hf_msg_oversized, { "Oversized message", "mailx.msg.oversized", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The message is larger than the mailx.data_size_limit preference", HFILL } },
        { &hf_msg_first_frame, { "Message starts in", "mailx.msg.first_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "Frame with the first byte of the message", HFILL } },
        { &hf_msg_mail_from, { "Envelope sender", "mailx.msg.mail_from", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP MAIL FROM path (empty for the null sender <>)", HFILL } },
        { &hf_msg_rcpt_to, { "Envelope recipient", "mailx.msg.rcpt_to", FT_STRING, BASE_NONE, NULL, 0x0,
            "SMTP RCPT TO path the server accepted (class 2 reply)", HFILL } },
        { &hf_msg_rcpt_count, { "Accepted recipients", "mailx.msg.rcpt_count", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Number of RCPT TO the server accepted", HFILL } },
        { &hf_msg_rcpt_rejected, { "Rejected recipients", "mailx.msg.rcpt_rejected", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Number of RCPT TO the server refused (class 4 or 5)", HFILL } },
        { &hf_msg_from, { "From", "mailx.msg.from", FT_STRING, BASE_NONE, NULL, 0x0,
            "Header From, RFC 2047 decoded", HFILL } },
        { &hf_msg_from_mismatch, { "From differs from envelope", "mailx.msg.from_mismatch", FT_BOOLEAN, BASE_NONE,
            NULL, 0x0, "The header From domain is neither the envelope sender's domain nor related to it", HFILL } },
        { &hf_msg_subject, { "Subject", "mailx.msg.subject", FT_STRING, BASE_NONE, NULL, 0x0,
            "Header Subject, RFC 2047 decoded", HFILL } },
        { &hf_msg_message_id, { "Message-ID", "mailx.msg.message_id", FT_STRING, BASE_NONE, NULL, 0x0,
            "Header Message-ID", HFILL } },
        { &hf_msg_attachments, { "Attachments", "mailx.msg.attachments", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Number of attachments (parts with a file name or disposition attachment)", HFILL } },
        { &hf_attach, { "Attachment", "mailx.attach", FT_NONE, BASE_NONE, NULL, 0x0,
            "One attachment of the message", HFILL } },
        { &hf_attach_filename, { "File name", "mailx.attach.filename", FT_STRING, BASE_NONE, NULL, 0x0,
            "From Content-Disposition filename or Content-Type name (RFC 2231 and RFC 2047 decoded)", HFILL } },
        { &hf_attach_type, { "Declared type", "mailx.attach.type", FT_STRING, BASE_NONE, NULL, 0x0,
            "Content-Type as declared, lower case", HFILL } },
        { &hf_attach_size, { "Decoded size", "mailx.attach.size", FT_UINT64, BASE_DEC, NULL, 0x0,
            "Bytes after base64 / quoted-printable decoding", HFILL } },
        { &hf_attach_sha256, { "SHA-256", "mailx.attach.sha256", FT_STRING, BASE_NONE, NULL, 0x0,
            "SHA-256 of the decoded content", HFILL } },
        { &hf_attach_magic, { "Content signature", "mailx.attach.magic", FT_STRING, BASE_NONE, NULL, 0x0,
            "File format recognised from the first decoded bytes (pe, elf, pdf, zip, ole2 ...)", HFILL } },
        { &hf_attach_risky, { "Risky attachment", "mailx.attach.risky", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "One or more risk heuristics matched (see mailx.attach.risk)", HFILL } },
        { &hf_attach_risk, { "Risk", "mailx.attach.risk", FT_STRING, BASE_NONE, NULL, 0x0,
            "Why the attachment is risky, one reason per item", HFILL } },
        { &hf_attach_hash_messages, { "Messages with this hash", "mailx.attach.hash_messages", FT_UINT32, BASE_DEC,
            NULL, 0x0, "Messages in the capture carrying an attachment with the same SHA-256", HFILL } },
        { &hf_attach_hash_senders, { "Senders of this hash", "mailx.attach.hash_senders", FT_UINT32, BASE_DEC,
            NULL, 0x0, "Distinct senders (envelope, else header From) of those messages", HFILL } },
        { &hf_attach_hash_rcpts, { "Recipients of this hash", "mailx.attach.hash_rcpts", FT_UINT32, BASE_DEC,
            NULL, 0x0, "Distinct accepted envelope recipients of those messages", HFILL } },
    };
    static gint *ett[] = { &ett_msg, &ett_attach };
    static ei_register_info ei[] = {
        { &ei_msg_oversized, { "mailx.msg.size.exceeded", PI_PROTOCOL, PI_WARN,
            "Retrieved message larger than the configured limit", EXPFILL } },
        { &ei_msg_from_mismatch, { "mailx.msg.from.envelope_mismatch", PI_SECURITY, PI_NOTE,
            "Header From domain differs from the envelope sender domain", EXPFILL } },
        { &ei_attach_risky, { "mailx.attach.risky.warning", PI_SECURITY, PI_WARN,
            "Risky attachment", EXPFILL } },
        { &ei_attach_hash_repeated, { "mailx.attach.hash.repeated", PI_SECURITY, PI_NOTE,
            "Same attachment from several senders or to many recipients", EXPFILL } },
        { &ei_msg_mime_malformed, { "mailx.msg.mime.malformed", PI_MALFORMED, PI_NOTE,
            "Malformed MIME structure or encoding", EXPFILL } },
        { &ei_msg_limit, { "mailx.limit.mime", PI_PROTOCOL, PI_WARN,
            "mailx limit reached: MIME parsing", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_mailx);
    expert_register_field_array(em, ei, array_length(ei));
    register_init_routine(msg_init);
    register_cleanup_routine(msg_cleanup);
    mailx_export_register();
}
