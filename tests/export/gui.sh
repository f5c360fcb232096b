#!/usr/bin/env bash
# GUI check of File > Export Objects > Mail attachments: the real Wireshark
# under Xvfb (as tests/gui/run.sh) opens smtp-spam-like.pcap with
# mailx.export_keep set, the menu is driven with xdotool, and the dialog
# "Mail attachments object list" must open; a screenshot is kept in
# tests/out/export/export-objects.png. Prints ok/not ok lines; skipped (no
# lines) when wireshark, xvfb-run, xdotool or import is missing.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
# the sanitizer run (tests/sanitize) sets this: the GUI cannot load an ASan plugin
[ -n "${MAILX_NO_GUI:-}" ] && { echo "# gui check skipped: MAILX_NO_GUI"; exit 0; }
for tool in wireshark xvfb-run xdotool xwininfo import; do
    command -v "$tool" >/dev/null || { echo "# gui check skipped: no $tool"; exit 0; }
done
pcap=${MAILX_SAMPLE_PCAPS:-$top/sample-pcaps}/smtp-spam-like.pcap
[ -f "$pcap" ] || { echo "# gui check skipped: no $pcap"; exit 0; }
mailx_tshark_setup || { echo "not ok - mailx plugin built"; exit 1; }
trap mailx_tshark_teardown EXIT
out="$top/tests/out/export"
mkdir -p "$out"
rm -f "$out/export-objects.png"
cp "$pcap" "$MAILX_TEST_HOME/capture.pcap"
chmod a+r "$MAILX_TEST_HOME/capture.pcap"
home="$MAILX_TEST_HOME/home"
mkdir -p "$home/run"
chmod 700 "$home/run"
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$home" "$MAILX_TEST_HOME/config"
cat > "$MAILX_TEST_HOME/inner.sh" <<EOF
#!/usr/bin/env bash
envs=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8 DISPLAY="\$DISPLAY"
      HOME="$home" XDG_RUNTIME_DIR="$home/run" TZ=UTC QT_QPA_PLATFORM=xcb
      WIRESHARK_PLUGIN_DIR="$MAILX_TEST_HOME/plugins" WIRESHARK_CONFIG_DIR="$MAILX_TEST_HOME/config")
if [ "\$(id -u)" = 0 ]; then run=(setpriv --reuid=nobody --regid=nogroup --clear-groups "\${envs[@]}")
else run=("\${envs[@]}"); fi
"\${run[@]}" wireshark -r "$MAILX_TEST_HOME/capture.pcap" -o mailx.export_keep:TRUE \
    -o gui.update.enabled:FALSE 2> "$out/wireshark.stderr" &
ws=\$!
up=0
for i in \$(seq 1 60); do
    if xwininfo -root -tree 2>/dev/null | grep -q 'capture.pcap'; then up=1; break; fi
    sleep 0.5
done
sleep 4
w=\$(xdotool search --name 'capture.pcap' | head -n 1)
xdotool windowactivate --sync "\$w" 2>/dev/null; xdotool windowfocus --sync "\$w" 2>/dev/null
# File menu from the bottom: Quit, Print, Export Objects; its submenu lists
# the classes by filter name: dicom ftp-data http imf mailx-attachments ...
# (typed letters would hit other items' mnemonics)
xdotool key --delay 300 alt+f
sleep 1
xdotool key --delay 300 Up Up Up Right
sleep 1
xdotool key --delay 300 Down Down Down Down Return
dlg=0
for i in \$(seq 1 20); do
    if xwininfo -root -tree 2>/dev/null | grep -q 'Mail attachments object list'; then dlg=1; break; fi
    sleep 0.5
done
sleep 3
import -window root "$out/export-objects.png" 2>/dev/null
xwininfo -root -tree > "$out/windows.txt" 2>&1
kill \$ws 2>/dev/null; sleep 1; kill -9 \$ws 2>/dev/null
echo "window=\$up dialog=\$dlg"
EOF
chmod +x "$MAILX_TEST_HOME/inner.sh"
res=$(timeout 90 xvfb-run -a -s "-ac -screen 0 1400x900x24" "$MAILX_TEST_HOME/inner.sh" 2>&1)
if grep -q 'dialog=1' <<<"$res"; then
    echo "ok - GUI: File > Export Objects > Mail attachments opens its dialog ($out/export-objects.png)"
else
    echo "not ok - GUI: File > Export Objects > Mail attachments opens its dialog ($res)"
fi
