/* Fuzz target: the IMAP session logic (epan-ext/imap_session.c): tags,
 * continuations, literals of every kind, over both byte streams as the byte
 * script of fuzz_common.h cuts them. Checks: every event's line is readable and
 * bounded, tagged responses answer earlier commands, literal sizes stay within
 * the announced limit, state stays bounded, and no more responses are reported
 * than the server sent lines; zero-length chunks are capture gaps, after which
 * no response of the server may answer a command sent before a server-side gap. */
#include "fuzz_common.h"
#include "imap_session.h"

typedef struct {
    uint32_t frame;
    uint64_t responses;
    uint32_t server_gap;   /* frame of the latest server-side gap (0: none) */
} fuzz_ctx;

static void *on_command(void *vctx, const mailx_imap_command_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->line != NULL);   /* a view: whole inside one segment, cut only when carried */
    fuzz_touch(ev->line, ev->line_len);
    if (ev->name)
        fuzz_touch((const uint8_t *)ev->name, strlen(ev->name));
    return (void *)(uintptr_t)(c->frame + 1);
}

static void on_response(void *vctx, const mailx_imap_response_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->line != NULL);   /* a view: whole inside one segment, cut only when carried */
    fuzz_touch(ev->line, ev->line_len);
    if (ev->parsed) {
        FUZZ_CHECK_VIEW(ev->resp.text_off, ev->resp.text_len, ev->line_len);
        if (ev->resp.has_code)
            FUZZ_CHECK_VIEW(ev->resp.code_off, ev->resp.code_len, ev->line_len);
    }
    if (ev->has_request) {
        FUZZ_CHECK(ev->request.num <= c->frame);
        /* never invent: after a server-side gap, no response answers a command
           sent before it */
        FUZZ_CHECK(ev->request.num > c->server_gap);
        if (ev->command)
            fuzz_touch((const uint8_t *)ev->command, strlen(ev->command));
    }
    c->responses++;
}

static void on_literal(void *vctx, const mailx_imap_literal_event *ev)
{
    FUZZ_CHECK(ev->first.num <= ((fuzz_ctx *)vctx)->frame);
    FUZZ_CHECK(ev->size <= MAILX_IMAP_LITERAL_MAX);
    FUZZ_CHECK(memchr(ev->section, '\0', sizeof ev->section) != NULL);
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

static void on_gap(void *vctx, const mailx_imap_gap_event *ev)
{
    fuzz_ctx *c = vctx;
    FUZZ_CHECK(ev->unknown <= MAILX_IMAP_PENDING_HARD_MAX);
    if (!ev->from_client && !ev->mid_session)
        c->server_gap = c->frame;
}

static const mailx_imap_sink sink = {
    .command = on_command, .response = on_response, .literal_end = on_literal,
    .message_end = on_literal, .content = on_content, .auth = on_auth, .gap = on_gap,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_script script = { data, size, 0 };
    fuzz_chunk ch;
    fuzz_ctx ctx = {0};
    uint64_t server_lines = 0;
    mailx_imap_session *s = malloc(sizeof *s);
    if (!s)
        return 0;
    mailx_imap_session_init(s);
    while (fuzz_script_next(&script, &ch)) {
        ctx.frame++;
        mailx_frame_ref ref = { .ts_ns = (int64_t)ctx.frame * 1000, .num = ctx.frame };
        if (ch.n == 0) {
            /* bytes of this direction lost from the capture (fuzz_common.h) */
            mailx_imap_session_gap(s, ch.from_client, ref, &sink, &ctx);
            continue;
        }
        if (!ch.from_client)
            for (size_t i = 0; i < ch.n; i++)
                server_lines += ch.p[i] == '\n';
        mailx_imap_session_feed(s, ch.from_client, ch.p, ch.n, ref, &sink, &ctx);
        FUZZ_CHECK(ctx.responses <= server_lines);
        FUZZ_CHECK(s->client_carry.kept <= MAILX_LINE_KEEP_MAX);
        FUZZ_CHECK(s->server_carry.kept <= MAILX_LINE_KEEP_MAX);
        FUZZ_CHECK(s->pending_count <= s->pending_max);
        FUZZ_CHECK(s->stale_count <= s->pending_count);
    }
    mailx_imap_session_free(s);
    free(s);
    return 0;
}
