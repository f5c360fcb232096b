#!/usr/bin/env bash
# Golden tests: each tests/golden/<case>/ holds `args` (tshark arguments, one
# per line, paths relative to the repo root) and `expected` (its output).
# A failing case prints the diff. `--regen` rewrites the expected files: read
# the diff (git diff tests/golden) before committing them.
#
#   tests/golden/run.sh [--regen] [case ...]     (MAILX_BUILD=build by default)
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
passed=0 failed=0
cd "$top"
for c in "${cases[@]}"; do
    dir="$here/$c"
    mapfile -t args < <(grep -v '^#' "$dir/args" | sed '/^$/d')
    got=$(mailx_tshark "${args[@]}" 2>&1)
    if [ $regen = 1 ]; then
        printf '%s\n' "$got" > "$dir/expected"
        echo "regenerated $c"
        continue
    fi
    if diff -u "$dir/expected" <(printf '%s\n' "$got") > "$MAILX_TEST_HOME/diff"; then
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
