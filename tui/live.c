/* seg_tui_ops over a live session (core/engine/session.h): snapshots from the engine
 * thread's mailbox, keys as session commands, site details fetched on the engine thread. */
#include "live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "engine/session.h"
#include "tui.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

#define DETAIL_WAIT_MS 500 /* the engine thread answers within a tick (<= 50 ms) */

bool seg_dashboard_have_terminal(void)
{
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
        return true;
    fprintf(stderr, "segtop: the dashboard needs a terminal; use --headless for scripts\n");
    return false;
}

static struct seg_snapshot *op_latest(void *ud)
{
    return seg_session_latest(ud);
}

static int op_wait_fd(void *ud)
{
    return seg_session_wait_fd(ud);
}

static void op_command(void *ud, const struct seg_ui_command *c)
{
    struct seg_session *s = ud;
    switch (c->kind) {
    case SEG_UI_WAVE_NEXT:
        seg_session_command(s, SEG_SESSION_NEXT, 0);
        break;
    case SEG_UI_WAVE_PICK:
        seg_session_command(s, SEG_SESSION_STEP, c->step);
        break;
    case SEG_UI_LADDER_PREV:
        seg_session_command(s, SEG_SESSION_MOVE, -1);
        break;
    case SEG_UI_LADDER_NEXT:
        seg_session_command(s, SEG_SESSION_MOVE, 1);
        break;
    case SEG_UI_RUN_REST:
        seg_session_command(s, SEG_SESSION_REST, 0);
        break;
    case SEG_UI_STOP:
        seg_session_command(s, SEG_SESSION_HALT, 0);
        break;
    case SEG_UI_EXPORT:
        seg_session_command(s, SEG_SESSION_EXPORT, 0);
        break;
    case SEG_UI_QUIT:
        seg_session_command(s, SEG_SESSION_QUIT, 0);
        break;
    default:
        break;
    }
}

static struct seg_inv_table *op_site_detail(void *ud, int site)
{
    return seg_session_site_detail(ud, site, DETAIL_WAIT_MS);
}

static void op_status(void *ud, struct seg_tui_status *out)
{
    struct seg_session_status st;
    seg_session_status(ud, &st);
    out->log_calls_per_s = st.run.logs_per_s;
    out->log_budget_tps = st.run.log_budget_tps;
    out->log_throttles = (uint32_t)st.run.throttles;
    out->next_step = st.run.next_step;
    out->running_ladder = st.run.running_ladder;
    out->message_seq = st.message_seq;
    memcpy(out->message, st.message, sizeof out->message);
    out->message[sizeof out->message - 1] = 0;
}

/* --aws: the plan and its cost, then y/N on the terminal, before curses starts. */
static bool confirm_aws(const struct seg_session *s, const struct seg_options *o)
{
    char plan[512];
    seg_session_plan(s, plan, sizeof plan);
    fprintf(stderr, "segtop: %s\n", plan);
    if (o->yes)
        return true;
    fprintf(stderr, "segtop: waves fire only when you press w or r. Go ahead? [y/N] ");
    fflush(stderr);
    char line[64];
    if (!fgets(line, sizeof line, stdin))
        return false;
    return line[0] == 'y' || line[0] == 'Y';
}

int seg_dashboard_main(const struct seg_options *o, const struct seg_sim_hooks *sim)
{
    int code = EXIT_RUNTIME;
    struct seg_errmsg err = {{0}};
    struct seg_session *s = NULL;
    if (!seg_dashboard_have_terminal())
        return EXIT_USAGE;
    if (seg_session_new(o, sim, true, &s, &err) != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        return EXIT_USAGE;
    }
    if (o->aws && !confirm_aws(s, o)) {
        fprintf(stderr, "segtop: nothing done\n");
        code = EXIT_OK;
        goto out;
    }
    enum seg_err rc = seg_session_start(s, &err);
    if (rc != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        code = rc == SEG_ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME;
        goto out;
    }
    size_t nladder = 0;
    const int *ladder = seg_session_ladder(s, &nladder);
    const char *nc = getenv("NO_COLOR");
    struct seg_tui_config cfg = {
        .theme = o->theme,
        .no_color = nc && *nc,
        .ladder = ladder,
        .n_ladder = nladder,
        .target = seg_session_target(s),
        .region = seg_session_region(s),
        .trigger = seg_session_trigger(s),
        .sites = (int)seg_session_nsites(s),
        .account_concurrency = seg_session_account_concurrency(s), /* 0: unknown, no line */
        .log_tps = o->log_tps,
    };
    struct seg_tui_ops ops = {
        .latest = op_latest,
        .wait_fd = op_wait_fd,
        .command = op_command,
        .site_detail = op_site_detail,
        .status = op_status,
    };
    code = seg_tui_run(&cfg, &ops, s);
out:
    seg_session_stop(s); /* queued commands (an export asked at the quit prompt) run first */
    struct seg_session_status st;
    seg_session_status(s, &st);
    if (strncmp(st.message, "export", 6) == 0)
        printf("%s\n", st.message); /* the last export's paths, for the shell history */
    seg_session_free(s);
    return code;
}
