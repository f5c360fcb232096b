/* Fuzz target: the SMTP session logic (epan-ext/smtp_session.c) over both byte
 * streams of one conversation, as the byte script of fuzz_common.h cuts them
 * into segments in both directions. Checks that every event's line is readable,
 * that state stays bounded, that a reply answers a command seen earlier, and
 * that no server line is lost: until STARTTLS, reply events == server lines. */
#include "fuzz_common.h"
#include "smtp_session.h"

typedef struct {
    uint32_t frame;
    uint64_t commands, replies;
    bool tls;
    uint32_t token_frames[64];   /* tokens are frame numbers tagged by slot */
} fuzz_ctx;

static void *on_command(void *vctx, const mailx_smtp_command_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->line != NULL);   /* a view: whole inside one segment, cut only when carried */
    fuzz_touch(ev->line, ev->line_len);
    FUZZ_CHECK_VIEW(ev->cmd.arg_off, ev->cmd.arg_len, ev->line_len);
    if (ev->cmd.has_path)
        FUZZ_CHECK_VIEW(ev->cmd.path_off, ev->cmd.path_len, ev->line_len);
    c->commands++;
    /* a token the reply must hand back unchanged: the slot of this frame */
    size_t slot = c->commands % 64;
    c->token_frames[slot] = c->frame;
    return (void *)(uintptr_t)(slot + 1);
}

static void on_reply(void *vctx, const mailx_smtp_reply_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->line != NULL);   /* a view: whole inside one segment, cut only when carried */
    fuzz_touch(ev->line, ev->line_len);
    if (ev->parsed)
        FUZZ_CHECK_VIEW(ev->reply.text_off, ev->reply.text_len, ev->line_len);
    if (ev->has_request) {
        FUZZ_CHECK(ev->request.num <= c->frame);
        FUZZ_CHECK(ev->answers != MAILX_SMTP_ANSWERS_NOTHING &&
                   ev->answers != MAILX_SMTP_ANSWERS_GREETING);
        FUZZ_CHECK(ev->request_token != NULL);
    }
    const char *name = mailx_smtp_answers_name(ev->answers, ev->verb);
    FUZZ_CHECK(name != NULL);
    c->replies++;
}

static void on_message_end(void *vctx, const mailx_smtp_message_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->first.num <= c->frame);
}

static void on_content(void *vctx, const uint8_t *p, size_t n)
{
    (void)vctx;
    fuzz_touch(p, n);
}

static void on_tls(void *vctx)
{
    ((fuzz_ctx *)vctx)->tls = true;
}

static const mailx_smtp_sink sink = {
    .command = on_command, .reply = on_reply, .message_end = on_message_end,
    .content = on_content, .tls_started = on_tls,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_script script = { data, size, 0 };
    fuzz_chunk ch;
    fuzz_ctx ctx = {0};
    mailx_smtp_session s;
    uint64_t server_lines = 0;
    bool counting = true;

    mailx_smtp_session_init(&s);
    while (fuzz_script_next(&script, &ch)) {
        ctx.frame++;
        mailx_frame_ref ref = { .ts_ns = (int64_t)ctx.frame * 1000, .num = ctx.frame };
        uint64_t lf = 0;
        if (!ch.from_client)
            for (size_t i = 0; i < ch.n; i++)
                lf += ch.p[i] == '\n';
        mailx_smtp_session_feed(&s, ch.from_client, ch.p, ch.n, ref, &sink, &ctx);
        if (ctx.tls)
            counting = false;   /* the rest of a STARTTLS chunk is TLS, not lines */
        if (counting) {
            server_lines += lf;
            FUZZ_CHECK(ctx.replies == server_lines);
        }
        FUZZ_CHECK(s.pending_count <= s.pending_cap && s.pending_cap <= MAILX_SMTP_PENDING_MAX);
        FUZZ_CHECK(s.client_carry.kept <= MAILX_LINE_KEEP_MAX);
        FUZZ_CHECK(s.server_carry.kept <= MAILX_LINE_KEEP_MAX);
    }
    mailx_smtp_session_free(&s);
    return 0;
}
