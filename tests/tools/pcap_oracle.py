#!/usr/bin/env python3
"""Independent oracle over a capture: reads the pcap itself (no Wireshark),
reassembles each TCP direction by sequence number (dropping retransmitted
bytes), splits the server's bytes into lines and reports, per protocol, which
frame completes each server status line. Tests compare mailx's fields with it,
so a reply lost or doubled by pipelining, segmentation or multi-line handling
shows up as a difference.

Usage: pcap_oracle.py smtp-replies FILE   -> "frame code" per SMTP reply line
       pcap_oracle.py pop-status FILE     -> "frame indicator" per POP3 status line
          (+OK, -ERR, + for a SASL challenge) on port 110 in clear; the lines of
          multi-line responses (RETR, TOP, CAPA, LIST/UIDL without argument, AUTH
          without argument) are data, not status lines
       pcap_oracle.py imap-status FILE    -> "frame status" per IMAP status response
          (tagged or untagged OK/NO/BAD/BYE/PREAUTH) on port 143 in clear; literals
          ({n} at a line end: FETCH bodies) are skipped by their byte count
       pcap_oracle.py conn-attempts FILE  -> "frame outcome" per connection attempt
          (a client SYN): refused (RST from the server before any SYN/ACK; the RST's
          frame) or no-answer (neither; the attempt's last SYN), on every port;
          established attempts are not listed
"""
import struct
import sys

SMTP_PORTS = {25, 587, 2525}
POP_PORTS = {110}
IMAP_PORTS = {143}


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
    return _streams(path, ports, False)


def client_streams(path, ports):
    """The same for client -> server, keyed (server, sport, client, cport) like
    server_streams so the two directions of a connection share a key."""
    return _streams(path, ports, True)


def _streams(path, ports, to_server):
    streams = {}
    for num, lt, pkt in packets(path):
        seg = tcp_segment(lt, pkt)
        if not seg:
            continue
        src, sport, dst, dport, seq, flags, payload = seg
        if (dport if to_server else sport) not in ports:
            continue
        key = (dst, dport, src, sport) if to_server else (src, sport, dst, dport)
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


def _lines(chunks):
    """(frame, line without CR LF) for each complete line; stops at a gap or where TLS starts (a record header
    0x16 0x03 at a line start: the answer to STLS/STARTTLS was accepted)."""
    buf = b''
    for num, chunk in chunks:
        if chunk is None:
            return
        if not buf and chunk[:2] == b'\x16\x03':
            return
        buf += chunk
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            yield num, line.rstrip(b'\r')


# RFC 1939 / 2449 / 5034: commands whose +OK opens a multi-line response
def _pop_multiline(cmd):
    words = cmd.split()
    if not words:
        return False
    verb = words[0].upper()
    if verb in (b'RETR', b'TOP', b'CAPA'):
        return True
    if verb in (b'LIST', b'UIDL', b'AUTH') and len(words) == 1:
        return True
    return False


def pop_status(path):
    out = []
    clients = client_streams(path, POP_PORTS)
    for key, st in server_streams(path, POP_PORTS).items():
        # client lines with the frame that completed each, in order
        cl = list(_lines(clients.get(key, {'chunks': []})['chunks']))
        ci = 0
        pending = []          # client lines the server has not answered yet
        in_data = False
        greeting = True
        for num, line in _lines(st['chunks']):
            # every client line sent before this server frame is on its way
            while ci < len(cl) and cl[ci][0] < num:
                pending.append(cl[ci][1])
                ci += 1
            if in_data:
                if line == b'.':
                    in_data = False
                continue
            if line.startswith(b'+OK'):
                ind = '+OK'
            elif line.startswith(b'-ERR'):
                ind = '-ERR'
            elif line == b'+' or line.startswith(b'+ '):
                ind = '+'
            else:
                ind = '?'
            out.append((num, ind))
            if greeting:
                greeting = False
                continue
            cmd = pending.pop(0) if pending else b''
            if ind == '+OK' and _pop_multiline(cmd):
                in_data = True
    out.sort()
    return out


IMAP_STATUS = (b'OK', b'NO', b'BAD', b'BYE', b'PREAUTH')


def imap_status(path):
    out = []
    for key, st in server_streams(path, IMAP_PORTS).items():
        # a literal {n} at the end of a line: the next n bytes are data and the
        # response goes on after them (RFC 3501 s4.3)
        buf = b''
        skip = 0
        cont = False          # the next line continues a response after a literal
        for num, chunk in st['chunks']:
            if chunk is None:
                break
            if not buf and not skip and chunk[:2] == b'\x16\x03':
                break
            buf += chunk
            while True:
                if skip:
                    n = min(skip, len(buf))
                    buf, skip = buf[n:], skip - n
                    if skip:
                        break
                if b'\n' not in buf:
                    break
                line, buf = buf.split(b'\n', 1)
                line = line.rstrip(b'\r')
                first = not cont
                cont = False
                if line.endswith(b'}') and b'{' in line:
                    size = line[line.rindex(b'{') + 1:-1].rstrip(b'+')
                    if size.isdigit():
                        skip, cont = int(size), True
                if not first:
                    continue
                words = line.split(b' ', 2)
                if len(words) >= 2 and words[0] != b'+' and words[1].upper() in IMAP_STATUS:
                    out.append((num, words[1].upper().decode()))
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
    if len(sys.argv) != 3 or sys.argv[1] not in ('smtp-replies', 'conn-attempts', 'pop-status',
                                                  'imap-status'):
        raise SystemExit(__doc__)
    if sys.argv[1] == 'smtp-replies':
        for num, code in smtp_replies(sys.argv[2]):
            print(num, code)
    elif sys.argv[1] == 'pop-status':
        for num, ind in pop_status(sys.argv[2]):
            print(num, ind)
    elif sys.argv[1] == 'imap-status':
        for num, status in imap_status(sys.argv[2]):
            print(num, status)
    else:
        for num, outcome in conn_attempts(sys.argv[2]):
            print(num, outcome)


if __name__ == '__main__':
    main()
