#!/usr/bin/env bash
# The engine against a standalone simulator enforcing AWS's Logs rate limits (wall clock):
# one 300-site wave, (a) a shared log group, (b) 300 groups, each REPS times (median
# reported), then the original method (tests/bench/original_method.py: boto3 uploads, then
# DescribeLogStreams + GetLogEvents per group until every REPORT is found) on a fresh
# simulator, and the ratios. Figures, not a test: it exits non-zero only when a run fails.
#
# Usage: tests/bench/bench_engine.sh [SEGTOP_BINARY]   (default: build-bench/tui/segtop)
# Environment: SEGTOP_BENCH_SPEED (simulated clock speed, default 10: a wave's ~20 s
# executions take ~2-5 wall s; rate limits stay wall-clock), SEGTOP_BENCH_REPS (3),
# SEGTOP_BENCH_SITES (300), SEGTOP_BENCH_RESULTS (a file: the medians and the original
# method's figures as key=value lines, for tests/bench/report.sh). Loopback only; about 5
# minutes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SEGTOP=${1:-$root/build-bench/tui/segtop}
SPEED=${SEGTOP_BENCH_SPEED:-10}
REPS=${SEGTOP_BENCH_REPS:-3}
SITES=${SEGTOP_BENCH_SITES:-300}
PY=/usr/bin/python3
RUN_LIMIT=240 # wall s per segtop run
[ -x "$SEGTOP" ] || { echo "bench_engine: no segtop at $SEGTOP" >&2; exit 1; }

W=$(mktemp -d)
# shellcheck source=sim_lib.sh
. "$(cd "$(dirname "$0")" && pwd)/sim_lib.sh"
SIMPID=
CLIPID=
cleanup() {
    [ -n "$CLIPID" ] && kill "$CLIPID" 2>/dev/null || true
    [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
bench_isolate_aws

# start_sim [flags...]: a fresh simulator of $SITES at $SPEED (sim_lib.sh).
start_sim() { bench_start_sim "$SITES" "$SPEED" "$@"; }

# run_segtop NAME [flags...]: one headless wave of $SITES. Once every site's REPORT is in
# (a progress line with done=$SITES), the run gets 5 s to finish by itself, then SIGTERM (an interrupt):
# with 300 groups the drain (every group re-read past the last outcome) adds ~75 s that
# measure nothing here. Appends a line of figures to $W/NAME.
run_segtop() {
    local name=$1
    shift
    local err=$W/$name.err
    "$SEGTOP" --headless --endpoint "$ENDPOINT" --sites "$SITES" --waves "$SITES" --gap 0 \
        --sim-speed "$SPEED" --export-dir "$W" --summary-json "$W/$name.json" "$@" \
        >"$W/$name.out" 2>"$err" &
    CLIPID=$!
    local t=0 done_at=
    while kill -0 "$CLIPID" 2>/dev/null; do
        sleep 0.2
        t=$((t + 1))
        if [ -z "$done_at" ] && grep -q " done=$SITES " "$err"; then
            done_at=$t
        fi
        if { [ -n "$done_at" ] && [ $((t - done_at)) -ge 25 ]; } || [ $t -ge $((RUN_LIMIT * 5)) ]; then
            kill -TERM "$CLIPID" 2>/dev/null || true
            break
        fi
    done
    local rc=0
    wait "$CLIPID" || rc=$?
    CLIPID=
    if [ "$rc" != 0 ] && [ "$rc" != 130 ]; then
        echo "bench_engine: segtop ($name) exited $rc" >&2
        tail -5 "$err" >&2
        exit 1
    fi
    $PY - "$err" "$W/$name.json" >>"$W/$name" <<'EOF'
import json, re, sys
err = open(sys.argv[1]).read()
js = json.load(open(sys.argv[2]))
def grab(pat):
    m = re.search(pat, err)
    return m.group(1) if m else "nan"
fr = js["freshness"]
print(" ".join("%s=%s" % kv for kv in [
    ("trigger_ms", grab(r"triggers on the wire ([0-9.]+) ms")),
    ("complete_s", grab(r"REPORTs in the store ([0-9.]+) s")),
    ("calls_to_complete", grab(r"s after the command, ([0-9]+) log calls")),
    ("fresh_p50_s", (fr["wall_p50_ms"] or float("nan")) / 1000),
    ("fresh_p95_s", (fr["wall_p95_ms"] or float("nan")) / 1000),
    ("fresh_max_s", (fr["wall_max_ms"] or float("nan")) / 1000),
    ("fresh_log_p95_s", (fr["p95_ms"] or float("nan")) / 1000),
    ("reports", fr["n"]),
    ("log_calls", js["log_calls"]),
    ("throttles", js["log_throttles"]),
    ("done", js["totals"]["done"]),
]))
EOF
    echo "  $name: $(tail -1 "$W/$name")"
}

echo "bench_engine: $SITES sites, --sim-speed $SPEED, $REPS runs per mode, simulator rate limits on (FilterLogEvents 5/s wall), segtop --log-tps 4 (default)"
for i in $(seq 1 "$REPS"); do
    start_sim --shared-log-group /segtop/shared
    run_segtop shared --shared-log-group /segtop/shared
    stop_sim
done
for i in $(seq 1 "$REPS"); do
    start_sim
    run_segtop groups
    stop_sim
done
start_sim
$PY "$here/original_method.py" --endpoint "$ENDPOINT" --sites "$SITES" >"$W/original" 2>"$W/original.err" ||
    { cat "$W/original.err" >&2; exit 1; }
stop_sim
echo "  $(cat "$W/original")"

$PY - "$W/shared" "$W/groups" "$W/original" "$SITES" "$SPEED" "${SEGTOP_BENCH_RESULTS:-}" <<'EOF'
import statistics, sys
def runs(path):
    out = []
    for line in open(path):
        out.append({k: float(v) for k, v in (kv.split("=") for kv in line.split() if "=" in kv)})
    return out
def med(rs, k):
    return statistics.median(r[k] for r in rs)
shared, groups = runs(sys.argv[1]), runs(sys.argv[2])
orig = {k: float(v) for k, v in (kv.split("=") for kv in open(sys.argv[3]).read().split() if "=" in kv)}
sites, speed = sys.argv[4], sys.argv[5]
print("\nsegtop, one %s-site wave, medians of %d runs (freshness = REPORT ingestionTime -> in the"
      " store, wall s; log clock = %s x wall):" % (sites, len(shared), speed))
print("%-22s %8s %8s %8s %8s %9s %9s %9s %9s" % ("mode", "trig_ms", "fr_p50", "fr_p95", "fr_max",
      "fr_p95log", "complete", "calls@cpl", "throttles"))
for name, rs in (("shared log group", shared), ("%s log groups" % sites, groups)):
    print("%-22s %8.1f %8.2f %8.2f %8.2f %9.2f %9.2f %9.0f %9.0f" % (
        name, med(rs, "trigger_ms"), med(rs, "fresh_p50_s"), med(rs, "fresh_p95_s"),
        med(rs, "fresh_max_s"), med(rs, "fresh_log_p95_s"), med(rs, "complete_s"),
        med(rs, "calls_to_complete"), med(rs, "throttles")))
def verdict(ok):
    return "ok" if ok else "MISSED"
trig = max(med(shared, "trigger_ms"), med(groups, "trigger_ms"))
print("\ntargets: triggers on the wire <= 100 ms: %.1f ms %s" % (trig, verdict(trig <= 100)))
p = med(shared, "fresh_p95_s")
print("         freshness p95 <= 2 s, shared group: %.2f s %s" % (p, verdict(p <= 2)))
p = med(groups, "fresh_p95_s")
print("         freshness p95 <= 15 s, %s groups: %.2f s %s" % (sites, p, verdict(p <= 15)))
t = max(med(shared, "throttles"), med(groups, "throttles"))
print("         no throttling: %d throttles %s" % (t, verdict(t == 0)))
print("\noriginal method (DescribeLogStreams + GetLogEvents per group, boto3 standard retries):"
      " %d log calls (%d throttled), %.2f s to the last REPORT" % (orig["log_calls"],
      orig["throttles"], orig["seconds"]))
for name, rs in (("%s groups" % sites, groups), ("shared group", shared)):
    c, s = med(rs, "calls_to_complete"), med(rs, "complete_s")
    print("  vs segtop, %-13s: calls %5.0f vs %4.0f = %5.1fx   seconds %6.2f vs %6.2f = %5.2fx"
          % (name, orig["log_calls"], c, orig["log_calls"] / c if c else float("nan"),
             orig["seconds"], s, orig["seconds"] / s if s else float("nan")))
if len(sys.argv) > 6 and sys.argv[6]:
    with open(sys.argv[6], "w") as f:
        for name, rs in (("shared", shared), ("groups", groups)):
            for k in sorted(rs[0]):
                f.write("%s_%s=%s\n" % (name, k, med(rs, k)))
            f.write("%s_runs=%d\n" % (name, len(rs)))
        for k, v in sorted(orig.items()):
            f.write("original_%s=%s\n" % (k, v))
EOF
