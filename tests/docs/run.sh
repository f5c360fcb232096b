#!/usr/bin/env bash
# Docs stay in sync with the code: every mailx field and expert item the plugin
# registers is documented (first column of a table row in docs/fields.md or
# docs/expert-items.md), every documented name exists, and every mailx
# preference is in docs/preferences.md with its registered default (and, for the
# memory limits, its allowed range).
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

# the default each row states is the registered one; a limit's range is the one
# its description states ("From A to B"), which comes from epan-ext/mem_limits.c
mailx_tshark -G defaultprefs 2>/dev/null > "$MAILX_TEST_HOME/defaultprefs"
defaults=$(sed -nE 's/^#(mailx\.[a-z0-9_.]+): (.*)$/\1 \2/p' "$MAILX_TEST_HOME/defaultprefs" | sort)
docdefaults=$(grep -E '^\| *`mailx\.' "$top/docs/preferences.md" |
              awk -F'|' '{ gsub(/[` ]/, "", $2); split($3, d, " "); print $2, d[1] }' | sort)
dd=$(diff <(printf '%s\n' "$defaults") <(printf '%s\n' "$docdefaults"))
if [ -z "$dd" ]; then ok "every documented default is the registered one"
else bad "defaults differ (< registered, > docs): $(echo $dd)"; fi
ranges=$(awk '/^# .*From [0-9]+ to [0-9]+; default/ { match($0, /From [0-9]+ to [0-9]+/); r = substr($0, RSTART + 5, RLENGTH - 5); next }
              /^#mailx\./ && r != "" { sub(/^#/, ""); sub(/:.*/, ""); print $0, r; r = "" }' "$MAILX_TEST_HOME/defaultprefs" | sort)
docranges=$(grep -E '^\| *`mailx\.' "$top/docs/preferences.md" |
            awk -F'|' 'NF >= 7 && $4 ~ /[0-9]+ to [0-9]+/ { gsub(/[` ]/, "", $2); match($4, /[0-9]+ to [0-9]+/); print $2, substr($4, RSTART, RLENGTH) }' | sort)
dr=$(diff <(printf '%s\n' "$ranges") <(printf '%s\n' "$docranges"))
if [ -z "$dr" ] && [ -n "$ranges" ]; then ok "every limit's documented range is the registered one ($(printf '%s\n' "$ranges" | wc -l))"
else bad "limit ranges differ (< registered, > docs): $(echo $dr)"; fi
echo "docs: $passed passed, $failed failed"
[ $failed = 0 ]
