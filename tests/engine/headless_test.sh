#!/bin/sh
# Headless ladders against the simulator, compared with its ground truth (DESIGN §4, §6).
# $1: the headless binary (seg_engine_cli; segtop itself when SEGTOP_BIN is usable);
# $2: case: inproc | shared | faults | standalone | slo | invoke | event | discover |
#     discover-renumbered | preflight
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
    /usr/bin/python3 "$HERE/truth_compare.py" truth.csv segtop-invocations-*.csv "$@"
}
json() { /usr/bin/python3 -c "import json,sys; print(json.load(open('s.json'))$1)"; }
# --trigger invoke|event: the uploads also fire the functions (the simulator's buckets
# notify them, as on AWS): the waves' runs match the truth, the others are counted extra.
triggered() {
    "$CLI" --headless --sites 20 --waves 1,5,20 --sim-speed 200 --gap 0 --sim-truth truth.csv \
        --trigger "$1" --sim-faults "$FAULTS" --export-dir . --summary-json s.json \
        >out.txt 2>err.txt || { cat err.txt; exit 1; }
    extra=$(json '["notification_runs"]')
    [ "$extra" -gt 0 ] || { echo "no extra runs counted"; exit 1; }
    [ "$(json '["trigger"]')" = "$1" ]
    grep -q "^\[t+[0-9]*s\] wave 3/3 n=20 sent=20 acc=20 .* extra=$extra\$" err.txt ||
        { echo "no final progress line with extra=$extra"; tail -3 err.txt; exit 1; }
    [ "$(grep -c '^segtop: warning: the buckets also notify the functions' err.txt)" = 1 ] ||
        { echo "the extra-run warning is not given once"; cat err.txt; exit 1; }
    grep -q "^segtop: extra runs from the bucket notification: $extra " err.txt
    compare --extra "$extra"
}
# A standalone simulator on an ephemeral port: $@ its options. Sets ENDPOINT and the keys.
standalone_sim() {
    "$SEGTOP_BIN" sim --listen 127.0.0.1:0 "$@" >sim.txt 2>sim.err &
    SIMPID=$!
    i=0
    while ! grep -q '^secret_access_key=' sim.txt; do
        i=$((i + 1)); [ $i -lt 100 ] || { cat sim.err; exit 1; }; sleep 0.1
    done
    AWS_ACCESS_KEY_ID=$(sed -n 's/^access_key_id=//p' sim.txt)
    AWS_SECRET_ACCESS_KEY=$(sed -n 's/^secret_access_key=//p' sim.txt)
    ENDPOINT=$(sed -n 's/^endpoint=//p' sim.txt)
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE=$W/none \
        AWS_SHARED_CREDENTIALS_FILE=$W/none
}
stop_sim() { kill "$SIMPID"; wait "$SIMPID" || true; SIMPID=; }
expect_exit() { # code what command...
    want=$1 what=$2
    shift 2
    rc=0
    "$@" >out.txt 2>err.txt || rc=$?
    [ "$rc" = "$want" ] || { echo "$what: exit $rc, want $want"; cat err.txt; exit 1; }
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
    standalone_sim --sites 20 --sim-speed 100 --sim-truth truth.csv --sim-faults "$FAULTS"
    "$CLI" --headless --sites 20 --waves 1,5,20 --sim-speed 100 --gap 0 --endpoint "$ENDPOINT" \
        --export-dir . >out.txt 2>err.txt || { cat err.txt; exit 1; }
    stop_sim
    compare
    ;;
invoke | event)
    triggered "$CASE"
    ;;
discover)
    # The functions and their log groups are not what the default patterns say: the sites
    # come from ListFunctions (3 pages of 50) and each group from LoggingConfig.LogGroup.
    [ -x "${SEGTOP_BIN:-}" ] || exit 77
    standalone_sim --sites 120 --function-pattern 'pipe{n}-fn' --log-group-pattern '/custom/{function}' \
        --sim-speed 100 --sim-truth truth.csv
    "$CLI" --headless --discover pipe --waves 1,10 --sim-speed 100 --gap 0 --endpoint "$ENDPOINT" \
        --export-dir . --summary-json s.json >out.txt 2>err.txt || { cat err.txt; exit 1; }
    stop_sim
    grep -q '^segtop: discover: 120 of 120 functions are named pipe\* (3 ListFunctions pages)$' err.txt ||
        { echo "no discover line"; cat err.txt; exit 1; }
    grep -q '^segtop: pre-flight: 120 sites, timeout 781 s, memory 6200 MB, account concurrency 1000 ' err.txt
    grep -q '^\[t+[0-9]*s\] wave 2/2 n=10 sent=10 acc=10 start=10 done=10 fail=0 miss=0 ' err.txt
    ! grep -q 'warning' err.txt || { cat err.txt; exit 1; }
    [ "$(json '["account_concurrency"]')" = 1000 ]
    [ "$(json '["function_config_failed"]')" = 0 ]
    compare
    ;;
discover-renumbered)
    # site2, site20..site29: not 1..11, so the sites are numbered by position, the buckets
    # keep the names' numbers. The export's sites are positions: compare by function name.
    "$CLI" --headless --sites 30 --discover site2 --waves 1,11 --sim-speed 100 --gap 0 \
        --sim-truth truth.csv --export-dir . >out.txt 2>err.txt || { cat err.txt; exit 1; }
    grep -q '^segtop: discover: 11 of 30 functions are named site2\* (1 ListFunctions page); their numbers are not 1..N' err.txt ||
        { echo "no renumbering note"; cat err.txt; exit 1; }
    grep -q '^\[t+[0-9]*s\] wave 2/2 n=11 sent=11 acc=11 start=11 done=11 fail=0 miss=0 ' err.txt
    compare --site-from-function
    /usr/bin/python3 -c 'import csv,glob,sys; r=[x for x in csv.DictReader(open(glob.glob("segtop-invocations-*.csv")[0])) if x["wave"]=="2"]; m={int(x["site"]):x["function"] for x in r}; sys.exit(0 if m[1]=="site2-lambdafunction" and m[2]=="site20-lambdafunction" and m[11]=="site29-lambdafunction" else 1)' ||
        { echo "site numbers are not positions in name-number order"; exit 1; }
    ;;
preflight)
    # Nothing matched: exit 2, naming the prefix and where it looked.
    expect_exit 2 "--discover nothing" "$CLI" --headless --sites 5 --discover nosuch --waves 1
    grep -q "^segtop: --discover nosuch: no function name starts with 'nosuch' in region us-west-1 at http://127.0.0.1:[0-9]* (5 functions listed)$" err.txt ||
        { cat err.txt; exit 1; }
    expect_exit 2 "--discover with --sites-file" "$CLI" --headless --discover site --sites-file /dev/null
    expect_exit 2 "--discover ''" "$CLI" --headless --discover '' --sites 5
    # ListFunctions keeps failing: a runtime failure (exit 1) naming the API.
    expect_exit 1 "--discover, Lambda down" "$CLI" --headless --sites 5 --discover site --waves 1 \
        --sim-faults '5xx=1:lambda' --max-attempts 2
    grep -q '^segtop: --discover site: ListFunctions failed in region us-west-1 at http://127.0.0.1:[0-9]*: HTTP 5' err.txt ||
        { cat err.txt; exit 1; }
    # Without --discover a lookup that fails is never fatal: defaults, one warning each.
    "$CLI" --headless --sites 5 --waves 5 --sim-speed 200 --gap 0 --sim-faults '5xx=1:lambda' \
        --max-attempts 1 --export-dir . --summary-json s.json >out.txt 2>err.txt || { cat err.txt; exit 1; }
    grep -q '^segtop: pre-flight: 5 sites, timeout 781 s, memory 6200 MB, account concurrency unknown ' err.txt
    [ "$(grep -c '^segtop: warning: GetFunctionConfiguration failed for 5 of 5 sites (first: site1-lambdafunction: HTTP 5' err.txt)" = 1 ] ||
        { cat err.txt; exit 1; }
    grep -q '^segtop: warning: GetAccountSettings failed (HTTP 5.*): the account.s concurrency limit is unknown$' err.txt
    [ "$(json '["function_config_failed"]')" = 5 ]
    [ "$(json '["account_concurrency"]')" = None ]
    [ "$(json '["waves"][0]["done"]')" = 5 ]
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
