/* SMTP glue: turns the session logic's events into per-frame records on the
 * first pass and renders them (mailx.smtp.* fields, expert items) on every pass. */
#include <epan/packet.h>
#include <epan/expert.h>

#include "mailx.h"
#include "mailx_msg.h"
#include "code_tables.h"
#include "auth_smtp.h"
#include "ascii_case.h"

static int hf_smtp_reply = -1;
static int hf_smtp_code = -1;
static int hf_smtp_class = -1;
static int hf_smtp_status = -1;
static int hf_smtp_subject = -1;
static int hf_smtp_detail = -1;
static int hf_smtp_status_text = -1;
static int hf_smtp_command = -1;
static int hf_smtp_request_in = -1;
static int hf_smtp_time = -1;
static int hf_smtp_request = -1;
static int hf_smtp_response_in = -1;
static int hf_smtp_data_size = -1;
static int hf_smtp_data_oversized = -1;
static int hf_smtp_data_chunks = -1;

static gint ett_smtp_reply = -1;
static gint ett_smtp_request = -1;

static expert_field ei_smtp_transient = EI_INIT;
static expert_field ei_smtp_permanent = EI_INIT;
static expert_field ei_smtp_class_mismatch = EI_INIT;
static expert_field ei_smtp_code_unregistered = EI_INIT;
static expert_field ei_smtp_reply_malformed = EI_INIT;
static expert_field ei_smtp_code_changed = EI_INIT;
static expert_field ei_smtp_message_oversized = EI_INIT;
static expert_field ei_smtp_limit_pending = EI_INIT;
static expert_field ei_smtp_capture_truncated = EI_INIT;

static const value_string smtp_class_vals[] = {
    { 2, "Success" },
    { 3, "Positive Intermediate" },
    { 4, "Persistent Transient Failure" },
    { 5, "Permanent Failure" },
    { 0, NULL }
};

/* each field's place in smtp_hf (designated below), for the per-field checks
 * (MAILX_FIELD_REAL_AT) */
enum {
    SMTP_HF_REPLY,
    SMTP_HF_CODE,
    SMTP_HF_CLASS,
    SMTP_HF_STATUS,
    SMTP_HF_SUBJECT,
    SMTP_HF_DETAIL,
    SMTP_HF_STATUS_TEXT,
    SMTP_HF_COMMAND,
    SMTP_HF_REQUEST_IN,
    SMTP_HF_TIME,
    SMTP_HF_REQUEST,
    SMTP_HF_RESPONSE_IN,
    SMTP_HF_DATA_SIZE,
    SMTP_HF_DATA_OVERSIZED,
    SMTP_HF_DATA_CHUNKS,
    SMTP_HF_COUNT
};

/* the fields of this file, one group (mailx_hf_wanted) */
static hf_register_info smtp_hf[] = {
    [SMTP_HF_REPLY] = { &hf_smtp_reply, { "SMTP reply", "mailx.smtp.reply", FT_NONE, BASE_NONE, NULL, 0x0,
        "One SMTP reply line, analysed", HFILL } },
    [SMTP_HF_CODE] = { &hf_smtp_code, { "Reply code", "mailx.smtp.code", FT_UINT16, BASE_DEC, NULL, 0x0,
        "Basic reply code, on every line of a multi-line or pipelined reply", HFILL } },
    [SMTP_HF_CLASS] = { &hf_smtp_class, { "Class", "mailx.smtp.class", FT_UINT8, BASE_DEC, VALS(smtp_class_vals), 0x0,
        "Reply class: 2 success, 3 intermediate, 4 transient failure, 5 permanent failure", HFILL } },
    [SMTP_HF_STATUS] = { &hf_smtp_status, { "Enhanced status", "mailx.smtp.status", FT_STRING, BASE_NONE, NULL, 0x0,
        "RFC 3463 enhanced status code as sent", HFILL } },
    [SMTP_HF_SUBJECT] = { &hf_smtp_subject, { "Subject", "mailx.smtp.subject", FT_UINT16, BASE_DEC, NULL, 0x0,
        "Subject digit of the enhanced status code", HFILL } },
    [SMTP_HF_DETAIL] = { &hf_smtp_detail, { "Detail", "mailx.smtp.detail", FT_UINT16, BASE_DEC, NULL, 0x0,
        "Detail number of the enhanced status code", HFILL } },
    [SMTP_HF_STATUS_TEXT] = { &hf_smtp_status_text, { "Status title", "mailx.smtp.status.text", FT_STRING, BASE_NONE, NULL, 0x0,
        "Registered title of the enhanced code, or of the basic code", HFILL } },
    [SMTP_HF_COMMAND] = { &hf_smtp_command, { "Answers", "mailx.smtp.command", FT_STRING, BASE_NONE, NULL, 0x0,
        "The command this reply answers", HFILL } },
    [SMTP_HF_REQUEST_IN] = { &hf_smtp_request_in, { "Request in", "mailx.smtp.request_in", FT_FRAMENUM, BASE_NONE,
        FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, "Frame of the command this reply answers", HFILL } },
    [SMTP_HF_TIME] = { &hf_smtp_time, { "Reply time", "mailx.smtp.time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
        "Time from the command to this reply", HFILL } },
    [SMTP_HF_REQUEST] = { &hf_smtp_request, { "SMTP command", "mailx.smtp.request", FT_STRING, BASE_NONE, NULL, 0x0,
        "A command line the client sent (or end of data, or an AUTH response)", HFILL } },
    [SMTP_HF_RESPONSE_IN] = { &hf_smtp_response_in, { "Response in", "mailx.smtp.response_in", FT_FRAMENUM, BASE_NONE,
        FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "Frame of the reply to this command", HFILL } },
    [SMTP_HF_DATA_SIZE] = { &hf_smtp_data_size, { "Message size", "mailx.smtp.data.size", FT_UINT64, BASE_DEC, NULL, 0x0,
        "Bytes of the message body (DATA up to the final dot, or BDAT chunks up to LAST)", HFILL } },
    [SMTP_HF_DATA_OVERSIZED] = { &hf_smtp_data_oversized, { "Oversized message", "mailx.smtp.data.oversized", FT_BOOLEAN, BASE_NONE,
        NULL, 0x0, "The message is larger than the mailx.data_size_limit preference", HFILL } },
    [SMTP_HF_DATA_CHUNKS] = { &hf_smtp_data_chunks, { "BDAT chunks", "mailx.smtp.data.chunks", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Number of BDAT chunks of the message", HFILL } },
};
G_STATIC_ASSERT(G_N_ELEMENTS(smtp_hf) == SMTP_HF_COUNT);

/* Collects one frame's events in packet scope during the first pass. */
typedef struct {
    packet_info *pinfo;
    mailx_frame *fr;
    mailx_rec_buf replies;   /* mailx_smtp_reply_rec */
    mailx_rec_buf commands;  /* mailx_smtp_cmd_rec * */
    mailx_rec_buf messages;  /* mailx_smtp_msg_rec */
} smtp_builder;

static gint64 frame_ns(const packet_info *pinfo)
{
    return (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
}

/* "FOO" for an unknown verb, so that `mailx.smtp.command == "FOO"` finds its reply;
 * attacker-chosen bytes: upper-cased, non-printables as '?', truncated. */
static void smtp_unknown_word(char *out, size_t size, const guint8 *word, size_t len)
{
    size_t n = 0;
    for (; n < len && n + 1 < size; n++)
        out[n] = g_ascii_isgraph(word[n]) ? g_ascii_toupper((gchar)word[n]) : '?';
    out[n] = '\0';
    if (n == 0)
        g_strlcpy(out, "(empty line)", size);
}

static void *on_command(void *ctx, const mailx_smtp_command_event *ev)
{
    smtp_builder *b = (smtp_builder *)ctx;
    /* file scope: the reply, maybe frames later, writes response_in into it */
    mailx_smtp_cmd_rec *rec = mailx_rec_new0(mailx_smtp_cmd_rec);
    rec->kind = (guint8)ev->kind;
    rec->verb = (guint8)ev->cmd.verb;
    if (ev->kind == MAILX_SMTP_ANSWERS_AUTH_RESPONSE || ev->kind == MAILX_SMTP_ANSWERS_END_OF_DATA)
        rec->verb = ev->kind == MAILX_SMTP_ANSWERS_END_OF_DATA ? MAILX_SMTP_CMD_DATA : MAILX_SMTP_CMD_AUTH;
    rec->not_remembered = ev->not_remembered;
    rec->auth_cancel = ev->auth_cancel;
    rec->line_cut = ev->line_cut;
    rec->word = "";
    if (ev->kind == MAILX_SMTP_ANSWERS_COMMAND && ev->cmd.verb == MAILX_SMTP_CMD_UNKNOWN) {
        char word[16];
        smtp_unknown_word(word, sizeof word, ev->line, ev->cmd.verb_len);
        rec->word = mailx_str_intern(word);
    }
    /* the envelope of the transaction (mailx_msg.c); RSET drops a message being read */
    if (ev->kind == MAILX_SMTP_ANSWERS_COMMAND && ev->cmd.has_path &&
        (ev->cmd.verb == MAILX_SMTP_CMD_MAIL || ev->cmd.verb == MAILX_SMTP_CMD_RCPT))
        rec->msg_ref = mailx_msg_envelope_command(b->fr->conv, ev->cmd.verb == MAILX_SMTP_CMD_MAIL,
                                                  ev->line + ev->cmd.path_off, ev->cmd.path_len);
    else if (ev->kind == MAILX_SMTP_ANSWERS_COMMAND && ev->cmd.verb == MAILX_SMTP_CMD_RSET)
        mailx_msg_abort(b->fr->conv);
    mailx_rec_append(&b->commands, b->pinfo, sizeof rec, &rec);
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
    mailx_conv *mc = b->fr->conv;
    if (!mc->smtp_auth && (ev->kind == MAILX_SMTP_ANSWERS_AUTH_RESPONSE ||
                           (ev->kind == MAILX_SMTP_ANSWERS_COMMAND && ev->cmd.verb == MAILX_SMTP_CMD_AUTH))) {
        mc->smtp_auth = wmem_new(wmem_file_scope(), mailx_auth_state);
        mailx_auth_init(mc->smtp_auth);
    }
    if (mc->smtp_auth)
        mailx_auth_smtp_command(mc->smtp_auth, ev, &aev);
    if (aev.attempt)
        mailx_auth_record(b->fr, b->pinfo, &aev, NULL);
    if (ev->kind == MAILX_SMTP_ANSWERS_COMMAND && ev->cmd.verb == MAILX_SMTP_CMD_STARTTLS)
        mailx_session_starttls(b->fr, MAILX_STARTTLS_REQUESTED);
    return ev->not_remembered ? NULL : rec;
}

static void on_reply(void *ctx, const mailx_smtp_reply_event *ev)
{
    smtp_builder *b = (smtp_builder *)ctx;
    mailx_smtp_reply_rec r;
    memset(&r, 0, sizeof r);
    r.parsed = ev->parsed;
    r.code = ev->reply.code;
    r.klass = ev->reply.klass;
    r.is_last = ev->reply.is_last;
    r.has_status = ev->reply.has_status;
    r.st_class = ev->reply.status.klass;
    r.subject = ev->reply.status.subject;
    r.detail = ev->reply.status.detail;
    r.code_changed = ev->code_changed;
    r.bare_lf = ev->bare_lf;
    r.line_cut = ev->line_cut;
    r.cut_before_code = !ev->parsed && ev->line_cut && ev->line_len < 4;
    r.answers = (guint8)ev->answers;
    r.verb = (guint8)ev->verb;
    r.has_request = ev->has_request;
    if (ev->has_request) {
        r.request = (const mailx_smtp_cmd_rec *)ev->request_token;
        r.request_frame = ev->request.num;
        r.delta_ns = frame_ns(b->pinfo) - ev->request.ts_ns;
        mailx_smtp_cmd_rec *cmd = (mailx_smtp_cmd_rec *)ev->request_token;
        /* the command's response is the reply's last line */
        if (cmd && (r.is_last || !r.parsed)) {
            cmd->response_frame = b->pinfo->num;
            cmd->response_code = r.code;
            mailx_msg_envelope_reply(cmd->msg_ref, r.code);
        }
    }
    mailx_conn_smtp_reply(b->pinfo, b->fr->conv, r.code, r.is_last);
    mailx_rec_append(&b->replies, b->pinfo, sizeof r, &r);

    mailx_session_summary *sum = &b->fr->conv->sum;
    if (r.parsed && r.is_last && (r.klass == 4 || r.klass == 5))
        sum->failures++;
    /* RFC 3207 s4: EHLO lists STARTTLS when the server offers it */
    if (r.parsed && ev->answers == MAILX_SMTP_ANSWERS_COMMAND && ev->verb == MAILX_SMTP_CMD_EHLO &&
        ev->reply.text_len == 8 && mailx_ascii_ieq(ev->line + ev->reply.text_off, "STARTTLS", 8) &&
        !sum->starttls_offered) {
        sum->starttls_offered = TRUE;
        mailx_session_starttls(b->fr, MAILX_STARTTLS_OFFERED);
    }
    if (r.parsed && r.is_last && ev->answers == MAILX_SMTP_ANSWERS_COMMAND &&
        ev->verb == MAILX_SMTP_CMD_STARTTLS)
        mailx_session_starttls(b->fr, r.code == 220 ? MAILX_STARTTLS_ACCEPTED : MAILX_STARTTLS_REFUSED);
    /* logins (mailx_auth.c): the reply that decides names itself by its codes */
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
    if (b->fr->conv->smtp_auth)
        mailx_auth_smtp_reply(b->fr->conv->smtp_auth, ev, &aev);
    if (aev.attempt) {
        char desc[40];
        if (r.has_status)
            g_snprintf(desc, sizeof desc, "%u %u.%u.%u", r.code, r.st_class, r.subject, r.detail);
        else
            g_snprintf(desc, sizeof desc, "%u", r.code);
        mailx_auth_record(b->fr, b->pinfo, &aev, desc);
    }
}

static void on_tls_started(void *ctx)
{
    mailx_session_tls_started(((smtp_builder *)ctx)->fr->conv);
}

static void on_message_end(void *ctx, const mailx_smtp_message_event *ev)
{
    smtp_builder *b = (smtp_builder *)ctx;
    mailx_smtp_msg_rec m = { .size = ev->size, .chunks = ev->chunks, .bdat = ev->bdat };
    mailx_rec_append(&b->messages, b->pinfo, sizeof m, &m);
    b->fr->conv->sum.messages++;
    mailx_msg_end(b->fr, b->pinfo, MAILX_PROTO_SMTP, ev->size, ev->bdat, ev->chunks, ev->first.num);
}

static void on_content(void *ctx, const uint8_t *data, size_t len)
{
    smtp_builder *b = (smtp_builder *)ctx;
    mailx_msg_content(b->fr->conv, data, len);
}

static const mailx_smtp_sink smtp_sink = {
    .command = on_command,
    .reply = on_reply,
    .message_end = on_message_end,
    .content = on_content,
    .tls_started = on_tls_started,
};

void mailx_smtp_analyse(mailx_frame *fr, packet_info *pinfo, GPtrArray *smtp_items)
{
    mailx_conv *mc = fr->conv;
    smtp_builder b = { .pinfo = pinfo, .fr = fr };
    mailx_frame_ref ref = { .ts_ns = frame_ns(pinfo), .num = pinfo->num };
    if (!mc->smtp) {
        mc->smtp = wmem_new(wmem_file_scope(), mailx_smtp_session);
        mailx_smtp_session_init(mc->smtp);
        mailx_smtp_session_limit(mc->smtp, mailx_limits_now.v[MAILX_LIMIT_SMTP_PENDING]);
        mailx_smtp_session_line_keep(mc->smtp, mailx_limits_now.v[MAILX_LIMIT_LINE_KEEP]);
    }
    guint64 dropped_before = mc->smtp->pending_dropped;
    guint32 missing = 0;
    gboolean lost = fr->segment_lost &&
                    mailx_smtp_session_gap(mc->smtp, fr->from_client, ref, &smtp_sink, &b);

    for (guint i = 0; i < smtp_items->len; i++) {
        field_info *fi = (field_info *)g_ptr_array_index(smtp_items, i);
        if (!fi->ds_tvb || fi->start < 0)
            continue;
        /* Only what was captured: a snaplen-cut frame gives fewer bytes. */
        gint avail = tvb_captured_length_remaining(fi->ds_tvb, fi->start);
        gint len = fi->length < avail ? fi->length : avail;
        if (len > 0) {
            const guint8 *p = tvb_get_ptr(fi->ds_tvb, fi->start, len);
            mailx_smtp_session_feed(mc->smtp, fr->from_client, p, (size_t)len, ref, &smtp_sink, &b);
        }
        /* The item reaches the end of what was captured but the frame was longer
         * (snap length): commands or replies may be gone with the rest, so pairing
         * stops (replies answer "unknown") instead of guessing; said once. */
        gint cut = tvb_reported_length_remaining(fi->ds_tvb, fi->start) - (avail > 0 ? avail : 0);
        if (cut > 0 && (len <= 0 || len == avail) &&
            mailx_smtp_session_gap(mc->smtp, fr->from_client, ref, &smtp_sink, &b))
            missing += (guint32)cut;
    }

    /* packet scope: packet-mailx.c stores it with the frame record, in one block */
    mailx_smtp_frame *sf = wmem_new0(pinfo->pool, mailx_smtp_frame);
    sf->n_replies = b.replies.n;
    sf->n_commands = b.commands.n;
    sf->n_messages = b.messages.n;
    if (sf->n_replies)
        sf->replies = (mailx_smtp_reply_rec *)b.replies.data;
    if (sf->n_commands)
        sf->commands = (mailx_smtp_cmd_rec **)b.commands.data;
    if (sf->n_messages)
        sf->messages = (mailx_smtp_msg_rec *)b.messages.data;
    /* the limit is announced once per session: in the frame that first hits it */
    sf->pending_dropped = dropped_before == 0 ? mc->smtp->pending_dropped : 0;
    sf->bytes_missing = missing;
    sf->segment_lost = lost;
    fr->smtp = sf;
}

/* The registered title of the reply: enhanced code first, then the basic code. */
static const char *reply_title(const mailx_smtp_reply_rec *r)
{
    const char *t = NULL;
    if (r->has_status)
        t = mailx_enhanced_detail_title(r->subject, r->detail);
    if (!t)
        t = mailx_smtp_basic_title(r->code);
    return t;
}

static const char *answered_name(const mailx_smtp_reply_rec *r)
{
    if (r->request && r->request->word[0])
        return r->request->word;
    return mailx_smtp_answers_name((mailx_smtp_answers)r->answers, (mailx_smtp_verb)r->verb);
}

/* want: the items are built (tree shown, or a field of this file referenced).
 * Without them every item here would be faked, that is the subtree `tree`
 * itself: so the expert items go to `tree`, as they would have. */
static void render_reply(const mailx_smtp_reply_rec *r, packet_info *pinfo, proto_tree *tree,
                         tvbuff_t *tvb, gboolean want)
{
    proto_item *ri = tree;
    if (r->cut_before_code) {
        /* too little kept to tell (mailx.limit.line says so for the session) */
        if (want) {
            ri = proto_tree_add_none_format(tree, hf_smtp_reply, tvb, 0, 0,
                                            "SMTP reply line cut before its code (answers %s)",
                                            answered_name(r));
            proto_item_set_generated(ri);
        }
        return;
    }
    if (!r->parsed) {
        if (want) {
            ri = proto_tree_add_none_format(tree, hf_smtp_reply, tvb, 0, 0,
                                            "SMTP reply line that is not a reply (answers %s)%s",
                                            answered_name(r), r->line_cut ? " (line cut)" : "");
            proto_item_set_generated(ri);
        }
        MAILX_EXPERT(pinfo, tree, ri, &ei_smtp_reply_malformed,
                     "SMTP reply line without a valid three-digit code");
        return;
    }
    gboolean registered = mailx_smtp_basic_title(r->code) != NULL;
    gboolean mismatch = r->has_status && r->st_class != r->klass;
    if (!want && !(r->is_last && (r->klass == 4 || r->klass == 5 || !registered)) &&
        !mismatch && !r->code_changed)
        return;     /* nothing to build and no expert item */

    /* the texts only where something shows them: the label, their items, the
       expert items (a failure names the status and the title, when someone
       reads its text: mailx_expert_text_read) */
    gboolean fail_note = r->is_last && (r->klass == 4 || r->klass == 5) &&
                         mailx_expert_text_read(tree, r->klass == 4 ? &ei_smtp_transient : &ei_smtp_permanent);
    gboolean label = want && MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_REPLY);
    const char *title = NULL;
    if (label || fail_note || (want && MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_STATUS_TEXT)))
        title = reply_title(r);
    const char *answered = answered_name(r);
    char status[24] = "";
    if (r->has_status &&
        (label || fail_note || mismatch || (want && MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_STATUS))))
        snprintf(status, sizeof status, "%u.%u.%u", r->st_class, r->subject, r->detail);

    if (want) {
        /* each item only where it is made (the others would be faked to their
           parent): a hidden tree with one field of these referenced */
        proto_tree *rt = tree;
        if (label) {
            ri = proto_tree_add_none_format(tree, hf_smtp_reply, tvb, 0, 0, "SMTP reply %u%s%s%s%s%s to %s",
                                            r->code, r->has_status ? " " : "", status,
                                            title ? " (" : "", title ? title : "", title ? ")" : "", answered);
            proto_item_set_generated(ri);
            if (r->line_cut)
                proto_item_append_text(ri, " (line cut)");
            rt = proto_item_add_subtree(ri, ett_smtp_reply);
        }
        proto_item *pi;
        if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_CODE)) {
            pi = proto_tree_add_uint(rt, hf_smtp_code, tvb, 0, 0, r->code);
            proto_item_set_generated(pi);
        }
        /* RFC 3463 classes are 2/4/5; 3xx is intermediate (RFC 5321 s4.2.1) */
        if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_CLASS)) {
            pi = proto_tree_add_uint(rt, hf_smtp_class, tvb, 0, 0, r->klass);
            proto_item_set_generated(pi);
        }
        if (r->has_status) {
            if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_STATUS)) {
                pi = proto_tree_add_string(rt, hf_smtp_status, tvb, 0, 0, status);
                proto_item_set_generated(pi);
            }
            if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_SUBJECT)) {
                const char *subj = mailx_enhanced_subject_title(r->subject);
                pi = proto_tree_add_uint_format_value(rt, hf_smtp_subject, tvb, 0, 0, r->subject, "%u%s%s%s",
                                                      r->subject, subj ? " (" : "", subj ? subj : "",
                                                      subj ? ")" : "");
                proto_item_set_generated(pi);
            }
            if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_DETAIL)) {
                pi = proto_tree_add_uint(rt, hf_smtp_detail, tvb, 0, 0, r->detail);
                proto_item_set_generated(pi);
            }
        }
        if (title && MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_STATUS_TEXT)) {
            pi = proto_tree_add_string(rt, hf_smtp_status_text, tvb, 0, 0, title);
            proto_item_set_generated(pi);
        }
        if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_COMMAND)) {
            pi = proto_tree_add_string(rt, hf_smtp_command, tvb, 0, 0, answered);
            proto_item_set_generated(pi);
        }
        if (r->has_request) {
            if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_REQUEST_IN)) {
                pi = proto_tree_add_uint(rt, hf_smtp_request_in, tvb, 0, 0, r->request_frame);
                proto_item_set_generated(pi);
            }
            if (MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_TIME)) {
                nstime_t dt;
                dt.secs = (time_t)(r->delta_ns / 1000000000);
                dt.nsecs = (int)(r->delta_ns % 1000000000);
                pi = proto_tree_add_time(rt, hf_smtp_time, tvb, 0, 0, &dt);
                proto_item_set_generated(pi);
            }
        }
    }

    /* One expert item per reply (on its last line), not one per continuation line. */
    if (r->is_last) {
        if (r->klass == 4)
            MAILX_EXPERT(pinfo, tree, ri, &ei_smtp_transient, "Transient failure %u%s%s (%s) to %s",
                         r->code, r->has_status ? " " : "", status,
                         title ? title : "unregistered code", answered);
        else if (r->klass == 5)
            MAILX_EXPERT(pinfo, tree, ri, &ei_smtp_permanent, "Permanent failure %u%s%s (%s) to %s",
                         r->code, r->has_status ? " " : "", status,
                         title ? title : "unregistered code", answered);
        if (!registered)
            MAILX_EXPERT(pinfo, tree, ri, &ei_smtp_code_unregistered,
                         "SMTP reply code %u is not in RFC 5321 or its extensions", r->code);
    }
    /* RFC 3463 s2: the class of the enhanced code must match the first digit */
    if (mismatch)
        MAILX_EXPERT(pinfo, tree, ri, &ei_smtp_class_mismatch,
                     "Enhanced status %s has class %u but the reply code %u has class %u",
                     status, r->st_class, r->code, r->klass);
    if (r->code_changed)
        MAILX_EXPERT(pinfo, tree, ri, &ei_smtp_code_changed,
                     "Continuation line with code %u inside another multi-line reply (RFC 5321 s4.2.1)",
                     r->code);
}

static void render_command(const mailx_smtp_cmd_rec *c, proto_tree *tree, tvbuff_t *tvb)
{
    gboolean real_resp = c->response_frame && MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_RESPONSE_IN);
    if (!MAILX_FIELD_REAL_AT(tree, smtp_hf, SMTP_HF_REQUEST) && !real_resp)
        return;     /* both would be faked */
    const char *name = c->kind == MAILX_SMTP_ANSWERS_END_OF_DATA ? "end of data"
                     : c->kind == MAILX_SMTP_ANSWERS_AUTH_RESPONSE ? "AUTH response"
                     : c->word[0] ? c->word : mailx_smtp_verb_name((mailx_smtp_verb)c->verb);
    proto_item *ci = proto_tree_add_string(tree, hf_smtp_request, tvb, 0, 0, name);
    proto_item_set_generated(ci);
    if (c->line_cut)
        proto_item_append_text(ci, " (line cut)");
    if (c->response_frame) {
        proto_item_append_text(ci, " (answered %u in frame %u)", c->response_code, c->response_frame);
        proto_tree *ct = proto_item_add_subtree(ci, ett_smtp_request);
        proto_item *pi = proto_tree_add_uint(ct, hf_smtp_response_in, tvb, 0, 0, c->response_frame);
        proto_item_set_generated(pi);
    }
}

void mailx_smtp_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    const mailx_smtp_frame *sf = fr->smtp;
    gboolean want = MAILX_FIELDS_WANTED(tree, smtp_hf);
    for (guint i = 0; want && i < sf->n_commands; i++)
        render_command(sf->commands[i], tree, tvb);
    for (guint i = 0; i < sf->n_replies; i++)
        render_reply(&sf->replies[i], pinfo, tree, tvb, want);
    for (guint i = 0; i < sf->n_messages; i++) {
        const mailx_smtp_msg_rec *m = &sf->messages[i];
        gboolean oversized = mailx_msg_oversized(m->size);
        if (!want && !oversized)
            continue;
        proto_item *pi = tree;
        if (want) {
            pi = proto_tree_add_uint64(tree, hf_smtp_data_size, tvb, 0, 0, m->size);
            proto_item_set_generated(pi);
            if (m->bdat) {
                proto_item_append_text(pi, " (BDAT, %u chunk%s)", m->chunks, m->chunks == 1 ? "" : "s");
                pi = proto_tree_add_uint(tree, hf_smtp_data_chunks, tvb, 0, 0, m->chunks);
                proto_item_set_generated(pi);
            }
        }
        /* a flag field is present only when true, so the bare filter name selects */
        if (oversized) {
            if (want) {
                pi = proto_tree_add_boolean(tree, hf_smtp_data_oversized, tvb, 0, 0, TRUE);
                proto_item_set_generated(pi);
            }
            MAILX_EXPERT(pinfo, tree, pi, &ei_smtp_message_oversized,
                         "Message of %" G_GUINT64_FORMAT " bytes exceeds the %u-byte limit (mailx.data_size_limit)",
                         m->size, mailx_pref_data_size_limit);
        }
    }
    if (sf->pending_dropped)
        proto_tree_add_expert_format(tree, pinfo, &ei_smtp_limit_pending, tvb, 0, 0,
            "mailx limit reached: more than %u SMTP commands waiting for replies; "
            "%" G_GUINT64_FORMAT " not paired here, nor any later one past the limit (preference "
            "mailx.smtp_pending_max)", mailx_limits_now.v[MAILX_LIMIT_SMTP_PENDING], sf->pending_dropped);
    if (sf->bytes_missing)
        proto_tree_add_expert_format(tree, pinfo, &ei_smtp_capture_truncated, tvb, 0, 0,
            "%u bytes of SMTP data were not captured (snap length): later replies in this "
            "session are not paired with commands (answer unknown)", sf->bytes_missing);
    if (sf->segment_lost)
        proto_tree_add_expert_format(tree, pinfo, &ei_smtp_capture_truncated, tvb, 0, 0,
            "SMTP data before this frame was not captured (lost segment): later replies in "
            "this session are not paired with commands (answer unknown)");
}

void mailx_smtp_register(void)
{
    static gint *ett[] = { &ett_smtp_reply, &ett_smtp_request };
    static ei_register_info ei[] = {
        { &ei_smtp_transient, { "mailx.smtp.transient", PI_RESPONSE_CODE, PI_WARN,
            "SMTP transient failure (class 4)", EXPFILL } },
        { &ei_smtp_permanent, { "mailx.smtp.permanent", PI_RESPONSE_CODE, PI_ERROR,
            "SMTP permanent failure (class 5)", EXPFILL } },
        { &ei_smtp_class_mismatch, { "mailx.smtp.status.class_mismatch", PI_PROTOCOL, PI_WARN,
            "Enhanced status class differs from the reply code class", EXPFILL } },
        { &ei_smtp_code_unregistered, { "mailx.smtp.code.unregistered", PI_RESPONSE_CODE, PI_NOTE,
            "SMTP reply code not in RFC 5321 or its extensions", EXPFILL } },
        { &ei_smtp_reply_malformed, { "mailx.smtp.reply.malformed", PI_MALFORMED, PI_WARN,
            "SMTP reply line without a valid code", EXPFILL } },
        { &ei_smtp_code_changed, { "mailx.smtp.reply.code_changed", PI_PROTOCOL, PI_WARN,
            "Multi-line reply whose lines carry different codes", EXPFILL } },
        { &ei_smtp_message_oversized, { "mailx.smtp.message.oversized", PI_PROTOCOL, PI_WARN,
            "Message larger than the configured limit", EXPFILL } },
        { &ei_smtp_limit_pending, { "mailx.limit.smtp_pending", PI_PROTOCOL, PI_WARN,
            "mailx limit reached: pipelined SMTP commands", EXPFILL } },
        { &ei_smtp_capture_truncated, { "mailx.smtp.capture.truncated", PI_SEQUENCE, PI_NOTE,
            "SMTP bytes missing from the capture: pairing stops", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, smtp_hf, array_length(smtp_hf));
    mailx_field_group_check(smtp_hf, array_length(smtp_hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_mailx);
    expert_register_field_array(em, ei, array_length(ei));
}
