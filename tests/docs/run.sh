#!/usr/bin/env bash
# Docs stay in sync with the code: every mailx field and expert item the plugin
# registers is documented (first column of a table row in docs/fields.md or
# docs/expert-items.md), every documented name exists, and every mailx
# preference is in docs/preferences.md.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "docs: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
bad() { echo "not ok - $1"; failed=$((failed + 1)); }

registered=$(mailx_tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" && $3 ~ /^mailx\./ { print $3 }' | sort -u)
# names in the first column of markdown table rows
documented=$(cat "$top/docs/fields.md" "$top/docs/expert-items.md" 2>/dev/null |
             grep -E '^\| *`mailx\.' | sed -E 's/^\| *`([^`]+)`.*/\1/' | sort -u)
missing=$(comm -23 <(printf '%s\n' "$registered") <(printf '%s\n' "$documented"))
extra=$(comm -13 <(printf '%s\n' "$registered") <(printf '%s\n' "$documented"))
if [ -z "$missing" ]; then ok "every registered field and expert item is documented"
else bad "undocumented: $(echo $missing)"; fi
if [ -z "$extra" ]; then ok "every documented name is registered"
else bad "documented but not registered: $(echo $extra)"; fi

prefs=$(mailx_tshark -G defaultprefs 2>/dev/null | sed -nE 's/^#(mailx\.[a-z0-9_.]+):.*/\1/p' | sort -u)
docprefs=$(grep -E '^\| *`mailx\.' "$top/docs/preferences.md" 2>/dev/null | sed -E 's/^\| *`([^`]+)`.*/\1/' | sort -u)
pm=$(comm -23 <(printf '%s\n' "$prefs") <(printf '%s\n' "$docprefs"))
pe=$(comm -13 <(printf '%s\n' "$prefs") <(printf '%s\n' "$docprefs"))
if [ -z "$pm" ] && [ -n "$prefs" ]; then ok "every preference is documented"
else bad "undocumented preferences: $(echo $pm)"; fi
if [ -z "$pe" ]; then ok "every documented preference exists"
else bad "documented but not registered preferences: $(echo $pe)"; fi
echo "docs: $passed passed, $failed failed"
[ $failed = 0 ]
