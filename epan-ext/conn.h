/* Connection outcome of one TCP connection to a mail port, decided from the
 * TCP flags and payload lengths of its segments in capture order: established,
 * refused (RST to the SYN), no answer (SYN without reply), reset mid-session,
 * closed by FIN; plus SYN retries, setup and greeting times and the TCP health
 * counters that the caller reads from its TCP analyser (not recomputed here). */
#ifndef MAILX_CONN_H
#define MAILX_CONN_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    MAILX_CONN_UNKNOWN = 0,   /* no SYN seen (capture began mid-connection) and not ended */
    MAILX_CONN_ATTEMPT,       /* SYN sent, no answer yet */
    MAILX_CONN_ESTABLISHED,
    MAILX_CONN_REFUSED,
    MAILX_CONN_NO_ANSWER,     /* only after mailx_conn_final(): the attempt got no reply */
    MAILX_CONN_RESET,
    MAILX_CONN_CLOSED,
} mailx_conn_result;

/* What one segment carries; from_client: sent by the side that sent the SYN
 * (or, without a SYN, by the side not on the mail port). */
typedef struct {
    bool syn, ack, rst, fin;
    bool from_client;
    uint32_t payload_len;
    int64_t ts_ns;            /* capture time in nanoseconds */
    /* the caller's TCP analyser flags for this segment */
    bool retransmission, dup_ack, zero_window, out_of_order;
} mailx_conn_segment;

/* What this segment decided (several bits may be set). */
enum {
    MAILX_CONN_EV_SYN          = 1u << 0,  /* first SYN of the attempt */
    MAILX_CONN_EV_SYN_RETRY    = 1u << 1,  /* the client sent the SYN again */
    MAILX_CONN_EV_ESTABLISHED  = 1u << 2,  /* SYN/ACK answering the SYN: setup_ns is valid */
    MAILX_CONN_EV_REFUSED      = 1u << 3,  /* RST answering the SYN */
    MAILX_CONN_EV_RESET        = 1u << 4,  /* RST after the connection was established */
    MAILX_CONN_EV_CLOSED       = 1u << 5,  /* first FIN of an established connection */
    MAILX_CONN_EV_GREETING     = 1u << 6,  /* first server payload: greeting_ns is valid */
    MAILX_CONN_EV_NO_GREETING  = 1u << 7,  /* server FIN/RST before it sent any byte */
    MAILX_CONN_EV_SERVER_CLOSE = 1u << 8,  /* the FIN or RST came from the server */
};

typedef struct {
    mailx_conn_result state;
    bool saw_syn, saw_synack, server_spoke, client_spoke, fin_seen;
    uint32_t syn_count;         /* SYNs from the client without ACK, all attempts */
    int64_t first_syn_ns, last_syn_ns, synack_ns;
    int64_t setup_ns;           /* SYN (first) -> SYN/ACK; -1 while unknown */
    int64_t greeting_ns;        /* SYN/ACK -> first server payload; -1 while unknown */
    /* TCP health (counted from the caller's analyser flags) */
    uint32_t segments, retransmissions, dup_acks, zero_windows, out_of_order;
} mailx_conn;

void mailx_conn_init(mailx_conn *c);
/* Feed one segment; returns the MAILX_CONN_EV_* bits it decided. */
unsigned mailx_conn_feed(mailx_conn *c, const mailx_conn_segment *seg);
/* The outcome once nothing more will come (end of the capture): an attempt
 * still waiting is NO_ANSWER. Does not change the state. */
mailx_conn_result mailx_conn_final(const mailx_conn *c);
/* SYN retransmissions of the client (0 when the first SYN was answered). */
uint32_t mailx_conn_syn_retries(const mailx_conn *c);
/* "established", "refused", ... ; NULL for UNKNOWN/ATTEMPT. */
const char *mailx_conn_result_name(mailx_conn_result r);
/* Retransmissions per 1000 segments (0 without segments). */
uint32_t mailx_conn_retrans_permille(const mailx_conn *c);

#endif
