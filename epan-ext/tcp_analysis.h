/* The TCP analysis flags mailx uses, from the tcp dissector's own record of a
 * segment (struct tcp_acked: its `flags` and `dupack_num`), so that the
 * post-dissector need not want the seven tcp.analysis.* items: Wireshark
 * primes every wanted field on every frame of every capture. */
#ifndef MAILX_TCP_ANALYSIS_H
#define MAILX_TCP_ANALYSIS_H

#include <stdint.h>

/* mailx's bits, one per tcp.analysis item it reads */
enum {
    MAILX_TA_RETRANS = 1 << 0,          /* tcp.analysis.retransmission */
    MAILX_TA_SPURIOUS = 1 << 1,         /* tcp.analysis.spurious_retransmission */
    MAILX_TA_OUT_OF_ORDER = 1 << 2,     /* tcp.analysis.out_of_order */
    MAILX_TA_LOST = 1 << 3,             /* tcp.analysis.lost_segment */
    MAILX_TA_ACK_LOST = 1 << 4,         /* tcp.analysis.ack_lost_segment */
    MAILX_TA_DUP_ACK = 1 << 5,          /* tcp.analysis.duplicate_ack */
    MAILX_TA_ZERO_WINDOW = 1 << 6,      /* tcp.analysis.zero_window */
};
#define MAILX_TA_COUNT 7

/* Wireshark's TCP_A_* bits of struct tcp_acked.flags (epan/dissectors/
 * packet-tcp.c; the same values in 4.0, 4.4 and 4.6: all 16 bits of the
 * 16-bit field were taken by 4.0). Only the ones mailx reads. */
enum {
    MAILX_TCP_A_RETRANSMISSION = 0x0001,
    MAILX_TCP_A_LOST_PACKET = 0x0002,
    MAILX_TCP_A_ACK_LOST_PACKET = 0x0004,
    MAILX_TCP_A_DUPLICATE_ACK = 0x0010,
    MAILX_TCP_A_ZERO_WINDOW = 0x0020,
    MAILX_TCP_A_OUT_OF_ORDER = 0x0200,
    MAILX_TCP_A_FAST_RETRANSMISSION = 0x0400,
    MAILX_TCP_A_SPURIOUS_RETRANSMISSION = 0x4000,
};

/* The MAILX_TA_* bits of the items Wireshark adds for a segment with these
 * flags (tcp_print_sequence_number_analysis): a fast or spurious
 * retransmission also gets tcp.analysis.retransmission; the duplicate-ACK
 * item needs the duplicate's number as well. */
unsigned mailx_tcp_analysis_bits(uint16_t tcp_a_flags, uint32_t dupack_num);

#endif
