# shellcheck shell=bash
# The AddressSanitizer + UndefinedBehaviorSanitizer build of mailx and the
# environment that makes tshark (not instrumented) run it. Source this file;
# then `mailx_asan_build || exit 1` and use tests/lib/tshark.sh as usual.
#
# tshark is not built with ASan, so the ASan runtime must be the first library
# loaded: LD_PRELOAD of the very libasan the plugin links (gcc's, by default;
# for a clang build set MAILX_ASAN_RUNTIME to libclang_rt.asan-x86_64.so).
# It goes in through MAILX_TSHARK_WRAPPER so that only tshark gets it, not the
# shell, python or meson. Wireshark and glib leak by design at exit: leak
# detection is off under tshark (valgrind covers mailx's leaks, libFuzzer the
# epan-ext ones). WIRESHARK_ABORT_ON_DISSECTOR_BUG=1 turns a dissector
# exception Wireshark would swallow into an abort.
#
# Needs: MAILX_BUILD (the normal build dir). MAILX_ASAN_BUILD defaults to
# $MAILX_BUILD-asan; the build uses meson's -Db_sanitize=address,undefined.

mailx_asan_build() {
    : "${MAILX_BUILD:?set MAILX_BUILD}"
    local top
    top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    MAILX_ASAN_BUILD=${MAILX_ASAN_BUILD:-$MAILX_BUILD-asan}
    if [ ! -f "$MAILX_ASAN_BUILD/build.ninja" ]; then
        meson setup "$MAILX_ASAN_BUILD" "$top" -Db_sanitize=address,undefined -Db_lundef=false \
            ${MAILX_MESON_ARGS:-} > "$MAILX_ASAN_BUILD.setup.log" 2>&1 \
            || { cat "$MAILX_ASAN_BUILD.setup.log" >&2; return 1; }
        rm -f "$MAILX_ASAN_BUILD.setup.log"
    fi
    ninja -C "$MAILX_ASAN_BUILD" > /dev/null || { ninja -C "$MAILX_ASAN_BUILD" >&2; return 1; }
    local rt=${MAILX_ASAN_RUNTIME:-}
    if [ -z "$rt" ]; then
        # the runtime the plugin really links, as the dynamic loader resolves it
        rt=$(ldd "$MAILX_ASAN_BUILD/plugins/mailx/mailx.so" | awk '/libasan\.so/ { print $3; exit }')
    fi
    [ -n "$rt" ] && [ -f "$rt" ] || { echo "no ASan runtime found for the plugin" >&2; return 1; }
    export MAILX_ASAN_BUILD MAILX_ASAN_RUNTIME="$rt"
    # wmem allocators hand out slices of big blocks, where ASan sees no bounds;
    # the "simple" allocator makes every wmem allocation a malloc of its own.
    # No extcap folder: tshark -G starts the extcap helpers, which would inherit
    # the preload (androiddump hangs with it).
    export MAILX_TSHARK_WRAPPER="env LD_PRELOAD=$rt WIRESHARK_DEBUG_WMEM_OVERRIDE=simple WIRESHARK_EXTCAP_DIR=/nonexistent"
    # exitcode 86 so that a sanitizer report is told apart from tshark's own errors
    export ASAN_OPTIONS=${MAILX_ASAN_OPTIONS:-detect_leaks=0:exitcode=86:abort_on_error=0:allocator_may_return_null=1:handle_segv=1:detect_stack_use_after_return=1}
    export UBSAN_OPTIONS=${MAILX_UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}
    export WIRESHARK_ABORT_ON_DISSECTOR_BUG=1
}
