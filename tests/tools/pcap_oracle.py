#!/usr/bin/env python3
"""Independent oracle over a capture: reads the pcap itself (no Wireshark),
reassembles each TCP direction by sequence number (dropping retransmitted
bytes), splits the server's bytes into lines and reports, per protocol, which
frame completes each server status line. Tests compare mailx's fields with it,
so a reply lost or doubled by pipelining, segmentation or multi-line handling
shows up as a difference.

Usage: pcap_oracle.py smtp-replies FILE   -> "frame code" per SMTP reply line
       pcap_oracle.py conn-attempts FILE  -> "frame outcome" per connection attempt
          (a client SYN): refused (RST from the server before any SYN/ACK; the RST's
          frame) or no-answer (neither; the attempt's last SYN), on every port;
          established attempts are not listed
"""
import struct
import sys

SMTP_PORTS = {25, 587, 2525}


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        end = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        end = '>'
    else:
        raise SystemExit('not a libpcap file (pcapng is not supported by the oracle): ' + path)
    linktype = struct.unpack(end + 'I', data[20:24])[0]
    off, num = 24, 0
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        off += 16
        num += 1
        yield num, linktype, data[off:off + incl]
        off += incl


def tcp_segment(linktype, pkt):
    """(src, sport, dst, dport, seq, flags, payload) or None."""
    if linktype == 1:            # Ethernet
        etype = struct.unpack('>H', pkt[12:14])[0]
        ip = pkt[14:]
    elif linktype == 113:        # Linux cooked
        etype = struct.unpack('>H', pkt[14:16])[0]
        ip = pkt[16:]
    elif linktype == 276:        # Linux cooked v2
        etype = struct.unpack('>H', pkt[0:2])[0]
        ip = pkt[20:]
    elif linktype in (101, 12):  # raw IP
        ip = pkt
        etype = 0x0800 if (pkt[0] >> 4) == 4 else 0x86dd
    else:
        return None
    if etype == 0x0800:
        ihl = (ip[0] & 0x0f) * 4
        if ip[9] != 6:
            return None
        total = struct.unpack('>H', ip[2:4])[0]
        src, dst = ip[12:16], ip[16:20]
        tcp = ip[ihl:total]
    elif etype == 0x86dd:
        if ip[6] != 6:
            return None
        plen = struct.unpack('>H', ip[4:6])[0]
        src, dst = ip[8:24], ip[24:40]
        tcp = ip[40:40 + plen]
    else:
        return None
    sport, dport, seq = struct.unpack('>HHI', tcp[:8])
    doff = (tcp[12] >> 4) * 4
    flags = tcp[13]
    return src, sport, dst, dport, seq, flags, tcp[doff:]


def server_streams(path, ports):
    """{(conn key): [(frame, bytes)]} of new bytes in order, server -> client."""
    streams = {}
    for num, lt, pkt in packets(path):
        seg = tcp_segment(lt, pkt)
        if not seg:
            continue
        src, sport, dst, dport, seq, flags, payload = seg
        if sport not in ports:
            continue
        key = (src, sport, dst, dport)
        st = streams.setdefault(key, {'next': None, 'chunks': []})
        if flags & 0x02:          # SYN consumes one sequence number
            st['next'] = (seq + 1) & 0xffffffff
            continue
        if not payload:
            continue
        if st['next'] is None:
            st['next'] = seq
        end_seq = (seq + len(payload)) & 0xffffffff
        rel = (seq - st['next']) & 0xffffffff
        if rel >= 0x80000000:    # starts before next: a retransmission overlaps
            skip = (st['next'] - seq) & 0xffffffff
            if skip >= len(payload):
                continue
            payload = payload[skip:]
        elif rel > 0:
            # a gap (lost segment): the stream cannot be read across it
            st['chunks'].append((num, None))
        st['chunks'].append((num, payload))
        st['next'] = end_seq
    return streams


def smtp_replies(path):
    out = []
    for key, st in server_streams(path, SMTP_PORTS).items():
        buf = b''
        replies = 0
        stopped = False
        for num, chunk in st['chunks']:
            if stopped:
                break
            if chunk is None:
                buf = b''
                continue
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                line = line.rstrip(b'\r')
                code = line[:3]
                if len(code) == 3 and code.isdigit() and (len(line) == 3 or line[3:4] in (b' ', b'-')):
                    out.append((num, int(code)))
                else:
                    out.append((num, 0))
                replies += 1
                # a 220 after the greeting answers STARTTLS: the rest is TLS
                if replies > 1 and line.startswith(b'220 '):
                    stopped = True
                    break
    out.sort()
    return out


def conn_attempts(path):
    """[(frame, 'refused'|'no-answer')] of every TCP attempt that failed."""
    SYN, RST, ACK = 0x02, 0x04, 0x10
    att = {}                      # (client, cport, server, sport) -> state
    for num, lt, pkt in packets(path):
        seg = tcp_segment(lt, pkt)
        if not seg:
            continue
        src, sport, dst, dport, _, flags, _ = seg
        fwd, rev = (src, sport, dst, dport), (dst, dport, src, sport)
        if flags & SYN and not flags & ACK:
            a = att.get(fwd)
            if a is None or a['done']:
                att[fwd] = a = {'last_syn': num, 'done': False, 'outcome': None}
            elif a['outcome'] is None:
                a['last_syn'] = num
        elif rev in att and not att[rev]['done']:
            a = att[rev]
            if flags & SYN and flags & ACK:
                a['outcome'], a['done'] = 'established', True
            elif flags & RST:
                a['outcome'], a['done'], a['frame'] = 'refused', True, num
    out = []
    for a in att.values():
        if a['outcome'] is None:
            out.append((a['last_syn'], 'no-answer'))
        elif a['outcome'] == 'refused':
            out.append((a['frame'], 'refused'))
    return sorted(out)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('smtp-replies', 'conn-attempts'):
        raise SystemExit(__doc__)
    if sys.argv[1] == 'smtp-replies':
        for num, code in smtp_replies(sys.argv[2]):
            print(num, code)
    else:
        for num, outcome in conn_attempts(sys.argv[2]):
            print(num, outcome)


if __name__ == '__main__':
    main()
