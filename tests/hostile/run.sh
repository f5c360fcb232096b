#!/usr/bin/env bash
# Corrupted and truncated captures, Wireshark's way, under the ASan/UBSan build
# (tests/lib/asan.sh) with WIRESHARK_ABORT_ON_DISSECTOR_BUG=1:
#   - `editcap -E P --seed S` byte corruption of every sample capture,
#     MAILX_HOSTILE_ITER times each (seeds 1..N, so a failure is reproducible);
#   - `editcap -s 64` and `-s 200` truncation of every sample capture;
# each file is read with `tshark -2 -V` and with every mailx field
# (-T fields, all occurrences) plus every mailx statistic (-z mailx,...).
# Zero crashes, zero sanitizer reports, zero dissector bugs. A failing file is
# kept under tests/out/hostile/ with the command that fails on it.
#
# Also, for SMTP, POP3 and IMAP captures cut at 100 and 200 bytes, and without
# their third reply frame (a lost segment): nothing is paired that the whole
# capture does not pair, and the gap is announced (never invent).
# Captures run MAILX_HOSTILE_JOBS (2) at a time; each check is one "ok" here.
#
#   MAILX_HOSTILE_ITER=200 MAILX_HOSTILE_PROB=0.02 tests/hostile/run.sh [capture...]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
iter=${MAILX_HOSTILE_ITER:-1}
prob=${MAILX_HOSTILE_PROB:-0.02}
jobs=${MAILX_HOSTILE_JOBS:-2}
. "$top/tests/lib/asan.sh"
. "$top/tests/lib/tshark.sh"
mailx_asan_build || { echo "hostile: 0 passed, 1 failed"; exit 1; }
MAILX_BUILD=$MAILX_ASAN_BUILD mailx_tshark_setup || { echo "hostile: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d /tmp/mailx-hostile.XXXXXX)
chmod 755 "$work"
trap 'mailx_tshark_teardown; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM   # so that the EXIT trap cleans up
passed=0 failed=0
keep="$top/tests/out/hostile"

captures=("$@")
if [ ${#captures[@]} -eq 0 ]; then
    shopt -s nullglob
    captures=("$top"/sample-pcaps/*.pcap "$top"/sample-pcaps/*.pcapng)
fi
[ ${#captures[@]} -gt 0 ] || { echo "no sample captures"; echo "hostile: 0 passed, 1 failed"; exit 1; }

# every mailx field and statistic the plugin registers, so the list follows the plugin
mapfile -t fields < <(mailx_tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" && $3 ~ /^mailx\./ { print $3 }')
field_args=()
for f in "${fields[@]}"; do field_args+=(-e "$f"); done
mapfile -t stats < <(mailx_tshark -z help 2>&1 | awk '$1 ~ /^mailx(,|$)/ { print $1 }')
stat_args=()
for s in "${stats[@]}"; do stat_args+=(-z "$s"); done
echo "  ${#fields[@]} mailx fields, statistics: ${stats[*]:-none}"

# The checks print "PASS" / "FAIL ..." lines into one result file per capture,
# so that captures can run in parallel.
# run NAME FILE ERR: both reads; a failure keeps FILE and says how to reproduce it
run() {
    local name=$1 file=$2 err=$3 how bad=""
    for how in verbose fields; do
        if [ $how = verbose ]; then
            mailx_tshark -n -r "$file" -2 -V > /dev/null 2> "$err"
        else
            mailx_tshark -n -r "$file" -2 -T fields -E occurrence=a "${field_args[@]}" "${stat_args[@]}" \
                > /dev/null 2> "$err"
        fi
        local rc=$?
        if [ $rc != 0 ] || grep -qE 'AddressSanitizer|runtime error|Dissector bug|failed assertion|LeakSanitizer' "$err"; then
            bad="$bad $how(rc=$rc)"
            grep -E 'ERROR|SUMMARY|runtime error|Dissector bug|failed assertion|^    #[0-9] ' "$err" | head -12 | sed 's/^/    /'
            [ -s "$err" ] && ! grep -qE 'ERROR|runtime error' "$err" && head -5 "$err" | sed 's/^/    /'
        fi
    done
    if [ -z "$bad" ]; then
        echo PASS
    else
        mkdir -p "$keep"
        cp "$file" "$keep/$(basename "$file")"
        echo "FAIL not ok - hostile/$name:$bad (kept tests/out/hostile/$(basename "$file"))"
    fi
}

# Never invent: in a capture cut by the snap length (frame numbers unchanged),
# every reply mailx still pairs with a command is paired the same way in the
# whole capture, and the cut is announced (mailx.<proto>.capture.truncated).
# P is the protocol: smtp, pop or imap (its mailx.P.request_in and Wireshark's
# P.response mark the replies).
pairs() {  # pairs FILE P: "frame request_in" per paired reply line
    mailx_tshark -n -r "$1" -2 -Y "mailx.$2.request_in" -T fields -E occurrence=a -E aggregator=';' \
        -e frame.number -e "mailx.$2.request_in" 2>/dev/null |
        awk -F'\t' '{ n = split($2, r, ";"); for (i = 1; i <= n; i++) print $1, r[i] }' | sort -u
}
never_invent() {  # never_invent CAPTURE BASE DIR P
    local cap=$1 base=$2 d=$3 p=$4 s
    pairs "$cap" "$p" > "$d/pairs.full"
    for s in 100 200; do
        editcap -F pcap -s $s "$cap" "$d/cut.pcap" > /dev/null 2>&1 && chmod 644 "$d/cut.pcap" || continue
        pairs "$d/cut.pcap" "$p" > "$d/pairs.cut"
        local invented cut said
        invented=$(comm -13 "$d/pairs.full" "$d/pairs.cut" | wc -l)
        cut=$(mailx_tshark -n -r "$d/cut.pcap" -Y "$p && frame.cap_len < frame.len" -T fields -e frame.number 2>/dev/null | wc -l)
        said=$(mailx_tshark -n -r "$d/cut.pcap" -2 \
               -Y "mailx.$p.capture.truncated && _ws.expert.message contains \"not captured (snap length)\"" \
               -T fields -e frame.number 2>/dev/null | wc -l)
        if [ "$invented" = 0 ] && { [ "$cut" = 0 ] || [ "$said" -gt 0 ]; }; then
            echo PASS
        else
            echo "FAIL not ok - hostile/$base -s $s: $invented invented pairings, $cut cut $p frames, $said announced"
            comm -13 "$d/pairs.full" "$d/pairs.cut" | head -5 | sed 's/^/    frame request_in: /'
        fi
    done
    # a server reply segment the capture missed: Wireshark flags the next one
    # (tcp.analysis.lost_segment); frames after the removed one shift down by one
    local k
    k=$(mailx_tshark -n -r "$cap" -Y "$p.response" -T fields -e frame.number 2>/dev/null | sed -n 3p)
    [ -n "$k" ] || return 0
    editcap -F pcap "$cap" "$d/del.pcap" "$k" > /dev/null 2>&1 && chmod 644 "$d/del.pcap" || return 0
    pairs "$d/del.pcap" "$p" | awk -v k="$k" '{ print ($1 >= k ? $1 + 1 : $1), ($2 >= k ? $2 + 1 : $2) }' |
        sort -u > "$d/pairs.cut"
    local invented said
    invented=$(comm -13 "$d/pairs.full" "$d/pairs.cut" | wc -l)
    said=$(mailx_tshark -n -r "$d/del.pcap" -2 \
           -Y "mailx.$p.capture.truncated && _ws.expert.message contains \"not captured (lost segment)\"" \
           -T fields -e frame.number 2>/dev/null | wc -l)
    if [ "$invented" = 0 ] && [ "$said" -gt 0 ]; then
        echo PASS
    else
        echo "FAIL not ok - hostile/$base without frame $k: $invented invented pairings, $said announced"
        comm -13 "$d/pairs.full" "$d/pairs.cut" | head -5 | sed 's/^/    frame request_in: /'
    fi
}

one_capture() {  # one_capture CAPTURE: all checks of one capture
    local cap=$1 base d s i f
    base=$(basename "$cap"); base=${base%.*}
    d="$work/$base"
    mkdir -p "$d" && chmod 755 "$d"
    case $base in
        smtp-*|submission-*) never_invent "$cap" "$base" "$d" smtp ;;
        pop3-*) never_invent "$cap" "$base" "$d" pop ;;
        imap-*) never_invent "$cap" "$base" "$d" imap ;;
    esac
    for s in 64 200; do
        editcap -s $s "$cap" "$d/s$s.pcap" > /dev/null 2>&1 && chmod 644 "$d/s$s.pcap" &&
            run "$base -s $s" "$d/s$s.pcap" "$d/err"
        rm -f "$d/s$s.pcap"
    done
    for ((i = 1; i <= iter; i++)); do
        f="$d/$base-E$prob-seed$i.pcap"
        editcap -E "$prob" --seed "$i" "$cap" "$f" > /dev/null 2>&1 && chmod 644 "$f" &&
            run "$base editcap -E $prob --seed $i" "$f" "$d/err"
        rm -f "$f"
    done
}

start=$(date +%s)
running=0
for cap in "${captures[@]}"; do
    base=$(basename "$cap"); base=${base%.*}
    one_capture "$cap" > "$work/result.$base" 2>&1 &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
passed=0 failed=0
for cap in "${captures[@]}"; do
    base=$(basename "$cap"); base=${base%.*}
    r="$work/result.$base"
    p=$(grep -c '^PASS' "$r") f=$(grep -c '^FAIL' "$r")
    passed=$((passed + p)) failed=$((failed + f))
    if [ "$f" = 0 ]; then
        echo "ok - hostile/$base: $p checks (cut at 64/100/200 bytes, a lost segment, $iter corruptions)"
    else
        grep -v '^PASS' "$r" | sed 's/^FAIL //'
    fi
done
echo "  $((passed + failed)) checks over ${#captures[@]} captures in $(( $(date +%s) - start )) s"
echo "hostile: $passed passed, $failed failed"
[ $failed = 0 ]
