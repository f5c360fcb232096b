/* The TCP header of a frame, found behind the IP header that Wireshark's
 * innermost IP layer reported (its source address) and read the way
 * Wireshark's tcp dissector reads it (epan/dissectors/packet-tcp.c,
 * packet-ip.c, packet-ipv6.c of 4.0). Never reads past caplen. */
#include <string.h>

#include "tcp_header.h"

#define IPPROTO_TCP_ 6
#define MAX_IPV6_EXT 8      /* extension headers walked before giving up */

/* The usual case (IPv4 where the frame before had it) in one function without
 * calls; the search keeps the same code out of line. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NO_INLINE __attribute__((noinline))
#else
#define ALWAYS_INLINE inline
#define NO_INLINE
#endif

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* TCP at t, carried in tcp_rep bytes of IP payload (the reported length
 * the tcp dissector is handed). */
static ALWAYS_INLINE bool read_tcp(const uint8_t *b, size_t caplen, size_t t, size_t tcp_rep,
                     uint16_t sport, uint16_t dport, mailx_tcp_header *out)
{
    /* the fixed header: Wireshark shows no tcp.flags for a shorter one (it
       reads the window and the checksum before it adds the flags) */
    if (t > caplen || caplen - t < 20)
        return false;
    if (be16(b + t) != sport || be16(b + t + 2) != dport)
        return false;
    size_t hlen = (size_t)(b[t + 12] >> 4) * 4;
    out->flags = (uint16_t)(be16(b + t + 12) & 0x0FFF);
    out->seq = (uint32_t)be16(b + t + 4) << 16 | be16(b + t + 6);
    out->ack = (uint32_t)be16(b + t + 8) << 16 | be16(b + t + 10);
    /* packet-tcp.c: tcp.len = reported length - header length; no tcp.len
       when the segment is shorter than its header (0 here, as mailx.conn
       counts it) */
    out->payload_len = tcp_rep > hlen ? (uint32_t)(tcp_rep - hlen) : 0;
    return true;
}

/* IPv4 header at h: RFC 791. */
static ALWAYS_INLINE bool ipv4_at(const uint8_t *b, size_t caplen, size_t replen, size_t h, const uint8_t *src,
                     uint16_t sport, uint16_t dport, mailx_tcp_header *out)
{
    if (h > caplen || caplen - h < 20 || (b[h] >> 4) != 4)
        return false;
    size_t ihl = (size_t)(b[h] & 0x0F) * 4;
    if (ihl < 20 || b[h + 9] != IPPROTO_TCP_ || memcmp(b + h + 12, src, 4) != 0)
        return false;
    /* MF or a fragment offset: the segment is in the reassembled datagram */
    if (be16(b + h + 6) & 0x3FFF)
        return false;
    size_t avail = replen - h;
    size_t ip_len = be16(b + h + 2);
    /* packet-ip.c: total length 0 is taken for TCP segmentation offload (the
       frame's length counts); longer than the frame: the frame's length */
    if (ip_len == 0 || ip_len > avail)
        ip_len = avail;
    if (ip_len < ihl)
        return false;
    if (!read_tcp(b, caplen, h + ihl, ip_len - ihl, sport, dport, out))
        return false;
    out->ip_offset = h;
    return true;
}

static NO_INLINE bool try_ipv4(const uint8_t *b, size_t caplen, size_t replen, size_t h, const uint8_t *src,
                               uint16_t sport, uint16_t dport, mailx_tcp_header *out)
{
    return ipv4_at(b, caplen, replen, h, src, sport, dport, out);
}

/* IPv6 header at h: RFC 8200; hop-by-hop, routing, fragment (only an atomic
 * one), destination options and AH headers are walked. */
static bool try_ipv6(const uint8_t *b, size_t caplen, size_t replen, size_t h, const uint8_t *src,
                     uint16_t sport, uint16_t dport, mailx_tcp_header *out)
{
    if (h > caplen || caplen - h < 40 || (b[h] >> 4) != 6 || memcmp(b + h + 8, src, 16) != 0)
        return false;
    size_t avail = replen - h - 40;
    size_t rem = be16(b + h + 4);
    /* payload length 0: a jumbogram or an offloaded segment; not read here */
    if (rem == 0)
        return false;
    if (rem > avail)
        rem = avail;
    unsigned nh = b[h + 6];
    size_t x = h + 40;
    for (int i = 0; nh != IPPROTO_TCP_; i++) {
        size_t len;
        if (i == MAX_IPV6_EXT || x > caplen || caplen - x < 8)
            return false;
        switch (nh) {
        case 0: case 43: case 60:          /* hop-by-hop, routing, destination options */
            len = ((size_t)b[x + 1] + 1) * 8;
            break;
        case 44:                           /* fragment: only offset 0 without M */
            if (be16(b + x + 2) & 0xFFF9)
                return false;
            len = 8;
            break;
        case 51:                           /* AH (RFC 4302): length in 4-octet units minus 2 */
            len = ((size_t)b[x + 1] + 2) * 4;
            break;
        default:
            return false;
        }
        if (len > rem)
            return false;
        nh = b[x];
        x += len;
        rem -= len;
    }
    if (!read_tcp(b, caplen, x, rem, sport, dport, out))
        return false;
    out->ip_offset = h;
    return true;
}

static bool try_at(const uint8_t *b, size_t caplen, size_t replen, size_t h, const uint8_t *src,
                   size_t src_len, uint16_t sport, uint16_t dport, mailx_tcp_header *out)
{
    return src_len == 4 ? try_ipv4(b, caplen, replen, h, src, sport, dport, out)
                        : try_ipv6(b, caplen, replen, h, src, sport, dport, out);
}

bool mailx_tcp_header_find(const uint8_t *frame, size_t caplen, size_t replen,
                           const uint8_t *src, size_t src_len, uint16_t sport, uint16_t dport,
                           size_t hint, mailx_tcp_header *out)
{
    if (!frame || !src || !out || (src_len != 4 && src_len != 16))
        return false;
    if (replen < caplen)
        replen = caplen;
    /* most frames of a capture share one link layer: where the last one was */
    if (src_len == 4 ? ipv4_at(frame, caplen, replen, hint, src, sport, dport, out)
                     : try_ipv6(frame, caplen, replen, hint, src, sport, dport, out))
        return true;
    /* else every place the source address occurs, first to last: the outer
       headers of a tunnel carry other addresses or another protocol */
    size_t src_at = src_len == 4 ? 12 : 8;
    for (size_t p = src_at; p + src_len <= caplen; p++) {
        const uint8_t *m = memchr(frame + p, src[0], caplen - src_len + 1 - p);
        if (!m)
            break;
        p = (size_t)(m - frame);
        if (memcmp(m, src, src_len) == 0 && p - src_at != hint &&
            try_at(frame, caplen, replen, p - src_at, src, src_len, sport, dport, out))
            return true;
    }
    return false;
}
