#!/bin/bash
# Make the SMTP sample captures in sample-pcaps/ from a REAL Postfix and REAL
# clients (swaks, curl, Python smtplib / raw sockets), fully isolated:
#
#   netns mailx-smtp-srv  (10.77.0.10, veth mxsmtp-s)  private Postfix + tcpdump
#   netns mailx-smtp-cli  (10.77.0.20, veth mxsmtp-c)  the clients
#
# No default route, no other interface: nothing can leave the two namespaces.
# Postfix runs as a private instance (`postfix -c $WORK/conf`) whose config,
# queue, data, log and mailboxes are all under a temp dir; /etc/postfix and
# the host's services are never touched. Each scenario gets a freshly started
# Postfix (scenario-specific `postconf -e` on top of postfix/main.cf.in) and
# its own tcpdump, so one pcap = one scenario.
#
# Usage (root):  tools/captures/smtp.sh [OUTDIR]
#   OUTDIR             default $MAILX_PCAP_DIR, else <repo>/sample-pcaps
#   MAILX_SCENARIOS    space-separated subset to run (default: all)
#   MAILX_KEEP_TMP=1   keep the temp dir (maillog, mailboxes) for debugging
#
# Needs Debian packages: postfix swaks curl tcpdump tshark openssl ethtool
# iproute2 util-linux python3 (installed with apt-get when missing).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-${MAILX_PCAP_DIR:-$REPO/sample-pcaps}}
PY=/usr/bin/python3            # Debian's python3, not whatever is first in PATH
CLIENTS=$HERE/smtp_clients.py

NS_SRV=mailx-smtp-srv
NS_CLI=mailx-smtp-cli
IF_SRV=mxsmtp-s
IF_CLI=mxsmtp-c
SRV_IP=10.77.0.10
CLI_IP=10.77.0.20
PREFIX=mailx-smtp              # syslog_name prefix, temp dir prefix
LOCK=/run/lock/mailx-smtp-captures.lock

ALL_SCENARIOS="clean pipelining-mixed tempfail unknown-user too-large
 large-attachment bad-commands bdat starttls spam-like rfc2231-nested hostile-names"
SCENARIOS=${MAILX_SCENARIOS:-$ALL_SCENARIOS}

log() { printf '[smtp.sh %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, Postfix master)"

# ---------------------------------------------------------------- packages
export PATH=$PATH:/usr/sbin:/sbin
need_pkgs=()
for pair in postfix:postfix swaks:swaks curl:curl tcpdump:tcpdump \
            tshark:tshark openssl:openssl ethtool:ethtool ip:iproute2 \
            flock:util-linux script:bsdutils; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need_pkgs+=("${pair#*:}")
done
[ -x "$PY" ] || need_pkgs+=(python3)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing missing Debian packages: ${need_pkgs[*]}"
    # postfix: "No configuration" - this script never uses /etc/postfix.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# One run at a time (namespace names are fixed); another script's Postfix
# instance (e.g. Dovecot captures) uses other names and is not affected.
exec 9>"$LOCK"
flock -n 9 || die "another smtp.sh run holds $LOCK"

WORK=$(mktemp -d "/tmp/$PREFIX.XXXXXX")
CONF=$WORK/conf
TCPDUMP_PID=

in_srv() { ip netns exec "$NS_SRV" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }

# postfix(1) checks inet_interfaces against the local interfaces, so every
# postfix command (status/stop too) must run inside the server namespace.
postfix_running() { [ -f "$CONF/main.cf" ] && in_srv postfix -c "$CONF" status >/dev/null 2>&1; }

# Kill what is left in one of OUR namespaces (every process in it was started
# by this script), by PID.
kill_ns_pids() {
    local ns=$1 sig pids
    ip netns list | grep -qw "^$ns" || return 0
    for sig in TERM KILL; do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] || return 0
        log "sending SIG$sig to leftover pids in $ns: ${pids//$'\n'/ }"
        # shellcheck disable=SC2086  # one PID per word
        kill -"$sig" $pids 2>/dev/null || true
        sleep 1
    done
}

stop_capture() {
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null || true
        wait "$TCPDUMP_PID" 2>/dev/null || true
        TCPDUMP_PID=
    fi
}

stop_postfix() {
    if postfix_running; then
        in_srv postfix -c "$CONF" stop >/dev/null 2>&1 || true
    fi
    # master's children exit on their own once master is gone; wait for it so
    # the next start cannot meet a lingering smtpd/anvil.
    for _ in $(seq 50); do
        [ -z "$(ip netns pids "$NS_SRV" 2>/dev/null || true)" ] && return 0
        sleep 0.2
    done
    log "Postfix processes still alive after stop"
    return 1
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    stop_capture
    [ -d "$CONF" ] && stop_postfix
    kill_ns_pids "$NS_SRV"
    kill_ns_pids "$NS_CLI"
    ip netns del "$NS_SRV" 2>/dev/null
    ip netns del "$NS_CLI" 2>/dev/null
    if [ "$rc" != 0 ] && [ -f "$WORK/maillog" ]; then
        log "last Postfix log lines ($WORK/maillog):"
        tail -n 25 "$WORK/maillog" >&2
    fi
    if [ "${MAILX_KEEP_TMP:-0}" = 1 ]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    [ "$rc" = 0 ] || log "FAILED (exit $rc); partial output was not copied to $OUT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------- namespaces
setup_net() {
    local ns
    for ns in "$NS_SRV" "$NS_CLI"; do
        if ip netns list | grep -qw "^$ns"; then
            # we hold the lock, so this is a leftover of a killed run of ours
            log "removing stale namespace $ns"
            kill_ns_pids "$ns"
            ip netns del "$ns"
        fi
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        # no IPv6 at all: no link-local/DAD/router-solicitation chatter
        in_ns_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1
        in_ns_sysctl "$ns" net.ipv6.conf.default.disable_ipv6=1
    done
    # Create the pair directly inside the namespaces: the names never exist in
    # the host namespace, so they cannot clash with anything there.
    ip link add "$IF_SRV" netns "$NS_SRV" type veth peer name "$IF_CLI" netns "$NS_CLI"
    ip -n "$NS_SRV" addr add "$SRV_IP/24" dev "$IF_SRV"
    ip -n "$NS_CLI" addr add "$CLI_IP/24" dev "$IF_CLI"
    # veth would otherwise hand 64 kB GSO "packets" with unfinished checksums
    # to tcpdump; turn offloads off so the pcaps look like a real wire
    # (<= 1514-byte frames, valid TCP checksums).
    in_srv ethtool -K "$IF_SRV" tx off tso off gso off gro off >/dev/null 2>&1 || true
    in_cli ethtool -K "$IF_CLI" tx off tso off gso off gro off >/dev/null 2>&1 || true
    ip -n "$NS_SRV" link set "$IF_SRV" up
    ip -n "$NS_CLI" link set "$IF_CLI" up
    # no default route is ever added: 10.77.0.0/24 on the veth is all there is
}
in_ns_sysctl() { ip netns exec "$1" sysctl -qw "$2" >/dev/null; }

# ---------------------------------------------------------------- Postfix
setup_postfix_files() {
    chmod 755 "$WORK"                      # postfix daemons chdir into the queue
    mkdir -p "$CONF" "$WORK/spool" "$WORK/data" "$WORK/mail" "$WORK/tls" \
             "$WORK/out" "$WORK/msg"
    chown postfix: "$WORK/data"
    chown 65534:65534 "$WORK/mail"         # virtual_uid_maps = static:65534
    # Self-signed cert for STARTTLS, new every run (keys are not kept).
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
        -keyout "$WORK/tls/mx.key" -out "$WORK/tls/mx.crt" \
        -subj "/CN=mx.mailx.test" \
        -addext "subjectAltName=DNS:mx.mailx.test,IP:$SRV_IP" 2>/dev/null
    chmod 600 "$WORK/tls/mx.key"
}

# configure_postfix [param=value ...]: fresh main.cf + scenario overrides
configure_postfix() {
    sed -e "s#@BASE@#$WORK#g" -e "s#@PREFIX@#$PREFIX#g" \
        "$HERE/postfix/main.cf.in" > "$CONF/main.cf"
    cp "$HERE/postfix/master.cf" "$HERE/postfix/vmailbox" \
       "$HERE/postfix/recipient_access" "$HERE/postfix/sender_access" "$CONF/"
    if [ $# -gt 0 ]; then
        postconf -c "$CONF" -e "$@"
    fi
    # postconf warns about unknown/misspelt parameters: treat that as fatal
    local warn
    warn=$(postconf -c "$CONF" -n 2>&1 >/dev/null || true)
    [ -z "$warn" ] || die "postconf: $warn"
}

start_postfix() {
    if ! in_srv postfix -c "$CONF" start >/dev/null 2>&1; then
        # postfix(1) logs its fatal reason to syslog unless stderr is a tty
        script -qc "ip netns exec $NS_SRV postfix -c $CONF start" /dev/null >&2 || true
        die "postfix start failed"
    fi
    for _ in $(seq 50); do
        in_srv ss -Hltn "sport = :25" | grep -q "$SRV_IP:25" && return 0
        sleep 0.1
    done
    die "Postfix is not listening on $SRV_IP:25"
}

delivered_count() {
    find "$WORK/mail" -path '*/new/*' -type f | wc -l
}

# wait until N messages sit in the Maildirs and the queue is empty again
wait_delivered() {
    local want=$1 queued
    for _ in $(seq 150); do
        queued=$(find "$WORK/spool/incoming" "$WORK/spool/active" \
                      "$WORK/spool/deferred" "$WORK/spool/hold" \
                      "$WORK/spool/maildrop" -type f 2>/dev/null | wc -l)
        if [ "$(delivered_count)" -ge "$want" ] && [ "$queued" = 0 ]; then
            [ "$(delivered_count)" = "$want" ] ||
                die "expected $want delivered messages, found $(delivered_count)"
            return 0
        fi
        sleep 0.2
    done
    die "expected $want delivered messages, found $(delivered_count) (queue: $queued files)"
}

# ------------------------------------------------------------------ capture
start_capture() {
    local file=$1 err=$WORK/tcpdump.err
    : > "$err"
    # -s 0: full frames; -U + --immediate-mode: every packet reaches the file
    # before SIGINT; -Z root: Debian's tcpdump would drop to user tcpdump and
    # then be unable to write into the 0755 root temp dir.
    # Not through in_srv: a backgrounded shell function is a subshell, and its
    # PID (not tcpdump's) would get the SIGINT. `ip netns exec` execs tcpdump,
    # so $! is tcpdump's own PID.
    ip netns exec "$NS_SRV" tcpdump -i "$IF_SRV" -s 0 -U --immediate-mode -Z root -n \
        -w "$file" "tcp port 25" 2>"$err" &
    TCPDUMP_PID=$!
    for _ in $(seq 100); do
        grep -q "listening on" "$err" && return 0
        kill -0 "$TCPDUMP_PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$err" >&2
    die "tcpdump did not start"
}

end_capture() {
    sleep 0.5               # last ACK of the FIN exchange
    stop_capture
    grep -q "^0 packets dropped by kernel" "$WORK/tcpdump.err" ||
        die "tcpdump dropped packets: $(cat "$WORK/tcpdump.err")"
}

# run_scenario NAME DELIVERED "postconf overrides" -- client command...
run_scenario() {
    local name=$1 want=$2 overrides=$3
    shift 4
    log "scenario $name"
    # shellcheck disable=SC2086  # overrides are whitespace-separated key=value
    configure_postfix $overrides
    rm -rf "$WORK/mail/mailx.test"
    start_postfix
    start_capture "$WORK/out/smtp-$name.pcap"
    "$@"
    end_capture
    wait_delivered "$want"
    stop_postfix
}

msg() { "$PY" "$CLIENTS" message "$1" > "$WORK/msg/$1.eml"; echo "$WORK/msg/$1.eml"; }
py_client() { in_cli "$PY" "$CLIENTS" "$@"; }
swaks_send() {   # swaks_send FROM TO DATAFILE [more swaks args]
    local from=$1 to=$2 data=$3
    shift 3
    in_cli swaks --server "$SRV_IP:25" --ehlo client.mailx.test \
        --from "$from" --to "$to" --data "@$data" --timeout 20 "$@" >"$WORK/swaks.out" 2>&1 ||
        true   # swaks exits non-zero on a rejected RCPT; replies are checked below
}

# ---------------------------------------------------------------- scenarios
sc_clean() {
    swaks_send alice@client.test bob@mailx.test "$(msg clean)"
    grep -q '^<-  250 2.0.0 Ok: queued as' "$WORK/swaks.out" ||
        { cat "$WORK/swaks.out" >&2; die "clean: message not queued"; }
}

sc_unknown_user() {
    swaks_send alice@client.test nosuchuser@mailx.test "$(msg unknown-user)"
    grep -q '^<\*\* 550 5.1.1 <nosuchuser@mailx.test>' "$WORK/swaks.out" ||
        { cat "$WORK/swaks.out" >&2; die "unknown-user: no 550 5.1.1"; }
}

sc_large_attachment() {
    # curl: the URL path is the EHLO name; it adds SIZE= because Postfix
    # advertises SIZE and the upload size is known.
    in_cli curl -sS --max-time 60 "smtp://$SRV_IP:25/client.mailx.test" \
        --mail-from alice@client.test --mail-rcpt bob@mailx.test \
        --upload-file "$(msg large-attachment)"
}

sc_spam_like() {
    # two senders, two connections, the same invoice.pdf.exe
    swaks_send mailer@bulk-mailer.test bob@mailx.test "$(msg spam-1)"
    grep -q 'queued as' "$WORK/swaks.out" || { cat "$WORK/swaks.out" >&2; die "spam-1 not queued"; }
    swaks_send news@cheap-hosting.test carol@mailx.test "$(msg spam-2)"
    grep -q 'queued as' "$WORK/swaks.out" || { cat "$WORK/swaks.out" >&2; die "spam-2 not queued"; }
}

sc_starttls() {
    rm -f "$WORK/out/smtp-starttls.keys"
    py_client starttls --cafile "$WORK/tls/mx.crt" --keylog "$WORK/out/smtp-starttls.keys"
}

run_one() {
    case $1 in
    clean)            run_scenario clean 1 "" -- sc_clean ;;
    pipelining-mixed) run_scenario pipelining-mixed 2 "" -- py_client pipelining-mixed ;;
    tempfail)         run_scenario tempfail 2 "smtpd_recipient_limit=2 smtpd_client_connection_count_limit=1" \
                          -- py_client tempfail ;;
    unknown-user)     run_scenario unknown-user 0 "" -- sc_unknown_user ;;
    too-large)        run_scenario too-large 0 "message_size_limit=4096" -- py_client too-large ;;
    large-attachment) run_scenario large-attachment 1 "message_size_limit=10240000" -- sc_large_attachment ;;
    bad-commands)     run_scenario bad-commands 0 "smtpd_helo_required=yes disable_vrfy_command=yes smtpd_tls_security_level=none" \
                          -- py_client bad-commands ;;
    bdat)             run_scenario bdat 2 "" -- py_client bdat ;;
    starttls)         run_scenario starttls 1 "" -- sc_starttls ;;
    spam-like)        run_scenario spam-like 2 "" -- sc_spam_like ;;
    rfc2231-nested)   run_scenario rfc2231-nested 1 "" -- py_client rfc2231-nested ;;
    hostile-names)    run_scenario hostile-names 1 "" -- py_client hostile-names ;;
    *) die "unknown scenario $1 (known: ${ALL_SCENARIOS//$'\n'/})" ;;
    esac
}

# -------------------------------------------------------------- verification
# Every reply code listed must appear in the capture as Wireshark decodes it.
declare -A EXPECT=(
    [clean]="220 250 354 221"
    [pipelining-mixed]="220 250 550 452 354 221"
    [tempfail]="220 250 450 451 452 454 421 354 221"
    [unknown-user]="220 250 550 221"
    [too-large]="220 250 552 354 221"
    [large-attachment]="220 250 354 221"
    [bad-commands]="220 500 501 502 503 504 555 250 521 221"
    [bdat]="220 250 503 221"
    [starttls]="220 250"
    [spam-like]="220 250 354 221"
    [rfc2231-nested]="220 250 354 221"
    [hostile-names]="220 250 354 221"
)

tshark_q() { tshark "$@" 2>/dev/null; }   # as root tshark warns on stderr; fine

verify() {
    local name=$1 f=$WORK/out/smtp-$1.pcap codes c extra=()
    [ "$name" = starttls ] && extra=(-o "tls.keylog_file:$WORK/out/smtp-starttls.keys")
    codes=$(tshark_q -r "$f" "${extra[@]}" -Y smtp.response -T fields -e smtp.response.code |
            tr ',' '\n' | sort -u | tr '\n' ' ')
    for c in ${EXPECT[$name]}; do
        case " $codes " in *" $c "*) ;; *) die "$name: reply $c missing (have: $codes)";; esac
    done
    [ "$(tshark_q -r "$f" "${extra[@]}" -Y _ws.malformed | wc -l)" = 0 ] ||
        die "$name: Wireshark reports malformed packets"
    log "verified smtp-$name.pcap: $(tshark_q -r "$f" | wc -l) frames, replies: $codes"
}

verify_specifics() {
    local f
    # pipelining: MAIL, 4 RCPT and DATA really travel in one TCP segment
    if [ -f "$WORK/out/smtp-pipelining-mixed.pcap" ]; then
        tshark_q -r "$WORK/out/smtp-pipelining-mixed.pcap" -Y 'smtp.req.command == "MAIL"' \
            -T fields -e smtp.req.command | grep -qx 'MAIL,RCPT,RCPT,RCPT,RCPT,DATA' ||
            die "pipelining batch is not in one segment"
    fi
    # starttls: decrypts with the key log (commands after STARTTLS are visible;
    # smtplib sends them in lower case, hence lower())
    if [ -f "$WORK/out/smtp-starttls.pcap" ]; then
        f=$WORK/out/smtp-starttls.pcap
        tshark_q -r "$f" -o "tls.keylog_file:$WORK/out/smtp-starttls.keys" -Y 'lower(smtp.req.command) == "mail"' |
            grep -q . || die "starttls: MAIL not visible after decryption"
        ! tshark_q -r "$f" -Y 'lower(smtp.req.command) == "mail"' | grep -q . ||
            die "starttls: MAIL visible without keys?"
    fi
    # large attachment: several MB of DATA
    if [ -f "$WORK/out/smtp-large-attachment.pcap" ]; then
        [ "$(stat -c %s "$WORK/out/smtp-large-attachment.pcap")" -gt 3000000 ] ||
            die "large-attachment capture is too small"
    fi
    # all captures on a wire-sized link: no frame above 1514 bytes
    for f in "$WORK"/out/*.pcap; do
        [ -z "$(tshark_q -r "$f" -Y 'frame.len > 1514')" ] || die "$f: oversized (GSO) frames"
    done
}

# --------------------------------------------------------------------- main
t0=$(date +%s)
log "work dir $WORK, output $OUT"
setup_net
setup_postfix_files
for s in $SCENARIOS; do
    run_one "$s"
done
for s in $SCENARIOS; do
    verify "$s"
done
verify_specifics

mkdir -p "$OUT"
for f in "$WORK"/out/*; do
    install -m 0644 "$f" "$OUT/"
done
log "wrote $(find "$WORK/out" -type f | wc -l) files to $OUT in $(( $(date +%s) - t0 ))s"
