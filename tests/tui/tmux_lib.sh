# Shared by the tmux end-to-end tests (tests/tui/dashboard.sh, tests/live/live.sh): a
# private tmux server killed on exit, a scratch folder, and waits that poll capture-pane
# against deadlines scaled by SEGTOP_TEST_TIME_SCALE. Set case_name before sourcing.
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
scale=${SEGTOP_TEST_TIME_SCALE:-1}
scale=${scale%.*}
[ "$scale" -ge 1 ] 2>/dev/null || scale=1
sock=segtmux$$
out=$(mktemp -d)
trap 'tmux -L $sock kill-server 2>/dev/null; rm -rf "$out"' EXIT

fail() {
    echo "FAIL ($case_name): $*"
    echo "---- screen ----"
    tmux -L "$sock" capture-pane -p -t main 2>/dev/null
    echo "---- stderr ----"
    cat "$out/stderr" 2>/dev/null
    echo "----------------"
    exit 1
}

# new_session COLS ROWS SHELL-COMMAND: the pane runs the command; status bar off.
new_session() {
    tmux -L "$sock" -f /dev/null new-session -d -s main -x "$1" -y "$2" "$3" ||
        fail "tmux new-session"
    tmux -L "$sock" set-option -g status off >/dev/null
}

screen() { tmux -L "$sock" capture-pane -p -t main; }
keys() { tmux -L "$sock" send-keys -t main "$@"; }

# wait_for REGEX [SECONDS]: until the screen matches (grep -E).
wait_for() {
    local re=$1 secs=${2:-10}
    local deadline=$(($(date +%s) + secs * scale))
    while ! screen | grep -qE -- "$re"; do
        [ -e "$out/rc" ] && fail "the program exited (rc $(cat "$out/rc")) waiting for /$re/"
        [ "$(date +%s)" -gt "$deadline" ] && fail "timed out waiting for /$re/"
        sleep 0.1
    done
}

# wait_gone REGEX [SECONDS]
wait_gone() {
    local re=$1 secs=${2:-10}
    local deadline=$(($(date +%s) + secs * scale))
    while screen | grep -qE -- "$re"; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "/$re/ still on screen"
        sleep 0.1
    done
}

# tab_to TITLE: Tab until the panel titled TITLE is shown (at most one full cycle).
tab_to() {
    for _ in 1 2 3 4 5 6 7; do
        screen | grep -qE -- "$1" && return 0
        keys Tab
        sleep 0.2
    done
    wait_for "$1" 2
}

# wait_exit: the program ends with code 0 and leaves the alternate screen.
wait_exit() {
    local deadline=$(($(date +%s) + 15 * scale))
    while [ ! -e "$out/rc" ]; do
        [ "$(date +%s)" -gt "$deadline" ] && fail "no exit"
        sleep 0.1
    done
    [ "$(cat "$out/rc")" = 0 ] || fail "exit code $(cat "$out/rc")"
    sleep 0.2
    [ "$(tmux -L "$sock" display-message -p -t main '#{alternate_on}')" = 0 ] ||
        fail "still on the alternate screen after exit"
}

# quit_clean: q (and y if asked), then wait_exit.
quit_clean() {
    keys Escape
    sleep 0.2
    keys q
    sleep 0.4
    screen | grep -q "Quit? y/N" && keys y
    wait_exit
}

# check_tab_cycle: at 80x24 Tab shows every panel in turn, one at a time.
check_tab_cycle() {
    wait_for "┌─ Waves "
    for t in "Sites [0-9]" "Errors [0-9]" "Concurrency:" "Cold starts \(" "Durations" "Waves"; do
        keys Tab
        wait_for "┌─ $t"
        n=$(screen | grep -cE "┌─ (Waves|Sites|Errors|Concurrency|Cold starts|Durations)")
        [ "$n" = 1 ] || fail "$n panels at 80x24"
    done
}
