#!/usr/bin/env python3
"""Real web/DNS peers for bench/templates/make-web-dns.sh: a tiny DNS server
and client (UDP 53, RFC 1035 wire format) and a web client that fetches
objects of mixed sizes from `python3 -m http.server`.

  web_dns_peers.py dns-server ADDR
  web_dns_peers.py dns-client SERVER N
  web_dns_peers.py web-client SERVER PORT N
"""
import http.client
import random
import socket
import struct
import sys


def dns_name(data, off):
    labels = []
    while True:
        n = data[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        labels.append(data[off:off + n].decode("ascii", "replace"))
        off += n


def encode_name(name):
    out = b""
    for label in name.strip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def dns_server(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        data, peer = s.recvfrom(4096)
        if len(data) < 12:
            continue
        qid, _flags, qd = struct.unpack("!HHH", data[:6])
        if qd != 1:
            continue
        name, off = dns_name(data, 12)
        qtype, qclass = struct.unpack("!HH", data[off:off + 4])
        question = data[12:off + 4]
        rng = random.Random(name)
        answers = b""
        count = 0
        rcode = 0
        if name.startswith("nx"):
            rcode = 3                                   # NXDOMAIN
        elif qtype == 1:
            for _ in range(rng.randint(1, 3)):
                answers += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes(
                    [10, 78, rng.randint(1, 254), rng.randint(1, 254)])
                count += 1
        elif qtype == 28:
            answers += b"\xc0\x0c" + struct.pack("!HHIH", 28, 1, 300, 16) + bytes(
                [0xfd, 0, 0, 0x78] + [rng.randint(0, 255) for _ in range(12)])
            count = 1
        flags = 0x8180 | rcode
        s.sendto(struct.pack("!HHHHHH", qid, flags, 1, count, 0, 0) + question + answers, peer)


def dns_client(server, n):
    rng = random.Random(7)
    sites = ["www", "api", "cdn", "static", "img", "login", "nxhost", "mail", "news", "shop"]
    tlds = ["example.com", "example.org", "example.net", "test"]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    for i in range(n):
        name = "%s%d.%s" % (rng.choice(sites), rng.randint(1, 40), rng.choice(tlds))
        qtype = 28 if i % 3 == 2 else 1
        q = struct.pack("!HHHHHH", rng.randint(0, 65535), 0x0100, 1, 0, 0, 0) + encode_name(name) + \
            struct.pack("!HH", qtype, 1)
        s.sendto(q, (server, 53))
        try:
            s.recvfrom(4096)
        except socket.timeout:
            pass


def web_client(server, port, n):
    rng = random.Random(11)
    # mostly small pages and scripts, a few images, now and then a large download
    paths = (["/index.html"] * 6 + ["/style.css"] * 4 + ["/app.js"] * 3 + ["/logo.png"] * 2 +
             ["/photo.jpg", "/missing.html", "/data.json"] + ["/big.bin"])
    for _ in range(n):
        path = rng.choice(paths)
        c = http.client.HTTPConnection(server, port, timeout=10)
        c.request("GET", path, headers={"User-Agent": "bench-web/1.0", "Accept": "*/*"})
        r = c.getresponse()
        r.read()
        c.close()


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "dns-server":
        dns_server(sys.argv[2])
    elif cmd == "dns-client":
        dns_client(sys.argv[2], int(sys.argv[3]))
    elif cmd == "web-client":
        web_client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit("unknown command " + cmd)
