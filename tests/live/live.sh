#!/usr/bin/env bash
# The real dashboard (`segtop` on its in-process simulator) in a real terminal (tmux):
# live.sh CASE, with SEGTOP_BIN set (seg_add_script_test does). Every wait polls
# capture-pane against a deadline scaled by SEGTOP_TEST_TIME_SCALE; the tmux server is
# private (-L) and killed on exit; exports and the journal go to a temporary directory.
set -u
bin=${SEGTOP_BIN:?SEGTOP_BIN not set}
case_name=$1
. "$(dirname "$0")/../tui/tmux_lib.sh"

# start COLS ROWS SEGTOP ARGS...
start() {
    local cols=$1 rows=$2
    shift 2
    local cmd
    cmd="cd $out && env LANG=C.UTF-8 LC_ALL= TERM=screen-256color XDG_STATE_HOME=$out/state XDG_CONFIG_HOME=$out/cfg $bin $* 2>$out/stderr; echo \$? >$out/rc; sleep 600"
    new_session "$cols" "$rows" "$cmd"
}

# No escape sequence but SGR in the capture, no C1, BEL or U+202E.
check_clean() {
    tmux -L "$sock" capture-pane -p -e -t main >"$out/cap"
    if LC_ALL=C grep -qaP '\x1b(?!\[[0-9;:]*m)' "$out/cap"; then
        fail "an escape sequence other than SGR reached the terminal: $(LC_ALL=C grep -aoP '\x1b(?!\[[0-9;:]*m).{0,8}' "$out/cap" | od -c | head -5)"
    fi
    LC_ALL=C grep -qaP '\xc2[\x80-\x9f]|\x07|\xe2\x80\xae' "$out/cap" &&
        fail "C1 control, BEL or U+202E in the capture"
    # A raw 0x9B (8-bit CSI) or any other invalid byte fails the UTF-8 check.
    iconv -f UTF-8 -t UTF-8 "$out/cap" >/dev/null 2>&1 || fail "invalid UTF-8 in the capture"
    return 0
}

live="--sites 20 --waves 1,5,20 --sim-speed 100 --export-dir $out"

case $case_name in
wave)
    start 120 36 $live
    wait_for "no wave yet: press w"
    keys w
    wait_for "wave 1/3 +n=1 "
    # REPORTs arrive from the simulator's logs: done > 0.
    wait_for "wave 1/3 .* done [1-9]" 20
    wait_for "wave 1/3 .*complete " 30
    wait_for "^│ +1 +1 +1 +1/1 "
    wait_for "next step 2 n=5"
    keys w
    wait_for "wave 2/3 +n=5 "
    wait_for "wave 2/3 .* done [1-9]" 20
    quit_clean
    ;;
timeout)
    start 120 36 $live --sim-faults timeout=site3
    wait_for "no wave yet"
    keys 2 # ladder step 2: the wave of 5
    wait_for "wave 1 +step 2/3 +n=5 "
    # The function timeout (781 s) passes in ~8 s at --sim-speed 100.
    tab_to "Errors [0-9]"
    wait_for "site3 +timeout +[0-9]+ +Task timed out after" 40
    check_clean
    quit_clean
    ;;
export)
    start 120 36 $live
    wait_for "no wave yet"
    keys w
    wait_for "wave 1/3 .*complete " 30
    keys e
    wait_for "exported " 10
    for k in invocations waves sites; do
        f=$(ls "$out"/segtop-$k-*.csv 2>/dev/null | head -1)
        [ -n "$f" ] && [ -s "$f" ] || fail "no $k export in $out"
        # Paths in full, or written once with braces when the line is too narrow.
        screen | grep -qE "segtop-(sites-|\{invocations,waves,sites\}-)" ||
            fail "the status line lacks the paths"
    done
    grep -q "^1,1,1,1," "$out"/segtop-waves-*.csv || fail "waves export: $(cat "$out"/segtop-waves-*.csv)"
    quit_clean
    # The journal of the session is there for `segtop replay --last`.
    [ -s "$out/state/segtop/last" ] || fail "no journal"
    ;;
help)
    start 120 36 $live
    wait_for "no wave yet"
    keys '?'
    wait_for "Help: keys"
    screen | grep -qE "fire the next wave" || fail "help lacks the wave key"
    keys Escape
    sleep 0.3
    screen | grep -q "Help: keys" && fail "help still shown"
    quit_clean
    ;;
tab)
    start 80 24 $live
    check_tab_cycle
    quit_clean
    ;;
quit)
    # --sim-speed 1: a wave of 5 runs ~20 s, so it is running when q comes.
    start 120 36 --sites 20 --waves 1,5,20 --sim-speed 1 --export-dir "$out"
    wait_for "no wave yet"
    keys 2
    wait_for "wave 1 +step 2/3 +n=5 +running"
    keys q
    wait_for "Quit\? y/N"
    keys n
    wait_for "quit cancelled"
    keys q
    wait_for "Quit\? y/N"
    keys y
    wait_exit
    # Nothing exported unless asked.
    ls "$out"/segtop-*.csv >/dev/null 2>&1 && fail "exported without being asked"
    ;;
evil)
    start 80 24 --sites 5 --waves 5 --sim-speed 100 --export-dir "$out" --sim-faults evil-log=site2
    title0=$(tmux -L "$sock" display-message -p -t main '#{pane_title}')
    wait_for "no wave yet"
    keys w
    wait_for "wave 1/1 .*complete " 30
    check_clean
    tab_to "Sites 5 "
    keys Right
    sleep 0.2
    keys Enter
    wait_for "Site 2: invocations"
    # The hostile line is among the site's last log lines, sanitised: its printable parts
    # stay, every control became U+FFFD (visible tampering), nothing reached the terminal.
    wait_for "last [0-9] log lines"
    wait_for "^│[0-9:.]+ +evil: �\[2J �\]0;pwned-title� �\]52;c;cHduZWQ=� �31m �31m �txt\.exe"
    wait_for "\\\\u0000 end"
    wait_for "REPORT RequestId: "
    check_clean
    title1=$(tmux -L "$sock" display-message -p -t main '#{pane_title}')
    [ "$title0" = "$title1" ] || fail "pane title changed: '$title0' -> '$title1'"
    [ "$(tmux -L "$sock" display-message -p -t main '#{alternate_on}')" = 1 ] ||
        fail "the alternate screen was left while the dashboard runs"
    [ -z "$(tmux -L "$sock" list-buffers 2>/dev/null)" ] || fail "OSC 52 reached the clipboard"
    quit_clean
    ;;
replay)
    # A small invocations CSV from a headless run, then the dashboard over it.
    mkdir -p "$out/h"
    (cd "$out" && env XDG_STATE_HOME="$out/state" "$bin" --headless --sites 5 --waves 2,5 \
        --gap 0 --sim-speed 100 --export-dir "$out/h" >"$out/h.out" 2>"$out/h.err") ||
        fail "headless run: $(cat "$out/h.err")"
    csv=$(ls "$out"/h/segtop-invocations-*.csv | head -1)
    [ -s "$csv" ] || fail "no invocations CSV from headless"
    start 120 36 replay "$csv"
    wait_for "REPLAY"
    wait_for "^│ +2 +5 +5 +5/5 "
    keys w
    wait_for "replay: no waves to fire"
    quit_clean
    ;;
chart)
    # At --sim-speed 100 a wave is over in a wall second; seconds later its shape is still
    # drawn (its START..REPORT span bucketed into the columns), with the peak on the axis.
    start 120 36 $live
    wait_for "no wave yet"
    keys 3
    wait_for "wave 1 +step 3/3 +n=20 .*complete " 30
    sleep $((3 * scale))
    wait_for "Concurrency: in flight, wave 1 over [0-9.]+s"
    wait_for "first START \.\. last REPORT"
    peak=$(screen | sed -n 's/.*in flight [0-9]*  peak \([0-9]*\).*/\1/p' | head -1)
    [ "${peak:-0}" -ge 2 ] || fail "peak $peak"
    screen | grep -qE "^│ +$peak │" || fail "the axis does not reach the peak $peak"
    n=$(screen | grep -cE "^│ +[0-9]* │.*█")
    [ "$n" -ge 3 ] || fail "the chart has $n rows of bars"
    quit_clean
    ;;
throttle)
    # Half the Logs calls answered ThrottlingException: the header shows the budget against
    # --log-tps, the throttles and that the poller backs off; the wave still completes.
    start 80 24 --sites 5 --waves 5 --sim-speed 50 --log-tps 3 --export-dir "$out" \
        --sim-faults throttle=0.5:logs
    wait_for "^logs [0-9]+\.[0-9]/3 calls/s +0 throttled"
    keys w
    wait_for "^logs [0-9]+\.[0-9]/3 calls/s +[1-9][0-9]* throttled +backing off" 30
    wait_for "wave 1/1 .*complete " 90
    quit_clean
    ;;
ladder_keys)
    # +/- move the next-step pointer (clamped to the ladder), and w fires where it points.
    start 80 24 $live
    wait_for "next step 1 n=1$"
    keys +
    wait_for "next step 2 n=5$"
    wait_for "next wave: step 2 \(n=5\)"
    keys +
    wait_for "next step 3 n=20$"
    keys +
    sleep 0.5
    screen | grep -qE "next step 3 n=20$" || fail "+ went past the last step"
    keys -
    wait_for "next step 2 n=5$"
    keys -
    keys -
    wait_for "next step 1 n=1$"
    keys +
    wait_for "next step 2 n=5$"
    keys w
    # Wave 1 fired step 2: the header names the step, not "1/3".
    wait_for "wave 1 +step 2/3 +n=5 "
    wait_for "next step 3 n=20$"
    quit_clean
    ;;
rest)
    # r runs the rest of the ladder by itself, --gap apart: the wave counter passes every step.
    start 80 24 --sites 10 --waves 1,2,3,4 --gap 2s --sim-speed 100 --export-dir "$out"
    wait_for "no wave yet"
    keys r
    wait_for "wave [23]/4 " 30
    wait_for "wave 4/4 +n=4 .*complete " 60
    wait_for "ladder done" 10
    for n in 1 2 3 4; do
        screen | grep -qE "^│ +$n +$n +$n +$n/$n " || fail "no row for wave $n"
    done
    quit_clean
    ;;
stop)
    # x during r: no new wave starts, the running one is still harvested to completion.
    start 80 24 --sites 10 --waves 1,2,3,4,5 --gap 10s --sim-speed 20 --export-dir "$out"
    wait_for "no wave yet"
    keys r
    wait_for "wave 2/5 +n=2 +running" 60
    keys x
    wait_for "stopped triggering: running executions finish, logs are still read"
    wait_for "wave 2/5 +n=2 +complete " 60
    wait_for "^│ +2 +2 +2 +2/2 "
    # Two gaps and a wave's time at --sim-speed 20: a third wave would have started.
    sleep $((3 * scale))
    screen | grep -qE "wave 3/5|^│ +3 +3 " && fail "a wave started after x"
    screen | grep -qE "wave 2/5 +n=2 +complete " || fail "wave 2 no longer shown as the last"
    quit_clean
    ;;
aws)
    # --aws: the plan and its estimated cost, and y/N, before curses and before any network
    # call; n leaves cleanly. Fake credentials: nothing may reach AWS.
    printf 'not really a jpeg' >"$out/img.jpg"
    tracer=
    if command -v strace >/dev/null && strace -f -qq -e trace=connect -o /dev/null true 2>/dev/null; then
        tracer="strace -f -qq -e trace=connect -o $out/connects"
    fi
    cmd="cd $out && env LANG=C.UTF-8 LC_ALL= TERM=screen-256color XDG_STATE_HOME=$out/state XDG_CONFIG_HOME=$out/cfg AWS_ACCESS_KEY_ID=AKIAFAKE0000EXAMPLE AWS_SECRET_ACCESS_KEY=fake/secret/key AWS_REGION=eu-west-1 AWS_CONFIG_FILE=$out/none AWS_SHARED_CREDENTIALS_FILE=$out/none AWS_EC2_METADATA_DISABLED=true HTTPS_PROXY=http://127.0.0.1:9 $tracer $bin --aws --image img.jpg --sites 20 --waves 1,5,20 2>&1; echo \$? >$out/rc; sleep 600"
    new_session 200 30 "$cmd"
    wait_for "on AWS \(eu-west-1\): 3 waves \(26 invocations"
    wait_for "estimated Lambda"
    wait_for "cost [0-9]+\.[0-9]+ USD"
    wait_for "Go ahead\? \[y/N\]"
    [ "$(tmux -L "$sock" display-message -p -t main '#{alternate_on}')" = 0 ] ||
        fail "the prompt is on the alternate screen (curses started before confirming)"
    keys n Enter
    wait_for "nothing done"
    wait_exit
    screen | grep -q "fake/secret" && fail "the secret was printed"
    if [ -n "$tracer" ]; then
        grep -E "AF_INET6?" "$out/connects" && fail "a network connection was attempted"
    else
        echo "strace unavailable: the no-network check is skipped"
    fi
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "live.$case_name: ok"
