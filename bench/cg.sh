#!/bin/bash
# Instructions mailx adds per frame, noise-free: the same tshark command run
# under callgrind twice, with mailx disabled (the floor) and enabled, both with
# a constant hash seed (bench/fixed_random.c). Not a test; for before/after
# figures in commit messages and docs/performance.md.
#
# usage: bench/cg.sh BUILD_DIR [tshark args...]
#   default args: -r bench/out/mail-4mb.pcap -Y 'mailx.smtp.class == 4 || mailx.auth.failed'
#   (make the capture with bench/run.sh --only-callgrind, or python3 bench/gen.py)
# prints: floor and mailx totals, frames, added instructions per frame; then
# the same without tshark's start-up (registering every dissector, ~860 M
# instructions on 4.0, a third of the floor's count on mail-4mb), counted by
# running the floor on the capture's first frame alone: the ratio of the
# per-frame counts is the one comparable with CPU-time ratios on large captures
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { sed -n '2,10p' "$0"; exit 2; }
build=$(readlink -f "$1"); shift
[ $# -gt 0 ] || set -- -r "$here/bench/out/mail-4mb.pcap" -Y 'mailx.smtp.class == 4 || mailx.auth.failed'
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 2; }
d=$(mktemp -d /tmp/mailx-cg.XXXXXX); chmod 755 "$d"
trap 'rm -rf "$d"' EXIT
cc -O2 -shared -fPIC -o "$d/fixed_random.so" "$here/bench/fixed_random.c"; chmod 755 "$d/fixed_random.so"
. "$here/tests/lib/tshark.sh"
export MAILX_BUILD=$build
mailx_tshark_setup
count() {   # count NAME ARGS... -> total instructions
    local out=$d/$1.out; shift
    touch "$out"; chmod 666 "$out"      # tshark runs as nobody (tests/lib/tshark.sh)
    LD_PRELOAD=$d/fixed_random.so MAILX_TSHARK_WRAPPER="valgrind --tool=callgrind --callgrind-out-file=$out" \
        mailx_tshark "$@" > /dev/null 2> "$d/err"
    grep -o 'refs: *[0-9,]*' "$d/err" | tr -dc 0-9
}
floor=$(count floor "$@" --disable-protocol mailx)
mailx=$(count mailx "$@")
# the capture, and the same arguments with its first frame alone in its place
cap=; prev=; first_args=()
for a in "$@"; do
    if [ "$prev" = -r ]; then cap=$a; first_args+=("$d/first.pcap"); else first_args+=("$a"); fi
    prev=$a
done
frames=$(capinfos -Mc "$cap" 2>/dev/null | awk '/Number of packets/ {print $NF}')
frames=${frames:-0}
# the same command on the first frame alone: tshark's start-up and one frame
first=
if [ -n "$cap" ] && [ "$frames" -gt 1 ] && editcap -r "$cap" "$d/first.pcap" 1 2>/dev/null; then
    chmod 644 "$d/first.pcap"
    first=$(count first "${first_args[@]}" --disable-protocol mailx)
fi
mailx_tshark_teardown 2>/dev/null || true
echo "floor $floor  mailx $mailx  frames $frames  added per frame $(( (mailx - floor) / (frames > 0 ? frames : 1) ))"
if [ -n "$first" ]; then
    awk -v f="$floor" -v m="$mailx" -v s="$first" -v n="$frames" 'BEGIN {
        pf = (f - s) / (n - 1)
        printf "start-up %d  floor per frame without it %.0f  added per frame %.0f  ratio %.4f\n",
               s, pf, (m - f) / (n - 1), (m - s) / (f - s) }'
fi
