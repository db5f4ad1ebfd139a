#!/usr/bin/env bash
# End-to-end checks of the dashboard in a real terminal (tmux), driven through the demo
# engine: dashboard.sh TUI_DEMO CASE. Every wait polls capture-pane against a deadline scaled
# by SEGTOP_TEST_TIME_SCALE; the tmux server is private (-L) and killed on exit.
set -u
demo=$1
case_name=$2
. "$(dirname "$0")/tmux_lib.sh"

# start COLS ROWS [ENV=VALUE...] -- DEMO ARGS...
start() {
    local cols=$1 rows=$2
    shift 2
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    local cmd
    cmd="env LANG=C.UTF-8 LC_ALL= TERM=screen-256color ${envs[*]} $demo $* 2>$out/stderr; r=\$?; stty -a >$out/stty; echo \$r >$out/rc; sleep 600"
    new_session "$cols" "$rows" "$cmd"
}

case $case_name in
wave)
    start 80 24 -- --sites 30 --ladder 1,5,10 --speed 40
    wait_for "no wave yet: press w"
    keys w
    wait_for "wave 1/3 +n=1 "
    wait_for "wave 1/3 .*complete " 15
    keys w
    wait_for "wave 2/3 +n=5 "
    wait_for "wave 2/3 .*complete " 15
    screen | grep -qE "^│ +2 +5 +5 +5/5 " || fail "waves table lacks the row of wave 2"
    quit_clean
    ;;
histogram)
    start 80 24 -- --sites 40 --ladder 40 --speed 40 --auto
    tab_to "Cold starts \(Init Duration"
    wait_for "cold [0-9]+ \(" 15
    wait_for "█+ +[0-9]+" 15
    screen | grep -qE "[0-9.]+(ms|s)-[0-9.]+(ms|s) +█" || fail "no bucket label beside a bar"
    quit_clean
    ;;
errors)
    start 80 24 -- --sites 10 --ladder 10 --speed 40 --fail 3 --timeout 5 --throttle 7 --auto
    wait_for "wave 1/1 .*complete " 20
    tab_to "Errors [0-9]"
    wait_for "site3 +handler exception +1 +boom: handler exploded"
    wait_for "site5 +timeout +1 +Task timed out after 30.00 seconds"
    wait_for "site7 +throttled +1 +SlowDown"
    tab_to "Sites 10 "
    # States read without colour: the glyphs of error, timeout and throttled are there.
    screen | grep -q "✗" || fail "no error glyph in the sites grid"
    screen | grep -qE "✗ error" || fail "no legend"
    quit_clean
    ;;
help)
    start 80 24 -- --sites 10
    keys '?'
    wait_for "Help: keys"
    screen >"$out/help"
    keys NPage
    sleep 0.3
    screen >>"$out/help"
    for k in "fire the next wave" "ladder step 1..9" "run the rest" "stop triggering" \
        "export a snapshot" "next theme" "scaling view" "next panel" "freeze the display" \
        "filter sites" "sites sort" "move in the sites grid" "site detail" "UTC / local" \
        "quit \(asks Quit"; do
        grep -qE -- "$k" "$out/help" || fail "help lacks '$k'"
    done
    keys Escape
    wait_gone "Help: keys"
    quit_clean
    ;;
tab)
    start 80 24 -- --sites 10 --auto --speed 40
    check_tab_cycle
    quit_clean
    ;;
too_small)
    start 60 20 -- --sites 10
    wait_for "segtop needs at least 80x24"
    wait_for "terminal is 60x20"
    tmux -L "$sock" resize-window -t main -x 80 -y 24
    wait_for "┌─ Waves "
    wait_gone "needs at least"
    quit_clean
    ;;
resize)
    start 80 24 -- --sites 50 --ladder 50 --auto --speed 40
    wait_for "┌─ Waves "
    tmux -L "$sock" resize-window -t main -x 120 -y 36
    wait_for "┌─ Concurrency"
    wait_for "┌─ Cold starts"
    wait_for "┌─ Sites"
    screen | grep -q "┌─ Waves" || fail "no waves panel at 120x36"
    tmux -L "$sock" resize-window -t main -x 160 -y 45
    wait_for "┌─ Durations"
    for t in Concurrency "Cold starts" Waves Sites Errors; do
        screen | grep -q "┌─ $t" || fail "no $t panel at 160x45"
    done
    tmux -L "$sock" resize-window -t main -x 80 -y 24
    # tmux keeps the bottom rows of the old screen until we redraw: wait for the compact
    # layout itself (the focused waves panel alone), then for the frame to settle.
    wait_gone "┌─ Sites"
    wait_for "^┌─ Waves"
    sleep 0.3
    # No garbage: every row is at most 80 columns and the frame is whole.
    [ "$(screen | LC_ALL=C.UTF-8 wc -L)" -le 80 ] || fail "row wider than 80"
    [ "$(screen | grep -c '^└')" = 1 ] || fail "frame not redrawn cleanly"
    quit_clean
    ;;
quit)
    start 80 24 -- --sites 20 --ladder 20 --speed 1 --auto
    wait_for "running"
    keys q
    wait_for "Quit\? y/N"
    keys n
    wait_for "quit cancelled"
    keys q
    wait_for "Quit\? y/N"
    keys y
    deadline=$(( $(date +%s) + 10 * scale ))
    while [ ! -e "$out/rc" ]; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "no exit after q y"
        sleep 0.1
    done
    [ "$(cat "$out/rc")" = 0 ] || fail "exit code $(cat "$out/rc")"
    sleep 0.2
    [ "$(tmux -L "$sock" display-message -p -t main '#{alternate_on}')" = 0 ] ||
        fail "still on the alternate screen"
    ;;
hostile)
    start 80 24 -- --sites 5 --ladder 5 --speed 40 --evil 2 --auto
    title0=$(tmux -L "$sock" display-message -p -t main '#{pane_title}')
    wait_for "wave 1/1 .*complete " 20
    tab_to "Errors [0-9]"
    wait_for "site2 +handler exception"
    wait_for "PWNED-TITLE"
    tmux -L "$sock" capture-pane -p -e -t main >"$out/cap"
    # Only SGR (ESC [ ... m) may remain; no ESC of any other kind, no C1, no BEL.
    if LC_ALL=C grep -qaP '\x1b(?!\[[0-9;:]*m)' "$out/cap"; then
        fail "an escape sequence other than SGR reached the terminal: $(LC_ALL=C grep -aoP '\x1b(?!\[[0-9;:]*m).{0,8}' "$out/cap" | od -c | head -5)"
    fi
    LC_ALL=C grep -qaP '\xc2[\x80-\x9f]|\x07|\xe2\x80\xae' "$out/cap" &&
        fail "C1 control, BEL or U+202E in the capture"
    grep -q "�" "$out/cap" || fail "replacement characters missing: tampering must stay visible"
    title1=$(tmux -L "$sock" display-message -p -t main '#{pane_title}')
    [ "$title0" = "$title1" ] || fail "pane title changed: '$title0' -> '$title1'"
    [ -z "$(tmux -L "$sock" list-buffers 2>/dev/null)" ] || fail "OSC 52 reached the clipboard"
    # The site detail shows the same message, sanitised too.
    tab_to "Sites 5 "
    keys Right
    sleep 0.2
    keys Enter
    wait_for "Site 2: invocations"
    # Its last log lines hold the raw message (the demo stores it unsanitised): drawn
    # sanitised, printable parts kept.
    wait_for "last [0-9] log lines"
    wait_for "^│[0-9:.]+ +evil�\[2J�\]0;PWNED-TITLE"
    tmux -L "$sock" capture-pane -p -e -t main >"$out/cap2"
    LC_ALL=C grep -qaP '\x1b(?!\[[0-9;:]*m)' "$out/cap2" && fail "escape sequence in the detail"
    LC_ALL=C grep -qaP '\xc2[\x80-\x9f]|\x07|\xe2\x80\xae' "$out/cap2" &&
        fail "C1 control, BEL or U+202E in the detail"
    iconv -f UTF-8 -t UTF-8 "$out/cap2" >/dev/null 2>&1 || fail "invalid UTF-8 in the detail"
    title2=$(tmux -L "$sock" display-message -p -t main '#{pane_title}')
    [ "$title0" = "$title2" ] || fail "pane title changed in the detail"
    quit_clean
    ;;
freeze)
    start 80 24 -- --sites 20 --ladder 20 --speed 4 --auto
    wait_for "running"
    keys Space
    wait_for "FROZEN"
    wait_for "FROZEN \+[0-9]+" 10
    a=$(screen | grep -E "^│ +1 +20 ")
    sleep 1.5
    b=$(screen | grep -E "^│ +1 +20 ")
    [ "$a" = "$b" ] || fail "the frozen waves row changed"
    keys Space
    wait_gone "FROZEN"
    quit_clean
    ;;
detail)
    start 80 24 -- --sites 3 --ladder 3 --speed 40 --fail 1 --auto
    wait_for "wave 1/1 .*complete " 20
    tab_to "Sites 3 "
    keys Enter
    wait_for "Site 1: invocations"
    for f in "request_id" " Duration [0-9.]+ ms" "Billed Duration [0-9.]+ ms" \
        "Init Duration [0-9.]+ ms" "Memory Size 6200 MB" "Max Memory Used [0-9]+ MB" \
        "exec [0-9.]+" "ingest lag" "Event Time " "START [0-9:.]+ +REPORT [0-9:.]+" \
        "error ValueError: boom" "last [0-9] log lines" "START RequestId: " \
        "REPORT RequestId: [^ ]+ Duration: [0-9.]+ ms"; do
        screen | grep -qE -- "$f" || fail "detail lacks /$f/"
    done
    keys Escape
    wait_gone "Site 1: invocations"
    quit_clean
    ;;
scaling)
    start 100 30 -- --sites 20 --ladder 5,10 --prerun 6
    keys v
    wait_for "Scaling: per wave size"
    wait_for "^│ +5 +3 +15 "
    wait_for "^│ +10 +3 +30 "
    wait_for "Welch t-test"
    wait_for "5 -> 10 +exec t="
    keys v
    wait_gone "Scaling:"
    quit_clean
    ;;
ascii)
    start 80 24 LANG=C -- --sites 10 --ladder 10 --speed 40 --fail 2 --auto
    wait_for "wave 1/1 .*complete " 20
    tab_to "Sites 10 "
    wait_for "^\+- Sites"
    screen | grep -qE "X error" || fail "no ASCII legend"
    screen | LC_ALL=C grep -qaP '[\x80-\xff]' && fail "non-ASCII output in the C locale"
    quit_clean
    ;;
theme_error)
    mkdir -p "$out/cfg/segtop/themes"
    printf 'normal = default\nbar = purplish, default\n' >"$out/cfg/segtop/themes/bad.theme"
    printf '# mine\nnormal = white, blue\n' >"$out/cfg/segtop/themes/mine.theme"
    start 80 24 XDG_CONFIG_HOME="$out/cfg" -- --sites 5
    wait_for "theme error: .*bad.theme:2: unknown colour 'purplish'"
    keys t
    wait_for "theme high-contrast"
    for _ in 1 2 3; do keys t; sleep 0.1; done
    wait_for "theme mine"
    keys t
    wait_for "theme colorblind"
    quit_clean
    # NO_COLOR: attributes only, never a colour SGR.
    tmux -L "$sock" kill-server 2>/dev/null
    rm -f "$out/rc"
    start 80 24 NO_COLOR=1 -- --sites 5 --auto --speed 40
    wait_for "theme mono"
    tmux -L "$sock" capture-pane -p -e -t main >"$out/cap"
    LC_ALL=C grep -qaP '\x1b\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]' "$out/cap" &&
        fail "colour SGR under NO_COLOR"
    quit_clean
    ;;
eight)
    # An 8-colour terminal: 256-colour roles are mapped to the basic 8 (SGR 30-37/40-47).
    start 80 24 TERM=screen -- --sites 10 --ladder 10 --speed 40 --fail 2 --auto
    wait_for "wave 1/1 .*complete " 20
    tmux -L "$sock" capture-pane -p -e -t main >"$out/cap"
    LC_ALL=C grep -qaP '\x1b\[([0-9;]*;)?3[0-7][;m]' "$out/cap" || fail "no colour at all"
    LC_ALL=C grep -qaP '\x1b\[([0-9;]*;)?(38|48);5;' "$out/cap" &&
        fail "256-colour SGR on an 8-colour terminal"
    quit_clean
    ;;
badterm)
    start 80 24 TERM=does-not-exist -- --sites 5
    deadline=$(( $(date +%s) + 10 * scale ))
    while [ ! -e "$out/rc" ]; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "no exit with a bad TERM"
        sleep 0.1
    done
    [ "$(cat "$out/rc")" = 1 ] || fail "exit code $(cat "$out/rc") with a bad TERM"
    grep -q "terminal type 'does-not-exist' is unknown" "$out/stderr" ||
        fail "no clear error: $(cat "$out/stderr")"
    [ "$(tmux -L "$sock" display-message -p -t main '#{alternate_on}')" = 0 ] ||
        fail "alternate screen left on"
    ;;
sigterm)
    start 80 24 -- --sites 20 --ladder 20 --speed 2 --auto
    wait_for "running"
    pane=$(tmux -L "$sock" display-message -p -t main '#{pane_pid}')
    pid=$(ps -o pid= --ppid "$pane" | tr -d ' ' | head -1)
    [ -n "$pid" ] || fail "demo pid not found"
    kill -TERM "$pid"
    deadline=$(( $(date +%s) + 10 * scale ))
    while [ ! -e "$out/rc" ]; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "no exit after SIGTERM"
        sleep 0.1
    done
    [ "$(cat "$out/rc")" = 130 ] || fail "exit code $(cat "$out/rc") after SIGTERM"
    [ "$(tmux -L "$sock" display-message -p -t main '#{alternate_on}')" = 0 ] ||
        fail "still on the alternate screen after SIGTERM"
    grep -qE '(^| )icanon( |$)' "$out/stty" || fail "canonical mode not restored"
    grep -qE '(^| )echo( |$)' "$out/stty" || fail "echo not restored"
    ;;
idle)
    # Idle: no wave, nothing on screen changes but the clock. The UI thread (the main
    # thread) blocks in poll(): well under 1 % of a CPU.
    start 80 24 -- --sites 300
    wait_for "no wave yet"
    pane=$(tmux -L "$sock" display-message -p -t main '#{pane_pid}')
    pid=$(ps -o pid= --ppid "$pane" | tr -d ' ' | head -1)
    [ -r "/proc/$pid/task/$pid/stat" ] || { echo "no /proc: skipped"; exit 77; }
    ticks() { awk '{ print $14 + $15 }' "/proc/$pid/task/$pid/stat"; }
    t0=$(ticks)
    sleep 5
    t1=$(ticks)
    hz=$(getconf CLK_TCK)
    used=$(( t1 - t0 ))
    # 1 % of 5 s is 5 ticks at 100 Hz; allow 1 % x the time scale (sanitizers).
    [ "$used" -le $(( 5 * hz / 100 * scale )) ] || fail "UI thread used $used ticks in 5 s idle"
    echo "idle UI thread: $used ticks (1/$hz s) in 5 s"
    quit_clean
    ;;
*)
    echo "unknown case $case_name"
    exit 2
    ;;
esac
echo "tui.e2e.$case_name: ok"
