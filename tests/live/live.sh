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
    wait_for "wave 1/3 +n=5 "
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
        screen | grep -q "segtop-sites-" || fail "the status line lacks the paths"
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
    wait_for "wave 1/3 +n=5 +running"
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
    check_clean
    title1=$(tmux -L "$sock" display-message -p -t main '#{pane_title}')
    [ "$title0" = "$title1" ] || fail "pane title changed: '$title0' -> '$title1'"
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
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "live.$case_name: ok"
