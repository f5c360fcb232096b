/* The whole-plugin fuzz target: the mailx sources are compiled into this
 * program and registered before epan_init, and each input becomes a short TCP
 * conversation (Ethernet + IPv4 + TCP frames built here) that libwireshark
 * dissects as tshark -2 does: a first pass with the post-dissector's wanted
 * fields primed and the mailx taps running, then a revisit with a visible tree
 * and columns. Every input gets a fresh epan session (epan_new ... epan_free),
 * so file-scope state starts empty and is freed each time.
 *
 * Wireshark reloads its name-resolution files (manuf, services, wka) for every
 * new file, into memory kept until exit (~11 MB and ~90 ms per input); it reads
 * them from WIRESHARK_DATA_DIR, which it ignores when run as root. So run this
 * unprivileged with WIRESHARK_DATA_DIR on a copy of the data folder without
 * those files, as tests/fuzz/run.sh does.
 *
 * Input (tests/fuzz/extract_seeds.py writes the sample captures' sessions in it):
 *   byte 0, setup:  bits 0-2 the server port: 25 587 110 143 465 993 995 (7 = 25)
 *                   bit 3    no handshake: the capture starts mid-session
 *                   bit 4    TCP reassembly off (tcp.desegment_tcp_streams)
 *                   bit 5    IPv6 (else IPv4)
 *   then chunks, each a control byte, a length and that many payload bytes:
 *     bit 0     1 = client to server, 0 = server to client
 *     bits 1-2  TCP flags: 0 ACK (PSH with data), 1 SYN, 2 FIN, 3 RST
 *     bits 3-4  sequence: 0 next, 1 a segment lost before this one,
 *               2 retransmission (the direction's previous sequence number),
 *               3 overlapping (starts half its length before the next byte)
 *     bit 5     the length is 2 bytes little-endian (else 1 byte)
 *     bit 6     a second client connection to the same server
 *     bit 7     3 s after the previous frame (else 1 ms)
 * Payloads are cut at the end of the input; at most MAX_FRAMES frames. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/column.h>
#include <epan/column-info.h>
#include <epan/export_object.h>
#include <epan/frame_data.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/timestamp.h>
#include <wiretap/wtap.h>
#include <wsutil/filesystem.h>
#include <wsutil/privileges.h>
#include <wsutil/report_message.h>
#include <wsutil/wslog.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* plugins/mailx/plugin.c */
void plugin_register(void);

#define MAX_FRAMES  512
#define MAX_PAYLOAD (65535 - 40)

static const uint16_t server_ports[8] = { 25, 587, 110, 143, 465, 993, 995, 25 };

enum { C2S = 0, S2C = 1 };

typedef struct {
    uint16_t cport;
    bool started;
    uint32_t next[2], last_seq[2];
} fz_conn;

typedef struct {
    uint8_t *buf;
    uint32_t len;
    nstime_t ts;
    frame_data fd;
} fz_frame;

/* what epan asks the program about the open "file" */
struct packet_provider_data {
    fz_frame *frames;
    uint32_t count;
};

static column_info fz_cinfo;
static register_eo_t *fz_eo;
static int devnull_fd = -1;
static fz_frame frames[MAX_FRAMES];

/* MAILX_FUZZ_PLUGIN_STATS=1: how many inputs and frames had a server response
 * parsed by mailx (an SMTP reply, a POP3 or IMAP response), printed at exit, so
 * that a test can tell the inputs reach the plugin's parsers at all */
static bool want_stats;
static int hf_responses[3] = { -1, -1, -1 };
static unsigned long n_inputs, n_inputs_mailx, n_frames, n_frames_mailx;

static const nstime_t *fz_frame_ts(struct packet_provider_data *prov, guint32 num)
{
    if (num == 0 || num > prov->count)
        return NULL;
    return &prov->frames[num - 1].ts;
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* TCP header flag bits */
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

typedef struct {
    struct packet_provider_data prov;
    uint16_t sport;
    bool ipv6;
    nstime_t now;
} fz_capture;

static void add_frame(fz_capture *cap, const fz_conn *c, int dir, uint32_t seq, uint8_t flags,
                      const uint8_t *payload, uint32_t plen, bool slow)
{
    if (cap->prov.count >= MAX_FRAMES)
        return;
    fz_frame *f = &cap->prov.frames[cap->prov.count++];
    size_t ip_len = cap->ipv6 ? 40 : 20;
    f->len = 14 + (uint32_t)ip_len + 20 + plen;
    /* exactly the frame's size, so an over-read of the frame is an ASan report */
    f->buf = g_malloc(f->len);
    uint8_t *p = f->buf;
    static const uint8_t mac_client[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    static const uint8_t mac_server[6] = { 0x02, 0, 0, 0, 0, 0x02 };
    memcpy(p, dir == C2S ? mac_server : mac_client, 6);
    memcpy(p + 6, dir == C2S ? mac_client : mac_server, 6);
    uint8_t *ip = p + 14;
    if (cap->ipv6) {
        /* RFC 8200: version 6, payload length, next header TCP, hop limit */
        static const uint8_t ip6_client[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
        static const uint8_t ip6_server[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x25 };
        put16(p + 12, 0x86dd);
        put32(ip, 0x60000000u);
        put16(ip + 4, 20 + plen);
        ip[6] = 6;
        ip[7] = 64;
        memcpy(ip + 8, dir == C2S ? ip6_client : ip6_server, 16);
        memcpy(ip + 24, dir == C2S ? ip6_server : ip6_client, 16);
    } else {
        static const uint8_t ip_client[4] = { 192, 0, 2, 10 }, ip_server[4] = { 192, 0, 2, 25 };
        put16(p + 12, 0x0800);
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, 20 + 20 + plen);
        put16(ip + 4, cap->prov.count);
        put16(ip + 6, 0x4000);
        ip[8] = 64;
        ip[9] = 6;
        put16(ip + 10, 0);
        memcpy(ip + 12, dir == C2S ? ip_client : ip_server, 4);
        memcpy(ip + 16, dir == C2S ? ip_server : ip_client, 4);
        put16(ip + 10, ip_checksum(ip, 20));
    }
    uint8_t *tcp = ip + ip_len;
    put16(tcp, dir == C2S ? c->cport : cap->sport);
    put16(tcp + 2, dir == C2S ? cap->sport : c->cport);
    put32(tcp + 4, seq);
    put32(tcp + 8, (flags & F_ACK) ? c->next[dir == C2S ? S2C : C2S] : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    put16(tcp + 16, 0);   /* tcp.check_checksum is off by default */
    put16(tcp + 18, 0);
    if (plen)
        memcpy(tcp + 20, payload, plen);

    nstime_t step = { slow ? 3 : 0, slow ? 0 : 1000000 };
    nstime_add(&cap->now, &step);
    f->ts = cap->now;
}

/* the three-way handshake, unless the capture starts mid-session */
static void start_conn(fz_capture *cap, fz_conn *c, bool handshake)
{
    c->started = true;
    c->next[C2S] = 0x10000000u + c->cport;
    c->next[S2C] = 0x80000000u + cap->sport;
    c->last_seq[C2S] = c->next[C2S];
    c->last_seq[S2C] = c->next[S2C];
    if (!handshake)
        return;
    add_frame(cap, c, C2S, c->next[C2S]++, F_SYN, NULL, 0, false);
    add_frame(cap, c, S2C, c->next[S2C]++, F_SYN | F_ACK, NULL, 0, false);
    add_frame(cap, c, C2S, c->next[C2S], F_ACK, NULL, 0, false);
}

/* tcp.desegment_tcp_streams for this input (mailx reads it when a file opens:
 * without reassembly it takes IMAP from the TCP payload); set only on change */
static void set_tcp_reassembly(bool on)
{
    static int current = -1;
    if (current == (int)on)
        return;
    char pref_on[] = "tcp.desegment_tcp_streams:TRUE", pref_off[] = "tcp.desegment_tcp_streams:FALSE";
    char *pref = on ? pref_on : pref_off;   /* prefs_set_pref writes into its argument */
    char *err = NULL;
    if (prefs_set_pref(pref, &err) != PREFS_SET_OK) {
        fprintf(stderr, "fuzz_mailx_plugin: %s: %s\n", pref, err ? err : "?");
        abort();
    }
    g_free(err);
    prefs_apply_all();
    current = on;
}

static void build_capture(fz_capture *cap, const uint8_t *data, size_t size)
{
    cap->prov.frames = frames;
    cap->prov.count = 0;
    cap->now.secs = 1700000000;
    cap->now.nsecs = 0;
    if (size == 0)
        return;
    uint8_t setup = data[0];
    cap->sport = server_ports[setup & 7];
    bool handshake = !(setup & 0x08);
    cap->ipv6 = (setup & 0x20) != 0;
    fz_conn conns[2] = { { .cport = 40001 }, { .cport = 40002 } };
    size_t pos = 1;
    while (pos < size && cap->prov.count < MAX_FRAMES) {
        uint8_t ctl = data[pos++];
        uint32_t n = 0;
        if (pos < size)
            n = data[pos++];
        if ((ctl & 0x20) && pos < size)
            n |= (uint32_t)data[pos++] << 8;
        if (n > size - pos)
            n = (uint32_t)(size - pos);
        if (n > MAX_PAYLOAD)
            n = MAX_PAYLOAD;
        const uint8_t *payload = data + pos;
        pos += n;

        fz_conn *c = &conns[(ctl >> 6) & 1];
        if (!c->started)
            start_conn(cap, c, handshake);
        int dir = (ctl & 1) ? C2S : S2C;
        uint8_t flags = F_ACK;
        switch ((ctl >> 1) & 3) {
        case 0: if (n) flags |= F_PSH; break;
        case 1: flags = dir == C2S ? F_SYN : F_SYN | F_ACK; break;
        case 2: flags |= F_FIN; break;
        case 3: flags |= F_RST; break;
        }
        uint32_t seq = c->next[dir];
        switch ((ctl >> 3) & 3) {
        case 1: seq += 1460; break;                   /* a segment the capture missed */
        case 2: seq = c->last_seq[dir]; break;        /* sent again */
        case 3: seq -= n / 2; break;                  /* overlaps what was sent */
        }
        add_frame(cap, c, dir, seq, flags, payload, n, ctl & 0x80);
        uint32_t end = seq + n + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
        if ((int32_t)(end - c->next[dir]) > 0)
            c->next[dir] = end;
        c->last_seq[dir] = seq;
    }
}

/* One pass over the frames, as tshark's first pass (wanted fields primed, no
 * visible tree) or as its second pass and the GUI's (visible tree, columns). */
static void dissect_pass(epan_t *session, fz_capture *cap, bool revisit)
{
    epan_dissect_t *edt = epan_dissect_new(session, TRUE, revisit);
    const frame_data *ref = NULL, *prev_dis = NULL;
    nstime_t elapsed = NSTIME_INIT_ZERO;
    guint32 cum_bytes = 0;
    for (uint32_t i = 0; i < cap->prov.count; i++) {
        fz_frame *f = &cap->prov.frames[i];
        wtap_rec rec;
        memset(&rec, 0, sizeof rec);
        rec.rec_type = REC_TYPE_PACKET;
        rec.presence_flags = WTAP_HAS_TS | WTAP_HAS_CAP_LEN;
        rec.ts = f->ts;
        rec.rec_header.packet_header.caplen = f->len;
        rec.rec_header.packet_header.len = f->len;
        rec.rec_header.packet_header.pkt_encap = WTAP_ENCAP_ETHERNET;
        rec.rec_header.packet_header.pseudo_header.eth.fcs_len = 0;
        if (!revisit) {
            frame_data_init(&f->fd, i + 1, &rec, 0, cum_bytes);
            prime_epan_dissect_with_postdissector_wanted_hfids(edt);
        }
        frame_data_set_before_dissect(&f->fd, &elapsed, &ref, prev_dis);
        epan_dissect_run_with_taps(edt, wtap_pcap_file_type_subtype(), &rec,
                                   tvb_new_real_data(f->buf, f->len, f->len), &f->fd,
                                   revisit ? &fz_cinfo : NULL);
        if (revisit && want_stats) {
            n_frames++;
            for (size_t k = 0; k < G_N_ELEMENTS(hf_responses); k++) {
                GPtrArray *found = proto_find_first_finfo(edt->tree, hf_responses[k]);
                bool hit = found->len > 0;
                g_ptr_array_free(found, TRUE);
                if (hit) {
                    n_frames_mailx++;
                    break;
                }
            }
        }
        frame_data_set_after_dissect(&f->fd, &cum_bytes);
        prev_dis = &f->fd;
        epan_dissect_reset(edt);
    }
    epan_dissect_free(edt);
}

/* the taps print their tables on stdout: to /dev/null, not into the fuzzer's log */
static void draw_taps_quietly(void)
{
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    if (saved < 0)
        return;
    dup2(devnull_fd, STDOUT_FILENO);
    draw_tap_listeners(TRUE);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct packet_provider_funcs funcs = { fz_frame_ts, NULL, NULL, NULL };
    fz_capture cap;
    build_capture(&cap, data, size);
    set_tcp_reassembly(size == 0 || !(data[0] & 0x10));

    epan_t *session = epan_new(&cap.prov, &funcs);
    reset_tap_listeners();
    dissect_pass(session, &cap, false);
    /* what tshark does between its passes */
    postseq_cleanup_all_protocols();
    unsigned long before = n_frames_mailx;
    dissect_pass(session, &cap, true);
    n_inputs++;
    if (n_frames_mailx > before)
        n_inputs_mailx++;
    draw_taps_quietly();
    reset_tap_listeners();
    for (uint32_t i = 0; i < cap.prov.count; i++)
        frame_data_destroy(&cap.prov.frames[i].fd);
    epan_free(session);
    for (uint32_t i = 0; i < cap.prov.count; i++) {
        g_free(cap.prov.frames[i].buf);
        cap.prov.frames[i].buf = NULL;
    }
    return 0;
}

/* Export Objects: the entries the tap hands over are freed at once */
static void eo_add_entry(void *gui_data, export_object_entry_t *entry)
{
    (void)gui_data;
    eo_free_entry(entry);
}

static export_object_list_t fz_eo_list = { eo_add_entry, NULL, NULL };

static void print_stats(void)
{
    fprintf(stderr, "mailx_plugin: %lu inputs, %lu with mailx responses; %lu frames, %lu with mailx responses\n",
            n_inputs, n_inputs_mailx, n_frames, n_frames_mailx);
}

/* libwireshark reports through these (a preference file it cannot read, ...);
 * none of that is a finding here */
static void report_quietly(const char *fmt, va_list ap) { (void)fmt; (void)ap; }
static void open_failure(const char *f, int e, gboolean w) { (void)f; (void)e; (void)w; }
static void read_failure(const char *f, int e) { (void)f; (void)e; }
static void cfile_failure(const char *f, int e, gchar *s) { (void)f; (void)e; (void)s; }
static void cfile_dump_failure(const char *f, int e, gchar *s, int t) { (void)f; (void)e; (void)s; (void)t; }
static void cfile_write_failure(const char *a, const char *b, int e, gchar *s, guint32 n, int t)
{
    (void)a; (void)b; (void)e; (void)s; (void)n; (void)t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    /* no user or global profile: only the defaults, the same on every machine;
     * every wmem allocation its own malloc, so ASan sees wmem buffers' bounds;
     * a dissector bug Wireshark would show in the tree is an abort here */
    g_setenv("WIRESHARK_CONFIG_DIR", "/nonexistent/mailx-fuzz", TRUE);
    g_setenv("XDG_CONFIG_HOME", "/nonexistent/mailx-fuzz", TRUE);
    g_setenv("WIRESHARK_DEBUG_WMEM_OVERRIDE", "simple", TRUE);
    g_setenv("WIRESHARK_ABORT_ON_DISSECTOR_BUG", "1", TRUE);
    g_setenv("G_SLICE", "always-malloc", TRUE);

    ws_log_init("fuzz_mailx_plugin", NULL);
    ws_log_set_level(LOG_LEVEL_CRITICAL);
    init_process_policies();
    if (started_with_special_privs())
        fprintf(stderr, "fuzz_mailx_plugin: running as root, Wireshark ignores WIRESHARK_DATA_DIR and reloads "
                        "manuf/services for every input (~11 MB each): run it unprivileged (tests/fuzz/run.sh)\n");
    char *err = configuration_init((*argv)[0], NULL);
    g_free(err);
    static const struct report_message_routines routines = {
        report_quietly, report_quietly, open_failure, read_failure, read_failure,
        cfile_failure, cfile_dump_failure, cfile_failure, cfile_write_failure, cfile_failure,
    };
    init_report_message("fuzz_mailx_plugin", &routines);
    timestamp_set_type(TS_RELATIVE);
    timestamp_set_precision(TS_PREC_AUTO);
    timestamp_set_seconds_type(TS_SECONDS_DEFAULT);

    /* the plugin compiled in: registered as the loader would, without a plugin folder */
    plugin_register();
    wtap_init(FALSE);
    if (!epan_init(NULL, NULL, FALSE)) {
        fprintf(stderr, "fuzz_mailx_plugin: epan_init failed\n");
        exit(1);
    }
    e_prefs *prefs_p = epan_load_settings();
    build_column_format_array(&fz_cinfo, prefs_p->num_cols, TRUE);

    /* the mailx statistics as tshark -z starts them, and an Export Objects listener */
    static const char *const stats[] = {
        "mailx,replies", "mailx,auth", "mailx,sessions", "mailx,attachments", "mailx,tcp",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(stats); i++) {
        if (!process_stat_cmd_arg(stats[i])) {
            fprintf(stderr, "fuzz_mailx_plugin: no statistic %s\n", stats[i]);
            exit(1);
        }
    }
    start_requested_stats();
    fz_eo = get_eo_by_name("mailx-attachments");
    if (!fz_eo) {
        fprintf(stderr, "fuzz_mailx_plugin: no export object mailx-attachments\n");
        exit(1);
    }
    GString *eo_err = register_tap_listener(get_eo_tap_listener_name(fz_eo), &fz_eo_list, NULL, 0,
                                            NULL, get_eo_packet_func(fz_eo), NULL, NULL);
    if (eo_err) {
        fprintf(stderr, "fuzz_mailx_plugin: %s\n", eo_err->str);
        exit(1);
    }
    static const char *const responses[] = { "mailx.smtp.reply", "mailx.pop.response", "mailx.imap.response" };
    for (size_t i = 0; i < G_N_ELEMENTS(responses); i++)
        hf_responses[i] = proto_registrar_get_id_byname(responses[i]);
    want_stats = g_strcmp0(g_getenv("MAILX_FUZZ_PLUGIN_STATS"), "1") == 0;
    if (want_stats)
        atexit(print_stats);
    devnull_fd = open("/dev/null", O_WRONLY);
    if (devnull_fd < 0) {
        perror("/dev/null");
        exit(1);
    }
    return 0;
}
