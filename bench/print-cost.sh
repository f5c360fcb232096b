#!/bin/bash
# What Wireshark itself charges for printing values with -T fields, whoever
# made them: the floor of bench/run.sh's `-T fields` run (every mailx.* field
# asked for, mailx disabled, so every column is empty) against the same
# command with 23 more fields of frame, ip and tcp that every IPv4 TCP frame
# has. The second ratio is what printing 23 values a frame costs with no
# mailx code running (-T fields builds the whole visible tree anyway). mailx's
# own -T fields run prints about as many values a frame (counted here on the
# same capture), so that ratio is a lower bound for mailx.fields in
# bench/run.sh. Not a test; see bench/README.md.
#
# usage: bench/print-cost.sh [--rounds N] [CAPTURE]
#   CAPTURE: default bench/out/mail-50mb.pcap (bench/run.sh --quick makes it)
#   --rounds: rounds of the three runs in turn (default 7); medians reported
# Env: MAILX_BUILD (default build-bench, as bench/run.sh)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ROUNDS=7
CAP=$HERE/out/mail-50mb.pcap
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) CAP=$(readlink -f "$1") ;;
    esac
    shift
done
[ -f "$CAP" ] || { echo "no capture $CAP (bench/run.sh --quick makes bench/out/mail-50mb.pcap)" >&2; exit 2; }
# shellcheck source=lib.sh
. "$HERE/lib.sh"
bench_build

# shellcheck source=../tests/lib/tshark.sh
. "$REPO/tests/lib/tshark.sh"
mailx_tshark_setup
tmp=$(mktemp -d)
chmod 777 "$tmp"                    # tshark runs as nobody when we are root
trap 'mailx_tshark_teardown; rm -rf "$tmp"' EXIT

FIELDS=$(bench_mailx_fields)
[ -n "$FIELDS" ] || { echo "mailx plugin not loaded" >&2; exit 1; }
MAILX_E=(); for f in $FIELDS; do MAILX_E+=(-e "$f"); done
# one value each on every IPv4 TCP frame (checked below)
OTHER=(frame.number frame.len frame.cap_len frame.time_epoch frame.time_delta frame.time_relative
       ip.version ip.hdr_len ip.len ip.id ip.ttl ip.proto ip.src ip.dst
       tcp.srcport tcp.dstport tcp.stream tcp.len tcp.seq tcp.ack tcp.hdr_len tcp.flags
       tcp.window_size_value)
OTHER_E=(); for f in "${OTHER[@]}"; do OTHER_E+=(-e "$f"); done
LIMITS=("${BENCH_LIMITS[@]}")     # bench/lib.sh: every session analysed

cpu() {     # cpu ARGS... -> user+sys seconds of one run
    MAILX_TSHARK_WRAPPER="/usr/bin/time -f %U+%S -o $tmp/t" \
        mailx_tshark -r "$CAP" "${LIMITS[@]}" "$@" > /dev/null 2> "$tmp/err" ||
        { echo "tshark failed on $CAP:" >&2; cat "$tmp/err" >&2; exit 1; }
    tail -1 "$tmp/t"
}

echo "capture: $CAP"
echo "tshark: $(tshark --version 2>/dev/null | head -1)"
echo "mailx fields asked for: $(wc -w <<<"$FIELDS"); other fields: ${#OTHER[@]}"
# values a frame: non-empty columns, and values (several occurrences of a
# field share a column, joined by the aggregator)
per_frame() {
    python3 -c '
import sys
n = c = v = 0
for line in sys.stdin:
    n += 1
    cols = [x for x in line.rstrip("\n").split("\t") if x]
    c += len(cols)
    v += sum(x.count("\x01") + 1 for x in cols)
print("%.2f columns, %.2f values a frame (%d frames)" % (c / max(n, 1), v / max(n, 1), n))'
}
echo "mailx prints: $(mailx_tshark -r "$CAP" "${LIMITS[@]}" -T fields "${MAILX_E[@]}" -E aggregator=$'\x01' 2>/dev/null | per_frame)"
echo "the other fields print: $(mailx_tshark -r "$CAP" "${LIMITS[@]}" --disable-protocol mailx -T fields "${OTHER_E[@]}" -E aggregator=$'\x01' 2>/dev/null | per_frame)"

# a failed run stops the script (set -e: the assignments fail)
for r in $(seq "$ROUNDS"); do
    t=$(cpu --disable-protocol mailx -T fields "${MAILX_E[@]}")
    echo "floor $t"
    t=$(cpu --disable-protocol mailx -T fields "${MAILX_E[@]}" "${OTHER_E[@]}")
    echo "floor+other $t"
    t=$(cpu -T fields "${MAILX_E[@]}")
    echo "mailx $t"
    echo "round $r of $ROUNDS done" >&2
done > "$tmp/runs"
python3 - "$tmp/runs" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, t = line.split()
    u, s = t.split("+")
    runs.setdefault(name, []).append(float(u) + float(s))
floor = runs["floor"]
print("%-12s %8s %8s %s" % ("run", "median s", "ratio", "CPU user+sys of each round"))
for name, v in runs.items():
    print("%-12s %8.3f %8.3f %s" % (name, statistics.median(v), statistics.median(v) / statistics.median(floor),
                                   " ".join("%.2f" % x for x in v)))
EOF
