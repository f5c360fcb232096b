/* POP3 glue: feeds the pop dissector's bytes to the epan-ext session logic on
 * the first pass, keeps per-frame records (status lines with the command each
 * answers, commands with their response frame, logins) and renders mailx.pop.*
 * on every pass. */
#include <epan/packet.h>
#include <epan/expert.h>

#include "mailx.h"
#include "mailx_msg.h"
#include "code_tables.h"

static int hf_pop_response = -1;
static int hf_pop_indicator = -1;
static int hf_pop_code = -1;
static int hf_pop_code_text = -1;
static int hf_pop_command = -1;
static int hf_pop_request_in = -1;
static int hf_pop_time = -1;
static int hf_pop_request = -1;
static int hf_pop_response_in = -1;
static gint ett_pop_response = -1;
static gint ett_pop_request = -1;
/* the fields above, one group (mailx_hf_wanted) */
static hf_register_info pop_hf[] = {
    { &hf_pop_response, { "POP3 response", "mailx.pop.response", FT_NONE, BASE_NONE, NULL, 0x0,
        "One POP3 status line, analysed", HFILL } },
    { &hf_pop_indicator, { "Indicator", "mailx.pop.indicator", FT_STRING, BASE_NONE, NULL, 0x0,
        "+OK, -ERR, or + (a SASL challenge)", HFILL } },
    { &hf_pop_code, { "Response code", "mailx.pop.code", FT_STRING, BASE_NONE, NULL, 0x0,
        "RFC 2449/3206 response code in brackets, as sent (AUTH, SYS/TEMP, IN-USE ...)", HFILL } },
    { &hf_pop_code_text, { "Code meaning", "mailx.pop.code.text", FT_STRING, BASE_NONE, NULL, 0x0,
        "What the response code means", HFILL } },
    { &hf_pop_command, { "Answers", "mailx.pop.command", FT_STRING, BASE_NONE, NULL, 0x0,
        "The command this status line answers", HFILL } },
    { &hf_pop_request_in, { "Request in", "mailx.pop.request_in", FT_FRAMENUM, BASE_NONE,
        FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "Frame of the command this status answers", HFILL } },
    { &hf_pop_time, { "Response time", "mailx.pop.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
        "Time from the command to its status line", HFILL } },
    { &hf_pop_request, { "POP3 command", "mailx.pop.request", FT_STRING, BASE_NONE, NULL, 0x0,
        "A command the client sent (or an AUTH response line)", HFILL } },
    { &hf_pop_response_in, { "Response in", "mailx.pop.response_in", FT_FRAMENUM, BASE_NONE,
        FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Frame of the status line answering this command", HFILL } },
};

static expert_field ei_pop_err = EI_INIT;
static expert_field ei_pop_limit = EI_INIT;
static expert_field ei_pop_capture_truncated = EI_INIT;

typedef struct {
    packet_info *pinfo;
    mailx_frame *fr;
    mailx_rec_buf resp;    /* mailx_pop_resp_rec */
    mailx_rec_buf cmd;     /* mailx_pop_cmd_rec * */
    mailx_rec_buf gap;     /* mailx_gap_rec */
    guint8 gap_cause;       /* of the gap being reported (mailx_gap_cause) */
    guint32 gap_bytes;
    /* the latest status line, for the login record; its text is made only when
       a login needs it (on_auth), not for every status line */
    gboolean reply_set;
    const char *reply_ind;
    const char *reply_code; /* interned */
} pop_builder;

static gint64 frame_ns(const packet_info *pinfo)
{
    return (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
}

static void *on_command(void *ctx, const mailx_pop_command_event *ev)
{
    pop_builder *b = (pop_builder *)ctx;
    mailx_pop_cmd_rec *rec = mailx_rec_new0(mailx_pop_cmd_rec);
    rec->kind = (guint8)ev->kind;
    rec->line_cut = ev->line_cut;
    rec->response = "";
    char name[16] = "";
    if (ev->kind == MAILX_POP_ANSWERS_SASL_RESPONSE) {
        g_strlcpy(name, "AUTH response", sizeof name);
    } else if (ev->parsed) {
        size_t n = ev->cmd.verb_len < sizeof name - 1 ? ev->cmd.verb_len : sizeof name - 1;
        for (size_t i = 0; i < n; i++)
            name[i] = g_ascii_isprint(ev->line[i]) ? g_ascii_toupper(ev->line[i]) : '?';
    } else {
        g_strlcpy(name, "unknown", sizeof name);
    }
    rec->name = mailx_str_intern(name);
    if (ev->kind == MAILX_POP_ANSWERS_COMMAND && ev->cmd.verb == MAILX_POP_CMD_STLS)
        mailx_session_starttls(b->fr, MAILX_STARTTLS_REQUESTED);
    mailx_rec_append(&b->cmd, b->pinfo, sizeof rec, &rec);
    return ev->not_remembered ? NULL : rec;
}

static void on_response(void *ctx, const mailx_pop_response_event *ev)
{
    pop_builder *b = (pop_builder *)ctx;
    mailx_pop_resp_rec r;
    memset(&r, 0, sizeof r);
    char code[32] = "";
    r.parsed = ev->parsed;
    r.ind = (guint8)ev->status.ind;
    r.answers = (guint8)ev->answers;
    r.verb = (guint8)ev->verb;
    r.multiline = ev->opens_multiline;
    if (ev->status.has_code) {
        size_t n = ev->status.code_len < sizeof code - 1 ? ev->status.code_len : sizeof code - 1;
        for (size_t i = 0; i < n; i++) {
            guint8 c = ev->line[ev->status.code_off + i];
            code[i] = g_ascii_isprint(c) ? (char)c : '?';
        }
    }
    r.code = mailx_str_intern(code);
    const char *ind = r.ind == MAILX_POP_IND_OK ? "+OK" : r.ind == MAILX_POP_IND_ERR ? "-ERR" : "+";
    b->reply_set = TRUE;
    b->reply_ind = ind;
    b->reply_code = r.code;
    if (ev->has_request) {
        r.has_request = TRUE;
        r.request_frame = ev->request.num;
        r.delta_ns = frame_ns(b->pinfo) - ev->request.ts_ns;
        mailx_pop_cmd_rec *cmd = (mailx_pop_cmd_rec *)ev->request_token;
        if (cmd) {
            cmd->response_frame = b->pinfo->num;
            cmd->response = ind;
        }
        if (ev->answers == MAILX_POP_ANSWERS_COMMAND && ev->verb == MAILX_POP_CMD_STLS)
            mailx_session_starttls(b->fr, r.ind == MAILX_POP_IND_OK ? MAILX_STARTTLS_ACCEPTED
                                                                    : MAILX_STARTTLS_REFUSED);
    }
    if (r.ind == MAILX_POP_IND_ERR)
        b->fr->conv->sum.failures++;
    mailx_conn_pop_reply(b->pinfo, b->fr->conv, r.ind == MAILX_POP_IND_ERR, r.code);
    mailx_rec_append(&b->resp, b->pinfo, sizeof r, &r);
}

static void on_tls_started(void *ctx)
{
    mailx_session_tls_started(((pop_builder *)ctx)->fr->conv);
}

static void on_auth(void *ctx, const mailx_auth_event *ev)
{
    pop_builder *b = (pop_builder *)ctx;
    char reply[40] = "";
    if (b->reply_set)
        mailx_auth_reply_text(reply, sizeof reply, b->reply_ind, b->reply_code);
    mailx_auth_record(b->fr, b->pinfo, ev, reply);
}

static void on_message_end(void *ctx, const mailx_pop_multiline_event *ev)
{
    pop_builder *b = (pop_builder *)ctx;
    b->fr->conv->sum.messages++;
    /* the retrieved message's MIME summary and attachments (mailx_msg.c) */
    mailx_msg_end(b->fr, b->pinfo, MAILX_PROTO_POP, ev->size, FALSE, 0, ev->first.num);
}

static void on_content(void *ctx, const uint8_t *data, size_t len)
{
    mailx_msg_content(((pop_builder *)ctx)->fr->conv, data, len);
}

static void on_gap(void *ctx, const mailx_pop_gap_event *ev)
{
    pop_builder *b = (pop_builder *)ctx;
    mailx_gap_rec g;
    memset(&g, 0, sizeof g);
    g.cause = ev->mid_session ? MAILX_GAP_MID_SESSION : b->gap_cause;
    g.from_client = ev->from_client;
    g.body_cut = ev->message_cut;
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

static const mailx_pop_sink pop_sink = {
    .command = on_command,
    .response = on_response,
    .message_end = on_message_end,
    .content = on_content,
    .tls_started = on_tls_started,
    .auth = on_auth,
    .gap = on_gap,
};

static void pop_gap(pop_builder *b, mailx_frame_ref ref, gboolean from_client, mailx_gap_cause cause,
                     guint32 bytes)
{
    b->gap_cause = (guint8)cause;
    b->gap_bytes = bytes;
    mailx_pop_session_gap(b->fr->conv->pop, from_client, ref, &pop_sink, b);
}

void mailx_pop_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *items)
{
    mailx_conv *mc = fr->conv;
    if (!mc->pop) {
        mc->pop = wmem_new(wmem_file_scope(), mailx_pop_session);
        mailx_pop_session_init(mc->pop);
        mailx_pop_session_limit(mc->pop, mailx_limits_now.v[MAILX_LIMIT_POP_PENDING]);
        mailx_pop_session_line_keep(mc->pop, mailx_limits_now.v[MAILX_LIMIT_LINE_KEEP]);
        mc->pop->joined_late = !mailx_conn_saw_handshake(pinfo);
    }
    pop_builder b = { .pinfo = pinfo, .fr = fr };
    mailx_frame_ref ref = { .ts_ns = frame_ns(pinfo), .num = pinfo->num };
    guint64 dropped_before = mc->pop->pending_dropped;
    gboolean offered_before = mc->pop->starttls_offered;

    /* bytes of this direction went missing before this frame (pop_session.h) */
    guint8 gap_cause[2];
    guint32 gap_bytes[2];
    if (mailx_frame_gaps(fr, gap_cause, gap_bytes)) {
        /* the other side's first: its gap lies before this frame was sent */
        int peer = fr->from_client ? 0 : 1, own = fr->from_client ? 1 : 0;
        if (gap_cause[peer])
            pop_gap(&b, ref, !fr->from_client, (mailx_gap_cause)gap_cause[peer], gap_bytes[peer]);
        if (gap_cause[own])
            pop_gap(&b, ref, fr->from_client, (mailx_gap_cause)gap_cause[own], gap_bytes[own]);
    }
    for (guint i = 0; i < items->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(items, i);
        if (!fi->ds_tvb || fi->start < 0)
            continue;
        gint avail = tvb_captured_length_remaining(fi->ds_tvb, fi->start);
        gint len = fi->length < avail ? fi->length : avail;
        if (len > 0) {
            const guint8 *p = tvb_get_ptr(fi->ds_tvb, fi->start, len);
            mailx_pop_session_feed(mc->pop, fr->from_client, p, (size_t)len, ref, &pop_sink, &b);
        }
        /* the item reaches the end of what was captured but the frame was longer
           (snap length): the rest is a gap */
        gint cut = tvb_reported_length_remaining(fi->ds_tvb, fi->start) - (avail > 0 ? avail : 0);
        if (cut > 0 && (len <= 0 || len == avail))
            pop_gap(&b, ref, fr->from_client, MAILX_GAP_SNAP, (guint32)cut);
    }
    if (mc->pop->starttls_offered) {
        mc->sum.starttls_offered = TRUE;
        if (!offered_before)
            mailx_session_starttls(fr, MAILX_STARTTLS_OFFERED);
    }

    /* packet scope: packet-mailx.c stores it with the frame record, in one block */
    mailx_pop_frame *pf = wmem_new0(pinfo->pool, mailx_pop_frame);
    pf->n_resp = b.resp.n;
    pf->n_cmd = b.cmd.n;
    if (pf->n_resp)
        pf->resp = (mailx_pop_resp_rec *)b.resp.data;
    if (pf->n_cmd)
        pf->cmd = (mailx_pop_cmd_rec **)b.cmd.data;
    /* the limit is announced once per session: in the frame that first hits it */
    pf->pending_dropped = dropped_before == 0 ? mc->pop->pending_dropped : 0;
    pf->n_gap = b.gap.n;
    if (pf->n_gap)
        pf->gap = (mailx_gap_rec *)b.gap.data;
    fr->pop = pf;
}

/* One note per gap: what is missing and what it leaves unknown. */
static void render_gap(const mailx_gap_rec *g, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    const char *side = g->from_client ? "client" : "server";
    char what[96];
    if (g->cause == MAILX_GAP_MID_SESSION) {
        proto_tree_add_expert_format(tree, pinfo, &ei_pop_capture_truncated, tvb, 0, 0,
            "The first line seen of this POP3 session is not the server's greeting (the capture "
            "starts inside the session, or its start was not captured): responses are paired "
            "from the next command the client sends");
        return;
    }
    if (g->cause == MAILX_GAP_SNAP)
        g_snprintf(what, sizeof what, "%u bytes of POP3 %s data were not captured (snap length)",
                   g->bytes_missing, side);
    else
        g_snprintf(what, sizeof what, "POP3 %s data before this frame was not captured (lost segment)",
                   side);
    if (g->from_client)
        proto_tree_add_expert_format(tree, pinfo, &ei_pop_capture_truncated, tvb, 0, 0,
            "%s: commands may be lost%s; responses after those of the commands seen answer "
            "unknown until the next command the client sends",
            what, g->unknown ? " (a command line cut by the gap is left unknown)" : "");
    else
        proto_tree_add_expert_format(tree, pinfo, &ei_pop_capture_truncated, tvb, 0, 0,
            "%s: %u command%s left without a known response (unknown)%s; responses are paired "
            "again from the next command the client sends", what, g->unknown,
            g->unknown == 1 ? "" : "s",
            g->body_cut ? ", the message being retrieved is incomplete (no size)" : "");
}

void mailx_pop_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    const mailx_pop_frame *pf = fr->pop;
    proto_item *pi;
    /* without the items (tree hidden, no field here referenced) each would be
       faked, that is `tree` itself: the expert items go there */
    gboolean want = MAILX_FIELDS_WANTED(tree, pop_hf);
    for (guint i = 0; want && i < pf->n_cmd; i++) {
        const mailx_pop_cmd_rec *c = pf->cmd[i];
        proto_item *ci = proto_tree_add_string(tree, hf_pop_request, tvb, 0, 0, c->name);
        proto_item_set_generated(ci);
        if (c->line_cut)
            proto_item_append_text(ci, " (line cut)");
        if (c->response_frame) {
            proto_item_append_text(ci, " (answered %s in frame %u)", c->response, c->response_frame);
            proto_tree *ct = proto_item_add_subtree(ci, ett_pop_request);
            pi = proto_tree_add_uint(ct, hf_pop_response_in, tvb, 0, 0, c->response_frame);
            proto_item_set_generated(pi);
        }
    }
    for (guint i = 0; i < pf->n_resp; i++) {
        const mailx_pop_resp_rec *r = &pf->resp[i];
        if (!r->parsed)
            continue;   /* a line of a multi-line response seen without its start */
        if (!want && r->ind != MAILX_POP_IND_ERR)
            continue;
        const char *ind = r->ind == MAILX_POP_IND_OK ? "+OK" : r->ind == MAILX_POP_IND_ERR ? "-ERR" : "+";
        const char *answered = mailx_pop_answers_name((mailx_pop_answers)r->answers, (mailx_pop_verb)r->verb);
        const char *meaning = r->code[0] ? mailx_pop_code_meaning(r->code, strlen(r->code)) : NULL;
        proto_item *ri = tree;
        if (want) {
            ri = proto_tree_add_none_format(tree, hf_pop_response, tvb, 0, 0,
                "POP3 %s%s%s%s to %s", ind, r->code[0] ? " [" : "", r->code, r->code[0] ? "]" : "", answered);
            proto_item_set_generated(ri);
            proto_tree *rt = proto_item_add_subtree(ri, ett_pop_response);
            pi = proto_tree_add_string(rt, hf_pop_indicator, tvb, 0, 0, ind);
            proto_item_set_generated(pi);
            if (r->code[0]) {
                pi = proto_tree_add_string(rt, hf_pop_code, tvb, 0, 0, r->code);
                proto_item_set_generated(pi);
                if (meaning) {
                    pi = proto_tree_add_string(rt, hf_pop_code_text, tvb, 0, 0, meaning);
                    proto_item_set_generated(pi);
                }
            }
            pi = proto_tree_add_string(rt, hf_pop_command, tvb, 0, 0, answered);
            proto_item_set_generated(pi);
            if (r->has_request) {
                pi = proto_tree_add_uint(rt, hf_pop_request_in, tvb, 0, 0, r->request_frame);
                proto_item_set_generated(pi);
                nstime_t dt;
                dt.secs = (time_t)(r->delta_ns / 1000000000);
                dt.nsecs = (int)(r->delta_ns % 1000000000);
                pi = proto_tree_add_time(rt, hf_pop_time, tvb, 0, 0, &dt);
                proto_item_set_generated(pi);
            }
        }
        if (r->ind == MAILX_POP_IND_ERR)
            MAILX_EXPERT(pinfo, tree, ri, &ei_pop_err, "POP3 -ERR%s%s%s to %s%s%s",
                         r->code[0] ? " [" : "", r->code, r->code[0] ? "]" : "", answered,
                         meaning ? ": " : "", meaning ? meaning : "");
    }
    if (pf->pending_dropped)
        proto_tree_add_expert_format(tree, pinfo, &ei_pop_limit, tvb, 0, 0,
            "mailx limit reached: more than %u POP3 commands waiting for responses; "
            "%" G_GUINT64_FORMAT " not paired here, nor any later one past the limit (preference "
            "mailx.pop_pending_max)", mailx_limits_now.v[MAILX_LIMIT_POP_PENDING], pf->pending_dropped);
    for (guint i = 0; i < pf->n_gap; i++)
        render_gap(&pf->gap[i], pinfo, tree, tvb);
}

void mailx_pop_register(void)
{
    static gint *ett[] = { &ett_pop_response, &ett_pop_request };
    static ei_register_info ei[] = {
        { &ei_pop_err, { "mailx.pop.response.err", PI_RESPONSE_CODE, PI_WARN,
            "POP3 -ERR", EXPFILL } },
        { &ei_pop_limit, { "mailx.limit.pop_pending", PI_PROTOCOL, PI_WARN,
            "mailx limit reached: pipelined POP3 commands", EXPFILL } },
        { &ei_pop_capture_truncated, { "mailx.pop.capture.truncated", PI_SEQUENCE, PI_NOTE,
            "POP3 bytes missing from the capture: pairing stops until the next command", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, pop_hf, array_length(pop_hf));
    mailx_field_group_check(pop_hf, array_length(pop_hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_mailx);
    expert_register_field_array(em, ei, array_length(ei));
}
