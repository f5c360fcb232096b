#!/usr/bin/env bash
# The long local fuzz run behind the figures in docs/hostile-input.md: every
# target (or those named) for SECONDS each, with a corpus kept in fuzz-out/
# (ignored by git) so that runs add up. Prints the table to paste into the doc.
#
#   tests/fuzz/long.sh SECONDS_PER_TARGET [target...]
#   MAILX_FUZZ_JOBS=2 tests/fuzz/long.sh 3600     two processes per target (-fork)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
per=${1:?usage: long.sh SECONDS_PER_TARGET [target...]}
shift
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for r in "$MAILX_BUILD"/tests/fuzz/replay_*; do
        [ -x "$r" ] && [ -f "$r" ] && targets+=("${r##*/replay_}")
    done
fi
mkdir -p "$top/fuzz-out/corpus"
log="$top/fuzz-out/long-$(date -u +%Y%m%dT%H%M%SZ).log"
nparsers=0
for t in "${targets[@]}"; do [ "$t" != mailx_plugin ] && nparsers=$((nparsers + 1)); done
# mailx_plugin (the whole plugin under libwireshark) has its own budget in run.sh
MAILX_FUZZ_SECONDS=$((per * (nparsers > 0 ? nparsers : 1))) MAILX_FUZZ_PLUGIN_SECONDS=$per MAILX_FUZZ_CORPUS="$top/fuzz-out/corpus" \
    "$top/tests/fuzz/run.sh" "${targets[@]}" 2>&1 | tee "$log"
echo "log: $log"
