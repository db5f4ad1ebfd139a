#!/usr/bin/env bash
# Runs the helper in a tmux pane; it aborts while in raw mode on the alternate screen.
# Afterwards the pane must be back on the normal screen with canonical mode and echo on.
set -u
helper=$1
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
scale=${SEGTOP_TEST_TIME_SCALE:-1}
sock=segtest$$
out=$(mktemp -d)
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$out"' EXIT

# The pane runs the helper, then records the tty modes it left behind.
tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 24 \
    "$helper 2>$out/stderr; stty -a >$out/stty; touch $out/done; sleep 30"
deadline=$(( $(date +%s) + 10 * ${scale%.*} + 10 ))
while [ ! -e "$out/done" ]; do
    [ "$(date +%s)" -gt "$deadline" ] && { echo "FAIL: helper did not finish"; exit 1; }
    sleep 0.1
done
alt=$(tmux -L "$sock" display-message -p '#{alternate_on}')
fail=0
[ "$alt" = "0" ] || { echo "FAIL: still on the alternate screen"; fail=1; }
grep -qE '(^| )icanon( |$)' "$out/stty" || { echo "FAIL: canonical mode not restored"; fail=1; }
grep -qE '(^| )echo( |$)' "$out/stty" || { echo "FAIL: echo not restored"; fail=1; }
grep -q "deliberate fatal error" "$out/stderr" || { echo "FAIL: no fatal message"; fail=1; }
[ $fail -eq 0 ] && echo "tui.fatal_restore: terminal restored after a fatal error"
exit $fail
