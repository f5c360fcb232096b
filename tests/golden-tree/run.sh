#!/usr/bin/env bash
# The two ways mailx reads mail give the same output. On Wireshark 4.0, 4.4 and
# 4.6 it calls the smtp, pop and imap dissectors through their handles and needs
# no protocol tree (MAILX_INTERPOSER, docs/api-differences.md: the handle's
# layout and the dissectors' early returns were read for those three); on other
# versions, or with MAILX_TREE_PATH set, it reads their items from the tree. This suite checks
# which way a run takes (tshark --log-level info), and where the default is
# the handles, runs the golden and oracle cases again the tree's way.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/tshark.sh"
mailx_tshark_setup || { echo "golden-tree: 0 passed, 1 failed"; exit 1; }
passed=0 failed=0
ok() { echo "ok - golden-tree/$1"; passed=$((passed + 1)); }
bad() { echo "not ok - golden-tree/$1"; failed=$((failed + 1)); }

ws_ver=$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
way() {   # the way mailx said it reads mail, with the environment given
    env "$@" bash -c '. "$0/tests/lib/tshark.sh"; mailx_tshark --log-level info -r "$0/sample-pcaps/smtp-clean.pcap" -c 1 -q' \
        "$top" 2>&1 | sed -n 's/.*mailx: mail read //p'
}
handles="through the smtp, pop and imap handles, no protocol tree needed"
tree="from the protocol tree"
default_way=$(MAILX_TEST_HOME=$MAILX_TEST_HOME way)
forced_way=$(MAILX_TEST_HOME=$MAILX_TEST_HOME way MAILX_TREE_PATH=1)
case $ws_ver in
    4.0|4.4|4.6) want=$handles ;;
    *) want=$tree ;;
esac
[ "$default_way" = "$want" ] && ok "Wireshark $ws_ver reads mail $want" \
    || bad "Wireshark $ws_ver: want '$want', mailx said '$default_way'"
[ "$forced_way" = "$tree" ] && ok "MAILX_TREE_PATH: reads mail $tree" \
    || bad "MAILX_TREE_PATH: mailx said '$forced_way'"

# A handle word that disagrees with its public accessor (here made so by an
# LD_PRELOAD shim that answers with a copy): mailx warns, patches nothing and
# reads the tree. The description on every version that takes the handles,
# the pref_suffix word too where the handle has one (4.4, 4.6).
if [ "$want" = "$handles" ]; then
    getters=(dissector_handle_get_description)
    [ "$ws_ver" != 4.0 ] && getters+=(dissector_handle_get_pref_suffix)
    shimdir=$(mktemp -d) && chmod 755 "$shimdir"
    for g in "${getters[@]}"; do
        if ! cc -shared -fPIC -O1 -DMAILX_SHIM_GETTER="$g" -o "$shimdir/$g.so" \
                "$top/tests/golden-tree/handle_shim.c" -ldl 2>"$shimdir/cc.log"; then
            bad "shim for $g does not build: $(head -n 3 "$shimdir/cc.log")"
            continue
        fi
        chmod 644 "$shimdir/$g.so"
        # after the wrapper's own preload (the sanitizer runtime comes first)
        preload="${MAILX_ASAN_RUNTIME:+$MAILX_ASAN_RUNTIME:}$shimdir/$g.so"
        log=$(MAILX_TSHARK_WRAPPER="${MAILX_TSHARK_WRAPPER:-} env LD_PRELOAD=$preload" \
                  mailx_tshark --log-level info \
                  -r "$top/sample-pcaps/smtp-clean.pcap" -c 1 -q 2>&1)
        if grep -q "not laid out as expected" <<<"$log" &&
           grep -q "mail read from the protocol tree" <<<"$log"; then
            ok "$g answering another pointer: warning, tree path"
        else
            bad "$g answering another pointer: $(grep -E 'mailx: ' <<<"$log" | head -n 2)"
        fi
    done
    rm -rf "$shimdir"
fi
mailx_tshark_teardown

if [ "$default_way" = "$handles" ]; then
    for s in golden oracle; do
        out=$(MAILX_TREE_PATH=1 bash "$top/tests/$s/run.sh" 2>&1)
        printf '%s\n' "$out" | grep -E '^not ok' | sed 's/^/    /'
        line=$(printf '%s\n' "$out" | grep -E "^$s: [0-9]+ passed, [0-9]+ failed" | tail -n 1)
        p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
        f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
        if [ -n "$line" ] && [ "$f" = 0 ] && [ "$p" -gt 0 ]; then
            ok "$s on the tree path: $p passed"
        else
            bad "$s on the tree path: ${line:-no summary}"
        fi
    done
fi
echo "golden-tree: $passed passed, $failed failed"
[ $failed = 0 ]
