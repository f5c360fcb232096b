#include "tcp_analysis.h"

/* One row per item: the item is there when any of `any` is set (and, for
 * the duplicate ACK, the duplicate has a number). */
static const struct {
    uint16_t any;
    unsigned bit;
    int needs_dupack_num;
} item_rows[MAILX_TA_COUNT] = {
    { MAILX_TCP_A_RETRANSMISSION | MAILX_TCP_A_FAST_RETRANSMISSION | MAILX_TCP_A_SPURIOUS_RETRANSMISSION,
      MAILX_TA_RETRANS, 0 },
    { MAILX_TCP_A_SPURIOUS_RETRANSMISSION, MAILX_TA_SPURIOUS, 0 },
    { MAILX_TCP_A_OUT_OF_ORDER, MAILX_TA_OUT_OF_ORDER, 0 },
    { MAILX_TCP_A_LOST_PACKET, MAILX_TA_LOST, 0 },
    { MAILX_TCP_A_ACK_LOST_PACKET, MAILX_TA_ACK_LOST, 0 },
    { MAILX_TCP_A_DUPLICATE_ACK, MAILX_TA_DUP_ACK, 1 },
    { MAILX_TCP_A_ZERO_WINDOW, MAILX_TA_ZERO_WINDOW, 0 },
};

unsigned mailx_tcp_analysis_bits(uint16_t tcp_a_flags, uint32_t dupack_num)
{
    unsigned bits = 0;
    for (unsigned i = 0; i < MAILX_TA_COUNT; i++)
        if ((tcp_a_flags & item_rows[i].any) && (!item_rows[i].needs_dupack_num || dupack_num))
            bits |= item_rows[i].bit;
    return bits;
}
