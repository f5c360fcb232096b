#!/usr/bin/env bash
# Real POP3 / IMAP / submission(+SASL) / TLS sample captures for mailx.
#
# A private Dovecot (and, for submission, a private Postfix) runs in a network
# namespace of its own; real clients (python poplib/imaplib/smtplib, curl, swaks) run in
# a second one; tcpdump on the server end of the veth pair writes one pcap per scenario.
# Nothing is started on, or read from, the host's mail configuration; nothing leaves
# the two namespaces (no default route). Everything is removed on exit, even on failure.
#
# usage: sudo tools/captures/dovecot.sh [OUTDIR] [SCENARIO...]
#   OUTDIR   where the .pcap/.keys files go (default: $MAILX_DC_OUT or sample-pcaps/)
#   SCENARIO run only these (default: all, in the order of ALL below); an empty OUTDIR
#            ("") keeps the default directory.
#   env: MAILX_DC_KEEP=1 keeps the temp dir (configs, Dovecot/Postfix logs) for
#        debugging; MAILX_DC_TAIL=<s> how long to keep capturing after a scenario (1).
# Needs: dovecot-core dovecot-imapd dovecot-pop3d postfix swaks curl tcpdump openssl
#        python3 iproute2; ethtool (optional: without it the captures carry offloaded,
#        i.e. unfilled, TCP checksums); tshark (optional: verification summary).
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=${1:-${MAILX_DC_OUT:-$REPO/sample-pcaps}}
shift || true

SRV_NS=mailx-dc-srv
CLI_NS=mailx-dc-cli
SRV_IF=mxdc-srv0
CLI_IF=mxdc-cli0
SRV_IP=10.77.1.10
CLI_IP=10.77.1.20
CLIENTS="$HERE/dovecot_clients.py"
LOCK=/run/mailx-dc.lock

ns_exists() { ip netns list | awk '{print $1}' | grep -qxF "$1"; }
die() { echo "dovecot.sh: $*" >&2; exit 1; }
say() { echo "== $*"; }

[[ $EUID -eq 0 ]] || die "run as root (network namespaces, tcpdump, dovecot)"
for c in dovecot doveconf postfix swaks curl tcpdump openssl python3 ip; do
  command -v "$c" >/dev/null || die "missing '$c' (apt-get install dovecot-imapd dovecot-pop3d postfix swaks curl tcpdump openssl python3 iproute2)"
done
[[ -x /usr/lib/dovecot/pop3 && -x /usr/lib/dovecot/imap ]] || die "need dovecot-imapd and dovecot-pop3d"
[[ -e /usr/lib/dovecot/modules/lib10_quota_plugin.so ]] || die "Dovecot quota plugin missing"

# One run at a time: the namespace names are fixed.
exec 9>"$LOCK"
flock -n 9 || die "another dovecot.sh run holds $LOCK"

TMP=$(mktemp -d /tmp/mailx-dc.XXXXXX)
chmod 755 "$TMP"            # Dovecot's unprivileged processes must traverse it
RUN=$TMP/run                # Dovecot base_dir
PF=$TMP/postfix             # Postfix: etc/ (config_directory), queue/, data/
CAP_PID=
CAP_NAME=

dovecot_stop() {
  [[ -f $TMP/dovecot.conf ]] || return 0
  local pid
  pid=$(cat "$RUN/master.pid" 2>/dev/null || true)
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$RUN/master.pid"
}

postfix_stop() {
  local pid
  [[ -f $PF/queue/pid/master.pid ]] || return 0
  pid=$(tr -d ' ' <"$PF/queue/pid/master.pid")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  ip netns exec "$SRV_NS" postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PF/queue/pid/master.pid"
}

cleanup() {
  local rc=$?
  set +e
  if [[ -n $CAP_PID ]]; then kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; fi
  postfix_stop
  dovecot_stop
  # Whatever is left in our namespaces was started by this script: end it by pid.
  for ns in "$SRV_NS" "$CLI_NS"; do
    if ns_exists "$ns"; then
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
      sleep 0.2
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    fi
  done
  if [[ $rc -ne 0 ]]; then
    echo "dovecot.sh: failed (rc=$rc); last Dovecot/Postfix log lines:" >&2
    for f in "$TMP/dovecot.log" "$PF/postfix.log"; do [[ -f $f ]] && tail -n 20 "$f" >&2; done
    [[ -n $CAP_NAME ]] && rm -f "$OUT/$CAP_NAME.pcap"   # never leave a half capture
  fi
  if [[ -n ${MAILX_DC_KEEP:-} ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
  rm -f "$LOCK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ----------------------------------------------------------------------------- network
netns_up() {
  for ns in "$SRV_NS" "$CLI_NS"; do
    # A namespace left by a killed run (we hold the lock, so nobody uses it).
    if ns_exists "$ns"; then
      for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # No IPv6: no router/neighbour solicitations in the captures.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add "$SRV_IF" netns "$SRV_NS" type veth peer name "$CLI_IF" netns "$CLI_NS"
  ip -n "$SRV_NS" addr add "$SRV_IP/24" dev "$SRV_IF"
  ip -n "$CLI_NS" addr add "$CLI_IP/24" dev "$CLI_IF"
  for pair in "$SRV_NS:$SRV_IF" "$CLI_NS:$CLI_IF"; do
    local ns=${pair%%:*} dev=${pair#*:}
    ip -n "$ns" link set "$dev" up
    # veth offloads would put 64 KB super-frames and unfilled checksums in the pcap;
    # turn them off so the frames look like what a real NIC sends.
    if command -v ethtool >/dev/null; then
      ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off gro off >/dev/null 2>&1 || true
    else
      ip -n "$ns" link set dev "$dev" gso_max_segs 1
    fi
  done
  ip -n "$SRV_NS" route | grep -q default && die "unexpected default route"
  return 0
}

# ----------------------------------------------------------------------------- capture
cap_start() {
  CAP_NAME=$1
  rm -f "$OUT/$CAP_NAME.pcap" "$OUT/$CAP_NAME.keys"
  # --immediate-mode: without it libpcap's TPACKET_V3 ring hands packets over in
  # blocks, and those still in an unfinished block are lost when tcpdump is stopped
  # (short sessions came out empty). -U: write each packet at once. -Z root: Debian's
  # tcpdump would drop to user "tcpdump", which may not write into the output dir.
  ip netns exec "$SRV_NS" tcpdump -i "$SRV_IF" --immediate-mode -U -s 0 -Z root \
    -w "$OUT/$CAP_NAME.pcap" tcp \
    2>"$TMP/tcpdump.log" &
  CAP_PID=$!
  for _ in $(seq 50); do grep -q 'listening on' "$TMP/tcpdump.log" 2>/dev/null && return 0; sleep 0.1; done
  die "tcpdump did not start: $(cat "$TMP/tcpdump.log")"
}

cap_stop() {
  sleep "${MAILX_DC_TAIL:-1}"   # let the last FIN/ACKs arrive
  kill -INT "$CAP_PID"
  for _ in $(seq 30); do kill -0 "$CAP_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$CAP_PID" 2>/dev/null && kill -TERM "$CAP_PID"
  wait "$CAP_PID" || true
  CAP_PID=
  echo "   $(grep -Eo '^[0-9]+ packets captured' "$TMP/tcpdump.log") -> $CAP_NAME.pcap"
  CAP_NAME=
}

# ----------------------------------------------------------------------------- servers
render() {  # template -> file, with this run's paths
  sed -e "s|@TMP@|$TMP|g" -e "s|@RUN@|$RUN|g" -e "s|@PF@|$PF|g" -e "s|@SRV_IP@|$SRV_IP|g" "$1" >"$2"
}

setup_files() {
  mkdir -p "$TMP/tls" "$TMP/state" "$TMP/home" "$RUN" "$PF/etc" "$PF/queue" "$PF/data"
  # Self-signed server certificate, valid for the name and the server address.
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=mail.mailx.test/O=mailx sample captures" \
    -addext "subjectAltName=DNS:mail.mailx.test,IP:$SRV_IP" \
    -keyout "$TMP/tls/server.key" -out "$TMP/tls/server.crt" 2>/dev/null
  chmod 644 "$TMP/tls/server.crt"; chmod 600 "$TMP/tls/server.key"
  python3 "$CLIENTS" write-users "$TMP/users" "$TMP/home"
  render "$HERE/dovecot/dovecot.conf.in" "$TMP/dovecot.conf"
  render "$HERE/dovecot/postfix-main.cf.in" "$PF/etc/main.cf"
  render "$HERE/dovecot/postfix-master.cf.in" "$PF/etc/master.cf"
  chown postfix "$PF/data"
}

# Fresh mailboxes + a freshly started Dovecot for every scenario: the stored mail is
# the same each time and Dovecot's per-IP auth penalty of one capture does not slow
# down (or show up in) the next.
seed_mail() {  # seed_mail KIND_ALICE [KIND_BOB] [KIND_CAROL]
  rm -rf "${TMP:?}/home"; mkdir -p "$TMP/home"
  python3 "$CLIENTS" seed "$TMP/home/alice" "${1:-small}"
  python3 "$CLIENTS" seed "$TMP/home/bob" "${2:-small}"
  python3 "$CLIENTS" seed "$TMP/home/carol" "${3:-empty}"
}

dovecot_start() {
  dovecot_stop
  ip netns exec "$SRV_NS" dovecot -c "$TMP/dovecot.conf"
  for _ in $(seq 50); do
    ip netns exec "$SRV_NS" ss -ltn | grep -q "$SRV_IP:995" && return 0
    sleep 0.1
  done
  die "dovecot did not come up: $(tail -5 "$TMP/dovecot.log")"
}

postfix_start() {
  ip netns exec "$SRV_NS" postfix -c "$PF/etc" start >"$TMP/postfix-start.log" 2>&1 \
    || die "postfix did not start: $(cat "$TMP/postfix-start.log")"
  for _ in $(seq 50); do
    ip netns exec "$SRV_NS" ss -ltn | grep -q "$SRV_IP:587" && return 0
    sleep 0.1
  done
  die "postfix did not listen on 587"
}

fresh() { seed_mail "$@"; dovecot_start; }

# ----------------------------------------------------------------------------- clients
cli() { ip netns exec "$CLI_NS" "$@"; }
py() { cli python3 "$CLIENTS" "$@" --host "$SRV_IP" --cafile "$TMP/tls/server.crt"; }
pw() { python3 "$CLIENTS" password "$1"; }

# ----------------------------------------------------------------------------- scenarios
sc_pop3_clean() { fresh; cap_start pop3-clean; py pop3-clean; cap_stop; }

sc_pop3_auth_fail() {
  fresh; cap_start pop3-auth-fail
  py pop3-auth-fail
  # curl: AUTH CRAM-MD5 (server challenge) and AUTH PLAIN with SASL-IR, wrong then right.
  cli curl -sS "pop3://$SRV_IP/" -u "alice:wrong-pw" --login-options AUTH=CRAM-MD5 >/dev/null || true
  cli curl -sS "pop3://$SRV_IP/" -u "alice:$(pw alice)" --login-options AUTH=CRAM-MD5 >/dev/null
  cli curl -sS "pop3://$SRV_IP/" -u "bob:wrong-pw" --login-options AUTH=PLAIN --sasl-ir >/dev/null || true
  cli curl -sS "pop3://$SRV_IP/" -u "bob:$(pw bob)" --login-options AUTH=PLAIN --sasl-ir >/dev/null
  cap_stop
}

sc_pop3_in_use() { fresh; cap_start pop3-in-use; py pop3-in-use; cap_stop; }

# A real server-side fault: dave's Maildir/cur is unreadable for the mail uid.
broken_dave() {
  python3 "$CLIENTS" seed "$TMP/home/dave" small
  chown root:root "$TMP/home/dave/Maildir/cur"; chmod 000 "$TMP/home/dave/Maildir/cur"
}
sc_pop3_sys_temp() { fresh; broken_dave; cap_start pop3-sys-temp; py pop3-sys-temp; cap_stop; }
sc_imap_serverbug() { fresh; broken_dave; cap_start imap-serverbug; py imap-serverbug; cap_stop; }

sc_pop3_stls() { fresh; cap_start pop3-stls; py pop3-stls --keylog "$OUT/pop3-stls.keys"; cap_stop; }

sc_pop3s_implicit() {
  fresh; cap_start pop3s-implicit
  # curl writes the NSS key log when SSLKEYLOGFILE is set (OpenSSL build).
  cli env SSLKEYLOGFILE="$OUT/pop3s-implicit.keys" \
    curl -sS "pop3s://$SRV_IP/1" --cacert "$TMP/tls/server.crt" -u "alice:$(pw alice)" >/dev/null
  py pop3s-implicit --keylog "$OUT/pop3s-implicit.keys"
  cap_stop
}

sc_pop3_retr_attachment() {
  fresh attachment; cap_start pop3-retr-attachment; py pop3-retr-attachment; cap_stop
}

sc_imap_clean() { fresh; cap_start imap-clean; py imap-clean; cap_stop; }

sc_imap_auth_fail() {
  fresh; cap_start imap-auth-fail
  py imap-auth-fail
  # curl: AUTHENTICATE PLAIN with the SASL-IR initial response (RFC 4959), wrong, right.
  cli curl -sS "imap://$SRV_IP/" -u "alice:wrong-pw" --login-options AUTH=PLAIN --sasl-ir >/dev/null || true
  cli curl -sS "imap://$SRV_IP/" -u "alice:$(pw alice)" --login-options AUTH=PLAIN --sasl-ir >/dev/null
  cap_stop
}

sc_imap_overquota() { fresh; cap_start imap-overquota; py imap-overquota; cap_stop; }

sc_imap_starttls() { fresh; cap_start imap-starttls; py imap-starttls --keylog "$OUT/imap-starttls.keys"; cap_stop; }

sc_imaps_implicit() {
  fresh; cap_start imaps-implicit; py imaps-implicit --keylog "$OUT/imaps-implicit.keys"; cap_stop
}

sc_imaps_nokeys() {
  # Same kind of session, no key log kept: "encrypted, not readable".
  fresh; cap_start imaps-nokeys
  cli env -u SSLKEYLOGFILE curl -sS "imaps://$SRV_IP/INBOX;UID=1" --cacert "$TMP/tls/server.crt" -u "alice:$(pw alice)" >/dev/null
  cap_stop
}

sc_imap_fetch_attachment() {
  fresh attachment; cap_start imap-fetch-attachment; py imap-fetch-attachment; cap_stop
}

sc_imap_login_burst() { fresh; cap_start imap-login-burst; py imap-login-burst --count 10; cap_stop; }

sc_submission_auth() {
  fresh; postfix_start; cap_start submission-auth
  local sw=(swaks --server "$SRV_IP:587" --helo client.mailx.test --from "alice@mailx.test"
            --to "bob@mailx.test" --header "Subject: mailx submission sample" --hide-all)
  # Cleartext AUTH although STARTTLS is offered (smtpd_tls_auth_only = no).
  cli "${sw[@]}" --auth PLAIN --auth-user alice --auth-password "$(pw alice)"
  # AUTH LOGIN with a wrong password: 535 5.7.8.
  cli "${sw[@]}" --auth LOGIN --auth-user alice --auth-password wrong-pw || true
  cap_stop
  postfix_stop
}

sc_submission_starttls() {
  fresh; postfix_start; cap_start submission-starttls
  py submission-starttls --keylog "$OUT/submission-starttls.keys"
  cap_stop
  postfix_stop
}

ALL=(pop3-clean pop3-auth-fail pop3-in-use pop3-sys-temp pop3-stls pop3s-implicit
     pop3-retr-attachment imap-clean imap-auth-fail imap-overquota imap-serverbug
     imap-starttls imaps-implicit imaps-nokeys
     imap-fetch-attachment submission-auth submission-starttls imap-login-burst)

# ----------------------------------------------------------------------------- main
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
START=$(date +%s)
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=("${ALL[@]}")
for s in "${scenarios[@]}"; do
  declare -F "sc_${s//-/_}" >/dev/null || die "unknown scenario $s (known: ${ALL[*]})"
done
netns_up
setup_files
for s in "${scenarios[@]}"; do
  fn=sc_${s//-/_}
  say "$s"
  t0=$(date +%s)
  "$fn"
  echo "   ($(( $(date +%s) - t0 ))s)"
done

if command -v tshark >/dev/null; then
  say "verification (tshark)"
  for s in "${scenarios[@]}"; do
    f=$OUT/$s.pcap; opt=()
    [[ -f $OUT/$s.keys ]] && opt=(-o "tls.keylog_file:$OUT/$s.keys")
    n=$(tshark -r "$f" 2>/dev/null | wc -l)
    m=$(tshark -r "$f" "${opt[@]}" -Y 'pop || imap || smtp' 2>/dev/null | wc -l)
    printf '   %-28s %5d frames, %4d pop/imap/smtp frames%s\n' "$s.pcap" "$n" "$m" \
      "$([[ ${#opt[@]} -gt 0 ]] && echo ' (with key log)')"
  done
fi
say "done in $(( $(date +%s) - START ))s; output in $OUT"
