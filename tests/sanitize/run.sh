#!/usr/bin/env bash
# The whole test suite again, under the AddressSanitizer + UndefinedBehavior-
# Sanitizer build of mailx (tests/lib/asan.sh): the unit programs and the fuzz
# replayers are instrumented themselves, tshark gets the ASan runtime preloaded
# and WIRESHARK_ABORT_ON_DISSECTOR_BUG=1. A sanitizer report makes the tshark
# run fail (exit 86/87), so the suite that ran it fails.
#
#   tests/sanitize/run.sh [suite ...]   default: every suite of tests/run.sh
#                                       but the ones that build or loop on their own
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
. "$top/tests/lib/asan.sh"

# suites that are themselves sanitizer/valgrind/long runs, or time-only checks;
# gui: Wireshark's GUI would load the ASan plugin without the ASan runtime
# preloaded (MAILX_NO_GUI skips the GUI checks inside other suites too)
skip=" sanitize hostile valgrind limits bench gui fuzz "
export MAILX_NO_GUI=1
suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
    eval "$(grep -m1 '^all_suites=' "$top/tests/run.sh")"
    for s in "${all_suites[@]}"; do
        [[ "$skip" == *" $s "* ]] || suites+=("$s")
    done
fi

if ! mailx_asan_build; then
    echo "sanitize: 0 passed, 1 failed"; exit 1
fi
echo "ASan build: $MAILX_ASAN_BUILD; tshark runs with: $MAILX_TSHARK_WRAPPER"
# the fuzz replayers run instrumented here; libFuzzer itself runs in the fuzz suite
out=$(MAILX_BUILD=$MAILX_ASAN_BUILD MAILX_FUZZ_SECONDS=0 "$top/tests/run.sh" "${suites[@]}" fuzz 2>&1)
rc=$?
printf '%s\n' "$out" | sed -n '/^== summary/,$p' | sed '$d'
printf '%s\n' "$out" | grep -E '^not ok|AddressSanitizer|runtime error|failed assertion|Dissector bug' | head -40
last=$(printf '%s\n' "$out" | tail -n 1)
p=$(printf '%s' "$last" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p')
f=$(printf '%s' "$last" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p')
if [ -z "$p" ]; then
    printf '%s\n' "$out" | tail -n 30
    p=0 f=1
fi
[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
echo "sanitize: $p passed, $f failed"
[ "$f" = 0 ]
