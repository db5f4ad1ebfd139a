#!/usr/bin/env bash
# Soak: the whole ladder, headless, against the in-process simulator with a hostile
# --sim-faults mix (every key of DESIGN §6), one run per seed, each compared with the
# simulator's ground truth (tests/soak/soak_compare.py, applying
# tests/engine/truth_compare.py's rule: the same
# (site, request id) set, identical cold/status/error type, start and end within 1 ms, nothing
# lost or doubled; plus: rows without a request id are triggers that never ran). Prints one
# table row per seed; exits 1 when any seed has a mismatch or a run fails.
#
# Odd seeds log to one group per site (300 groups: FilterLogEvents and Logs Insights), even
# seeds to a shared group. The run directory of a failed seed is kept and named.
#
# Usage: tests/soak/soak.sh [--short] [BINARY]
#   BINARY: segtop or seg_engine_cli (default $SEGTOP_BIN, then build/gcc/tui/segtop)
#   --short: the ctest (soak.short): 2 seeds, 30 sites, ladder 1,10,30, 500x, about 30 s
# Environment (full run): SOAK_SEEDS ("1 2 3 4 5 6 7 8 9 10"), SOAK_SPEED (1000),
#   SOAK_SITES (300), SOAK_WAVES (empty: the default ladder 1,20,50,100,150,200,250,300),
#   SOAK_KEEP (directory for failed runs, default: a temporary one, printed).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
short=0
if [ "${1:-}" = "--short" ]; then
    short=1
    shift
fi
BIN=${1:-${SEGTOP_BIN:-$root/build/gcc/tui/segtop}}
[ -x "$BIN" ] || { echo "soak: no binary at $BIN" >&2; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") # each run works in its own folder
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "soak: $PY is missing" >&2; exit 77; }

if [ $short = 1 ]; then
    SEEDS="1 2"
    SPEED=500
    SITES=30
    WAVES=1,10,30
else
    SEEDS=${SOAK_SEEDS:-1 2 3 4 5 6 7 8 9 10}
    SPEED=${SOAK_SPEED:-1000}
    SITES=${SOAK_SITES:-300}
    WAVES=${SOAK_WAVES:-}
fi
scale=${SEGTOP_TEST_TIME_SCALE:-1}
# A seed that takes longer than this (wall seconds) is stopped and counted as failed.
limit=$(awk -v s="$scale" -v q=$short 'BEGIN { print int((q ? 40 : 900) * s) }')

W=$(mktemp -d)
keep=${SOAK_KEEP:-}
RUNPID=
cleanup() {
    [ -n "$RUNPID" ] && kill "$RUNPID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The mix: probabilities per request; timeouts, OOM and hostile log bytes on a few sites
# that move with the seed; ingestion delays up to 30 s (the poller's re-read window).
faults() {
    local seed=$1 n=$2
    local t1=$((seed % (n - 2) + 2)) o1=$(((seed * 7) % (n - 2) + 2))
    [ "$o1" = "$t1" ] && o1=$((t1 % (n - 1) + 2))
    local tail="timeout=site$t1,oom=site$o1"
    [ "$n" -ge 262 ] && tail="timeout=site$t1|site150,oom=site$o1|260..262"
    printf '%s' "throttle=0.03:s3,throttle=0.08:logs,throttle=0.02:lambda,5xx=0.03,reset=0.02"
    printf '%s' ",truncate=0.02,slow=0.05:300ms,ingest-delay=0s..30s,duplicate-events=0.2"
    printf '%s' ",reorder=0.2,error=0.05,$tail,evil-log=site$(((seed * 13) % n + 1))"
}

status=0
printf '%-5s %-8s %11s %10s %9s %7s %8s %7s\n' seed groups invocations mismatches throttles \
    retries seconds result
for seed in $SEEDS; do
    d=$W/seed$seed
    mkdir -p "$d"
    groups=separate
    grp=()
    if [ $((seed % 2)) = 0 ]; then
        groups=shared
        grp=(--shared-log-group /segtop/soak)
    fi
    ladder=()
    [ -n "$WAVES" ] && ladder=(--waves "$WAVES")
    spec=$(faults "$seed" "$SITES")
    echo "$spec" >"$d/faults"
    t0=$(date +%s.%N)
    (
        cd "$d" &&
            exec env XDG_STATE_HOME="$d/state" "$BIN" --headless --sites "$SITES" "${ladder[@]}" \
                --gap 0 --sim-speed "$SPEED" --sim-seed "$seed" --sim-truth truth.csv \
                --sim-faults "$spec" "${grp[@]}" --export-dir . --summary-json summary.json \
                >out.txt 2>err.txt
    ) &
    RUNPID=$!
    waited=0
    while kill -0 "$RUNPID" 2>/dev/null && [ "$waited" -lt $((limit * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    timed_out=0
    if kill -0 "$RUNPID" 2>/dev/null; then
        timed_out=1
        kill -TERM "$RUNPID" 2>/dev/null
    fi
    rc=0
    wait "$RUNPID" || rc=$?
    RUNPID=
    secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    result=ok
    figures="invocations=? mismatches=? throttles=? retries=?"
    inv=$(ls "$d"/segtop-invocations-*.csv 2>/dev/null | head -n 1)
    if [ -n "$inv" ] && [ -f "$d/truth.csv" ]; then
        "$PY" "$here/soak_compare.py" "$d/truth.csv" "$inv" "$d/summary.json" >"$d/compare.txt"
        crc=$?
        figures=$(head -n 1 "$d/compare.txt")
        [ $crc = 0 ] || result=MISMATCH
    else
        result=NO-EXPORT
    fi
    [ $timed_out = 1 ] && result="TIMEOUT($limit s)"
    [ $rc != 0 ] && [ $result = ok ] && result="EXIT-$rc"
    get() { printf '%s\n' "$figures" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    printf '%-5s %-8s %11s %10s %9s %7s %8s %7s\n' "$seed" "$groups" "$(get invocations)" \
        "$(get mismatches)" "$(get throttles)" "$(get retries)" "$secs" "$result"
    if [ "$result" != ok ]; then
        status=1
        sed -n '2,41p' "$d/compare.txt" 2>/dev/null
        grep -v '^\[t+' "$d/err.txt" | tail -n 5
        if [ $short = 0 ] || [ -n "$keep" ]; then
            dest=${keep:-$(mktemp -d /tmp/segtop-soak.XXXXXX)}/seed$seed
            mkdir -p "$(dirname "$dest")" && cp -r "$d" "$dest" && echo "  kept: $dest"
        fi
    fi
    printf '%s\n' "$figures" >>"$W/figures"
done
echo "speed ${SPEED}x, $SITES sites, ladder ${WAVES:-default}; throttles = log API +" \
    "trigger + async (never logged); retries = async retries of failed attempts"
[ $status = 0 ] && echo "soak: every seed matches the ground truth" || echo "soak: FAILED"
exit $status
