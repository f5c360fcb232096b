#!/usr/bin/env bash
# The main job in one command: install what is missing, build mailx, load it
# into tshark from the build tree (never touching your own Wireshark setup) and
# analyse a bundled capture of real Postfix traffic.
#   tools/demo.sh [capture.pcap]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash tools/install-deps.sh
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
[ -f "$MAILX_BUILD/build.ninja" ] || meson setup "$MAILX_BUILD" >/dev/null
ninja -C "$MAILX_BUILD" >/dev/null
. tests/lib/tshark.sh
mailx_tshark_setup
trap mailx_tshark_teardown EXIT

pcap=${1:-sample-pcaps/smtp-pipelining-mixed.pcap}
# tshark runs as nobody when we are root: give it a readable copy
cp "$pcap" "$MAILX_TEST_HOME/capture.pcap" && chmod a+r "$MAILX_TEST_HOME/capture.pcap"
cap="$MAILX_TEST_HOME/capture.pcap"

echo "== plugin loaded:"
mailx_tshark -G plugins | grep mailx
echo
echo "== SMTP failures in $pcap, by class (4 = transient, 5 = permanent):"
mailx_tshark -r "$cap" -2 -Y 'mailx.smtp.class >= 4' -T fields -E header=y \
    -e frame.number -e ip.src -e mailx.smtp.class -e mailx.smtp.code -e mailx.smtp.status \
    -e mailx.smtp.status.text -e mailx.smtp.command -e mailx.smtp.request_in -e mailx.smtp.time
echo
echo "== every reply, paired with its command (tshark -2 -T fields):"
mailx_tshark -r "$cap" -2 -Y 'mailx.smtp.code' -T fields -E header=y -E occurrence=a -E aggregator='|' \
    -e frame.number -e mailx.session -e mailx.smtp.code -e mailx.smtp.status -e mailx.smtp.command \
    -e mailx.smtp.request_in -e mailx.smtp.data.size
echo
echo "== expert information:"
mailx_tshark -r "$cap" -2 -q -z expert,note | sed -n '/Errors\|Warns\|Notes/,$p'
