#!/usr/bin/env bash
# Golden tests: each tests/golden/<case>/ holds `args` (tshark arguments, one
# per line, paths relative to the repo root) and `expected` (its output).
# A failing case prints the diff. `--regen` rewrites the expected files: read
# the diff (git diff tests/golden) before committing them.
# An `args` line `derived/<name>.pcap` is a capture made from the sample
# captures by tools/captures/derive-gaps.sh (editcap), afresh for each run.
#
#   tests/golden/run.sh [--regen] [case ...]     (MAILX_BUILD=build by default)
#
# Wireshark versions (4.0, 4.4, 4.6; see docs/api-differences.md). mailx's own
# output must be the same on every version, so there is one `expected` per case,
# written as 4.0 prints it. Two things are Wireshark's, not mailx's, and differ:
#  - How `-T fields` prints some types (the value is the same): FT_BOOLEAN is
#    `0`/`1` in 4.0 and `False`/`True` from 4.4 on; FT_DOUBLE has 15 significant
#    digits in 4.0/4.4 (1.61290322580645) and the shortest exact form in 4.6
#    (1.6129032258064515). tests/golden/normalise.py maps just the columns whose
#    `-e` field has such a type (per `tshark -G fields`) back to 4.0's form;
#    nothing else is touched, so a string that happens to read "True" still counts.
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
# "<field>\t<type>" of this tshark's fields (with the plugin), for normalise.py
mailx_tshark -G fields 2>/dev/null | awk -F'\t' -v OFS='\t' '$1 == "F" { print $3, $4 }' \
    > "$MAILX_TEST_HOME/field-types"

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

# derived captures, made only when a case asks for one
derived=""
for c in "${cases[@]}"; do
    grep -qs '^derived/' "$here/$c/args" && derived=$MAILX_TEST_HOME/derived
done
if [ -n "$derived" ]; then
    bash "$top/tools/captures/derive-gaps.sh" "$derived" > /dev/null || { echo "golden: 0 passed, 1 failed"; exit 1; }
    chmod 755 "$derived"
fi

passed=0 failed=0
cd "$top" || exit 1
for c in "${cases[@]}"; do
    dir="$here/$c"
    mapfile -t args < <(grep -v '^#' "$dir/args" | sed '/^$/d' | sed "s|^derived/|$derived/|")
    got=$(mailx_tshark "${args[@]}" 2>&1 | python3 "$here/normalise.py" "$MAILX_TEST_HOME/field-types" "${args[@]}")
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
