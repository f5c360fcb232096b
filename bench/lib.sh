# shellcheck shell=bash
# What bench/run.sh and bench/print-cost.sh share. Source it after setting
# REPO (the checkout); then bench_build, and after mailx_tshark_setup
# (tests/lib/tshark.sh) bench_mailx_fields.

# The release build the benchmark measures: MAILX_BUILD, by default
# build-bench, configured --buildtype=release when it is not there yet; and
# GNU time, which gives CPU time and peak RSS.
bench_build() {
    export MAILX_BUILD=${MAILX_BUILD:-$REPO/build-bench}
    if [ ! -f "$MAILX_BUILD/build.ninja" ]; then
        meson setup "$MAILX_BUILD" "$REPO" --buildtype=release >/dev/null
    fi
    ninja -C "$MAILX_BUILD" >/dev/null
    command -v /usr/bin/time >/dev/null || {
        echo "installing GNU time" >&2
        apt-get install -y -qq time >/dev/null
    }
}

# Every mailx.* field the loaded plugin registers, one a line.
bench_mailx_fields() {
    mailx_tshark -G fields 2>/dev/null | awk -F'\t' '$1 == "F" && $3 ~ /^mailx\./ {print $3}'
}

# mailx's memory limits (docs/preferences.md) stop session and connection
# tracking at 100,000 each by default; the 1 GB capture has ~350,000 sessions.
# Raised for every run, so that mailx analyses all of them, and given to the
# floors too, so that both have the same arguments.
# shellcheck disable=SC2034  # read by the scripts that source this file
BENCH_LIMITS=(-o mailx.sessions_max:10000000 -o mailx.conn_max:10000000)
