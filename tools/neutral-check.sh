#!/bin/bash
# Is a change output-neutral? Runs the same tshark commands with the plugin of
# two builds and compares the outputs byte for byte: -V, -2 -V, -T fields with
# every mailx field, -T ek, -z expert, the five mailx statistics, -z io,phs,
# custom columns, and a few display filters, on every sample capture (with its
# TLS key log when there is one) and on the bench capture.
#
# usage: tools/neutral-check.sh OLD_BUILD NEW_BUILD [PCAP...]
#   default PCAPs: sample-pcaps/*.pcap and bench/out/mail-4mb.pcap (when present)
#   NEUTRAL_QUICK=1: leave out the slow outputs (-V, -2 -V, -T ek) on captures > 1 MB
# Prints one line per difference and "neutral: N runs, M differ"; exits 1 when any differ.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 2 ] || { sed -n '2,12p' "$0"; exit 2; }
old=$(readlink -f "$1"); new=$(readlink -f "$2"); shift 2
if [ $# -eq 0 ]; then
    set -- "$here"/sample-pcaps/*.pcap
    [ -f "$here/bench/out/mail-4mb.pcap" ] && set -- "$@" "$here/bench/out/mail-4mb.pcap"
fi

. "$here/tests/lib/tshark.sh"
work=$(mktemp -d /tmp/neutral.XXXXXX); chmod 755 "$work"
trap 'rm -rf "$work"' EXIT

MAILX_BUILD=$old mailx_tshark_setup || exit 2; home_old=$MAILX_TEST_HOME
MAILX_BUILD=$new mailx_tshark_setup || exit 2; home_new=$MAILX_TEST_HOME
trap 'rm -rf "$work" "$home_old" "$home_new"' EXIT

MAILX_TEST_HOME=$home_new
mapfile -t fields < <(mailx_tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" && $3 ~ /^mailx\./ {print $3}')
[ ${#fields[@]} -gt 0 ] || { echo "no mailx fields from the new build" >&2; exit 2; }
efields=(); for f in "${fields[@]}"; do efields+=(-e "$f"); done

filters=('mailx' 'mailx.smtp.reply' 'mailx.auth' 'mailx.smtp.class == 4 || mailx.auth.failed' '_ws.expert'
         'mailx.session.frames > 3' 'mailx.conn.state' 'smtp || pop || imap'
         'mailx.smtp.class#1 == 4 || mailx.session#2 || mailx.conn.state#1')
cols='gui.column.format:"No.","%m","Sev","%a","Session","%Cus:mailx.session","Class","%Cus:mailx.smtp.class","Auth","%Cus:mailx.auth.result","Conn","%Cus:mailx.conn.state","Expert","%Cus:_ws.expert.severity"'

runs=0; differ=0
run_both() {   # name, tshark args...
    local name=$1; shift
    MAILX_TEST_HOME=$home_old mailx_tshark "$@" > "$work/old" 2> "$work/old.err"
    MAILX_TEST_HOME=$home_new mailx_tshark "$@" > "$work/new" 2> "$work/new.err"
    runs=$((runs + 1))
    if ! cmp -s "$work/old" "$work/new" || ! cmp -s "$work/old.err" "$work/new.err"; then
        differ=$((differ + 1))
        echo "DIFFER: $name ($(diff "$work/old" "$work/new" | grep -c '^[<>]') lines; stderr $(diff "$work/old.err" "$work/new.err" | grep -c '^[<>]'))"
        diff "$work/old" "$work/new" | head -6 | sed 's/^/    /'
    fi
}

for pcap in "$@"; do
    p=$(basename "$pcap")
    r=(-r "$pcap")
    keys=${pcap%.pcap}.keys
    [ -f "$keys" ] && r+=(-o "tls.keylog_file:$keys")
    big=0
    [ "${NEUTRAL_QUICK:-0}" = 1 ] && [ "$(stat -c %s "$pcap")" -gt 1000000 ] && big=1
    if [ $big = 0 ]; then
        run_both "$p -V" "${r[@]}" -V
        run_both "$p -2 -V" "${r[@]}" -2 -V
        run_both "$p -T ek" "${r[@]}" -T ek
    fi
    run_both "$p -T fields" "${r[@]}" -T fields -E header=y -E occurrence=a "${efields[@]}"
    run_both "$p -T fields -E occurrence=1" "${r[@]}" -T fields -E occurrence=1 -e mailx.session -e mailx.smtp.class -e mailx.auth.result
    run_both "$p -z expert" "${r[@]}" -q -z expert
    run_both "$p -z mailx,*" "${r[@]}" -q -z mailx,replies -z mailx,auth -z mailx,sessions -z mailx,tcp -z mailx,attachments
    run_both "$p -z io,phs" "${r[@]}" -q -z io,phs
    run_both "$p columns" "${r[@]}" -o "$cols"
    for f in "${filters[@]}"; do
        run_both "$p -Y '$f'" "${r[@]}" -Y "$f"
    done
    run_both "$p -2 -Y class" "${r[@]}" -2 -Y 'mailx.smtp.class == 4 || mailx.auth.failed'
done
echo "neutral: $runs runs, $differ differ"
[ $differ = 0 ]
