/* Mail over the network: the outcome of every TCP connection to a mail port
 * (established, refused, no answer, reset, closed; SYN retries, setup and
 * greeting time), the TCP health of each mail session read from Wireshark's
 * own tcp.analysis.* items, error bursts per server in a sliding window and
 * login storms (sessions started per second, concurrent sessions).
 * First pass: epan-ext/conn.c and burst.c decide; the result is stored per
 * frame; every pass renders it. Outcomes decided only by the end of the
 * capture (no answer) and the final state appear on visited frames. */
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/conversation.h>
#include <epan/to_str.h>
#include <epan/dissectors/packet-tcp.h>

#include "mailx.h"
#include "conn.h"
#include "burst.h"
#include "tcp_header.h"
#include "frame_table.h"

/* Per-port service (0: not a mail port); filled by the init routine, read by
 * the post-dissector's early out with two loads. */
guint8 mailx_port_service[65536];

static const char *const service_names[MAILX_SVC_COUNT] = {
    NULL, "smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps",
};
static const char *const family_names[] = { "?", "SMTP", "POP3", "IMAP" };

static mailx_proto service_family(guint8 svc)
{
    switch (svc) {
    case MAILX_SVC_SMTP: case MAILX_SVC_SUBMISSION: case MAILX_SVC_SMTPS: return MAILX_PROTO_SMTP;
    case MAILX_SVC_POP3: case MAILX_SVC_POP3S: return MAILX_PROTO_POP;
    case MAILX_SVC_IMAP: case MAILX_SVC_IMAPS: return MAILX_PROTO_IMAP;
    default: return MAILX_PROTO_NONE;
    }
}

const char *mailx_service_name(guint8 svc)
{
    return svc < MAILX_SVC_COUNT ? service_names[svc] : NULL;
}

static gboolean service_is_tls(guint8 svc)
{
    return svc == MAILX_SVC_SMTPS || svc == MAILX_SVC_POP3S || svc == MAILX_SVC_IMAPS;
}

/* ---------------------------------------------------------------- prefs */
static range_t *pref_extra_ports;
static guint pref_conn_max = MAILX_SESSIONS_MAX_DEFAULT;
static guint pref_slow_greeting_ms = 5000;
static guint pref_retrans_percent = 2;
static guint pref_burst_count = 10;
static guint pref_burst_seconds = 10;
static guint pref_storm_rate = 50;
static guint pref_storm_concurrent = 100;

/* ---------------------------------------------------------------- fields */
static int hf_conn = -1;
static int hf_conn_result = -1;
static int hf_conn_state = -1;
static int hf_conn_service = -1;
static int hf_conn_syn_retries = -1;
static int hf_conn_setup_time = -1;
static int hf_conn_greeting_time = -1;
static int hf_conn_decided_in = -1;
static int hf_conn_segments = -1;
static int hf_conn_retrans = -1;
static int hf_conn_retrans_share = -1;
static int hf_conn_dup_acks = -1;
static int hf_conn_zero_windows = -1;
static int hf_conn_ooo = -1;
static int hf_burst_failures = -1;
static int hf_burst_duration = -1;
static int hf_storm_rate = -1;
static int hf_storm_concurrent = -1;
static gint ett_conn = -1;
static gint ett_conn_tcp = -1;
/* the fields above, one group (mailx_hf_wanted) */
static hf_register_info conn_hf[] = {
    { &hf_conn, { "Connection", "mailx.conn", FT_NONE, BASE_NONE, NULL, 0x0,
        "TCP connection to a mail port: outcome, timing and TCP health", HFILL } },
    { &hf_conn_result, { "Result", "mailx.conn.result", FT_STRING, BASE_NONE, NULL, 0x0,
        "On the frame that decides it: established, refused, no-answer, reset, closed", HFILL } },
    { &hf_conn_state, { "State", "mailx.conn.state", FT_STRING, BASE_NONE, NULL, 0x0,
        "The connection's state: after this frame on the first pass, final on later passes and in the GUI",
        HFILL } },
    { &hf_conn_service, { "Service", "mailx.conn.service", FT_STRING, BASE_NONE, NULL, 0x0,
        "smtp, submission, smtps, pop3, pop3s, imap, imaps, from the server port", HFILL } },
    { &hf_conn_syn_retries, { "SYN retries", "mailx.conn.syn_retries", FT_UINT32, BASE_DEC, NULL, 0x0,
        "SYN retransmissions before the answer or the end of the capture", HFILL } },
    { &hf_conn_setup_time, { "Setup time", "mailx.conn.setup_time", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
        "First SYN to SYN/ACK", HFILL } },
    { &hf_conn_greeting_time, { "Greeting time", "mailx.conn.greeting_time", FT_RELATIVE_TIME, BASE_NONE,
        NULL, 0x0, "SYN/ACK to the server's first data (its greeting; not on TLS ports)", HFILL } },
    { &hf_conn_decided_in, { "Outcome decided in", "mailx.conn.decided_in", FT_FRAMENUM, BASE_NONE,
        NULL, 0x0, "The frame that decided the final outcome", HFILL } },
    { &hf_conn_segments, { "Segments", "mailx.conn.tcp.segments", FT_UINT32, BASE_DEC, NULL, 0x0,
        "TCP segments of the connection", HFILL } },
    { &hf_conn_retrans, { "Retransmissions", "mailx.conn.tcp.retransmissions", FT_UINT32, BASE_DEC,
        NULL, 0x0, "Segments Wireshark marks tcp.analysis.retransmission (or spurious)", HFILL } },
    { &hf_conn_retrans_share, { "Retransmitted share (%)", "mailx.conn.tcp.retrans_share", FT_DOUBLE,
        BASE_NONE, NULL, 0x0, "Retransmissions per 100 segments", HFILL } },
    { &hf_conn_dup_acks, { "Duplicate ACKs", "mailx.conn.tcp.dup_acks", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Segments marked tcp.analysis.duplicate_ack", HFILL } },
    { &hf_conn_zero_windows, { "Zero windows", "mailx.conn.tcp.zero_windows", FT_UINT32, BASE_DEC,
        NULL, 0x0, "Segments marked tcp.analysis.zero_window", HFILL } },
    { &hf_conn_ooo, { "Out-of-order", "mailx.conn.tcp.out_of_order", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Segments marked tcp.analysis.out_of_order", HFILL } },
    { &hf_burst_failures, { "Failures in burst", "mailx.burst.failures", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Failure replies of the server's burst raised here (final count on later passes)", HFILL } },
    { &hf_burst_duration, { "Burst duration", "mailx.burst.duration", FT_RELATIVE_TIME, BASE_NONE,
        NULL, 0x0, "First to last failure of the burst", HFILL } },
    { &hf_storm_rate, { "Sessions started in 1 s", "mailx.storm.rate", FT_UINT32, BASE_DEC, NULL, 0x0,
        "Sessions to the server started within one second when the storm note was raised", HFILL } },
    { &hf_storm_concurrent, { "Concurrent sessions", "mailx.storm.concurrent", FT_UINT32, BASE_DEC,
        NULL, 0x0, "Sessions open to the server at once when the note was raised", HFILL } },
};

static expert_field ei_refused = EI_INIT;
static expert_field ei_no_answer = EI_INIT;
static expert_field ei_no_greeting = EI_INIT;
static expert_field ei_reset = EI_INIT;
static expert_field ei_slow_greeting = EI_INIT;
static expert_field ei_retrans_high = EI_INIT;
static expert_field ei_burst = EI_INIT;
static expert_field ei_storm_rate = EI_INIT;
static expert_field ei_storm_concurrent = EI_INIT;
static expert_field ei_limit = EI_INIT;

/* TCP analysis flags read, never recomputed (hf ids from handoff). Of the
 * tcp.analysis items only tcp.analysis.flags is wanted: Wireshark adds it
 * whenever the segment has a flag, and primes every wanted field on every
 * frame of every capture (seven more cost ~220 instructions a frame). Which
 * flags it has comes from the tcp dissector's record of the segment, the
 * struct tcp_acked its conversation data points at while the frame is
 * dissected (epan/dissectors/packet-tcp.h; epan-ext/tcp_analysis.c maps it).
 * The segment's flags and payload length are
 * read from the frame's bytes (epan-ext/tcp_header.c), not from any TCP item:
 * a wanted tcp.flags/tcp.len or `tcp` item makes Wireshark build real items on
 * every TCP frame of every capture (~790 instructions a frame for the `tcp`
 * item alone, docs/performance.md), and the tcp dissector leaves the header
 * nowhere else a post-dissector can read (its tap data is handed out only
 * after the post-dissectors have run). */
static int proto_icmp = -1, proto_icmpv6 = -1, proto_tcp = -1, proto_tls = -1, hf_tcp_analysis_flags = -1;
/* hf id of each MAILX_TA_* bit, in bit order */
static int hf_ta[MAILX_TA_COUNT] = { -1, -1, -1, -1, -1, -1, -1 };
static const char *const ta_names[MAILX_TA_COUNT] = {
    "tcp.analysis.retransmission", "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order", "tcp.analysis.lost_segment", "tcp.analysis.ack_lost_segment",
    "tcp.analysis.duplicate_ack", "tcp.analysis.zero_window",
};

/* ------------------------------------------------------------ file state */
typedef struct {
    guint32 first_events, events;
    gint64 first_ns, last_ns;
} burst_rec;

/* A server's key in `servers`: its address and protocol family. */
typedef struct {
    address addr;
    mailx_proto family;
} server_key;

static guint server_key_hash(gconstpointer k)
{
    const server_key *key = (const server_key *)k;
    return add_address_to_hash((guint)key->family, &key->addr);
}

static gboolean server_key_equal(gconstpointer a, gconstpointer b)
{
    const server_key *x = (const server_key *)a, *y = (const server_key *)b;
    return x->family == y->family && addresses_equal(&x->addr, &y->addr);
}

typedef struct mailx_server {
    server_key key;                /* first: the map's key is &key */
    mailx_burst failures;          /* failure replies in pref_burst_seconds */
    burst_rec *cur_burst;          /* the burst now raised, updated as it grows */
    mailx_burst starts;            /* sessions started in 1 s */
    guint32 peak_rate;
    mailx_gauge concurrent;
    gboolean conc_raised;
    guint32 bursts;
} mailx_server;

/* One per tracked connection for the whole file: fields ordered without padding */
typedef struct {
    mailx_conn c;
    guint8 service;
    guint8 open_counted;
    guint16 server_port;
    guint32 num;                   /* 1, 2, ...: its place in track_list + 1 */
    mailx_server *srv;
    address server_addr;
    guint32 first_frame, last_frame, last_syn_frame, decided_frame;
} conn_track;

/* What one frame decided; stored only on frames where something happened (an
 * event, a burst, a storm, the limit). The other frames of a tracked connection
 * render from the connection's state alone (the first pass right after feeding
 * the frame, later passes the final state), so a capture's ACKs and data
 * segments cost no memory here. Kept as a 64-bit value in the conn_frames
 * table itself (conn_rec_pack), with the connection by number: no block of its
 * own. Most records are a connection's SYN, SYN/ACK and FINs; what a burst or
 * storm adds is in a conn_alarm. */
typedef struct {
    conn_track *ct;                /* NULL: a failure reply on an untracked connection */
    guint16 ev;                    /* MAILX_CONN_EV_* decided here */
    guint8 limit : 1, burst_start : 1, storm_rate : 1, storm_conc : 1;
} conn_frame;

/* A burst or storm raised in a frame (few in a capture), by frame number. */
typedef struct {
    mailx_server *srv;             /* for the burst / storm messages */
    burst_rec *burst;              /* burst raised in this frame */
    guint32 rate, conc;            /* storm values when raised */
} conn_alarm;

static GPtrArray *track_list;      /* every conn_track, in order of its number (mailx_conv_link) */
static wmem_map_t *servers;        /* server_key (in the mailx_server) -> mailx_server* */
static guint32 n_tracks;
static guint32 n_untracked;      /* connections past pref_conn_max */
static gboolean limit_reported;
/* The frame last looked up: its conversation and track, so that a frame costs
 * one conversation look-up however many times it asks (guard, analysis, render). */
static guint32 cache_num;
static conversation_t *cache_conv;
static conversation_t *cache_ct_conv;   /* the conversation cache_ct was looked up for */
static conn_track *cache_ct;
/* The conversations' answers (their mailx_conv_link) for recently seen ones,
 * direct-mapped by the conversation's address: a capture interleaves many
 * connections, and the conversation's data look-up would be the price on every
 * frame. A track is never removed, and one added is written here too, so a
 * slot always holds its conversation's answer. */
#define TRACK_SLOTS 256
static struct {
    conversation_t *conv;
    conn_track *ct;
} track_slots[TRACK_SLOTS];

static guint track_slot(const conversation_t *conv)
{
    guintptr a = (guintptr)conv;
    return (guint)((a >> 4) ^ (a >> 12)) % TRACK_SLOTS;
}
/* The TCP segment of frame seg_num read from its bytes (seg_ok: found), and
 * where that frame's IP header was: most frames of a capture share one link
 * layer, so the next search tries there first. */
static guint32 seg_num;
static gboolean seg_ok;
static mailx_tcp_header seg_hdr;
static size_t ip_offset_hint;
/* The layers (mailx_frame_layers) of frame layers_num on the pass layers_visited. */
static guint32 layers_num;
static gboolean layers_visited;
static guint layers_bits;
static dissector_table_t tcp_port_tbl, tls_port_tbl;
static void memo_reset(void);     /* the conversation memo (mailx_frame_conversation) */
/* The view (frame_view) of frame view_num on the pass view_visited: asked by
 * the post-dissector and by the render, the same answer until a record is
 * added or a connection fed (view_num = 0). */
static guint32 view_num;
static gboolean view_visited;
static const conn_frame *view_cf;
static conn_frame view_scratch;
/* The frame whose flags ta_bits holds: one read per frame for the connection
 * analysis, the mail session and -z mailx,tcp (a tap: same frame, same tree). */
static guint32 ta_num;
static gboolean ta_visited;
static const proto_tree *ta_tree;
static guint ta_bits;
static dissector_handle_t h_smtp, h_pop, h_imap;

static gint64 ts_ns(const packet_info *pinfo)
{
    return (gint64)pinfo->abs_ts.secs * 1000000000 + pinfo->abs_ts.nsecs;
}

static void set_port(guint32 port, guint8 svc)
{
    if (port > 0 && port < 65536 && !mailx_port_service[port])
        mailx_port_service[port] = svc;
}

static void map_decode_as(const gchar *table_name _U_, ftenum_t selector_type _U_, gpointer key,
                          gpointer value, gpointer user_data)
{
    gboolean tls = GPOINTER_TO_INT(user_data);
    dissector_handle_t h = dtbl_entry_get_handle((dtbl_entry_t *)value);
    guint32 port = GPOINTER_TO_UINT(key);
    if (!h)
        return;
    if (h == h_smtp)      set_port(port, tls ? MAILX_SVC_SMTPS : MAILX_SVC_SMTP);
    else if (h == h_pop)  set_port(port, tls ? MAILX_SVC_POP3S : MAILX_SVC_POP3);
    else if (h == h_imap) set_port(port, tls ? MAILX_SVC_IMAPS : MAILX_SVC_IMAP);
}

static void extra_port(guint32 port, gpointer ud _U_)
{
    set_port(port, MAILX_SVC_SMTP);
}

/* The conn_frame records by frame number (12 bytes a record; 40 as
 * p_add_proto_data: frame_table.h). */
static mailx_frame_table conn_frames;
static mailx_frame_table conn_alarms;

void mailx_conn_file_cleanup(void)
{
    mailx_frame_table_clear(&conn_frames);
    mailx_frame_table_clear(&conn_alarms);
    if (track_list) {
        g_ptr_array_free(track_list, TRUE);
        track_list = NULL;
    }
}

void mailx_conn_file_init(void)
{
    mailx_frame_table_clear(&conn_frames);
    mailx_frame_table_clear(&conn_alarms);
    memset(mailx_port_service, 0, sizeof mailx_port_service);
    set_port(25, MAILX_SVC_SMTP);
    set_port(587, MAILX_SVC_SUBMISSION);
    set_port(465, MAILX_SVC_SMTPS);
    set_port(110, MAILX_SVC_POP3);
    set_port(995, MAILX_SVC_POP3S);
    set_port(143, MAILX_SVC_IMAP);
    set_port(993, MAILX_SVC_IMAPS);
    /* what Decode As (or the dissectors' port prefs) give smtp/pop/imap */
    if (tcp_port_tbl)
        dissector_table_foreach("tcp.port", map_decode_as, GINT_TO_POINTER(FALSE));
    if (tls_port_tbl)
        dissector_table_foreach("tls.port", map_decode_as, GINT_TO_POINTER(TRUE));
    if (pref_extra_ports)
        range_foreach(pref_extra_ports, extra_port, NULL);
    mailx_port_service[0] = 0;

    servers = wmem_map_new(wmem_file_scope(), server_key_hash, server_key_equal);
    n_tracks = 0;
    n_untracked = 0;
    if (track_list)
        g_ptr_array_set_size(track_list, 0);
    else
        track_list = g_ptr_array_new();
    limit_reported = FALSE;
    cache_num = 0;
    cache_conv = NULL;
    cache_ct_conv = NULL;
    cache_ct = NULL;
    memset(track_slots, 0, sizeof track_slots);
    seg_num = 0;
    layers_num = 0;
    ta_num = 0;     /* a new file's first frame may have the last one's number */
    ta_tree = NULL;
    view_num = 0;
    memo_reset();
}

#if MAILX_CONV_MEMO
/* The conversation of a TCP connection's frames without Wireshark's look-up.
 * find_conversation_pinfo() hashes the address/port key twice (both
 * orientations of the exact table), ~1,100 instructions on every mail frame.
 * A TCP frame's conversation is the one in the exact table under its
 * address/port pair, either orientation; of a key's chain, the last one set up
 * at or before the frame (epan/conversation.c, 4.0). So a conversation that
 * Wireshark's own look-up returned for an earlier frame of the same pair is
 * still the answer as long as nothing could have changed it:
 *  - it is still the last of its chain (next == NULL): a conversation added
 *    under its key since (the tcp dissector's new one for a reused port, or
 *    anyone's) is appended after it;
 *  - the other orientation has no chain: a new chain under the reversed key
 *    (a new SYN from the other side) adds a key to the exact table, so the
 *    reversed key is looked up again only when the table has more keys than
 *    when last checked;
 *  - the frame is not before the memorised one (conversations set up later
 *    than a frame are not its answer).
 * Anything else (the first frame of a pair, another file, a new key anywhere,
 * frames out of order in the GUI) asks Wireshark and memorises its answer.
 * A hit updates last_frame as find_conversation_pinfo does; Wireshark's chain
 * look-up returns the chain's last element without touching anything else. */
#define MEMO_SLOTS 1024
typedef struct {
    conversation_t *conv;           /* NULL: empty slot */
    guint32 checked;                /* frame of Wireshark's look-up */
    guint keys;                     /* keys of the exact table then */
    guint16 port_a, port_b;
    guint8 len;                     /* address length: 4 or 16 */
    guint8 addr_a[16], addr_b[16];
    conn_track *ct;                 /* conv's tracked connection, once it has one
                                       (frame_track; a conversation's never changes) */
} conv_memo;
static conv_memo memos[MEMO_SLOTS];
/* The slot that gave (or took) this frame's conversation, or NULL. */
static conv_memo *cache_memo;
static wmem_map_t *exact_table;     /* Wireshark's exact address/port table */

static void find_exact_table(gpointer key _U_, gpointer value, gpointer user_data)
{
    conversation_t *conv = (conversation_t *)user_data;
    if (!exact_table && wmem_map_lookup((wmem_map_t *)value, conv->key_ptr))
        exact_table = (wmem_map_t *)value;
}

/* The memo slot of a TCP frame over IPv4 or IPv6, or NULL (ask Wireshark). */
static conv_memo *memo_slot(const packet_info *pinfo)
{
    if (pinfo->use_conv_addr_port_endpoints || pinfo->conv_elements || pinfo->ptype != PT_TCP ||
        pinfo->src.type != pinfo->dst.type || pinfo->src.len != pinfo->dst.len ||
        !((pinfo->src.type == AT_IPv4 && pinfo->src.len == 4) ||
          (pinfo->src.type == AT_IPv6 && pinfo->src.len == 16)))
        return NULL;
    const guint8 *s = (const guint8 *)pinfo->src.data + pinfo->src.len - 4;
    const guint8 *d = (const guint8 *)pinfo->dst.data + pinfo->dst.len - 4;
    /* the same slot for both directions */
    guint32 h = (guint32)(s[2] ^ d[2]) << 8 | (guint32)(s[3] ^ d[3]);
    h ^= (pinfo->srcport ^ pinfo->destport) * 0x9E37u;
    return &memos[h % MEMO_SLOTS];
}

static gboolean addr_is(const guint8 *a, const guint8 *b, guint8 len)
{
    /* a fixed-size compare (no call) for the usual IPv4 case */
    if (len == 4) {
        guint32 x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        return x == y;
    }
    return memcmp(a, b, len) == 0;
}

static gboolean memo_pair(const conv_memo *m, const packet_info *pinfo)
{
    const guint8 *s = (const guint8 *)pinfo->src.data, *d = (const guint8 *)pinfo->dst.data;
    if (m->len != pinfo->src.len)
        return FALSE;
    if (pinfo->srcport == m->port_a && pinfo->destport == m->port_b)
        return addr_is(s, m->addr_a, m->len) && addr_is(d, m->addr_b, m->len);
    if (pinfo->srcport == m->port_b && pinfo->destport == m->port_a)
        return addr_is(s, m->addr_b, m->len) && addr_is(d, m->addr_a, m->len);
    return FALSE;
}

/* Has the exact table a chain under c's key reversed? (c: an exact TCP key) */
static gboolean reversed_chain(const conversation_t *c)
{
    const conversation_element_t *k = c->key_ptr;
    conversation_element_t r[5] = { k[2], k[3], k[0], k[1], k[4] };
    return wmem_map_lookup(exact_table, r) != NULL;
}

static conversation_t *memo_get(conv_memo *m, const packet_info *pinfo)
{
    conversation_t *c = m->conv;
    if (!c || c->next || pinfo->num < m->checked || !memo_pair(m, pinfo))
        return NULL;
    guint keys = wmem_map_size(exact_table);
    if (keys != m->keys) {
        /* keys were added (new connections, mostly): one look-up of the
           reversed key tells whether one of them is this pair's */
        if (reversed_chain(c))
            return NULL;
        m->keys = keys;
    }
    if (pinfo->num > c->last_frame)
        c->last_frame = pinfo->num;
    return c;
}

/* Memorise Wireshark's answer c for this frame when the conditions above hold. */
static G_GNUC_NO_INLINE void memo_put(conv_memo *m, const packet_info *pinfo, conversation_t *c)
{
    m->conv = NULL;
    m->ct = NULL;
    if (!c || c->next || !c->key_ptr)
        return;
    const conversation_element_t *k = c->key_ptr;
    /* an exact TCP key: address, port, address, port, type */
    if (k[0].type != CE_ADDRESS || k[1].type != CE_PORT || k[2].type != CE_ADDRESS ||
        k[3].type != CE_PORT || k[4].type != CE_CONVERSATION_TYPE ||
        k[4].conversation_type_val != CONVERSATION_TCP)
        return;
    gboolean fwd = addresses_equal(&k[0].addr_val, &pinfo->src) && k[1].port_val == pinfo->srcport &&
                   addresses_equal(&k[2].addr_val, &pinfo->dst) && k[3].port_val == pinfo->destport;
    gboolean rev = addresses_equal(&k[0].addr_val, &pinfo->dst) && k[1].port_val == pinfo->destport &&
                   addresses_equal(&k[2].addr_val, &pinfo->src) && k[3].port_val == pinfo->srcport;
    if (fwd == rev)     /* not this pair's key, or a connection to itself */
        return;
    if (!exact_table) {
        wmem_map_t *tables = get_conversation_hashtables();
        if (tables)
            wmem_map_foreach(tables, find_exact_table, c);
        if (!exact_table)
            return;
    }
    /* c is in the chain under its key, and the reversed key has none */
    conversation_t *head = (conversation_t *)wmem_map_lookup(exact_table, c->key_ptr);
    guint n = 0;
    while (head && head != c && n++ < 64)
        head = head->next;
    if (head != c)
        return;
    if (reversed_chain(c))
        return;
    m->conv = c;
    m->checked = pinfo->num;
    m->keys = wmem_map_size(exact_table);
    m->len = (guint8)pinfo->src.len;
    m->port_a = (guint16)pinfo->srcport;
    m->port_b = (guint16)pinfo->destport;
    memcpy(m->addr_a, pinfo->src.data, m->len);
    memcpy(m->addr_b, pinfo->dst.data, m->len);
}

static conversation_t *frame_conversation_lookup(packet_info *pinfo)
{
    conv_memo *m = memo_slot(pinfo);
    conversation_t *c = m && exact_table ? memo_get(m, pinfo) : NULL;
    cache_memo = m;
    if (c)
        return c;
    c = find_conversation_pinfo(pinfo, 0);
    if (m)
        memo_put(m, pinfo, c);
    return c;
}

static void memo_reset(void)
{
    memset(memos, 0, sizeof memos);
    exact_table = NULL;
    cache_memo = NULL;
}

/* conv's track as the memo slot of this frame keeps it, if it does. */
static inline gboolean memo_track(const conversation_t *conv, conn_track **ct)
{
    const conv_memo *m = cache_memo;
    if (!m || m->conv != conv || !m->ct)
        return FALSE;
    *ct = m->ct;
    return TRUE;
}

static inline void memo_track_put(const conversation_t *conv, conn_track *ct)
{
    conv_memo *m = cache_memo;
    if (m && m->conv == conv)
        m->ct = ct;
}
#else
static conversation_t *frame_conversation_lookup(packet_info *pinfo)
{
    return find_conversation_pinfo(pinfo, 0);
}

static void memo_reset(void)
{
}

static inline gboolean memo_track(const conversation_t *conv _U_, conn_track **ct _U_)
{
    return FALSE;
}

static inline void memo_track_put(const conversation_t *conv _U_, conn_track *ct _U_)
{
}
#endif

/* The frame's conversation, looked up once per frame for every user (the
 * connection analysis here, the mail session in packet-mailx.c).
 * With `create`, made when there is none yet (find_or_create_conversation). */
static G_GNUC_NO_INLINE conversation_t *frame_conversation_new(packet_info *pinfo, gboolean create)
{
    if (cache_num != pinfo->num || !cache_conv) {
        cache_num = pinfo->num;
        cache_conv = frame_conversation_lookup(pinfo);
        cache_ct_conv = NULL;
        cache_ct = NULL;
    }
    if (!cache_conv && create)
        cache_conv = find_or_create_conversation(pinfo);
    return cache_conv;
}

conversation_t *mailx_frame_conversation(packet_info *pinfo, gboolean create)
{
    /* asked several times a frame: the answer kept, in a few instructions */
    if (cache_num == pinfo->num && cache_conv)
        return cache_conv;
    return frame_conversation_new(pinfo, create);
}

/* The tracked connection of this frame's conversation, or NULL (one look-up per frame). */
static conn_track *frame_track(packet_info *pinfo)
{
    conversation_t *conv = mailx_frame_conversation(pinfo, FALSE);
    if (conv && conv != cache_ct_conv) {
        cache_ct_conv = conv;
        /* the conversation memo's slot keeps it: no second look-up */
        if (memo_track(conv, &cache_ct))
            return cache_ct;
        guint i = track_slot(conv);
        if (track_slots[i].conv != conv) {
            const mailx_conv_link *l = mailx_conv_link_get(conv, FALSE);
            track_slots[i].conv = conv;
            track_slots[i].ct = l && l->track && l->track != MAILX_LINK_UNTRACKED
                                ? (conn_track *)g_ptr_array_index(track_list, l->track - 1) : NULL;
        }
        cache_ct = track_slots[i].ct;
        memo_track_put(conv, cache_ct);
    }
    return cache_ct;
}

static mailx_server *server_get(const address *addr, mailx_proto fam)
{
    /* every new connection and every failure reply asks: the key by value, not
       formatted (a string key cost ~1,400 instructions a look-up) */
    server_key key;
    copy_address_shallow(&key.addr, addr);
    key.family = fam;
    mailx_server *s = (mailx_server *)wmem_map_lookup(servers, &key);
    if (s)
        return s;
    /* bounded with the connections: at most one server per tracked connection */
    if (wmem_map_size(servers) >= pref_conn_max)
        return NULL;
    s = wmem_new0(wmem_file_scope(), mailx_server);
    copy_address_wmem(wmem_file_scope(), &s->key.addr, addr);
    s->key.family = fam;
    mailx_burst_init(&s->failures, pref_burst_count, (gint64)pref_burst_seconds * 1000000000);
    mailx_burst_init(&s->starts, pref_storm_rate, 1000000000);
    wmem_map_insert(servers, &s->key, s);
    return s;
}

/* A conn_frame as the 64-bit value the table keeps: the event bits (0-15), the
 * flags (16-19), bit 20 always (never 0), the connection's number (32-63, 0: none). */
#define CONN_REC_KEPT (G_GUINT64_CONSTANT(1) << 20)
static guint64 conn_rec_pack(const conn_frame *cf)
{
    return (guint64)cf->ev | (guint64)cf->limit << 16 | (guint64)cf->burst_start << 17 |
           (guint64)cf->storm_rate << 18 | (guint64)cf->storm_conc << 19 | CONN_REC_KEPT |
           (guint64)(cf->ct ? cf->ct->num : 0) << 32;
}

static void conn_rec_unpack(guint64 v, conn_frame *cf)
{
    guint32 num = (guint32)(v >> 32);
    cf->ct = num ? (conn_track *)g_ptr_array_index(track_list, num - 1) : NULL;
    cf->ev = (guint16)v;
    cf->limit = (v >> 16) & 1;
    cf->burst_start = (v >> 17) & 1;
    cf->storm_rate = (v >> 18) & 1;
    cf->storm_conc = (v >> 19) & 1;
}

/* The frame's record (all zero when it has none yet), to change and keep with rec_put. */
static conn_frame rec_get(packet_info *pinfo)
{
    conn_frame cf;
    memset(&cf, 0, sizeof cf);
    guint64 v = mailx_frame_table_get_value(&conn_frames, pinfo->num);
    if (v)
        conn_rec_unpack(v, &cf);
    return cf;
}

static void rec_put(packet_info *pinfo, const conn_frame *cf)
{
    mailx_frame_table_set_value(&conn_frames, pinfo->num, conn_rec_pack(cf));
    view_num = 0;
}

/* The frame's alarm record, made if there is none (first pass). */
static conn_alarm *alarm_rec(packet_info *pinfo)
{
    conn_alarm *a = (conn_alarm *)mailx_frame_table_get(&conn_alarms, pinfo->num);
    if (!a) {
        a = mailx_rec_new0(conn_alarm);
        mailx_frame_table_set(&conn_alarms, pinfo->num, a);
    }
    return a;
}

static gboolean has_field(proto_tree *tree, int hf)
{
    if (hf < 0)
        return FALSE;
    GPtrArray *a = proto_get_finfo_ptr_array(tree, hf);
    return a && a->len > 0;
}

/* The flags the tcp dissector recorded for this frame's segment: get_tcp_
   conversation_data() resets the record's pointer for each segment and
   tcp_print_sequence_number_analysis() sets it to the segment's before it
   adds tcp.analysis.flags, and nothing after the TCP layer changes it. */
static gboolean ta_from_tcp(packet_info *pinfo, guint *bits)
{
    conversation_t *conv = mailx_frame_conversation(pinfo, FALSE);
    const struct tcp_analysis *tcpd =
        conv ? (const struct tcp_analysis *)conversation_get_proto_data(conv, proto_tcp) : NULL;
    if (!tcpd || !tcpd->ta)
        return FALSE;
    *bits = mailx_tcp_analysis_bits(tcpd->ta->flags, tcpd->ta->dupack_num);
    return TRUE;
}

guint mailx_tcp_analysis(packet_info *pinfo, proto_tree *tree)
{
    if (!mailx_treeless && !tree)
        return 0;
    /* treeless, the answer is the tcp dissector's record of the segment:
       tcpd->ta, set for the frame on every pass, tree or not
       (tcp_print_sequence_number_analysis); with a tree, it is read from
       that tree */
    const proto_tree *key = mailx_treeless ? NULL : tree;
    if (key == ta_tree && pinfo->num == ta_num && PINFO_FD_VISITED(pinfo) == ta_visited)
        return ta_bits;
    guint bits = 0;
    if (mailx_treeless) {
        if (!ta_from_tcp(pinfo, &bits))
            bits = 0;
    } else if (!proto_field_is_referenced(tree, hf_tcp_analysis_flags) ||
               (has_field(tree, hf_tcp_analysis_flags) && !ta_from_tcp(pinfo, &bits))) {
        /* Wireshark adds tcp.analysis.flags whenever the segment has any
           analysis flag (tcp_print_sequence_number_analysis in packet-tcp.c):
           most frames have none, and one look-up tells. When that item is
           there the segment's record says which; when it may be faked (not
           wanted: mailx disabled, a tap of its own), each item is looked up
           as Wireshark added it. */
        for (guint i = 0; i < MAILX_TA_COUNT; i++)
            if (has_field(tree, hf_ta[i]))
                bits |= 1u << i;
    }
    ta_tree = key;
    ta_num = pinfo->num;
    ta_visited = PINFO_FD_VISITED(pinfo);
    ta_bits = bits;
    return bits;
}

static void layer_bit(gpointer data, gpointer user_data)
{
    int p = GPOINTER_TO_INT(data);
    guint *bits = (guint *)user_data;
    if (p == proto_tls)
        *bits |= MAILX_LAYER_TLS;
    else if (p == proto_icmp || p == proto_icmpv6)
        *bits |= MAILX_LAYER_ICMP;
}

/* Does wsutil lay its lists out as mailx_wmem_list says (mailx_compat.h)?
 * Checked once on a list of mailx's own against the wmem_list_* calls. */
static gboolean layers_in_place;

static gboolean wmem_list_layout_matches(void)
{
    static int v[3];
    wmem_list_t *l = wmem_list_new(NULL);
    for (int i = 0; i < 3; i++)
        wmem_list_append(l, &v[i]);
    const mailx_wmem_list *ml = (const mailx_wmem_list *)(const void *)l;
    gboolean ok = ml->count == 3 && (const void *)ml->tail == (const void *)wmem_list_tail(l);
    wmem_list_frame_t *f = wmem_list_head(l);
    const mailx_wmem_list_frame *mf = ml->head;
    for (int i = 0; ok && i < 3; i++) {
        ok = f && (const void *)f == (const void *)mf && wmem_list_frame_data(f) == &v[i] &&
             mf->data == &v[i];
        if (ok) {
            f = wmem_list_frame_next(f);
            mf = mf->next;
        }
    }
    ok = ok && !f && !mf;
    wmem_destroy_list(l);
    return ok;
}

/* Bit (id & 63) set for each of proto_tls, proto_icmp, proto_icmpv6. */
static guint64 layers_mask;

static G_GNUC_NO_INLINE guint frame_layers_foreach(const packet_info *pinfo)
{
    guint bits = 0;
    wmem_list_foreach(pinfo->layers, layer_bit, &bits);
    return bits;
}

/* Which of the layers mailx asks about the frame has (MAILX_LAYER_*), from
 * one walk of pinfo->layers per frame and pass: the segment's ICMP check below
 * and the session's TLS check (packet-mailx.c) each walked the whole list.
 * Read in place, ~6 instructions a layer; wmem_list_foreach (an indirect call
 * a layer, ~20) when the layout check failed. See layers_num. */
guint mailx_frame_layers(const packet_info *pinfo)
{
    gboolean visited = PINFO_FD_VISITED(pinfo);
    if (layers_num == pinfo->num && layers_num != 0 && layers_visited == visited)
        return layers_bits;
    guint bits;
    if (G_LIKELY(layers_in_place)) {
        /* most layers are none of the three: one bit test tells (layers_mask) */
        const mailx_wmem_list *ml = (const mailx_wmem_list *)(const void *)pinfo->layers;
        bits = 0;
        for (const mailx_wmem_list_frame *f = ml ? ml->head : NULL; f; f = f->next)
            if (G_UNLIKELY((layers_mask >> (GPOINTER_TO_UINT(f->data) & 63)) & 1))
                layer_bit(f->data, &bits);
    } else {
        bits = frame_layers_foreach(pinfo);
    }
    layers_num = pinfo->num;
    layers_visited = visited;
    layers_bits = bits;
    return bits;
}

/* The frame's segment, found once per frame however often it is asked for
 * (connection analysis, gap notes, -z mailx,tcp); see seg_num. The check
 * inline, the search apart: most calls are the frame's second or later. */
static G_GNUC_NO_INLINE const mailx_tcp_header *frame_segment_new(packet_info *pinfo, tvbuff_t *frame_tvb)
{
    seg_num = pinfo->num;
    seg_ok = FALSE;
    if (pinfo->ptype != PT_TCP || !frame_tvb ||
        (pinfo->src.type != AT_IPv4 && pinfo->src.type != AT_IPv6))
        return NULL;
    /* A TCP header quoted in an ICMP error is not a segment of the connection
       (Wireshark gives it no tcp.len either). */
    if (mailx_frame_layers(pinfo) & MAILX_LAYER_ICMP)
        return NULL;
    guint caplen = tvb_captured_length(frame_tvb);
    const guint8 *bytes = tvb_get_ptr(frame_tvb, 0, caplen);
    if (!mailx_tcp_header_find(bytes, caplen, tvb_reported_length(frame_tvb),
                               (const guint8 *)pinfo->src.data, (size_t)pinfo->src.len,
                               (guint16)pinfo->srcport, (guint16)pinfo->destport, ip_offset_hint, &seg_hdr))
        return NULL;
    ip_offset_hint = seg_hdr.ip_offset;
    seg_ok = TRUE;
    return &seg_hdr;
}

static inline const mailx_tcp_header *frame_segment(packet_info *pinfo, tvbuff_t *frame_tvb)
{
    if (seg_num == pinfo->num && seg_num != 0)
        return seg_ok ? &seg_hdr : NULL;
    return frame_segment_new(pinfo, frame_tvb);
}

const mailx_tcp_header *mailx_tcp_header_of(packet_info *pinfo, tvbuff_t *frame_tvb)
{
    return frame_segment(pinfo, frame_tvb);
}

gboolean mailx_tcp_segment(packet_info *pinfo, tvbuff_t *frame_tvb, guint32 *flags, guint32 *len)
{
    const mailx_tcp_header *h = frame_segment(pinfo, frame_tvb);
    if (!h)
        return FALSE;
    *flags = h->flags;
    *len = h->payload_len;
    return TRUE;
}

/* addresses_equal() without its memcmp call for IPv4 (the same answer). */
static inline gboolean addr_same(const address *a, const address *b)
{
    if (a->type != b->type || a->len != b->len)
        return FALSE;
    if (a->len == 4) {
        guint32 x, y;
        memcpy(&x, a->data, 4);
        memcpy(&y, b->data, 4);
        return x == y;
    }
    return addresses_equal(a, b);
}

/* A connection's first frame: its track, or NULL past pref_conn_max (apart
 * from the per-segment path: once per connection). */
static G_GNUC_NO_INLINE conn_track *track_new(packet_info *pinfo, guint32 flags)
{
    conversation_t *conv = mailx_frame_conversation(pinfo, TRUE);
    if (n_tracks >= pref_conn_max) {
        /* counted once a connection, for the statistics' note */
        mailx_conv_link *l = mailx_conv_link_get(conv, TRUE);
        if (l->track != MAILX_LINK_UNTRACKED) {
            l->track = MAILX_LINK_UNTRACKED;
            n_untracked++;
        }
        if (!limit_reported) {
            limit_reported = TRUE;
            conn_frame cf = rec_get(pinfo);
            cf.limit = 1;
            rec_put(pinfo, &cf);
        }
        return NULL;
    }
    gboolean syn = (flags & 0x002) != 0, ack = (flags & 0x010) != 0;
    /* Server: the SYN's destination, the SYN/ACK's source; without a
     * handshake the mail port's side (the lower port when both are). */
    gboolean dst_server;
    if (syn)
        dst_server = !ack;
    else if (mailx_port_service[pinfo->destport] && !mailx_port_service[pinfo->srcport])
        dst_server = TRUE;
    else if (mailx_port_service[pinfo->srcport] && !mailx_port_service[pinfo->destport])
        dst_server = FALSE;
    else
        dst_server = pinfo->destport <= pinfo->srcport;
    conn_track *ct = mailx_rec_new0(conn_track);
    mailx_conn_init(&ct->c);
    ct->server_port = (guint16)(dst_server ? pinfo->destport : pinfo->srcport);
    ct->service = mailx_port_service[ct->server_port];
    if (!ct->service)   /* the client's port is the mail one: odd, keep the other */
        ct->service = mailx_port_service[dst_server ? pinfo->srcport : pinfo->destport];
    mailx_rec_address(&ct->server_addr, dst_server ? &pinfo->dst : &pinfo->src);
    ct->srv = server_get(&ct->server_addr, service_family(ct->service));
    ct->first_frame = pinfo->num;
    g_ptr_array_add(track_list, ct);
    ct->num = track_list->len;
    mailx_conv_link_get(conv, TRUE)->track = ct->num;
    track_slots[track_slot(conv)].conv = conv;
    track_slots[track_slot(conv)].ct = ct;
    memo_track_put(conv, ct);
    cache_ct_conv = conv;
    cache_ct = ct;
    n_tracks++;
    return ct;
}

/* What a segment's events (ev != 0) change besides the connection: the
 * frame's record, the server's login-storm counters. */
static G_GNUC_NO_INLINE void conn_events(packet_info *pinfo, conn_track *ct, unsigned ev, gint64 ts)
{
    if (ev & (MAILX_CONN_EV_SYN | MAILX_CONN_EV_SYN_RETRY))
        ct->last_syn_frame = pinfo->num;
    if (ev & (MAILX_CONN_EV_ESTABLISHED | MAILX_CONN_EV_REFUSED | MAILX_CONN_EV_RESET | MAILX_CONN_EV_CLOSED))
        ct->decided_frame = pinfo->num;

    /* a record only where something was decided; storms add theirs below */
    conn_frame cf = rec_get(pinfo);
    cf.ct = ct;
    cf.ev = (guint16)ev;
    rec_put(pinfo, &cf);

    mailx_server *srv = ct->srv;
    if (!srv)
        return;
    /* login storms: sessions started per second, concurrent sessions */
    if ((ev & MAILX_CONN_EV_ESTABLISHED) && ct->c.saw_syn) {
        int r = mailx_burst_add(&srv->starts, ts);
        guint32 in_win = mailx_burst_in_window(&srv->starts);
        if (in_win > srv->peak_rate)
            srv->peak_rate = in_win;
        if (r == MAILX_BURST_EV_START) {
            cf = rec_get(pinfo);
            cf.ct = ct;
            cf.storm_rate = 1;
            rec_put(pinfo, &cf);
            conn_alarm *a = alarm_rec(pinfo);
            a->rate = in_win;
            a->srv = srv;
        }
        mailx_gauge_open(&srv->concurrent);
        ct->open_counted = TRUE;
        if (!srv->conc_raised && pref_storm_concurrent && srv->concurrent.current >= pref_storm_concurrent) {
            srv->conc_raised = TRUE;
            cf = rec_get(pinfo);
            cf.ct = ct;
            cf.storm_conc = 1;
            rec_put(pinfo, &cf);
            conn_alarm *a = alarm_rec(pinfo);
            a->conc = srv->concurrent.current;
            a->srv = srv;
        }
    }
    if ((ev & (MAILX_CONN_EV_RESET | MAILX_CONN_EV_CLOSED)) && ct->open_counted) {
        ct->open_counted = FALSE;
        mailx_gauge_close(&srv->concurrent);
        if (srv->concurrent.current == 0)
            srv->conc_raised = FALSE;
    }
}

/* First pass, a TCP frame with a mail port on either side. Most frames are
 * a known connection's segments without an event: that path stays short, the
 * rest (a new connection, events) is out of line. */
void mailx_conn_analyse(packet_info *pinfo, proto_tree *tree, tvbuff_t *frame_tvb)
{
    if (!tree && !mailx_treeless)
        return;
    const mailx_tcp_header *h = frame_segment(pinfo, frame_tvb);
    if (!h)
        return;
    guint32 flags = h->flags;
    conn_track *ct = frame_track(pinfo);
    if (ct && ct->last_frame >= pinfo->num)
        return;                    /* fed already (a frame dissected again on the first pass) */
    view_num = 0;                  /* a connection's frame range changes below */
    if (G_UNLIKELY(ct == NULL)) {
        ct = track_new(pinfo, flags);
        if (!ct)
            return;
    }
    mailx_conn_segment seg = { 0 };
    seg.syn = (flags & 0x002) != 0;
    seg.ack = (flags & 0x010) != 0;
    seg.rst = (flags & 0x004) != 0;
    seg.fin = (flags & 0x001) != 0;
    seg.from_client = pinfo->destport == ct->server_port && addr_same(&pinfo->dst, &ct->server_addr);
    seg.payload_len = h->payload_len;
    seg.ts_ns = ts_ns(pinfo);
    guint ta = mailx_tcp_analysis(pinfo, tree);
    seg.retransmission = (ta & (MAILX_TA_RETRANS | MAILX_TA_SPURIOUS)) != 0;
    seg.dup_ack = (ta & MAILX_TA_DUP_ACK) != 0;
    seg.zero_window = (ta & MAILX_TA_ZERO_WINDOW) != 0;
    seg.out_of_order = (ta & MAILX_TA_OUT_OF_ORDER) != 0;
    unsigned ev = mailx_conn_feed(&ct->c, &seg);
    ct->last_frame = pinfo->num;
    if (G_UNLIKELY(ev != 0))
        conn_events(pinfo, ct, ev, seg.ts_ns);
}

void mailx_conn_server_failure(packet_info *pinfo, const mailx_conv *mc)
{
    if (!mc || PINFO_FD_VISITED(pinfo))
        return;
    mailx_server *srv = server_get(&mc->server_addr, mc->proto);
    if (!srv)
        return;
    gint64 now = ts_ns(pinfo);
    int r = mailx_burst_add(&srv->failures, now);
    if (r == MAILX_BURST_EV_START) {
        burst_rec *b = wmem_new0(wmem_file_scope(), burst_rec);
        b->first_events = b->events = srv->failures.burst_events;
        b->first_ns = srv->failures.burst_first_ns;
        b->last_ns = now;
        srv->cur_burst = b;
        srv->bursts++;
        conn_frame cf = rec_get(pinfo);
        if (!cf.ct) {
            /* the frame's connection, as the record of a frame that decided something has it */
            conn_track *ct = frame_track(pinfo);
            if (ct && pinfo->num >= ct->first_frame && pinfo->num <= ct->last_frame)
                cf.ct = ct;
        }
        cf.burst_start = 1;
        rec_put(pinfo, &cf);
        conn_alarm *a = alarm_rec(pinfo);
        a->burst = b;
        a->srv = srv;
    } else if (r == MAILX_BURST_EV_MORE && srv->cur_burst) {
        srv->cur_burst->events++;
        srv->cur_burst->last_ns = now;
    }
}

/* The failure replies that say "server unavailable or overloaded" (not the
 * user's fault): what the burst detector counts. */
void mailx_conn_smtp_reply(packet_info *pinfo, const mailx_conv *mc, guint16 code, gboolean is_last)
{
    /* RFC 5321 4.2.3: 421 service not available; 450-459 transient failures.
       One count per reply (its last line). */
    if (is_last && (code == 421 || (code >= 450 && code <= 459)))
        mailx_conn_server_failure(pinfo, mc);
}

void mailx_conn_pop_reply(packet_info *pinfo, const mailx_conv *mc, gboolean err, const char *code)
{
    /* RFC 3206: [SYS/TEMP] a temporary system problem */
    if (err && code && g_ascii_strcasecmp(code, "SYS/TEMP") == 0)
        mailx_conn_server_failure(pinfo, mc);
}

void mailx_conn_imap_reply(packet_info *pinfo, const mailx_conv *mc, gboolean no, gboolean bye,
                           const char *code)
{
    /* RFC 5530 UNAVAILABLE; BYE, except the one that answers LOGOUT */
    if (no && code && g_ascii_strcasecmp(code, "UNAVAILABLE") == 0) {
        mailx_conn_server_failure(pinfo, mc);
        return;
    }
    if (!bye || !mc)
        return;
    if (mc->imap) {
        for (guint i = 0; i < mc->imap->pending_cap; i++)
            if (mc->imap->pending[i].used && mc->imap->pending[i].cmd == MAILX_IMAP_CMD_LOGOUT)
                return;
    }
    mailx_conn_server_failure(pinfo, mc);
}

/* ---------------------------------------------------------------- render */
static const char *state_name(const conn_track *ct, gboolean final)
{
    mailx_conn_result r = final ? mailx_conn_final(&ct->c) : ct->c.state;
    const char *n = mailx_conn_result_name(r);
    if (n)
        return n;
    return r == MAILX_CONN_ATTEMPT ? "attempt" : "unknown";
}

static void add_time(proto_tree *t, int hf, tvbuff_t *tvb, gint64 ns)
{
    nstime_t d;
    d.secs = (time_t)(ns / 1000000000);
    d.nsecs = (int)(ns % 1000000000);
    proto_item_set_generated(proto_tree_add_time(t, hf, tvb, 0, 0, &d));
}

static void gen_uint(proto_tree *t, int hf, tvbuff_t *tvb, guint32 v)
{
    proto_item_set_generated(proto_tree_add_uint(t, hf, tvb, 0, 0, v));
}

static double share(guint32 part, guint32 whole)
{
    return whole ? 100.0 * part / whole : 0.0;
}

/* " (1.2 %)" after a count's label. Most counts are 0, whose share prints as
   "0.0" anyway: spared the floating-point formatting (on every frame of a
   visible tree: -V, -T fields). */
static void append_share(proto_item *pi, guint32 part, guint32 whole)
{
    if (part == 0)
        proto_item_append_text(pi, " (0.0 %%)");
    else
        proto_item_append_text(pi, " (%.1f %%)", share(part, whole));
}

/* The frame's own record, or one standing for a frame that a tracked connection
 * was fed (between its first and its last frame) and that decided nothing. */
static const conn_frame *frame_view_new(packet_info *pinfo)
{
    guint64 v = mailx_frame_table_get_value(&conn_frames, pinfo->num);
    if (v) {
        conn_rec_unpack(v, &view_scratch);
        return &view_scratch;
    }
    if (!mailx_port_service[pinfo->srcport] && !mailx_port_service[pinfo->destport])
        return NULL;
    conn_track *ct = frame_track(pinfo);
    if (!ct || pinfo->num < ct->first_frame || pinfo->num > ct->last_frame)
        return NULL;
    memset(&view_scratch, 0, sizeof view_scratch);
    view_scratch.ct = ct;
    return &view_scratch;
}

/* Asked twice on most mail frames (has the frame a record? then its render):
 * looked up once (see view_num). */
static const conn_frame *frame_view(packet_info *pinfo)
{
    gboolean visited = PINFO_FD_VISITED(pinfo);
    if (view_num != pinfo->num || view_num == 0 || view_visited != visited) {
        view_cf = frame_view_new(pinfo);
        view_num = pinfo->num;
        view_visited = visited;
    }
    return view_cf;
}

gboolean mailx_conn_saw_handshake(packet_info *pinfo)
{
    if (!mailx_port_service[pinfo->srcport] && !mailx_port_service[pinfo->destport])
        return TRUE;
    conn_track *ct = frame_track(pinfo);
    return !ct || ct->c.saw_syn;
}

gboolean mailx_conn_has_record(packet_info *pinfo)
{
    return frame_view(pinfo) != NULL;
}

static const char *server_str(packet_info *pinfo, const conn_track *ct, const char **who)
{
    if (!*who)
        *who = address_to_str(pinfo->pool, &ct->server_addr);
    return *who;
}

/* The connection's subtree (ct) on a frame someone reads it on; returns its item. */
static proto_item *conn_items(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb, const conn_frame *cf,
                              conn_track *ct, gboolean no_answer)
{
    gboolean visited = PINFO_FD_VISITED(pinfo);
    const char *svc = mailx_service_name(ct->service);
    proto_item *ti = proto_tree_add_item(tree, hf_conn, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_conn);
    if (svc)
        proto_item_set_generated(proto_tree_add_string(t, hf_conn_service, tvb, 0, 0, svc));
    const char *st = state_name(ct, visited);
    proto_item_set_generated(proto_tree_add_string(t, hf_conn_state, tvb, 0, 0, st));
    proto_item_append_text(ti, ": %s %s", svc ? svc : "?", st);

    /* the outcome on the frame that decides it */
    const char *res = NULL;
    if (cf->ev & MAILX_CONN_EV_ESTABLISHED) res = "established";
    if (cf->ev & MAILX_CONN_EV_REFUSED)     res = "refused";
    if (cf->ev & MAILX_CONN_EV_RESET)       res = "reset";
    if (cf->ev & MAILX_CONN_EV_CLOSED)      res = "closed";
    if (no_answer)
        res = "no-answer";
    if (res)
        proto_item_set_generated(proto_tree_add_string(t, hf_conn_result, tvb, 0, 0, res));
    if (visited) {
        guint32 dec = no_answer ? 0 : (mailx_conn_final(&ct->c) == MAILX_CONN_NO_ANSWER ?
                                       ct->last_syn_frame : ct->decided_frame);
        if (dec && dec != pinfo->num)
            gen_uint(t, hf_conn_decided_in, tvb, dec);
    }
    /* first pass: rendered right after the frame was fed, so the count so far */
    guint32 retries = mailx_conn_syn_retries(&ct->c);
    if (ct->c.saw_syn)
        gen_uint(t, hf_conn_syn_retries, tvb, retries);
    if (ct->c.setup_ns >= 0 && (visited || (cf->ev & MAILX_CONN_EV_ESTABLISHED) ||
                                 pinfo->num > ct->decided_frame))
        add_time(t, hf_conn_setup_time, tvb, ct->c.setup_ns);
    if (ct->c.greeting_ns >= 0 && !service_is_tls(ct->service))
        add_time(t, hf_conn_greeting_time, tvb, ct->c.greeting_ns);

    /* TCP health, from Wireshark's analysis of the session's segments */
    proto_item *hi;
    proto_tree *ht = proto_tree_add_subtree(t, tvb, 0, 0, ett_conn_tcp, &hi, "TCP health");
    proto_item_set_generated(hi);
    const mailx_conn *c = &ct->c;
    gen_uint(ht, hf_conn_segments, tvb, c->segments);
    proto_item *pi = proto_tree_add_uint(ht, hf_conn_retrans, tvb, 0, 0, c->retransmissions);
    proto_item_set_generated(pi);
    append_share(pi, c->retransmissions, c->segments);
    pi = proto_tree_add_double(ht, hf_conn_retrans_share, tvb, 0, 0, share(c->retransmissions, c->segments));
    proto_item_set_generated(pi);
    pi = proto_tree_add_uint(ht, hf_conn_dup_acks, tvb, 0, 0, c->dup_acks);
    proto_item_set_generated(pi);
    append_share(pi, c->dup_acks, c->segments);
    pi = proto_tree_add_uint(ht, hf_conn_zero_windows, tvb, 0, 0, c->zero_windows);
    proto_item_set_generated(pi);
    append_share(pi, c->zero_windows, c->segments);
    pi = proto_tree_add_uint(ht, hf_conn_ooo, tvb, 0, 0, c->out_of_order);
    proto_item_set_generated(pi);
    append_share(pi, c->out_of_order, c->segments);
    if (c->retransmissions == 0)
        proto_item_append_text(hi, ": %u segments, 0.0 %% retransmitted", c->segments);
    else
        proto_item_append_text(hi, ": %u segments, %.1f %% retransmitted", c->segments,
                               share(c->retransmissions, c->segments));
    return ti;
}

/* The items of mailx_conn_render(), once it has decided there are some (ct:
 * the connection's subtree wanted, or a frame that may raise an expert item
 * on it; want: someone reads the subtree). Apart, so that the frames that have
 * none run through a few lines of code only. */
static G_GNUC_NO_INLINE void conn_render_items(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb,
                                               const conn_frame *cf, conn_track *ct,
                                               const conn_alarm *alarm, gboolean want)
{
    gboolean visited = PINFO_FD_VISITED(pinfo);
    proto_item *ti = NULL;
    if (ct) {
        /* no answer: known once the capture has ended; the attempt's last SYN */
        gboolean no_answer = visited && mailx_conn_final(&ct->c) == MAILX_CONN_NO_ANSWER &&
                             ct->last_syn_frame == pinfo->num;
        /* nobody reads the subtree: every item of it would be faked to `tree`
           (TRY_TO_FAKE_THIS_ITEM), which is where the expert items then go */
        ti = want ? conn_items(pinfo, tree, tvb, cf, ct, no_answer) : tree;
        const mailx_conn *c = &ct->c;
        const char *fam = family_names[service_family(ct->service)];
        const char *who = NULL;   /* made for the first expert item that names it */
        if (cf->ev & MAILX_CONN_EV_REFUSED)
            expert_add_info_format(pinfo, ti, &ei_refused, "%s (%u) connection refused by %s",
                                   fam, ct->server_port, server_str(pinfo, ct, &who));
        if (no_answer)
            expert_add_info_format(pinfo, ti, &ei_no_answer, "%s (%u) connection attempt to %s got no answer "
                                   "(%u SYN retransmissions)", fam, ct->server_port,
                                   server_str(pinfo, ct, &who), mailx_conn_syn_retries(&ct->c));
        if (cf->ev & MAILX_CONN_EV_NO_GREETING)
            expert_add_info_format(pinfo, ti, &ei_no_greeting, "%s server %s %s the connection before "
                                   "sending anything", fam, server_str(pinfo, ct, &who),
                                   (cf->ev & MAILX_CONN_EV_RESET) ? "reset" : "closed");
        else if ((cf->ev & MAILX_CONN_EV_RESET))
            expert_add_info_format(pinfo, ti, &ei_reset, "%s session with %s reset by the %s",
                                   fam, server_str(pinfo, ct, &who),
                                   (cf->ev & MAILX_CONN_EV_SERVER_CLOSE) ? "server" : "client");
        if ((cf->ev & MAILX_CONN_EV_GREETING) && !service_is_tls(ct->service) &&
            pref_slow_greeting_ms && ct->c.greeting_ns >= (gint64)pref_slow_greeting_ms * 1000000)
            expert_add_info_format(pinfo, ti, &ei_slow_greeting, "%s server %s sent its greeting %.1f s "
                                   "after the connection was set up (greylisting and tarpitting servers "
                                   "delay on purpose)", fam, server_str(pinfo, ct, &who),
                                   ct->c.greeting_ns / 1e9);
        /* the session's share, once it is final: on its last frame */
        if (visited && pinfo->num == ct->last_frame && c->segments &&
            (mailx_conn_final(c) == MAILX_CONN_ESTABLISHED || mailx_conn_final(c) == MAILX_CONN_CLOSED ||
             mailx_conn_final(c) == MAILX_CONN_RESET || mailx_conn_final(c) == MAILX_CONN_UNKNOWN) &&
            share(c->retransmissions, c->segments) > (double)pref_retrans_percent)
            expert_add_info_format(pinfo, ti, &ei_retrans_high, "%s session with %s: %u of %u segments "
                                   "retransmitted (%.1f %%, over %u %%)", fam, server_str(pinfo, ct, &who),
                                   c->retransmissions, c->segments, share(c->retransmissions, c->segments),
                                   pref_retrans_percent);
    }
    if (alarm) {
        const mailx_server *s = alarm->srv;
        char *who = address_to_str(pinfo->pool, &s->key.addr);
        proto_item *anchor = ti ? ti : proto_tree_add_item(tree, hf_conn, tvb, 0, 0, ENC_NA);
        if (!ti)
            proto_item_set_generated(anchor);
        proto_tree *t = proto_item_add_subtree(anchor, ett_conn);
        if (alarm->burst) {
            const burst_rec *b = alarm->burst;
            /* visited: the whole burst; first pass: as far as it got */
            gen_uint(t, hf_burst_failures, tvb, b->events);
            gint64 span = b->last_ns - b->first_ns;
            add_time(t, hf_burst_duration, tvb, span);
            expert_add_info_format(pinfo, anchor, &ei_burst, "%s server %s: %u failures in %.1f s "
                                   "— server unavailable or overloaded?", family_names[s->key.family], who,
                                   b->events, span / 1e9);
        }
        if (cf->storm_rate) {
            gen_uint(t, hf_storm_rate, tvb, alarm->rate);
            expert_add_info_format(pinfo, anchor, &ei_storm_rate, "%s server %s: %u sessions started "
                                   "within 1 s (login storm)", family_names[s->key.family], who, alarm->rate);
        }
        if (cf->storm_conc) {
            gen_uint(t, hf_storm_concurrent, tvb, alarm->conc);
            expert_add_info_format(pinfo, anchor, &ei_storm_concurrent, "%s server %s: %u sessions open "
                                   "at the same time", family_names[s->key.family], who, alarm->conc);
        }
    }
    if (cf->limit) {
        proto_item *pi = proto_tree_add_item(tree, hf_conn, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(pi);
        expert_add_info_format(pinfo, pi, &ei_limit, "mailx limit reached: more than %u connections "
                               "to mail ports; later ones are not tracked (preference mailx.conn_max)",
                               pref_conn_max);
    }
}

void mailx_conn_render(packet_info *pinfo, proto_tree *tree, tvbuff_t *tvb)
{
    gboolean visited = PINFO_FD_VISITED(pinfo);
    gboolean want = MAILX_FIELDS_WANTED(tree, conn_hf);
    /* First pass, nobody reading the subtree: a frame without a record of its
       own (no event, alarm or limit) shows nothing (the last-frame checks
       wait for later passes), so its connection is not looked up: most mail
       frames of a -Y or -z run that reads no mailx.conn field leave here. */
    if (!want && !visited && view_num != pinfo->num &&
        !mailx_frame_table_get_value(&conn_frames, pinfo->num))
        return;
    const conn_frame *cf = frame_view(pinfo);
    if (!cf)
        return;
    conn_track *ct = cf->ct;
    /* Most frames of a connection decide nothing and raise no expert item.
       The subtree is built only when someone reads it; frames that may raise
       an expert item (an outcome, the greeting, the last frame, a burst or
       storm) go through conn_render_items() whether or not. */
    const conn_alarm *alarm = cf->burst_start || cf->storm_rate || cf->storm_conc
                              ? (const conn_alarm *)mailx_frame_table_get(&conn_alarms, pinfo->num) : NULL;
    if (ct) {
        if (!want && !alarm &&
            !(cf->ev & (MAILX_CONN_EV_REFUSED | MAILX_CONN_EV_NO_GREETING | MAILX_CONN_EV_RESET |
                        MAILX_CONN_EV_GREETING)) &&
            !(visited && (pinfo->num == ct->last_frame || pinfo->num == ct->last_syn_frame)))
            ct = NULL;
    }
    if (ct || alarm || cf->limit)
        conn_render_items(pinfo, tree, tvb, cf, ct, alarm, want);
}

/* ----------------------------------------------- statistics accessors */
typedef struct {
    void (*fn)(const mailx_conn_server_info *, void *);
    void *ud;
} server_walk;

static void server_visit(gpointer key _U_, gpointer value, gpointer user_data)
{
    const mailx_server *s = (const mailx_server *)value;
    const server_walk *w = (const server_walk *)user_data;
    mailx_conn_server_info info;
    info.addr = &s->key.addr;
    info.family = family_names[s->key.family];
    info.sessions = (guint32)s->concurrent.opened;
    info.peak_rate = s->peak_rate;
    info.peak_concurrent = s->concurrent.peak;
    info.failures = (guint32)s->failures.total;
    info.bursts = s->bursts;
    w->fn(&info, w->ud);
}

guint32 mailx_conn_untracked(guint32 *limit)
{
    *limit = pref_conn_max;
    return n_untracked;
}

void mailx_conn_foreach_server(void (*fn)(const mailx_conn_server_info *, void *), void *ud)
{
    server_walk w = { fn, ud };
    if (servers)
        wmem_map_foreach(servers, server_visit, &w);
}

/* ---------------------------------------------------------- registration */
void mailx_conn_register(module_t *mod)
{
    static gint *ett[] = { &ett_conn, &ett_conn_tcp };
    static ei_register_info ei[] = {
        { &ei_refused, { "mailx.conn.refused", PI_SEQUENCE, PI_ERROR,
            "Connection to a mail port refused (RST to the SYN)", EXPFILL } },
        { &ei_no_answer, { "mailx.conn.no_answer", PI_SEQUENCE, PI_ERROR,
            "Connection attempt to a mail port got no answer", EXPFILL } },
        { &ei_no_greeting, { "mailx.conn.greeting.missing", PI_SEQUENCE, PI_WARN,
            "Server closed or reset the connection without a greeting", EXPFILL } },
        { &ei_reset, { "mailx.conn.reset.mid_session", PI_SEQUENCE, PI_WARN,
            "Mail session reset in the middle", EXPFILL } },
        { &ei_slow_greeting, { "mailx.conn.greeting.slow", PI_SEQUENCE, PI_NOTE,
            "Server greeting later than the preference", EXPFILL } },
        { &ei_retrans_high, { "mailx.conn.tcp.retrans_high", PI_SEQUENCE, PI_WARN,
            "Retransmitted share of a mail session over the preference", EXPFILL } },
        { &ei_burst, { "mailx.server.failures.burst", PI_RESPONSE_CODE, PI_WARN,
            "Burst of failure replies from one server", EXPFILL } },
        { &ei_storm_rate, { "mailx.server.sessions.storm", PI_SEQUENCE, PI_NOTE,
            "Many sessions to one server started within one second", EXPFILL } },
        { &ei_storm_concurrent, { "mailx.server.sessions.concurrent", PI_SEQUENCE, PI_NOTE,
            "Many sessions open to one server at the same time", EXPFILL } },
        { &ei_limit, { "mailx.conn.limit.reached", PI_MALFORMED, PI_WARN,
            "mailx limit reached: connections to mail ports", EXPFILL } },
    };
    proto_register_field_array(proto_mailx, conn_hf, array_length(conn_hf));
    mailx_field_group_check(conn_hf, array_length(conn_hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_register_field_array(expert_register_protocol(proto_mailx), ei, array_length(ei));

    range_convert_str(wmem_epan_scope(), &pref_extra_ports, "2525", 65535);
    prefs_register_range_preference(mod, "extra_ports", "Extra SMTP ports",
        "TCP ports besides 25/465/587/110/995/143/993 (and what Decode As gives smtp/pop/imap) "
        "whose connections are analysed as SMTP", &pref_extra_ports, 65535);
    prefs_register_uint_preference(mod, "conn_max", "Connections tracked per capture",
        "At most this many connections to mail ports are tracked; later ones get one "
        "mailx.conn.limit.reached item", 10, &pref_conn_max);
    prefs_register_uint_preference(mod, "slow_greeting_ms", "Slow greeting (ms)",
        "A server greeting later than this after the handshake gets a note (0: never)", 10,
        &pref_slow_greeting_ms);
    prefs_register_uint_preference(mod, "retrans_percent", "Retransmission share warning (%)",
        "A mail session whose retransmitted share of segments is above this gets a warning", 10,
        &pref_retrans_percent);
    prefs_register_uint_preference(mod, "burst_count", "Error burst: failures",
        "Failure replies (SMTP 421/45x, POP3 -ERR [SYS/TEMP], IMAP NO [UNAVAILABLE], BYE) from one "
        "server within the window that make a burst", 10, &pref_burst_count);
    prefs_register_uint_preference(mod, "burst_seconds", "Error burst: window (s)",
        "Length of the sliding window of the error-burst detector", 10, &pref_burst_seconds);
    prefs_register_uint_preference(mod, "storm_rate", "Login storm: sessions per second",
        "Sessions started to one server within one second that raise a note", 10, &pref_storm_rate);
    prefs_register_uint_preference(mod, "storm_concurrent", "Login storm: concurrent sessions",
        "Sessions open to one server at once that raise a note (0: never)", 10, &pref_storm_concurrent);
}

void mailx_conn_handoff(void)
{
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    proto_tls = proto_get_id_by_filter_name("tls");
    layers_in_place = wmem_list_layout_matches();
    layers_mask = 0;
    if (proto_tls >= 0)
        layers_mask |= G_GUINT64_CONSTANT(1) << (proto_tls & 63);
    if (proto_icmp >= 0)
        layers_mask |= G_GUINT64_CONSTANT(1) << (proto_icmp & 63);
    if (proto_icmpv6 >= 0)
        layers_mask |= G_GUINT64_CONSTANT(1) << (proto_icmpv6 & 63);
    hf_tcp_analysis_flags = proto_registrar_get_id_byname("tcp.analysis.flags");
    for (guint i = 0; i < MAILX_TA_COUNT; i++)
        hf_ta[i] = proto_registrar_get_id_byname(ta_names[i]);
    tcp_port_tbl = find_dissector_table("tcp.port");
    tls_port_tbl = find_dissector_table("tls.port");
    h_smtp = find_dissector("smtp");
    h_pop = find_dissector("pop");
    h_imap = find_dissector("imap");
    /* before the applications register their tap listeners (see mailx_stats_register) */
    mailx_tcp_stats_register();
}

void mailx_conn_wanted(GArray *wanted)
{
    /* once: Wireshark primes every entry on every frame */
    for (guint j = 0; j < wanted->len; j++)
        if (g_array_index(wanted, int, j) == hf_tcp_analysis_flags)
            return;
    if (hf_tcp_analysis_flags > 0)
        g_array_append_val(wanted, hf_tcp_analysis_flags);
}
