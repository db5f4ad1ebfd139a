#!/bin/sh
# A headless run always ends (DESIGN §4: failures are data, never a hang):
# (1) every trigger refused (a standalone simulator that does not know the key): no run can
#     log, so the run ends at once with the failures counted;
# (2) every log call failing (5xx on Logs): the wave ends by its missing declarations, and
#     the wait for late events gives up after a bound, with a warning naming the problem.
# $1: segtop.
set -eu
SEGTOP=$1
W=$(mktemp -d)
SIMPID=
cleanup() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
cd "$W"
: >empty
export AWS_CONFIG_FILE=$W/empty AWS_SHARED_CREDENTIALS_FILE=$W/empty
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$SEGTOP" sim --listen 127.0.0.1:0 --sites 5 \
    >sim.txt 2>sim.err &
SIMPID=$!
i=0
while ! grep -q '^endpoint=' sim.txt; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat sim.err; exit 1; }; sleep 0.1
done
AWS_ACCESS_KEY_ID=AKIASEGTOPUNKNOWN01 AWS_SECRET_ACCESS_KEY=not-the-simulators-secret \
    timeout 60 "$SEGTOP" --headless --sites 3 --waves 1,3 --gap 0 \
    --endpoint "$(sed -n 's/^endpoint=//p' sim.txt)" --export-dir . >out1.txt 2>err1.txt ||
    { echo "refused triggers: exit $?"; cat err1.txt; exit 1; }
grep -q '^2,3,3,0,0,.*,3,0,' out1.txt || { echo "refused triggers not counted"; cat out1.txt; exit 1; }

timeout 60 "$SEGTOP" --headless --sites 3 --waves 3 --gap 0 --sim-speed 1000 \
    --sim-faults '5xx=1:logs' --export-dir . --summary-json s.json >out2.txt 2>err2.txt ||
    { echo "failing logs: exit $?"; cat err2.txt; exit 1; }
grep -q '^1,3,3,0,3,' out2.txt || { echo "missing not declared"; cat out2.txt; exit 1; }
grep -q '^segtop: warning: the logs could not be read past the last outcome' err2.txt ||
    { echo "no warning"; cat err2.txt; exit 1; }
/usr/bin/python3 -c 'import json; d=json.load(open("s.json")); assert d["logs_unread"] and d["log_errors"] > 0, d'
echo "refused triggers and failing logs: both runs ended"
