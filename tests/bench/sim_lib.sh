# Sourced by the bench scripts: a standalone simulator for one measurement.
# Needs SEGTOP (the binary) and W (a work folder); sets SIMPID, ENDPOINT and the key pair.

# bench_start_sim SITES SPEED [flags...]: a fresh simulator with its built-in test key pair
# (printed only when no key pair is in its environment).
bench_start_sim() {
    local sites=$1 speed=$2
    shift 2
    env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$SEGTOP" sim --listen 127.0.0.1:0 \
        --sites "$sites" --sim-speed "$speed" "$@" >"$W/sim.txt" 2>"$W/sim.err" &
    SIMPID=$!
    local i=0
    while ! grep -q '^secret_access_key=' "$W/sim.txt"; do
        i=$((i + 1))
        [ $i -lt 100 ] || { cat "$W/sim.err" >&2; exit 1; }
        sleep 0.1
    done
    ENDPOINT=$(sed -n 's/^endpoint=//p' "$W/sim.txt")
    AWS_ACCESS_KEY_ID=$(sed -n 's/^access_key_id=//p' "$W/sim.txt")
    AWS_SECRET_ACCESS_KEY=$(sed -n 's/^secret_access_key=//p' "$W/sim.txt")
    export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

stop_sim() {
    kill "$SIMPID" 2>/dev/null || true
    wait "$SIMPID" 2>/dev/null || true
    SIMPID=
}

# Clients see only the simulator: no profile, config file, metadata service, pager or proxy.
bench_isolate_aws() {
    : >"$W/empty"
    export AWS_CONFIG_FILE=$W/empty AWS_SHARED_CREDENTIALS_FILE=$W/empty AWS_EC2_METADATA_DISABLED=true
    export AWS_PAGER= NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
}
