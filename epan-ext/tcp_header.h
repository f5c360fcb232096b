/* Finds a frame's TCP header in the frame's own bytes and reads what
 * Wireshark shows as tcp.flags and tcp.len, so that the post-dissector need
 * not want Wireshark's tcp item (which makes Wireshark build a real item on
 * every TCP frame of every capture; docs/performance.md). */
#ifndef MAILX_TCP_HEADER_H
#define MAILX_TCP_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint16_t flags;          /* the 12 flag bits, as tcp.flags */
    uint32_t payload_len;    /* as tcp.len; 0 when the header is longer than the segment */
    uint32_t seq, ack;       /* raw (absolute) sequence and acknowledgement numbers */
    size_t ip_offset;        /* where the IP header starts: the next search tries it first */
} mailx_tcp_header;

/* frame: the captured bytes (caplen) of a frame whose reported (wire) length
 * is replen. src (4 or 16 bytes), sport and dport: the innermost IP source
 * address and the TCP ports Wireshark reported for the frame. The header is
 * the one behind an IPv4 or IPv6 header (extension headers walked) from src
 * that carries TCP between those ports, at any offset (any link layer,
 * VLAN tags, tunnels); hint is tried first. The payload length is the IP
 * datagram's, so link-layer padding and trailers do not count.
 * false: no such header, an IP fragment (the segment is in Wireshark's
 * reassembled data, not in the frame), or the header is cut off. */
bool mailx_tcp_header_find(const uint8_t *frame, size_t caplen, size_t replen,
                           const uint8_t *src, size_t src_len, uint16_t sport, uint16_t dport,
                           size_t hint, mailx_tcp_header *out);

#endif
