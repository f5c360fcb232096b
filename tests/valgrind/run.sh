#!/usr/bin/env bash
# Valgrind memcheck of tshark with the mailx plugin (the normal build) over
# every sample capture, both passes (-2 -V): no invalid read or write, no use
# of uninitialised memory and no definite leak may be reported. Wireshark's own
# noise is suppressed by tests/valgrind/wireshark.supp and nothing else.
#
#   tests/valgrind/run.sh [capture...]   MAILX_VALGRIND_JOBS=2 runs in parallel
#   tests/valgrind/run.sh --noise CAPTURE   memcheck with mailx disabled and
#                                           --gen-suppressions=all (to update the file)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
jobs=${MAILX_VALGRIND_JOBS:-2}
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "valgrind: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d /tmp/mailx-valgrind.XXXXXX)
chmod 755 "$work"
cp "$here/wireshark.supp" "$work/" && chmod 644 "$work/wireshark.supp"
trap 'mailx_tshark_teardown; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM   # so that the EXIT trap cleans up
vg="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --num-callers=40 --suppressions=$work/wireshark.supp"

if [ "${1:-}" = --noise ]; then
    MAILX_TSHARK_WRAPPER="$vg --gen-suppressions=all" mailx_tshark -n -r "$2" -2 -V --disable-protocol mailx > /dev/null
    exit
fi

captures=("$@")
if [ ${#captures[@]} -eq 0 ]; then
    shopt -s nullglob
    captures=("$top"/sample-pcaps/*.pcap "$top"/sample-pcaps/*.pcapng)
fi
export MAILX_TSHARK_WRAPPER=$vg

one() {  # one CAPTURE: writes $work/<name>.rc and .log
    local name
    name=$(basename "$1"); name=${name%.*}
    mailx_tshark -n -r "$1" -2 -V > /dev/null 2> "$work/$name.log"
    echo $? > "$work/$name.rc"
}
start=$(date +%s)
running=0
for cap in "${captures[@]}"; do
    one "$cap" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

passed=0 failed=0
for cap in "${captures[@]}"; do
    name=$(basename "$cap"); name=${name%.*}
    rc=$(cat "$work/$name.rc" 2>/dev/null || echo missing)
    summary=$(grep -m1 'ERROR SUMMARY' "$work/$name.log" | sed 's/^==[0-9]*== //')
    if [ "$rc" = 0 ]; then
        echo "ok - valgrind/$name: $summary"
        passed=$((passed + 1))
    else
        echo "not ok - valgrind/$name (tshark exit $rc): $summary"
        # each reported record, its first frames
        awk '/^==[0-9]+== (Invalid|Conditional|Use of|Syscall|Mismatched)|definitely lost in loss record/ { p = 14 }
             p > 0 { print "    " $0; p-- }' "$work/$name.log" | head -60
        [ "$rc" != 99 ] && tail -n 5 "$work/$name.log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "  ${#captures[@]} captures in $(( $(date +%s) - start )) s"
echo "valgrind: $passed passed, $failed failed"
[ $failed = 0 ]
