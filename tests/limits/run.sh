#!/usr/bin/env bash
# Bounded memory and nothing lost on hostile sessions. tools/hostile/gen_hostile.py
# writes the captures into a temporary folder (never into git): a 100,000-line
# multi-line reply, 1,000,000 pipelined RCPT, 100,000 concurrent sessions and a
# 50 MB header line, scaled by MAILX_LIMITS_SCALE (CI: 0.02; the full sizes are
# MAILX_LIMITS_SCALE=1). For each capture:
#   - every server reply line the independent oracle (tests/tools/pcap_oracle.py)
#     finds is reported once by mailx.smtp.code, in the same frame;
#   - peak memory (/usr/bin/time -v) with mailx minus without mailx stays under
#     MAILX_LIMITS_BASE_MB plus MAILX_LIMITS_PER_LINE bytes per reply line shown;
#   - each "mailx limit reached" expert message is raised once per session, not
#     once per frame (a limit is announced, not repeated and not silent);
#   - the rcpt capture (more pipelined commands than mailx remembers) must raise it.
#
#   MAILX_LIMITS_SCALE=1 tests/limits/run.sh [scenario...]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
scale=${MAILX_LIMITS_SCALE:-0.02}
base_mb=${MAILX_LIMITS_BASE_MB:-24}
per_line=${MAILX_LIMITS_PER_LINE:-2048}
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "limits: 0 passed, 1 failed"; exit 1; }
work=$(mktemp -d /tmp/mailx-limits.XXXXXX)
chmod 777 "$work"
trap 'mailx_tshark_teardown; rm -rf "$work"' EXIT
trap 'exit 1' INT TERM   # so that the EXIT trap cleans up
passed=0 failed=0
ok()   { echo "ok - limits/$1"; passed=$((passed + 1)); }
fail() { echo "not ok - limits/$1"; failed=$((failed + 1)); }

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=(multiline rcpt sessions header)
python3 "$top/tools/hostile/gen_hostile.py" --scale "$scale" "$work" "${scenarios[@]}" | sed 's/^/  /' \
    || { echo "limits: 0 passed, 1 failed"; exit 1; }
chmod 644 "$work"/*.pcap

# peak RSS in KiB of one tshark run (stdout to $2)
peak() {  # peak OUT ARGS...
    local out=$1; shift
    MAILX_TSHARK_WRAPPER="/usr/bin/time -v -o $work/time" mailx_tshark "$@" > "$out" 2> "$work/err"
    local rc=$?
    [ $rc = 0 ] || { echo "    tshark exit $rc:"; tail -n 5 "$work/err" | sed 's/^/    /'; }
    awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time"
}

printf '  %-10s %9s %12s %12s %10s %8s\n' capture replies "rss base KiB" "rss mailx" "extra KiB" "B/line"
for s in "${scenarios[@]}"; do
    f="$work/hostile-$s.pcap"
    python3 "$top/tests/tools/pcap_oracle.py" smtp-replies "$f" | sort -n -k1,1 -k2,2 > "$work/oracle"
    want=$(wc -l < "$work/oracle")
    fields=(-n -r "$f" -2 -T fields -E occurrence=a -E aggregator=';' -e frame.number -e mailx.smtp.code
            -e mailx.session -e _ws.expert.message)
    base=$(peak "$work/base.out" "${fields[@]}" --disable-protocol mailx)
    with=$(peak "$work/mailx.out" "${fields[@]}")
    extra=$(( with - base ))
    [ "$want" -gt 0 ] && per=$(( extra * 1024 / want )) || per=0
    printf '  %-10s %9s %12s %12s %10s %8s\n' "$s" "$want" "$base" "$with" "$extra" "$per"

    awk -F'\t' '{ n = split($2, k, ";"); for (i = 1; i <= n; i++) if (k[i] != "") print $1, k[i] }' \
        "$work/mailx.out" | sort -n -k1,1 -k2,2 > "$work/got"
    if cmp -s "$work/oracle" "$work/got"; then
        ok "$s: every reply line reported once ($want)"
    else
        fail "$s: reply lines differ from the oracle (- oracle, + mailx)"
        diff "$work/oracle" "$work/got" | head -n 10 | sed 's/^/    /'
    fi

    budget=$(( base_mb * 1024 + want * per_line / 1024 ))
    if [ "$extra" -le "$budget" ]; then
        ok "$s: extra memory $extra KiB <= $budget KiB"
    else
        fail "$s: extra memory $extra KiB > $budget KiB (${base_mb} MiB + ${per_line} B per reply line)"
    fi

    # limit messages: the text with its numbers blanked names the limit; per session, once
    awk -F'\t' '{ n = split($4, m, ";"); for (i = 1; i <= n; i++) if (m[i] ~ /^mailx limit reached/) {
                    k = m[i]; gsub(/[0-9]+/, "N", k); print $3 "\t" k } }' "$work/mailx.out" |
        sort | uniq -c | sort -rn > "$work/limits"
    repeated=$(awk '$1 > 1' "$work/limits" | wc -l)
    if [ "$repeated" = 0 ]; then
        ok "$s: each limit announced once per session ($(wc -l < "$work/limits") announcements)"
    else
        fail "$s: a limit announced more than once in a session"
        head -n 5 "$work/limits" | sed 's/^/    /'
    fi
    if [ "$s" = rcpt ] && [ "$want" -gt 300 ]; then
        if grep -q 'SMTP commands waiting' "$work/limits"; then
            ok "$s: the pipelining limit is announced"
        else
            fail "$s: more than 256 pipelined commands but no limit expert item"
        fi
    fi
done
echo "limits: $passed passed, $failed failed"
[ $failed = 0 ]
