/* Sliding windows over event timestamps in a fixed ring: O(1) amortised per
 * event, no allocation, so one counter per server costs a fixed few kB. */
#include "burst.h"

void mailx_burst_init(mailx_burst *b, uint32_t threshold, int64_t window_ns)
{
    *b = (mailx_burst){ 0 };
    b->threshold = threshold ? threshold : 1;
    b->window_ns = window_ns > 0 ? window_ns : 1;
}

static int64_t last_ts(const mailx_burst *b)
{
    return b->ts[(b->head + b->len - 1) % MAILX_BURST_CAP];
}

int mailx_burst_add(mailx_burst *b, int64_t ts_ns)
{
    if (b->len && ts_ns < last_ts(b))
        ts_ns = last_ts(b);
    /* drop what fell out of the window (ts - window, ts] */
    while (b->len && b->ts[b->head] <= ts_ns - b->window_ns) {
        b->head = (b->head + 1) % MAILX_BURST_CAP;
        b->len--;
    }
    if (b->len == 0)
        b->in_burst = false;          /* a whole window without events: the burst is over */
    if (b->len == MAILX_BURST_CAP) {  /* full: forget the oldest, count saturates */
        b->head = (b->head + 1) % MAILX_BURST_CAP;
        b->len--;
        b->saturated = true;
    }
    b->ts[(b->head + b->len) % MAILX_BURST_CAP] = ts_ns;
    b->len++;
    b->total++;
    if (b->len > b->peak)
        b->peak = b->len;

    if (b->in_burst) {
        b->burst_events++;
        b->burst_last_ns = ts_ns;
        return MAILX_BURST_EV_MORE;
    }
    if (b->len >= b->threshold) {
        b->in_burst = true;
        b->bursts++;
        b->burst_events = b->len;
        b->burst_first_ns = b->ts[b->head];
        b->burst_last_ns = ts_ns;
        return MAILX_BURST_EV_START;
    }
    return MAILX_BURST_EV_NONE;
}

uint32_t mailx_burst_in_window(const mailx_burst *b)
{
    return b->len;
}

void mailx_gauge_open(mailx_gauge *g)
{
    g->current++;
    g->opened++;
    if (g->current > g->peak)
        g->peak = g->current;
}

void mailx_gauge_close(mailx_gauge *g)
{
    if (g->current)
        g->current--;
}
