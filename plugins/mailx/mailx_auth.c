/* Logins across SMTP, POP3 and IMAP: turns the login model's events (epan-ext
 * auth.h) into per-frame records on the first pass, counts failed logins per
 * client for the password-guessing warning, and renders mailx.auth.* on every
 * pass. Passwords never reach this file: the model only says that one crossed. */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/to_str.h>

#include "mailx.h"

mailx_pref_bool mailx_pref_mask_users = FALSE;
guint mailx_pref_auth_failure_threshold = 5;

static int hf_auth = -1;
static int hf_auth_attempt = -1;
static int hf_auth_mechanism = -1;
static int hf_auth_user = -1;
static int hf_auth_result = -1;
static int hf_auth_failed = -1;
static int hf_auth_cleartext = -1;
static gint ett_auth = -1;
/* the fields above, one group (mailx_hf_wanted) */
static hf_register_info auth_hf[] = {
    { &hf_auth, { "Login", "mailx.auth", FT_NONE, BASE_NONE, NULL, 0x0,
        "A login step in this frame: attempt, mechanism, user and result", HFILL } },
    { &hf_auth_attempt, { "Attempt", "mailx.auth.attempt", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Number of the login attempt in this session (1, 2, ...)", HFILL } },
    { &hf_auth_mechanism, { "Mechanism", "mailx.auth.mechanism", FT_STRING, BASE_NONE, NULL, 0x0,
        "SASL mechanism (PLAIN, LOGIN, CRAM-MD5 ...), USER/PASS, APOP or IMAP LOGIN", HFILL } },
    { &hf_auth_user, { "User", "mailx.auth.user", FT_STRING, BASE_NONE, NULL, 0x0,
        "User name the exchange revealed (masked when mailx.mask_users is set)", HFILL } },
    { &hf_auth_result, { "Result", "mailx.auth.result", FT_STRING, BASE_NONE, NULL, 0x0,
        "success, failure, aborted, or unknown (no answer in the capture)", HFILL } },
    { &hf_auth_failed, { "Login failed", "mailx.auth.failed", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
        "The server rejected the login in this frame", HFILL } },
    { &hf_auth_cleartext, { "Credentials in clear", "mailx.auth.cleartext", FT_BOOLEAN, BASE_NONE,
        NULL, 0x0, "A password or reusable credential crossed without TLS in this frame", HFILL } },
};

static expert_field ei_auth_login_failed = EI_INIT;
static expert_field ei_auth_cleartext = EI_INIT;
static expert_field ei_auth_repeated = EI_INIT;
static expert_field ei_auth_before_starttls = EI_INIT;
static expert_field ei_auth_sasl_malformed = EI_INIT;

/* client address -> failed logins, first pass only (file scope) */
static GHashTable *failures_by_client;

static const char *proto_label(guint8 p)
{
    switch (p) {
    case MAILX_PROTO_SMTP: return "SMTP";
    case MAILX_PROTO_POP:  return "POP3";
    case MAILX_PROTO_IMAP: return "IMAP";
    default:               return "mail";
    }
}

void mailx_auth_file_init(void)
{
    failures_by_client = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void mailx_auth_file_cleanup(void)
{
    if (failures_by_client) {
        g_hash_table_destroy(failures_by_client);
        failures_by_client = NULL;
    }
}

void mailx_auth_reply_text(char *out, size_t size, const char *status, const char *code)
{
    g_strlcpy(out, status, size);
    if (code[0]) {
        g_strlcat(out, " [", size);
        g_strlcat(out, code, size);
        g_strlcat(out, "]", size);
    }
}

void mailx_auth_record(mailx_frame *fr, packet_info *pinfo, const mailx_auth_event *ev,
                       const char *reply)
{
    mailx_conv *mc = fr->conv;
    mailx_auth_rec *r = mailx_rec_new0(mailx_auth_rec);
    r->attempt = ev->attempt;
    r->proto = (guint8)mc->proto;
    r->result = (guint8)ev->result;
    r->started = ev->started;
    r->credential = ev->credential;
    /* a credential is in clear unless this very frame came through TLS */
    r->cleartext = ev->credential && !fr->tls_layer;
    r->before_starttls = r->cleartext && mc->sum.starttls_offered;
    r->user_now = ev->user_now;
    r->bad_encoding = ev->bad_encoding;
    r->cancel = ev->cancel;
    r->mech = mailx_str_intern(ev->mech);
    r->user = mailx_str_intern(ev->user);
    r->reply = "";
    if (reply && ev->result) {
        char kept[40];
        g_strlcpy(kept, reply, sizeof kept);
        r->reply = mailx_str_intern(kept);
    }

    if (ev->started)
        mc->sum.open_attempt = r;   /* an unanswered earlier one keeps decided_in 0: unknown */
    if (ev->result) {
        if (mc->sum.open_attempt)
            mc->sum.open_attempt->decided_in = pinfo->num;
        mc->sum.open_attempt = NULL;
    }
    if (ev->result == MAILX_AUTH_FAILURE && failures_by_client) {
        const address *client = fr->from_client ? &pinfo->src : &pinfo->dst;
        char *key = address_to_str(NULL, client);
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(failures_by_client, key)) + 1;
        g_hash_table_replace(failures_by_client, key, GUINT_TO_POINTER(n));
        r->client_failures = n;
        /* once, on the failure that passes the threshold */
        r->repeated = mailx_pref_auth_failure_threshold > 0 && n == mailx_pref_auth_failure_threshold + 1;
    }
    /* packet scope while the frame is analysed: stored with the frame record */
    fr->auth = (mailx_auth_rec **)wmem_realloc(pinfo->pool, fr->auth,
                                                (fr->n_auth + 1) * sizeof *fr->auth);
    fr->auth[fr->n_auth++] = r;
}

static const char *shown_user(const char *user, char *buf, size_t cap)
{
    if (!user[0])
        return NULL;
    if (!mailx_pref_mask_users)
        return user;
    mailx_auth_mask_user(user, buf, cap);
    return buf;
}

void mailx_auth_render(const mailx_frame *fr, packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    /* without the items (tree hidden, no field here referenced) each would be
       faked, that is `tree` itself: the expert items go there */
    gboolean want = MAILX_FIELDS_WANTED(tree, auth_hf);
    for (guint i = 0; i < fr->n_auth; i++) {
        const mailx_auth_rec *r = fr->auth[i];
        if (!want && r->result != MAILX_AUTH_FAILURE && !r->cleartext && !r->bad_encoding)
            continue;
        char masked[MAILX_AUTH_USER_MAX + 1];
        const char *user = shown_user(r->user, masked, sizeof masked);
        mailx_auth_result result = (mailx_auth_result)r->result;
        /* an attempt without an answer in the whole capture: known only once the
           first pass is over, shown on the frame that started it */
        if (!result && r->started && !r->decided_in && PINFO_FD_VISITED(pinfo))
            result = MAILX_AUTH_UNKNOWN;

        /* each item only where it is made: a field nobody references would be
           faked, proto_tree_add_* returning its parent (a hidden tree with
           another field of the group referenced) */
        proto_item *ai = tree, *pi = tree;
        proto_tree *at = tree;
        if (want) {
            if (MAILX_FIELD_REAL(tree, auth_hf, hf_auth)) {
                ai = proto_tree_add_none_format(tree, hf_auth, tvb, 0, 0,
                    "%s login attempt %u (%s)%s%s%s%s", proto_label(r->proto), r->attempt, r->mech,
                    user ? " user " : "", user ? user : "", result ? ": " : "",
                    result ? mailx_auth_result_name(result) : "");
                proto_item_set_generated(ai);
                at = proto_item_add_subtree(ai, ett_auth);
            }
            if (MAILX_FIELD_REAL(tree, auth_hf, hf_auth_attempt)) {
                pi = proto_tree_add_uint(at, hf_auth_attempt, tvb, 0, 0, r->attempt);
                proto_item_set_generated(pi);
            }
            if (MAILX_FIELD_REAL(tree, auth_hf, hf_auth_mechanism)) {
                pi = proto_tree_add_string(at, hf_auth_mechanism, tvb, 0, 0, r->mech);
                proto_item_set_generated(pi);
            }
            if (user && MAILX_FIELD_REAL(tree, auth_hf, hf_auth_user)) {
                pi = proto_tree_add_string(at, hf_auth_user, tvb, 0, 0, user);
                proto_item_set_generated(pi);
            }
            if (result && MAILX_FIELD_REAL(tree, auth_hf, hf_auth_result)) {
                pi = proto_tree_add_string(at, hf_auth_result, tvb, 0, 0, mailx_auth_result_name(result));
                proto_item_set_generated(pi);
            }
        }
        if (r->result == MAILX_AUTH_FAILURE) {
            pi = at;
            if (want && MAILX_FIELD_REAL(tree, auth_hf, hf_auth_failed)) {
                pi = proto_tree_add_boolean(at, hf_auth_failed, tvb, 0, 0, TRUE);
                proto_item_set_generated(pi);
            }
            MAILX_EXPERT(pinfo, tree, pi, &ei_auth_login_failed, "%s login failed for %s: %s",
                         proto_label(r->proto), user ? user : "unknown user",
                         r->reply[0] ? r->reply : "rejected");
            if (r->repeated)
                MAILX_EXPERT(pinfo, tree, pi, &ei_auth_repeated,
                    "%u failed logins from this client (more than mailx.auth_failure_threshold = %u): password guessing?",
                    r->client_failures, mailx_pref_auth_failure_threshold);
        }
        if (r->cleartext) {
            pi = at;
            if (want && MAILX_FIELD_REAL(tree, auth_hf, hf_auth_cleartext)) {
                pi = proto_tree_add_boolean(at, hf_auth_cleartext, tvb, 0, 0, TRUE);
                proto_item_set_generated(pi);
            }
            MAILX_EXPERT(pinfo, tree, pi, &ei_auth_cleartext,
                         "%s credentials in clear (%s%s%s) without TLS",
                         proto_label(r->proto), r->mech, user ? ", user " : "",
                         user ? user : "");
            if (r->before_starttls)
                MAILX_EXPERT(pinfo, tree, pi, &ei_auth_before_starttls,
                             "Credentials sent before STARTTLS although the server offered it");
        }
        if (r->bad_encoding)
            MAILX_EXPERT(pinfo, tree, ai, &ei_auth_sasl_malformed,
                         "SASL response is not valid base64 (RFC 4648 s4)");
    }
}

void mailx_auth_register(module_t *mod)
{
    static gint *ett[] = { &ett_auth };
    static ei_register_info ei[] = {
        { &ei_auth_login_failed, { "mailx.auth.login.failed", PI_SECURITY, PI_WARN,
            "Login failed", EXPFILL } },
        { &ei_auth_cleartext, { "mailx.auth.credentials.cleartext", PI_SECURITY, PI_WARN,
            "Credentials in clear text", EXPFILL } },
        { &ei_auth_repeated, { "mailx.auth.login.repeated_failures", PI_SECURITY, PI_WARN,
            "Repeated failed logins from one client", EXPFILL } },
        { &ei_auth_before_starttls, { "mailx.tls.credentials.before_starttls", PI_SECURITY, PI_WARN,
            "Credentials sent before STARTTLS although offered", EXPFILL } },
        { &ei_auth_sasl_malformed, { "mailx.auth.sasl.malformed", PI_MALFORMED, PI_WARN,
            "SASL response is not base64", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, auth_hf, array_length(auth_hf));
    mailx_field_group_check(auth_hf, array_length(auth_hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_mailx);
    expert_register_field_array(em, ei, array_length(ei));

    prefs_register_bool_preference(mod, "mask_users", "Mask user names",
        "Show user names as a***e in mailx.auth.user and the session summary, for captures that must be shared",
        &mailx_pref_mask_users);
    prefs_register_uint_preference(mod, "auth_failure_threshold", "Failed logins before a warning",
        "Failed logins from one client (all sessions) beyond which mailx raises a password-guessing warning (0: never)",
        10, &mailx_pref_auth_failure_threshold);
}
