#!/usr/bin/env bash
# docs/playbooks.md and docs/statistics.md cannot go stale: every "$ command"
# in their console blocks runs against the sample captures and must print
# exactly the output shown under it (tests/playbooks/playbooks.py).
#   tests/playbooks/run.sh            check
#   tests/playbooks/run.sh --update   rewrite the outputs in the docs (read the diff!)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "playbooks: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
"$top/tools/install-profile.sh" --dest "$MAILX_TEST_HOME/config/profiles" >/dev/null
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$MAILX_TEST_HOME/config"
passed=0 failed=0
for doc in docs/playbooks.md docs/statistics.md; do
    echo "# $doc"
    out=$(python3 "$top/tests/playbooks/playbooks.py" "$top/$doc" "$@" 2>&1)
    printf '%s\n' "$out" | grep -v '^playbooks:'
    line=$(printf '%s\n' "$out" | grep '^playbooks:' | tail -n 1)
    [ -z "$line" ] && { failed=$((failed + 1)); continue; }
    passed=$((passed + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
done
echo "playbooks: $passed passed, $failed failed"
[ $failed = 0 ]
