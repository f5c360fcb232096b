#!/usr/bin/env bash
# Installs what mailx needs on Debian 12 (or newer): build tools, Wireshark's
# development files and tshark, and what the tests use. Re-running is cheap:
# apt-get is called only when a package is missing.
#   tools/install-deps.sh            build + test dependencies
#   tools/install-deps.sh --captures also the real servers/clients that
#                                    tools/captures/*.sh drive
set -euo pipefail

pkgs=(
  # build
  meson ninja-build gcc pkg-config libglib2.0-dev libwireshark-dev libwiretap-dev
  # attachment SHA-256 (epan-ext/mime.c); libwireshark-dev does not pull it in
  libgcrypt20-dev
  # run and test: tshark itself, python3 for the oracle and generators,
  # setpriv (util-linux) to run tshark unprivileged, editcap/capinfos
  tshark wireshark-common python3 util-linux
  # hostile-input tests: clang + its sanitizer/fuzzer runtimes, valgrind, /usr/bin/time
  clang libclang-rt-dev valgrind time
  # GUI smoke test (tests/gui): the real Wireshark under a virtual X server,
  # xwininfo (x11-utils) to see its window, ImageMagick's import for the screenshot,
  # xdotool to open File › Export Objects (tests/export/gui.sh).
  # The GUI package is `wireshark` on every suite: on Debian 12 it pulls in
  # wireshark-qt, from 13 on it is the Qt GUI itself (wireshark-qt is gone there).
  wireshark xvfb xauth x11-utils imagemagick xdotool
)
# The version matrix (tools/matrix.sh, run by .ci/run on the host) makes Debian
# chroots with debootstrap; unshare and flock come with util-linux. Not needed
# inside those chroots (MAILX_SUITE is set there).
[ -n "${MAILX_SUITE:-}" ] || pkgs+=(debootstrap)
if [ "${1:-}" = --captures ]; then
  pkgs+=(postfix dovecot-imapd dovecot-pop3d swaks curl tcpdump openssl iproute2 nftables ethtool)
fi

missing=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in "${pkgs[@]}"; do
  # a Debian 12 machine with just wireshark-qt already has the GUI
  [ "$p" = wireshark ] && installed wireshark-qt && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing packages: ${missing[*]}" >&2
  echo "run as root (sudo $0) or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; postfix asks for a mail setup
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
