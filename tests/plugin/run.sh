#!/usr/bin/env bash
# Load check: tshark (as an unprivileged user when we are root) lists the mailx
# plugin and its public fields; a display filter on them compiles.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "plugin: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
passed=0 failed=0
check() {  # check NAME COMMAND...
    local name=$1; shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1))
    else echo "not ok - $name"; failed=$((failed + 1)); fi
}

plugins=$(mailx_tshark -G plugins 2>&1)
check "tshark -G plugins lists mailx.so" grep -q 'mailx\.so' <<<"$plugins"
if ! grep -q 'mailx\.so' <<<"$plugins"; then
    echo "  the plugin did not load; tshark said:"; printf '%s\n' "$plugins" | sed 's/^/    /' | head -20
fi

fields=$(mailx_tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" { print $3 }')
# The public interface promised by the foundation issue; never rename these.
for f in mailx.session mailx.session.proto \
         mailx.smtp.code mailx.smtp.class mailx.smtp.status mailx.smtp.subject mailx.smtp.detail \
         mailx.smtp.status.text mailx.smtp.command mailx.smtp.request_in mailx.smtp.response_in \
         mailx.smtp.time mailx.smtp.data.size mailx.smtp.data.oversized; do
    check "field $f registered" grep -qx "$f" <<<"$fields"
done
for e in mailx.smtp.transient mailx.smtp.permanent mailx.smtp.status.class_mismatch \
         mailx.smtp.code.unregistered mailx.smtp.message.oversized; do
    check "expert item $e registered" grep -qx "$e" <<<"$fields"
done
# a filter on a mailx field compiles (tshark exits non-zero on a bad filter)
check "display filter compiles" mailx_tshark -r "$top/sample-pcaps/smtp-clean.pcap" -Y 'mailx.smtp.class == 4 || mailx.smtp.data.oversized' -c 1 >/dev/null 2>&1
# `meson install` puts the plugin into Wireshark's global epan plugin folder (from
# pkg-config), unless the build was configured with another folder
if [ -z "$(meson introspect "$MAILX_BUILD" --buildoptions 2>/dev/null |
           python3 -c 'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print(o["plugindir"] or ("personal" if o["personal_install"] else ""))' 2>/dev/null)" ]; then
    want="$(pkg-config --variable=plugindir wireshark)/epan/mailx.so"
    meson install -C "$MAILX_BUILD" --no-rebuild --destdir "$MAILX_TEST_HOME/destdir" >/dev/null 2>&1
    check "meson install puts mailx.so into $want" test -f "$MAILX_TEST_HOME/destdir$want"
fi
echo "plugin: $passed passed, $failed failed"
[ $failed = 0 ]
