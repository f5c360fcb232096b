#!/usr/bin/env bash
# Captures with gaps, derived from the real Dovecot captures in sample-pcaps/
# with editcap (nothing hand-written): a lost server segment (a frame removed),
# a lost client segment, frames cut by the snap length, a capture that starts
# mid-session. The golden cases read them (tests/golden/*gap*); they are made
# afresh on every run rather than committed, as tests/hostile makes its cut and
# stripped SMTP captures. Frame numbers are those of the source captures: a
# source re-recorded by tools/captures/dovecot.sh needs these rows and the
# golden files checked again.
#
#   tools/captures/derive-gaps.sh OUTDIR [NAME...]     (default: all)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: derive-gaps.sh OUTDIR [NAME...]}
shift
mkdir -p "$out"

# name | source | editcap arguments (the frame numbers are the source's) | what it shows
table=(
"pop3-gap-pass-reply|pop3-clean|DROP 14|the +OK to PASS lost: the login is unknown, not a success; STAT, sent after the client got the lost bytes (its ACK covers them), pairs"
"pop3-gap-client|pop3-clean|DROP 15|the client's STAT segment lost: its +OK answers unknown; LIST pairs again"
"pop3-gap-retr-body|pop3-retr-attachment|DROP 500|a segment inside the 1.3 MB RETR body lost: the message is incomplete (no size, no hash); QUIT pairs again"
"pop3-gap-retr-snap|pop3-retr-attachment|-s 200|every frame cut at 200 bytes: one note for the body, the message incomplete"
"pop3-gap-midsession|pop3-clean|-r 17-33|the capture starts at LIST: no greeting, LIST pairs with the next status line"
"imap-gap-login-reply|imap-auth-fail|DROP 11|the NO to the first LOGIN lost: that login is unknown; the second LOGIN, sent after, pairs by tag"
"imap-gap-pipelined|imap-clean|DROP 40|the response segment to four pipelined commands (p2-p5) lost: they are unknown; p6 LOGOUT pairs"
"imap-gap-fetch-body|imap-fetch-attachment|DROP 300|a segment inside the FETCH BODY[] literal lost: no message; the late tagged OK is shown unpaired"
"imap-gap-midsession|imap-fetch-attachment|-r 100-1291|the capture starts inside the FETCH literal: no greeting, no message; LOGOUT pairs"
)

for row in "${table[@]}"; do
    IFS='|' read -r name src how what <<< "$row"
    if [ $# -gt 0 ]; then
        want=0
        for n in "$@"; do [ "$n" = "$name" ] && want=1; done
        [ $want = 1 ] || continue
    fi
    in="$top/sample-pcaps/$src.pcap"
    case $how in
        DROP\ *) editcap -F pcap "$in" "$out/$name.pcap" ${how#DROP } ;;
        -r\ *)   editcap -F pcap -r "$in" "$out/$name.pcap" ${how#-r } ;;
        *)       editcap -F pcap $how "$in" "$out/$name.pcap" ;;
    esac
    chmod 644 "$out/$name.pcap"
    echo "$name.pcap: $what"
done
