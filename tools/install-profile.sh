#!/usr/bin/env bash
# Installs the "Mail Troubleshooting" configuration profile into the user's
# Wireshark profiles folder, so that Edit › Configuration Profiles (or the
# profile switcher in the status bar, or `wireshark -C "Mail Troubleshooting"`)
# offers it.
#
#   tools/install-profile.sh              install / update for the current user
#   tools/install-profile.sh --dest DIR   install into DIR/<profile name> instead
#   tools/install-profile.sh --force      replace an existing copy without a backup
#
# The folder is Wireshark's personal configuration folder, found as Wireshark
# finds it: $WIRESHARK_CONFIG_DIR when set, else $XDG_CONFIG_HOME/wireshark
# (~/.config/wireshark) when it exists, else ~/.wireshark when that exists,
# else ~/.config/wireshark. A copy that
# is already there and differs is kept as "<name>.bak-<time>" first, because
# Wireshark writes the user's own changes (columns, graphs) into the profile.
#
# Where a file's format differs between Wireshark versions, the version's own
# copy in profiles/overlays/<major.minor>/<profile>/ replaces the base file
# (the base files are the 4.0 formats); the version comes from `tshark --version`
# or MAILX_WS_VERSION=<major.minor>.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name="Mail Troubleshooting"
src="$top/profiles/$name"
dest_root=""
force=0
while [ $# -gt 0 ]; do
    case "$1" in
    --dest) dest_root=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-profile.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [ -z "$dest_root" ]; then
    xdg="${XDG_CONFIG_HOME:-$HOME/.config}/wireshark"
    if [ -n "${WIRESHARK_CONFIG_DIR:-}" ]; then conf=$WIRESHARK_CONFIG_DIR
    elif [ -d "$xdg" ]; then conf=$xdg
    elif [ -d "$HOME/.wireshark" ]; then conf=$HOME/.wireshark
    else conf=$xdg; fi
    dest_root="$conf/profiles"
fi
dest="$dest_root/$name"

ver=${MAILX_WS_VERSION:-$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p' || true)}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$src/." "$stage/"
if [ -n "$ver" ] && [ -d "$top/profiles/overlays/$ver/$name" ]; then
    cp -R "$top/profiles/overlays/$ver/$name/." "$stage/"
fi

if [ -d "$dest" ] && ! diff -rq "$stage" "$dest" >/dev/null 2>&1; then
    if [ $force = 0 ]; then
        bak="$dest.bak-$(date +%Y%m%d%H%M%S)"
        mv "$dest" "$bak"
        echo "kept the previous copy as $bak"
    else
        rm -rf "$dest"
    fi
fi
mkdir -p "$dest"
cp -R "$stage/." "$dest/"
echo "installed profile \"$name\"${ver:+ (Wireshark $ver)} into $dest"
echo "use it: wireshark -C \"$name\"   or   tshark -C \"$name\" ..."
