#!/bin/sh
# Headless ladders against the simulator, compared with its ground truth (DESIGN §4, §6).
# $1: the headless binary (seg_engine_cli; segtop itself when SEGTOP_BIN is usable);
# $2: case: inproc | faults | standalone | slo
set -eu
CLI=$1
CASE=$2
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
SIMPID=
cleanup() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
FAULTS='timeout=site3,error=0.1,throttle=0.05:logs,duplicate-events=0.2,reorder=0.2,ingest-delay=500ms..3s'
compare() {
    /usr/bin/python3 "$HERE/truth_compare.py" truth.csv segtop-invocations-*.csv
}
case $CASE in
inproc)
    "$CLI" --headless --sites 20 --waves 1,5,20 --sim-speed 100 --gap 0 --sim-truth truth.csv \
        --export-dir . >out.txt 2>err.txt || { cat err.txt; exit 1; }
    head -1 out.txt | grep -q '^wave,size,launched' || { echo "no waves CSV"; exit 1; }
    grep -q '^\[t+[0-9]*s\] wave 3/3 n=20 sent=20 acc=20 start=20 done=20 fail=0 miss=0 logs=' err.txt
    compare
    ;;
shared)
    "$CLI" --headless --sites 30 --waves 10,30 --sim-speed 100 --gap 0 --sim-truth truth.csv \
        --shared-log-group /segtop/shared --export-dir . --summary-json s.json \
        >out.txt 2>err.txt || { cat err.txt; exit 1; }
    compare
    /usr/bin/python3 -c 'import json,sys; d=json.load(open("s.json")); assert len(d["waves"])==2 and all(w["complete"] for w in d["waves"]), d'
    # The scaling statistics per wave size: 10 attempts of size 10, 30 of size 30.
    /usr/bin/python3 -c 'import json; d=json.load(open("s.json")); s=d["scaling"]; assert [r["size"] for r in s]==[10,30] and s[0]["exec_ms"]["n"]==10 and s[1]["exec_ms"]["n"]==30 and s[1]["exec_ms"]["ci95_lo"] < s[1]["exec_ms"]["mean"] < s[1]["exec_ms"]["ci95_hi"] and len(d["welch_consecutive"])==1, s'
    # Freshness (REPORT ingestion -> store): one sample per REPORT, wall = log clock / speed.
    grep -q '^segtop: freshness p50 [0-9.]* s p95 [0-9.]* s max [0-9.]* s (wall), log calls [1-9][0-9]*, throttles [0-9]*;' err.txt ||
        { echo "no freshness line"; cat err.txt; exit 1; }
    grep -q '^segtop: last wave: all 30 REPORTs in the store [0-9.]* s after the command' err.txt ||
        { echo "no last-wave REPORTs line"; cat err.txt; exit 1; }
    /usr/bin/python3 -c 'import json; f=json.load(open("s.json"))["freshness"]; assert f["n"]==40 and 0 <= f["p50_ms"] <= f["p95_ms"] <= f["max_ms"] and abs(f["wall_p95_ms"]*100 - f["p95_ms"]) < 1, f'
    ;;
faults)
    "$CLI" --headless --sites 20 --waves 1,5,20 --sim-speed 200 --gap 0 --sim-truth truth.csv \
        --sim-faults "$FAULTS" --export-dir . >out.txt 2>err.txt || { cat err.txt; exit 1; }
    compare
    ;;
standalone)
    [ -x "${SEGTOP_BIN:-}" ] || exit 77
    "$SEGTOP_BIN" sim --listen 127.0.0.1:0 --sites 20 --sim-speed 100 --sim-truth truth.csv \
        --sim-faults "$FAULTS" >sim.txt 2>sim.err &
    SIMPID=$!
    i=0
    while ! grep -q '^secret_access_key=' sim.txt; do
        i=$((i + 1)); [ $i -lt 100 ] || { cat sim.err; exit 1; }; sleep 0.1
    done
    AWS_ACCESS_KEY_ID=$(sed -n 's/^access_key_id=//p' sim.txt)
    AWS_SECRET_ACCESS_KEY=$(sed -n 's/^secret_access_key=//p' sim.txt)
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
    AWS_CONFIG_FILE=$W/none AWS_SHARED_CREDENTIALS_FILE=$W/none \
        "$CLI" --headless --sites 20 --waves 1,5,20 --sim-speed 100 --gap 0 \
        --endpoint "$(sed -n 's/^endpoint=//p' sim.txt)" --export-dir . >out.txt 2>err.txt ||
        { cat err.txt; exit 1; }
    kill "$SIMPID"; wait "$SIMPID" || true; SIMPID=
    compare
    ;;
slo)
    rc=0
    "$CLI" --headless --sites 5 --waves 5 --sim-speed 200 --gap 0 --slo 'p95_duration<1ms' \
        --export-dir . >out.txt 2>err.txt || rc=$?
    [ "$rc" = 3 ] || { echo "impossible --slo: exit $rc, want 3"; cat err.txt; exit 1; }
    grep -q 'BROKEN' err.txt
    rc=0
    "$CLI" --headless --aws --sites 5 --waves 5 >out.txt 2>err.txt || rc=$?
    [ "$rc" = 2 ] || { echo "--aws without --image: exit $rc, want 2"; exit 1; }
    printf 'x' >img.jpg
    rc=0
    "$CLI" --headless --aws --image img.jpg --sites 5 --waves 5 >out.txt 2>err.txt || rc=$?
    [ "$rc" = 2 ] && grep -q 'estimated Lambda cost' err.txt || { echo "--aws without --yes: exit $rc"; exit 1; }
    ;;
esac
