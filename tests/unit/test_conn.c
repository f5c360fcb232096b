/* Table-driven tests of the connection state machine: each case is a list of
 * segments "<ms><c|s><flags>" (c: client, s: server; flags S syn, A ack,
 * R rst, F fin, D 10 payload bytes, r/d/z/o the analyser's retransmission,
 * dup-ACK, zero-window and out-of-order flags) and the expected events per
 * segment, final outcome, SYN retries and times. */
#include <glib.h>
#include <string.h>

#include "conn.h"

static const struct { unsigned bit; char c; } ev_letters[] = {
    { MAILX_CONN_EV_SYN, 'S' }, { MAILX_CONN_EV_SYN_RETRY, 'T' },
    { MAILX_CONN_EV_ESTABLISHED, 'E' }, { MAILX_CONN_EV_REFUSED, 'X' },
    { MAILX_CONN_EV_RESET, 'R' }, { MAILX_CONN_EV_CLOSED, 'C' },
    { MAILX_CONN_EV_GREETING, 'G' }, { MAILX_CONN_EV_NO_GREETING, 'N' },
    { MAILX_CONN_EV_SERVER_CLOSE, 's' },
};

/* Runs the segments; returns the events as "seg seg ..." ('-' for none). */
static char *run(const char *spec, mailx_conn *c)
{
    GString *out = g_string_new(NULL);
    gchar **toks = g_strsplit(spec, " ", -1);
    mailx_conn_init(c);
    for (gchar **t = toks; *t; t++) {
        if (!**t)
            continue;
        char *end;
        gint64 ms = g_ascii_strtoll(*t, &end, 10);
        mailx_conn_segment seg = { 0 };
        seg.ts_ns = ms * 1000000;
        g_assert_true(*end == 'c' || *end == 's');
        seg.from_client = *end++ == 'c';
        for (; *end; end++) {
            switch (*end) {
            case 'S': seg.syn = true; break;
            case 'A': seg.ack = true; break;
            case 'R': seg.rst = true; break;
            case 'F': seg.fin = true; break;
            case 'D': seg.payload_len = 10; break;
            case 'r': seg.retransmission = true; break;
            case 'd': seg.dup_ack = true; break;
            case 'z': seg.zero_window = true; break;
            case 'o': seg.out_of_order = true; break;
            default: g_assert_not_reached();
            }
        }
        unsigned ev = mailx_conn_feed(c, &seg);
        if (out->len)
            g_string_append_c(out, ' ');
        if (!ev)
            g_string_append_c(out, '-');
        for (size_t i = 0; i < G_N_ELEMENTS(ev_letters); i++)
            if (ev & ev_letters[i].bit)
                g_string_append_c(out, ev_letters[i].c);
    }
    g_strfreev(toks);
    return g_string_free(out, FALSE);
}

typedef struct {
    const char *name, *spec, *events, *final;
    guint retries;
    gint64 setup_ms, greeting_ms;   /* -1: unknown */
} conn_case;

static const conn_case cases[] = {
    { "normal smtp session", "0cS 2sSA 3cA 103sAD 104cA 110cAD 111sAD 112cAF 113sAF 114cA",
      "S E - G - - - C - -", "closed", 0, 2, 101 },
    { "refused: RST/ACK to the SYN", "0cS 1sRA", "S Xs", "refused", 0, -1, -1 },
    { "no answer after retries", "0cS 1000cS 3000cS 7000cS", "S T T T", "no-answer", 3, -1, -1 },
    { "single unanswered SYN", "0cS", "S", "no-answer", 0, -1, -1 },
    { "answered after a retry", "0cS 1000cS 1005sSA 1006cA 1010sAD", "S T E - G", "established", 1, 1005, 5 },
    { "refused after retries", "0cS 1000cS 1001sRA", "S T Xs", "refused", 1, -1, -1 },
    { "repeated SYN/ACK decides once", "0cS 1sSA 1001sSA 1002cA", "S E - -", "established", 0, 1, -1 },
    { "server FIN without greeting", "0cS 1sSA 2cA 30000sAF 30001cAF",
      "S E - CNs -", "closed", 0, 1, -1 },
    { "server RST without greeting", "0cS 1sSA 2cA 5sRA", "S E - RNs", "reset", 0, 1, -1 },
    { "mid-session reset by client", "0cS 1sSA 2cA 3sAD 4cAD 5cRA", "S E - G - R", "reset", 0, 1, 2 },
    { "RST after FIN changes nothing", "0cS 1sSA 2cA 3sAD 4cAF 5sAF 6cR", "S E - G C - -", "closed", 0, 1, 2 },
    { "client closes first", "0cS 1sSA 2cA 3sAD 4cAF 5sAF", "S E - G C -", "closed", 0, 1, 2 },
    { "mid-stream start (no SYN)", "0cAD 1sAD 2cAF", "- - C", "closed", 0, -1, -1 },
    { "mid-stream start, ongoing", "0cAD 1sAD", "- -", NULL, 0, -1, -1 },
    { "capture starts at SYN/ACK", "0sSA 1cA 50sAD", "E - G", "established", 0, -1, 50 },
    { "stray SYN after answer is no retry", "0cS 1sSA 2cA 3cS", "S E - -", "established", 0, 1, -1 },
    { "retransmitted greeting is not the greeting time", "0cS 1sSA 2cA 300sADr", "S E - -", "established", 0, 1, -1 },
    { "client SYN/ACK does not answer", "0cS 1cSA", "S -", "no-answer", 0, -1, -1 },
    { "client RST during attempt is no refusal", "0cS 1cR", "S -", "no-answer", 0, -1, -1 },
};

static void test_case(gconstpointer p)
{
    const conn_case *tc = (const conn_case *)p;
    mailx_conn c;
    char *got = run(tc->spec, &c);
    g_assert_cmpstr(got, ==, tc->events);
    g_free(got);
    g_assert_cmpstr(mailx_conn_result_name(mailx_conn_final(&c)), ==, tc->final);
    g_assert_cmpuint(mailx_conn_syn_retries(&c), ==, tc->retries);
    g_assert_cmpint(c.setup_ns, ==, tc->setup_ms < 0 ? -1 : tc->setup_ms * 1000000);
    g_assert_cmpint(c.greeting_ns, ==, tc->greeting_ms < 0 ? -1 : tc->greeting_ms * 1000000);
}

static void test_health_counters(void)
{
    mailx_conn c;
    char *got = run("0cS 1sSA 2cA 3sAD 4sADr 5cAd 6cAd 7sADo 8cAz 9sADr", &c);
    g_free(got);
    g_assert_cmpuint(c.segments, ==, 10);
    g_assert_cmpuint(c.retransmissions, ==, 2);
    g_assert_cmpuint(c.dup_acks, ==, 2);
    g_assert_cmpuint(c.zero_windows, ==, 1);
    g_assert_cmpuint(c.out_of_order, ==, 1);
    g_assert_cmpuint(mailx_conn_retrans_permille(&c), ==, 200);
    mailx_conn z;
    mailx_conn_init(&z);
    g_assert_cmpuint(mailx_conn_retrans_permille(&z), ==, 0);
}

/* The outcome names are the documented field values. */
static void test_names(void)
{
    g_assert_null(mailx_conn_result_name(MAILX_CONN_UNKNOWN));
    g_assert_null(mailx_conn_result_name(MAILX_CONN_ATTEMPT));
    g_assert_cmpstr(mailx_conn_result_name(MAILX_CONN_RESET), ==, "reset");
    g_assert_null(mailx_conn_result_name((mailx_conn_result)99));
}

/* Many SYNs: the counter neither wraps nor allocates. */
static void test_syn_flood(void)
{
    mailx_conn c;
    mailx_conn_init(&c);
    mailx_conn_segment s = { .syn = true, .from_client = true };
    for (int i = 0; i < 100000; i++) {
        s.ts_ns = i;
        mailx_conn_feed(&c, &s);
    }
    g_assert_cmpuint(mailx_conn_syn_retries(&c), ==, 99999);
    g_assert_cmpint(mailx_conn_final(&c), ==, MAILX_CONN_NO_ANSWER);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/conn/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
    }
    g_test_add_func("/conn/health counters", test_health_counters);
    g_test_add_func("/conn/names", test_names);
    g_test_add_func("/conn/syn flood", test_syn_flood);
    return g_test_run();
}
