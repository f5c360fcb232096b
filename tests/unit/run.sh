#!/usr/bin/env bash
# Unit tests of epan-ext: every GTest program built by meson (TAP output) and
# the table generator's own test; counts every subtest.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${MAILX_BUILD:-$top/build}
passed=0 failed=0
for exe in "$build"/tests/unit/test_*; do
    [ -x "$exe" ] && [ -f "$exe" ] || continue
    name=$(basename "$exe")
    out=$(MAILX_TABLES="$top/epan-ext/tables" MAILX_SHARED_REFERENCE="$top/../shared/reference" \
          "$exe" --tap 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | grep -cE '^ok ')
    f=$(printf '%s\n' "$out" | grep -cE '^not ok ')
    if [ $rc != 0 ] && [ "$f" = 0 ]; then f=1; fi
    [ "$f" != 0 ] && printf '%s\n' "$out" | grep -E '^not ok|ERROR|Bail out' | sed "s/^/  $name: /"
    echo "  $name: $p passed, $f failed"
    passed=$((passed + p)) failed=$((failed + f))
done
# the generator test (python) runs through meson's own harness
if out=$(meson test -C "$build" --suite unit test_gen_code_tables 2>&1); then
    passed=$((passed + 1)); echo "  test_gen_code_tables: ok"
else
    failed=$((failed + 1)); printf '%s\n' "$out" | tail -20
fi
echo "unit: $passed passed, $failed failed"
[ $failed = 0 ]
