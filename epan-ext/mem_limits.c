/* The table of mailx's memory limits (see mem_limits.h). The defaults are the
 * values mailx always had (but sessions_max, raised from 100,000 so that a busy
 * server's capture is analysed whole); the upper bounds are what one hostile session or
 * message may cost when a user raises a limit as far as it goes. */
#include "mem_limits.h"

#include "imap_session.h"
#include "line_splitter.h"
#include "pop_session.h"
#include "smtp_session.h"

static const mailx_limit_info limit_table[MAILX_LIMIT_COUNT] = {
    [MAILX_LIMIT_SMTP_PENDING] = { "smtp_pending_max", "SMTP commands waiting per session",
        "Pipelined SMTP commands remembered until their replies (32 bytes each); past it, "
        "replies are not paired and mailx.limit.smtp_pending is raised once per session",
        MAILX_SMTP_PENDING_MAX, 1, MAILX_SMTP_PENDING_HARD_MAX },
    [MAILX_LIMIT_POP_PENDING] = { "pop_pending_max", "POP3 commands waiting per session",
        "Pipelined POP3 commands remembered until their status lines (40 bytes each); past it, "
        "responses are not paired and mailx.limit.pop_pending is raised once per session",
        MAILX_POP_PENDING_MAX, 1, MAILX_POP_PENDING_HARD_MAX },
    [MAILX_LIMIT_IMAP_PENDING] = { "imap_pending_max", "IMAP commands waiting per session",
        "Pipelined IMAP commands remembered until their tagged responses (about 100 bytes "
        "each, searched by tag); past it, mailx.limit.imap_pending is raised once per session",
        MAILX_IMAP_PENDING_MAX, 1, MAILX_IMAP_PENDING_HARD_MAX },
    /* an open entity costs about 400 bytes (its boundary, hash and decoder state) */
    [MAILX_LIMIT_MIME_DEPTH] = { "mime_depth_max", "MIME nesting depth per message",
        "Nested multiparts and embedded messages read; deeper ones are read as opaque "
        "content (mailx.limit.mime)",
        MAILX_MIME_DEPTH_MAX_DEFAULT, 1, 1000 },
    [MAILX_LIMIT_MIME_PARTS] = { "mime_parts_max", "MIME parts per message",
        "MIME entities read per message; later parts are not read (mailx.limit.mime)",
        MAILX_MIME_PARTS_MAX_DEFAULT, 1, 1000000 },
    /* each listed attachment is a record kept for the capture (a few hundred bytes) */
    [MAILX_LIMIT_MIME_ATTACHMENTS] = { "mime_attachments_max", "Attachments listed per message",
        "Attachments listed (name, type, size, SHA-256) per message; later ones are "
        "counted, not listed (mailx.limit.mime)",
        MAILX_MIME_ATTACHMENTS_MAX_DEFAULT, 1, 100000 },
    [MAILX_LIMIT_HEADER_FIELD] = { "header_field_max", "Header field bytes kept",
        "Bytes kept of one unfolded header field; longer ones are truncated (mailx.limit.mime)",
        MAILX_MIME_HEADER_FIELD_MAX_DEFAULT, 256, 1 << 20 },
    [MAILX_LIMIT_HEADER_BLOCK] = { "header_block_max", "Header block bytes interpreted",
        "Header bytes of one message or part that are interpreted; later fields are "
        "skipped (mailx.limit.mime)",
        MAILX_MIME_HEADER_BYTES_MAX_DEFAULT, 1024, 64u << 20 },
    /* a session costs about 1 KiB of state plus its frames' records, at most
     * ~3 KiB with its connection: a million is ~3 GiB, where Wireshark itself
     * takes ~9 KiB a session; a busy server's day has hundreds of thousands */
    [MAILX_LIMIT_SESSIONS] = { "sessions_max", "Mail sessions tracked per capture",
        "SMTP, POP3 and IMAP sessions analysed per capture; later ones are not analysed "
        "and mailx.limit.sessions is raised once",
        MAILX_SESSIONS_MAX_DEFAULT, 1, 10000000 },
    /* each direction of a session grows its carry buffer up to it, only while a
     * line spans segments; 16 still holds a reply code and its enhanced status */
    [MAILX_LIMIT_LINE_KEEP] = { "line_keep_max", "Bytes kept of a line split across segments",
        "Bytes kept of a command, reply or message line carried across TCP segments; "
        "longer lines are still delimited and reported, their text cut, and "
        "mailx.limit.line is raised once per session",
        MAILX_LINE_KEEP_MAX, 16, MAILX_LINE_KEEP_HARD_MAX },
};

const mailx_limit_info *mailx_limit_info_get(mailx_limit_id id)
{
    return (unsigned)id < MAILX_LIMIT_COUNT ? &limit_table[id] : NULL;
}

void mailx_limits_default(mailx_limits *l)
{
    for (unsigned i = 0; i < MAILX_LIMIT_COUNT; i++)
        l->v[i] = limit_table[i].def;
}

uint32_t mailx_limit_clamp(mailx_limit_id id, uint32_t value)
{
    const mailx_limit_info *r = mailx_limit_info_get(id);
    if (!r)
        return value;
    return value < r->min ? r->min : value > r->max ? r->max : value;
}

unsigned mailx_limits_clamp(mailx_limits *l)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAILX_LIMIT_COUNT; i++) {
        uint32_t c = mailx_limit_clamp((mailx_limit_id)i, l->v[i]);
        n += c != l->v[i];
        l->v[i] = c;
    }
    return n;
}

void mailx_limits_mime(const mailx_limits *l, mailx_mime_limits *out)
{
    mailx_mime_limits_default(out);
    out->depth_max = l->v[MAILX_LIMIT_MIME_DEPTH];
    out->parts_max = l->v[MAILX_LIMIT_MIME_PARTS];
    out->attachments_max = l->v[MAILX_LIMIT_MIME_ATTACHMENTS];
    out->header_field_max = l->v[MAILX_LIMIT_HEADER_FIELD];
    out->header_bytes_max = l->v[MAILX_LIMIT_HEADER_BLOCK];
}
