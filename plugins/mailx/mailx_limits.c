/* The memory-limit preferences (one per row of epan-ext/mem_limits.h) and the
 * per-capture cap on mail sessions. The values are read by the init routine,
 * so a change takes effect on the next file (or redissection); the whole file
 * is analysed with one set. Values outside a limit's range are clamped with a
 * warning when the preference is applied. */
#include <stdio.h>

#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <wsutil/report_message.h>

#include "mailx.h"

mailx_limits mailx_limits_now;
static guint pref_limit[MAILX_LIMIT_COUNT];

static expert_field ei_limit_sessions = EI_INIT;
static expert_field ei_limit_line = EI_INIT;

/* The session cap: the first frame refused (0: none yet) and how many sessions
 * went untracked. */
static guint32 sessions_refused_frame;
static guint32 sessions_refused;

void mailx_limits_register(module_t *mod)
{
    static ei_register_info ei[] = {
        { &ei_limit_sessions, { "mailx.limit.sessions", PI_PROTOCOL, PI_WARN,
            "mailx limit reached: mail sessions tracked per capture", EXPFILL } },
        { &ei_limit_line, { "mailx.limit.line", PI_PROTOCOL, PI_WARN,
            "mailx limit reached: a line carried across segments was cut", EXPFILL } },
    };
    expert_register_field_array(expert_register_protocol(proto_mailx), ei, array_length(ei));

    for (int i = 0; i < MAILX_LIMIT_COUNT; i++) {
        const mailx_limit_info *r = mailx_limit_info_get((mailx_limit_id)i);
        pref_limit[i] = r->def;
        /* static: the preference module keeps the pointer for the life of the
           program and frees its own records at exit, never this text (a heap copy
           was a definite leak under valgrind) */
        static char desc[MAILX_LIMIT_COUNT][320];
        g_snprintf(desc[i], sizeof desc[i], "%s. From %u to %u; default %u.", r->description,
                   r->min, r->max, r->def);
        prefs_register_uint_preference(mod, r->name, r->title, desc[i], 10, &pref_limit[i]);
    }
    mailx_limits_default(&mailx_limits_now);
}

/* The module's apply callback: out-of-range values are set to the nearest
 * allowed one, and the user is told (tshark: on stderr; the GUI: a dialog). */
void mailx_limits_apply(void)
{
    for (int i = 0; i < MAILX_LIMIT_COUNT; i++) {
        guint32 c = mailx_limit_clamp((mailx_limit_id)i, pref_limit[i]);
        if (c != pref_limit[i]) {
            const mailx_limit_info *r = mailx_limit_info_get((mailx_limit_id)i);
            report_warning("mailx.%s: %u is outside the allowed range %u to %u; using %u",
                           r->name, pref_limit[i], r->min, r->max, c);
            pref_limit[i] = c;
        }
    }
}

void mailx_limits_file_init(void)
{
    for (int i = 0; i < MAILX_LIMIT_COUNT; i++)
        mailx_limits_now.v[i] = pref_limit[i];
    mailx_limits_clamp(&mailx_limits_now);
    sessions_refused_frame = 0;
    sessions_refused = 0;
}

gboolean mailx_limits_session_admit(packet_info *pinfo, guint32 tracked)
{
    if (tracked < mailx_limits_now.v[MAILX_LIMIT_SESSIONS])
        return TRUE;
    if (!sessions_refused_frame)
        sessions_refused_frame = pinfo->num;
    sessions_refused++;
    return FALSE;
}

guint32 mailx_limits_sessions_untracked(void)
{
    return sessions_refused;
}

void mailx_limits_sessions_warn(const char *stat)
{
    guint32 n = mailx_limits_sessions_untracked();
    if (n)
        fprintf(stderr, "tshark: %s: %u more mail sessions not analysed, so not counted here: past the "
                "mailx.sessions_max limit of %u\n", stat, n, mailx_limits_now.v[MAILX_LIMIT_SESSIONS]);
}

gboolean mailx_limits_sessions_frame(const packet_info *pinfo)
{
    return sessions_refused_frame && pinfo->num == sessions_refused_frame;
}

void mailx_limits_sessions_render(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    proto_tree_add_expert_format(tree, pinfo, &ei_limit_sessions, tvb, 0, 0,
        "mailx limit reached: more than %u mail sessions tracked; later sessions are not "
        "analysed (preference mailx.sessions_max)", mailx_limits_now.v[MAILX_LIMIT_SESSIONS]);
}

void mailx_limits_line_render(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    proto_tree_add_expert_format(tree, pinfo, &ei_limit_line, tvb, 0, 0,
        "mailx limit reached: a line longer than %u bytes was cut (preference "
        "mailx.line_keep_max)", mailx_limits_now.v[MAILX_LIMIT_LINE_KEEP]);
}
