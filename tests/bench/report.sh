#!/usr/bin/env bash
# One table of segtop's performance figures, all measured in this run on this machine
# (docs/PERFORMANCE.md shows one). Not a test: figures, and it exits non-zero only when a
# measurement fails. About 4 minutes on 2 cores. Loopback only.
#
#   1. trigger dispatch: command -> last trigger on the wire, waves of 1..300 sites, against a
#      standalone simulator (segtop sim), median of REPS runs
#   2. freshness p50/p95 (REPORT ingestion -> in segtop's store, wall s), one 300-site wave
#      with a shared log group and with 300 groups (tests/bench/bench_engine.sh)
#   3. log API calls and seconds until every REPORT of a 300-site wave is in, segtop vs the
#      original per-stream method (tests/bench/original_method.py: DescribeLogStreams +
#      GetLogEvents per group) on the same simulator, as ratios (bench_engine.sh)
#   4. REPORT parse throughput (bench_parse)
#   5. resident memory of segtop itself with 10,000 and 100,000 invocations in its store, from
#      a generated invocations CSV (no simulator in the process): `segtop replay --headless`
#      (peak: VmHWM and the kernel's ru_maxrss; the CSV is read whole, so the peak holds it
#      too), and the dashboard `segtop replay FILE` in tmux, settled (VmRSS, VmHWM);
#      bench_store alone for comparison
#   6. segtop's CPU (utime+stime from /proc/<pid>/stat) idle between two waves and during a
#      300-site wave, against a standalone simulator (its CPU is not counted)
#
# Usage: tests/bench/report.sh [BUILD_DIR]  (default build-bench; a Release tree is made)
# Environment: SEGTOP_BENCH_REPS (3), SEGTOP_BENCH_SPEED (10: bench_engine's clock speed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build-bench}
REPS=${SEGTOP_BENCH_REPS:-3}
PY=/usr/bin/python3
LIB=$here/report_lib.py

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target segtop bench_parse bench_store >/dev/null
SEGTOP=$build/tui/segtop
BENCH_PARSE=$(find "$build" -type f -perm -u+x -name bench_parse | head -n 1)
BENCH_STORE=$(find "$build" -type f -perm -u+x -name bench_store | head -n 1)

W=$(mktemp -d)
# shellcheck source=sim_lib.sh
. "$(cd "$(dirname "$0")" && pwd)/sim_lib.sh"
SIMPID=
cleanup() {
    [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_isolate_aws
R=$W/results # key=value lines, one file for the table
: >"$R"

start_sim() { # start_sim SPEED [flags...]: 300 sites (sim_lib.sh)
    bench_start_sim 300 "$@"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
kv() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

echo "== machine"
{
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "cores=$(nproc)"
    echo "ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "compiler=$(${CC:-cc} --version | head -n 1)"
    echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree)"
} | tee "$W/machine"

echo "== 1. trigger dispatch (standalone simulator, 300 sites, $REPS runs per size)"
start_sim 100
for n in 1 20 50 100 200 300; do
    vals=
    for _ in $(seq 1 "$REPS"); do
        d=$(mktemp -d "$W/trig.XXXX")
        v=$($PY "$LIB" trigger "$SEGTOP" "$ENDPOINT" 300 "$n" 100 "$d" | kv trigger_ms)
        vals="$vals $v"
    done
    med=$(printf '%s\n' $vals | median)
    echo "  n=$n: trigger_ms$vals -> median $med"
    echo "trig_$n=$med" >>"$R"
done
stop_sim

echo "== 2, 3. freshness and the original method (tests/bench/bench_engine.sh)"
SEGTOP_BENCH_RESULTS=$W/engine SEGTOP_BENCH_REPS=$REPS "$here/bench_engine.sh" "$SEGTOP" |
    sed 's/^/  /'
cat "$W/engine" >>"$R"

echo "== 4. parse throughput (bench_parse)"
"$BENCH_PARSE" | tee "$W/parse" | sed 's/^/  /'
echo "parse_lines_per_s=$(sed -n 's/.* = \([0-9]*\) lines\/s.*/\1/p' "$W/parse")" >>"$R"

echo "== 5. resident memory (segtop replay --headless of N generated invocations)"
mkdir -p "$W/mem"
$PY "$LIB" rss "$W/mem" "$SEGTOP" --version | sed 's/^/  --version: /' | tee "$W/rss0"
echo "rss_base=$(kv maxrss_kib <"$W/rss0")" >>"$R"
for n in 10000 100000; do
    $PY "$here/gen_invocations.py" "$n" "$W/mem/inv$n.csv"
    $PY "$LIB" rss "$W/mem" "$SEGTOP" replay --headless "$W/mem/inv$n.csv" | tee "$W/rss$n" |
        sed "s/^/  replay $n: /"
    echo "rss_vmhwm_$n=$(kv vmhwm_kib <"$W/rss$n")" >>"$R"
    echo "rss_max_$n=$(kv maxrss_kib <"$W/rss$n")" >>"$R"
    "$BENCH_STORE" "$n" | tee "$W/store$n" | sed "s/^/  bench_store $n: /" || true
    echo "store_rss_$n=$(kv rss_mib <"$W/store$n")" >>"$R"
    if command -v tmux >/dev/null; then
        # The dashboard holding the same store, settled 3 s after the replay shows.
        sock=segbench$$
        tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 45 \
            "exec env LANG=C.UTF-8 XDG_STATE_HOME=$W/mem/state $SEGTOP replay $W/mem/inv$n.csv"
        pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
        i=0
        until tmux -L "$sock" capture-pane -p | grep -q REPLAY || [ $i -ge 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        sleep 3
        rssk=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
        hwmk=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
        tmux -L "$sock" kill-server
        echo "  dashboard replay $n: vmrss_kib=$rssk vmhwm_kib=$hwmk"
        echo "dash_rss_$n=$rssk" >>"$R"
        echo "dash_hwm_$n=$hwmk" >>"$R"
    fi
done

echo "== 6. CPU of segtop (standalone simulator, --sim-speed 10, ladder 1,300, gap 300 s simulated)"
start_sim 10
mkdir -p "$W/cpu"
$PY "$LIB" cpu "$SEGTOP" "$ENDPOINT" 300 10 300 "$W/cpu" | tee "$W/cpuout" | sed 's/^/  /'
stop_sim
tr ' ' '\n' <"$W/cpuout" | sed 's/^/cpu_/' >>"$R"

echo
$PY - "$R" "$W/machine" <<'EOF'
import sys
r = {}
for line in open(sys.argv[1]):
    if "=" in line:
        k, v = line.strip().split("=", 1)
        r[k] = v
def f(k, fmt="%.2f"):
    try:
        return fmt % float(r[k])
    except (KeyError, ValueError):
        return "n/a"
def ratio(a, b, fmt="%.1fx"):
    try:
        return fmt % (float(r[a]) / float(r[b]))
    except (KeyError, ValueError, ZeroDivisionError):
        return "n/a"
rows = []
for n in (1, 20, 50, 100, 200, 300):
    rows.append(("trigger dispatch, %d site%s (command -> last on the wire)" % (n, "" if n == 1 else "s"),
                 f("trig_%d" % n, "%.1f") + " ms", ""))
rows += [
    ("freshness p50 / p95, shared log group (wall)",
     f("shared_fresh_p50_s") + " / " + f("shared_fresh_p95_s") + " s", ""),
    ("freshness p50 / p95, 300 log groups (wall)",
     f("groups_fresh_p50_s") + " / " + f("groups_fresh_p95_s") + " s",
     "Logs Insights polling: being added"),
    ("300-site wave, log API calls to every REPORT: segtop 300 groups / original",
     f("groups_calls_to_complete", "%.0f") + " / " + f("original_log_calls", "%.0f"),
     "original uses " + ratio("original_log_calls", "groups_calls_to_complete") + " as many"),
    ("  same, shared log group / original",
     f("shared_calls_to_complete", "%.0f") + " / " + f("original_log_calls", "%.0f"),
     ratio("original_log_calls", "shared_calls_to_complete")),
    ("300-site wave, seconds to every REPORT: segtop 300 groups / original",
     f("groups_complete_s") + " / " + f("original_seconds") + " s",
     "original takes " + ratio("original_seconds", "groups_complete_s", "%.2fx") + " as long"),
    ("  same, shared log group / original",
     f("shared_complete_s") + " / " + f("original_seconds") + " s",
     ratio("original_seconds", "shared_complete_s", "%.2fx")),
    ("REPORT parse throughput (one core)", f("parse_lines_per_s", "%.0f") + " lines/s", "bench_parse"),
    ("resident memory, segtop --version (baseline)", f("rss_base", "%.0f") + " KiB", "ru_maxrss"),
    ("resident memory, 10,000 invocations: dashboard replay, settled",
     f("dash_rss_10000", "%.0f") + " KiB VmRSS (peak " + f("dash_hwm_10000", "%.0f") + " KiB)",
     "store alone (bench_store) " + f("store_rss_10000", "%.1f") + " MiB"),
    ("  replay --headless, peak (VmHWM / ru_maxrss)",
     f("rss_vmhwm_10000", "%.0f") + " / " + f("rss_max_10000", "%.0f") + " KiB",
     "the CSV is read whole"),
    ("resident memory, 100,000 invocations: dashboard replay, settled",
     f("dash_rss_100000", "%.0f") + " KiB VmRSS (peak " + f("dash_hwm_100000", "%.0f") + " KiB)",
     "store alone (bench_store) " + f("store_rss_100000", "%.1f") + " MiB"),
    ("  replay --headless, peak (VmHWM / ru_maxrss)",
     f("rss_vmhwm_100000", "%.0f") + " / " + f("rss_max_100000", "%.0f") + " KiB",
     "the CSV is read whole"),
    ("CPU, idle between waves (300 groups, idle reads)", f("cpu_idle_cpu_pct") + " % of a core", "10 s"),
    ("CPU, during a 300-site wave (fire -> every REPORT in)",
     f("cpu_wave_cpu_pct", "%.1f") + " % of a core",
     f("cpu_wave_cpu_s") + " CPU s over " + f("cpu_wave_wall_s") + " s"),
]
print("segtop performance (this run)")
for line in open(sys.argv[2]):
    print("  " + line.rstrip())
w = max(len(a) for a, _, _ in rows)
v = max(len(b) for _, b, _ in rows)
print("| %-*s | %-*s | %s |" % (w, "measure", v, "value", "note"))
print("|%s|%s|---|" % ("-" * (w + 2), "-" * (v + 2)))
for a, b, c in rows:
    print("| %-*s | %-*s | %s |" % (w, a, v, b, c))
EOF
