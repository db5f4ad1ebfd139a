#!/bin/sh
# security.listen: the simulator never listens beyond loopback (DESIGN §4). Any --listen
# address but 127.0.0.1 or [::1] (wildcards, this host's LAN address, localhost by name,
# another 127/8 address), from the command line or a config file, exits 2 with a message
# that says why, before anything is bound; the loopback forms are bound exactly.
. "$(dirname "$0")/../simapi/lib.sh"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export XDG_CONFIG_HOME="$WORK/xdg"

# This host's first non-loopback address (or a documentation address when it has none).
lan=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -v '^127\.' | grep '\.' | head -1)
[ -n "$lan" ] || lan=192.0.2.10

refused() { # refused NAME ARGS...: exit 2, nothing on stdout, stderr names loopback
    name=$1
    shift
    "$SEGTOP_BIN" sim "$@" >"$WORK/r.out" 2>"$WORK/r.err"
    rc=$?
    if [ "$rc" -eq 2 ] && [ ! -s "$WORK/r.out" ] && grep -q 'not a loopback address' "$WORK/r.err"; then
        ok "$name: exit 2, 'not a loopback address'"
    else
        bad "$name" "rc=$rc out=$(cat "$WORK/r.out") err=$(cat "$WORK/r.err")"
    fi
}

refused "--listen 0.0.0.0:0" --listen 0.0.0.0:0
refused "--listen [::]:0" --listen '[::]:0'
refused "--listen $lan:0 (LAN)" --listen "$lan:0"
refused "--listen localhost:0" --listen localhost:0
refused "--listen 127.0.0.2:0" --listen 127.0.0.2:0
refused "--listen=0.0.0.0:4566" --listen=0.0.0.0:4566
printf 'listen = 0.0.0.0:0\n' >"$WORK/cfg"
refused "listen = 0.0.0.0:0 in a config file" --config "$WORK/cfg"

# Accepted forms bind loopback only: the listening socket's local address, from ss.
bound() { # bound NAME WANT-ADDRESS ARGS...
    name=$1 want=$2
    shift 2
    if ! start_sim "$name" "$@"; then
        bad "$name starts" "$(cat "$WORK/$name.err")"
        return
    fi
    port=${SIM_ENDPOINT##*:}
    addrs=$(ss -ltnH "sport = :$port" | awk '{print $4}' | sed 's/:[0-9]*$//' | sort -u)
    [ "$addrs" = "$want" ] && ok "$name listens on $want only" || bad "$name" "listening on: $addrs"
    kill "$SIM_PID"
    wait "$SIM_PID" 2>/dev/null
}
if command -v ss >/dev/null; then
    bound default 127.0.0.1 --sites 1
    bound ipv4 127.0.0.1 --sites 1 --listen 127.0.0.1:0
    if ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
        bound ipv6 '[::1]' --sites 1 --listen '[::1]:0'
    fi
fi

finish security.listen
