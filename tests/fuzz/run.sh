#!/usr/bin/env bash
# Fuzz suite.
#  1. Replay: every target's replayer (built in MAILX_BUILD, so also under the
#     ASan/UBSan build) runs its regression inputs (tests/fuzz/regress/<target>/)
#     and seeds cut fresh from sample-pcaps/*.pcap (extract_seeds.py).
#  2. libFuzzer: unless MAILX_FUZZ_SECONDS=0, builds the libFuzzer binaries
#     with clang in MAILX_FUZZ_BUILD (default: $MAILX_BUILD-fuzz; -Dfuzz=true
#     -Db_sanitize=address,undefined) and runs every target, splitting
#     MAILX_FUZZ_SECONDS (default 120) between them. A crash fails the suite and
#     its input is kept under tests/out/fuzz/ to become a regression input.
#     mailx_plugin (the whole plugin under libwireshark, fuzz_mailx_plugin.c)
#     gets MAILX_FUZZ_PLUGIN_SECONDS (default 45) of its own, runs as user
#     nobody when root (see run_as below), and its corpus is replayed with
#     LeakSanitizer afterwards (leaks are not checked input by input there).
#
#   MAILX_FUZZ_SECONDS=3600 MAILX_FUZZ_CORPUS=fuzz-out/corpus tests/fuzz/run.sh [target...]
#     long run with a corpus kept between runs (fuzz-out/ is ignored by git);
#     tests/fuzz/long.sh wraps this and prints the figures for docs/hostile-input.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
seconds=${MAILX_FUZZ_SECONDS:-120}
plugin_seconds=${MAILX_FUZZ_PLUGIN_SECONDS:-45}
fbuild=${MAILX_FUZZ_BUILD:-$MAILX_BUILD-fuzz}
jobs=${MAILX_FUZZ_JOBS:-}
passed=0 failed=0
ok()   { echo "ok - fuzz/$1"; passed=$((passed + 1)); }
fail() { echo "not ok - fuzz/$1"; failed=$((failed + 1)); }

# the targets are what meson built: the list lives in tests/fuzz/meson.build only
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for r in "$MAILX_BUILD"/tests/fuzz/replay_*; do
        [ -x "$r" ] && [ -f "$r" ] && targets+=("${r##*/replay_}")
    done
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets built in $MAILX_BUILD"; echo "fuzz: 0 passed, 1 failed"; exit 1; }

work=$(mktemp -d /tmp/mailx-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"    # mailx_plugin reads its seeds as user nobody
shopt -s nullglob
pcaps=("$top"/sample-pcaps/*.pcap)
if [ ${#pcaps[@]} -gt 0 ]; then
    python3 "$here/extract_seeds.py" "$work/seeds" "${pcaps[@]}" | sed 's/^/  seeds: /'
fi
mkdir -p "$work/seeds"

# code_tables: its dictionary is the table keys themselves, so it stays in sync
awk -F'\t' 'NR > 1 && $2 != "" { printf "\"%s\"\n", $2 }' \
    "$top"/epan-ext/tables/imap-response-codes.tsv "$top"/epan-ext/tables/pop3-response-codes.tsv \
    > "$work/code_tables.dict"

# mailx_plugin: the keywords of the three session targets
cat "$here"/dict/smtp_session.dict "$here"/dict/pop_session.dict "$here"/dict/imap_session.dict \
    > "$work/mailx_plugin.dict"

dict_for() {
    if [ -f "$here/dict/$1.dict" ]; then echo "-dict=$here/dict/$1.dict"
    elif [ -f "$work/$1.dict" ]; then echo "-dict=$work/$1.dict"
    fi
}

# mailx_plugin runs libwireshark, whose every new file (epan_new, one per input)
# reloads the name-resolution files manuf, services and wka into memory kept
# until exit: ~11 MB and ~90 ms per input. Wireshark reads them from
# WIRESHARK_DATA_DIR, which it ignores when run as root; so that target runs as
# nobody when root, with a data folder of links to Wireshark's own minus those
# three files (names are not resolved in the dissection anyway).
wsdata=$work/wsdata
mkdir -p "$wsdata"
wsglobal=$(tshark -G folders 2>/dev/null | awk -F'\t' '/^Global configuration:/ { print $2 }')
for f in "${wsglobal:-/usr/share/wireshark}"/*; do
    case ${f##*/} in manuf|services|wka) ;; *) ln -s "$f" "$wsdata/" ;; esac
done
run_as() {   # run_as TARGET COMMAND...
    local t=$1
    shift
    if [ "$t" != mailx_plugin ]; then
        "$@"
    elif [ "$(id -u)" = 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups env WIRESHARK_DATA_DIR="$wsdata" "$@"
    else
        env WIRESHARK_DATA_DIR="$wsdata" "$@"
    fi
}
give_to_runner() {   # the folders a target writes into
    [ "$1" = mailx_plugin ] && [ "$(id -u)" = 0 ] && chown -R nobody:nogroup "${@:2}"
    return 0
}

# 1. replay
for t in "${targets[@]}"; do
    inputs=()
    [ -d "$here/regress/$t" ] && inputs+=("$here/regress/$t")
    [ -d "$work/seeds/$t" ] && inputs+=("$work/seeds/$t")
    if [ ${#inputs[@]} -eq 0 ]; then
        ok "replay/$t (no inputs yet)"
        continue
    fi
    if out=$(MAILX_FUZZ_PLUGIN_STATS=1 run_as "$t" "$MAILX_BUILD/tests/fuzz/replay_$t" "${inputs[@]}" 2>&1); then
        ok "replay/$t ($(printf '%s' "$out" | grep -v '^mailx_plugin:' | tail -n 1))"
        if [ "$t" = mailx_plugin ]; then
            # the inputs must reach mailx's parsers, or the target tests nothing:
            # most sessions of the sample captures have responses mailx parses
            stats=$(printf '%s\n' "$out" | grep '^mailx_plugin:')
            read -r n_in n_hit < <(printf '%s' "$stats" | sed -nE 's/^mailx_plugin: ([0-9]+) inputs, ([0-9]+) with.*/\1 \2/p')
            if [ -n "${n_hit:-}" ] && [ "$n_hit" -gt 0 ] && [ $((n_hit * 2)) -gt "$n_in" ]; then
                ok "replay/$t reaches mailx (${stats#mailx_plugin: })"
            else
                fail "replay/$t reaches mailx (${stats:-no statistics printed})"
            fi
        fi
    else
        fail "replay/$t"
        printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
    fi
done

# 2. libFuzzer
if [ "$seconds" = 0 ]; then
    echo "fuzz: $passed passed, $failed failed"
    [ $failed = 0 ]; exit
fi
if ! command -v clang >/dev/null; then
    fail "libfuzzer (clang not installed)"
    echo "fuzz: $passed passed, $failed failed"; exit 1
fi
if [ ! -f "$fbuild/build.ninja" ]; then
    CC=clang meson setup "$fbuild" -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false > "$work/setup.log" 2>&1 \
        || { cat "$work/setup.log"; fail "libfuzzer build setup"; echo "fuzz: $passed passed, $failed failed"; exit 1; }
fi
# a fuzz build set up before mailx_plugin existed had the plugin disabled
if [ -f "$fbuild/build.ninja" ] && [ -x "$MAILX_BUILD/tests/fuzz/replay_mailx_plugin" ] \
    && grep -q "'-Dplugin=disabled'" "$fbuild/meson-info/intro-buildoptions.json" 2>/dev/null; then
    meson configure "$fbuild" -Dplugin=auto > /dev/null
fi
if ! ninja -C "$fbuild" > "$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log"; fail "libfuzzer build"
    echo "fuzz: $passed passed, $failed failed"; exit 1
fi
# the parser targets share $seconds; mailx_plugin has its own budget
nparsers=0
for t in "${targets[@]}"; do [ "$t" != mailx_plugin ] && nparsers=$((nparsers + 1)); done
per=$(( seconds / (nparsers > 0 ? nparsers : 1) ))
[ "$per" -lt 1 ] && per=1
mkdir -p "$top/tests/out/fuzz"
printf '  %-16s %8s %12s %8s %8s %8s\n' target seconds execs corpus cov crashes
for t in "${targets[@]}"; do
    bin="$fbuild/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { fail "run/$t (not built)"; continue; }
    corpus=${MAILX_FUZZ_CORPUS:+$MAILX_FUZZ_CORPUS/$t}
    corpus=${corpus:-$work/corpus/$t}
    mkdir -p "$corpus" "$work/art/$t"
    give_to_runner "$t" "$corpus" "$work/art/$t"
    tsecs=$per extra=()
    if [ "$t" = mailx_plugin ]; then
        tsecs=$plugin_seconds
        # Wireshark's allocations do not balance input by input (name tables
        # reloaded into epan scope), so a per-input leak check would scan the
        # whole heap after every input (8x slower); the corpus is replayed
        # with LeakSanitizer below instead
        extra=(-detect_leaks=0)
    fi
    dirs=("$corpus")
    [ -d "$work/seeds/$t" ] && dirs+=("$work/seeds/$t")
    [ -d "$here/regress/$t" ] && dirs+=("$here/regress/$t")
    start=$(date +%s)
    # -fork keeps going after a crash, so a long run reports every distinct one;
    # rss/malloc limits make unbounded memory a finding too
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    run_as "$t" "$bin" $(dict_for "$t") -max_total_time="$tsecs" -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$work/art/$t/" "${extra[@]}" \
        ${jobs:+-fork=$jobs -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1} \
        "${dirs[@]}" > "$work/$t.log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(grep -hoE 'stat::number_of_executed_units: *[0-9]+' "$work/$t.log" | awk '{s += $2} END {print s + 0}')
    [ "$execs" = 0 ] && execs=$(grep -oE '^#[0-9]+' "$work/$t.log" | tail -n 1 | tr -d '#')
    cov=$(grep -oE '(INITED|NEW|REDUCE|pulse|DONE) +cov: [0-9]+' "$work/$t.log" | tail -n 1 | grep -oE '[0-9]+$')
    leaks="" replayed=""
    if [ "$t" = mailx_plugin ] && [ -x "$fbuild/tests/fuzz/replay_$t" ]; then
        replayed=yes
        # what fuzzing kept, replayed once with leak detection at exit: only
        # memory nothing points to is reported (Wireshark's own stays reachable)
        ldirs=("$corpus")
        [ -d "$here/regress/$t" ] && ldirs+=("$here/regress/$t")
        ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            run_as "$t" "$fbuild/tests/fuzz/replay_$t" "${ldirs[@]}" > "$work/$t.leaks.log" 2>&1 \
            || leaks=yes
    fi
    arts=("$work/art/$t"/*)
    ncorp=$(find "$corpus" -type f | wc -l)
    printf '  %-16s %8s %12s %8s %8s %8s\n' "$t" "$took" "${execs:-0}" "$ncorp" "${cov:--}" "${#arts[@]}"
    if [ -n "$replayed" ] && [ -z "$leaks" ]; then
        ok "leaks/$t"
    elif [ -n "$leaks" ]; then
        fail "leaks/$t"
        grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9]' "$work/$t.leaks.log" | head -n 30 | sed 's/^/    /'
        # which inputs: one replay each (the first 200), the first with whole
        # stacks (the default fast unwinder stops at glib, which has no frame pointers)
        shown=""
        find "${ldirs[@]}" -type f | sort | head -n 200 | while read -r f; do
            ASAN_OPTIONS=detect_leaks=1 run_as "$t" "$fbuild/tests/fuzz/replay_$t" "$f" > /dev/null 2>&1 && continue
            cp "$f" "$top/tests/out/fuzz/$t-leak-${f##*/}"
            echo "    input kept: tests/out/fuzz/$t-leak-${f##*/}"
            [ -n "$shown" ] && continue
            shown=yes
            ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 run_as "$t" "$fbuild/tests/fuzz/replay_$t" "$f" 2>&1 \
                | grep -E '^    #[0-9]' | head -n 20 | sed 's/^/    /'
        done
    fi
    if [ ${#arts[@]} -gt 0 ] || { [ $rc != 0 ] && ! grep -q 'INFO: exiting: 0' "$work/$t.log"; }; then
        fail "run/$t"
        grep -E 'ERROR|SUMMARY|invariant|runtime error|^    #[0-9]' "$work/$t.log" | head -n 30 | sed 's/^/    /'
        for a in "${arts[@]}"; do
            cp "$a" "$top/tests/out/fuzz/$t-${a##*/}"
            echo "    input kept: tests/out/fuzz/$t-${a##*/} (add it to tests/fuzz/regress/$t/ once fixed)"
        done
    else
        ok "run/$t"
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed = 0 ]
