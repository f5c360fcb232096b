#!/usr/bin/env bash
# The "Mail Troubleshooting" profile is right: tools/install-profile.sh installs
# it, its files have the format Wireshark 4.0 reads, tshark loads it without a
# warning, every display filter in it (buttons, macros, I/O graphs, colouring
# rules) compiles, every custom column names a registered field, and every
# filter that should find something matches frames of the sample captures.
#
# Every filter must match some sample capture (the oversized ones with a
# lowered size limit, see `lowered`).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "profile: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
pcapdir=${MAILX_SAMPLE_PCAPS:-$top/sample-pcaps}
name="Mail Troubleshooting"
prof="$MAILX_TEST_HOME/config/profiles/$name"
passed=0 failed=0 skipped=0
ok()   { echo "ok - $1"; passed=$((passed + 1)); }
nok()  { echo "not ok - $1"; failed=$((failed + 1)); }
skip() { echo "skip - $1"; skipped=$((skipped + 1)); }

# No sample message passes the default 10 MiB mailx.data_size_limit; these
# filters are checked on the 4.3 MB large-attachment capture with the limit
# lowered to 1 MB, as an admin on a narrow uplink would set it.
declare -A lowered=(
    ["dfilter_buttons"$'\t'"Oversized"]=1
    ["io_graphs"$'\t'"Oversized messages (size)"]=1
    ["colorfilters"$'\t'"mailx: oversized message"]=1
)

# --- install with the documented command
out=$(MAILX_WS_VERSION='' "$top/tools/install-profile.sh" --dest "$MAILX_TEST_HOME/config/profiles" 2>&1)
if [ -f "$prof/dfilter_buttons" ] && diff -r "$top/profiles/$name" "$prof" >/dev/null; then
    ok "tools/install-profile.sh installs the profile ($out)"
else
    nok "tools/install-profile.sh installs the profile: $out"
fi
[ "$(id -u)" = 0 ] && chown -R nobody:nogroup "$MAILX_TEST_HOME/config"

# --- file formats
if python3 "$top/tests/profile/profile_files.py" "$prof" > "$MAILX_TEST_HOME/filters" 2> "$MAILX_TEST_HOME/format.err"; then
    ok "profile files have Wireshark 4.0's formats ($(wc -l < "$MAILX_TEST_HOME/filters") filters and columns)"
else
    nok "profile files have Wireshark 4.0's formats"; sed 's/^/    /' "$MAILX_TEST_HOME/format.err"
fi

shopt -s nullglob
pcaps=("$pcapdir"/*.pcap)
if [ ${#pcaps[@]} = 0 ]; then
    # compiling needs some capture to read: an empty one will do
    python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,1))' \
        > "$MAILX_TEST_HOME/empty.pcap"
    chmod a+r "$MAILX_TEST_HOME/empty.pcap"
    first="$MAILX_TEST_HOME/empty.pcap"
else
    first=${pcaps[0]}
fi
tls_args() {  # tls_args PCAP: the key log option when the capture has one
    local k="${1%.pcap}.keys"
    [ -f "$k" ] && printf '%s\n' -o "tls.keylog_file:$k"
}

# --- tshark loads the profile (preferences, macros, buttons, colouring rules) silently
err=$(mailx_tshark -C "$name" --color -r "$first" -c 1 2>&1 >/dev/null)
if [ -z "$err" ]; then ok "tshark -C \"$name\" --color loads the profile without a warning"
else nok "tshark -C \"$name\" --color loads the profile without a warning"; printf '%s\n' "$err" | sed 's/^/    /' | head -20; fi

# --- every filter compiles; every custom column field is registered
fields=$(mailx_tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" { print $3 }')
declare -a flist=()
while IFS=$'\t' read -r file label flt; do
    if [ "$file" = column ]; then
        if grep -qxF "$flt" <<<"$fields"; then ok "column \"$label\": field $flt is registered"
        else nok "column \"$label\": field $flt is registered"; fi
        continue
    fi
    flist+=("$file"$'\t'"$label"$'\t'"$flt")
    if e=$(mailx_tshark -C "$name" -r "$first" -Y "$flt" -c 1 2>&1 >/dev/null) && [ -z "$e" ]; then
        ok "$file \"$label\" compiles: $flt"
    else
        nok "$file \"$label\" compiles: $flt"; printf '%s\n' "$e" | sed 's/^/    /' | head -5
    fi
done < "$MAILX_TEST_HOME/filters"
# the parameterised macros, through an example use
for use in '${smtp_code:550}' '${mail_session:1}'; do
    if mailx_tshark -C "$name" -r "$first" -Y "$use" -c 1 >/dev/null 2>&1; then ok "macro use $use compiles"
    else nok "macro use $use compiles"; fi
done

# --- every filter finds frames in the sample captures (two passes, as the GUI)
if [ ${#pcaps[@]} = 0 ]; then
    skip "filters match sample captures: no captures in $pcapdir yet"
else
    # One pass per capture counts every filter at once (-z io,stat,0,F1,F2,...);
    # io,stat splits its argument on commas, so a filter with a comma of its own
    # is counted by a -Y run of its own. Filters already seen matching are dropped.
    declare -A hits=()
    for pcap in "${pcaps[@]}"; do
        mapfile -t targs < <(tls_args "$pcap")
        batch=() single=()
        for entry in "${flist[@]}"; do
            [ "${hits[$entry]:-0}" -gt 0 ] && continue
            IFS=$'\t' read -r file label flt <<<"$entry"
            case "$flt" in *,*) single+=("$entry") ;; *) batch+=("$entry") ;; esac
        done
        if [ ${#batch[@]} -gt 0 ]; then
            arg="io,stat,0"
            for entry in "${batch[@]}"; do IFS=$'\t' read -r file label flt <<<"$entry"; arg+=",$flt"; done
            # the data row: | interval | frames | bytes | frames | bytes ...
            counts=$(mailx_tshark -C "$name" "${targs[@]}" -r "$pcap" -2 -q -z "$arg" 2>/dev/null |
                     awk -F'|' '/<>/ { for (i = 3; i < NF; i += 2) { gsub(/ /, "", $i); print $i } }')
            mapfile -t cnt <<<"$counts"
            for i in "${!batch[@]}"; do
                hits[${batch[$i]}]=$(( ${hits[${batch[$i]}]:-0} + ${cnt[$i]:-0} ))
            done
        fi
        for entry in "${single[@]}"; do
            IFS=$'\t' read -r file label flt <<<"$entry"
            n=$(mailx_tshark -C "$name" "${targs[@]}" -r "$pcap" -2 -Y "$flt" 2>/dev/null | wc -l)
            hits[$entry]=$(( ${hits[$entry]:-0} + n ))
        done
    done
    for entry in "${flist[@]}"; do
        IFS=$'\t' read -r file label flt <<<"$entry"
        key="$file"$'\t'"$label"
        if [ "${hits[$entry]:-0}" -gt 0 ]; then
            ok "$file \"$label\" matches frames in the sample captures"
        elif [ -n "${lowered[$key]:-}" ]; then
            n=$(mailx_tshark -C "$name" -o mailx.data_size_limit:1000000 -r "$pcapdir/smtp-large-attachment.pcap" \
                -2 -Y "$flt" 2>/dev/null | wc -l)
            if [ "$n" -gt 0 ]; then
                ok "$file \"$label\" matches $n frame(s) of smtp-large-attachment with mailx.data_size_limit at 1 MB"
            else
                nok "$file \"$label\" matches smtp-large-attachment with mailx.data_size_limit at 1 MB"
            fi
        else
            nok "$file \"$label\" matches frames in the sample captures (none of ${#pcaps[@]} captures)"
        fi
    done
fi

# --- the custom columns show mailx values in tshark's summary lines
if [ ${#pcaps[@]} -gt 0 ]; then
    line=""
    for pcap in "${pcaps[@]}"; do
        mapfile -t targs < <(tls_args "$pcap")
        # (-c would cut the first of the two passes)
        line=$(mailx_tshark -C "$name" "${targs[@]}" -r "$pcap" -2 -Y 'mailx.smtp.status' 2>/dev/null | head -n 1)
        [ -n "$line" ] && break
    done
    st=$(mailx_tshark -C "$name" "${targs[@]}" -r "$pcap" -2 -Y 'mailx.smtp.status' -T fields -e mailx.smtp.status 2>/dev/null |
         head -n 1 | cut -d, -f1)
    if [ -n "$line" ] && [ -n "$st" ] && grep -qF "$st" <<<"$line"; then
        ok "custom columns show the enhanced status ($st) in the packet list"
    else
        nok "custom columns show the enhanced status in the packet list: '$line'"
    fi
fi

# --- the Code/Status/Answers columns also show POP3 and IMAP replies (a || b columns)
for spec in "pop3-in-use.pcap|mailx.pop.response.err|-ERR IN-USE PASS" \
            "imap-overquota.pcap|mailx.imap.response.no|NO OVERQUOTA APPEND"; do
    IFS='|' read -r cap flt want <<<"$spec"
    pc="$pcapdir/$cap"
    [ -f "$pc" ] || { skip "custom columns for $cap: capture not there"; continue; }
    line=$(mailx_tshark -C "$name" -r "$pc" -2 -Y "$flt" 2>/dev/null | head -n 1)
    if grep -qF -- "$want" <<<"$line"; then ok "custom columns show '$want' for $cap"
    else nok "custom columns show '$want' for $cap: '$line'"; fi
done

echo "profile: $passed passed, $failed failed ($skipped skipped)"
[ $failed = 0 ]
