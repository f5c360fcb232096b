/* Fuzz target: the POP3 session logic (epan-ext/pop_session.c) over both byte
 * streams as the byte script of fuzz_common.h cuts them. Checks: every event's
 * line is readable and bounded, replies answer earlier commands, state stays
 * bounded, and no more responses are reported than the server sent lines;
 * zero-length chunks are capture gaps, after which no response of the server
 * may answer a command sent before a server-side gap. */
#include "fuzz_common.h"
#include "pop_session.h"

typedef struct {
    uint32_t frame;
    uint64_t responses;
    uint32_t server_gap;   /* frame of the latest server-side gap (0: none) */
} fuzz_ctx;

static void *on_command(void *vctx, const mailx_pop_command_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->line != NULL);   /* a view: whole inside one segment, cut only when carried */
    fuzz_touch(ev->line, ev->line_len);
    if (ev->parsed)
        FUZZ_CHECK_VIEW(ev->cmd.arg_off, ev->cmd.arg_len, ev->line_len);
    return (void *)(uintptr_t)(c->frame + 1);
}

static void on_response(void *vctx, const mailx_pop_response_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->line != NULL);   /* a view: whole inside one segment, cut only when carried */
    fuzz_touch(ev->line, ev->line_len);
    if (ev->parsed) {
        FUZZ_CHECK_VIEW(ev->status.text_off, ev->status.text_len, ev->line_len);
        if (ev->status.has_code)
            FUZZ_CHECK_VIEW(ev->status.code_off, ev->status.code_len, ev->line_len);
    }
    if (ev->has_request) {
        FUZZ_CHECK(ev->request.num <= c->frame);
        /* never invent: after a server-side gap, no response answers a command
           sent before it */
        FUZZ_CHECK(ev->request.num > c->server_gap);
        FUZZ_CHECK((uintptr_t)ev->request_token >= 1 && (uintptr_t)ev->request_token <= c->frame + 1);
    }
    FUZZ_CHECK(mailx_pop_answers_name(ev->answers, ev->verb) != NULL);
    c->responses++;
}

static void on_multi(void *vctx, const mailx_pop_multiline_event *ev)
{
    FUZZ_CHECK(ev->first.num <= ((fuzz_ctx *)vctx)->frame);
}

static void on_content(void *vctx, const uint8_t *p, size_t n)
{
    (void)vctx;
    fuzz_touch(p, n);
}

static void on_auth(void *vctx, const mailx_auth_event *ev)
{
    (void)vctx;
    FUZZ_CHECK(memchr(ev->user, '\0', sizeof ev->user) != NULL);
    FUZZ_CHECK(memchr(ev->mech, '\0', sizeof ev->mech) != NULL);
}

static void on_gap(void *vctx, const mailx_pop_gap_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->unknown <= MAILX_POP_PENDING_HARD_MAX + 1);   /* the waiting ones + a cut line */
    if (!ev->from_client && !ev->mid_session)
        c->server_gap = c->frame;
}

static const mailx_pop_sink sink = {
    .command = on_command, .response = on_response, .multiline_end = on_multi,
    .message_end = on_multi, .content = on_content, .auth = on_auth, .gap = on_gap,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_script script = { data, size, 0 };
    fuzz_chunk ch;
    fuzz_ctx ctx = {0};
    uint64_t server_lines = 0;
    mailx_pop_session *s = malloc(sizeof *s);
    if (!s)
        return 0;
    mailx_pop_session_init(s);
    while (fuzz_script_next(&script, &ch)) {
        ctx.frame++;
        mailx_frame_ref ref = { .ts_ns = (int64_t)ctx.frame * 1000, .num = ctx.frame };
        if (ch.n == 0) {
            /* bytes of this direction lost from the capture (fuzz_common.h) */
            mailx_pop_session_gap(s, ch.from_client, ref, &sink, &ctx);
            continue;
        }
        if (!ch.from_client)
            for (size_t i = 0; i < ch.n; i++)
                server_lines += ch.p[i] == '\n';
        mailx_pop_session_feed(s, ch.from_client, ch.p, ch.n, ref, &sink, &ctx);
        FUZZ_CHECK(ctx.responses <= server_lines);
        FUZZ_CHECK(s->client_carry.kept <= MAILX_LINE_KEEP_MAX);
        FUZZ_CHECK(s->server_carry.kept <= MAILX_LINE_KEEP_MAX);
        FUZZ_CHECK(s->pending_count <= s->pending_max);
    }
    mailx_pop_session_free(s);
    free(s);
    return 0;
}
