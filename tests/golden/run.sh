#!/usr/bin/env bash
# Golden tests: each tests/golden/<case>/ holds `args` (tshark arguments, one
# per line, paths relative to the repo root) and `expected` (its output).
# A failing case prints the diff. `--regen` rewrites the expected files: read
# the diff (git diff tests/golden) before committing them.
#
#   tests/golden/run.sh [--regen] [case ...]     (MAILX_BUILD=build by default)
#
# Wireshark versions (4.0, 4.4, 4.6; see docs/api-differences.md). mailx's own
# output must be the same on every version, so there is one `expected` per case,
# written as 4.0 prints it. Two things are Wireshark's, not mailx's, and differ:
#  - How `-T fields` prints an FT_BOOLEAN: `0`/`1` in 4.0, `False`/`True` from
#    4.4 on (the value is the same). Columns whose `-e` field is FT_BOOLEAN (per
#    `tshark -G fields`) are mapped back to 0/1 before comparing; nothing else
#    is touched, so a string that happens to read "True" still counts.
#  - Wireshark's own dissection, when a case shows it or counts from it (e.g.
#    tcp.analysis flags, which mailx.conn.tcp.* sum up): such a case keeps
#    `expected.<major>.<minor>` beside `expected`, used for that version and the
#    later ones up to the next such file, with a `#` comment in `args` saying
#    which Wireshark field differs and how.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
. "$top/tests/lib/tshark.sh"

regen=0
if [ "${1:-}" = --regen ]; then regen=1; shift; fi
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
    for d in "$here"/*/; do [ -f "$d/args" ] && cases+=("$(basename "$d")"); done
fi

mailx_tshark_setup || exit 1
trap mailx_tshark_teardown EXIT
ws_ver=$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
# FT_BOOLEAN field names of this tshark (with the plugin), one per line
mailx_tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" && $4 == "FT_BOOLEAN" { print $3 }' \
    > "$MAILX_TEST_HOME/bool-fields"

# expected_file DIR: DIR/expected.<X.Y> with the highest X.Y <= this version, else DIR/expected
expected_file() {
    local f best=$1/expected v
    for f in "$1"/expected.*; do
        [ -f "$f" ] || continue
        v=${f##*/expected.}
        [ "$(printf '%s\n%s\n' "$v" "$ws_ver" | sort -V | tail -n 1)" = "$ws_ver" ] || continue
        if [ "$best" = "$1/expected" ] ||
           [ "$(printf '%s\n%s\n' "$v" "${best##*/expected.}" | sort -V | tail -n 1)" = "$v" ]; then
            best=$f
        fi
    done
    printf '%s\n' "$best"
}

# normalise_bools ARGS...: stdin -> stdout, the FT_BOOLEAN columns of a
# `-T fields` output (tab separated, in `-e` order) as 0/1 (see the top).
normalise_bools() {
    local cols=() i=0 prev=
    for a in "$@"; do
        if [ "$prev" = -e ]; then
            i=$((i + 1))
            grep -qxF -- "$a" "$MAILX_TEST_HOME/bool-fields" && cols+=("$i")
        fi
        prev=$a
    done
    if [ ${#cols[@]} -eq 0 ]; then cat; return; fi
    awk -F'\t' -v OFS='\t' -v cols="${cols[*]}" '
        BEGIN { n = split(cols, c, " ") }
        { for (k = 1; k <= n; k++) if (c[k] <= NF) { gsub(/True/, "1", $c[k]); gsub(/False/, "0", $c[k]) } print }'
}

passed=0 failed=0
cd "$top"
for c in "${cases[@]}"; do
    dir="$here/$c"
    mapfile -t args < <(grep -v '^#' "$dir/args" | sed '/^$/d')
    got=$(mailx_tshark "${args[@]}" 2>&1 | normalise_bools "${args[@]}")
    exp=$(expected_file "$dir")
    if [ $regen = 1 ]; then
        printf '%s\n' "$got" > "$exp"
        echo "regenerated $c (${exp##*/})"
        continue
    fi
    if diff -u "$exp" <(printf '%s\n' "$got") > "$MAILX_TEST_HOME/diff"; then
        echo "ok - golden/$c"
        passed=$((passed + 1))
    else
        echo "not ok - golden/$c"
        sed 's/^/    /' "$MAILX_TEST_HOME/diff" | head -60
        failed=$((failed + 1))
    fi
done
echo "golden: $passed passed, $failed failed"
[ $failed = 0 ]
