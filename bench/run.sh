#!/bin/bash
# mailx benchmark: what mailx costs on top of tshark, on large replicated
# captures. Not a test; run it by hand (see bench/README.md).
#
#   bench/run.sh --quick          ~15 min: 50 MB captures, growth to 200 MB, 3 runs each
#   bench/run.sh                  the full run (~65 min): 250 MB captures, growth to 1 GB
#   bench/run.sh --callgrind      also count instructions on a small capture
#
# Options: --size-mb N (1x capture size), --reps N, --no-scale (skip the 4x
# capture), --only-callgrind, --regen (rebuild the captures), --out DIR.
# Env: MAILX_BUILD (default build-bench, configured --buildtype=release);
# MAILX_BENCH_TEMPLATES (mail template captures, default sample-pcaps/).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
WORK=$HERE/out
TEMPLATES=${MAILX_BENCH_TEMPLATES:-$REPO/sample-pcaps}

QUICK=0 SIZE='' REPS='' SCALE=1 CALLGRIND=0 ONLY_CG=0 REGEN=0 OUT=''
while [ $# -gt 0 ]; do
    case $1 in
        --quick) QUICK=1 ;;
        --size-mb) SIZE=$2; shift ;;
        --reps) REPS=$2; shift ;;
        --no-scale) SCALE=0 ;;
        --callgrind) CALLGRIND=1 ;;
        --only-callgrind) CALLGRIND=1 ONLY_CG=1 ;;
        --regen) REGEN=1 ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
if [ "$QUICK" = 1 ]; then
    SIZE=${SIZE:-50} REPS=${REPS:-3}
else
    SIZE=${SIZE:-250} REPS=${REPS:-3}
fi
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

# ------------------------------------------------------------------ build
# shellcheck source=lib.sh
. "$HERE/lib.sh"
bench_build

# shellcheck source=../tests/lib/tshark.sh
. "$REPO/tests/lib/tshark.sh"
mailx_tshark_setup
trap mailx_tshark_teardown EXIT
# WIRESHARK_PLUGIN_DIR hides Wireshark's own plugins: bring TRANSUM along.
TS_VER=$(ls "$MAILX_TEST_HOME/plugins")
TS_GLOBAL=$(tshark -G folders 2>/dev/null | awk -F'\t' '/^Global Plugins/ {print $2}')
cp "$TS_GLOBAL/epan/transum.so" "$MAILX_TEST_HOME/plugins/$TS_VER/epan/" 2>/dev/null ||
    log "transum.so not found in $TS_GLOBAL/epan: TRANSUM runs will fail"

mkdir -p "$WORK"
chmod 755 "$WORK"
OUT=${OUT:-$WORK/results-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/time" "$OUT/cg"
chmod 777 "$OUT/time" "$OUT/cg"      # tshark runs as nobody when we are root

# ------------------------------------------------------------------ captures
gen() {  # gen KIND MB -> path
    local f=$WORK/$1-${2}mb.pcap
    if [ "$REGEN" = 1 ] || [ ! -f "$f" ] || [ ! -f "$f.info" ] ||
       [ -n "$(find "$TEMPLATES" "$HERE/gen.py" "$HERE/templates" -newer "$f" -name '*.p*' 2>/dev/null)" ]; then
        log "generating $f"
        python3 "$HERE/gen.py" --kind "$1" --size-mb "$2" --out "$f" --info "$f.info" \
            --mail-templates "$TEMPLATES" >&2
    fi
    echo "$f"
}

# ------------------------------------------------------------------ what exists
PROTOS=$(mailx_tshark -G protocols 2>/dev/null | awk -F'\t' '$3 ~ /^mailx/ {print $3}')
[ -n "$PROTOS" ] || { log "mailx plugin not loaded"; exit 1; }
FIELDS=$(bench_mailx_fields)
STATS=$(mailx_tshark -z help 2>&1 | awk '/^ *mailx,/ {print $1}')   # -z help writes to stderr
has_field() { grep -qx "$1" <<<"$FIELDS"; }
FILTER='mailx.smtp.class == 4'
for f in mailx.auth.failed mailx.pop.err mailx.imap.no; do
    has_field "$f" && FILTER="$FILTER || $f"
done
# The floor: mailx disabled, which stops mailx-attachments too (a protocol in
# name only under mailx, which 4.0 lets --disable-protocol ignore and 4.4 and
# later refuse: docs/api-differences.md). bench/cg.sh disables the same.
DISABLE=(--disable-protocol mailx)
EFIELDS=() ; for f in $FIELDS; do EFIELDS+=(-e "$f"); done
ZARGS=() ; for z in $STATS; do ZARGS+=(-z "$z"); done
LUA="$HERE/lua/smtp_class.lua"
LIMITS=("${BENCH_LIMITS[@]}")     # bench/lib.sh: every session analysed
TRANSUM=(--enable-protocol transum
         -o "transum.tcp_port_ranges:25,80,110,143,443,465,587,993,995"
         -o "transum.udp_port_ranges:53")
COMMIT="unknown (no git here)"
if command -v git >/dev/null && git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1; then
    COMMIT="$(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet -- plugins epan-ext || echo ' +local changes')"
fi
{
    echo "date: $(date -u +%FT%TZ)"
    echo "commit: $COMMIT"
    echo "tshark: $(tshark --version 2>/dev/null | head -1)"
    echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)"
    echo "mailx protocols: $(echo $PROTOS)"
    echo "mailx fields: $(wc -w <<<"$FIELDS")"
    echo "filter: $FILTER"
    echo "stats: $(echo ${STATS:-none})"
    echo "every run: ${LIMITS[*]}"
    echo "floors: ${DISABLE[*]}"
} > "$OUT/env.txt"
cat "$OUT/env.txt" >&2

# ------------------------------------------------------------------ one run
# run NAME CAPTURE REP ARGS...: one timed tshark run, output counted.
run() {
    local name=$1 cap=$2 rep=$3; shift 3
    local tf
    tf=$OUT/time/$name.$(basename "$cap" .pcap).$rep
    local lines wrap="/usr/bin/time -v -o $tf"
    [ -n "${CG_OUT:-}" ] && wrap="valgrind --tool=callgrind --callgrind-out-file=$CG_OUT" tf=$CG_OUT
    lines=$(MAILX_TSHARK_WRAPPER="$wrap" mailx_tshark -r "$cap" "$@" 2>"$tf.err" | wc -l) ||
        log "FAILED: $name $(basename "$cap") $rep: $(head -c 300 "$tf.err")"
    echo "lines: $lines" >> "$tf.lines"
    printf '%s\t%s\t%s\t%s\n' "$name" "$(basename "$cap" .pcap)" "$rep" "$*" >> "$OUT/runs.tsv"
}

# The configurations: NAME|ARGS. Floors have mailx disabled and otherwise the
# same arguments as what they are the floor of.
configs() {
    local cap=$1 quick_set=$2
    [ "$quick_set" = full ] && { echo "floor.plain"; echo "mailx.plain"; }
    echo "floor.filter"; echo "mailx.filter"
    echo "floor.fields"; echo "mailx.fields"
    if [ "$quick_set" = full ]; then
        echo "floor.2pass"; echo "mailx.2pass"
        [ ${#ZARGS[@]} -gt 0 ] && { echo "floor.stats"; echo "mailx.stats"; }
        echo "transum.plain"; echo "transum.filter"
        echo "lua.plain"; echo "lua.filter"
    fi
    return 0
}
args_of() {
    case $1 in
        floor.plain)    echo "D" ;;
        mailx.plain)    echo "E" ;;
        floor.filter)   echo "D -Y" ;;
        mailx.filter)   echo "E -Y" ;;
        floor.fields)   echo "D -T" ;;
        mailx.fields)   echo "E -T" ;;
        floor.2pass)    echo "D -2 -Y" ;;
        mailx.2pass)    echo "E -2 -Y" ;;
        floor.stats)    echo "D -q -z" ;;
        mailx.stats)    echo "E -q -z" ;;
        transum.plain)  echo "D transum" ;;
        transum.filter) echo "D transum -Y" ;;
        lua.plain)      echo "D lua" ;;
        lua.filter)     echo "D lua -Yl" ;;
    esac
}
run_config() {  # run_config NAME CAPTURE REP
    local name=$1 cap=$2 rep=$3 a=("${LIMITS[@]}")
    for w in $(args_of "$name"); do
        case $w in
            D) a+=("${DISABLE[@]}") ;;
            E) ;;
            -Y) a+=(-Y "$FILTER") ;;
            -Yl) a+=(-Y "luasmtp.class == 4") ;;
            -T) a+=(-T fields "${EFIELDS[@]}") ;;
            -2) a+=(-2) ;;
            -q) a+=(-q) ;;
            -z) a+=("${ZARGS[@]}") ;;
            transum) a+=("${TRANSUM[@]}") ;;
            lua) a+=(-X "lua_script:$LUA") ;;
        esac
    done
    run "$name" "$cap" "$rep" "${a[@]}"
}

# bench CAPTURE SET: every configuration REPS times, interleaved (A/B/A/B...).
bench() {
    local cap=$1 set=$2 rep name
    log "benchmarking $(basename "$cap") ($set, $REPS runs each)"
    for rep in $(seq "$REPS"); do
        for name in $(configs "$cap" "$set"); do
            # TRANSUM is a reference, and 20x slower than tshark on web traffic: once
            [[ $name == transum.* && $rep -gt 1 ]] && continue
            run_config "$name" "$cap" "$rep"
        done
    done
}

if [ "$ONLY_CG" = 0 ]; then
    MAIL1=$(gen mail "$SIZE")
    NONMAIL=$(gen nonmail "$SIZE")
    cp "$MAIL1.info" "$OUT/$(basename "$MAIL1" .pcap).info"
    cp "$NONMAIL.info" "$OUT/$(basename "$NONMAIL" .pcap).info"
    bench "$MAIL1" full
    bench "$NONMAIL" full
    if [ "$SCALE" = 1 ]; then                 # growth: the same runs on 4x the size
        BIG=$(gen mail $((SIZE * 4)))
        cp "$BIG.info" "$OUT/$(basename "$BIG" .pcap).info"
        bench "$BIG" scale
    fi
fi

# ------------------------------------------------------------------ callgrind
if [ "$CALLGRIND" = 1 ]; then
    command -v valgrind >/dev/null || { log "installing valgrind"; apt-get install -y -qq valgrind >/dev/null; }
    CG_MAIL=$(gen mail 4)
    CG_NONMAIL=$(gen nonmail 4)
    # a fixed hash multiplier for every counted run (bench/fixed_random.c)
    cc -O2 -shared -fPIC -o "$OUT/cg/fixed_random.so" "$HERE/fixed_random.c" &&
        chmod 755 "$OUT/cg/fixed_random.so" && export LD_PRELOAD=$OUT/cg/fixed_random.so ||
        log "fixed_random.so not built: instruction counts vary from run to run"
    for cap in "$CG_MAIL" "$CG_NONMAIL"; do
        cp "$cap.info" "$OUT/$(basename "$cap" .pcap).info"
        for name in floor.plain mailx.plain floor.filter mailx.filter floor.fields mailx.fields \
                    transum.filter lua.filter; do
            log "callgrind $name $(basename "$cap")"
            CG_OUT=$OUT/cg/$name.$(basename "$cap" .pcap).out run_config "$name" "$cap" cg
        done
        # tshark's start-up (registering every dissector) is a third of a
        # floor's count on 4 MB: each floor once more on the first frame
        # alone, so that report.py can give the per-frame ratio without it
        first=$OUT/cg/$(basename "$cap" .pcap)-first.pcap
        editcap -r "$cap" "$first" 1 && chmod 644 "$first"
        for name in floor.plain floor.filter floor.fields; do
            log "callgrind $name $(basename "$first")"
            CG_OUT=$OUT/cg/$name.$(basename "$cap" .pcap).startup run_config "$name" "$first" cg
        done
    done
    unset LD_PRELOAD
fi

python3 "$HERE/report.py" "$OUT" > "$OUT/summary.md"
cat "$OUT/summary.md"
log "results in $OUT"
