#!/usr/bin/env bash
# Export Objects › Mail attachments: for every sample capture, what
# `tshark --export-objects mailx-attachments,DIR` writes is exactly the
# attachments of the mailx.attach.* fields of the same run (names, sizes,
# SHA-256), only safe names, only inside DIR (tests/export/check_export.py).
# Also: the class is registered, two-pass export gives the same files, the
# byte cap leaves attachments out with an expert item, and no export means no
# bytes kept (no drop reported).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "export: 0 passed, 1 failed"; exit 1; }
trap mailx_tshark_teardown EXIT
pcapdir=${MAILX_SAMPLE_PCAPS:-$top/sample-pcaps}
passed=0 failed=0
tally() {
    while IFS= read -r l; do
        echo "$l"
        case "$l" in ok*) passed=$((passed + 1)) ;; "not ok"*) failed=$((failed + 1)) ;; esac
    done
}
check() {
    local name=$1; shift
    if "$@"; then echo "ok - $name"; passed=$((passed + 1))
    else echo "not ok - $name"; failed=$((failed + 1)); fi
}

check "tshark --export-objects lists mailx-attachments" \
    grep -qx '  *mailx-attachments' <<<"$(mailx_tshark --export-objects help 2>&1)"

fields=(-T fields -E occurrence=a -E 'aggregator=|' -e frame.number -e mailx.attach.export_name
        -e mailx.attach.size -e mailx.attach.sha256 -e _ws.expert.message)
# export CAPTURE LABEL [tshark args...]: one run writes the files and the fields;
# the export directory sits alone in a fresh root (and deep, so that a name
# climbing out with ../ would land inside the root, where the checker looks)
export_run() {
    local pcap=$1 label=$2; shift 2
    local root="$MAILX_TEST_HOME/$label"
    local out="$root/a/b/c/out"
    mkdir -p "$root/a/b/c" && chmod -R 777 "$root"
    local targs=()
    [ -f "${pcap%.pcap}.keys" ] && targs=(-o "tls.keylog_file:${pcap%.pcap}.keys")
    mailx_tshark "${targs[@]}" -r "$pcap" "$@" --export-objects "mailx-attachments,$out" \
        "${fields[@]}" > "$root.tsv" 2> "$root.err"
    local rc=$?
    if [ $rc != 0 ] || [ -s "$root.err" ]; then
        echo "not ok - $label: tshark exit $rc"; sed 's/^/    /' "$root.err" | head -5
        failed=$((failed + 1))
        return 1
    fi
    mkdir -p "$out"   # tshark creates it only when there is something to write
    EXPORT_ROOT="$root/a/b/c" EXPORT_OUT="$out" EXPORT_TSV="$root.tsv"
}

shopt -s nullglob
with_attach=0
for pcap in "$pcapdir"/*.pcap; do
    base=$(basename "$pcap" .pcap)
    export_run "$pcap" "$base" || continue
    n=$(ls -A "$EXPORT_OUT" | wc -l)
    [ "$n" -gt 0 ] && with_attach=$((with_attach + 1))
    tally < <(python3 "$top/tests/export/check_export.py" "$EXPORT_TSV" "$EXPORT_OUT" "$EXPORT_ROOT" 2>&1 ||
              echo "not ok - $base: checker failed")
    # the GUI and tshark -2 re-dissect: the same files from the second pass
    if [ "$n" -gt 0 ]; then
        first=$(cd "$EXPORT_OUT" && sha256sum -- * | sort)
        export_run "$pcap" "$base-2pass" -2 || continue
        check "$base: tshark -2 exports the same files" \
            test "$first" = "$(cd "$EXPORT_OUT" && sha256sum -- * | sort)"
    fi
done
check "at least 5 sample captures export attachments ($with_attach)" test "$with_attach" -ge 5

# The cap: a budget smaller than the 3 MiB attachment drops it, with the expert
# item; a budget between sizes exports what fits and reports the rest.
if [ -f "$pcapdir/smtp-large-attachment.pcap" ]; then
    if export_run "$pcapdir/smtp-large-attachment.pcap" cap-large -o mailx.export_max_bytes:1000000; then
        tally < <(python3 "$top/tests/export/check_export.py" "$EXPORT_TSV" "$EXPORT_OUT" "$EXPORT_ROOT" \
                  --cap 1000000 2>&1 || echo "not ok - cap-large: checker failed")
        check "cap-large: nothing exported" test -z "$(ls -A "$EXPORT_OUT")"
    fi
fi
if [ -f "$pcapdir/smtp-rfc2231-nested.pcap" ]; then
    if export_run "$pcapdir/smtp-rfc2231-nested.pcap" cap-nested -o mailx.export_max_bytes:1000; then
        tally < <(python3 "$top/tests/export/check_export.py" "$EXPORT_TSV" "$EXPORT_OUT" "$EXPORT_ROOT" \
                  --cap 1000 2>&1 || echo "not ok - cap-nested: checker failed")
        check "cap-nested: some exported, some left out" \
            test "$(ls -A "$EXPORT_OUT" | wc -l)" -gt 0 -a "$(ls -A "$EXPORT_OUT" | wc -l)" -lt 5
    fi
fi

# No export requested: no bytes kept, so no drop is reported even with a zero cap.
if [ -f "$pcapdir/smtp-spam-like.pcap" ]; then
    check "no export: no mailx.attach.export.dropped even with mailx.export_max_bytes:0" \
        test "$(mailx_tshark -r "$pcapdir/smtp-spam-like.pcap" -o mailx.export_max_bytes:0 \
                -Y mailx.attach.export.dropped 2>&1 | wc -l)" = 0
    check "mailx.export_keep without an export: the cap is enforced (drops reported)" \
        test "$(mailx_tshark -r "$pcapdir/smtp-spam-like.pcap" -o mailx.export_keep:TRUE \
                -o mailx.export_max_bytes:0 -Y mailx.attach.export.dropped 2>&1 | wc -l)" = 2
fi

# Hostile names, from the real capture made by tools/captures/smtp.sh
hostile="$pcapdir/smtp-hostile-names.pcap"
if [ -f "$hostile" ]; then
    if export_run "$hostile" hostile-names; then
        names=$(ls -A "$EXPORT_OUT")
        check "hostile-names: /etc/passwd-like name exported as _._etc_passwd" grep -qx '_._etc_passwd' <<<"$names"
        check "hostile-names: the 10,000-character name is cut to 200 bytes" \
            python3 -c 'import os,sys; sys.exit(0 if any(len(n.encode()) == 200 and n.startswith("AAAA") for n in os.listdir(sys.argv[1])) else 1)' "$EXPORT_OUT"
        check "hostile-names: two attachments with one name give two files" \
            grep -qx 'same-name-2.txt' <<<"$names"
        # every name as it reaches the disk (the long one checked above)
        want=$(printf '%s\n' _._etc_passwd 'ctl___[31m__evil_._x.txt' invoice_fdp.exe same-name.txt \
               same-name-2.txt SAME-NAME-3.TXT _._Windows_win.ini _CON.txt attachment-f27-11 \
               attachment-f27-12 | LC_ALL=C sort)
        check "hostile-names: the 11 attachments give exactly the expected safe names" \
            test "$want" = "$(grep -v '^AAAA' <<<"$names" | LC_ALL=C sort)" -a "$(wc -l <<<"$names")" = 11
    fi
else
    echo "# smtp-hostile-names.pcap not present"
fi

# No SHA-256 context (libgcrypt could not open one: out of memory, a FIPS error
# state): the attachments are still reported, without mailx.attach.sha256, and
# exported whole, the same files as with a hash; no drop is reported.
# tests/export/no_sha256.c makes the open fail for mailx.so alone.
nested="$pcapdir/smtp-rfc2231-nested.pcap"
if [ -f "$nested" ]; then
    shimdir=$(mktemp -d) && chmod 755 "$shimdir"
    if cc -shared -fPIC -O1 -o "$shimdir/no_sha256.so" "$top/tests/export/no_sha256.c" -ldl \
            2>"$shimdir/cc.log"; then
        chmod 644 "$shimdir/no_sha256.so"
        if export_run "$nested" nested-hashed; then
            hashed_tsv=$EXPORT_TSV
            hashed_files=$(cd "$EXPORT_OUT" && sha256sum -- * | sort)
            # after the wrapper's own preload (the sanitizer runtime comes first)
            preload="${MAILX_ASAN_RUNTIME:+$MAILX_ASAN_RUNTIME:}$shimdir/no_sha256.so"
            if MAILX_TSHARK_WRAPPER="${MAILX_TSHARK_WRAPPER:-} env LD_PRELOAD=$preload" \
                    export_run "$nested" nested-unhashed; then
                # columns: frame, export names, sizes, hashes, expert messages
                check "no SHA-256 context: the same attachments, names and sizes" \
                    test "$(cut -f1-3 "$hashed_tsv")" = "$(cut -f1-3 "$EXPORT_TSV")"
                check "no SHA-256 context: with a hash there were 5 attachments" \
                    test "$(cut -f2 "$hashed_tsv" | tr '|' '\n' | grep -c .)" = 5
                check "no SHA-256 context: no mailx.attach.sha256" \
                    test -z "$(cut -f4 "$EXPORT_TSV" | tr -d '|\n')"
                check "no SHA-256 context: the same 5 files exported whole" \
                    test "$hashed_files" = "$(cd "$EXPORT_OUT" && sha256sum -- * | sort)"
                check "no SHA-256 context: no attachment reported dropped" \
                    test "$(grep -c 'not kept for export' "$EXPORT_TSV")" = 0
            fi
        fi
    else
        echo "not ok - no_sha256.c does not build: $(head -n 3 "$shimdir/cc.log")"
        failed=$((failed + 1))
    fi
    rm -rf "$shimdir"
fi

# The GUI lists the rows too (skipped without xdotool/Xvfb)
tally < <(bash "$top/tests/export/gui.sh" 2>&1)

echo "export: $passed passed, $failed failed"
[ $failed = 0 ]
