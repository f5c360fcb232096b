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
  # run and test: tshark itself, python3 for the oracle and generators,
  # setpriv (util-linux) to run tshark unprivileged, editcap/capinfos
  tshark wireshark-common python3 util-linux
  # hostile-input tests: clang + its sanitizer/fuzzer runtimes, valgrind
  clang libclang-rt-dev valgrind
  # GUI smoke test (tests/gui): the real Wireshark under a virtual X server,
  # xwininfo (x11-utils) to see its window, ImageMagick's import for the screenshot
  wireshark-qt xvfb xauth x11-utils imagemagick
)
if [ "${1:-}" = --captures ]; then
  pkgs+=(postfix dovecot-imapd dovecot-pop3d swaks curl tcpdump openssl iproute2 nftables)
fi

missing=()
for p in "${pkgs[@]}"; do
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
