/* Table-driven tests of the sliding-window burst counter and the concurrency
 * gauge: event times (ms) -> per-event result, bursts, peak, saturation. */
#include <glib.h>

#include "burst.h"

typedef struct {
    const char *name;
    guint threshold, window_ms;
    const char *times;         /* ms, space separated */
    const char *results;       /* per event: '.' none, 'B' burst starts, '+' more */
    guint bursts, last_burst_events, peak;
} burst_case;

static const burst_case cases[] = {
    { "below threshold", 3, 1000, "0 100 1200 1300 2400", ". . . . .", 0, 0, 2 },
    { "one burst, one warning", 3, 1000, "0 100 200 300 400", ". . B + +", 1, 5, 5 },
    { "window slides: old events leave", 3, 1000, "0 900 1950 2000", ". . . .", 0, 0, 2 },
    { "edge: exactly window apart is outside", 2, 1000, "0 1000", ". .", 0, 0, 1 },
    { "burst ends after a quiet window, next one warns again", 2, 1000,
      "0 10 20 5000 5010", ". B + . B", 2, 2, 3 },
    { "burst continues while events keep the window busy", 2, 1000,
      "0 10 900 1800 2700 3600", ". B + + + +", 1, 6, 3 },
    { "threshold 1: every isolated event is its own burst", 1, 1000, "0 2000", "B B", 2, 1, 1 },
    { "threshold 0 acts as 1", 0, 1000, "0", "B", 1, 1, 1 },
    { "time going backwards counts as now", 3, 1000, "1000 500 400", ". . B", 1, 3, 3 },
};

static void test_case(gconstpointer p)
{
    const burst_case *tc = (const burst_case *)p;
    mailx_burst b;
    mailx_burst_init(&b, tc->threshold, (gint64)tc->window_ms * 1000000);
    gchar **ts = g_strsplit(tc->times, " ", -1);
    GString *got = g_string_new(NULL);
    for (gchar **t = ts; *t; t++) {
        int r = mailx_burst_add(&b, g_ascii_strtoll(*t, NULL, 10) * 1000000);
        if (got->len)
            g_string_append_c(got, ' ');
        g_string_append_c(got, r == MAILX_BURST_EV_START ? 'B' : r == MAILX_BURST_EV_MORE ? '+' : '.');
    }
    g_strfreev(ts);
    g_assert_cmpstr(got->str, ==, tc->results);
    g_string_free(got, TRUE);
    g_assert_cmpuint(b.bursts, ==, tc->bursts);
    if (tc->bursts)
        g_assert_cmpuint(b.burst_events, ==, tc->last_burst_events);
    g_assert_cmpuint(b.peak, ==, tc->peak);
}

/* More events in one window than the ring holds: memory stays fixed, the
 * window count saturates and says so, the burst keeps counting. */
static void test_saturation(void)
{
    mailx_burst *b = g_new(mailx_burst, 1);
    mailx_burst_init(b, 10, 10LL * 1000000000);
    for (int i = 0; i < 5000; i++)
        mailx_burst_add(b, i);
    g_assert_true(b->saturated);
    g_assert_cmpuint(mailx_burst_in_window(b), ==, MAILX_BURST_CAP);
    g_assert_cmpuint(b->peak, ==, MAILX_BURST_CAP);
    g_assert_cmpuint(b->bursts, ==, 1);
    g_assert_cmpuint(b->burst_events, ==, 5000);
    g_assert_cmpuint(b->total, ==, 5000);
    g_free(b);
}

static void test_gauge(void)
{
    mailx_gauge g = { 0 };
    mailx_gauge_close(&g);                /* never below zero */
    g_assert_cmpuint(g.current, ==, 0);
    for (int i = 0; i < 120; i++)
        mailx_gauge_open(&g);
    for (int i = 0; i < 100; i++)
        mailx_gauge_close(&g);
    mailx_gauge_open(&g);
    g_assert_cmpuint(g.current, ==, 21);
    g_assert_cmpuint(g.peak, ==, 120);
    g_assert_cmpuint(g.opened, ==, 121);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/burst/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
    }
    g_test_add_func("/burst/saturation", test_saturation);
    g_test_add_func("/gauge/open close peak", test_gauge);
    return g_test_run();
}
