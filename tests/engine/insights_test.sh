#!/bin/sh
# 100 sites with a log group each: the poller reads them with Logs Insights queries over
# batches of up to 50 groups (a FilterLogEvents round would take 25 s at 4 calls/s), under
# the simulator's Logs rate limits and a fault mix; the invocations export must still equal
# the simulator's ground truth. $1: the headless binary (seg_engine_cli).
set -eu
CLI=$1
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
"$CLI" --headless --sites 100 --waves 50,100 --sim-speed 100 --gap 0 --sim-truth truth.csv \
    --sim-faults 'throttle=0.05:logs,duplicate-events=0.2,reorder=0.2,ingest-delay=500ms..3s' \
    --export-dir . --summary-json s.json >out.txt 2>err.txt || { cat err.txt; exit 1; }
/usr/bin/python3 "$HERE/truth_compare.py" truth.csv segtop-invocations-*.csv
/usr/bin/python3 - <<'PY'
import json
d = json.load(open("s.json"))
q, calls = d["log_insights_queries"], d["log_calls"]
assert q >= 4, f"expected Insights queries over 2 batches for 2 waves, got {q}"
assert all(w["complete"] for w in d["waves"]), d["waves"]
print(f"Insights queries {q}, log calls {calls}, throttles {d['log_throttles']}")
PY
grep -q "Insights queries$" err.txt || { echo "no Insights count on stderr"; cat err.txt; exit 1; }
