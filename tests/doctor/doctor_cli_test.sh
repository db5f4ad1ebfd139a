#!/bin/sh
# doctor.cli: the real binary. A standalone `segtop sim --sites 5` and `segtop doctor
# --endpoint URL --sites 8` with the simulator's key pair: exactly the problem lines of sites
# 6..8, exit 4, the freshness line, and the secret never printed. Also the default target
# (all ok, exit 0) and a usage error (exit 2).
. "$(dirname "$0")/../simapi/lib.sh"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_DEFAULT_REGION
unset AWS_ENDPOINT_URL_S3 AWS_ENDPOINT_URL_LAMBDA AWS_ENDPOINT_URL_CLOUDWATCH_LOGS
aws_env
export XDG_CONFIG_HOME="$WORK/xdg"
DASH=$(printf '\342\200\224')

start_sim five --sites 5 || exit 1
SECRET=$SIM_SECRET
AWS_ACCESS_KEY_ID=$SIM_KEY AWS_SECRET_ACCESS_KEY=$SIM_SECRET \
    "$SEGTOP_BIN" doctor --endpoint "$SIM_ENDPOINT" --sites 8 >"$WORK/d8.out" 2>"$WORK/d8.err"
rc=$?
[ "$rc" -eq 4 ] && ok "missing sites exit 4" || bad "missing sites exit 4" "rc=$rc"

# Every PROBLEM line, exactly: functions and buckets of sites 6..8 (their notifications and
# log groups are not repeated: the missing function or bucket explains them).
grep '^PROBLEM' "$WORK/d8.out" >"$WORK/d8.problems"
cat >"$WORK/d8.want" <<EOT
PROBLEM site6: function site6-lambdafunction not found (ResourceNotFoundException) $DASH deploy it or fix --function-pattern
PROBLEM site7: function site7-lambdafunction not found (ResourceNotFoundException) $DASH deploy it or fix --function-pattern
PROBLEM site8: function site8-lambdafunction not found (ResourceNotFoundException) $DASH deploy it or fix --function-pattern
PROBLEM site6: bucket site6-simulatedbucket not found (HTTP 404) $DASH create it or fix --bucket-pattern
PROBLEM site7: bucket site7-simulatedbucket not found (HTTP 404) $DASH create it or fix --bucket-pattern
PROBLEM site8: bucket site8-simulatedbucket not found (HTTP 404) $DASH create it or fix --bucket-pattern
EOT
if diff -u "$WORK/d8.want" "$WORK/d8.problems"; then
    ok "problem lines of sites 6..8"
else
    bad "problem lines of sites 6..8" "see diff"
fi
grep -qx 'info    functions: 5/8 found; Timeout 781 s, MemorySize 6200 MB, LogFormat Text' \
    "$WORK/d8.out" && ok "functions summary" || bad "functions summary" "$(grep functions "$WORK/d8.out")"
grep -qx 'info    freshness: 8 groups, 4 calls/s: a sweep takes 2 s' "$WORK/d8.out" &&
    ok "per-group freshness" || bad "per-group freshness" "$(grep freshness "$WORK/d8.out")"
grep -qx 'doctor: 6 problems, 0 warnings (8 sites, trigger s3)' "$WORK/d8.out" &&
    ok "summary line" || bad "summary line" "$(tail -1 "$WORK/d8.out")"
grep -q "^ok      endpoint s3: $SIM_ENDPOINT (--endpoint)\$" "$WORK/d8.out" &&
    ok "endpoint and its source" || bad "endpoint and its source" "$(grep endpoint "$WORK/d8.out")"
grep -qx 'ok      credentials: from environment' "$WORK/d8.out" &&
    ok "credentials source" || bad "credentials source" "$(grep credentials "$WORK/d8.out")"
if grep -qF "$SECRET" "$WORK/d8.out" "$WORK/d8.err"; then
    bad "secret never printed" ""
else
    ok "secret never printed"
fi

# The same five sites, all there: exit 0.
AWS_ACCESS_KEY_ID=$SIM_KEY AWS_SECRET_ACCESS_KEY=$SIM_SECRET \
    "$SEGTOP_BIN" doctor --endpoint "$SIM_ENDPOINT" --sites 5 >"$WORK/d5.out" 2>"$WORK/d5.err"
rc=$?
[ "$rc" -eq 0 ] && ok "five of five exit 0" || bad "five of five exit 0" "rc=$rc $(cat "$WORK/d5.out")"

# The default target: the in-process simulator, shared group mode.
"$SEGTOP_BIN" doctor --sites 30 --shared-log-group /segtop/pipeline >"$WORK/dd.out" 2>"$WORK/dd.err"
rc=$?
[ "$rc" -eq 0 ] && ok "default target exit 0" || bad "default target exit 0" "rc=$rc $(cat "$WORK/dd.out" "$WORK/dd.err")"
grep -qx 'info    freshness: shared group: one FilterLogEvents call per poll, about 1 s' \
    "$WORK/dd.out" && ok "shared freshness" || bad "shared freshness" "$(grep freshness "$WORK/dd.out")"
if grep -qF "$SECRET" "$WORK/dd.out" "$WORK/dd.err"; then
    bad "test secret never printed by doctor" ""
else
    ok "test secret never printed by doctor"
fi

"$SEGTOP_BIN" doctor --sites-file "$WORK/none.csv" >"$WORK/du.out" 2>"$WORK/du.err"
rc=$?
[ "$rc" -eq 2 ] && ok "usage error exit 2" || bad "usage error exit 2" "rc=$rc"

finish doctor.cli
