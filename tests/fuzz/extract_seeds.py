#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, from the lines of real captures.

Reads each capture itself (tests/tools/pcap_oracle.py's pcap reader, no
Wireshark), keeps each TCP direction's new bytes in capture order (a
retransmission's old bytes are dropped) and writes, per target, one file per
distinct seed into OUTDIR/<target>/ (named by SHA-1, as libFuzzer does).

Adding a target's seeds is one entry in RULES: target -> (protocol, kind).
  kind 'server-lines'  each line the server sent, without CRLF
       'server-text'   the text after a "ddd " / "ddd-" reply code
       'client-lines'  each line the client sent, without CRLF
       'all-lines'     both of the above
       'messages'      each message the client sent after DATA (up to the
                       final "."), as a byte script of 1460-byte chunks
       'script'        the whole conversation as the byte script of
                       tests/fuzz/fuzz_common.h (direction + segment sizes kept)
       'script-gaps'   the script, and copies with one segment lost (a 0-byte
                       chunk, a capture gap for the POP3/IMAP session targets)
                       at a third, half and two thirds of the conversation
       'capture'       the whole conversation in the input format of
                       fuzz_mailx_plugin.c: a setup byte naming the server
                       port, then each segment's direction and payload (the
                       harness builds the Ethernet/IP/TCP headers; the first
                       conversation of each file also over IPv6); protocol
                       None takes SMTP, POP3 and IMAP alike

Usage: extract_seeds.py OUTDIR CAPTURE...
"""
import hashlib
import struct
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tools'))
import pcap_oracle  # noqa: E402

PORTS = {
    'smtp': {25, 587, 2525, 465},
    'pop': {110, 995},
    'imap': {143, 993},
}

RULES = {
    'smtp_reply': ('smtp', 'server-lines'),
    'enhanced_status': ('smtp', 'server-text'),
    'smtp_command': ('smtp', 'client-lines'),
    'line_splitter': ('smtp', 'script'),
    'smtp_session': ('smtp', 'script'),
    'pop_parse': ('pop', 'all-lines'),
    'pop_session': ('pop', 'script-gaps'),
    'imap_parse': ('imap', 'all-lines'),
    'imap_session': ('imap', 'script-gaps'),
    'mime': ('smtp', 'messages'),
    'mailx_plugin': (None, 'capture'),
}

SEED_MAX = 64 * 1024   # a seed longer than this is cut (libFuzzer -max_len)


def conversations(path):
    """{(proto, conn): [(from_client, bytes)]} in capture order."""
    convs = {}
    nxt = {}
    for _num, lt, pkt in pcap_oracle.packets(path):
        try:
            seg = pcap_oracle.tcp_segment(lt, pkt)
        except (IndexError, struct.error):  # a frame cut by the snap length
            seg = None
        if not seg:
            continue
        src, sport, dst, dport, seq, flags, payload = seg
        proto = None
        for name, ports in PORTS.items():
            if dport in ports:
                proto, from_client, conn = name, True, (src, sport, dst, dport)
            elif sport in ports:
                proto, from_client, conn = name, False, (dst, dport, src, sport)
            if proto:
                break
        if not proto:
            continue
        key = (src, sport, dst, dport)
        if flags & 0x02:
            nxt[key] = (seq + 1) & 0xffffffff
            continue
        if not payload:
            continue
        exp = nxt.get(key, seq)
        rel = (seq - exp) & 0xffffffff
        if rel >= 0x80000000:           # overlaps what was already sent
            skip = (exp - seq) & 0xffffffff
            if skip >= len(payload):
                continue
            payload = payload[skip:]
            seq = exp
        nxt[key] = (seq + len(payload)) & 0xffffffff
        convs.setdefault((proto, conn), []).append((from_client, bytes(payload)))
    return convs


def lines(chunks, want_client):
    data = b''.join(p for c, p in chunks if c == want_client)
    return [ln.rstrip(b'\r') for ln in data.split(b'\n')[:-1]]


def script(chunks):
    out = bytearray()
    for from_client, p in chunks:
        if p is None:                   # a gap: a chunk of 0 bytes
            out.append(from_client)
            continue
        while p:
            part, p = p[:65535], p[65535:]
            n = len(part)
            if n < 127:
                out.append(n << 1 | from_client)
            else:
                out += bytes([127 << 1 | from_client, n & 0xff, n >> 8])
            out += part
            if len(out) >= SEED_MAX:
                return bytes(out[:SEED_MAX])
    return bytes(out)


# fuzz_mailx_plugin.c's setup byte: index of the server port (2525 is read as 25)
CAPTURE_PORTS = {25: 0, 2525: 0, 587: 1, 110: 2, 143: 3, 465: 4, 993: 5, 995: 6}
CAPTURE_FRAMES = 512   # the harness's MAX_FRAMES
CAPTURE_PER_FILE = 8   # conversations per capture: a login storm is 120 alike


def capture(server_port, chunks, ipv6=False):
    out = bytearray([CAPTURE_PORTS[server_port] | (0x20 if ipv6 else 0)])
    for from_client, p in chunks[:CAPTURE_FRAMES - 3]:   # after the handshake
        p = p[:65495]
        if len(p) < 256:
            out += bytes([from_client, len(p)])
        else:
            out += bytes([from_client | 0x20, len(p) & 0xff, len(p) >> 8])
        out += p
        if len(out) >= SEED_MAX:
            break
    return bytes(out[:SEED_MAX])


LINES_MAX = 200   # per conversation and kind: message bodies would swamp the corpus


def seeds_for(kind, chunks):
    return seeds_all(kind, chunks)[:LINES_MAX]


def seeds_all(kind, chunks):
    if kind == 'server-lines':
        return lines(chunks, False)
    if kind == 'client-lines':
        return lines(chunks, True)
    if kind == 'all-lines':
        return lines(chunks, False) + lines(chunks, True)
    if kind == 'server-text':
        return [ln[4:] for ln in lines(chunks, False) if len(ln) > 4 and ln[:3].isdigit()]
    if kind == 'script':
        return [script(chunks)]
    if kind == 'script-gaps':
        out = [script(chunks)]
        for k in sorted({len(chunks) // 3, len(chunks) // 2, 2 * len(chunks) // 3}):
            if 0 < k < len(chunks):
                out.append(script(chunks[:k] + [(chunks[k][0], None)] + chunks[k + 1:]))
        return out
    if kind == 'messages':
        data = b''.join(p for c, p in chunks if c)
        out = []
        for part in data.split(b'\r\nDATA\r\n')[1:]:
            body = part.split(b'\r\n.\r\n', 1)[0] + b'\r\n'
            out.append(script([(True, body[i:i + 1460]) for i in range(0, len(body), 1460)]))
        return out
    raise ValueError(kind)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    outdir = sys.argv[1]
    counts = {t: 0 for t in RULES}
    for path in sys.argv[2:]:
        try:
            convs = conversations(path)
        except SystemExit as e:          # pcapng: the oracle reads libpcap only
            print(f'skipped {path}: {e}', file=sys.stderr)
            continue
        per_file = {}
        for (proto, conn), chunks in convs.items():
            for target, (want, kind) in RULES.items():
                if want not in (proto, None):
                    continue
                if kind == 'capture':
                    per_file[target] = per_file.get(target, 0) + 1
                    if per_file[target] > CAPTURE_PER_FILE:
                        continue
                    seeds = [capture(conn[3], chunks)]
                    if per_file[target] == 1:   # and once over IPv6 (setup bit 5)
                        seeds.append(capture(conn[3], chunks, True))
                else:
                    seeds = seeds_for(kind, chunks)
                d = os.path.join(outdir, target)
                os.makedirs(d, exist_ok=True)
                for seed in seeds:
                    seed = seed[:SEED_MAX]
                    name = os.path.join(d, hashlib.sha1(seed).hexdigest())
                    if not os.path.exists(name):
                        with open(name, 'wb') as f:
                            f.write(seed)
                        counts[target] += 1
    for t in sorted(counts):
        print(f'{t}: {counts[t]} seeds')


if __name__ == '__main__':
    main()
