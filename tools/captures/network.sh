#!/bin/bash
# Network-level sample captures for mailx (issue 5): connection outcomes on
# mail ports, TCP trouble inside mail sessions next to clean non-mail traffic,
# a burst of 4xx replies and a login storm. Real servers (a private Postfix and
# a private Dovecot), real clients (swaks, curl, python smtplib/poplib/imaplib),
# fully isolated:
#
#   netns mailx-net-srv  10.77.2.10  (veth mxnet-s0, clean path)
#                        10.77.2.138 (veth mxnet-s1, shaped: tbf + nftables random drops)
#   netns mailx-net-cli  10.77.2.20  (mxnet-c0)  10.77.2.148 (mxnet-c1)
#
# No default route and no other interface: nothing leaves the two namespaces,
# and no address outside 10.77.2.0/24 is ever used. Postfix and Dovecot run as
# private instances (own config, queue, state and log under a temp dir, own
# instance names); /etc/postfix and /etc/dovecot are never read or touched.
# One tcpdump per veth, merged into one pcap per scenario.
#
# Usage (root):  tools/captures/network.sh [OUTDIR] [SCENARIO...]
#   scenarios: refused noanswer lossy burst storm (default: all)
#   MAILX_KEEP_TMP=1 keeps the temp dir (logs) for debugging.
# Needs: postfix dovecot-core dovecot-imapd dovecot-pop3d swaks curl tcpdump
#        wireshark-common (mergecap) tshark nftables iproute2 ethtool python3
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-$REPO/sample-pcaps}
shift || true
SCENARIOS=${*:-refused noanswer lossy burst storm}
PY=/usr/bin/python3
CLIENTS=$HERE/network_clients.py

NS_SRV=mailx-net-srv
NS_CLI=mailx-net-cli
SRV0=10.77.2.10;  CLI0=10.77.2.20     # clean path
SRV1=10.77.2.138; CLI1=10.77.2.148    # shaped, lossy path
LOCK=/run/lock/mailx-net-captures.lock

log() { printf '[network.sh %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (network namespaces, tcpdump, Postfix, Dovecot)"
export PATH=$PATH:/usr/sbin:/sbin
for c in postfix postconf dovecot swaks curl tcpdump mergecap tshark nft tc ip ethtool; do
    command -v "$c" >/dev/null || die "missing $c (see the Needs: line)"
done

exec 9>"$LOCK"
flock -n 9 || die "another network.sh run holds $LOCK"

TMP=$(mktemp -d /tmp/mailx-net.XXXXXX)
chmod 755 "$TMP"
PF=$TMP/postfix
CAP_PIDS=()
HTTP_PID=

in_srv() { ip netns exec "$NS_SRV" "$@"; }
in_cli() { ip netns exec "$NS_CLI" "$@"; }

kill_ns_pids() {   # everything left in OUR namespace was started by this script
    local ns=$1 sig pids
    ip netns list | grep -qw "^$ns" || return 0
    for sig in TERM KILL; do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086
        kill -"$sig" $pids 2>/dev/null || true
        sleep 0.5
    done
}

postfix_stop() {
    [ -f "$PF/etc/main.cf" ] || return 0
    in_srv postfix -c "$PF/etc" status >/dev/null 2>&1 || return 0
    in_srv postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
    for _ in $(seq 50); do
        in_srv postfix -c "$PF/etc" status >/dev/null 2>&1 || return 0
        sleep 0.1
    done
}

dovecot_stop() {
    local pid
    pid=$(cat "$TMP/run/master.pid" 2>/dev/null || true)
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$TMP/run/master.pid"
}

cap_kill() {
    local p
    for p in "${CAP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    CAP_PIDS=()
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    cap_kill
    [ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null
    postfix_stop
    dovecot_stop
    kill_ns_pids "$NS_SRV"
    kill_ns_pids "$NS_CLI"
    ip netns del "$NS_SRV" 2>/dev/null
    ip netns del "$NS_CLI" 2>/dev/null
    if [ "$rc" != 0 ]; then
        for f in "$PF/maillog" "$TMP/dovecot.log"; do [ -f "$f" ] && tail -n 15 "$f" >&2; done
    fi
    if [ "${MAILX_KEEP_TMP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ network
setup_net() {
    local ns
    for ns in "$NS_SRV" "$NS_CLI"; do
        if ip netns list | grep -qw "^$ns"; then
            log "removing stale namespace $ns (left by a killed run)"
            kill_ns_pids "$ns"
            ip netns del "$ns"
        fi
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    done
    ip link add mxnet-s0 netns "$NS_SRV" type veth peer name mxnet-c0 netns "$NS_CLI"
    ip link add mxnet-s1 netns "$NS_SRV" type veth peer name mxnet-c1 netns "$NS_CLI"
    ip -n "$NS_SRV" addr add "$SRV0/25" dev mxnet-s0
    ip -n "$NS_CLI" addr add "$CLI0/25" dev mxnet-c0
    ip -n "$NS_SRV" addr add "$SRV1/25" dev mxnet-s1
    ip -n "$NS_CLI" addr add "$CLI1/25" dev mxnet-c1
    local pair
    for pair in "$NS_SRV:mxnet-s0" "$NS_SRV:mxnet-s1" "$NS_CLI:mxnet-c0" "$NS_CLI:mxnet-c1"; do
        # no GSO super-frames or unfilled checksums in the pcaps
        ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tx off tso off gso off gro off >/dev/null 2>&1 || true
        ip -n "${pair%%:*}" link set "${pair#*:}" up
    done
    # the shaped path: a token bucket on both ends (this kernel has no netem)
    in_srv tc qdisc add dev mxnet-s1 root tbf rate 4mbit burst 16kb latency 100ms
    in_cli tc qdisc add dev mxnet-c1 root tbf rate 4mbit burst 16kb latency 100ms
    ! in_srv ip route | grep -q default || die "unexpected default route"
    ! in_cli ip route | grep -q default || die "unexpected default route"
}

nft_rules() {   # nft_rules RULESET-TEXT : replaces the server namespace's table
    in_srv nft delete table inet mailx_net 2>/dev/null || true
    [ -n "$1" ] || return 0
    printf '%s\n' "$1" | in_srv nft -f -
}

# ------------------------------------------------------------------ servers
setup_postfix() {
    mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$PF/mail"
    chown postfix: "$PF/data"
    chown 65534:65534 "$PF/mail"
    # the SMTP capture script's private-instance template, on our addresses
    sed -e "s#@BASE@#$PF#g" -e "s#@PREFIX@#mailx-net#g" "$HERE/postfix/main.cf.in" > "$PF/etc/main.cf"
    cp "$HERE/postfix/master.cf" "$HERE/postfix/vmailbox" "$HERE/postfix/recipient_access" "$PF/etc/"
    cat > "$PF/etc/sender_access" <<'MAP'
# network.sh burst: a server that is overloaded answers every RCPT with a 4xx
shutdown@client.test    421 4.7.0 Service shutting down, closing channel
busy@client.test        450 4.2.1 Server overloaded, try again later
MAP
    postconf -c "$PF/etc" -e "inet_interfaces=$SRV0, $SRV1" "maillog_file=$PF/maillog" \
        smtpd_tls_security_level=none "message_size_limit=10240000"
}

postfix_start() {
    in_srv postfix -c "$PF/etc" start >"$TMP/postfix-start.log" 2>&1 ||
        die "postfix start: $(cat "$TMP/postfix-start.log")"
    for _ in $(seq 50); do
        in_srv ss -Hltn "sport = :25" | grep -q "$SRV1:25" && return 0
        sleep 0.1
    done
    die "Postfix is not listening"
}

setup_dovecot() {
    mkdir -p "$TMP/run" "$TMP/state" "$TMP/home"
    : > "$TMP/users"
    local i
    for i in $(seq 0 9); do
        mkdir -p "$TMP/home/storm$i/Maildir/new" "$TMP/home/storm$i/Maildir/cur" "$TMP/home/storm$i/Maildir/tmp"
        echo "storm$i:{PLAIN}stormpw:65534:65534::$TMP/home/storm$i::" >> "$TMP/users"
    done
    chown -R 65534:65534 "$TMP/home"
    cat > "$TMP/dovecot.conf" <<CONF
# Private Dovecot of tools/captures/network.sh (nothing from /etc/dovecot).
instance_name = mailx-net
base_dir = $TMP/run
state_dir = $TMP/state
log_path = $TMP/dovecot.log
protocols = imap pop3
listen = $SRV0
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%n $TMP/users
}
userdb {
  driver = passwd-file
  args = username_format=%n $TMP/users
}
mail_location = maildir:~/Maildir
first_valid_uid = 1000
# 120 logins at once: one login process per connection (service_count = 1),
# so the default limit of 100 processes per service must go up, and the
# per-user-and-IP cap (10) too.
default_process_limit = 400
default_client_limit = 2000
protocol imap {
  mail_max_userip_connections = 500
}
protocol pop3 {
  mail_max_userip_connections = 500
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 0
  }
}
CONF
}

dovecot_start() {
    in_srv dovecot -c "$TMP/dovecot.conf"
    for _ in $(seq 50); do
        in_srv ss -Hltn | grep -q "$SRV0:143" && return 0
        sleep 0.1
    done
    die "dovecot did not come up: $(tail -5 "$TMP/dovecot.log")"
}

# ------------------------------------------------------------------ capture
cap_start() {
    local name=$1 dev
    CAP_PIDS=()
    for dev in mxnet-s0 mxnet-s1; do
        : > "$TMP/tcpdump-$dev.err"
        ip netns exec "$NS_SRV" tcpdump -i "$dev" -s 0 -U --immediate-mode -Z root -n \
            -w "$TMP/$name-$dev.pcap" "tcp" 2>"$TMP/tcpdump-$dev.err" &
        CAP_PIDS+=($!)
    done
    for dev in mxnet-s0 mxnet-s1; do
        for _ in $(seq 100); do grep -q "listening on" "$TMP/tcpdump-$dev.err" && break; sleep 0.05; done
        grep -q "listening on" "$TMP/tcpdump-$dev.err" || die "tcpdump on $dev did not start"
    done
}

cap_stop() {
    local name=$1 dev
    sleep 1                      # last ACKs of the FIN exchanges
    cap_kill
    for dev in mxnet-s0 mxnet-s1; do
        grep -q "^0 packets dropped by kernel" "$TMP/tcpdump-$dev.err" ||
            die "tcpdump on $dev dropped packets: $(cat "$TMP/tcpdump-$dev.err")"
    done
    mergecap -F pcap -w "$OUT/net-$name.pcap" "$TMP/$name-mxnet-s0.pcap" "$TMP/$name-mxnet-s1.pcap"
    log "net-$name.pcap: $(tshark -r "$OUT/net-$name.pcap" 2>/dev/null | wc -l) frames"
}

swaks_to() {   # swaks_to ADDR PORT [swaks args]
    local addr=$1 port=$2
    shift 2
    in_cli swaks --server "$addr:$port" --ehlo client.mailx.test --from alice@client.test \
        --to bob@mailx.test --timeout 30 "$@" > "$TMP/swaks.out" 2>&1 || true
}

# ---------------------------------------------------------------- scenarios
# Refused: nothing listens on 143, 587, 110 (Dovecot is not running); one
# normal SMTP session on 25 beside them.
sc_refused() {
    cap_start refused
    swaks_to "$SRV0" 25
    grep -q 'queued as' "$TMP/swaks.out" || { cat "$TMP/swaks.out" >&2; die "refused: SMTP on 25 failed"; }
    in_cli curl -sS --max-time 5 "imap://$SRV0:143/" >/dev/null 2>&1 || true
    swaks_to "$SRV0" 587
    in_cli "$PY" "$CLIENTS" connect "$SRV0" 110 5 | grep -q refused || die "110 not refused"
    cap_stop refused
}

# No answer: the server namespace drops SYNs to 465 and 995 (nothing is sent
# back); the clients' timeouts bound the SYN retries (Linux: 1 s, then 2 s).
sc_noanswer() {
    nft_rules 'table inet mailx_net {
  chain input { type filter hook input priority 0; policy accept;
    tcp dport { 465, 995 } drop
  }
}'
    cap_start noanswer
    in_cli "$PY" "$CLIENTS" connect "$SRV0" 465 4 | grep -q "no answer" || die "465 answered"
    in_cli curl -sS --connect-timeout 2 "pop3s://$SRV0:995/" >/dev/null 2>&1 || true
    swaks_to "$SRV0" 25
    grep -q 'queued as' "$TMP/swaks.out" || die "noanswer: SMTP on 25 failed"
    cap_stop noanswer
    nft_rules ''
}

# Lossy: two SMTP sessions with a 90 kB message each over the shaped path,
# where 3 % of the segments in either direction are dropped; two HTTP
# downloads over the clean path at the same time.
sc_lossy() {
    "$PY" - "$TMP/big.eml" <<'PYEOF'
import sys
lines = ['From: alice@client.test', 'To: bob@mailx.test', 'Subject: lossy path', '']
lines += ['line %05d of a message that crosses a lossy, shaped path' % i for i in range(1500)]
open(sys.argv[1], 'w').write('\r\n'.join(lines) + '\r\n')
PYEOF
    mkdir -p "$TMP/www"
    head -c 120000 /dev/zero | tr '\0' 'x' > "$TMP/www/file.bin"
    ip netns exec "$NS_SRV" "$PY" -m http.server 8080 --bind "$SRV0" --directory "$TMP/www" \
        >/dev/null 2>&1 &
    HTTP_PID=$!
    for _ in $(seq 50); do in_srv ss -Hltn | grep -q "$SRV0:8080" && break; sleep 0.1; done
    nft_rules 'table inet mailx_net {
  chain input { type filter hook input priority 0; policy accept;
    iifname "mxnet-s1" numgen random mod 100 < 3 drop
  }
  chain output { type filter hook output priority 0; policy accept;
    oifname "mxnet-s1" numgen random mod 100 < 3 drop
  }
}'
    cap_start lossy
    local i
    for i in 1 2; do
        in_cli curl -sS --max-time 30 -o /dev/null "http://$SRV0:8080/file.bin" &
        swaks_to "$SRV1" 25 --data "@$TMP/big.eml"
        grep -q 'queued as' "$TMP/swaks.out" || { cat "$TMP/swaks.out" >&2; die "lossy: SMTP failed"; }
        wait $!
    done
    cap_stop lossy
    nft_rules ''
    kill "$HTTP_PID"; wait "$HTTP_PID" 2>/dev/null || true; HTTP_PID=
    local r
    r=$(tshark -r "$OUT/net-lossy.pcap" -Y "tcp.port == 25 && tcp.analysis.retransmission" 2>/dev/null | wc -l)
    [ "$r" -gt 0 ] || die "lossy: no retransmissions in the SMTP sessions"
    r=$(tshark -r "$OUT/net-lossy.pcap" -Y "tcp.port == 8080 && tcp.analysis.retransmission" 2>/dev/null | wc -l)
    [ "$r" = 0 ] || die "lossy: the clean path has retransmissions"
}

# Burst: 40 SMTP sessions in two seconds, every RCPT answered 450 or 421.
sc_burst() {
    cap_start burst
    in_cli "$PY" "$CLIENTS" burst "$SRV0" 40
    cap_stop burst
}

# Storm: 60 POP3 and 60 IMAP logins held open at the same time.
sc_storm() {
    dovecot_start
    cap_start storm
    in_cli "$PY" "$CLIENTS" storm "$SRV0" 60 60
    cap_stop storm
    dovecot_stop
}

mkdir -p "$OUT"
setup_net
setup_postfix
setup_dovecot
postfix_start
for s in $SCENARIOS; do
    case $s in
    refused|noanswer|lossy|burst|storm) log "scenario $s"; "sc_$s" ;;
    *) die "unknown scenario $s" ;;
    esac
done
log "done: $OUT/net-*.pcap"
