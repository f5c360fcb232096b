#!/usr/bin/env python3
"""Hostile synthetic SMTP captures for the bounded-memory tests (issue 7).

Writes classic pcap files directly: Ethernet/IPv4/TCP with a three-way
handshake, valid sequence and acknowledgement numbers, payload cut into
MSS-sized segments (so lines span segments as on a real wire) and a FIN at the
end. The traffic is synthetic and hostile on purpose; nothing here is a real
capture (those live in sample-pcaps/, made by tools/captures/).

  gen_hostile.py [--scale F] OUTDIR [scenario ...]

Scenarios (full size at --scale 1; CI uses a small scale):
  multiline   one 250 reply of 100,000 lines to EHLO
  rcpt        1,000,000 pipelined RCPT TO in one transaction, each answered
  sessions    100,000 concurrent SMTP sessions (all open before any closes)
  header      a message whose single header line is 50 MB long
  pop         1,000,000 pipelined POP3 commands (DELE), each answered
  imap        1,000,000 pipelined IMAP commands (NOOP), each answered by tag
  codes       100,000 RCPT TO answered with as many distinct enhanced codes
              (5.S.D); at least 6,000 at any scale
Prints one line per file: name, packets, bytes, and the number of server
reply (or POP3/IMAP status) lines it holds (what mailx must report: nothing lost).
"""
import argparse
import os
import struct

MSS = 1460
SERVER = bytes([192, 0, 2, 25])          # TEST-NET-1 (RFC 5737)


class Pcap:
    def __init__(self, path):
        self.f = open(path, 'wb', buffering=1 << 20)
        self.f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        self.t = 1_700_000_000 * 1_000_000   # microseconds
        self.packets = 0

    def tcp(self, src, sport, dst, dport, seq, ack, flags, payload=b''):
        tcp = struct.pack('>HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                          5 << 4, flags, 65535, 0, 0)
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, total, self.packets & 0xffff, 0x4000, 64, 6, 0,
                         src, dst)
        eth = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'
        frame = eth + ip + tcp + payload
        self.t += 10
        self.f.write(struct.pack('<IIII', self.t // 1_000_000, self.t % 1_000_000, len(frame), len(frame)))
        self.f.write(frame)
        self.packets += 1

    def close(self):
        self.f.close()


class Conn:
    """One TCP connection; each side's next sequence number is kept here."""
    def __init__(self, pcap, n, port=25):
        self.p = pcap
        self.port = port
        self.client = bytes([10, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff])
        # Linux's ephemeral range, clear of every mail port (2525 would read as a server)
        self.cport = 32768 + (n * 7919) % 28000
        self.cseq, self.sseq = 1000, 5000

    def open(self):
        self.p.tcp(self.client, self.cport, SERVER, self.port, self.cseq, 0, 0x02)
        self.p.tcp(SERVER, self.port, self.client, self.cport, self.sseq, self.cseq + 1, 0x12)
        self.cseq += 1
        self.sseq += 1
        self.p.tcp(self.client, self.cport, SERVER, self.port, self.cseq, self.sseq, 0x10)

    def send(self, from_client, data):
        for i in range(0, len(data), MSS):
            seg = data[i:i + MSS]
            if from_client:
                self.p.tcp(self.client, self.cport, SERVER, self.port, self.cseq, self.sseq, 0x18, seg)
                self.cseq += len(seg)
            else:
                self.p.tcp(SERVER, self.port, self.client, self.cport, self.sseq, self.cseq, 0x18, seg)
                self.sseq += len(seg)

    def close(self):
        self.p.tcp(self.client, self.cport, SERVER, self.port, self.cseq, self.sseq, 0x11)
        self.p.tcp(SERVER, self.port, self.client, self.cport, self.sseq, self.cseq + 1, 0x11)


def stream(conn, from_client, lines, batch=256 * 1024):
    """Sends an iterable of lines in big writes (pipelined, segment-cut)."""
    buf = bytearray()
    for ln in lines:
        buf += ln
        if len(buf) >= batch:
            cut = len(buf) - len(buf) % MSS
            conn.send(from_client, bytes(buf[:cut]))
            del buf[:cut]
    if buf:
        conn.send(from_client, bytes(buf))


def multiline(path, scale):
    n = max(2, int(100_000 * scale))
    p = Pcap(path)
    c = Conn(p, 1)
    c.open()
    c.send(False, b'220 mx.example.test ESMTP hostile\r\n')
    c.send(True, b'EHLO client.example.test\r\n')
    stream(c, False, (b'250-line %d of a very long reply\r\n' % i for i in range(n - 1)))
    c.send(False, b'250 SMTPUTF8\r\n')
    c.send(True, b'QUIT\r\n')
    c.send(False, b'221 2.0.0 Bye\r\n')
    c.close()
    p.close()
    return p.packets, 1 + n + 1


def pipelined_rcpt(path, n, reply):
    """n pipelined RCPT TO in one transaction, the i-th answered by reply(i)."""
    p = Pcap(path)
    c = Conn(p, 1)
    c.open()
    c.send(False, b'220 mx.example.test ESMTP hostile\r\n')
    c.send(True, b'EHLO client.example.test\r\n')
    c.send(False, b'250-mx.example.test\r\n250 PIPELINING\r\n')
    c.send(True, b'MAIL FROM:<sender@example.test>\r\n')
    stream(c, True, (b'RCPT TO:<user%d@example.test>\r\n' % i for i in range(n)))
    c.send(False, b'250 2.1.0 Ok\r\n')
    stream(c, False, (reply(i) for i in range(n)))
    c.send(True, b'QUIT\r\n')
    c.send(False, b'221 2.0.0 Bye\r\n')
    c.close()
    p.close()
    return p.packets, 1 + 2 + 1 + n + 1


def rcpt(path, scale):
    return pipelined_rcpt(path, max(1, int(1_000_000 * scale)), lambda i: b'250 2.1.5 Ok\r\n')


def sessions(path, scale):
    n = max(1, int(100_000 * scale))
    p = Pcap(path)
    conns = [Conn(p, i + 1) for i in range(n)]
    # every session opens and says hello before any of them ends
    for c in conns:
        c.open()
        c.send(False, b'220 mx.example.test ESMTP hostile\r\n')
    for c in conns:
        c.send(True, b'EHLO client.example.test\r\n')
    for c in conns:
        c.send(False, b'250 mx.example.test\r\n')
    for c in conns:
        c.send(True, b'QUIT\r\n')
        c.send(False, b'221 2.0.0 Bye\r\n')
        c.close()
    p.close()
    return p.packets, 3 * n


def header(path, scale):
    size = max(1000, int(50 * 1024 * 1024 * scale))
    p = Pcap(path)
    c = Conn(p, 1)
    c.open()
    c.send(False, b'220 mx.example.test ESMTP hostile\r\n')
    c.send(True, b'EHLO client.example.test\r\n')
    c.send(False, b'250 mx.example.test\r\n')
    c.send(True, b'MAIL FROM:<sender@example.test>\r\n')
    c.send(False, b'250 2.1.0 Ok\r\n')
    c.send(True, b'RCPT TO:<user@example.test>\r\n')
    c.send(False, b'250 2.1.5 Ok\r\n')
    c.send(True, b'DATA\r\n')
    c.send(False, b'354 End data with <CR><LF>.<CR><LF>\r\n')
    chunk = b'A' * (1024 * 1024)

    def body():
        yield b'Subject: '
        left = size
        while left > 0:
            yield chunk[:min(left, len(chunk))]
            left -= len(chunk)
        yield b'\r\nFrom: <sender@example.test>\r\n\r\nbody\r\n.\r\n'
    stream(c, True, body())
    c.send(False, b'250 2.0.0 Ok: queued\r\n')
    c.send(True, b'QUIT\r\n')
    c.send(False, b'221 2.0.0 Bye\r\n')
    c.close()
    p.close()
    return p.packets, 7


def pop(path, scale):
    n = max(1, int(1_000_000 * scale))
    p = Pcap(path)
    c = Conn(p, 1, 110)
    c.open()
    c.send(False, b'+OK POP3 hostile ready\r\n')
    c.send(True, b'USER user\r\n')
    c.send(False, b'+OK\r\n')
    c.send(True, b'PASS secret\r\n')
    c.send(False, b'+OK Logged in.\r\n')
    # RFC 2449 PIPELINING: the whole batch before any answer
    stream(c, True, (b'DELE %d\r\n' % (i + 1) for i in range(n)))
    stream(c, False, (b'+OK Marked to be deleted.\r\n' for _ in range(n)))
    c.send(True, b'QUIT\r\n')
    c.send(False, b'+OK Logging out.\r\n')
    c.close()
    p.close()
    return p.packets, 3 + n + 1


def imap(path, scale):
    n = max(1, int(1_000_000 * scale))
    p = Pcap(path)
    c = Conn(p, 1, 143)
    c.open()
    c.send(False, b'* OK IMAP hostile ready\r\n')
    c.send(True, b'a LOGIN user secret\r\n')
    c.send(False, b'a OK Logged in\r\n')
    # RFC 3501 s5.5: commands pipelined, each tagged response names its command
    stream(c, True, (b't%d NOOP\r\n' % i for i in range(n)))
    stream(c, False, (b't%d OK NOOP completed\r\n' % i for i in range(n)))
    c.send(True, b'z LOGOUT\r\n')
    c.send(False, b'* BYE Logging out\r\nz OK Logout completed\r\n')
    c.close()
    p.close()
    return p.packets, 2 + n + 2


def codes(path, scale):
    # more distinct enhanced codes than -z mailx,replies keeps labels for
    return pipelined_rcpt(path, max(6000, int(100_000 * scale)),
                          lambda i: b'550 5.%d.%d rejected\r\n' % (i // 1000, i % 1000))


SCENARIOS = {'multiline': multiline, 'rcpt': rcpt, 'sessions': sessions, 'header': header,
             'pop': pop, 'imap': imap, 'codes': codes}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--scale', type=float, default=1.0)
    ap.add_argument('outdir')
    ap.add_argument('scenario', nargs='*')
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for name in a.scenario or list(SCENARIOS):
        path = os.path.join(a.outdir, 'hostile-%s.pcap' % name)
        packets, replies = SCENARIOS[name](path, a.scale)
        print('%s packets=%d bytes=%d reply_lines=%d' % (path, packets, os.path.getsize(path), replies))


if __name__ == '__main__':
    main()
