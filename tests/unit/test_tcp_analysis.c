/* Table-driven tests of the TCP analysis mapping: the tcp dissector's flags
 * and duplicate-ACK number of a segment -> the tcp.analysis.* items mailx
 * reads (as tcp_print_sequence_number_analysis in Wireshark's packet-tcp.c
 * adds them). */
#include <glib.h>

#include "tcp_analysis.h"

typedef struct {
    const char *name;
    guint16 flags;
    guint32 dupack_num;
    unsigned want;
} ta_case;

static const ta_case cases[] = {
    { "no flags", 0, 0, 0 },
    { "no flags, a stray duplicate number", 0, 3, 0 },
    { "retransmission", 0x0001, 0, MAILX_TA_RETRANS },
    { "fast retransmission counts as one", 0x0400, 0, MAILX_TA_RETRANS },
    { "spurious retransmission counts as one", 0x4000, 0, MAILX_TA_RETRANS | MAILX_TA_SPURIOUS },
    { "retransmission and spurious", 0x4001, 0, MAILX_TA_RETRANS | MAILX_TA_SPURIOUS },
    { "out of order", 0x0200, 0, MAILX_TA_OUT_OF_ORDER },
    { "lost segment", 0x0002, 0, MAILX_TA_LOST },
    { "acked unseen segment", 0x0004, 0, MAILX_TA_ACK_LOST },
    { "duplicate ack with its number", 0x0010, 1, MAILX_TA_DUP_ACK },
    { "duplicate ack without a number: no item", 0x0010, 0, 0 },
    { "zero window", 0x0020, 0, MAILX_TA_ZERO_WINDOW },
    { "dup ack of a lost segment", 0x0016, 2, MAILX_TA_LOST | MAILX_TA_ACK_LOST | MAILX_TA_DUP_ACK },
    { "keep-alive: not read", 0x0008, 0, 0 },
    { "zero window probe: not read", 0x0040, 0, 0 },
    { "zero window probe ack: not read", 0x0080, 0, 0 },
    { "keep-alive ack: not read", 0x0100, 0, 0 },
    { "window update: not read", 0x0800, 0, 0 },
    { "window full: not read", 0x1000, 0, 0 },
    { "reused ports: not read", 0x2000, 0, 0 },
    { "old data: not read", 0x8000, 0, 0 },
    { "window update and zero window", 0x0820, 0, MAILX_TA_ZERO_WINDOW },
    { "every flag", 0xffff, 9, (1u << MAILX_TA_COUNT) - 1 },
};

static void test_case(gconstpointer data)
{
    const ta_case *c = data;
    g_assert_cmphex(mailx_tcp_analysis_bits(c->flags, c->dupack_num), ==, c->want);
}

/* Every single flag maps to at most one item of its own, and each mailx
   bit has exactly one flag that sets it alone. */
static void test_each_bit(void)
{
    unsigned seen = 0;
    for (unsigned b = 0; b < 16; b++) {
        unsigned bits = mailx_tcp_analysis_bits((guint16)(1u << b), 1);
        g_assert_cmpuint(bits & ~((1u << MAILX_TA_COUNT) - 1), ==, 0);
        if (bits && bits != (MAILX_TA_RETRANS | MAILX_TA_SPURIOUS))
            g_assert_cmpuint(bits & (bits - 1), ==, 0);
        seen |= bits;
    }
    g_assert_cmphex(seen, ==, (1u << MAILX_TA_COUNT) - 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/tcp_analysis/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
    }
    g_test_add_func("/tcp_analysis/each bit", test_each_bit);
    return g_test_run();
}
