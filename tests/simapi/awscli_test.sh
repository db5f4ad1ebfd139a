#!/bin/sh
# simapi.awscli: Debian's AWS CLI v2 (/usr/bin/aws) against a standalone simulator.
. "$(dirname "$0")/lib.sh"
if [ ! -x /usr/bin/aws ]; then
    echo "skip: /usr/bin/aws is missing"
    exit 77
fi
aws_env
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
start_sim main --sim-speed 50 --sites 20 --sim-seed 3 || exit 1
export AWS_ACCESS_KEY_ID="$SIM_KEY" AWS_SECRET_ACCESS_KEY="$SIM_SECRET"
export AWS_DEFAULT_REGION="$SIM_REGION" AWS_MAX_ATTEMPTS=1
EP="--endpoint-url $SIM_ENDPOINT"
# expect NAME WANT CMD...: the command's stdout must equal WANT.
expect() {
    name=$1
    want=$2
    shift 2
    got=$("$@" 2>"$WORK/err") || {
        bad "$name" "exit $?: $(cat "$WORK/err")"
        return
    }
    if [ "$got" = "$want" ]; then ok "$name"; else bad "$name" "got '$got', want '$want'"; fi
}
# expect_fail NAME PATTERN CMD...: the command must fail with PATTERN on stderr.
expect_fail() {
    name=$1
    pat=$2
    shift 2
    if "$@" >/dev/null 2>"$WORK/err"; then
        bad "$name" "succeeded"
    elif grep -q "$pat" "$WORK/err"; then ok "$name"; else bad "$name" "$(cat "$WORK/err")"; fi
}

AWS=/usr/bin/aws
n=$($AWS $EP lambda list-functions --page-size 7 --query 'Functions[].FunctionName' \
    --output text 2>"$WORK/err" | wc -w)
[ "$n" -eq 20 ] && ok "list-functions (pages of 7)" || bad "list-functions (pages of 7)" "$n"
# (CLI 2.9 predates LoggingConfig and drops it; simapi.boto3 checks it in the raw JSON.)
expect "get-function-configuration by ARN" "site4-lambdafunction" \
    $AWS $EP lambda get-function-configuration \
    --function-name "arn:aws:lambda:$SIM_REGION:123456789012:function:site4-lambdafunction" \
    --query FunctionName --output text
expect "get-function-configuration PackageType/Memory/Timeout" "Image	6200	781" \
    $AWS $EP lambda get-function-configuration --function-name site4-lambdafunction \
    --query '[PackageType, MemorySize, Timeout]' --output text
expect "get-function-concurrency (none reserved)" "" \
    $AWS $EP lambda get-function-concurrency --function-name site4-lambdafunction --output json
expect "get-account-settings" "1000	20" \
    $AWS $EP lambda get-account-settings \
    --query '[AccountLimit.ConcurrentExecutions, AccountUsage.FunctionCount]' --output text

# invoke: RequestResponse with Tail, Event, DryRun, unknown function
if $AWS $EP lambda invoke --function-name site1-lambdafunction --payload '{"k": 1}' \
    --cli-binary-format raw-in-base64-out --log-type Tail "$WORK/out.json" \
    >"$WORK/invoke.json" 2>"$WORK/err"; then
    tail=$(/usr/bin/python3 -c 'import json,sys,base64
print(base64.b64decode(json.load(open(sys.argv[1]))["LogResult"]).decode())' "$WORK/invoke.json")
    case $tail in
    *"REPORT RequestId: "*) ok "invoke --log-type Tail has REPORT" ;;
    *) bad "invoke --log-type Tail has REPORT" "$tail" ;;
    esac
else
    bad "invoke RequestResponse" "$(cat "$WORK/err")"
fi
expect "invoke Event 202" 202 $AWS $EP lambda invoke --function-name site1-lambdafunction \
    --invocation-type Event --payload '{}' --cli-binary-format raw-in-base64-out \
    --query StatusCode --output text "$WORK/ev.json"
expect "invoke DryRun 204" 204 $AWS $EP lambda invoke --function-name site1-lambdafunction \
    --invocation-type DryRun --query StatusCode --output text "$WORK/dry.json"
expect_fail "invoke unknown function" ResourceNotFoundException \
    $AWS $EP lambda invoke --function-name nosuch "$WORK/x.json"

# S3
expect "s3api list-buckets" 20 $AWS $EP s3api list-buckets --query 'length(Buckets)' --output text
expect "s3api head-bucket" "" $AWS $EP s3api head-bucket --bucket site2-simulatedbucket
expect_fail "s3api head-bucket unknown" "404" $AWS $EP s3api head-bucket --bucket nosuch-bucket
expect "get-bucket-notification-configuration" \
    "arn:aws:lambda:$SIM_REGION:123456789012:function:site2-lambdafunction	s3:ObjectCreated:*" \
    $AWS $EP s3api get-bucket-notification-configuration --bucket site2-simulatedbucket \
    --query 'LambdaFunctionConfigurations[0].[LambdaFunctionArn, Events[0]]' --output text
printf 'simulated jpeg' >"$WORK/img.jpg"
md5=$(md5sum "$WORK/img.jpg" | cut -d' ' -f1)
expect "s3api put-object ETag" "\"$md5\"" $AWS $EP s3api put-object \
    --bucket site3-simulatedbucket --key image_capture_cli.jpg --body "$WORK/img.jpg" \
    --query ETag --output text
expect "s3api put-object --checksum-algorithm CRC32" "$(/usr/bin/python3 -c 'import zlib,base64,sys
print(base64.b64encode(zlib.crc32(open(sys.argv[1],"rb").read()).to_bytes(4,"big")).decode())' \
    "$WORK/img.jpg")" $AWS $EP s3api put-object --bucket site3-simulatedbucket --key crc.jpg \
    --body "$WORK/img.jpg" --checksum-algorithm CRC32 --query ChecksumCRC32 --output text
if $AWS $EP s3 cp "$WORK/img.jpg" s3://site5-simulatedbucket/image_capture_cp.jpg \
    >/dev/null 2>"$WORK/err"; then ok "s3 cp"; else bad "s3 cp" "$(cat "$WORK/err")"; fi
expect_fail "put-object unknown bucket" NoSuchBucket \
    $AWS $EP s3api put-object --bucket nosuch-bucket --key k --body "$WORK/img.jpg"

# Logs: the REPORT of the upload above appears (the CLI pages FilterLogEvents itself)
deadline=$(($(date +%s) + 60 * SCALE))
found=""
while [ "$(date +%s)" -lt "$deadline" ]; do
    $AWS $EP logs filter-log-events --log-group-name /aws/lambda/site3-lambdafunction \
        --page-size 5 --output json >"$WORK/logs.json" 2>"$WORK/err"
    if grep -q 'Image Name: image_capture_cli.jpg' "$WORK/logs.json" &&
        grep -q '"REPORT RequestId' "$WORK/logs.json"; then
        found=1
        break
    fi
    sleep 0.3
done
if [ -n "$found" ]; then ok "S3 upload -> REPORT in FilterLogEvents"; else
    bad "S3 upload -> REPORT in FilterLogEvents" "$(cat "$WORK/err" "$WORK/logs.json" | head -c 600)"
fi
qid=$($AWS $EP logs start-query --log-group-names /aws/lambda/site3-lambdafunction \
    --start-time 0 --end-time 4102444800 --query-string \
    'fields @message | filter @message like /REPORT/ | limit 5' --query queryId --output text \
    2>"$WORK/err")
status=""
deadline=$(($(date +%s) + 30 * SCALE))
while [ -n "$qid" ] && [ "$(date +%s)" -lt "$deadline" ]; do
    status=$($AWS $EP logs get-query-results --query-id "$qid" --query status --output text)
    [ "$status" = Complete ] && break
    sleep 0.3
done
n=$($AWS $EP logs get-query-results --query-id "$qid" --query 'length(results)' --output text \
    2>/dev/null)
if [ "$status" = Complete ] && [ "${n:-0}" -ge 1 ]; then ok "Insights query"; else
    bad "Insights query" "qid=$qid status=$status n=$n $(cat "$WORK/err")"
fi

# SigV4: a wrong secret
expect_fail "wrong secret: S3" SignatureDoesNotMatch env AWS_SECRET_ACCESS_KEY=wrong \
    $AWS $EP s3api list-buckets
expect_fail "wrong secret: Lambda" InvalidSignatureException env AWS_SECRET_ACCESS_KEY=wrong \
    $AWS $EP lambda list-functions

finish simapi.awscli
