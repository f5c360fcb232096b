/* SMTP session state machine over the two byte streams of one conversation.
 * Pairs replies with commands in order (RFC 5321 s4.1; RFC 2920 keeps that order
 * under PIPELINING), follows DATA (RFC 5321 s4.1.1.4), BDAT (RFC 3030), AUTH
 * continuations (RFC 4954) and STARTTLS (RFC 3207). */
#include "smtp_session.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

void mailx_smtp_session_init(mailx_smtp_session *s)
{
    memset(s, 0, sizeof *s);
    s->pending_max = MAILX_SMTP_PENDING_MAX;
}

void mailx_smtp_session_limit(mailx_smtp_session *s, uint32_t pending_max)
{
    s->pending_max = pending_max < 1 ? 1 : pending_max > MAILX_SMTP_PENDING_HARD_MAX
                     ? MAILX_SMTP_PENDING_HARD_MAX : pending_max;
}

void mailx_smtp_session_line_keep(mailx_smtp_session *s, uint32_t keep_max)
{
    mailx_line_carry_keep(&s->client_carry, keep_max);
    mailx_line_carry_keep(&s->server_carry, keep_max);
}

uint64_t mailx_smtp_session_lines_cut(const mailx_smtp_session *s)
{
    return s->client_carry.cut + s->server_carry.cut;
}

void mailx_smtp_session_free(mailx_smtp_session *s)
{
    mailx_line_carry_clear(&s->client_carry);
    mailx_line_carry_clear(&s->server_carry);
    g_free(s->pending);
    s->pending = NULL;
    s->pending_cap = s->pending_count = s->pending_head = 0;
}

static bool pending_push(mailx_smtp_session *s, const mailx_smtp_pending *p)
{
    if (s->pending_count == s->pending_cap) {
        if (s->pending_cap >= s->pending_max) {
            s->pending_dropped++;
            return false;
        }
        /* most sessions wait for one reply at a time: start small, double up to the limit */
        uint32_t cap = s->pending_cap ? s->pending_cap * 2 : 4;
        if (cap > s->pending_max)
            cap = s->pending_max;
        mailx_smtp_pending *ring = g_new(mailx_smtp_pending, cap);
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

static bool pending_pop(mailx_smtp_session *s, mailx_smtp_pending *out)
{
    if (s->pending_count == 0)
        return false;
    *out = s->pending[s->pending_head];
    s->pending_head = (s->pending_head + 1) % s->pending_cap;
    s->pending_count--;
    return true;
}

static void *emit_command(mailx_smtp_session *s, const mailx_smtp_sink *sink, void *ctx,
                          mailx_smtp_command_event *ev, mailx_frame_ref frame,
                          mailx_smtp_verb verb)
{
    /* a command is remembered unless the ring is full; the sink hears whether */
    ev->not_remembered = s->desync || s->pending_count >= s->pending_max;
    void *token = sink->command ? sink->command(ctx, ev) : NULL;
    mailx_smtp_pending p = { .kind = ev->kind, .verb = verb, .frame = frame, .token = token };
    if (!s->desync)
        pending_push(s, &p);
    return token;
}

static void message_open(mailx_smtp_session *s, mailx_frame_ref frame, bool bdat)
{
    if (s->msg_open)
        return;
    s->msg_open = true;
    s->msg_size = 0;
    s->msg_chunks = 0;
    s->msg_first = frame;
    (void)bdat;
}

static void message_close(mailx_smtp_session *s, const mailx_smtp_sink *sink, void *ctx,
                          bool bdat)
{
    mailx_smtp_message_event ev = {
        .size = s->msg_size, .bdat = bdat, .chunks = s->msg_chunks, .first = s->msg_first,
    };
    s->msg_open = false;
    if (sink->message_end)
        sink->message_end(ctx, &ev);
}

static void client_command_line(mailx_smtp_session *s, const mailx_line *line,
                                mailx_frame_ref frame, const mailx_smtp_sink *sink, void *ctx)
{
    mailx_smtp_command_event ev = { .line = line->ptr, .line_len = line->len,
                                    .bare_lf = line->bare_lf, .line_cut = line->truncated,
                                    .kind = MAILX_SMTP_ANSWERS_COMMAND };
    if (!mailx_smtp_command_parse(line->ptr, line->len, &ev.cmd))
        memset(&ev.cmd, 0, sizeof ev.cmd);   /* empty or garbage line: an unknown command */
    mailx_smtp_verb verb = ev.cmd.verb;

    switch (verb) {
    case MAILX_SMTP_CMD_DATA:
        s->data_requested = true;
        break;
    case MAILX_SMTP_CMD_BDAT:
        if (ev.cmd.bdat_ok) {
            /* RFC 3030 s2: the chunk follows the command at once, without waiting */
            ev.kind = MAILX_SMTP_ANSWERS_BDAT_CHUNK;
            message_open(s, frame, true);
            s->msg_chunks++;
            s->bdat_left = ev.cmd.bdat_size;
            s->bdat_last = ev.cmd.bdat_last;
            s->mode = MAILX_SMTP_CLIENT_BDAT;
        }
        break;
    case MAILX_SMTP_CMD_STARTTLS:
        s->starttls_requested = true;
        break;
    case MAILX_SMTP_CMD_RSET:
        /* RFC 5321 s4.1.1.5: the transaction is abandoned; a BDAT message ends without LAST */
        s->msg_open = false;
        break;
    default:
        break;
    }
    emit_command(s, sink, ctx, &ev, frame, verb);
    if (s->mode == MAILX_SMTP_CLIENT_BDAT && s->bdat_left == 0) {
        /* "BDAT 0 LAST" carries no bytes and ends the message here */
        s->mode = MAILX_SMTP_CLIENT_COMMANDS;
        if (s->bdat_last)
            message_close(s, sink, ctx, true);
    }
}

/* Is the line's CR LF right after it in the chunk? Then the line and its end go
 * to the sink as one run (most message lines), else as two. */
static bool crlf_follows(const mailx_line_iter *it, const mailx_line *line)
{
    uintptr_t p = (uintptr_t)line->ptr, d = (uintptr_t)it->data;
    return !line->bare_lf && line->len == line->full_len && p >= d &&
           p - d + line->len + 2 <= it->len &&
           line->ptr[line->len] == '\r' && line->ptr[line->len + 1] == '\n';
}

static void feed_client(mailx_smtp_session *s, mailx_line_iter *it, mailx_frame_ref frame,
                        const mailx_smtp_sink *sink, void *ctx)
{
    mailx_line line;
    for (;;) {
        switch (s->mode) {
        case MAILX_SMTP_CLIENT_BDAT: {
            const uint8_t *p;
            size_t n;
            uint64_t got = mailx_line_take_raw(it, s->bdat_left, &p, &n);
            if (got == 0)
                return;
            if (n && sink->content)
                sink->content(ctx, p, n);
            s->msg_size += got;
            s->bdat_left -= got;
            if (s->bdat_left == 0) {
                s->mode = MAILX_SMTP_CLIENT_COMMANDS;
                if (s->bdat_last)
                    message_close(s, sink, ctx, true);
            }
            break;
        }
        case MAILX_SMTP_CLIENT_DATA:
            /* message content is never cut: a line past mailx.line_keep_max comes
               in pieces (the "." that ends the data always fits) */
            if (!mailx_line_next_piece(it, &line))
                return;
            if (line.more || line.cont) {
                /* RFC 5321 s4.5.2: only the line's first byte may be a doubled "." */
                size_t skip = !line.cont && line.len > 0 && line.ptr[0] == '.' ? 1 : 0;
                if (!line.cont) {
                    s->data_dot = skip;
                    if (s->msg_size == 0 && s->msg_chunks == 0)
                        s->msg_first = frame;
                }
                if (!line.more)
                    s->msg_size += line.full_len - s->data_dot + 2;
                if (sink->content) {
                    sink->content(ctx, line.ptr + skip, line.len - skip);
                    if (!line.more)
                        sink->content(ctx, (const uint8_t *)"\r\n", 2);
                }
            } else if (line.full_len == 1 && line.ptr[0] == '.') {
                /* RFC 5321 s4.1.1.4: the lone "." ends the mail data; it is answered */
                mailx_smtp_command_event ev = { .line = line.ptr, .line_len = line.len,
                                                .bare_lf = line.bare_lf,
                                                .kind = MAILX_SMTP_ANSWERS_END_OF_DATA };
                s->mode = MAILX_SMTP_CLIENT_COMMANDS;
                message_close(s, sink, ctx, false);
                emit_command(s, sink, ctx, &ev, frame, MAILX_SMTP_CMD_DATA);
            } else {
                /* RFC 5321 s4.5.2: a leading "." was doubled by the client */
                size_t skip = (line.len > 0 && line.ptr[0] == '.') ? 1 : 0;
                if (s->msg_size == 0 && s->msg_chunks == 0)
                    s->msg_first = frame;
                s->msg_size += line.full_len - skip + 2;
                if (sink->content && crlf_follows(it, &line)) {
                    sink->content(ctx, line.ptr + skip, line.len - skip + 2);
                } else if (sink->content) {
                    sink->content(ctx, line.ptr + skip, line.len - skip);
                    sink->content(ctx, (const uint8_t *)"\r\n", 2);
                }
            }
            break;
        case MAILX_SMTP_CLIENT_SASL: {
            if (!mailx_line_next(it, &line))
                return;
            mailx_smtp_command_event ev = { .line = line.ptr, .line_len = line.len,
                                            .bare_lf = line.bare_lf, .line_cut = line.truncated,
                                            .kind = MAILX_SMTP_ANSWERS_AUTH_RESPONSE };
            ev.auth_cancel = line.full_len == 1 && line.ptr[0] == '*';
            s->mode = MAILX_SMTP_CLIENT_COMMANDS;
            emit_command(s, sink, ctx, &ev, frame, MAILX_SMTP_CMD_AUTH);
            break;
        }
        case MAILX_SMTP_CLIENT_COMMANDS:
        default:
            if (!mailx_line_next(it, &line))
                return;
            s->client_spoke = true;
            client_command_line(s, &line, frame, sink, ctx);
            break;
        }
    }
}

/* Acts on a complete reply: what the client does next depends on it. */
static bool reply_complete(mailx_smtp_session *s, uint16_t code)
{
    if (!s->reply_has_request) {
        /* unpaired after a gap: a 354 after a DATA line still starts the message,
         * so the body is not read as commands */
        if (s->desync && s->data_requested && code == 354) {
            s->data_requested = false;
            s->mode = MAILX_SMTP_CLIENT_DATA;
            s->msg_open = true;
            s->msg_size = 0;
            s->msg_chunks = 0;
        } else if (s->desync && s->mode == MAILX_SMTP_CLIENT_DATA) {
            /* RFC 5321 s4.1.1.4: the server answers only after the final "."; if that
             * line was lost, this reply still ends the mail data (its size is not told) */
            s->mode = MAILX_SMTP_CLIENT_COMMANDS;
            s->msg_open = false;
        }
        return false;
    }
    const mailx_smtp_pending *rq = &s->reply_request;
    bool auth = (rq->kind == MAILX_SMTP_ANSWERS_COMMAND && rq->verb == MAILX_SMTP_CMD_AUTH) ||
                rq->kind == MAILX_SMTP_ANSWERS_AUTH_RESPONSE;
    if (auth && code == 334) {
        s->mode = MAILX_SMTP_CLIENT_SASL;   /* RFC 4954 s4: the client answers the challenge */
    } else if (rq->kind == MAILX_SMTP_ANSWERS_COMMAND && rq->verb == MAILX_SMTP_CMD_DATA) {
        s->data_requested = false;
        if (code == 354) {
            s->mode = MAILX_SMTP_CLIENT_DATA;
            s->msg_open = true;
            s->msg_size = 0;
            s->msg_chunks = 0;
        }
    } else if (rq->kind == MAILX_SMTP_ANSWERS_COMMAND && rq->verb == MAILX_SMTP_CMD_STARTTLS &&
               code == 220) {
        return true;   /* RFC 3207 s4: TLS negotiation starts now */
    }
    return false;
}

static void feed_server(mailx_smtp_session *s, mailx_line_iter *it, mailx_frame_ref frame,
                        const mailx_smtp_sink *sink, void *ctx)
{
    mailx_line line;
    bool tls_now = false;
    while (!tls_now && mailx_line_next(it, &line)) {
        /* zeroed around reply, which the parser zeroes and fills */
        mailx_smtp_reply_event ev;
        G_STATIC_ASSERT(offsetof(mailx_smtp_reply_event, bare_lf) ==
                        offsetof(mailx_smtp_reply_event, reply) + sizeof ev.reply);
        memset(&ev, 0, offsetof(mailx_smtp_reply_event, reply));
        memset(&ev.bare_lf, 0, sizeof ev - offsetof(mailx_smtp_reply_event, bare_lf));
        ev.line = line.ptr;
        ev.line_len = line.len;
        ev.bare_lf = line.bare_lf;
        ev.line_cut = line.truncated;
        ev.parsed = mailx_smtp_reply_parse(line.ptr, line.len, &ev.reply);
        if (ev.parsed && line.truncated) {
            /* Only what was kept is read: the separator after the code must be in it
             * ("250" may be "250-..." cut), and an enhanced status that reaches the
             * cut may have lost digits ("5.1.1" of "5.1.10"). */
            if (line.len < 4)
                ev.parsed = false;
            else if (ev.reply.has_status && ev.reply.text_off >= line.len) {
                ev.reply.has_status = false;
                memset(&ev.reply.status, 0, sizeof ev.reply.status);
                ev.reply.text_off = ev.reply.status_off;
                ev.reply.text_len = line.len - ev.reply.status_off;
            }
        }
        if (!ev.parsed)
            memset(&ev.reply, 0, sizeof ev.reply);
        if (!s->in_reply) {
            s->reply_has_request = !s->desync && pending_pop(s, &s->reply_request);
            if (s->reply_has_request) {
                ev.answers = s->reply_request.kind;
            } else if (!s->client_spoke && !s->server_spoke && ev.parsed &&
                       (ev.reply.code == 220 || ev.reply.code == 421 || ev.reply.code == 554)) {
                /* RFC 5321 s3.1: the greeting is 220, or 554 (or 421) to refuse */
                ev.answers = MAILX_SMTP_ANSWERS_GREETING;
            }
            s->in_reply = true;
            s->reply_code = ev.reply.code;
            s->reply_answers = ev.answers;
        } else {
            ev.code_changed = ev.parsed && ev.reply.code != s->reply_code;
            ev.answers = s->reply_answers;
        }
        if (s->reply_has_request) {
            ev.has_request = true;
            ev.request = s->reply_request.frame;
            ev.request_token = s->reply_request.token;
            ev.verb = s->reply_request.verb;
        }
        s->server_spoke = true;
        /* A line that is not a reply cannot continue a multi-line reply; treat it as
         * ending the reply so one garbage line does not swallow the next replies. */
        bool last = !ev.parsed || ev.reply.is_last;
        if (sink->reply)
            sink->reply(ctx, &ev);
        if (last) {
            s->in_reply = false;
            tls_now = reply_complete(s, ev.parsed ? ev.reply.code : 0);
        }
    }
    if (tls_now) {
        /* RFC 3207 s4.2: both sides forget what they knew; the client says EHLO again */
        mailx_line_carry_clear(&s->client_carry);
        mailx_line_carry_clear(&s->server_carry);
        s->pending_count = 0;
        s->pending_head = 0;
        s->mode = MAILX_SMTP_CLIENT_COMMANDS;
        s->msg_open = false;
        s->tls = true;
        if (sink->tls_started)
            sink->tls_started(ctx);
    }
}

void mailx_smtp_session_feed(mailx_smtp_session *s, bool from_client,
                             const uint8_t *data, size_t len, mailx_frame_ref frame,
                             const mailx_smtp_sink *sink, void *ctx)
{
    mailx_line_iter it;
    mailx_line_iter_init(&it, from_client ? &s->client_carry : &s->server_carry, data, len);
    if (from_client)
        feed_client(s, &it, frame, sink, ctx);
    else
        feed_server(s, &it, frame, sink, ctx);
}

bool mailx_smtp_session_gap(mailx_smtp_session *s, bool from_client, mailx_frame_ref frame,
                            const mailx_smtp_sink *sink, void *ctx)
{
    bool first = !s->desync;
    mailx_line_carry *c = from_client ? &s->client_carry : &s->server_carry;
    s->desync = true;
    s->pending_count = 0;
    s->pending_head = 0;
    s->reply_has_request = false;
    /* The cut line is reported as far as it was captured (its code or verb is at
     * its start): ending it here runs it through the usual path, unpaired. */
    if (c->full > 0 && (!from_client || s->mode == MAILX_SMTP_CLIENT_COMMANDS)) {
        static const uint8_t crlf[] = "\r\n";
        if (c->last_cr)
            mailx_smtp_session_feed(s, from_client, crlf + 1, 1, frame, sink, ctx);
        else
            mailx_smtp_session_feed(s, from_client, crlf, 2, frame, sink, ctx);
    }
    mailx_line_carry_clear(c);
    s->in_reply = false;
    return first;
}

const char *mailx_smtp_answers_name(mailx_smtp_answers kind, mailx_smtp_verb verb)
{
    switch (kind) {
    case MAILX_SMTP_ANSWERS_GREETING:      return "greeting";
    case MAILX_SMTP_ANSWERS_COMMAND:       return mailx_smtp_verb_name(verb);
    case MAILX_SMTP_ANSWERS_END_OF_DATA:   return "end of data";
    case MAILX_SMTP_ANSWERS_AUTH_RESPONSE: return "AUTH response";
    case MAILX_SMTP_ANSWERS_BDAT_CHUNK:    return "BDAT";
    case MAILX_SMTP_ANSWERS_NOTHING:
    default:                               return "unknown";
    }
}
