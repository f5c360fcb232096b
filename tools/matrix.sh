#!/bin/bash
# tools/matrix.sh: build and test mailx against newer Wireshark releases, each in a
# Debian chroot made with debootstrap (trixie = Wireshark 4.4.x, sid = 4.6.x).
#
# Usage (as root):
#   tools/matrix.sh SUITE [COMMAND...]
#     SUITE    trixie | sid | all (= trixie, then sid; exits non-zero if any failed)
#     COMMAND  shell command run inside the chroot by `bash -c`, from the source tree;
#              several words are joined with spaces. Default: bash tests/run.sh
#   tools/matrix.sh trixie
#   tools/matrix.sh sid 'meson setup "$MAILX_BUILD_DIR" && meson test -C "$MAILX_BUILD_DIR"'
#   tools/matrix.sh all 'tshark -v | head -n 1'
#   tools/matrix.sh sid bash            # interactive shell (when stdin is a terminal)
#
# Inside the chroot:
#   /mailx/main    the source tree: an overlay whose lower layer is this checkout (never
#                  written) and whose upper layer is a tmpfs, so a command may write
#                  build/ or tests/out/ in it; everything written is gone afterwards.
#                  (MAILX_MATRIX_OVERLAY=0: a plain read-only bind mount instead.)
#   /mailx/shared  ../shared beside the checkout, read-only, when it exists (the meson
#                  tests read ../shared/reference).
#   /mailx/build   an empty tmpfs; $MAILX_BUILD (read by tests/run.sh) and
#                  $MAILX_BUILD_DIR point at it.
#   /proc, /dev    bind/proc mounts; /tmp is a fresh tmpfs.
#   Environment: MAILX_SUITE, MAILX_WS_VERSION (e.g. 4.6.9), MAILX_BUILD, MAILX_BUILD_DIR,
#                HOME=/root, and CI when the host has it; nothing else leaks in.
#
# The chroot is created on first use (debootstrap --variant=minbase, then apt-get install
# of $MAILX_MATRIX_PACKAGES) and reused afterwards: reuse only checks with dpkg that the
# packages are installed (well under a second). A new root is built in <dir>.new and only
# renamed into place when complete, so a half-made chroot is never reused.
#
# Environment knobs:
#   MAILX_CHROOT_DIR      where chroots live (default /var/cache/mailx-chroots); <dir>/<suite>
#   MAILX_MIRROR          Debian mirror URL; default: the first Debian URI in this machine's
#                         apt sources, else debootstrap's own default
#   MAILX_MATRIX_UPDATE=1 apt-get update && upgrade an existing chroot before running
#   MAILX_MATRIX_PACKAGES packages to install (default below)
#   MAILX_DEBOOTSTRAP_OPTS extra debootstrap options (e.g. --no-check-gpg if this
#                         machine's keyring is older than the suite's signing key)
#   MAILX_MATRIX_ENV      names of further host variables to pass into the chroot
#   MAILX_SRC             tree to mount as /mailx/main (default: this checkout)
#
# Everything mounted is unmounted on exit, on failure and on Ctrl-C (trap); the script
# also runs in a private mount namespace (unshare) where available, so even a killed run
# leaves no mounts behind on the host. Runs of the same suite are serialised with flock.
# shellcheck disable=SC2016  # single-quoted $ strings are for dpkg-query and the inner bash
set -euo pipefail

DEFAULT_COMMAND='bash tests/run.sh'
PACKAGES=${MAILX_MATRIX_PACKAGES:-"libwireshark-dev libwiretap-dev libglib2.0-dev libgcrypt20-dev tshark meson ninja-build gcc pkg-config python3"}
CHROOT_BASE=${MAILX_CHROOT_DIR:-/var/cache/mailx-chroots}
SRC=$(cd "${MAILX_SRC:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0 -q)

log() { printf '[matrix %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 2; }

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 1 ] || usage
case $1 in -h|--help) usage ;; esac
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot and mount need it)"

# Re-run inside a private mount namespace: mounts then vanish with the process whatever
# happens to it. The explicit unmounting below still runs; this is the safety net.
if [ -z "${MAILX_MATRIX_IN_NS:-}" ] && command -v unshare >/dev/null &&
   unshare --mount --propagation private true 2>/dev/null; then
  MAILX_MATRIX_IN_NS=1 exec unshare --mount --propagation private -- "$BASH" "${BASH_SOURCE[0]}" "$@"
fi

SUITE_ARG=$1; shift
if [ $# -gt 0 ]; then COMMAND="$*"; else COMMAND=$DEFAULT_COMMAND; fi

# ---- mounts, always undone -------------------------------------------------------
MOUNTS=()
do_mount() { # do_mount TARGET mount-args...
  local target=$1; shift
  mkdir -p "$target"
  mount "$@" "$target"
  MOUNTS+=("$target")
}
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null ||
      log "warning: could not unmount ${MOUNTS[i]}"
  done
  MOUNTS=()
}
cleanup() { local rc=$?; unmount_all; rm -rf "${SCRATCH:-/nonexistent-mailx}"; exit $rc; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
SCRATCH=

# ---- chroot creation --------------------------------------------------------------
host_mirror() {
  [ -n "${MAILX_MIRROR:-}" ] && { echo "$MAILX_MIRROR"; return; }
  local f=/etc/apt/sources.list.d/debian.sources m=
  [ -r "$f" ] &&
    m=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
  [ -n "$m" ] && { echo "$m"; return; }
  [ -r /etc/apt/sources.list ] &&
    awk '$1 == "deb" && $2 !~ /^\[/ && $2 ~ /\/debian\/?$/ { print $2; exit } $1 == "deb" && $2 ~ /^\[/ && $3 ~ /\/debian\/?$/ { print $3; exit }' /etc/apt/sources.list
}

ensure_debootstrap() {
  command -v debootstrap >/dev/null && [ -e "/usr/share/debootstrap/scripts/$1" ] && return
  log "installing debootstrap on the host"
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update >&2
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y debootstrap >&2
  [ -e "/usr/share/debootstrap/scripts/$1" ] ||
    die "this debootstrap has no script for '$1' (set MAILX_DEBOOTSTRAP_OPTS or upgrade debootstrap)"
}

packages_installed() { # packages_installed ROOT
  local st
  [ -x "$1/usr/bin/dpkg-query" ] || return 1
  # shellcheck disable=SC2086
  st=$(chroot "$1" dpkg-query -W -f='${db:Status-Abbrev}\n' $PACKAGES 2>/dev/null) || return 1
  ! grep -qv '^ii' <<<"$st"
}

in_root_apt() { # in_root_apt ROOT 'shell commands'  (with /proc, /dev mounted)
  local root=$1 script=$2 n=${#MOUNTS[@]}
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  do_mount "$root/proc" -t proc proc
  do_mount "$root/dev" --bind /dev
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive /bin/sh -ec "$script" >&2
  while [ ${#MOUNTS[@]} -gt "$n" ]; do  # undo just these two
    umount "${MOUNTS[-1]}" || umount -l "${MOUNTS[-1]}"
    unset 'MOUNTS[-1]'
  done
}

install_packages_script() {
  cat <<EOF
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get ${APT_OPTS[*]} update
apt-get ${APT_OPTS[*]} install -y $PACKAGES
apt-get clean
EOF
}

write_apt_conf() {
  printf 'Acquire::Check-Valid-Until "false";\nAPT::Install-Recommends "false";\n' \
    > "$1/etc/apt/apt.conf.d/99mailx-matrix"
}

ensure_chroot() { # ensure_chroot SUITE ROOT
  local suite=$1 root=$2 t0 mirror new
  # apt inside the chroot (ours or the project's own install step) must accept an
  # expired sid Release file and skip recommends: kept as an apt.conf.d snippet.
  if [ -d "$root/etc/apt/apt.conf.d" ] && [ ! -e "$root/etc/apt/apt.conf.d/99mailx-matrix" ]; then
    write_apt_conf "$root"
  fi
  if [ -d "$root" ] && packages_installed "$root"; then
    if [ "${MAILX_MATRIX_UPDATE:-0}" = 1 ]; then
      log "$suite: updating $root"
      in_root_apt "$root" "apt-get ${APT_OPTS[*]} update; apt-get ${APT_OPTS[*]} -y dist-upgrade; apt-get clean"
    fi
    return
  fi
  if [ -d "$root" ] && [ -x "$root/usr/bin/apt-get" ]; then
    # An existing, complete root whose package list changed: just install what is missing.
    log "$suite: installing packages into existing $root"
    in_root_apt "$root" "$(install_packages_script)"
    packages_installed "$root" || die "$suite: packages still missing in $root"
    return
  fi
  [ ! -e "$root" ] || die "$root exists but is not a usable chroot; remove it"
  ensure_debootstrap "$suite"
  mirror=$(host_mirror || true)
  new=$root.new
  rm -rf --one-file-system "$new"
  mkdir -p "$(dirname "$root")"
  t0=$(date +%s)
  log "$suite: debootstrap into $new (mirror: ${mirror:-debootstrap default})"
  # shellcheck disable=SC2086
  debootstrap --variant=minbase ${MAILX_DEBOOTSTRAP_OPTS:-} "$suite" "$new" ${mirror:+"$mirror"} >&2 ||
    die "$suite: debootstrap failed (see $new/debootstrap/debootstrap.log)"
  write_apt_conf "$new"
  log "$suite: debootstrap took $(( $(date +%s) - t0 ))s; installing packages"
  in_root_apt "$new" "$(install_packages_script)"
  packages_installed "$new" || die "$suite: package installation incomplete"
  mv "$new" "$root"
  log "$suite: chroot ready in $(( $(date +%s) - t0 ))s, $(du -sh --one-file-system "$root" | cut -f1)"
}

# ---- one suite ----------------------------------------------------------------------
run_suite() { # run_suite SUITE
  local suite=$1 root=$CHROOT_BASE/$1 rc=0 wsver
  case $suite in trixie|sid|forky|bookworm) ;; *) die "unknown suite '$suite' (trixie, sid or all)";; esac
  mkdir -p "$CHROOT_BASE"
  exec 9>"$CHROOT_BASE/.$suite.lock"
  flock 9
  ensure_chroot "$suite" "$root"
  wsver=$(chroot "$root" dpkg-query -W -f='${Version}' tshark 2>/dev/null || echo '?')
  log "$suite: tshark $wsver; running: $COMMAND"

  SCRATCH=$(mktemp -d /tmp/mailx-matrix.XXXXXX)
  do_mount "$SCRATCH" -t tmpfs -o mode=0755 mailx-matrix
  do_mount "$root/proc" -t proc proc
  do_mount "$root/dev" --bind /dev
  do_mount "$root/tmp" -t tmpfs -o mode=1777 mailx-tmp
  do_mount "$root/mailx/build" -t tmpfs -o mode=0755 mailx-build
  if [ "${MAILX_MATRIX_OVERLAY:-1}" = 1 ] && mkdir -p "$SCRATCH/upper" "$SCRATCH/work" &&
     mkdir -p "$root/mailx/main" &&
     mount -t overlay overlay -o "lowerdir=$SRC,upperdir=$SCRATCH/upper,workdir=$SCRATCH/work" \
       "$root/mailx/main" 2>/dev/null; then
    MOUNTS+=("$root/mailx/main")
  else
    do_mount "$root/mailx/main" --bind "$SRC"
    mount -o remount,bind,ro "$root/mailx/main"
  fi
  if [ -d "$SRC/../shared" ]; then
    do_mount "$root/mailx/shared" --bind "$SRC/../shared"
    mount -o remount,bind,ro "$root/mailx/shared"
  fi
  local extra=() v
  for v in CI ${MAILX_MATRIX_ENV:-}; do [ -n "${!v+x}" ] && extra+=("$v=${!v}"); done
  chroot "$root" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    TERM="${TERM:-dumb}" MAILX_SUITE="$suite" MAILX_WS_VERSION="${wsver%%-*}" \
    MAILX_BUILD=/mailx/build MAILX_BUILD_DIR=/mailx/build "${extra[@]}" \
    /bin/bash -c 'cd /mailx/main && eval "$1"' mailx-matrix "$COMMAND" || rc=$?
  unmount_all
  rm -rf "$SCRATCH"; SCRATCH=
  exec 9>&-
  log "$suite: exit $rc"
  return $rc
}

if [ "$SUITE_ARG" = all ]; then
  failed=()
  for s in trixie sid; do  # one child per suite: each keeps set -e and its own traps
    "$BASH" "${BASH_SOURCE[0]}" "$s" "$COMMAND" || failed+=("$s")
  done
  if [ ${#failed[@]} -gt 0 ]; then log "failed: ${failed[*]}"; exit 1; fi
  log "all suites passed"
else
  run_suite "$SUITE_ARG"
fi
