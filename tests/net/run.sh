#!/usr/bin/env bash
# Connection outcomes are reported once and only once: for every capture in
# sample-pcaps/, the refused / no-answer attempts found by the independent
# pcap reader (tests/tools/pcap_oracle.py conn-attempts) must equal, frame for
# frame, the frames carrying mailx.conn.result and the matching expert item
# (second pass); tshark's own tcp fields give a third count of refusals; and
# the burst/storm captures raise their expert items exactly once.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "net: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
cd "$top" || exit 1
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
bad() { echo "not ok - $1"; failed=$((failed + 1)); }
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got [$2] want [$3]"; fi; }
frames() { mailx_tshark -r "$1" -2 -Y "$2" -T fields -e frame.number 2>/dev/null | tr '\n' ' '; }

shopt -s nullglob
pcaps=(sample-pcaps/*.pcap)
[ ${#pcaps[@]} -gt 0 ] || { bad "no captures"; echo "net: $passed passed, $failed failed"; exit 1; }
total=0
for f in "${pcaps[@]}"; do
    name=$(basename "$f" .pcap)
    oracle=$(python3 tests/tools/pcap_oracle.py conn-attempts "$f")
    # one second-pass run per capture: the deciding frames and their expert messages
    got=$(mailx_tshark -r "$f" -2 -Y 'mailx.conn.result == "refused" || mailx.conn.result == "no-answer" || mailx.conn.refused || mailx.conn.no_answer' \
          -T fields -e frame.number -e mailx.conn.result -e _ws.expert.message 2>/dev/null)
    for outcome in refused no-answer; do
        want=$(printf '%s\n' "$oracle" | awk -v o="$outcome" '$2 == o { printf "%s ", $1 }')
        total=$((total + $(printf '%s' "$want" | wc -w)))
        check "$name: mailx.conn.result == $outcome on exactly the oracle's frames" \
            "$(printf '%s\n' "$got" | awk -F'\t' -v o="$outcome" '$2 == o { printf "%s ", $1 }')" "$want"
        text="connection refused by"; [ $outcome = no-answer ] && text="got no answer"
        check "$name: one expert item per $outcome attempt" \
            "$(printf '%s\n' "$got" | awk -F'\t' -v t="$text" 'index($3, t) { printf "%s ", $1 }')" "$want"
    done
    # tshark's own view: an RST answering a SYN (relative seq and ack 1, no data)
    # in a stream that never saw a SYN/ACK
    n_own=$(mailx_tshark -r "$f" -Y 'tcp.flags.reset == 1 || (tcp.flags.syn == 1 && tcp.flags.ack == 1)' \
            -T fields -e tcp.stream -e tcp.flags.syn -e tcp.seq -e tcp.ack -e tcp.len 2>/dev/null |
            awk -F'\t' '$2 == 1 || $2 == "True" { sa[$1] = 1; next } $3 == 1 && $4 == 1 && $5 == 0 && !($1 in sa) { r[$1] = 1 }
                     END { n = 0; for (s in r) if (!(s in sa)) n++; print n }')
    check "$name: refusals agree with tshark's tcp fields" \
        "$(printf '%s\n' "$got" | awk -F'\t' '$2 == "refused"' | wc -l)" "$n_own"
done
[ "$total" -ge 5 ] && ok "the captures hold $total failed attempts" || bad "only $total failed attempts in the captures"

# one burst warning for the 40 failures of net-burst, with the whole burst counted
if [ -f sample-pcaps/net-burst.pcap ]; then
    check "net-burst: one burst warning" "$(frames sample-pcaps/net-burst.pcap mailx.server.failures.burst | wc -w)" 1
    fails=$(mailx_tshark -r sample-pcaps/net-burst.pcap -Y 'smtp.response.code == 421 || (smtp.response.code >= 450 && smtp.response.code <= 459)' \
            -T fields -e frame.number 2>/dev/null | wc -l)
    check "net-burst: the burst counts every 421/45x reply" \
        "$(mailx_tshark -r sample-pcaps/net-burst.pcap -2 -Y mailx.burst.failures -T fields -e mailx.burst.failures 2>/dev/null)" "$fails"
    check "net-burst: burst_count 41 raises none" \
        "$(mailx_tshark -r sample-pcaps/net-burst.pcap -o mailx.burst_count:41 -2 -Y mailx.server.failures.burst -T fields -e frame.number 2>/dev/null | wc -l)" 0
fi
# the storm: one note per server and protocol, 60 sessions each, every session closed
if [ -f sample-pcaps/net-storm.pcap ]; then
    f=sample-pcaps/net-storm.pcap
    check "net-storm: one rate note per protocol" "$(frames $f mailx.server.sessions.storm | wc -w)" 2
    check "net-storm: concurrency note at 50 per protocol" \
        "$(mailx_tshark -r $f -o mailx.storm_concurrent:50 -2 -Y mailx.server.sessions.concurrent -T fields -e mailx.storm.concurrent 2>/dev/null | tr '\n' ' ')" "50 50 "
    check "net-storm: 120 established, 120 closed" \
        "$(mailx_tshark -r $f -2 -Y mailx.conn.result -T fields -e mailx.conn.result 2>/dev/null | sort | uniq -c | awk '{printf "%s %s ", $1, $2}')" \
        "120 closed 120 established "
    check "net-storm: handshakes by tshark" \
        "$(mailx_tshark -r $f -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' 2>/dev/null | wc -l)" 120
fi
# conn_max bounds memory: with 10, one limit item and only 10 connections tracked
if [ -f sample-pcaps/net-storm.pcap ]; then
    f=sample-pcaps/net-storm.pcap
    check "conn_max: one mailx limit reached item" \
        "$(mailx_tshark -r $f -o mailx.conn_max:10 -2 -Y mailx.conn.limit.reached -T fields -e frame.number 2>/dev/null | wc -l)" 1
    check "conn_max: 10 connections tracked" \
        "$(mailx_tshark -r $f -o mailx.conn_max:10 -2 -Y 'mailx.conn.result == "established"' -T fields -e frame.number 2>/dev/null | wc -l)" 10
fi
# mail or line: the lossy capture blames the mail path, the clean HTTP path has none
if [ -f sample-pcaps/net-lossy.pcap ]; then
    out=$(mailx_tshark -r sample-pcaps/net-lossy.pcap -q -z mailx,tcp 2>/dev/null)
    case $out in *"Verdict: problems concentrate on the mail sessions"*) ok "net-lossy: verdict names the mail sessions";;
                 *) bad "net-lossy: verdict: $(printf '%s\n' "$out" | grep Verdict)";; esac
    check "net-lossy: statistic's mail retransmissions = tshark's own" \
        "$(printf '%s\n' "$out" | awk '$1 == "mail" && $2 == "total" { print $4 }')" \
        "$(mailx_tshark -r sample-pcaps/net-lossy.pcap -Y '(tcp.port == 25) && (tcp.analysis.retransmission || tcp.analysis.spurious_retransmission)' 2>/dev/null | wc -l)"
fi
echo "net: $passed passed, $failed failed"
[ $failed = 0 ]
