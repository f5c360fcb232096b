/* IMAP session state machine over the two byte streams of one conversation.
 * See imap_session.h. */
#include "imap_session.h"
#include "ascii_case.h"

#include <glib.h>
#include <stddef.h>
#include <string.h>

void mailx_imap_session_init(mailx_imap_session *s)
{
    memset(s, 0, sizeof *s);
    s->pending_max = MAILX_IMAP_PENDING_MAX;
    mailx_auth_init(&s->auth);
}

void mailx_imap_session_limit(mailx_imap_session *s, uint32_t pending_max)
{
    s->pending_max = pending_max < 1 ? 1 : pending_max > MAILX_IMAP_PENDING_HARD_MAX
                     ? MAILX_IMAP_PENDING_HARD_MAX : pending_max;
}

void mailx_imap_session_line_keep(mailx_imap_session *s, uint32_t keep_max)
{
    mailx_line_carry_keep(&s->client_carry, keep_max);
    mailx_line_carry_keep(&s->server_carry, keep_max);
}

uint64_t mailx_imap_session_lines_cut(const mailx_imap_session *s)
{
    return s->client_carry.cut + s->server_carry.cut;
}

void mailx_imap_session_free(mailx_imap_session *s)
{
    mailx_line_carry_clear(&s->client_carry);
    mailx_line_carry_clear(&s->server_carry);
    g_free(s->pending);
    s->pending = NULL;
    s->pending_cap = 0;
}

static void emit_auth(const mailx_imap_sink *sink, void *ctx, const mailx_auth_event *ev)
{
    if (ev->attempt && sink->auth)
        sink->auth(ctx, ev);
}

static uint8_t copy_tag(char *dst, const uint8_t *p, size_t n)
{
    size_t k = n < MAILX_IMAP_TAG_MAX ? n : MAILX_IMAP_TAG_MAX;
    memcpy(dst, p, k);
    return (uint8_t)k;
}

static bool tag_eq(const char *t, uint8_t tl, const uint8_t *p, size_t n)
{
    size_t k = n < MAILX_IMAP_TAG_MAX ? n : MAILX_IMAP_TAG_MAX;
    return k == tl && memcmp(t, p, k) == 0;
}

static mailx_imap_pending *pending_add(mailx_imap_session *s)
{
    if (s->pending_count >= s->pending_cap && s->pending_cap < s->pending_max) {
        uint32_t cap = s->pending_cap ? s->pending_cap * 2 : 4;
        if (cap > s->pending_max)
            cap = s->pending_max;
        s->pending = g_renew(mailx_imap_pending, s->pending, cap);
        memset(s->pending + s->pending_cap, 0, (cap - s->pending_cap) * sizeof *s->pending);
        s->pending_cap = cap;
    }
    mailx_imap_pending *oldest_stale = NULL;
    for (uint32_t i = 0; i < s->pending_cap; i++) {
        mailx_imap_pending *p = &s->pending[i];
        if (!p->used) {
            memset(p, 0, sizeof *p);
            p->used = true;
            p->seq = s->next_seq++;
            s->pending_count++;
            return p;
        }
        if (p->stale && (!oldest_stale || p->seq < oldest_stale->seq))
            oldest_stale = p;
    }
    if (oldest_stale) {
        /* a command left unknown by a gap gives way to a new one */
        memset(oldest_stale, 0, sizeof *oldest_stale);
        oldest_stale->used = true;
        oldest_stale->seq = s->next_seq++;
        s->stale_count--;
        return oldest_stale;
    }
    s->pending_dropped++;
    return NULL;
}

static void pending_release(mailx_imap_session *s, mailx_imap_pending *p)
{
    if (p->stale)
        s->stale_count--;
    p->used = false;
    p->stale = false;
    s->pending_count--;
}

/* The oldest command with this tag (a client may reuse tags, RFC 3501 s2.2.1
 * says it should not). */
static mailx_imap_pending *pending_find(mailx_imap_session *s, const uint8_t *tag, size_t n,
                                        bool with_stale)
{
    mailx_imap_pending *best = NULL;
    for (uint32_t i = 0; i < s->pending_cap; i++) {
        mailx_imap_pending *p = &s->pending[i];
        if (p->used && (with_stale || !p->stale) && tag_eq(p->tag, p->tag_len, tag, n) &&
            (!best || p->seq < best->seq))
            best = p;
    }
    return best;
}

static bool stale_tag(const mailx_imap_session *s, const uint8_t *tag, size_t n)
{
    for (uint32_t i = 0; i < s->pending_cap; i++) {
        const mailx_imap_pending *p = &s->pending[i];
        if (p->used && p->stale && tag_eq(p->tag, p->tag_len, tag, n))
            return true;
    }
    return false;
}

static mailx_imap_pending *pending_find_cmd(mailx_imap_session *s, mailx_imap_cmd cmd)
{
    mailx_imap_pending *best = NULL;
    for (uint32_t i = 0; i < s->pending_cap; i++) {
        mailx_imap_pending *p = &s->pending[i];
        if (p->used && !p->stale && p->cmd == cmd && (!best || p->seq > best->seq))
            best = p;
    }
    return best;
}

static void side_start_literal(mailx_imap_side *side, bool from_client, uint64_t size,
                               bool too_big, mailx_frame_ref frame)
{
    side->mode = MAILX_IMAP_MODE_LITERAL;
    side->lit_left = size;
    memset(&side->lit, 0, sizeof side->lit);
    side->lit.from_client = from_client;
    side->lit.size = size;
    side->lit.too_big = too_big;
    side->lit.first = frame;
}

/* LOGIN arguments on one line segment, from pos: user then password (RFC 3501
 * s6.2.3: LOGIN SP userid SP password, both astrings). */
static void login_args(mailx_imap_session *s, const uint8_t *line, size_t len, size_t pos,
                       bool cut, mailx_auth_event *aev)
{
    mailx_imap_astring a;
    while (s->cur_arg < 2 && mailx_imap_astring_next(line, len, &pos, &a)) {
        uint32_t arg = s->cur_arg++;
        if (a.kind == MAILX_IMAP_ASTR_LITERAL) {
            s->lit_role = arg == 0 ? 1 : 2;
            s->lit_user_len = 0;
            return;
        }
        if (arg == 0 && cut && a.off + a.len >= len && a.len < MAILX_AUTH_USER_MAX) {
            /* the user name reaches where the line was cut (mailx.line_keep_max) and
               is shorter than what a login keeps anyway: not read */
        } else if (arg == 0) {
            char u[MAILX_AUTH_USER_MAX + 1];
            size_t n;
            if (a.kind == MAILX_IMAP_ASTR_QUOTED) {
                n = mailx_imap_unquote(line + a.off, a.len, u, sizeof u);
            } else {
                n = a.len < MAILX_AUTH_USER_MAX ? a.len : MAILX_AUTH_USER_MAX;
                memcpy(u, line + a.off, n);
            }
            mailx_auth_user(&s->auth, (const uint8_t *)u, n, aev);
        } else {
            mailx_auth_credential(&s->auth, aev);
        }
    }
}

/* A literal announced at the end of a client line. */
static void client_literal(mailx_imap_session *s, const mailx_imap_literal *lit,
                           mailx_frame_ref frame)
{
    if (!lit->present) {
        s->client.after_literal = false;
        return;
    }
    s->client.after_literal = true;
    if (lit->non_sync) {
        side_start_literal(&s->client, true, lit->size, lit->too_big, frame);
    } else {
        /* RFC 3501 s7.5: the client waits for "+" (or a tagged refusal) */
        s->lit_wait = true;
        s->lit_wait_size = lit->size;
        s->lit_wait_too_big = lit->too_big;
    }
}

static void client_line(mailx_imap_session *s, const mailx_line *line, mailx_frame_ref frame,
                        const mailx_imap_sink *sink, void *ctx)
{
    mailx_imap_command_event ev = { .line = line->ptr, .line_len = line->len,
                                    .bare_lf = line->bare_lf, .line_cut = line->truncated };
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
    char name[MAILX_IMAP_NAME_MAX] = "";

    if (s->client_skip) {
        /* after a gap inside a client literal: maybe more of it (see the gap) */
        ev.kind = MAILX_IMAP_CLIENT_UNPARSED;
    } else if (s->client.after_literal) {
        /* the command goes on after its literal */
        ev.kind = MAILX_IMAP_CLIENT_CONTINUED;
        if (s->cur_cmd == MAILX_IMAP_CMD_LOGIN)
            login_args(s, line->ptr, line->len, 0, line->truncated, &aev);
        mailx_imap_literal lit;
        mailx_imap_literal_at_end(line->ptr, line->len, &lit);
        client_literal(s, &lit, frame);
    } else if (s->client_sasl) {
        /* RFC 3501 s6.2.2: a base64 line, or "*" to cancel */
        s->client_sasl = false;
        ev.kind = MAILX_IMAP_CLIENT_SASL;
        ev.sasl_cancel = line->full_len == 1 && line->ptr[0] == '*';
        if (line->truncated)
            mailx_auth_sasl_response_cut(&s->auth, &aev);
        else
            mailx_auth_sasl_response(&s->auth, line->ptr, line->len, &aev);
    } else if (s->idle && line->len == 4 && mailx_ascii_ieq(line->ptr, "DONE", 4)) {
        ev.kind = MAILX_IMAP_CLIENT_DONE;
        s->idle = false;
    } else if (!mailx_imap_command_parse(line->ptr, line->len, &ev.cmd)) {
        ev.kind = MAILX_IMAP_CLIENT_UNPARSED;
    } else {
        ev.kind = MAILX_IMAP_CLIENT_COMMAND;
        size_t n = ev.cmd.name_len < MAILX_IMAP_NAME_MAX - 1 ? ev.cmd.name_len : MAILX_IMAP_NAME_MAX - 1;
        for (size_t i = 0; i < n; i++) {
            uint8_t c = line->ptr[ev.cmd.name_off + i];   /* g_ascii_toupper, inline */
            name[i] = (char)(c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c);
        }
        name[n] = '\0';
        ev.name = name;
        s->cur_tag_len = copy_tag(s->cur_tag, line->ptr, ev.cmd.tag_len);
        s->cur_cmd = ev.cmd.cmd;
        s->cur_arg = 0;
        s->lit_role = 0;
        const uint8_t *args = line->ptr + ev.cmd.args_off;
        switch (ev.cmd.cmd) {
        case MAILX_IMAP_CMD_LOGIN:
            mailx_auth_begin(&s->auth, (const uint8_t *)"IMAP LOGIN", 10, false, &aev);
            login_args(s, line->ptr, line->len, ev.cmd.args_off, line->truncated, &aev);
            break;
        case MAILX_IMAP_CMD_AUTHENTICATE: {
            /* RFC 3501 s6.2.2 / RFC 4959: AUTHENTICATE mech [SP initial-response] */
            size_t m = 0;
            while (m < ev.cmd.args_len && args[m] != ' ')
                m++;
            if (m > 0) {
                mailx_auth_begin(&s->auth, args, m, true, &aev);
                s->sasl_open = true;
                s->sasl_tag_len = copy_tag(s->sasl_tag, line->ptr, ev.cmd.tag_len);
                if (m + 1 < ev.cmd.args_len && line->truncated)
                    mailx_auth_sasl_response_cut(&s->auth, &aev);
                else if (m + 1 < ev.cmd.args_len)
                    mailx_auth_sasl_response(&s->auth, args + m + 1, ev.cmd.args_len - m - 1, &aev);
            }
            break;
        }
        case MAILX_IMAP_CMD_IDLE:
            s->idle = true;
            break;
        default:
            break;
        }
        ev.not_remembered = s->pending_count >= s->pending_max && s->stale_count == 0;
        void *token = sink->command ? sink->command(ctx, &ev) : NULL;
        bool ambiguous = s->stale_count > 0 && stale_tag(s, line->ptr, ev.cmd.tag_len);
        mailx_imap_pending *p = pending_add(s);
        s->gap_open[1] = false;
        if (p) {
            if (ambiguous) {
                /* the tag of a command left unknown by a gap: ambiguous */
                p->stale = true;
                s->stale_count++;
                s->unknown++;
            }
            p->tag_len = copy_tag(p->tag, line->ptr, ev.cmd.tag_len);
            memcpy(p->name, name, sizeof p->name);
            p->cmd = ev.cmd.cmd;
            p->frame = frame;
            p->token = token;
        }
        client_literal(s, &ev.cmd.literal, frame);
        emit_auth(sink, ctx, &aev);
        return;
    }
    if (sink->command)
        sink->command(ctx, &ev);
    emit_auth(sink, ctx, &aev);
}

static bool word_eq(const uint8_t *p, size_t n, const char *w)
{
    return strlen(w) == n && mailx_ascii_ieq(p, w, n);
}

/* Looks for the STARTTLS capability in a space-separated list: the word is
 * searched for as a whole (Horspool's skips on its eighth byte), not word by
 * word, since sessions that never offer it scan every list they get (~20
 * words). A byte ORed with 0x20 is a lower-case letter only if it was that
 * letter in either case, so the folded compare is exact. */
static bool lists_starttls(const uint8_t *p, size_t n)
{
    static const char w[] = "starttls";
    for (size_t e = 7; e < n;) {
        uint8_t c = p[e] | 0x20;
        if (c == 's') {
            size_t s = e - 7;
            size_t k = 0;
            while (k < 7 && (p[s + k] | 0x20) == (uint8_t)w[k])
                k++;
            if (k == 7 && (s == 0 || p[s - 1] == ' ') && (e + 1 == n || p[e + 1] == ' '))
                return true;
        }
        /* how far the word may move so that a byte of it lies over p[e] */
        switch (c) {
        case 'l': e += 1; break;
        case 't': e += 2; break;
        case 'r': e += 4; break;
        case 'a': e += 5; break;
        case 's': e += 7; break;
        default:  e += 8; break;
        }
    }
    return false;
}

/* The FETCH item right before a literal at `off`: "BODY[]", "RFC822" ... A
 * bracket section may hold spaces (BODY[HEADER.FIELDS (FROM TO)]). */
static void literal_section(const uint8_t *line, size_t off, mailx_imap_literal_event *lit)
{
    size_t e = off;
    while (e > 0 && line[e - 1] == ' ')
        e--;
    size_t b = e, depth = 0;
    while (b > 0) {
        uint8_t c = line[b - 1];
        if (c == ']')
            depth++;
        else if (c == '[' && depth > 0)
            depth--;
        else if ((c == ' ' || c == '(') && depth == 0)
            break;
        b--;
    }
    size_t n = e - b < MAILX_IMAP_SECTION_MAX - 1 ? e - b : MAILX_IMAP_SECTION_MAX - 1;
    for (size_t i = 0; i < n; i++)
        lit->section[i] = g_ascii_toupper((char)line[b + i]);
    lit->section[n] = '\0';
    const char *sec = lit->section;
    /* RFC 3501 s7.4.2: BODY[] and RFC822 are the whole message; BODY[]<origin>
       only a part (the section tells); RFC 3516 BINARY[] */
    lit->message = strcmp(sec, "BODY[]") == 0 || strcmp(sec, "RFC822") == 0 ||
                   strcmp(sec, "BINARY[]") == 0;
}

static bool server_line(mailx_imap_session *s, const mailx_line *line, mailx_frame_ref frame,
                        const mailx_imap_sink *sink, void *ctx)
{
    /* zeroed around resp, which the parser zeroes and fills (or the branch
       below zeroes): a server line does not pay for it twice */
    mailx_imap_response_event ev;
    G_STATIC_ASSERT(offsetof(mailx_imap_response_event, continues) ==
                    offsetof(mailx_imap_response_event, resp) + sizeof ev.resp);
    memset(&ev, 0, offsetof(mailx_imap_response_event, resp));
    memset(&ev.continues, 0, sizeof ev - offsetof(mailx_imap_response_event, continues));
    ev.line = line->ptr;
    ev.line_len = line->len;
    ev.bare_lf = line->bare_lf;
    ev.line_cut = line->truncated;
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
    bool tls_now = false;
    mailx_imap_literal lit;

    if (s->server.after_literal) {
        memset(&ev.resp, 0, sizeof ev.resp);
        ev.continues = true;
        mailx_imap_literal_at_end(line->ptr, line->len, &lit);
        ev.resp.literal = lit;
    } else {
        ev.parsed = mailx_imap_response_parse(line->ptr, line->len, &ev.resp);
        lit = ev.resp.literal;
        const mailx_imap_response *r = &ev.resp;
        if (ev.parsed && !s->server_spoke && !s->no_greeting && r->kind == MAILX_IMAP_RESP_UNTAGGED &&
            (r->status == MAILX_IMAP_STATUS_OK || r->status == MAILX_IMAP_STATUS_PREAUTH ||
             r->status == MAILX_IMAP_STATUS_BYE)) {
            /* RFC 3501 s7.1: greeting = "*" SP (resp-cond-auth / resp-cond-bye) */
            ev.greeting = true;
            s->preauth = r->status == MAILX_IMAP_STATUS_PREAUTH;
        }
        s->server_spoke = true;
        /* once offered, later lists (the longer ones after login) need no scan */
        if (ev.parsed && r->has_code && !s->starttls_offered &&
            word_eq(line->ptr + r->code_off, r->code_len, "CAPABILITY") &&
            lists_starttls(line->ptr + r->code_arg_off, r->code_arg_len))
            s->starttls_offered = true;
        if (ev.parsed && r->kind == MAILX_IMAP_RESP_UNTAGGED) {
            if (!s->starttls_offered && word_eq(line->ptr + r->kw_off, r->kw_len, "CAPABILITY") &&
                lists_starttls(line->ptr + r->text_off, r->text_len))
                s->starttls_offered = true;
            s->server_msg_num = r->has_number ? r->number : 0;
        }
        if (ev.parsed && r->kind == MAILX_IMAP_RESP_CONTINUATION) {
            mailx_imap_pending *p = NULL;
            if (s->lit_wait) {
                /* the server invites the client's literal */
                s->lit_wait = false;
                side_start_literal(&s->client, true, s->lit_wait_size, s->lit_wait_too_big, frame);
                p = pending_find(s, (const uint8_t *)s->cur_tag, s->cur_tag_len, false);
            } else if (s->sasl_open) {
                s->client_sasl = true;
                p = pending_find(s, (const uint8_t *)s->sasl_tag, s->sasl_tag_len, false);
            } else if (s->idle) {
                p = pending_find_cmd(s, MAILX_IMAP_CMD_IDLE);
            }
            if (p) {
                ev.has_request = true;
                ev.command = p->name;
                ev.cmd = p->cmd;
                ev.request = p->frame;
                ev.request_token = p->token;
            }
        }
        if (ev.parsed && r->kind == MAILX_IMAP_RESP_TAGGED) {
            mailx_imap_pending *p = pending_find(s, line->ptr + r->tag_off, r->tag_len, true);
            mailx_imap_pending done;
            memset(&done, 0, sizeof done);
            if (p && p->stale) {
                /* the response to a command sent before a gap: its outcome stays
                   unknown (see mailx_imap_session_gap), the tag is free again */
                pending_release(s, p);
                p = NULL;
            }
            if (p) {
                done = *p;
                pending_release(s, p);
                s->gap_open[0] = false;
                ev.has_request = true;
                ev.command = NULL;  /* set below from the copy */
                ev.cmd = done.cmd;
                ev.request = done.frame;
                ev.request_token = done.token;
            }
            bool ok = r->status == MAILX_IMAP_STATUS_OK;
            if (p && (done.cmd == MAILX_IMAP_CMD_LOGIN || done.cmd == MAILX_IMAP_CMD_AUTHENTICATE))
                mailx_auth_end(&s->auth, ok ? MAILX_AUTH_SUCCESS : MAILX_AUTH_FAILURE, &aev);
            if (s->sasl_open && tag_eq(s->sasl_tag, s->sasl_tag_len, line->ptr + r->tag_off, r->tag_len)) {
                s->sasl_open = false;
                s->client_sasl = false;
            }
            if (s->client_skip && tag_eq(s->cur_tag, s->cur_tag_len, line->ptr + r->tag_off, r->tag_len))
                s->client_skip = false;   /* the command with the cut literal is over */
            if (s->lit_wait && tag_eq(s->cur_tag, s->cur_tag_len, line->ptr + r->tag_off, r->tag_len)) {
                /* refused before "+": the client never sends the literal */
                s->lit_wait = false;
                s->client.after_literal = false;
            }
            if (p && done.cmd == MAILX_IMAP_CMD_IDLE)
                s->idle = false;
            if (p && done.cmd == MAILX_IMAP_CMD_STARTTLS && ok)
                tls_now = true;   /* RFC 3501 s6.2.1: TLS negotiation begins now */
            if (p) {
                char name[MAILX_IMAP_NAME_MAX];
                memcpy(name, done.name, sizeof name);
                ev.command = name;
                if (sink->response)
                    sink->response(ctx, &ev);
                goto literal;
            }
        }
    }
    if (sink->response)
        sink->response(ctx, &ev);
literal:
    emit_auth(sink, ctx, &aev);
    if (lit.present) {
        side_start_literal(&s->server, false, lit.size, lit.too_big, frame);
        s->server.lit.msg_num = s->server_msg_num;
        literal_section(line->ptr, lit.off, &s->server.lit);
        s->server.after_literal = true;
    } else {
        s->server.after_literal = false;
    }
    return tls_now;
}

/* Raw literal bytes on one side; true when the literal ended. */
static bool take_literal(mailx_imap_session *s, mailx_imap_side *side, mailx_line_iter *it,
                         const mailx_imap_sink *sink, void *ctx, mailx_auth_event *aev)
{
    const uint8_t *p;
    size_t n;
    uint64_t got = mailx_line_take_raw(it, side->lit_left, &p, &n);
    if (got == 0)
        return false;
    side->lit_left -= got;
    if (side->lit.from_client && s->lit_role == 1 && n) {
        size_t room = sizeof s->lit_user - s->lit_user_len;
        size_t k = n < room ? n : room;
        memcpy(s->lit_user + s->lit_user_len, p, k);
        s->lit_user_len += k;
    }
    if (!side->lit.from_client && side->lit.message && n && sink->content)
        sink->content(ctx, p, n);
    if (side->lit_left > 0)
        return false;
    side->mode = MAILX_IMAP_MODE_LINE;
    if (side->lit.from_client && s->lit_role == 1)
        mailx_auth_user(&s->auth, s->lit_user, s->lit_user_len, aev);
    else if (side->lit.from_client && s->lit_role == 2)
        mailx_auth_credential(&s->auth, aev);
    if (side->lit.from_client)
        s->lit_role = 0;
    if (sink->literal_end)
        sink->literal_end(ctx, &side->lit);
    if (!side->lit.from_client && side->lit.message) {
        s->messages++;
        if (sink->message_end)
            sink->message_end(ctx, &side->lit);
    }
    return true;
}

void mailx_imap_session_feed(mailx_imap_session *s, bool from_client,
                             const uint8_t *data, size_t len, mailx_frame_ref frame,
                             const mailx_imap_sink *sink, void *ctx)
{
    mailx_line_iter it;
    mailx_line line;
    mailx_imap_side *side = from_client ? &s->client : &s->server;
    mailx_line_iter_init(&it, from_client ? &s->client_carry : &s->server_carry, data, len);
    for (;;) {
        if (from_client && s->lit_wait && mailx_line_remaining(&it) > 0) {
            /* bytes without the "+" in the capture: the literal came anyway */
            s->lit_wait = false;
            side_start_literal(&s->client, true, s->lit_wait_size, s->lit_wait_too_big, frame);
        }
        if (side->mode == MAILX_IMAP_MODE_LITERAL) {
            mailx_auth_event aev;
            memset(&aev, 0, sizeof aev);
            bool ended = take_literal(s, side, &it, sink, ctx, &aev);
            emit_auth(sink, ctx, &aev);
            if (!ended)
                return;
            continue;
        }
        if (!mailx_line_next(&it, &line))
            return;
        if (!s->started) {
            /* RFC 9051 s7.1: the server speaks first: "* OK", "* PREAUTH" or "* BYE";
               anything else means the capture began later */
            s->started = true;
            mailx_imap_response r;
            if (from_client || s->joined_late || !mailx_imap_response_parse(line.ptr, line.len, &r) ||
                r.kind != MAILX_IMAP_RESP_UNTAGGED ||
                (r.status != MAILX_IMAP_STATUS_OK && r.status != MAILX_IMAP_STATUS_PREAUTH &&
                 r.status != MAILX_IMAP_STATUS_BYE)) {
                s->no_greeting = true;
                mailx_imap_gap_event gev = { .from_client = from_client, .mid_session = true };
                if (sink->gap && !s->early_gap)
                    sink->gap(ctx, &gev);
            }
        }
        if (from_client) {
            client_line(s, &line, frame, sink, ctx);
        } else if (server_line(s, &line, frame, sink, ctx)) {
            /* RFC 3501 s6.2.1: what was carried before TLS is void */
            mailx_line_carry_clear(&s->client_carry);
            mailx_line_carry_clear(&s->server_carry);
            memset(&s->client, 0, sizeof s->client);
            memset(&s->server, 0, sizeof s->server);
            s->lit_wait = s->client_sasl = s->sasl_open = s->idle = s->client_skip = false;
            s->tls = true;
            if (sink->tls_started)
                sink->tls_started(ctx);
            return;
        }
    }
}

/* A literal cut by a gap: reported as ended, incomplete; never a message. */
static void literal_cut(mailx_imap_session *s, mailx_imap_side *side, const mailx_imap_sink *sink,
                        void *ctx, mailx_imap_gap_event *gev)
{
    if (side->mode == MAILX_IMAP_MODE_LITERAL) {
        gev->literal_cut = true;
        gev->message_cut = !side->lit.from_client && side->lit.message;
        side->lit.incomplete = true;
        if (sink->literal_end)
            sink->literal_end(ctx, &side->lit);
    }
    side->mode = MAILX_IMAP_MODE_LINE;
    side->lit_left = 0;
    side->after_literal = false;
    if (side->lit.from_client)
        s->lit_role = 0;
}

void mailx_imap_session_gap(mailx_imap_session *s, bool from_client, mailx_frame_ref frame,
                            const mailx_imap_sink *sink, void *ctx)
{
    mailx_imap_gap_event gev = { .from_client = from_client };
    mailx_auth_event aev;
    memset(&aev, 0, sizeof aev);
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
        if (s->client.mode == MAILX_IMAP_MODE_LINE && s->client_carry.full > 0 && !s->client_skip) {
            gev.unknown = 1;   /* a cut command line: its tag and name may be incomplete */
            s->unknown++;
        }
        literal_cut(s, &s->client, sink, ctx, &gev);
        if (gev.literal_cut)
            s->client_skip = true;
        mailx_line_carry_clear(&s->client_carry);
        s->lit_wait = false;
        s->lit_role = 0;
        s->client_sasl = false;   /* the SASL line may be among the lost bytes */
    } else {
        bool login_step = false;
        for (uint32_t i = 0; i < s->pending_cap; i++) {
            mailx_imap_pending *p = &s->pending[i];
            if (!p->used || p->stale)
                continue;
            p->stale = true;
            s->stale_count++;
            gev.unknown++;
            if (p->cmd == MAILX_IMAP_CMD_LOGIN || p->cmd == MAILX_IMAP_CMD_AUTHENTICATE)
                login_step = true;
        }
        s->unknown += gev.unknown;
        literal_cut(s, &s->server, sink, ctx, &gev);
        mailx_line_carry_clear(&s->server_carry);
        s->server_msg_num = 0;
        s->sasl_open = false;
        if (login_step && s->auth.open)
            mailx_auth_end(&s->auth, MAILX_AUTH_UNKNOWN, &aev);
    }
    gev.repeat = s->gap_open[from_client] && gev.unknown == 0 && !gev.literal_cut;
    s->gap_open[from_client] = true;
    if (sink->gap)
        sink->gap(ctx, &gev);
    emit_auth(sink, ctx, &aev);
}
