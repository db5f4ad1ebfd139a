#!/usr/bin/env bash
# The real binary: --help and --version exit 0; usage errors print one line and exit 2.
set -u
bin=${SEGTOP_BIN:?}
fail=0
check() { # expected_code description command...
    local want=$1 what=$2
    shift 2
    local out err code
    out=$("$@" 2>/tmp/segtop-cli-err.$$)
    code=$?
    err=$(cat /tmp/segtop-cli-err.$$)
    if [ "$code" -ne "$want" ]; then
        echo "FAIL: $what: exit $code, want $want (stderr: $err)"
        fail=1
    fi
    LAST_OUT=$out
    LAST_ERR=$err
}
check 0 "--help" "$bin" --help
grep -q -- "--sites N" <<<"$LAST_OUT" || { echo "FAIL: --help lacks --sites"; fail=1; }
grep -q "Exit codes" <<<"$LAST_OUT" || { echo "FAIL: --help lacks exit codes"; fail=1; }
check 0 "--version" "$bin" --version
grep -qE '^segtop [0-9]+\.[0-9]+\.[0-9]+$' <<<"$LAST_OUT" || { echo "FAIL: version line: $LAST_OUT"; fail=1; }
check 2 "unknown option" "$bin" --no-such-option
[ "$(wc -l <<<"$LAST_ERR")" -eq 1 ] || { echo "FAIL: unknown option error is not one line"; fail=1; }
grep -q "unknown option '--no-such-option'" <<<"$LAST_ERR" || { echo "FAIL: message: $LAST_ERR"; fail=1; }
check 2 "bad number" "$bin" --sites many
grep -q -- "--sites: 'many'" <<<"$LAST_ERR" || { echo "FAIL: message: $LAST_ERR"; fail=1; }
check 2 "missing value" "$bin" --region
check 2 "non-loopback sim listen" "$bin" sim --listen 0.0.0.0:9000
check 2 "unknown command" "$bin" frobnicate
check 2 "bad config file" "$bin" --config /nonexistent/segtop.conf
rm -f /tmp/segtop-cli-err.$$
[ $fail -eq 0 ] && echo "cli exit codes: all checks passed"
exit $fail
