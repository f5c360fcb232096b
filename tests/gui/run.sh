#!/usr/bin/env bash
# GUI smoke test: the real Wireshark (Debian's wireshark-qt) starts under Xvfb
# with the mailx plugin and the "Mail Troubleshooting" profile, opens a sample
# capture with a mailx display filter applied, and a screenshot is taken.
# Fails when Wireshark does not start or show a window, when its stderr
# reports a plugin, profile or filter problem, or when the screenshot is blank.
#
# Artefacts (git-ignored): tests/out/gui/screenshot.png, wireshark.stderr
# Bounded: Wireshark gets MAILX_GUI_WAIT seconds (default 25) to draw.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
passed=0 failed=0
ok()  { echo "ok - $1"; passed=$((passed + 1)); }
nok() { echo "not ok - $1"; failed=$((failed + 1)); }
finish() { echo "gui: $passed passed, $failed failed"; [ $failed = 0 ]; exit $?; }

for tool in wireshark xvfb-run xwininfo import identify; do
    command -v "$tool" >/dev/null || { nok "$tool is installed (tools/install-deps.sh)"; finish; }
done
mailx_tshark_setup || { nok "mailx plugin built"; finish; }
trap mailx_tshark_teardown EXIT
pcapdir=${MAILX_SAMPLE_PCAPS:-$top/sample-pcaps}
out="$top/tests/out/gui"
mkdir -p "$out"
rm -f "$out/screenshot.png" "$out/wireshark.stderr"
name="Mail Troubleshooting"
"$top/tools/install-profile.sh" --dest "$MAILX_TEST_HOME/config/profiles" >/dev/null

# The capture: the first sample with SMTP 5xx replies (what the README shows),
# else any capture with mailx frames.
filter='mailx.smtp.class == 5'
pcap=""
shopt -s nullglob
for p in "$pcapdir"/smtp-unknown-user.pcap "$pcapdir"/smtp-*.pcap "$pcapdir"/*.pcap; do
    if [ -n "$(mailx_tshark -r "$p" -Y "$filter" 2>/dev/null | head -n 1)" ]; then pcap=$p; break; fi
done
if [ -z "$pcap" ]; then
    filter='mailx'
    for p in "$pcapdir"/*.pcap; do
        if [ -n "$(mailx_tshark -r "$p" -Y "$filter" 2>/dev/null | head -n 1)" ]; then pcap=$p; break; fi
    done
fi
[ -n "$pcap" ] || { nok "a sample capture with mailx frames in $pcapdir"; finish; }
cp "$pcap" "$MAILX_TEST_HOME/capture.pcap"
chmod a+r "$MAILX_TEST_HOME/capture.pcap"

# Window layout for a readable screenshot (the files Wireshark itself keeps):
# full screen, no byte view, so the columns and the mailx tree item show.
printf '%s\n' 'gui.geometry_main_x: 0' 'gui.geometry_main_y: 0' 'gui.geometry_main_width: 1600' \
    'gui.geometry_main_height: 960' 'gui.geometry_main_maximized: FALSE' > "$MAILX_TEST_HOME/config/recent_common"
printf '%s\n' 'gui.byte_view_show: FALSE' 'gui.geometry_main_upper_pane: 420' \
    >> "$MAILX_TEST_HOME/config/profiles/$name/recent"

# Wireshark ignores WIRESHARK_PLUGIN_DIR as root, so as root it runs as nobody
# (like tests/lib/tshark.sh), with its own HOME and XDG_RUNTIME_DIR.
home="$MAILX_TEST_HOME/home"
mkdir -p "$home/run"
chmod 700 "$home/run"
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$home" "$MAILX_TEST_HOME/config"
wait_s=${MAILX_GUI_WAIT:-25}
cat > "$MAILX_TEST_HOME/inner.sh" <<EOF
#!/usr/bin/env bash
# runs inside xvfb-run: start Wireshark, wait for its main window, screenshot, quit
envs=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8 DISPLAY="\$DISPLAY"
      HOME="$home" XDG_RUNTIME_DIR="$home/run" TZ=UTC QT_QPA_PLATFORM=xcb
      WIRESHARK_PLUGIN_DIR="$MAILX_TEST_HOME/plugins" WIRESHARK_CONFIG_DIR="$MAILX_TEST_HOME/config")
if [ "\$(id -u)" = 0 ]; then run=(setpriv --reuid=nobody --regid=nogroup --clear-groups "\${envs[@]}")
else run=("\${envs[@]}"); fi
"\${run[@]}" wireshark -C "$name" -r "$MAILX_TEST_HOME/capture.pcap" -Y "$filter" \
    -o gui.update.enabled:FALSE 2> "$out/wireshark.stderr" &
ws=\$!
up=0
for i in \$(seq 1 $((wait_s * 2))); do
    kill -0 \$ws 2>/dev/null || break
    if xwininfo -root -tree 2>/dev/null | grep -q '"Wireshark\| - Wireshark\|capture.pcap'; then up=1; break; fi
    sleep 0.5
done
# let the packet list, filter and columns draw
[ \$up = 1 ] && sleep 6
import -window root "$out/screenshot.png" 2>/dev/null
xwininfo -root -tree > "$out/windows.txt" 2>&1
kill \$ws 2>/dev/null; sleep 1; kill -9 \$ws 2>/dev/null
echo "window=\$up"
EOF
chmod +x "$MAILX_TEST_HOME/inner.sh"
res=$(timeout $((wait_s + 40)) xvfb-run -a -s "-ac -screen 0 1600x1000x24" "$MAILX_TEST_HOME/inner.sh" 2>&1)
echo "# capture $(basename "$pcap"), filter '$filter'"

if grep -q 'window=1' <<<"$res"; then ok "Wireshark starts under Xvfb and shows its main window"
else nok "Wireshark starts under Xvfb and shows its main window ($res)"; fi

# Wireshark's own messages about plugins, the profile's files and filters
bad=$(grep -iE 'plugin|profile|colorfilter|dfilter|macro|uat|preference|mailx|compile|invalid|not a valid|unknown field|error' \
      "$out/wireshark.stderr" 2>/dev/null | grep -v 'Running as user' || true)
if [ -z "$bad" ]; then ok "no plugin, profile or filter problem on stderr"
else nok "no plugin, profile or filter problem on stderr"; printf '%s\n' "$bad" | sed 's/^/    /' | head -20; fi

if [ -s "$out/screenshot.png" ]; then
    colours=$(identify -format '%k' "$out/screenshot.png" 2>/dev/null || echo 0)
    if [ "${colours:-0}" -gt 64 ]; then ok "screenshot $out/screenshot.png is not blank ($colours colours)"
    else nok "screenshot is not blank (only ${colours:-0} colours)"; fi
else
    nok "screenshot taken"
fi
finish
