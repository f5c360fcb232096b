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
#
#   MAILX_FUZZ_SECONDS=3600 MAILX_FUZZ_CORPUS=fuzz-out/corpus tests/fuzz/run.sh [target...]
#     long run with a corpus kept between runs (fuzz-out/ is ignored by git);
#     tests/fuzz/long.sh wraps this and prints the figures for docs/hostile-input.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export MAILX_BUILD=${MAILX_BUILD:-$top/build}
seconds=${MAILX_FUZZ_SECONDS:-120}
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

dict_for() {
    if [ -f "$here/dict/$1.dict" ]; then echo "-dict=$here/dict/$1.dict"
    elif [ "$1" = code_tables ]; then echo "-dict=$work/code_tables.dict"
    fi
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
    if out=$("$MAILX_BUILD/tests/fuzz/replay_$t" "${inputs[@]}" 2>&1); then
        ok "replay/$t ($(printf '%s' "$out" | tail -n 1))"
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
        -Db_lundef=false -Dplugin=disabled > "$work/setup.log" 2>&1 \
        || { cat "$work/setup.log"; fail "libfuzzer build setup"; echo "fuzz: $passed passed, $failed failed"; exit 1; }
fi
if ! ninja -C "$fbuild" > "$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log"; fail "libfuzzer build"
    echo "fuzz: $passed passed, $failed failed"; exit 1
fi
per=$(( seconds / ${#targets[@]} ))
[ "$per" -lt 1 ] && per=1
mkdir -p "$top/tests/out/fuzz"
printf '  %-16s %8s %12s %8s %8s\n' target seconds execs corpus crashes
for t in "${targets[@]}"; do
    bin="$fbuild/tests/fuzz/fuzz_$t"
    [ -x "$bin" ] || { fail "run/$t (not built)"; continue; }
    corpus=${MAILX_FUZZ_CORPUS:+$MAILX_FUZZ_CORPUS/$t}
    corpus=${corpus:-$work/corpus/$t}
    mkdir -p "$corpus" "$work/art/$t"
    dirs=("$corpus")
    [ -d "$work/seeds/$t" ] && dirs+=("$work/seeds/$t")
    [ -d "$here/regress/$t" ] && dirs+=("$here/regress/$t")
    start=$(date +%s)
    # -fork keeps going after a crash, so a long run reports every distinct one;
    # rss/malloc limits make unbounded memory a finding too
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    "$bin" $(dict_for "$t") -max_total_time="$per" -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -timeout=10 -print_final_stats=1 -artifact_prefix="$work/art/$t/" \
        ${jobs:+-fork=$jobs -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1} \
        "${dirs[@]}" > "$work/$t.log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    execs=$(grep -hoE 'stat::number_of_executed_units: *[0-9]+' "$work/$t.log" | awk '{s += $2} END {print s + 0}')
    [ "$execs" = 0 ] && execs=$(grep -oE '^#[0-9]+' "$work/$t.log" | tail -n 1 | tr -d '#')
    arts=("$work/art/$t"/*)
    ncorp=$(find "$corpus" -type f | wc -l)
    printf '  %-16s %8s %12s %8s %8s\n' "$t" "$took" "${execs:-0}" "$ncorp" "${#arts[@]}"
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
