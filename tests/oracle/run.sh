#!/usr/bin/env bash
# Nothing lost, nothing invented: for every sample capture with SMTP in clear
# (and below, POP3 and IMAP in clear),
# an independent reader (tests/tools/pcap_oracle.py: its own pcap parsing and
# TCP reassembly, no Wireshark) lists each server reply line and the frame that
# completes it. mailx must report exactly those lines (mailx.smtp.code on every
# line), and `mailx.smtp.class == 4` / `== 5` must select exactly the frames
# holding 4xx / 5xx reply lines.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "oracle: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
passed=0 failed=0
tmp=$MAILX_TEST_HOME
compare() {  # compare NAME EXPECTED_FILE GOT_FILE
    if diff -u "$2" "$3" > "$tmp/d"; then
        echo "ok - $1"; passed=$((passed + 1))
    else
        echo "not ok - $1 (- oracle, + mailx)"; sed 's/^/    /' "$tmp/d" | head -30; failed=$((failed + 1))
    fi
}

shopt -s nullglob
for pcap in "$top"/sample-pcaps/smtp-*.pcap "$top"/sample-pcaps/submission-*.pcap; do
    name=$(basename "$pcap" .pcap)
    # the oracle reads clear text only: TLS sessions stop at STARTTLS's 220
    python3 "$top/tests/tools/pcap_oracle.py" smtp-replies "$pcap" > "$tmp/oracle" || {
        echo "not ok - $name: oracle failed"; failed=$((failed + 1)); continue; }
    mailx_tshark -r "$pcap" -2 -Y 'mailx.smtp.reply' -T fields -E occurrence=a -E aggregator=, \
        -e frame.number -e mailx.smtp.code -e mailx.smtp.reply 2>/dev/null |
      awk -F'\t' '{ n = split($3, r, ","); c = split($2, k, ",");
                    # a malformed line has a reply item but no code: report it as 0
                    for (i = 1; i <= c; i++) print $1, k[i]; for (i = c + 1; i <= n; i++) print $1, 0 }' |
      sort -n -k1,1 -k2,2 > "$tmp/mailx"
    sort -n -k1,1 -k2,2 "$tmp/oracle" > "$tmp/oracle.s"
    compare "$name: every SMTP reply line reported once ($(wc -l < "$tmp/oracle.s") lines)" "$tmp/oracle.s" "$tmp/mailx"
    for class in 4 5; do
        awk -v c=$class '$2 >= c*100 && $2 < (c+1)*100 { print $1 }' "$tmp/oracle.s" | sort -un > "$tmp/o$class"
        mailx_tshark -r "$pcap" -2 -Y "mailx.smtp.class == $class" -T fields -e frame.number 2>/dev/null |
            sort -un > "$tmp/m$class"
        compare "$name: mailx.smtp.class == $class selects the frames with ${class}xx replies ($(wc -l < "$tmp/o$class") frames)" \
            "$tmp/o$class" "$tmp/m$class"
    done
done
# POP3 status lines and IMAP status responses in clear (the Dovecot captures and
# the login storm): the oracle pairs POP3 commands itself to know which +OK opens
# a multi-line response (RETR/TOP data are not status lines) and skips IMAP
# literals by their {n} byte count (FETCH bodies); it stops where TLS starts, so
# mailx runs without key logs here. Each line must be reported once, on the frame
# that completes it: mailx.pop.indicator / mailx.imap.status occurrences.
for spec in "pop-status|mailx.pop.indicator|pop3-*.pcap net-storm.pcap" \
            "imap-status|mailx.imap.status|imap-*.pcap net-storm.pcap"; do
    IFS='|' read -r what field globs <<<"$spec"
    for g in $globs; do
        for pcap in "$top"/sample-pcaps/$g; do
            name=$(basename "$pcap" .pcap)
            python3 "$top/tests/tools/pcap_oracle.py" "$what" "$pcap" | sort -k1,1n -k2,2 > "$tmp/oracle" || {
                echo "not ok - $name: oracle $what failed"; failed=$((failed + 1)); continue; }
            mailx_tshark -r "$pcap" -2 -Y "$field" -T fields -E occurrence=a -E aggregator=, \
                -e frame.number -e "$field" 2>/dev/null |
              awk -F'\t' '{ n = split($2, v, ","); for (i = 1; i <= n; i++) print $1, v[i] }' |
              sort -k1,1n -k2,2 > "$tmp/mailx"
            compare "$name: every ${what%-status} status line reported once as $field ($(wc -l < "$tmp/oracle") lines)" \
                "$tmp/oracle" "$tmp/mailx"
            # and the same with TCP reassembly off: the line splitter carries partial lines
            mailx_tshark -o tcp.desegment_tcp_streams:FALSE -r "$pcap" -2 -Y "$field" -T fields -E occurrence=a \
                -E aggregator=, -e "$field" 2>/dev/null | tr ',' '\n' | sed '/^$/d' | sort > "$tmp/mailx.nr"
            awk '{ print $2 }' "$tmp/oracle" | sort > "$tmp/oracle.nr"
            compare "$name: the same $field values without TCP reassembly" "$tmp/oracle.nr" "$tmp/mailx.nr"
        done
    done
done
echo "oracle: $passed passed, $failed failed"
[ $failed = 0 ]
