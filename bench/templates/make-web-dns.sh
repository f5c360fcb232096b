#!/bin/bash
# Make bench/templates/web-dns.pcap: real non-mail traffic (HTTP over TCP 80
# from python3 -m http.server, DNS over UDP 53 from a tiny responder) between
# two isolated network namespaces joined by a veth pair with offloads off, so
# frames look like a wire (<= 1514 bytes, valid checksums). bench/gen.py
# replicates these flows to build the mostly-non-mail benchmark capture.
#
# Usage (root): bench/templates/make-web-dns.sh [OUT.pcap]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$HERE/web-dns.pcap}
PY=/usr/bin/python3
NS_SRV=mailx-bench-srv NS_CLI=mailx-bench-cli
IF_SRV=mxbench-s IF_CLI=mxbench-c
SRV_IP=10.78.0.10 CLI_IP=10.78.0.20
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
export PATH=$PATH:/usr/sbin:/sbin

WORK=$(mktemp -d /tmp/mailx-bench-web.XXXXXX)
PIDS=()
cleanup() {
    set +e
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ip netns del "$NS_SRV" 2>/dev/null
    ip netns del "$NS_CLI" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

for ns in "$NS_SRV" "$NS_CLI"; do
    ip netns del "$ns" 2>/dev/null || true
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
done
ip link add "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI"
ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$IF_SRV"
ip -n "$NS_CLI" addr add "$CLI_IP/24" dev "$IF_CLI"
ip netns exec "$NS_SRV" ethtool -K "$IF_SRV" tx off tso off gso off gro off >/dev/null 2>&1 || true
ip netns exec "$NS_CLI" ethtool -K "$IF_CLI" tx off tso off gso off gro off >/dev/null 2>&1 || true
ip -n "$NS_SRV" link set "$IF_SRV" up
ip -n "$NS_CLI" link set "$IF_CLI" up

# The web site: text pages, scripts, images, one large download.
mkdir -p "$WORK/www"
$PY - "$WORK/www" <<'PYEOF'
import os, random, sys
d = sys.argv[1]
rng = random.Random(3)
words = "the quick brown fox jumps over lazy dog mail server client request reply".split()
def text(n):
    out = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(rng.choice(words))
    return (" ".join(out) + "\n").encode()
files = {"index.html": (b"<html><body>" + text(6000) + b"</body></html>\n"),
         "style.css": text(3000), "app.js": text(40000), "data.json": b'{"k": "' + text(2000).strip() + b'"}\n',
         "logo.png": os.urandom(12000), "photo.jpg": os.urandom(150000), "big.bin": os.urandom(300000)}
for name, body in files.items():
    with open(os.path.join(d, name), "wb") as f:
        f.write(body)
PYEOF
chmod -R a+rX "$WORK"

ip netns exec "$NS_SRV" tcpdump -i "$IF_SRV" -s 0 -U -w "$WORK/out.pcap" 'tcp port 80 or udp port 53' 2>/dev/null &
PIDS+=($!)
(cd "$WORK/www" && exec ip netns exec "$NS_SRV" $PY -m http.server --bind "$SRV_IP" 80 >/dev/null 2>&1) &
PIDS+=($!)
ip netns exec "$NS_SRV" $PY "$HERE/web_dns_peers.py" dns-server "$SRV_IP" &
PIDS+=($!)
sleep 1.5
ip netns exec "$NS_CLI" $PY "$HERE/web_dns_peers.py" dns-client "$SRV_IP" 80
ip netns exec "$NS_CLI" $PY "$HERE/web_dns_peers.py" web-client "$SRV_IP" 80 30
sleep 1
kill -INT "${PIDS[0]}"; wait "${PIDS[0]}" 2>/dev/null || true
cp "$WORK/out.pcap" "$OUT"
echo "wrote $OUT: $(tshark -r "$OUT" 2>/dev/null | wc -l) frames" >&2
