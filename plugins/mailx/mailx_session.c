/* Mail sessions: TLS (none / STARTTLS / implicit, decrypted or not) and the
 * session summary subtree (user, login result, TLS, messages, failures,
 * duration, bytes) shown on every frame of the session. Bookkeeping runs on the
 * first pass; the summary read on later passes (and in the GUI) is the final
 * one. */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/proto_data.h>

#include "mailx.h"

static int hf_tls = -1;
static int hf_tls_decrypted = -1;
static int hf_tls_starttls = -1;
static int hf_summary = -1;
static int hf_sum_user = -1;
static int hf_sum_auth = -1;
static int hf_sum_auth_failures = -1;
static int hf_sum_messages = -1;
static int hf_sum_failures = -1;
static int hf_sum_duration = -1;
static int hf_sum_bytes = -1;
static int hf_sum_frames = -1;
static gint ett_summary = -1;
/* the fields above, one group (mailx_hf_wanted) */
static hf_register_info session_hf[] = {
    { &hf_tls, { "TLS", "mailx.tls", FT_STRING, BASE_NONE, NULL, 0x0,
        "none, starttls or implicit", HFILL } },
    { &hf_tls_decrypted, { "Decrypted", "mailx.tls.decrypted", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
        "Mail data after the TLS handshake could be read (a key log was given)", HFILL } },
    { &hf_tls_starttls, { "STARTTLS", "mailx.tls.starttls", FT_STRING, BASE_NONE, NULL, 0x0,
        "offered, requested, accepted or refused, on the frame where it happens", HFILL } },
    { &hf_summary, { "Session summary", "mailx.session.summary", FT_NONE, BASE_NONE, NULL, 0x0,
        "What the whole session showed", HFILL } },
    { &hf_sum_user, { "User", "mailx.session.user", FT_STRING, BASE_NONE, NULL, 0x0,
        "User of the session's latest login naming one", HFILL } },
    { &hf_sum_auth, { "Login result", "mailx.session.auth", FT_STRING, BASE_NONE, NULL, 0x0,
        "Result of the session's last login attempt", HFILL } },
    { &hf_sum_auth_failures, { "Failed logins", "mailx.session.auth_failures", FT_UINT32, BASE_DEC,
        NULL, 0x0, "Failed login attempts in the session", HFILL } },
    { &hf_sum_messages, { "Messages", "mailx.session.messages", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Messages sent (SMTP) or retrieved (POP3 RETR/TOP, IMAP FETCH literals)", HFILL } },
    { &hf_sum_failures, { "Failures", "mailx.session.failures", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Failure replies: SMTP 4xx/5xx, POP3 -ERR, IMAP tagged NO/BAD", HFILL } },
    { &hf_sum_duration, { "Duration", "mailx.session.duration", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
        "Time from the session's first to its last frame", HFILL } },
    { &hf_sum_bytes, { "Bytes", "mailx.session.bytes", FT_UINT64, BASE_DEC, NULL, 0x0,
        "Frame bytes of all the session's frames", HFILL } },
    { &hf_sum_frames, { "Frames", "mailx.session.frames", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Frames of the session", HFILL } },
};

static expert_field ei_starttls_refused = EI_INIT;
static expert_field ei_no_keys = EI_INIT;

static const char *tls_name(mailx_tls_mode m)
{
    switch (m) {
    case MAILX_TLS_STARTTLS: return "starttls";
    case MAILX_TLS_IMPLICIT: return "implicit";
    default:                 return "none";
    }
}

static const char *starttls_name(guint8 e)
{
    switch (e) {
    case MAILX_STARTTLS_OFFERED:   return "offered";
    case MAILX_STARTTLS_REQUESTED: return "requested";
    case MAILX_STARTTLS_ACCEPTED:  return "accepted";
    case MAILX_STARTTLS_REFUSED:   return "refused";
    default:                       return NULL;
    }
}

const mailx_auth_state *mailx_session_auth(const mailx_conv *mc)
{
    if (mc->proto == MAILX_PROTO_POP && mc->pop)
        return &mc->pop->auth;
    if (mc->proto == MAILX_PROTO_IMAP && mc->imap)
        return &mc->imap->auth;
    if (mc->login_kept) {
        /* a freed session: its login as it ended, in the fields the readers use
           (they read it at once; dissection is single-threaded) */
        static mailx_auth_state kept;
        memset(&kept, 0, sizeof kept);
        kept.attempt = mc->login_kept->attempt;
        kept.failures = mc->login_kept->failures;
        kept.last_result = (mailx_auth_result)mc->login_kept->last_result;
        kept.open = mc->login_kept->open;
        g_strlcpy(kept.last_user, mc->login_kept->last_user, sizeof kept.last_user);
        return &kept;
    }
    static const mailx_auth_state no_login;   /* no AUTH in the session */
    return mc->smtp_auth ? mc->smtp_auth : &no_login;
}

void mailx_session_tls_started(mailx_conv *mc)
{
    mc->sum.tls = MAILX_TLS_STARTTLS;
    mc->sum.tls_active = TRUE;
}

void mailx_session_starttls(mailx_frame *fr, mailx_starttls_event ev)
{
    /* the strongest event of the frame wins (accepted/refused over requested) */
    if ((guint8)ev > fr->starttls)
        fr->starttls = (guint8)ev;
}

void mailx_session_account(mailx_frame *fr, packet_info *pinfo, gboolean has_mail)
{
    mailx_session_summary *s = &fr->conv->sum;
    if (s->frames == 0)
        s->first_ts = pinfo->abs_ts;
    s->last_ts = pinfo->abs_ts;
    s->frames++;
    s->bytes += pinfo->fd->pkt_len;
    if (fr->tls_layer) {
        /* mail data that came through the TLS dissector without a STARTTLS in the
           capture: implicit TLS (465/993/995), or a capture that began after it */
        if (s->tls == MAILX_TLS_NONE && (has_mail || !s->frames_before_tls_plain)) {
            s->tls = MAILX_TLS_IMPLICIT;
            s->tls_active = TRUE;
        }
        if (s->tls_active) {
            if (has_mail)
                s->decrypted = TRUE;
            if (!s->first_tls_frame)
                s->first_tls_frame = pinfo->num;
            s->tls_frames++;
        }
    } else if (has_mail && !s->tls_active) {
        s->frames_before_tls_plain = TRUE;
    }
}

void mailx_session_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    const mailx_conv *mc = fr->conv;
    const mailx_session_summary *s = &mc->sum;
    proto_item *pi;

    /* without the items (tree hidden, no field here referenced) each would be
       faked, that is `tree` itself: the expert items go there */
    gboolean want = MAILX_FIELDS_WANTED(tree, session_hf);
    const char *st = starttls_name(fr->starttls);
    if (st) {
        pi = tree;
        if (want) {
            pi = proto_tree_add_string(tree, hf_tls_starttls, tvb, 0, 0, st);
            proto_item_set_generated(pi);
        }
        if (fr->starttls == MAILX_STARTTLS_REFUSED)
            MAILX_EXPERT(pinfo, tree, pi, &ei_starttls_refused,
                         "The server refused STARTTLS: the session goes on in clear or ends");
    }

    /* known only when the capture has been read to its end */
    gboolean no_keys = PINFO_FD_VISITED(pinfo) && s->tls_active && !s->decrypted && s->tls_frames &&
                       pinfo->num == s->first_tls_frame;
    /* the summary is on every frame of the session: built only when someone reads
       it, or for the frame that carries its expert item */
    if (!no_keys && !want)
        return;

    const mailx_auth_state *a = mailx_session_auth(mc);
    proto_item *si = proto_tree_add_none_format(tree, hf_summary, tvb, 0, 0,
        "Session %u summary: %s, TLS %s%s", mc->id,
        a->attempt ? mailx_auth_result_name(a->last_result) : "no login", tls_name(s->tls),
        s->tls != MAILX_TLS_NONE ? (s->decrypted ? " (decrypted)" : " (not decrypted)") : "");
    proto_item_set_generated(si);
    proto_tree *t = proto_item_add_subtree(si, ett_summary);
    if (a->last_user[0]) {
        char masked[MAILX_AUTH_USER_MAX + 1];
        const char *u = a->last_user;
        if (mailx_pref_mask_users) {
            mailx_auth_mask_user(u, masked, sizeof masked);
            u = masked;
        }
        pi = proto_tree_add_string(t, hf_sum_user, tvb, 0, 0, u);
        proto_item_set_generated(pi);
    }
    if (a->attempt) {
        mailx_auth_result r = a->last_result;
        if (a->open && r == MAILX_AUTH_NONE)
            r = MAILX_AUTH_UNKNOWN;
        pi = proto_tree_add_string(t, hf_sum_auth, tvb, 0, 0, mailx_auth_result_name(r));
        proto_item_set_generated(pi);
        pi = proto_tree_add_uint(t, hf_sum_auth_failures, tvb, 0, 0, a->failures);
        proto_item_set_generated(pi);
    }
    pi = proto_tree_add_string(t, hf_tls, tvb, 0, 0, tls_name(s->tls));
    proto_item_set_generated(pi);
    if (s->tls != MAILX_TLS_NONE && s->decrypted) {
        pi = proto_tree_add_boolean(t, hf_tls_decrypted, tvb, 0, 0, TRUE);
        proto_item_set_generated(pi);
    }
    pi = proto_tree_add_uint(t, hf_sum_messages, tvb, 0, 0, s->messages);
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint(t, hf_sum_failures, tvb, 0, 0, s->failures);
    proto_item_set_generated(pi);
    nstime_t d;
    nstime_delta(&d, &s->last_ts, &s->first_ts);
    pi = proto_tree_add_time(t, hf_sum_duration, tvb, 0, 0, &d);
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint64(t, hf_sum_bytes, tvb, 0, 0, s->bytes);
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint(t, hf_sum_frames, tvb, 0, 0, s->frames);
    proto_item_set_generated(pi);

    if (no_keys)
        MAILX_EXPERT(pinfo, tree, si, &ei_no_keys,
            "Encrypted %s session %u and no keys: give the client's TLS key log (SSLKEYLOGFILE) "
            "with -o tls.keylog_file:<file> (Preferences > Protocols > TLS) to read it",
            mc->proto == MAILX_PROTO_SMTP ? "SMTP" : mc->proto == MAILX_PROTO_POP ? "POP3" : "IMAP",
            mc->id);
}

void mailx_session_register(void)
{
    static gint *ett[] = { &ett_summary };
    static ei_register_info ei[] = {
        { &ei_starttls_refused, { "mailx.tls.starttls.refused", PI_SECURITY, PI_WARN,
            "STARTTLS refused", EXPFILL } },
        { &ei_no_keys, { "mailx.tls.encrypted.no_keys", PI_UNDECODED, PI_NOTE,
            "Encrypted mail session without keys", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, session_hf, array_length(session_hf));
    mailx_field_group_check(session_hf, array_length(session_hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_mailx);
    expert_register_field_array(em, ei, array_length(ei));
}
