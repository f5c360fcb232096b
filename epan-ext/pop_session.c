/* POP3 session state machine over the two byte streams of one conversation.
 * See pop_session.h. */
#include "pop_session.h"
#include "ascii_case.h"

#include <glib.h>
#include <string.h>

void mailx_pop_session_init(mailx_pop_session *s)
{
    memset(s, 0, sizeof *s);
    s->pending_max = MAILX_POP_PENDING_MAX;
    mailx_auth_init(&s->auth);
}

void mailx_pop_session_limit(mailx_pop_session *s, uint32_t pending_max)
{
    s->pending_max = pending_max < 1 ? 1 : pending_max > MAILX_POP_PENDING_HARD_MAX
                     ? MAILX_POP_PENDING_HARD_MAX : pending_max;
}

void mailx_pop_session_line_keep(mailx_pop_session *s, uint32_t keep_max)
{
    mailx_line_carry_keep(&s->client_carry, keep_max);
    mailx_line_carry_keep(&s->server_carry, keep_max);
}

uint64_t mailx_pop_session_lines_cut(const mailx_pop_session *s)
{
    return s->client_carry.cut + s->server_carry.cut;
}

void mailx_pop_session_free(mailx_pop_session *s)
{
    mailx_line_carry_clear(&s->client_carry);
    mailx_line_carry_clear(&s->server_carry);
    g_free(s->pending);
    s->pending = NULL;
    s->pending_cap = s->pending_count = s->pending_head = 0;
}

/* The ring starts small and doubles: a fixed 64-slot table made every POP3
 * session 2.9 kB in file scope (docs/performance.md). */
static bool pending_push(mailx_pop_session *s, const mailx_pop_pending *p)
{
    if (s->pending_count == s->pending_cap) {
        if (s->pending_cap >= s->pending_max) {
            s->pending_dropped++;
            return false;
        }
        uint32_t cap = s->pending_cap ? s->pending_cap * 2 : 4;
        if (cap > s->pending_max)
            cap = s->pending_max;
        mailx_pop_pending *ring = g_new(mailx_pop_pending, cap);
        for (uint32_t i = 0; i < s->pending_count; i++)
            ring[i] = s->pending[(s->pending_head + i) % s->pending_cap];
        g_free(s->pending);
        s->pending = ring;
        s->pending_cap = cap;
        s->pending_head = 0;
    }
    s->pending[(s->pending_head + s->pending_count) % s->pending_cap] = *p;
    s->pending_count++;
    return true;
}

static bool pending_pop(mailx_pop_session *s, mailx_pop_pending *out)
{
    if (s->pending_count == 0)
        return false;
    *out = s->pending[s->pending_head];
    s->pending_head = (s->pending_head + 1) % s->pending_cap;
    s->pending_count--;
    return true;
}

static void emit_auth(const mailx_pop_sink *sink, void *ctx, const mailx_auth_event *ev)
{
    if (ev->attempt && sink->auth)
        sink->auth(ctx, ev);
}

static uint32_t parse_num(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        if (!g_ascii_isdigit(p[i]))
            return 0;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    return v > UINT32_MAX ? 0 : (uint32_t)v;
}

static void client_line(mailx_pop_session *s, const mailx_line *line, mailx_frame_ref frame,
                        const mailx_pop_sink *sink, void *ctx)
{
    mailx_pop_command_event ev = { .line = line->ptr, .line_len = line->len,
                                   .bare_lf = line->bare_lf, .line_cut = line->truncated, .kind = MAILX_POP_ANSWERS_COMMAND };
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
    mailx_pop_pending p = { .kind = MAILX_POP_ANSWERS_COMMAND, .frame = frame };

    if (s->client_sasl) {
        /* RFC 5034 s4: the line after a "+ " challenge is a SASL response */
        s->client_sasl = false;
        ev.kind = p.kind = MAILX_POP_ANSWERS_SASL_RESPONSE;
        ev.sasl_cancel = line->full_len == 1 && line->ptr[0] == '*';
        p.verb = MAILX_POP_CMD_AUTH;
        if (line->truncated)
            mailx_auth_sasl_response_cut(&s->auth, &aev);
        else
            mailx_auth_sasl_response(&s->auth, line->ptr, line->len, &aev);
    } else {
        ev.parsed = mailx_pop_command_parse(line->ptr, line->len, &ev.cmd);
        p.verb = ev.cmd.verb;
        p.has_arg = ev.cmd.arg_len > 0;
        const uint8_t *a1 = line->ptr + ev.cmd.arg_off;
        /* a cut line (mailx.line_keep_max): a user name reaching the cut is not
           read, unless what was kept of it fills what a login keeps anyway */
        const uint8_t *kept_end = line->ptr + line->len;
        bool user_whole = !line->truncated || a1 + ev.cmd.arg1_len < kept_end ||
                          ev.cmd.arg1_len >= MAILX_AUTH_USER_MAX;
        switch (ev.cmd.verb) {
        case MAILX_POP_CMD_USER:
            mailx_auth_begin(&s->auth, (const uint8_t *)"USER/PASS", 9, false, &aev);
            if (!line->truncated || ev.cmd.arg_len >= MAILX_AUTH_USER_MAX)
                mailx_auth_user(&s->auth, a1, ev.cmd.arg_len, &aev);
            break;
        case MAILX_POP_CMD_PASS:
            /* a PASS without USER in the capture still is a login with a password */
            if (!s->auth.open || strcmp(s->auth.mech, "USER/PASS") != 0)
                mailx_auth_begin(&s->auth, (const uint8_t *)"USER/PASS", 9, false, &aev);
            mailx_auth_credential(&s->auth, &aev);
            break;
        case MAILX_POP_CMD_APOP:
            /* RFC 1939 s7: APOP name digest (MD5 of timestamp + secret, not reversible) */
            mailx_auth_begin(&s->auth, (const uint8_t *)"APOP", 4, false, &aev);
            if (user_whole)
                mailx_auth_user(&s->auth, a1, ev.cmd.arg1_len, &aev);
            break;
        case MAILX_POP_CMD_AUTH:
            /* RFC 5034 s4: AUTH mechanism [initial-response]; AUTH alone lists */
            if (ev.cmd.arg1_len > 0) {
                mailx_auth_begin(&s->auth, a1, ev.cmd.arg1_len, true, &aev);
                if (ev.cmd.arg2_len > 0 && line->truncated)
                    mailx_auth_sasl_response_cut(&s->auth, &aev);
                else if (ev.cmd.arg2_len > 0)
                    mailx_auth_sasl_response(&s->auth, line->ptr + ev.cmd.arg2_off,
                                             ev.cmd.arg2_len, &aev);
            }
            break;
        case MAILX_POP_CMD_RETR:
        case MAILX_POP_CMD_TOP:
            p.arg_num = parse_num(a1, ev.cmd.arg1_len);
            break;
        default:
            break;
        }
    }
    ev.not_remembered = s->pending_count >= s->pending_max;
    p.token = sink->command ? sink->command(ctx, &ev) : NULL;
    p.srv_lines = s->srv_lines;
    pending_push(s, &p);
    emit_auth(sink, ctx, &aev);
}

static bool word_in(const uint8_t *p, size_t n, const char *w)
{
    size_t wl = strlen(w);
    return n >= wl && mailx_ascii_ieq(p, w, wl) &&
           (n == wl || p[wl] == ' ');
}

static void multiline_line(mailx_pop_session *s, const mailx_line *line,
                           const mailx_pop_sink *sink, void *ctx)
{
    bool message = s->ml_verb == MAILX_POP_CMD_RETR || s->ml_verb == MAILX_POP_CMD_TOP;
    if (!line->cont && line->full_len == 1 && line->ptr[0] == '.') {
        /* RFC 1939 s3: a lone "." ends a multi-line response */
        mailx_pop_multiline_event ev = { .verb = s->ml_verb, .lines = s->ml_lines,
                                         .size = s->ml_size, .arg_num = s->ml_arg_num,
                                         .first = s->ml_first };
        s->in_multiline = false;
        /* the last response owed to a command seen before a client-side gap is
           complete: the next line starts the response to a lost command */
        if (s->desync && s->pairable == 0)
            s->status_next = true;
        if (sink->multiline_end)
            sink->multiline_end(ctx, &ev);
        if (message) {
            s->messages++;
            if (sink->message_end)
                sink->message_end(ctx, &ev);
        }
        return;
    }
    /* RFC 1939 s3: a line starting with "." has it doubled ("byte-stuffed"); the
       last part of a line that came in pieces does not start it */
    size_t skip = !line->cont && line->len > 0 && line->ptr[0] == '.' ? 1 : 0;
    s->ml_lines++;
    s->ml_size += line->full_len - (line->cont ? s->ml_dot : skip) + 2;
    if (s->ml_verb == MAILX_POP_CMD_CAPA && !s->starttls_offered && word_in(line->ptr, line->len, "STLS"))
        s->starttls_offered = true;
    if (message && sink->content) {
        sink->content(ctx, line->ptr + skip, line->len - skip);
        sink->content(ctx, (const uint8_t *)"\r\n", 2);
    }
}

/* A piece of a message line longer than mailx.line_keep_max (mailx_line_next_piece):
 * content as it comes; the line is counted at its last part (multiline_line). */
static void multiline_piece(mailx_pop_session *s, const mailx_line *line,
                            const mailx_pop_sink *sink, void *ctx)
{
    size_t skip = !line->cont && line->len > 0 && line->ptr[0] == '.' ? 1 : 0;
    if (!line->cont)
        s->ml_dot = skip;
    if (sink->content)
        sink->content(ctx, line->ptr + skip, line->len - skip);
}

/* The next line; message content is never cut: a RETR/TOP body line past the keep
 * limit comes in pieces (the "." that ends the body always fits). */
static bool next_line(const mailx_pop_session *s, bool from_client, mailx_line_iter *it,
                      mailx_line *line)
{
    if (!from_client && s->in_multiline &&
        (s->ml_verb == MAILX_POP_CMD_RETR || s->ml_verb == MAILX_POP_CMD_TOP))
        return mailx_line_next_piece(it, line);
    return mailx_line_next(it, line);
}

/* Drops every waiting command: none will be paired (their outcome is unknown). */
static uint32_t pending_forget(mailx_pop_session *s)
{
    uint32_t n = s->pending_count;
    s->pending_count = s->pending_head = 0;
    s->pairable = 0;
    s->unknown += n;
    return n;
}

/* A server line while desynchronised (see mailx_pop_session_gap): true when it
 * may be paired as usual (it answers a command seen before a client-side gap,
 * or it resynchronises the session). */
static bool desync_line(mailx_pop_session *s, bool status)
{
    if (s->pairable > 0)
        return status;   /* still answering the commands before the client gap, in order */
    if (s->pending_count == 0)
        return false;    /* answers a command lost in the gap, or sent before it */
    const mailx_pop_pending *first = &s->pending[s->pending_head];
    if (status && first->srv_lines + 1 == s->srv_lines) {
        /* the first server line after the first command sent since the gap */
        s->desync = false;
        s->maybe_body = false;
        return true;
    }
    /* a body line (an older multi-line response still streaming), or older
     * responses arrived after the command was sent: it was pipelined behind
     * commands whose responses are unknown, so its own position is unknown */
    pending_forget(s);
    return false;
}

/* Returns true when TLS starts after this line. */
static bool server_line(mailx_pop_session *s, const mailx_line *line, mailx_frame_ref frame,
                        const mailx_pop_sink *sink, void *ctx)
{
    if (line->more) {
        multiline_piece(s, line, sink, ctx);
        return false;
    }
    s->srv_lines++;
    if (s->in_multiline) {
        multiline_line(s, line, sink, ctx);
        return false;
    }
    mailx_pop_response_event ev = { .line = line->ptr, .line_len = line->len,
                                    .bare_lf = line->bare_lf, .line_cut = line->truncated };
    ev.parsed = mailx_pop_status_parse(line->ptr, line->len, &ev.status);
    mailx_pop_pending rq;
    memset(&rq, 0, sizeof rq);
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
    bool tls_now = false;

    if (s->desync && !desync_line(s, ev.parsed)) {
        /* unpaired: a status line answers "unknown" and opens nothing */
        bool at_status = s->status_next;
        s->status_next = false;
        if (s->maybe_body && s->pairable == 0 && !at_status) {
            ev.parsed = false;
            memset(&ev.status, 0, sizeof ev.status);
        }
        if (sink->response)
            sink->response(ctx, &ev);
        return false;
    }
    if (ev.parsed && pending_pop(s, &rq)) {
        if (s->pairable > 0 && --s->pairable == 0)
            s->status_next = true;   /* cleared below if this one opens a body */
        ev.has_request = true;
        ev.answers = rq.kind;
        ev.verb = rq.verb;
        ev.request = rq.frame;
        ev.request_token = rq.token;
    } else if (ev.parsed && !s->greeting_seen && ev.status.ind != MAILX_POP_IND_CONT) {
        ev.answers = MAILX_POP_ANSWERS_GREETING;
    }
    if (ev.parsed)
        s->greeting_seen = true;

    if (ev.has_request) {
        mailx_pop_indicator ind = ev.status.ind;
        bool sasl = rq.kind == MAILX_POP_ANSWERS_SASL_RESPONSE ||
                    (rq.kind == MAILX_POP_ANSWERS_COMMAND && rq.verb == MAILX_POP_CMD_AUTH);
        if (ind == MAILX_POP_IND_CONT && sasl && s->auth.open) {
            s->client_sasl = true;
        } else if (rq.kind == MAILX_POP_ANSWERS_COMMAND && rq.verb == MAILX_POP_CMD_USER) {
            if (ind == MAILX_POP_IND_ERR)
                mailx_auth_end(&s->auth, MAILX_AUTH_FAILURE, &aev);
        } else if (sasl || (rq.kind == MAILX_POP_ANSWERS_COMMAND &&
                            (rq.verb == MAILX_POP_CMD_PASS || rq.verb == MAILX_POP_CMD_APOP))) {
            if (ind == MAILX_POP_IND_OK)
                mailx_auth_end(&s->auth, MAILX_AUTH_SUCCESS, &aev);
            else if (ind == MAILX_POP_IND_ERR)
                mailx_auth_end(&s->auth, MAILX_AUTH_FAILURE, &aev);
        }
        if (ind == MAILX_POP_IND_OK && rq.kind == MAILX_POP_ANSWERS_COMMAND) {
            if (mailx_pop_multiline(rq.verb, rq.has_arg)) {
                s->status_next = false;
                ev.opens_multiline = true;
                s->in_multiline = true;
                s->ml_verb = rq.verb;
                s->ml_arg_num = rq.arg_num;
                s->ml_lines = s->ml_size = 0;
                s->ml_first = frame;
            } else if (rq.verb == MAILX_POP_CMD_STLS) {
                tls_now = true;   /* RFC 2595 s4: TLS negotiation begins after +OK */
            }
        }
    }
    if (sink->response)
        sink->response(ctx, &ev);
    emit_auth(sink, ctx, &aev);
    return tls_now;
}

void mailx_pop_session_feed(mailx_pop_session *s, bool from_client,
                            const uint8_t *data, size_t len, mailx_frame_ref frame,
                            const mailx_pop_sink *sink, void *ctx)
{
    mailx_line_iter it;
    mailx_line line;
    mailx_line_iter_init(&it, from_client ? &s->client_carry : &s->server_carry, data, len);
    while (next_line(s, from_client, &it, &line)) {
        if (!s->started) {
            /* RFC 1939 s4: the server speaks first, with +OK (or -ERR when it
             * refuses); anything else means the capture began later */
            s->started = true;
            mailx_pop_status st;
            if (from_client || s->joined_late || !mailx_pop_status_parse(line.ptr, line.len, &st) ||
                st.ind == MAILX_POP_IND_CONT) {
                s->greeting_seen = true;
                s->desync = true;
                s->maybe_body = true;
                mailx_pop_gap_event gev = { .from_client = from_client, .mid_session = true };
                if (sink->gap && !s->early_gap)
                    sink->gap(ctx, &gev);
            }
        }
        if (from_client) {
            client_line(s, &line, frame, sink, ctx);
        } else if (server_line(s, &line, frame, sink, ctx)) {
            /* RFC 2595 s4: both sides discard what they knew before TLS */
            mailx_line_carry_clear(&s->client_carry);
            mailx_line_carry_clear(&s->server_carry);
            s->pending_count = s->pending_head = 0;
            s->client_sasl = false;
            s->in_multiline = false;
            s->tls = true;
            if (sink->tls_started)
                sink->tls_started(ctx);
            return;
        }
    }
}

void mailx_pop_session_gap(mailx_pop_session *s, bool from_client, mailx_frame_ref frame,
                           const mailx_pop_sink *sink, void *ctx)
{
    mailx_pop_gap_event gev = { .from_client = from_client };
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
    bool was_desync = s->desync;
    (void)frame;
    if (!s->started) {
        /* no line seen yet: nothing to leave unknown, and the first line is no
           proof of a greeting. Without any byte seen, the mid-session check
           reports it; a cut first line (the greeting cut by the snap length) is
           reported here, and the check then stays silent. */
        mailx_line_carry *c = from_client ? &s->client_carry : &s->server_carry;
        bool seen = c->full > 0;
        mailx_line_carry_clear(c);
        s->joined_late = true;
        if (seen && !s->early_gap) {
            s->early_gap = true;
            if (sink->gap)
                sink->gap(ctx, &gev);
        }
        return;
    }
    if (from_client) {
        /* a cut command line: its verb and arguments may be incomplete */
        if (s->client_carry.full > 0) {
            gev.unknown = 1;
            s->unknown++;
        }
        mailx_line_carry_clear(&s->client_carry);
        /* the SASL line may be among the lost bytes */
        s->client_sasl = false;
        if (!s->desync) {
            s->pairable = s->pending_count;
        } else if (s->pending_count > s->pairable) {
            /* commands sent since an earlier gap now have lost commands behind them
               as well: no resync on them (ring order: drop from the tail) */
            uint32_t n = s->pending_count - s->pairable;
            s->pending_count = s->pairable;
            s->unknown += n;
            gev.unknown += n;
        }
        s->desync = true;
        s->maybe_body = true;   /* a lost command may have been RETR */
        /* RFC 1939 s3: responses come in order, so once those owed to the
           commands seen are complete, the next server line is the status line
           of a lost command's response (it answers unknown) */
        s->status_next = s->pairable == 0 && !s->in_multiline && s->server_carry.full == 0;
    } else {
        bool outstanding = s->pending_count > 0 || s->in_multiline || s->server_carry.full > 0 ||
                           s->desync;
        /* is the login's deciding step among the commands left unknown? (USER
           decides nothing unless refused: a PASS after the gap still completes it) */
        bool login_step = false, body = s->in_multiline || (s->desync && s->maybe_body);
        for (uint32_t i = 0; i < s->pending_count; i++) {
            const mailx_pop_pending *p = &s->pending[(s->pending_head + i) % s->pending_cap];
            if (p->kind == MAILX_POP_ANSWERS_COMMAND && mailx_pop_multiline(p->verb, p->has_arg))
                body = true;
            if (p->kind == MAILX_POP_ANSWERS_SASL_RESPONSE ||
                (p->kind == MAILX_POP_ANSWERS_COMMAND &&
                 (p->verb == MAILX_POP_CMD_PASS || p->verb == MAILX_POP_CMD_APOP ||
                  p->verb == MAILX_POP_CMD_AUTH)))
                login_step = true;
        }
        gev.unknown = pending_forget(s);
        if (s->in_multiline) {
            /* RFC 1939 s3: only "." ends it, and it may be in the lost bytes */
            mailx_pop_multiline_event mev = { .verb = s->ml_verb, .lines = s->ml_lines,
                                              .size = s->ml_size, .arg_num = s->ml_arg_num,
                                              .first = s->ml_first, .incomplete = true };
            gev.multiline_cut = true;
            gev.message_cut = s->ml_verb == MAILX_POP_CMD_RETR || s->ml_verb == MAILX_POP_CMD_TOP;
            s->in_multiline = false;
            if (sink->multiline_end)
                sink->multiline_end(ctx, &mev);
        }
        mailx_line_carry_clear(&s->server_carry);
        if (login_step && s->auth.open)
            mailx_auth_end(&s->auth, MAILX_AUTH_UNKNOWN, &aev);
        /* nothing was owed by the server: the lost bytes answered nothing seen, and
           the next command pairs as usual (a greeting still missing is caught by
           the mid-session check) */
        s->desync = outstanding;
        s->maybe_body = outstanding && body;
        s->status_next = false;   /* the server stream resumes anywhere */
    }
    gev.repeat = was_desync && gev.unknown == 0 && !gev.multiline_cut;
    if (sink->gap)
        sink->gap(ctx, &gev);
    emit_auth(sink, ctx, &aev);
}

const char *mailx_pop_answers_name(mailx_pop_answers kind, mailx_pop_verb verb)
{
    switch (kind) {
    case MAILX_POP_ANSWERS_GREETING:      return "greeting";
    case MAILX_POP_ANSWERS_COMMAND:       return mailx_pop_verb_name(verb);
    case MAILX_POP_ANSWERS_SASL_RESPONSE: return "AUTH response";
    case MAILX_POP_ANSWERS_NOTHING:
    default:                              return "unknown";
    }
}
