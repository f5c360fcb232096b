/* SMTP AUTH steps for the login model. See auth_smtp.h. */
#include "auth_smtp.h"

#include <string.h>

void mailx_auth_smtp_command(mailx_auth_state *a, const mailx_smtp_command_event *cev,
                             mailx_auth_event *ev)
{
    if (cev->kind == MAILX_SMTP_ANSWERS_AUTH_RESPONSE) {
        if (cev->line_cut)
            mailx_auth_sasl_response_cut(a, ev);
        else
            mailx_auth_sasl_response(a, cev->line, cev->line_len, ev);
        return;
    }
    if (cev->kind != MAILX_SMTP_ANSWERS_COMMAND || cev->cmd.verb != MAILX_SMTP_CMD_AUTH)
        return;
    /* RFC 4954 s4: AUTH mechanism [initial-response]; "=" is an empty response */
    const uint8_t *arg = cev->line + cev->cmd.arg_off;
    size_t alen = cev->cmd.arg_off <= cev->line_len ? cev->cmd.arg_len : 0;
    size_t m = 0;
    while (m < alen && arg[m] != ' ')
        m++;
    if (m == 0)
        return;
    mailx_auth_begin(a, arg, m, true, ev);
    size_t p = m;
    while (p < alen && arg[p] == ' ')
        p++;
    if (p < alen && cev->line_cut)
        mailx_auth_sasl_response_cut(a, ev);   /* the response reaches the cut */
    else if (p < alen)
        mailx_auth_sasl_response(a, arg + p, alen - p, ev);
}

void mailx_auth_smtp_reply(mailx_auth_state *a, const mailx_smtp_reply_event *rev,
                           mailx_auth_event *ev)
{
    if (!a->open || !rev->has_request)
        return;
    bool auth = (rev->answers == MAILX_SMTP_ANSWERS_COMMAND && rev->verb == MAILX_SMTP_CMD_AUTH) ||
                rev->answers == MAILX_SMTP_ANSWERS_AUTH_RESPONSE;
    if (!auth || (rev->parsed && !rev->reply.is_last))
        return;
    uint16_t code = rev->parsed ? rev->reply.code : 0;
    if (code == 334)
        return;
    mailx_auth_end(a, code >= 200 && code < 300 ? MAILX_AUTH_SUCCESS : MAILX_AUTH_FAILURE, ev);
}
