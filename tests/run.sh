#!/usr/bin/env bash
# The whole test suite: builds mailx, runs every suite, and ends with one line
# "N passed, N failed" over all of them. Each suite is a script that prints
# "<suite>: N passed, N failed" as its last line.
#
#   tests/run.sh [suite ...]     MAILX_BUILD=<dir> to use another build dir
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
cd "$top" || exit 1

# The order matters only for reading: fast, basic suites first.
all_suites=(unit plugin golden golden-tree oracle docs stats export profile gui playbooks net)
# Hostile input (docs/hostile-input.md), each bounded to a few minutes in CI:
# fuzz (replays + 2 min of libFuzzer), limits (generated hostile captures),
# hostile (corrupted/cut captures under ASan), valgrind, sanitize (all of the above
# suites again under the ASan/UBSan build).
all_suites+=(fuzz limits hostile valgrind sanitize)
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=("${all_suites[@]}")

start=$(date +%s)
if ! bash "$top/tools/install-deps.sh"; then
    echo "install: 0 passed, 1 failed"
    echo "0 passed, 1 failed"
    exit 1
fi
total_pass=0 total_fail=0
summary=()

echo "== build ($MAILX_BUILD)"
if [ ! -f "$MAILX_BUILD/build.ninja" ]; then
    meson setup "$MAILX_BUILD" ${MAILX_MESON_ARGS:-} || { echo "0 passed, 1 failed"; exit 1; }
fi
if ! ninja -C "$MAILX_BUILD"; then
    echo "build: 0 passed, 1 failed"
    echo "0 passed, 1 failed"
    exit 1
fi

for s in "${suites[@]}"; do
    script="$top/tests/$s/run.sh"
    if [ ! -x "$script" ]; then
        echo "no such suite: $s" >&2
        total_fail=$((total_fail + 1))
        summary+=("$s: missing")
        continue
    fi
    echo "== $s"
    t0=$(date +%s)
    out=$("$script" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^[a-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
    p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    if [ -z "$line" ]; then
        # a suite that died before its summary counts as one failure
        p=0 f=1
    elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    summary+=("$s: $p passed, $f failed ($(( $(date +%s) - t0 )) s)")
done

echo "== summary ($(( $(date +%s) - start )) s)"
printf '  %s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
