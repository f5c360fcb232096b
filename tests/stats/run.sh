#!/usr/bin/env bash
# The statistics agree with the fields: for every sample capture, the totals of
# tshark -z mailx,replies / mailx,auth / mailx,sessions equal what the mailx.*
# fields and expert items of the same capture count (tests/stats/check_stats.py),
# and the SMTP/POP3/IMAP reply counts equal the reply lines the independent pcap
# oracle reads in clear text. Also: the statistics are registered for tshark -z
# and for the GUI (stats_tree), and a bad filter is reported, not ignored.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "stats: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
pcapdir=${MAILX_SAMPLE_PCAPS:-$top/sample-pcaps}
passed=0 failed=0
tally() {  # count the ok / not ok lines of a checker's output
    while IFS= read -r l; do
        echo "$l"
        case "$l" in ok*) passed=$((passed + 1)) ;; "not ok"*) failed=$((failed + 1)) ;; esac
    done
}
check() {
    local name=$1; shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1))
    else echo "not ok - $name"; failed=$((failed + 1)); fi
}

zlist=$(mailx_tshark -z help 2>&1)
for z in mailx,replies mailx,auth mailx,sessions mailx_replies,tree mailx_auth,tree mailx_sessions,tree; do
    check "tshark -z $z is registered" grep -qx "  *$z" <<<"$zlist"
done
check "a bad filter in -z mailx,sessions is an error" \
    bash -c '! { . "$1"; mailx_tshark -r "$2" -q -z "mailx,sessions,csv,no.such.field" >/dev/null 2>&1; }' _ \
    "$top/tests/lib/tshark.sh" "$(ls "$pcapdir"/*.pcap 2>/dev/null | head -n 1 || echo /dev/null)"

shopt -s nullglob
n=0
for pcap in "$pcapdir"/*.pcap; do
    n=$((n + 1))
    d="$MAILX_TEST_HOME/$(basename "$pcap" .pcap)"
    mkdir -p "$d"
    targs=()
    [ -f "${pcap%.pcap}.keys" ] && targs=(-o "tls.keylog_file:${pcap%.pcap}.keys")
    # one run for all four tables; they come out in reverse order of the -z options
    mailx_tshark "${targs[@]}" -r "$pcap" -2 -q -z mailx,replies,csv -z mailx,auth,csv \
        -z mailx,sessions,csv -z mailx,sessions,json > "$d/all" 2>"$d/err"
    awk -v d="$d" '
        /^\[/ && !j { f = d "/sessions.json"; j = 1 }
        /^session,proto,/ { f = d "/sessions.csv" }
        /^"level",/ { t++; f = d (t == 1 ? "/auth.csv" : "/replies.csv") }
        { print > f }' "$d/all"
    mailx_tshark "${targs[@]}" -r "$pcap" -2 -Y mailx -T fields -E occurrence=a -E 'aggregator=|' \
        -e frame.number -e mailx.session -e _ws.expert.message -e mailx.smtp.data.size \
        -e mailx.smtp.command -e mailx.smtp.class -e mailx.smtp.code \
        -e mailx.session.proto -e mailx.pop.indicator -e mailx.pop.code -e mailx.imap.status \
        -e mailx.imap.code -e mailx.auth.result -e mailx.auth.mechanism -e mailx.msg.size \
        -e mailx.session.user -e mailx.session.auth -e mailx.tls -e mailx.tls.decrypted 2>>"$d/err" |
        awk -F'\t' -v OFS='\t' '{ for (i = 4; i <= 19; i++) gsub(/\|/, ",", $i); print }' > "$d/fields.tsv"
    if [ -s "$d/err" ]; then
        echo "not ok - $(basename "$pcap"): tshark reported:"; sed 's/^/    /' "$d/err" | head -5
        failed=$((failed + 1))
        continue
    fi
    tally < <(python3 "$top/tests/stats/check_stats.py" "$d" "$pcap" 2>&1 ||
              echo "not ok - $(basename "$pcap"): check_stats.py failed")
    # in one pass too (taps run after Wireshark marks the frame visited, so a tap
    # must not take PINFO_FD_VISITED for "a later pass": logins would count twice)
    if grep -q ',"Logins by server",[1-9]' "$d/auth.csv"; then
        one=$(mailx_tshark "${targs[@]}" -r "$pcap" -q -z mailx,auth,csv 2>/dev/null |
              awk -F, '$3 == "\"Logins by server\"" { print $4 }')
        want=$(mailx_tshark "${targs[@]}" -r "$pcap" -Y mailx.auth.result -T fields -E occurrence=a \
               -E aggregator=, -e mailx.auth.result 2>/dev/null | tr ',' '\n' | grep -c .)
        check "$(basename "$pcap"): one pass: mailx,auth total $one == mailx.auth.result occurrences $want" \
            test "$one" = "$want"
    fi
done
[ $n = 0 ] && { echo "not ok - no sample captures in $pcapdir"; failed=$((failed + 1)); }
echo "stats: $passed passed, $failed failed"
[ $failed = 0 ]
