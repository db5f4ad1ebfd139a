# Shared by the simapi script tests: start a standalone `segtop sim` and read its lines.
# Sourced; expects SEGTOP_BIN. Sets SIM_ENDPOINT, SIM_REGION, SIM_KEY, SIM_SECRET, SIM_PID.
SCALE=${SEGTOP_TEST_TIME_SCALE:-1}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/segtop-simapi.XXXXXX")
SIM_PIDS=""

cleanup() {
    for p in $SIM_PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $SIM_PIDS; do
        wait "$p" 2>/dev/null
    done
    [ -n "$SEG_TEST_KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# start_sim NAME ARGS...: runs `segtop sim ARGS` with stdout in $WORK/NAME.out.
start_sim() {
    name=$1
    shift
    "$SEGTOP_BIN" sim "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    SIM_PID=$!
    SIM_PIDS="$SIM_PIDS $SIM_PID"
    tries=$((200 * SCALE))
    while ! grep -q '^access_key_id=' "$WORK/$name.out" 2>/dev/null; do
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            echo "segtop sim exited early:" >&2
            cat "$WORK/$name.err" >&2
            return 1
        fi
        tries=$((tries - 1))
        if [ "$tries" -le 0 ]; then
            echo "segtop sim printed no endpoint in time" >&2
            return 1
        fi
        sleep 0.05
    done
    SIM_ENDPOINT=$(sed -n 's/^endpoint=//p' "$WORK/$name.out")
    SIM_REGION=$(sed -n 's/^region=//p' "$WORK/$name.out")
    SIM_KEY=$(sed -n 's/^access_key_id=//p' "$WORK/$name.out")
    SIM_SECRET=$(sed -n 's/^secret_access_key=//p' "$WORK/$name.out")
}

# Isolate the AWS clients from the user's files and the instance metadata service.
aws_env() {
    : >"$WORK/aws_config"
    : >"$WORK/aws_credentials"
    export AWS_CONFIG_FILE="$WORK/aws_config"
    export AWS_SHARED_CREDENTIALS_FILE="$WORK/aws_credentials"
    export AWS_EC2_METADATA_DISABLED=true
    export AWS_PAGER=
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_DEFAULT_PROFILE
}

# Check counters: ok NAME, bad NAME DETAIL, then finish NAME prints the closing
# "N passed, M failed" line and returns non-zero when anything failed.
PASS=0
FAILED=""
ok() {
    PASS=$((PASS + 1))
    echo "ok   $1"
}
bad() {
    FAILED="$FAILED [$1]"
    echo "FAIL $1: $2"
}
finish() {
    nfail=$(echo "$FAILED" | grep -o '\[' | wc -l)
    echo "$1: $PASS passed, $nfail failed$FAILED"
    [ "$nfail" -eq 0 ]
}
