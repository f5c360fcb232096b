/* Table-driven tests of the TCP header finder: a frame built from a link
 * layer, an IPv4 or IPv6 header (options, extension headers, tunnels), a
 * TCP header and payload, trailers and cuts -> found?, flags, payload length,
 * sequence and acknowledgement numbers. */
#include <string.h>
#include <glib.h>

#include "tcp_header.h"

static const guint8 SRC4[4] = { 192, 0, 2, 10 }, DST4[4] = { 198, 51, 100, 25 };
static const guint8 SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a };
static const guint8 DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x19 };
#define SPORT 40000
#define DPORT 25

typedef struct {
    const char *name;
    const char *link;        /* hex bytes before the (outer) IP header */
    int ipv;                 /* 4 or 6 */
    int ip4_opts;            /* IPv4 option bytes (NOPs) */
    const char *ip6_ext;     /* IPv6 extension headers: "h" hop-by-hop, "r" routing, "d" dest opts,
                                "f" atomic fragment, "F" fragment at offset 8, "a" AH, "e" ESP */
    int tunnel;              /* 1: inside an IPv4 header from another address (IP in IP) */
    int tcp_opts;            /* TCP option bytes */
    guint16 flags;
    int payload;
    int trailer;             /* bytes after the IP datagram (Ethernet padding, FCS) */
    int ip_len_delta;        /* added to the IP length field */
    int ip_len_zero;         /* IPv4 total length 0 (segmentation offload) */
    int frag;                /* IPv4 MF set */
    int cut;                 /* captured length = reported - cut */
    int wrong_port;          /* the TCP ports are not the frame's */
    gboolean found;
    guint32 want_len;
} hdr_case;

static const hdr_case cases[] = {
    { "ethernet ipv4 SYN", "0000000000010000000000020800", 4, 0, NULL, 0, 20, 0x002, 0, 0, 0, 0, 0, 0, 0, TRUE, 0 },
    { "ethernet ipv4 data", "0000000000010000000000020800", 4, 0, NULL, 0, 12, 0x018, 100, 0, 0, 0, 0, 0, 0, TRUE, 100 },
    { "ethernet trailer not counted", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x010, 0, 6, 0, 0, 0, 0, 0, TRUE, 0 },
    { "trailer after data", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 5, 8, 0, 0, 0, 0, 0, TRUE, 5 },
    { "ipv4 options", "0000000000010000000000020800", 4, 12, NULL, 0, 0, 0x011, 0, 0, 0, 0, 0, 0, 0, TRUE, 0 },
    { "one vlan tag", "00000000000100000000000281000064" "0800", 4, 0, NULL, 0, 0, 0x004, 0, 0, 0, 0, 0, 0, 0, TRUE, 0 },
    { "two vlan tags", "000000000001000000000002" "88a80064" "81000065" "0800", 4, 0, NULL, 0, 0, 0x014, 3, 0, 0, 0, 0, 0, 0, TRUE, 3 },
    { "raw ip", "", 4, 0, NULL, 0, 0, 0x012, 0, 0, 0, 0, 0, 0, 0, TRUE, 0 },
    { "linux cooked", "00000001000600000000000200000800", 4, 0, NULL, 0, 0, 0x018, 40, 0, 0, 0, 0, 0, 0, TRUE, 40 },
    { "ip in ip", "0000000000010000000000020800", 4, 0, NULL, 1, 0, 0x018, 7, 0, 0, 0, 0, 0, 0, TRUE, 7 },
    { "ipv6", "00000000000100000000000286dd", 6, 0, "", 0, 0, 0x018, 9, 0, 0, 0, 0, 0, 0, TRUE, 9 },
    { "ipv6 ext headers", "00000000000100000000000286dd", 6, 0, "hdr", 0, 0, 0x018, 9, 4, 0, 0, 0, 0, 0, TRUE, 9 },
    { "ipv6 atomic fragment and AH", "00000000000100000000000286dd", 6, 0, "fa", 0, 0, 0x010, 2, 0, 0, 0, 0, 0, 0, TRUE, 2 },
    { "ipv6 fragment", "00000000000100000000000286dd", 6, 0, "F", 0, 0, 0x010, 2, 0, 0, 0, 0, 0, 0, FALSE, 0 },
    { "ipv6 ESP: no TCP header visible", "00000000000100000000000286dd", 6, 0, "e", 0, 0, 0x010, 2, 0, 0, 0, 0, 0, 0, FALSE, 0 },
    { "ipv4 fragment", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 10, 0, 0, 0, 1, 0, 0, FALSE, 0 },
    { "ipv4 length 0 (offload)", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 30, 0, 0, 1, 0, 0, 0, TRUE, 30 },
    { "ip length past the frame", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 30, 0, 50, 0, 0, 0, 0, TRUE, 30 },
    { "ip length shorter than the headers", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 0, 0, -10, 0, 0, 0, 0, TRUE, 0 },
    { "snaplen cuts the payload", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 1000, 0, 0, 0, 0, 900, 0, TRUE, 1000 },
    { "snaplen cuts the flags", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 10, 0, 0, 0, 0, 17, 0, FALSE, 0 },
    { "snaplen cuts the header after the flags", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 10, 0, 0, 0, 0, 12, 0, FALSE, 0 },
    { "other ports", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0x018, 10, 0, 0, 0, 0, 0, 1, FALSE, 0 },
    { "all 12 flag bits", "0000000000010000000000020800", 4, 0, NULL, 0, 0, 0xFFF, 1, 0, 0, 0, 0, 0, 0, TRUE, 1 },
};

static void put16(GByteArray *a, guint v)
{
    guint8 b[2] = { (guint8)(v >> 8), (guint8)v };
    g_byte_array_append(a, b, 2);
}

static void hex(GByteArray *a, const char *h)
{
    for (; h[0] && h[1]; h += 2) {
        guint8 v = (guint8)(g_ascii_xdigit_value(h[0]) << 4 | g_ascii_xdigit_value(h[1]));
        g_byte_array_append(a, &v, 1);
    }
}

static void ipv4(GByteArray *a, const guint8 *src, const guint8 *dst, int opts, guint8 proto, guint len,
                 int frag)
{
    g_byte_array_append(a, (const guint8[]){ (guint8)(0x40 | (20 + opts) / 4), 0 }, 2);
    put16(a, len);
    g_byte_array_append(a, (const guint8[]){ 0, 1, frag ? 0x20 : 0x40, 0, 64, proto, 0, 0 }, 8);
    g_byte_array_append(a, src, 4);
    g_byte_array_append(a, dst, 4);
    for (int i = 0; i < opts; i++)
        g_byte_array_append(a, (const guint8[]){ 1 }, 1);
}

static GByteArray *build(const hdr_case *tc, size_t *replen)
{
    int tcp_len = 20 + tc->tcp_opts + tc->payload;
    GByteArray *tcp = g_byte_array_new();
    put16(tcp, tc->wrong_port ? 443 : SPORT);
    put16(tcp, tc->wrong_port ? 50000 : DPORT);
    g_byte_array_append(tcp, (const guint8[]){ 0x80, 0, 0, 1, 0xfe, 0xdc, 0xba, 0x98 }, 8);
    put16(tcp, (guint)((20 + tc->tcp_opts) / 4) << 12 | tc->flags);
    g_byte_array_append(tcp, (const guint8[]){ 0xff, 0xff, 0, 0, 0, 0 }, 6);
    for (int i = 0; i < tc->tcp_opts + tc->payload; i++)
        g_byte_array_append(tcp, (const guint8[]){ i < tc->tcp_opts ? 1 : 'x' }, 1);

    GByteArray *f = g_byte_array_new();
    hex(f, tc->link);
    if (tc->ipv == 4) {
        guint len = tc->ip_len_zero ? 0 : (guint)(20 + tc->ip4_opts + tcp_len + tc->ip_len_delta);
        if (tc->tunnel) {
            static const guint8 o1[4] = { 10, 0, 0, 1 }, o2[4] = { 10, 0, 0, 2 };
            ipv4(f, o1, o2, 0, 4, len + 20, 0);
        }
        ipv4(f, SRC4, DST4, tc->ip4_opts, 6, len, tc->frag);
    } else {
        GByteArray *ext = g_byte_array_new();
        const char *e = tc->ip6_ext;
        guint8 first = *e ? 0 : 6;
        for (; *e; e++) {
            guint8 next = e[1] == 'h' ? 0 : e[1] == 'r' ? 43 : e[1] == 'd' ? 60 : e[1] == 'a' ? 51 :
                          e[1] == 'e' ? 50 : (e[1] == 'f' || e[1] == 'F') ? 44 : 6;
            if (e == tc->ip6_ext)
                first = *e == 'h' ? 0 : *e == 'r' ? 43 : *e == 'd' ? 60 : *e == 'a' ? 51 : *e == 'e' ? 50 : 44;
            if (*e == 'f' || *e == 'F')
                g_byte_array_append(ext, (const guint8[]){ next, 0, 0, *e == 'F' ? 8 : 0, 0, 0, 0, 1 }, 8);
            else if (*e == 'a')      /* 24 bytes: payload length (24/4)-2 = 4 */
                g_byte_array_append(ext, (const guint8[]){ next, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1,
                                                           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 24);
            else if (*e == 'e')      /* ESP: what follows is encrypted */
                g_byte_array_append(ext, (const guint8[]){ 0, 0, 1, 0, 0, 0, 0, 1 }, 8);
            else                     /* 16 bytes: length (16/8)-1 = 1 */
                g_byte_array_append(ext, (const guint8[]){ next, 1, 1, 12, 0, 0, 0, 0,
                                                           0, 0, 0, 0, 0, 0, 0, 0 }, 16);
        }
        g_byte_array_append(f, (const guint8[]){ 0x60, 0, 0, 0 }, 4);
        put16(f, ext->len + (guint)tcp_len + (guint)tc->ip_len_delta);
        g_byte_array_append(f, (const guint8[]){ first, 64 }, 2);
        g_byte_array_append(f, SRC6, 16);
        g_byte_array_append(f, DST6, 16);
        g_byte_array_append(f, ext->data, ext->len);
        g_byte_array_free(ext, TRUE);
    }
    g_byte_array_append(f, tcp->data, tcp->len);
    g_byte_array_free(tcp, TRUE);
    for (int i = 0; i < tc->trailer; i++)
        g_byte_array_append(f, (const guint8[]){ 0xAA }, 1);
    *replen = f->len;
    g_byte_array_set_size(f, f->len - (guint)tc->cut);
    return f;
}

static void test_case(gconstpointer p)
{
    const hdr_case *tc = (const hdr_case *)p;
    size_t replen;
    GByteArray *f = build(tc, &replen);
    /* a copy of exactly the captured bytes, so that ASan sees any over-read */
    guint8 *frame = g_memdup2(f->data, f->len);
    const guint8 *src = tc->ipv == 4 ? SRC4 : SRC6;
    mailx_tcp_header h;
    /* with no hint, with a wrong hint and with the right one */
    for (size_t hint = 0; hint < 3; hint++) {
        memset(&h, 0, sizeof h);
        size_t hv = hint == 0 ? 0 : hint == 1 ? 999999 : strlen(tc->link) / 2 + (tc->tunnel ? 20 : 0);
        gboolean got = mailx_tcp_header_find(frame, f->len, replen, src, tc->ipv == 4 ? 4 : 16,
                                             SPORT, DPORT, hv, &h);
        g_assert_cmpint(got, ==, tc->found);
        if (got) {
            g_assert_cmpuint(h.flags, ==, tc->flags);
            g_assert_cmpuint(h.payload_len, ==, tc->want_len);
            g_assert_cmphex(h.seq, ==, 0x80000001u);
            g_assert_cmphex(h.ack, ==, 0xfedcba98u);
            g_assert_cmpuint(h.ip_offset, ==, strlen(tc->link) / 2 + (tc->tunnel ? 20 : 0));
        }
    }
    g_free(frame);
    g_byte_array_free(f, TRUE);
}

/* Every prefix of a frame: never a read past the end (ASan builds), never a
 * header that is not all there. */
static void test_every_cut(void)
{
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        size_t replen;
        GByteArray *f = build(&cases[c], &replen);
        for (size_t len = 0; len <= f->len; len++) {
            guint8 *frame = g_memdup2(f->data, len ? len : 1);
            mailx_tcp_header h;
            const guint8 *src = cases[c].ipv == 4 ? SRC4 : SRC6;
            if (mailx_tcp_header_find(frame, len, replen, src, cases[c].ipv == 4 ? 4 : 16, SPORT, DPORT, 0, &h))
                g_assert_cmpuint(h.ip_offset + 14, <=, len);
            g_free(frame);
        }
        g_byte_array_free(f, TRUE);
    }
}

/* The hint is only where the search starts: tried at every offset of every
 * frame (and past its end), and on every prefix of a frame at the right
 * offset, the answer is the one without a hint. */
static void test_every_hint(void)
{
    for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
        const hdr_case *tc = &cases[c];
        size_t replen;
        GByteArray *f = build(tc, &replen);
        const guint8 *src = tc->ipv == 4 ? SRC4 : SRC6;
        size_t src_len = tc->ipv == 4 ? 4 : 16;
        size_t at = strlen(tc->link) / 2 + (tc->tunnel ? 20 : 0);
        guint8 *frame = g_memdup2(f->data, f->len);
        for (size_t hint = 0; hint <= f->len + 1; hint++) {
            mailx_tcp_header h;
            memset(&h, 0, sizeof h);
            gboolean got = mailx_tcp_header_find(frame, f->len, replen, src, src_len, SPORT, DPORT, hint, &h);
            g_assert_cmpint(got, ==, tc->found);
            if (got) {
                g_assert_cmpuint(h.ip_offset, ==, at);
                g_assert_cmpuint(h.payload_len, ==, tc->want_len);
            }
        }
        g_free(frame);
        for (size_t len = 0; len <= f->len; len++) {
            guint8 *cut = g_memdup2(f->data, len ? len : 1);
            mailx_tcp_header h, ref;
            memset(&h, 0, sizeof h);
            memset(&ref, 0, sizeof ref);
            /* a hint past the end is no hint: the search alone */
            gboolean got = mailx_tcp_header_find(cut, len, replen, src, src_len, SPORT, DPORT, at, &h);
            gboolean want = mailx_tcp_header_find(cut, len, replen, src, src_len, SPORT, DPORT, len + 1, &ref);
            g_assert_cmpint(got, ==, want);
            if (got) {
                g_assert_cmpuint(h.ip_offset, ==, ref.ip_offset);
                g_assert_cmpuint(h.payload_len, ==, ref.payload_len);
                g_assert_cmpuint(h.flags, ==, ref.flags);
                g_assert_cmpuint(h.seq, ==, ref.seq);
                g_assert_cmpuint(h.ack, ==, ref.ack);
                g_assert_cmpuint(h.ip_offset + 14, <=, len);
            }
            g_free(cut);
        }
        g_byte_array_free(f, TRUE);
    }
}

static void test_bad_args(void)
{
    mailx_tcp_header h;
    g_assert_false(mailx_tcp_header_find(NULL, 0, 0, SRC4, 4, SPORT, DPORT, 0, &h));
    g_assert_false(mailx_tcp_header_find((const guint8 *)"", 0, 0, SRC4, 5, SPORT, DPORT, 0, &h));
    g_assert_false(mailx_tcp_header_find((const guint8 *)"", 0, 0, NULL, 4, SPORT, DPORT, 0, &h));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_strdup_printf("/tcp_header/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_case);
        g_free(path);
    }
    g_test_add_func("/tcp_header/every-cut", test_every_cut);
    g_test_add_func("/tcp_header/every-hint", test_every_hint);
    g_test_add_func("/tcp_header/bad-args", test_bad_args);
    return g_test_run();
}
