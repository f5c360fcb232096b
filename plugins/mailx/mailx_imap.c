/* IMAP glue: feeds what the imap dissector consumed to the epan-ext session
 * logic on the first pass, keeps per-frame records (responses with the command
 * each answers by tag, commands with their tagged response, logins) and renders
 * mailx.imap.* on every pass. */
#include <epan/packet.h>
#include <epan/expert.h>

#include "mailx.h"
#include "mailx_msg.h"
#include "code_tables.h"
#include "imap_ws_lines.h"
#include "ascii_case.h"

static int hf_imap_response = -1;
static int hf_imap_status = -1;
static int hf_imap_code = -1;
static int hf_imap_code_text = -1;
static int hf_imap_command = -1;
static int hf_imap_tag = -1;
static int hf_imap_request_in = -1;
static int hf_imap_time = -1;
static int hf_imap_request = -1;
static int hf_imap_response_in = -1;
static gint ett_imap_response = -1;
static gint ett_imap_request = -1;
/* the fields above, one group (mailx_hf_wanted) */
static hf_register_info imap_hf[] = {
    { &hf_imap_response, { "IMAP response", "mailx.imap.response", FT_NONE, BASE_NONE, NULL, 0x0,
        "One IMAP status or continuation response, analysed", HFILL } },
    { &hf_imap_status, { "Status", "mailx.imap.status", FT_STRING, BASE_NONE, NULL, 0x0,
        "OK, NO, BAD, BYE or PREAUTH, on tagged and untagged status responses", HFILL } },
    { &hf_imap_code, { "Response code", "mailx.imap.code", FT_STRING, BASE_NONE, NULL, 0x0,
        "Response code in brackets (AUTHENTICATIONFAILED, OVERQUOTA, ALERT ...)", HFILL } },
    { &hf_imap_code_text, { "Code meaning", "mailx.imap.code.text", FT_STRING, BASE_NONE, NULL, 0x0,
        "What the response code means", HFILL } },
    { &hf_imap_command, { "Answers", "mailx.imap.command", FT_STRING, BASE_NONE, NULL, 0x0,
        "The command a tagged response answers (paired by tag) or a continuation invites", HFILL } },
    { &hf_imap_tag, { "Tag", "mailx.imap.tag", FT_STRING, BASE_NONE, NULL, 0x0,
        "Tag of the tagged response", HFILL } },
    { &hf_imap_request_in, { "Request in", "mailx.imap.request_in", FT_FRAMENUM, BASE_NONE,
        FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "Frame of the command this response answers", HFILL } },
    { &hf_imap_time, { "Response time", "mailx.imap.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
        "Time from the command to this response", HFILL } },
    { &hf_imap_request, { "IMAP command", "mailx.imap.request", FT_STRING, BASE_NONE, NULL, 0x0,
        "A command the client sent (or an AUTHENTICATE response line, or DONE)", HFILL } },
    { &hf_imap_response_in, { "Response in", "mailx.imap.response_in", FT_FRAMENUM, BASE_NONE,
        FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Frame of the tagged response to this command", HFILL } },
};

static expert_field ei_imap_no = EI_INIT;
static expert_field ei_imap_bad = EI_INIT;
static expert_field ei_imap_bye = EI_INIT;
static expert_field ei_imap_literal_too_big = EI_INIT;
static expert_field ei_imap_limit = EI_INIT;
static expert_field ei_imap_capture_truncated = EI_INIT;

typedef struct {
    packet_info *pinfo;
    mailx_frame *fr;
    mailx_rec_buf resp;    /* mailx_imap_resp_rec */
    mailx_rec_buf cmd;     /* mailx_imap_cmd_rec * */
    mailx_rec_buf gap;     /* mailx_gap_rec */
    guint8 gap_cause;       /* of the gap being reported (mailx_gap_cause) */
    guint32 gap_bytes;
    /* the latest status response, for the login record; its text is made only
       when a login needs it (on_auth), not for every response */
    gboolean reply_set;
    guint8 reply_status;
    const char *reply_code; /* interned */
} imap_builder;

static gint64 frame_ns(const packet_info *pinfo)
{
    return (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
}

static void copy_printable(char *dst, size_t cap, const guint8 *src, size_t n)
{
    if (n > cap - 1)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = g_ascii_isprint(src[i]) ? (char)src[i] : '?';
    dst[n] = '\0';
}

static void *on_command(void *ctx, const mailx_imap_command_event *ev)
{
    imap_builder *b = (imap_builder *)ctx;
    if (ev->kind != MAILX_IMAP_CLIENT_COMMAND && ev->kind != MAILX_IMAP_CLIENT_SASL &&
        ev->kind != MAILX_IMAP_CLIENT_DONE)
        return NULL;
    mailx_imap_cmd_rec *rec = mailx_rec_new0(mailx_imap_cmd_rec);
    rec->line_cut = ev->line_cut;
    char name[MAILX_IMAP_NAME_MAX];
    if (ev->kind == MAILX_IMAP_CLIENT_COMMAND) {
        copy_printable(rec->tag, sizeof rec->tag, ev->line + ev->cmd.tag_off, ev->cmd.tag_len);
        g_strlcpy(name, ev->name, sizeof name);
        if (ev->cmd.cmd == MAILX_IMAP_CMD_STARTTLS)
            mailx_session_starttls(b->fr, MAILX_STARTTLS_REQUESTED);
    } else {
        g_strlcpy(name, ev->kind == MAILX_IMAP_CLIENT_DONE ? "DONE" : "AUTHENTICATE response",
                  sizeof name);
    }
    rec->name = mailx_str_intern(name);
    mailx_rec_append(&b->cmd, b->pinfo, sizeof rec, &rec);
    return ev->kind == MAILX_IMAP_CLIENT_COMMAND && !ev->not_remembered ? rec : NULL;
}

static void on_response(void *ctx, const mailx_imap_response_event *ev)
{
    imap_builder *b = (imap_builder *)ctx;
    if (ev->continues || !ev->parsed)
        return;
    const mailx_imap_response *resp = &ev->resp;
    /* untagged data (FETCH, EXISTS, CAPABILITY ...) is not an outcome */
    if (resp->kind == MAILX_IMAP_RESP_UNTAGGED && !resp->status)
        return;
    mailx_imap_resp_rec r;
    memset(&r, 0, sizeof r);
    char code[32] = "", command[MAILX_IMAP_NAME_MAX] = "";
    r.parsed = TRUE;
    r.kind = (guint8)resp->kind;
    r.status = (guint8)resp->status;
    r.greeting = ev->greeting;
    r.literal_too_big = resp->literal.too_big;
    r.tag = "";
    if (resp->kind == MAILX_IMAP_RESP_TAGGED) {
        char tag[sizeof ((mailx_imap_cmd_rec *)NULL)->tag];
        copy_printable(tag, sizeof tag, ev->line + resp->tag_off, resp->tag_len);
        const mailx_imap_cmd_rec *cmd = ev->has_request ? (const mailx_imap_cmd_rec *)ev->request_token : NULL;
        if (cmd && strcmp(cmd->tag, tag) == 0)
            r.tag = cmd->tag;
        else if (tag[0])
            r.tag = mailx_rec_strndup(tag, sizeof tag);
    }
    if (resp->has_code)
        copy_printable(code, sizeof code, ev->line + resp->code_off, resp->code_len);
    r.code = mailx_str_intern(code);
    if (ev->has_request && ev->command && ev->request_token) {
        /* the command's record, made from the same name (on_command) */
        r.command = ((const mailx_imap_cmd_rec *)ev->request_token)->name;
    } else {
        if (ev->has_request && ev->command)
            g_strlcpy(command, ev->command, sizeof command);
        r.command = mailx_str_intern(command);
    }
    b->reply_set = TRUE;
    b->reply_status = (guint8)resp->status;
    b->reply_code = r.code;
    if (ev->has_request) {
        r.has_request = TRUE;
        r.request_frame = ev->request.num;
        r.delta_ns = frame_ns(b->pinfo) - ev->request.ts_ns;
        mailx_imap_cmd_rec *cmd = (mailx_imap_cmd_rec *)ev->request_token;
        if (cmd && resp->kind == MAILX_IMAP_RESP_TAGGED) {
            cmd->response_frame = b->pinfo->num;
            cmd->response_status = r.status;
        }
        if (resp->kind == MAILX_IMAP_RESP_TAGGED && ev->cmd == MAILX_IMAP_CMD_STARTTLS)
            mailx_session_starttls(b->fr, resp->status == MAILX_IMAP_STATUS_OK ? MAILX_STARTTLS_ACCEPTED
                                                                               : MAILX_STARTTLS_REFUSED);
    }
    if (resp->kind == MAILX_IMAP_RESP_TAGGED &&
        (resp->status == MAILX_IMAP_STATUS_NO || resp->status == MAILX_IMAP_STATUS_BAD))
        b->fr->conv->sum.failures++;
    mailx_conn_imap_reply(b->pinfo, b->fr->conv, resp->status == MAILX_IMAP_STATUS_NO,
                          resp->status == MAILX_IMAP_STATUS_BYE, r.code);
    mailx_rec_append(&b->resp, b->pinfo, sizeof r, &r);
}

static void on_tls_started(void *ctx)
{
    mailx_session_tls_started(((imap_builder *)ctx)->fr->conv);
}

static void on_auth(void *ctx, const mailx_auth_event *ev)
{
    imap_builder *b = (imap_builder *)ctx;
    char reply[40] = "";
    if (b->reply_set)
        mailx_auth_reply_text(reply, sizeof reply, mailx_imap_status_name(b->reply_status), b->reply_code);
    mailx_auth_record(b->fr, b->pinfo, ev, reply);
}

static void on_message_end(void *ctx, const mailx_imap_literal_event *ev)
{
    imap_builder *b = (imap_builder *)ctx;
    b->fr->conv->sum.messages++;
    /* the fetched message's MIME summary and attachments (mailx_msg.c) */
    mailx_msg_end(b->fr, b->pinfo, MAILX_PROTO_IMAP, ev->size, FALSE, 0, ev->first.num);
}

static void on_content(void *ctx, const uint8_t *data, size_t len)
{
    mailx_msg_content(((imap_builder *)ctx)->fr->conv, data, len);
}

static void on_gap(void *ctx, const mailx_imap_gap_event *ev)
{
    imap_builder *b = (imap_builder *)ctx;
    mailx_gap_rec g;
    memset(&g, 0, sizeof g);
    g.cause = ev->mid_session ? MAILX_GAP_MID_SESSION : b->gap_cause;
    g.from_client = ev->from_client;
    g.body_cut = ev->literal_cut;
    g.unknown = ev->unknown;
    g.bytes_missing = ev->mid_session ? 0 : b->gap_bytes;
    /* the cut message: no size, no hash, no attachments from it */
    if (ev->message_cut)
        mailx_msg_abort(b->fr->conv);
    b->reply_set = FALSE;   /* a login ended by the gap has no deciding reply */
    /* one note per gap: a further cut while nothing was learnt since the last
       one (every frame of a body cut by the snap length) adds none */
    if (!ev->repeat)
        mailx_rec_append(&b->gap, b->pinfo, sizeof g, &g);
}

static const mailx_imap_sink imap_sink = {
    .command = on_command,
    .response = on_response,
    .message_end = on_message_end,
    .content = on_content,
    .tls_started = on_tls_started,
    .auth = on_auth,
    .gap = on_gap,
};

static void imap_gap(imap_builder *b, mailx_frame_ref ref, gboolean from_client, mailx_gap_cause cause,
                     guint32 bytes)
{
    b->gap_cause = (guint8)cause;
    b->gap_bytes = bytes;
    mailx_imap_session_gap(b->fr->conv->imap, from_client, ref, &imap_sink, b);
}

/* Wireshark's imap dissector asks TCP (or TLS) for more data when a line is
 * incomplete or a FETCH literal has not fully arrived, and is then handed the
 * same bytes again with the next segment; but only after putting an `imap`
 * item over the whole buffer. What it really consumed is the run of its
 * imap.line items (a FETCH literal sits between the FETCH line and the next
 * line item), which mailx_imap_ws_last_line() finds from the bytes (asking
 * Wireshark for the imap.line strings cost ~1,000 instructions a frame). So
 * each buffer is fed from the imap item's start to the end of the last line
 * item at or after it (of any imap item over the same data), plus the literal
 * when that last line is a FETCH line that announced one (packet-imap.c
 * dissect_imap_fetch consumed it). The imap item covers the captured bytes of
 * the dissector's buffer (length -1); its reported length is larger only when
 * the frame was cut by the snap length. */
static gint consumed_end(GPtrArray *items, guint idx, gboolean from_client, const guint8 **own,
                         gint *own_len)
{
    const field_info *item = (const field_info *)g_ptr_array_index(items, idx);
    gint end = -1, last_len = 0;
    const guint8 *last = NULL;
    tvbuff_t *ds = item->ds_tvb;
    const gint total = (gint)tvb_captured_length(ds);
    for (guint j = 0; j < items->len; j++) {
        const field_info *fj = (const field_info *)g_ptr_array_index(items, j);
        if (fj->ds_tvb != ds || fj->start < 0)
            continue;
        gint avail = total > fj->start ? total - fj->start : 0;
        gint cap = fj->length < avail ? fj->length : avail;
        if (cap <= 0)
            continue;
        const guint8 *p = tvb_get_ptr(ds, fj->start, cap);
        if (j == idx) {
            /* the item's own bytes: the caller feeds from them */
            *own = p;
            *own_len = cap;
        }
        gboolean cut = fj->start + cap >= total && tvb_reported_length(ds) > (guint)total;
        size_t min_start = item->start > fj->start ? (size_t)(item->start - fj->start) : 0;
        size_t ls, le;
        if (!mailx_imap_ws_last_line(p, (size_t)cap, cut, from_client, min_start, &ls, &le))
            continue;
        if (fj->start + (gint)le > end) {
            end = fj->start + (gint)le;
            last = p + ls;
            last_len = (gint)(le - ls);
        }
    }
    if (!last || from_client || last_len <= 0)
        return end;
    /* the last line item's bytes lie within the buffer read above */
    const guint8 *p = last;
    size_t n = (size_t)last_len;
    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    mailx_imap_response r;
    if (n > 2 && p[0] == '*' && mailx_imap_response_parse(p, n, &r) && r.literal.present &&
        r.kw_len == 5 && mailx_ascii_ieq(p + r.kw_off, "FETCH", 5) &&
        !r.literal.too_big) {
        guint64 e = (guint64)end + r.literal.size;
        end = e > (guint64)total ? total : (gint)e;
    }
    return end;
}

/* items: what to feed; with `whole`, each item's bytes as they are (the TCP
 * payload), else up to what the imap dissector consumed (consumed_end). */
static void imap_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *items, gboolean whole)
{
    mailx_conv *mc = fr->conv;
    if (!mc->imap) {
        mc->imap = wmem_new(wmem_file_scope(), mailx_imap_session);
        mailx_imap_session_init(mc->imap);
        mailx_imap_session_limit(mc->imap, mailx_limits_now.v[MAILX_LIMIT_IMAP_PENDING]);
        mailx_imap_session_line_keep(mc->imap, mailx_limits_now.v[MAILX_LIMIT_LINE_KEEP]);
        mc->imap->joined_late = !mailx_conn_saw_handshake(pinfo);
    }
    imap_builder b = { .pinfo = pinfo, .fr = fr };
    mailx_frame_ref ref = { .ts_ns = frame_ns(pinfo), .num = pinfo->num };
    guint64 dropped_before = mc->imap->pending_dropped;
    gboolean offered_before = mc->imap->starttls_offered;

    /* bytes of this direction went missing before this frame (imap_session.h) */
    guint8 gap_cause[2];
    guint32 gap_bytes[2];
    if (mailx_frame_gaps(fr, gap_cause, gap_bytes)) {
        /* the other side's first: its gap lies before this frame was sent */
        int peer = fr->from_client ? 0 : 1, own = fr->from_client ? 1 : 0;
        if (gap_cause[peer])
            imap_gap(&b, ref, !fr->from_client, (mailx_gap_cause)gap_cause[peer], gap_bytes[peer]);
        if (gap_cause[own])
            imap_gap(&b, ref, fr->from_client, (mailx_gap_cause)gap_cause[own], gap_bytes[own]);
    }
    for (guint i = 0; i < items->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(items, i);
        if (!fi->ds_tvb || fi->start < 0)
            continue;
        const guint8 *own = NULL;
        gint own_len = 0;
        gint end = whole ? fi->start + fi->length
                         : consumed_end(items, i, fr->from_client, &own, &own_len);
        gint avail = tvb_captured_length_remaining(fi->ds_tvb, fi->start);
        gint len = end - fi->start;
        if (len > avail)
            len = avail;
        if (len > 0) {
            /* consumed_end read these bytes already, unless another item over the
               same data reaches further */
            const guint8 *p = own && len <= own_len ? own : tvb_get_ptr(fi->ds_tvb, fi->start, len);
            mailx_imap_session_feed(mc->imap, fr->from_client, p, (size_t)len, ref, &imap_sink, &b);
        }
        /* the frame was longer than captured (snap length): the rest is a gap,
           and so are captured bytes the imap dissector left for the next segment
           (a cut line), which reassembly will never hand over again; said at the
           last item over these bytes */
        gint cut = tvb_reported_length_remaining(fi->ds_tvb, fi->start) - (avail > 0 ? avail : 0);
        const field_info *next = i + 1 < items->len ? (const field_info *)g_ptr_array_index(items, i + 1) : NULL;
        if (cut > 0 && (!next || next->ds_tvb != fi->ds_tvb))
            imap_gap(&b, ref, fr->from_client, MAILX_GAP_SNAP, (guint32)cut);
    }
    if (mc->imap->starttls_offered) {
        mc->sum.starttls_offered = TRUE;
        if (!offered_before)
            mailx_session_starttls(fr, MAILX_STARTTLS_OFFERED);
    }

    /* packet scope: packet-mailx.c stores it with the frame record, in one block */
    mailx_imap_frame *f = wmem_new0(pinfo->pool, mailx_imap_frame);
    f->n_resp = b.resp.n;
    f->n_cmd = b.cmd.n;
    if (f->n_resp)
        f->resp = (mailx_imap_resp_rec *)b.resp.data;
    if (f->n_cmd)
        f->cmd = (mailx_imap_cmd_rec **)b.cmd.data;
    /* the limit is announced once per session: in the frame that first hits it */
    f->pending_dropped = dropped_before == 0 ? mc->imap->pending_dropped : 0;
    f->n_gap = b.gap.n;
    if (f->n_gap)
        f->gap = (mailx_gap_rec *)b.gap.data;
    fr->imap = f;
}

void mailx_imap_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *items)
{
    imap_analyse(fr, pinfo, items, FALSE);
}

/* Without TCP reassembly (tcp.desegment_tcp_streams off) the imap dissector's
 * request for more data goes nowhere: a segment without a line end gets no imap
 * item at all, and the part line at a segment's end is in no imap.line item, so
 * those bytes (an AUTHENTICATE response, a LOGIN literal, pieces of a FETCH
 * literal) would never reach the session. Then the whole TCP payload of every
 * frame of the session is fed instead; the session's line splitter carries the
 * part lines and counts literals itself. */
void mailx_imap_analyse_payload(mailx_frame *fr, packet_info *pinfo, GPtrArray *payload_items)
{
    imap_analyse(fr, pinfo, payload_items, TRUE);
}

/* One note per gap: what is missing and what it leaves unknown. */
static void render_gap(const mailx_gap_rec *g, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    const char *side = g->from_client ? "client" : "server";
    char what[96];
    if (g->cause == MAILX_GAP_MID_SESSION) {
        proto_tree_add_expert_format(tree, pinfo, &ei_imap_capture_truncated, tvb, 0, 0,
            "The first line seen of this IMAP session is not the server's greeting (the capture "
            "starts inside the session, or its start was not captured): only responses tagged "
            "for commands seen are paired");
        return;
    }
    if (g->cause == MAILX_GAP_SNAP)
        g_snprintf(what, sizeof what, "%u bytes of IMAP %s data were not captured (snap length)",
                   g->bytes_missing, side);
    else
        g_snprintf(what, sizeof what, "IMAP %s data before this frame was not captured (lost segment)",
                   side);
    if (g->from_client)
        proto_tree_add_expert_format(tree, pinfo, &ei_imap_capture_truncated, tvb, 0, 0,
            "%s: commands may be lost%s%s; responses tagged for them answer unknown",
            what, g->unknown ? " (a command line cut by the gap is left unknown)" : "",
            g->body_cut ? ", the literal being sent is incomplete" : "");
    else
        proto_tree_add_expert_format(tree, pinfo, &ei_imap_capture_truncated, tvb, 0, 0,
            "%s: %u command%s left without a known response (unknown)%s; commands sent after "
            "it are paired by tag", what, g->unknown, g->unknown == 1 ? "" : "s",
            g->body_cut ? ", the literal being read is incomplete (no size)" : "");
}

void mailx_imap_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    const mailx_imap_frame *f = fr->imap;
    proto_item *pi;
    /* without the items (tree hidden, no field here referenced) each would be
       faked, that is `tree` itself: the expert items go there */
    gboolean want = MAILX_FIELDS_WANTED(tree, imap_hf);
    for (guint i = 0; want && i < f->n_cmd; i++) {
        const mailx_imap_cmd_rec *c = f->cmd[i];
        proto_item *ci = proto_tree_add_string(tree, hf_imap_request, tvb, 0, 0, c->name);
        proto_item_set_generated(ci);
        if (c->tag[0])
            proto_item_append_text(ci, " (tag %s)", c->tag);
        if (c->line_cut)
            proto_item_append_text(ci, " (line cut)");
        if (c->response_frame) {
            proto_item_append_text(ci, ", answered %s in frame %u",
                                   mailx_imap_status_name((mailx_imap_status)c->response_status), c->response_frame);
            proto_tree *ct = proto_item_add_subtree(ci, ett_imap_request);
            pi = proto_tree_add_uint(ct, hf_imap_response_in, tvb, 0, 0, c->response_frame);
            proto_item_set_generated(pi);
        }
    }
    for (guint i = 0; i < f->n_resp; i++) {
        const mailx_imap_resp_rec *r = &f->resp[i];
        gboolean tagged_fail = r->kind == MAILX_IMAP_RESP_TAGGED &&
                               (r->status == MAILX_IMAP_STATUS_NO || r->status == MAILX_IMAP_STATUS_BAD);
        if (!want && !tagged_fail && !r->literal_too_big &&
            !(r->status == MAILX_IMAP_STATUS_BYE && !r->has_request && r->greeting))
            continue;
        const char *st = r->kind == MAILX_IMAP_RESP_CONTINUATION ? "+" :
                         mailx_imap_status_name((mailx_imap_status)r->status);
        const char *meaning = r->code[0] ? mailx_imap_code_meaning(r->code, strlen(r->code)) : NULL;
        const char *answered = r->command[0] ? r->command : r->greeting ? "greeting" :
                               r->kind == MAILX_IMAP_RESP_UNTAGGED ? "untagged" : "unknown";
        proto_item *ri = tree;
        if (want) {
            ri = proto_tree_add_none_format(tree, hf_imap_response, tvb, 0, 0,
                "IMAP %s%s%s%s%s to %s", r->kind == MAILX_IMAP_RESP_UNTAGGED ? "* " : "", st,
                r->code[0] ? " [" : "", r->code, r->code[0] ? "]" : "", answered);
            proto_item_set_generated(ri);
            proto_tree *rt = proto_item_add_subtree(ri, ett_imap_response);
            if (r->status) {
                pi = proto_tree_add_string(rt, hf_imap_status, tvb, 0, 0, st);
                proto_item_set_generated(pi);
            }
            if (r->tag[0]) {
                pi = proto_tree_add_string(rt, hf_imap_tag, tvb, 0, 0, r->tag);
                proto_item_set_generated(pi);
            }
            if (r->code[0]) {
                pi = proto_tree_add_string(rt, hf_imap_code, tvb, 0, 0, r->code);
                proto_item_set_generated(pi);
                if (meaning) {
                    pi = proto_tree_add_string(rt, hf_imap_code_text, tvb, 0, 0, meaning);
                    proto_item_set_generated(pi);
                }
            }
            if (r->command[0]) {
                pi = proto_tree_add_string(rt, hf_imap_command, tvb, 0, 0, r->command);
                proto_item_set_generated(pi);
            }
            if (r->has_request) {
                pi = proto_tree_add_uint(rt, hf_imap_request_in, tvb, 0, 0, r->request_frame);
                proto_item_set_generated(pi);
                nstime_t dt;
                dt.secs = (time_t)(r->delta_ns / 1000000000);
                dt.nsecs = (int)(r->delta_ns % 1000000000);
                pi = proto_tree_add_time(rt, hf_imap_time, tvb, 0, 0, &dt);
                proto_item_set_generated(pi);
            }
        }
        if (r->kind == MAILX_IMAP_RESP_TAGGED && r->status == MAILX_IMAP_STATUS_NO)
            MAILX_EXPERT(pinfo, tree, ri, &ei_imap_no, "IMAP NO%s%s%s to %s%s%s",
                         r->code[0] ? " [" : "", r->code, r->code[0] ? "]" : "", answered,
                         meaning ? ": " : "", meaning ? meaning : "");
        else if (r->kind == MAILX_IMAP_RESP_TAGGED && r->status == MAILX_IMAP_STATUS_BAD)
            MAILX_EXPERT(pinfo, tree, ri, &ei_imap_bad, "IMAP BAD%s%s%s to %s",
                         r->code[0] ? " [" : "", r->code, r->code[0] ? "]" : "", answered);
        else if (r->status == MAILX_IMAP_STATUS_BYE && !r->has_request && r->greeting)
            MAILX_EXPERT(pinfo, tree, ri, &ei_imap_bye, "IMAP server refused the connection (BYE greeting)");
        if (r->literal_too_big)
            MAILX_EXPERT(pinfo, tree, ri, &ei_imap_literal_too_big,
                         "IMAP literal larger than 4 GiB announced; skipped as 4 GiB");
    }
    if (f->pending_dropped)
        proto_tree_add_expert_format(tree, pinfo, &ei_imap_limit, tvb, 0, 0,
            "mailx limit reached: more than %u IMAP commands waiting for responses; "
            "%" G_GUINT64_FORMAT " not paired here, nor any later one past the limit (preference "
            "mailx.imap_pending_max)", mailx_limits_now.v[MAILX_LIMIT_IMAP_PENDING], f->pending_dropped);
    for (guint i = 0; i < f->n_gap; i++)
        render_gap(&f->gap[i], pinfo, tree, tvb);
}

void mailx_imap_register(void)
{
    static gint *ett[] = { &ett_imap_response, &ett_imap_request };
    static ei_register_info ei[] = {
        { &ei_imap_no, { "mailx.imap.response.no", PI_RESPONSE_CODE, PI_WARN, "IMAP NO", EXPFILL } },
        { &ei_imap_bad, { "mailx.imap.response.bad", PI_RESPONSE_CODE, PI_WARN, "IMAP BAD", EXPFILL } },
        { &ei_imap_bye, { "mailx.imap.greeting.bye", PI_RESPONSE_CODE, PI_WARN,
            "IMAP server refused the connection", EXPFILL } },
        { &ei_imap_literal_too_big, { "mailx.imap.literal.too_big", PI_MALFORMED, PI_WARN,
            "IMAP literal size out of range", EXPFILL } },
        { &ei_imap_limit, { "mailx.limit.imap_pending", PI_PROTOCOL, PI_WARN,
            "mailx limit reached: pipelined IMAP commands", EXPFILL } },
        { &ei_imap_capture_truncated, { "mailx.imap.capture.truncated", PI_SEQUENCE, PI_NOTE,
            "IMAP bytes missing from the capture: commands waiting are left unknown", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, imap_hf, array_length(imap_hf));
    mailx_field_group_check(imap_hf, array_length(imap_hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_mailx);
    expert_register_field_array(em, ei, array_length(ei));
}
