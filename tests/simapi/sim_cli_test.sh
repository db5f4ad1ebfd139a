#!/bin/sh
# simapi.sim_cli: `segtop sim` prints DESIGN §4's lines, hides an environment secret, exits 0
# on SIGTERM and 2 on a bad --sim-faults key or a non-loopback --listen.
. "$(dirname "$0")/lib.sh"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION

# stop_sim: SIGTERM, then the exit code within a deadline (124 when it hangs).
stop_sim() {
    kill -TERM "$SIM_PID"
    n=$((100 * SCALE))
    while kill -0 "$SIM_PID" 2>/dev/null && [ "$n" -gt 0 ]; do
        sleep 0.05
        n=$((n - 1))
    done
    if kill -0 "$SIM_PID" 2>/dev/null; then
        kill -KILL "$SIM_PID"
        return 124
    fi
    wait "$SIM_PID"
}

start_sim builtin --sites 3 || exit 1
lines=$(wc -l <"$WORK/builtin.out")
case $SIM_ENDPOINT in
http://127.0.0.1:[0-9]*) ok "endpoint line" ;;
*) bad "endpoint line" "$SIM_ENDPOINT" ;;
esac
[ "$SIM_REGION" = us-west-1 ] && ok "default region" || bad "default region" "$SIM_REGION"
[ "$SIM_KEY" = SEGTOPSIMACCESSKEY01 ] && ok "test key id" || bad "test key id" "$SIM_KEY"
[ "$SIM_SECRET" = "segtopSimulatorTestKey/NotASecret/000001" ] && ok "test secret printed" ||
    bad "test secret printed" "$SIM_SECRET"
[ "$lines" -eq 4 ] && ok "four lines" || bad "four lines" "$lines"
head -1 "$WORK/builtin.out" | grep -q '^endpoint=' && ok "endpoint first" || bad "endpoint first" ""
stop_sim
rc=$?
[ "$rc" -eq 0 ] && ok "SIGTERM exits 0" || bad "SIGTERM exits 0" "rc=$rc"

AWS_ACCESS_KEY_ID=AKIDENVIRONMENTKEY01 AWS_SECRET_ACCESS_KEY=envSecretMustNotPrint \
    AWS_REGION=eu-west-3 start_sim envkey --sites 2 --listen 127.0.0.1:0 || exit 1
sleep 0.2
lines=$(wc -l <"$WORK/envkey.out")
[ "$lines" -eq 3 ] && ok "three lines with an environment key" ||
    bad "three lines with an environment key" "$(cat "$WORK/envkey.out")"
[ "$SIM_KEY" = AKIDENVIRONMENTKEY01 ] && ok "environment key id" || bad "environment key id" "$SIM_KEY"
[ "$SIM_REGION" = eu-west-3 ] && ok "AWS_REGION" || bad "AWS_REGION" "$SIM_REGION"
if grep -q envSecretMustNotPrint "$WORK/envkey.out" "$WORK/envkey.err"; then
    bad "environment secret never printed" ""
else
    ok "environment secret never printed"
fi
kill -INT "$SIM_PID"
n=$((100 * SCALE))
while kill -0 "$SIM_PID" 2>/dev/null && [ "$n" -gt 0 ]; do sleep 0.05; n=$((n - 1)); done
wait "$SIM_PID"
rc=$?
[ "$rc" -eq 0 ] && ok "SIGINT exits 0" || bad "SIGINT exits 0" "rc=$rc"

"$SEGTOP_BIN" sim --sim-faults bogus=1 >"$WORK/bogus.out" 2>"$WORK/bogus.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q bogus "$WORK/bogus.err" && ok "--sim-faults bogus=1 exits 2" ||
    bad "--sim-faults bogus=1 exits 2" "rc=$rc $(cat "$WORK/bogus.err")"
[ -s "$WORK/bogus.out" ] && bad "nothing on stdout after an error" "$(cat "$WORK/bogus.out")" ||
    ok "nothing on stdout after an error"
"$SEGTOP_BIN" sim --listen 0.0.0.0:1 >/dev/null 2>"$WORK/listen.err"
rc=$?
[ "$rc" -eq 2 ] && ok "--listen 0.0.0.0:1 exits 2" || bad "--listen 0.0.0.0:1 exits 2" "rc=$rc"
printf 'site,function,bucket\n' >"$WORK/bad.csv"
"$SEGTOP_BIN" sim --sites-file "$WORK/bad.csv" >/dev/null 2>"$WORK/csv.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q 'bad.csv:1' "$WORK/csv.err" && ok "bad sites file exits 2 naming file:line" ||
    bad "bad sites file exits 2 naming file:line" "rc=$rc $(cat "$WORK/csv.err")"

finish simapi.sim_cli
