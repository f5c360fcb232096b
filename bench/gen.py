#!/usr/bin/env python3
"""Build large benchmark captures by replicating real sessions.

Every TCP or UDP conversation of the template captures (the real Postfix and
Dovecot samples in sample-pcaps/, the real web/DNS flows in bench/templates/)
is a template. Each copy gets its own client address and port and its own
initial sequence numbers (acks, SACK edges and checksums follow), so every
copy is a distinct, valid conversation. Copies run a few dozen at a time,
interleaved by timestamp like a busy server's traffic.

  gen.py --kind mail    --size-mb 200 --out bench/out/mail-1x.pcap
  gen.py --kind nonmail --size-mb 200 --out bench/out/nonmail-1x.pcap

Standard library only; writes classic pcap (Ethernet, microseconds).
"""
import argparse
import glob
import heapq
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

MAIL_PORTS = {25, 465, 587, 110, 995, 143, 993}
SERVER_PORTS = MAIL_PORTS | {80, 443, 53, 8080}
ETH_HDR_V4 = bytes.fromhex("020000000002" "020000000001" "0800")
ETH_HDR_V6 = bytes.fromhex("020000000002" "020000000001" "86dd")


# ------------------------------------------------------------------ reading
def read_pcap(path):
    """Yield (ts_seconds_float, linktype, frame bytes) of a classic pcap; a
    pcapng file is converted with editcap first."""
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"\x0a\x0d\x0d\x0a":
        tmp = tempfile.NamedTemporaryFile(suffix=".pcap", delete=False)
        tmp.close()
        subprocess.run(["editcap", "-F", "pcap", path, tmp.name], check=True)
        try:
            yield from read_pcap(tmp.name)
        finally:
            os.unlink(tmp.name)
        return
    with open(path, "rb") as f:
        data = f.read()
    m = data[:4]
    if m in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif m in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    nano = m in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    rec = struct.Struct(end + "IIII")
    div = 1e9 if nano else 1e6
    while off + 16 <= len(data):
        sec, frac, incl, _orig = rec.unpack_from(data, off)
        off += 16
        yield sec + frac / div, linktype, data[off:off + incl]
        off += incl


def ip_payload(linktype, frame):
    """The IP packet inside a frame, or None."""
    if linktype == 1:                                   # Ethernet (+ VLAN tags)
        off, et = 12, None
        while off + 2 <= len(frame):
            et = struct.unpack_from("!H", frame, off)[0]
            if et in (0x8100, 0x88a8):
                off += 4
                continue
            off += 2
            break
        return frame[off:] if et in (0x0800, 0x86dd) else None
    if linktype == 113:                                 # Linux cooked
        et = struct.unpack_from("!H", frame, 14)[0]
        return frame[16:] if et in (0x0800, 0x86dd) else None
    if linktype == 276:                                 # Linux cooked v2
        et = struct.unpack_from("!H", frame, 0)[0]
        return frame[20:] if et in (0x0800, 0x86dd) else None
    if linktype in (101, 12, 228, 229):                 # raw IP
        return frame
    if linktype == 0:                                   # BSD loopback
        return frame[4:]
    return None


class Packet:
    """One template packet with where its rewritable fields sit."""
    __slots__ = ("ts", "ip", "v6", "from_client", "cli_addr_off", "cli_port_off",
                 "seq_off", "ack_off", "ack_set", "sack_offs", "ck_off", "l4_is_tcp")


def parse_packet(ts, ip):
    ver = ip[0] >> 4
    p = Packet()
    p.ts = ts
    if ver == 4:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack_from("!H", ip, 2)[0]
        ip = ip[:total] if 0 < total <= len(ip) else ip
        if struct.unpack_from("!H", ip, 6)[0] & 0x3FFF:  # fragments: not replicated
            return None
        proto = ip[9]
        src, dst, l4, alen, aoff = ip[12:16], ip[16:20], ihl, 4, (12, 16)
        p.v6 = False
    elif ver == 6:
        proto = ip[6]
        if proto not in (6, 17):                         # extension headers: not replicated
            return None
        src, dst, l4, alen, aoff = ip[8:24], ip[24:40], 40, 16, (8, 24)
        p.v6 = True
    else:
        return None
    if proto not in (6, 17) or len(ip) < l4 + (20 if proto == 6 else 8):
        return None
    sport, dport = struct.unpack_from("!HH", ip, l4)
    p.ip = bytes(ip)
    p.l4_is_tcp = proto == 6
    p.sack_offs = ()
    if proto == 6:
        p.seq_off, p.ack_off = l4 + 4, l4 + 8
        flags = ip[l4 + 13]
        p.ack_set = bool(flags & 0x10)
        p.ck_off = l4 + 16
        doff = (ip[l4 + 12] >> 4) * 4
        sacks, o = [], l4 + 20
        while o < l4 + doff and o < len(ip):        # TCP options: SACK edges are sequence numbers
            kind = ip[o]
            if kind == 0:
                break
            if kind == 1:
                o += 1
                continue
            if o + 1 >= len(ip):
                break
            olen = ip[o + 1]
            if olen < 2:
                break
            if kind == 5:
                sacks.extend(range(o + 2, o + olen, 4))
            o += olen
        p.sack_offs = tuple(sacks)
    else:
        p.seq_off = p.ack_off = None
        p.ack_set = False
        p.ck_off = l4 + 6
    return p, (src, sport), (dst, dport), aoff


class Flow:
    def __init__(self, name):
        self.name = name
        self.packets = []
        self.nbytes = 0
        self.mail = False
        self.client = None


def load_flows(paths):
    flows = {}
    for path in paths:
        for ts, lt, frame in read_pcap(path):
            ip = ip_payload(lt, frame)
            if ip is None or len(ip) < 20:
                continue
            r = parse_packet(ts, ip)
            if r is None:
                continue
            p, a, b, aoff = r
            key = (path, p.l4_is_tcp) + tuple(sorted([a, b]))
            fl = flows.get(key)
            if fl is None:
                fl = flows[key] = Flow("%s %s:%d-%s:%d" % (os.path.basename(path), a[0].hex(), a[1],
                                                            b[0].hex(), b[1]))
                # the server listens on a well-known port (else the lower port)
                a_srv = a[1] in SERVER_PORTS and b[1] not in SERVER_PORTS or \
                    (a[1] in SERVER_PORTS) == (b[1] in SERVER_PORTS) and a[1] < b[1]
                fl.client = b if a_srv else a
                fl.mail = (a if a_srv else b)[1] in MAIL_PORTS
            p.from_client = a == fl.client
            l4 = p.ck_off - (16 if p.l4_is_tcp else 6)
            p.cli_addr_off = aoff[0] if p.from_client else aoff[1]
            p.cli_port_off = l4 if p.from_client else l4 + 2
            fl.packets.append(p)
            fl.nbytes += len(p.ip) + 14 + 16
    out = []
    for fl in flows.values():
        t0 = fl.packets[0].ts
        for p in fl.packets:
            p.ts -= t0
        out.append(fl)
    out.sort(key=lambda f: f.name)
    return out


# ------------------------------------------------------------------ rewriting
def csum_fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def words(b):
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def adjust(ck, old, new, udp):
    """RFC 1624 eqn. 3 incremental checksum update, HC' = ~(~HC + ~m + m'),
    for replacing the 16-bit words `old` by `new`."""
    if udp and ck == 0:
        return 0                                 # UDP without checksum stays without
    s = (~ck & 0xFFFF) + words(new) + 0xFFFF * (len(old) // 2) - words(old)
    r = (~csum_fold(s)) & 0xFFFF
    return 0xFFFF if udp and r == 0 else r       # RFC 768: computed 0 is sent as all ones


def ipv4_header_csum(hdr):
    s = words(hdr[:10]) + words(hdr[12:])
    return (~csum_fold(s)) & 0xFFFF


class Copy:
    """One replica of a flow: new client address/port, sequence offsets."""
    def __init__(self, flow, k, rng, t0):
        self.flow = flow
        self.t0 = t0
        idx = k // 500 + 1
        if flow.client[0] and len(flow.client[0]) == 4:
            self.addr = bytes([10, 128 + ((idx >> 16) & 63), (idx >> 8) & 255, idx & 255])
        else:
            self.addr = flow.client[0][:13] + bytes([(idx >> 16) & 255, (idx >> 8) & 255, idx & 255])
        self.port = struct.pack("!H", 10000 + (k % 500) * 101 % 50000)
        self.dseq_c = rng.getrandbits(32)
        self.dseq_s = rng.getrandbits(32)

    def frames(self):
        for p in self.flow.packets:
            yield self.t0 + p.ts, self.rewrite(p)

    def rewrite(self, p):
        ip = bytearray(p.ip)
        ck_off = p.ck_off
        old_ck = struct.unpack_from("!H", ip, ck_off)[0]
        a, alen = p.cli_addr_off, len(self.addr)
        changes = [(a, self.addr), (p.cli_port_off, self.port)]
        if p.l4_is_tcp:
            mine, theirs = (self.dseq_c, self.dseq_s) if p.from_client else (self.dseq_s, self.dseq_c)
            seq = (struct.unpack_from("!I", ip, p.seq_off)[0] + mine) & 0xFFFFFFFF
            changes.append((p.seq_off, struct.pack("!I", seq)))
            if p.ack_set:
                ack = (struct.unpack_from("!I", ip, p.ack_off)[0] + theirs) & 0xFFFFFFFF
                changes.append((p.ack_off, struct.pack("!I", ack)))
            for so in p.sack_offs:                    # SACK edges acknowledge the peer's data
                v = (struct.unpack_from("!I", ip, so)[0] + theirs) & 0xFFFFFFFF
                changes.append((so, struct.pack("!I", v)))
        old = b"".join(bytes(ip[o:o + len(n)]) for o, n in changes)
        new = b"".join(n for _o, n in changes)
        for o, n in changes:
            ip[o:o + len(n)] = n
        struct.pack_into("!H", ip, ck_off, adjust(old_ck, old, new, not p.l4_is_tcp))
        if not p.v6:
            ihl = (ip[0] & 15) * 4
            struct.pack_into("!H", ip, 10, ipv4_header_csum(bytes(ip[:ihl])))
        return (ETH_HDR_V6 if p.v6 else ETH_HDR_V4) + bytes(ip)


# ------------------------------------------------------------------ building
def pick_weights(flows, cap):
    """Large transfers are kept but do not dominate: a flow bigger than `cap`
    bytes is picked cap/size as often as a small one."""
    return [min(1.0, cap / max(1, f.nbytes)) for f in flows]


def build(args):
    mail_paths = sorted(glob.glob(os.path.join(args.mail_templates, "*.pcap")) +
                        glob.glob(os.path.join(args.mail_templates, "*.pcapng")))
    mail = [f for f in load_flows(mail_paths) if f.mail and f.packets]
    need_mail = args.kind == "mail" or args.mail_share > 0
    if need_mail and not mail:
        sys.exit("gen.py: no SMTP/POP/IMAP conversation in %s (run tools/captures/*.sh)"
                 % args.mail_templates)
    pools = [(mail, 1.0)]
    if args.kind == "nonmail":
        other = [f for f in load_flows([args.web_template]) if not f.mail and f.packets]
        pools = [(other, 1.0 - args.mail_share)] + ([(mail, args.mail_share)] if need_mail else [])
    rng = random.Random(args.seed)
    weighted = [(fl, pick_weights(fl, args.cap_kb * 1024), share) for fl, share in pools]
    target = int(args.size_mb * 1024 * 1024)

    tmp = args.out + ".tmp"
    written = frames = sessions = 0
    mail_sessions = 0
    t = 1700000000.0
    pkt_hdr = struct.Struct("<IIII")
    with open(tmp, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        written = 24
        while written < target:
            batch = []
            for j in range(args.concurrency):
                r = rng.random()
                for fl, w, share in weighted:
                    if r < share:
                        break
                    r -= share
                flow = rng.choices(fl, weights=w)[0]
                batch.append(Copy(flow, sessions, rng, t + j * 0.0007))
                sessions += 1
                mail_sessions += flow.mail
            end = t
            for ts, frame in heapq.merge(*(c.frames() for c in batch), key=lambda x: x[0]):
                sec = int(ts)
                usec = int(round((ts - sec) * 1e6))
                if usec >= 1000000:
                    sec, usec = sec + 1, usec - 1000000
                out.write(pkt_hdr.pack(sec, usec, len(frame), len(frame)))
                out.write(frame)
                written += 16 + len(frame)
                frames += 1
                end = ts
            t = end + 0.001
    os.replace(tmp, args.out)
    os.chmod(args.out, 0o644)
    info = {"kind": args.kind, "bytes": written, "frames": frames, "sessions": sessions,
            "mail_sessions": mail_sessions, "templates": len(mail_paths) + (args.kind == "nonmail")}
    print(" ".join("%s=%s" % kv for kv in info.items()))
    if args.info:
        with open(args.info, "w") as f:
            for k, v in info.items():
                f.write("%s=%s\n" % (k, v))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", choices=("mail", "nonmail"), required=True)
    ap.add_argument("--size-mb", type=float, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--info", help="write key=value statistics here")
    ap.add_argument("--mail-templates", default=os.path.join(REPO, "sample-pcaps"))
    ap.add_argument("--web-template", default=os.path.join(HERE, "templates", "web-dns.pcap"))
    ap.add_argument("--mail-share", type=float, default=0.02,
                    help="nonmail: fraction of sessions copied from the mail templates")
    ap.add_argument("--cap-kb", type=float, default=16,
                    help="a template flow larger than this is picked proportionally less often")
    ap.add_argument("--concurrency", type=int, default=32, help="sessions in flight at a time")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    build(args)


if __name__ == "__main__":
    main()
