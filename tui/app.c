/* The dashboard's screen state machine (ncdu style): one loop blocks in poll() on the keyboard,
 * the engine's wake-up descriptor and a signal self-pipe, and redraws only on a new snapshot,
 * a key, a resize or the clock's second, at most 10 times per second. */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <langinfo.h>

#include "logs/sanitize.h"
#include "terminal.h"
#include "ui.h"
#include "util/xalloc.h"

#define FRAME_MS         100 /* at most 10 redraws per second */
#define POLL_LATEST_MS   100
#define BACKOFF_SHOWN_MS 10000 /* "backing off" stays this long after a throttle */
#define STICKY_EXPORT_MS 8000  /* export paths stay on the status line at least this long */

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_INTERRUPTED = 130 };

/* Signal self-pipe: the handler only writes one byte (async-signal-safe). */
static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sig_count;

static void on_signal(int sig)
{
    (void)sig;
    int saved = errno;
    if (++sig_count > 1) {
        /* A second signal while we are stuck: restore the terminal and go. */
        seg_terminal_guard_restore();
        _exit(EXIT_INTERRUPTED);
    }
    char c = 1;
    ssize_t r = write(sig_pipe[1], &c, 1);
    (void)r;
    errno = saved;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_message(struct seg_ui *ui, const char *text)
{
    ui->sticky_until_ms = 0; /* a key's own message always shows */
    /* Our own text and engine text alike are sanitised: the engine's may quote a path or
     * an error from the network. */
    seg_sanitize_for_terminal(text, strlen(text), ui->message, sizeof ui->message);
}

static void send_cmd(struct seg_ui *ui, enum seg_ui_cmd_kind kind, int step, int size)
{
    struct seg_ui_command c = {.kind = kind, .step = step, .size = size};
    if (ui->ops->command)
        ui->ops->command(ui->ud, &c);
}

/* ---- data in ------------------------------------------------------------------------- */

/* Takes the newest snapshot; true when something new arrived. */
static bool fetch_snapshot(struct seg_ui *ui)
{
    if (!ui->ops->latest)
        return false;
    struct seg_snapshot *s = ui->ops->latest(ui->ud);
    if (!s)
        return false;
    struct seg_snapshot *cur = ui->frozen && ui->live ? ui->live : ui->snap;
    if (cur && cur->seq == s->seq) {
        seg_snapshot_release(s);
        return false;
    }
    if (ui->frozen) {
        /* Freeze keeps drawing the old one; the newest is held for the unfreeze. */
        seg_snapshot_release(ui->live);
        ui->live = s;
        ui->frozen_newer++;
        return true; /* the FROZEN badge counts them */
    }
    seg_snapshot_release(ui->snap);
    ui->snap = s;
    return true;
}

static bool fetch_status(struct seg_ui *ui)
{
    if (!ui->ops->status)
        return false;
    struct seg_tui_status st;
    memset(&st, 0, sizeof st);
    ui->ops->status(ui->ud, &st);
    st.message[sizeof st.message - 1] = 0;
    bool changed = !ui->have_status || memcmp(&st, &ui->st, sizeof st) != 0;
    /* A budget halved on a throttle recovers by 5 % of its ceiling a second: ~10 s. */
    if (ui->have_status && st.log_throttles > ui->st.log_throttles)
        ui->backoff_until_ms = mono_ms() + BACKOFF_SHOWN_MS;
    if (!ui->have_status || st.message_seq != ui->st.message_seq) {
        /* Export paths (or an export failure) stay a while: with the ladder running, the
         * next wave's note would replace them within a second. */
        bool export = strncmp(st.message, "export", 6) == 0;
        if (st.message[0] && (export || mono_ms() >= ui->sticky_until_ms)) {
            set_message(ui, st.message);
            ui->sticky_until_ms = export ? mono_ms() + STICKY_EXPORT_MS : 0;
        }
    }
    ui->st = st;
    ui->have_status = true;
    return changed;
}

static void drain_fd(int fd)
{
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

static void open_detail(struct seg_ui *ui, int site)
{
    if (!ui->ops->site_detail) {
        set_message(ui, "site detail is not available here");
        return;
    }
    struct seg_inv_table *t = ui->ops->site_detail(ui->ud, site);
    seg_inv_table_free(ui->detail);
    ui->detail = t;
    ui->detail_site = site;
    ui->screen_kind = SEG_SCREEN_DETAIL;
    ui->scroll_top = 0;
}

static void refresh_detail(struct seg_ui *ui)
{
    if (ui->screen_kind != SEG_SCREEN_DETAIL || !ui->ops->site_detail || ui->frozen)
        return;
    struct seg_inv_table *t = ui->ops->site_detail(ui->ud, ui->detail_site);
    if (t) {
        seg_inv_table_free(ui->detail);
        ui->detail = t;
    }
}

/* ---- drawing ------------------------------------------------------------------------- */

static void draw_too_small(struct seg_ui *ui, int rows, int cols)
{
    char a[96], b[96];
    snprintf(a, sizeof a, "segtop needs at least %dx%d", SEG_LAYOUT_MIN_COLS, SEG_LAYOUT_MIN_ROWS);
    snprintf(b, sizeof b, "terminal is %dx%d: enlarge it (q quits)", cols, rows);
    int y = rows / 2 - 1;
    if (y < 0)
        y = 0;
    int la = seg_text_width(a), lb = seg_text_width(b);
    seg_ui_put(ui, y, la < cols ? (cols - la) / 2 : 0, cols, SEG_ROLE_WARN, a);
    if (y + 1 < rows)
        seg_ui_put(ui, y + 1, lb < cols ? (cols - lb) / 2 : 0, cols, SEG_ROLE_NORMAL, b);
}

static void draw_panel(struct seg_ui *ui, enum seg_panel p, struct seg_rect r, bool focused)
{
    switch (p) {
    case SEG_PANEL_CONCURRENCY:
        w_concurrency_draw(ui, r, focused);
        break;
    case SEG_PANEL_COLD:
        w_histogram_draw(ui, r, focused);
        break;
    case SEG_PANEL_DURATIONS:
        w_durations_draw(ui, r, focused);
        break;
    case SEG_PANEL_WAVES:
        w_waves_draw(ui, r, focused);
        break;
    case SEG_PANEL_SITES:
        w_sites_draw(ui, r, focused);
        break;
    case SEG_PANEL_ERRORS:
        w_errors_draw(ui, r, focused);
        break;
    case SEG_PANEL_SCALING:
        w_scaling_draw(ui, r, focused);
        break;
    default:
        break;
    }
}

static void draw(struct seg_ui *ui)
{
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    erase();
    seg_layout_compute(rows, cols, ui->focus, ui->scaling, &ui->lay);
    if (ui->lay.kind == SEG_LAYOUT_TOO_SMALL) {
        draw_too_small(ui, rows, cols);
        refresh();
        return;
    }
    w_sites_update_order(ui);
    w_header_draw(ui, ui->lay.header);
    if (ui->screen_kind == SEG_SCREEN_HELP) {
        w_help_draw(ui, ui->lay.body);
    } else if (ui->screen_kind == SEG_SCREEN_DETAIL) {
        w_detail_draw(ui, ui->lay.body);
    } else {
        bool several = ui->lay.kind != SEG_LAYOUT_COMPACT;
        for (int p = 0; p < SEG_PANEL__COUNT; p++)
            if (ui->lay.visible[p])
                draw_panel(ui, (enum seg_panel)p, ui->lay.panel[p],
                           several && (p == (int)ui->focus || p == SEG_PANEL_SCALING));
    }
    w_status_draw(ui, ui->lay.status);
    w_keys_draw(ui, ui->lay.keys);
    refresh();
}

/* ---- keys ---------------------------------------------------------------------------- */

static int ladder_size(const struct seg_ui *ui, int step)
{
    if (step < 1 || (size_t)step > ui->cfg->n_ladder)
        return 0;
    return ui->cfg->ladder[step - 1];
}

static int next_step(const struct seg_ui *ui)
{
    if (ui->have_status && ui->st.next_step > 0)
        return ui->st.next_step;
    return ui->next_step_local;
}

/* Moves the cursor of the focused list or grid. */
static void move_cursor(struct seg_ui *ui, int dx, int dy)
{
    if (ui->screen_kind != SEG_SCREEN_MAIN || ui->scaling) {
        ui->scroll_top += dy;
        if (ui->scroll_top < 0)
            ui->scroll_top = 0;
        return;
    }
    const struct seg_snapshot *s = ui->snap;
    switch (ui->focus) {
    case SEG_PANEL_SITES: {
        if (!s || ui->n_order == 0)
            return;
        int idx = 0;
        for (size_t i = 0; i < ui->n_order; i++)
            if (s->sites[ui->order[i]].site == ui->sel_site)
                idx = (int)i;
        int per_row = ui->grid_cols > 0 ? ui->grid_cols : 1;
        idx += dx + dy * per_row;
        if (idx < 0)
            idx = 0;
        if (idx >= (int)ui->n_order)
            idx = (int)ui->n_order - 1;
        ui->sel_site = s->sites[ui->order[idx]].site;
        break;
    }
    case SEG_PANEL_WAVES:
        ui->waves_cursor += dy;
        if (s && ui->waves_cursor >= (int)s->n_waves)
            ui->waves_cursor = (int)s->n_waves - 1;
        if (ui->waves_cursor < 0)
            ui->waves_cursor = 0;
        ui->waves_follow = s && ui->waves_cursor == (int)s->n_waves - 1;
        break;
    case SEG_PANEL_ERRORS:
        ui->errors_cursor += dy;
        if (s && ui->errors_cursor >= (int)s->n_errors)
            ui->errors_cursor = (int)s->n_errors - 1;
        if (ui->errors_cursor < 0)
            ui->errors_cursor = 0;
        break;
    default:
        break;
    }
}

static void key_filter(struct seg_ui *ui, int ch)
{
    size_t n = strlen(ui->filter);
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
        ui->prompt = SEG_PROMPT_NONE;
    } else if (ch == 27) {
        ui->filter[0] = 0;
        ui->prompt = SEG_PROMPT_NONE;
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n > 0)
            ui->filter[n - 1] = 0;
    } else if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof ui->filter) {
        ui->filter[n] = (char)ch;
        ui->filter[n + 1] = 0;
    }
}

/* Returns true when the dashboard should close. */
static bool key_quit_prompt(struct seg_ui *ui, int ch)
{
    ui->prompt = SEG_PROMPT_NONE;
    if (ch == 'y' || ch == 'Y')
        return true;
    if (ch == 'e' || ch == 'E') {
        send_cmd(ui, SEG_UI_EXPORT, 0, 0); /* the engine exports before it sees QUIT */
        return true;
    }
    set_message(ui, "quit cancelled");
    return false;
}

static void cycle_theme(struct seg_ui *ui)
{
    int i = (ui->theme + 1) % (int)ui->themes.n;
    seg_ui_apply_theme(ui, i);
    char m[128];
    snprintf(m, sizeof m, "theme %s%s", ui->themes.themes[i].name,
             ui->color ? "" : " (no colour: attributes only)");
    set_message(ui, m);
}

static bool key_main(struct seg_ui *ui, int ch)
{
    bool replay = ui->cfg->replay;
    char m[160];
    switch (ch) {
    case 'q':
    case 'Q':
        if (ui->screen_kind != SEG_SCREEN_MAIN) {
            ui->screen_kind = SEG_SCREEN_MAIN;
            return false;
        }
        if (seg_ui_wave_running(ui) && !replay) {
            ui->prompt = SEG_PROMPT_QUIT;
            return false;
        }
        return true;
    case 27: /* Esc closes an overlay */
        ui->screen_kind = SEG_SCREEN_MAIN;
        ui->scaling = false;
        return false;
    case '?':
    case KEY_F(1):
        ui->screen_kind = ui->screen_kind == SEG_SCREEN_HELP ? SEG_SCREEN_MAIN : SEG_SCREEN_HELP;
        ui->scroll_top = 0;
        return false;
    case 'w':
    case 'r':
    case 'x':
    case '+':
    case '-':
        if (replay) {
            set_message(ui, "replay: no waves to fire");
            return false;
        }
        break;
    default:
        break;
    }
    switch (ch) {
    case 'w': {
        int st = next_step(ui);
        send_cmd(ui, SEG_UI_WAVE_NEXT, 0, 0);
        if (ui->cfg->n_ladder) {
            snprintf(m, sizeof m, "wave requested: step %d (n=%d)", st, ladder_size(ui, st));
            if (!ui->have_status || ui->st.next_step <= 0)
                ui->next_step_local = st % (int)ui->cfg->n_ladder + 1;
        } else {
            snprintf(m, sizeof m, "wave requested");
        }
        set_message(ui, m);
        break;
    }
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
        int st = ch - '0';
        if (replay) {
            set_message(ui, "replay: no waves to fire");
        } else if (ladder_size(ui, st) <= 0) {
            snprintf(m, sizeof m, "the ladder has %zu steps", ui->cfg->n_ladder);
            set_message(ui, m);
        } else {
            send_cmd(ui, SEG_UI_WAVE_PICK, st, ladder_size(ui, st));
            snprintf(m, sizeof m, "wave requested: step %d (n=%d)", st, ladder_size(ui, st));
            set_message(ui, m);
        }
        break;
    }
    case '+':
    case '-': {
        send_cmd(ui, ch == '+' ? SEG_UI_LADDER_NEXT : SEG_UI_LADDER_PREV, 0, 0);
        int n = (int)ui->cfg->n_ladder;
        if (n > 0 && (!ui->have_status || ui->st.next_step <= 0)) {
            int st = ui->next_step_local + (ch == '+' ? 1 : -1);
            ui->next_step_local = st < 1 ? 1 : st > n ? n : st;
        }
        break;
    }
    case 'r':
        send_cmd(ui, SEG_UI_RUN_REST, 0, 0);
        set_message(ui, "running the rest of the ladder");
        break;
    case 'x':
        send_cmd(ui, SEG_UI_STOP, 0, 0);
        set_message(ui, "stop requested: no more triggers; running executions finish");
        break;
    case 'e':
        send_cmd(ui, SEG_UI_EXPORT, 0, 0);
        set_message(ui, "export requested...");
        break;
    case 't':
        cycle_theme(ui);
        break;
    case 'v':
        ui->scaling = !ui->scaling;
        ui->screen_kind = SEG_SCREEN_MAIN;
        ui->scroll_top = 0;
        break;
    case '\t':
        ui->focus = seg_layout_next_panel(ui->focus);
        ui->scaling = false;
        ui->screen_kind = SEG_SCREEN_MAIN;
        break;
    case KEY_BTAB: {
        enum seg_panel p = ui->focus;
        for (int i = 0; i < SEG_PANEL_TAB_COUNT - 1; i++)
            p = seg_layout_next_panel(p);
        ui->focus = p;
        ui->scaling = false;
        break;
    }
    case ' ':
        if (ui->frozen) {
            ui->frozen = false;
            if (ui->live) {
                seg_snapshot_release(ui->snap);
                ui->snap = ui->live;
                ui->live = NULL;
            }
            set_message(ui, "live");
        } else {
            ui->frozen = true;
            ui->frozen_newer = 0;
            set_message(ui, "frozen: data keeps coming; space resumes");
        }
        break;
    case '/':
        ui->prompt = SEG_PROMPT_FILTER;
        ui->focus = SEG_PANEL_SITES;
        ui->scaling = false;
        break;
    case 's':
        ui->sort = (enum seg_sort)((ui->sort + 1) % SEG_SORT__COUNT);
        break;
    case 'u':
        ui->local_time = !ui->local_time;
        break;
    case KEY_LEFT:
    case 'h':
        move_cursor(ui, -1, 0);
        break;
    case KEY_RIGHT:
    case 'l':
        move_cursor(ui, 1, 0);
        break;
    case KEY_UP:
    case 'k':
        move_cursor(ui, 0, -1);
        break;
    case KEY_DOWN:
    case 'j':
        move_cursor(ui, 0, 1);
        break;
    case KEY_PPAGE:
        move_cursor(ui, 0, -10);
        break;
    case KEY_NPAGE:
        move_cursor(ui, 0, 10);
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
        if (ui->screen_kind == SEG_SCREEN_DETAIL) {
            ui->screen_kind = SEG_SCREEN_MAIN;
        } else if (ui->sel_site > 0) {
            open_detail(ui, ui->sel_site);
        } else {
            set_message(ui, "no site selected (Tab to the sites panel, arrows to pick)");
        }
        break;
    default:
        break;
    }
    return false;
}

/* One key; returns true when the dashboard should close. */
static bool handle_key(struct seg_ui *ui, int ch)
{
    if (ch == KEY_RESIZE)
        return false;
    if (ui->lay.kind == SEG_LAYOUT_TOO_SMALL && (ch == 'q' || ch == 'Q'))
        return true;
    if (ui->prompt == SEG_PROMPT_FILTER) {
        key_filter(ui, ch);
        return false;
    }
    if (ui->prompt == SEG_PROMPT_QUIT)
        return key_quit_prompt(ui, ch);
    return key_main(ui, ch);
}

/* ---- set-up and the loop ------------------------------------------------------------- */

static bool locale_is_utf8(void)
{
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

static void load_themes(struct seg_ui *ui)
{
    struct seg_errmsg err = {{0}};
    char *dir = ui->cfg->themes_dir ? seg_xstrdup(ui->cfg->themes_dir) : seg_theme_user_dir();
    seg_theme_list_load(&ui->themes, dir, &err);
    free(dir);
    const char *want = ui->cfg->theme;
    if (!want)
        want = ui->color ? "default" : "mono";
    int i = seg_theme_list_find(&ui->themes, want);
    char m[700];
    if (err.text[0]) {
        snprintf(m, sizeof m, "theme error: %s", err.text);
        set_message(ui, m);
    }
    if (i < 0) {
        if (!err.text[0]) {
            snprintf(m, sizeof m, "unknown theme '%s': using default", want);
            set_message(ui, m);
        }
        i = seg_theme_list_find(&ui->themes, "default");
    }
    seg_ui_apply_theme(ui, i < 0 ? 0 : i);
}

/* newterm (not initscr, which exits on a bad TERM), cbreak so Ctrl-C stays a signal. */
static bool start_curses(struct seg_ui *ui)
{
    const char *term = getenv("TERM");
    if (!term || !*term) {
        fprintf(stderr, "segtop: TERM is not set: cannot draw the dashboard "
                        "(set TERM, or use --headless)\n");
        return false;
    }
    if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
        fprintf(stderr, "segtop: the dashboard needs a terminal on stdin and stdout "
                        "(use --headless)\n");
        return false;
    }
    ui->screen = newterm(NULL, stdout, stdin);
    if (!ui->screen) {
        fprintf(stderr,
                "segtop: terminal type '%s' is unknown or unusable here "
                "(try TERM=xterm-256color, or use --headless)\n",
                term);
        return false;
    }
    set_term(ui->screen);
    seg_terminal_guard_set_active(true);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    const char *nc = getenv("NO_COLOR");
    bool no_color = ui->cfg->no_color || (nc && *nc);
    if (!no_color && has_colors()) {
        start_color();
        use_default_colors();
        ui->color = true;
        ui->n_colors = COLORS;
    }
    return true;
}

static void stop_curses(struct seg_ui *ui)
{
    if (!ui->screen)
        return;
    endwin();
    seg_terminal_guard_set_active(false);
    delscreen(ui->screen);
    ui->screen = NULL;
}

int seg_tui_run(const struct seg_tui_config *cfg, const struct seg_tui_ops *ops, void *ud)
{
    struct seg_ui *ui = seg_xcalloc(1, sizeof *ui);
    struct sigaction sa, old_int, old_term;
    int code = EXIT_OK;
    bool handlers = false;

    ui->cfg = cfg;
    ui->ops = ops;
    ui->ud = ud;
    ui->focus = SEG_PANEL_WAVES;
    ui->waves_follow = true;
    ui->next_step_local = 1;
    setlocale(LC_ALL, "");
    ui->utf8 = locale_is_utf8();
    seg_ui_glyphs(&ui->g, ui->utf8);

    if (pipe(sig_pipe) != 0) {
        perror("segtop: pipe");
        code = EXIT_RUNTIME;
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    sig_count = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    handlers = true;

    if (!start_curses(ui)) {
        code = EXIT_RUNTIME;
        goto out;
    }
    load_themes(ui);

    int wfd = ops->wait_fd ? ops->wait_fd(ud) : -1;
    if (wfd >= 0)
        fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);

    fetch_snapshot(ui);
    fetch_status(ui);
    bool dirty = true;
    int64_t last_draw = 0, last_poll = 0;
    int64_t last_second = wall_ms() / 1000;
    for (;;) {
        int64_t now = mono_ms();
        if (dirty && now - last_draw >= FRAME_MS) {
            draw(ui);
            last_draw = now;
            dirty = false;
        }
        /* Sleep until: the frame slot (if a redraw is due), the clock's next second, or
         * the next latest()/status() poll. Nothing else wakes us: idle costs nothing. */
        int64_t wall = wall_ms();
        int timeout = (int)(1000 - wall % 1000) + 5;
        if (dirty)
            timeout = (int)(FRAME_MS - (now - last_draw));
        if (wfd < 0 || ops->status) {
            int t = (int)(POLL_LATEST_MS - (now - last_poll));
            if (t < timeout)
                timeout = t;
        }
        if (timeout < 0)
            timeout = 0;
        struct pollfd pf[3] = {
            {.fd = STDIN_FILENO, .events = POLLIN},
            {.fd = sig_pipe[0], .events = POLLIN},
            {.fd = wfd, .events = POLLIN},
        };
        int pr = poll(pf, wfd >= 0 ? 3 : 2, timeout);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0 && (pf[1].revents & POLLIN)) {
            code = EXIT_INTERRUPTED;
            break;
        }
        now = mono_ms();
        bool got = false;
        if (wfd >= 0 && pr > 0 && (pf[2].revents & POLLIN)) {
            drain_fd(wfd);
            got = fetch_snapshot(ui);
        }
        if (now - last_poll >= POLL_LATEST_MS) {
            last_poll = now;
            if (wfd < 0)
                got = fetch_snapshot(ui) || got;
            if (fetch_status(ui))
                dirty = true;
        }
        if (got) {
            refresh_detail(ui);
            dirty = true;
        }
        int64_t sec = wall_ms() / 1000;
        if (sec != last_second) {
            last_second = sec; /* the header clock */
            dirty = true;
        }
        /* Keys: drain everything curses has (it may have buffered more than poll saw);
         * after EINTR this also picks up KEY_RESIZE from ncurses' SIGWINCH handler. */
        bool quit = false;
        int ch;
        while ((ch = getch()) != ERR) {
            if (ch == KEY_RESIZE)
                clearok(curscr, TRUE); /* repaint everything: no garbage after a resize */
            if (handle_key(ui, ch)) {
                quit = true;
                break;
            }
            dirty = true;
        }
        if (quit)
            break;
    }

out:
    send_cmd(ui, SEG_UI_QUIT, 0, 0);
    stop_curses(ui);
    if (handlers) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    for (int i = 0; i < 2; i++) {
        if (sig_pipe[i] >= 0)
            close(sig_pipe[i]);
        sig_pipe[i] = -1;
    }
    seg_snapshot_release(ui->snap);
    seg_snapshot_release(ui->live);
    seg_inv_table_free(ui->detail);
    seg_theme_list_release(&ui->themes);
    free(ui->order);
    free(ui);
    return code;
}
