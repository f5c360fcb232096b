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
#   MAILX_HOSTILE_ITER=200 MAILX_HOSTILE_PROB=0.02 tests/hostile/run.sh [capture...]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
iter=${MAILX_HOSTILE_ITER:-2}
prob=${MAILX_HOSTILE_PROB:-0.02}
. "$top/tests/lib/asan.sh"
. "$top/tests/lib/tshark.sh"
mailx_asan_build || { echo "hostile: 0 passed, 1 failed"; exit 1; }
MAILX_BUILD=$MAILX_ASAN_BUILD mailx_tshark_setup || { echo "hostile: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d /tmp/mailx-hostile.XXXXXX)
chmod 755 "$work"
trap 'mailx_tshark_teardown; rm -rf "$work"' EXIT
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

# run NAME FILE: both reads; a failure keeps FILE and says how to reproduce it
run() {
    local name=$1 file=$2 how bad=""
    for how in verbose fields; do
        if [ $how = verbose ]; then
            mailx_tshark -n -r "$file" -2 -V > /dev/null 2> "$work/err"
        else
            mailx_tshark -n -r "$file" -2 -T fields -E occurrence=a "${field_args[@]}" "${stat_args[@]}" \
                > /dev/null 2> "$work/err"
        fi
        local rc=$?
        if [ $rc != 0 ] || grep -qE 'AddressSanitizer|runtime error|Dissector bug|failed assertion|LeakSanitizer' "$work/err"; then
            bad="$bad $how(rc=$rc)"
            grep -E 'ERROR|SUMMARY|runtime error|Dissector bug|failed assertion|^    #[0-9] ' "$work/err" | head -12 | sed 's/^/    /'
            [ -s "$work/err" ] && ! grep -qE 'ERROR|runtime error' "$work/err" && head -5 "$work/err" | sed 's/^/    /'
        fi
    done
    if [ -z "$bad" ]; then
        passed=$((passed + 1))
    else
        mkdir -p "$keep"
        cp "$file" "$keep/$(basename "$file")"
        echo "not ok - hostile/$name:$bad (kept tests/out/hostile/$(basename "$file"))"
        failed=$((failed + 1))
    fi
}

# Never invent: in a capture cut by the snap length (frame numbers unchanged),
# every reply mailx still pairs with a command is paired the same way in the
# whole capture, and the cut is announced (mailx.smtp.capture.truncated).
pairs() {  # pairs FILE: "frame request_in" per paired SMTP reply line
    mailx_tshark -n -r "$1" -2 -Y mailx.smtp.request_in -T fields -E occurrence=a -E aggregator=';' \
        -e frame.number -e mailx.smtp.request_in 2>/dev/null |
        awk -F'\t' '{ n = split($2, r, ";"); for (i = 1; i <= n; i++) print $1, r[i] }' | sort -u
}
for cap in "${captures[@]}"; do
    base=$(basename "$cap"); base=${base%.*}
    case $base in smtp-*|submission-*) ;; *) continue ;; esac
    pairs "$cap" > "$work/pairs.full"
    f0=$failed
    for s in 100 200; do
        editcap -F pcap -s $s "$cap" "$work/cut.pcap" > /dev/null 2>&1 && chmod 644 "$work/cut.pcap" || continue
        pairs "$work/cut.pcap" > "$work/pairs.cut"
        invented=$(comm -13 "$work/pairs.full" "$work/pairs.cut" | wc -l)
        cut=$(mailx_tshark -n -r "$work/cut.pcap" -Y 'smtp && frame.cap_len < frame.len' -T fields -e frame.number 2>/dev/null | wc -l)
        said=$(mailx_tshark -n -r "$work/cut.pcap" -2 -Y '_ws.expert.message contains "not captured (snap length)"' -T fields -e frame.number 2>/dev/null | wc -l)
        if [ "$invented" = 0 ] && { [ "$cut" = 0 ] || [ "$said" -gt 0 ]; }; then
            passed=$((passed + 1))
        else
            echo "not ok - hostile/$base -s $s: $invented invented pairings, $cut cut SMTP frames, $said announced"
            comm -13 "$work/pairs.full" "$work/pairs.cut" | head -5 | sed 's/^/    frame request_in: /'
            failed=$((failed + 1))
        fi
    done
    [ $failed = $f0 ] && echo "ok - hostile/$base: cut at 100 and 200 bytes, nothing paired that the whole capture does not pair, the cut announced"
done

start=$(date +%s)
for cap in "${captures[@]}"; do
    base=$(basename "$cap"); base=${base%.*}
    n0=$passed f0=$failed
    for s in 64 200; do
        editcap -s $s "$cap" "$work/$base-s$s.pcap" > /dev/null 2>&1 && chmod 644 "$work/$base-s$s.pcap" &&
            run "$base -s $s" "$work/$base-s$s.pcap"
    done
    for ((i = 1; i <= iter; i++)); do
        f="$work/$base-E$prob-seed$i.pcap"
        editcap -E "$prob" --seed "$i" "$cap" "$f" > /dev/null 2>&1 && chmod 644 "$f" &&
            run "$base editcap -E $prob --seed $i" "$f"
        rm -f "$f"
    done
    [ $failed = $f0 ] && echo "ok - hostile/$base: truncated at 64 and 200, $iter corruptions ($((passed - n0)) files)"
done
echo "  $((passed + failed)) files in $(( $(date +%s) - start )) s"
echo "hostile: $passed passed, $failed failed"
[ $failed = 0 ]
