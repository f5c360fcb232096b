# shellcheck shell=bash
# Runs tshark with the mailx plugin from the build tree and a throw-away
# configuration, never the user's own. Source this file; then call mailx_tshark.
#
# Wireshark ignores WIRESHARK_PLUGIN_DIR and personal plugins when it runs as
# root, so as root (CI) tshark runs as the unprivileged user nobody.
#
# Needs: MAILX_BUILD (the meson build dir). Optional: MAILX_PLUGIN_SO.

mailx_tshark_setup() {
    MAILX_BUILD=${MAILX_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
    local so="${MAILX_PLUGIN_SO:-$MAILX_BUILD/plugins/mailx/mailx.so}"
    [ -f "$so" ] || { echo "mailx plugin not built: $so" >&2; return 1; }
    local ver
    ver=$(tshark --version 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
    [ -n "$ver" ] || { echo "cannot read the tshark version" >&2; return 1; }
    MAILX_TEST_HOME=$(mktemp -d /tmp/mailx-test.XXXXXX)
    mkdir -p "$MAILX_TEST_HOME/plugins/$ver/epan" "$MAILX_TEST_HOME/config"
    cp "$so" "$MAILX_TEST_HOME/plugins/$ver/epan/mailx.so"
    chmod -R a+rX "$MAILX_TEST_HOME"
    if [ "$(id -u)" = 0 ]; then
        chown -R nobody:nogroup "$MAILX_TEST_HOME/config"
    fi
    export MAILX_TEST_HOME
}

mailx_tshark_teardown() {
    [ -n "${MAILX_TEST_HOME:-}" ] && rm -rf "$MAILX_TEST_HOME"
    MAILX_TEST_HOME=
}

# mailx_tshark ARGS...: tshark with the plugin; the files it reads must be
# readable by nobody when run as root.
mailx_tshark() {
    local envs=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 LC_ALL=C.UTF-8
                HOME="$MAILX_TEST_HOME"
                WIRESHARK_PLUGIN_DIR="$MAILX_TEST_HOME/plugins"
                WIRESHARK_CONFIG_DIR="$MAILX_TEST_HOME/config"
                TZ=UTC)
    [ -n "${WIRESHARK_ABORT_ON_DISSECTOR_BUG:-}" ] && envs+=(WIRESHARK_ABORT_ON_DISSECTOR_BUG=1)
    [ -n "${MAILX_TREE_PATH:-}" ] && envs+=(MAILX_TREE_PATH=1)
    [ -n "${ASAN_OPTIONS:-}" ] && envs+=(ASAN_OPTIONS="$ASAN_OPTIONS")
    [ -n "${UBSAN_OPTIONS:-}" ] && envs+=(UBSAN_OPTIONS="$UBSAN_OPTIONS")
    [ -n "${LD_PRELOAD:-}" ] && envs+=(LD_PRELOAD="$LD_PRELOAD")
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups "${envs[@]}" ${MAILX_TSHARK_WRAPPER:-} tshark "$@"
    else
        "${envs[@]}" ${MAILX_TSHARK_WRAPPER:-} tshark "$@"
    fi
}
