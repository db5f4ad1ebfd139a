#!/bin/sh
# `segtop replay` as a user runs it: the waves CSV on stdout, exit codes 0 / 1 / 2, the
# dashboard's terminal check without --headless, errors with file:line. Needs SEGTOP_BIN.
set -u
bin=${SEGTOP_BIN:?SEGTOP_BIN not set}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/segtop-replay-cli-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
waves_header='wave,size,launched,done,missing,cold_pct,p50_exec_ms,p95_exec_ms,mean_exec_ms,sd_exec_ms,p95_e2e_ms,makespan_ms,errors,throttles,cost_usd'

cat > "$tmp/l.csv" <<'CSV'
,id,lambda_function_name,event_time,write_to_database_timestamp,function_end_timestamp,billed_duration_ms,cold_start
0,image_capture_2025-05-08_17-00-00.jpg,site1-lambdafunction,2025-05-08 23:00:17,2025-05-08 23:00:40.448,2025-05-08 23:00:40.504,22215.0,True
1,image_capture_2025-05-08_16-00-00.jpg,site1-lambdafunction,2025-05-08 22:00:04,2025-05-08 22:00:22.488,2025-05-08 22:00:22.552,16755.0,True
2,image_capture_2025-05-08_16-00-00.jpg,site2-lambdafunction,2025-05-08 22:00:05,2025-05-08 22:00:23.000,2025-05-08 22:00:23.100,16000.0,True
CSV

# Headless: header plus one row per wave, nothing on stderr.
env XDG_STATE_HOME="$tmp/state" "$bin" replay --headless "$tmp/l.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || fail "headless exit $rc: $(cat "$tmp/err")"
[ "$(head -n 1 "$tmp/out")" = "$waves_header" ] || fail "header: $(head -n 1 "$tmp/out")"
[ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "rows: $(cat "$tmp/out")"
grep -q '^1,2,2,2,0,100.0,' "$tmp/out" || fail "wave 1 row: $(cat "$tmp/out")"
[ ! -s "$tmp/err" ] || fail "headless stderr: $(cat "$tmp/err")"

# The whole original file when ../shared is here: 443 ids, so 443 waves.
seed="${SEG_SHARED_DIR:-}/seed-data/logsdata.csv"
if [ -r "$seed" ]; then
    "$bin" --headless replay "$seed" >"$tmp/seed" 2>"$tmp/err" || fail "seed: $(cat "$tmp/err")"
    [ "$(head -n 1 "$tmp/seed")" = "$waves_header" ] || fail "seed header"
    [ "$(wc -l <"$tmp/seed")" -eq 444 ] || fail "seed rows: $(wc -l <"$tmp/seed")"
fi

# Without --headless it is the dashboard (tests/live): without a terminal, a clear usage
# error that points at --headless.
"$bin" replay "$tmp/l.csv" >"$tmp/out2" 2>"$tmp/err" </dev/null
[ $? -eq 2 ] || fail "dashboard without a terminal: exit code"
grep -q 'needs a terminal.*--headless' "$tmp/err" || fail "no note: $(cat "$tmp/err")"

# Errors: unreadable 1, malformed 1 with file:line, usage 2, no journal for --last 1.
"$bin" replay --headless "$tmp/none.csv" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "missing file exit"
grep -q "none.csv: cannot open" "$tmp/err" || fail "missing file message: $(cat "$tmp/err")"
printf '%s\n1,2,3\n' "$(head -n 1 "$tmp/l.csv")" >"$tmp/bad.csv"
"$bin" replay --headless "$tmp/bad.csv" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "malformed exit"
grep -q "bad.csv:2: " "$tmp/err" || fail "malformed message: $(cat "$tmp/err")"
"$bin" replay >/dev/null 2>&1
[ $? -eq 2 ] || fail "usage exit"
env XDG_STATE_HOME="$tmp/state" "$bin" replay --last --headless >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "--last without a journal"
grep -q "no journal" "$tmp/err" || fail "--last message: $(cat "$tmp/err")"
echo "replay cli: ok"
