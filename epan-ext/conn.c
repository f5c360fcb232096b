/* TCP connection outcome from flag events: a small state machine, no
 * allocation. The caller owns ordering (capture order) and direction. */
#include <stddef.h>

#include "conn.h"

void mailx_conn_init(mailx_conn *c)
{
    *c = (mailx_conn){ 0 };
    c->setup_ns = -1;
    c->greeting_ns = -1;
}

static bool open_state(mailx_conn_result s)
{
    return s == MAILX_CONN_ESTABLISHED || s == MAILX_CONN_UNKNOWN;
}

unsigned mailx_conn_feed(mailx_conn *c, const mailx_conn_segment *seg)
{
    unsigned ev = 0;
    c->segments++;
    if (seg->retransmission) c->retransmissions++;
    if (seg->dup_ack)        c->dup_acks++;
    if (seg->zero_window)    c->zero_windows++;
    if (seg->out_of_order)   c->out_of_order++;

    /* SYN without ACK from the client: a (re)try of the attempt. */
    if (seg->syn && !seg->ack && seg->from_client) {
        if (c->saw_syn && c->state != MAILX_CONN_ATTEMPT)
            return ev;          /* a stray SYN after the answer: not a retry */
        c->syn_count++;
        c->last_syn_ns = seg->ts_ns;
        if (!c->saw_syn) {
            c->saw_syn = true;
            c->first_syn_ns = seg->ts_ns;
            c->state = MAILX_CONN_ATTEMPT;
            ev |= MAILX_CONN_EV_SYN;
        } else {
            ev |= MAILX_CONN_EV_SYN_RETRY;
        }
        return ev;
    }
    /* SYN/ACK from the server answers the attempt (a repeated SYN/ACK does not
     * decide again). */
    if (seg->syn && seg->ack && !seg->from_client) {
        if (c->state == MAILX_CONN_ATTEMPT) {
            c->saw_synack = true;
            c->synack_ns = seg->ts_ns;
            c->setup_ns = seg->ts_ns - c->first_syn_ns;
            c->state = MAILX_CONN_ESTABLISHED;
            ev |= MAILX_CONN_EV_ESTABLISHED;
        } else if (c->state == MAILX_CONN_UNKNOWN && !c->saw_synack) {
            /* capture began between SYN and SYN/ACK */
            c->saw_synack = true;
            c->synack_ns = seg->ts_ns;
            c->state = MAILX_CONN_ESTABLISHED;
            ev |= MAILX_CONN_EV_ESTABLISHED;
        }
        return ev;
    }
    if (seg->rst) {
        if (c->state == MAILX_CONN_ATTEMPT && !seg->from_client) {
            c->state = MAILX_CONN_REFUSED;
            ev |= MAILX_CONN_EV_REFUSED | MAILX_CONN_EV_SERVER_CLOSE;
        } else if (open_state(c->state)) {
            c->state = MAILX_CONN_RESET;
            ev |= MAILX_CONN_EV_RESET;
            if (!seg->from_client) {
                ev |= MAILX_CONN_EV_SERVER_CLOSE;
                if (!c->server_spoke && c->saw_synack)
                    ev |= MAILX_CONN_EV_NO_GREETING;
            }
        }
        /* an RST after FIN (a client dropping unread data) or a second RST
           changes nothing */
        return ev;
    }
    if (seg->payload_len > 0) {
        if (seg->from_client) {
            c->client_spoke = true;
        } else if (!c->server_spoke) {
            c->server_spoke = true;
            /* retransmitted data is not the moment the greeting arrived */
            if (c->saw_synack && !seg->retransmission) {
                c->greeting_ns = seg->ts_ns - c->synack_ns;
                ev |= MAILX_CONN_EV_GREETING;
            }
        }
    }
    if (seg->fin && !c->fin_seen && open_state(c->state)) {
        c->fin_seen = true;
        c->state = MAILX_CONN_CLOSED;
        ev |= MAILX_CONN_EV_CLOSED;
        if (!seg->from_client) {
            ev |= MAILX_CONN_EV_SERVER_CLOSE;
            if (!c->server_spoke && c->saw_synack)
                ev |= MAILX_CONN_EV_NO_GREETING;
        }
    }
    return ev;
}

mailx_conn_result mailx_conn_final(const mailx_conn *c)
{
    return c->state == MAILX_CONN_ATTEMPT ? MAILX_CONN_NO_ANSWER : c->state;
}

uint32_t mailx_conn_syn_retries(const mailx_conn *c)
{
    return c->syn_count > 1 ? c->syn_count - 1 : 0;
}

const char *mailx_conn_result_name(mailx_conn_result r)
{
    switch (r) {
    case MAILX_CONN_ESTABLISHED: return "established";
    case MAILX_CONN_REFUSED:     return "refused";
    case MAILX_CONN_NO_ANSWER:   return "no-answer";
    case MAILX_CONN_RESET:       return "reset";
    case MAILX_CONN_CLOSED:      return "closed";
    default:                     return NULL;
    }
}

uint32_t mailx_conn_retrans_permille(const mailx_conn *c)
{
    if (c->segments == 0)
        return 0;
    return (uint32_t)(((uint64_t)c->retransmissions * 1000u) / c->segments);
}
