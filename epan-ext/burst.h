/* Sliding-window event counters with bounded memory: "N failures from one
 * server within W seconds" (error bursts) and "sessions started within one
 * second" (login storms), plus a concurrency gauge with its peak. */
#ifndef MAILX_BURST_H
#define MAILX_BURST_H

#include <stdbool.h>
#include <stdint.h>

/* Timestamps are kept only for the events inside the window, and at most
 * MAILX_BURST_CAP of them: past that the window count saturates (and
 * `saturated` says so) instead of growing memory. */
#define MAILX_BURST_CAP 512

typedef struct {
    int64_t window_ns;
    uint32_t threshold;       /* events in the window that make a burst (>= 1) */
    int64_t ts[MAILX_BURST_CAP];
    uint32_t head, len;       /* ring of the timestamps inside the window */
    bool saturated;
    /* the current (or last) burst */
    bool in_burst;
    uint32_t bursts;          /* bursts started so far */
    uint32_t burst_events;    /* events of the current/last burst, from its first in-window event */
    int64_t burst_first_ns, burst_last_ns;
    uint32_t peak;            /* most events seen in one window */
    uint64_t total;
} mailx_burst;

enum {
    MAILX_BURST_EV_NONE  = 0,
    MAILX_BURST_EV_START = 1,   /* this event made the window reach the threshold */
    MAILX_BURST_EV_MORE  = 2,   /* this event belongs to a burst already raised */
};

/* threshold 0 is taken as 1; window <= 0 as 1 ns. */
void mailx_burst_init(mailx_burst *b, uint32_t threshold, int64_t window_ns);
/* Count one event at ts_ns (capture order; an earlier timestamp than the last
 * one is treated as equal to it). Returns MAILX_BURST_EV_*. A burst ends when
 * the window empties (no event for a whole window); the next crossing starts
 * a new one. */
int mailx_burst_add(mailx_burst *b, int64_t ts_ns);
/* Events inside the window ending at the last event. */
uint32_t mailx_burst_in_window(const mailx_burst *b);

typedef struct {
    uint32_t current, peak;
    uint64_t opened;
} mailx_gauge;

void mailx_gauge_open(mailx_gauge *g);    /* returns nothing; peak follows */
void mailx_gauge_close(mailx_gauge *g);   /* never below 0 */

#endif
