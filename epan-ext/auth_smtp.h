/* SMTP AUTH (RFC 4954) into the login model: the SMTP session reports commands
 * and replies, these turn them into login steps. Kept apart from smtp_session
 * so that session stays about pairing and message boundaries. */
#ifndef MAILX_AUTH_SMTP_H
#define MAILX_AUTH_SMTP_H

#include "auth.h"
#include "smtp_session.h"

/* A client line: "AUTH mech [initial-response]" or a SASL response line. */
void mailx_auth_smtp_command(mailx_auth_state *a, const mailx_smtp_command_event *cev,
                             mailx_auth_event *ev);
/* A reply line: the last line of a reply to AUTH or to a SASL response decides
 * (235 success; 334 continues; 4xx/5xx failure, RFC 4954 s6). */
void mailx_auth_smtp_reply(mailx_auth_state *a, const mailx_smtp_reply_event *rev,
                           mailx_auth_event *ev);

#endif
