/* The dashboard (DESIGN §5): the one entry point the composition root calls.
 *
 * Threads (DESIGN §7): seg_tui_run() runs on the calling thread, which becomes the UI thread
 * and the only one that touches curses. The engine side implements struct seg_tui_ops:
 * snapshots come in as acquired references (immutable), commands go out by value. Block
 * SIGINT, SIGTERM and SIGWINCH in every other thread before calling this: the UI thread
 * handles them (SIGINT/SIGTERM end the dashboard cleanly and seg_tui_run returns 130). */
#ifndef SEGTOP_TUI_TUI_H
#define SEGTOP_TUI_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct seg_snapshot;
struct seg_inv_table;

enum seg_ui_cmd_kind {
    SEG_UI_WAVE_NEXT = 0, /* w: next wave of the ladder */
    SEG_UI_WAVE_PICK,     /* 1..9: fire ladder step `step` (1-based) */
    SEG_UI_LADDER_PREV,   /* -: move the next-step pointer one step down */
    SEG_UI_LADDER_NEXT,   /* +: one step up */
    SEG_UI_RUN_REST,      /* r: run the rest of the ladder */
    SEG_UI_STOP,          /* x: stop triggering; running executions finish */
    SEG_UI_EXPORT,        /* e: export a snapshot (paths come back in the status text) */
    SEG_UI_QUIT,          /* the dashboard is closing; sent once, last */
    SEG_UI__COUNT
};

/* Sent by value: the receiver keeps nothing of the UI's. */
struct seg_ui_command {
    enum seg_ui_cmd_kind kind;
    int step; /* SEG_UI_WAVE_PICK: ladder step, 1-based; else 0 */
    int size; /* SEG_UI_WAVE_PICK: that step's wave size; else 0 */
};

/* Engine state that is not in the snapshot, copied out by value (ops->status). */
struct seg_tui_status {
    double log_calls_per_s; /* log-API calls per second, recent */
    double log_budget_tps;  /* current adaptive budget (calls/s); below cfg log_tps: backing off */
    uint32_t log_throttles; /* ThrottlingException answers so far */
    int next_step;          /* ladder step (1-based) `w` fires next; 0: unknown */
    bool running_ladder;    /* `r` in progress */
    uint64_t message_seq;   /* changes whenever message changes */
    char message[512];      /* status line: export paths, warnings (sanitised before drawing) */
};

struct seg_tui_ops {
    /* The newest snapshot as an acquired reference (the UI releases it), or NULL before the
     * first. Called when wait_fd is readable, and at most every 100 ms otherwise. */
    struct seg_snapshot *(*latest)(void *ud);
    /* A descriptor that becomes readable when a new snapshot is published (e.g. the read end
     * of a pipe the engine writes one byte to). The UI sets it non-blocking and drains it.
     * NULL or -1: the UI polls latest() every 100 ms instead. */
    int (*wait_fd)(void *ud);
    /* A key's command, by value. Must not block (queue it). */
    void (*command)(void *ud, const struct seg_ui_command *cmd);
    /* Enter on a site: a deep copy of its invocations (the UI frees it with
     * seg_inv_table_free), or NULL. Called on the UI thread: fetch it from the engine thread
     * (or under the store's lock); may block briefly. Optional. */
    struct seg_inv_table *(*site_detail)(void *ud, int site);
    /* Fills *out (zeroed by the caller). Optional; called at most every 100 ms. */
    void (*status)(void *ud, struct seg_tui_status *out);
};

struct seg_tui_config {
    const char *theme;       /* --theme NAME; NULL: "default" ("mono" under NO_COLOR) */
    bool no_color;           /* NO_COLOR is set (seg_tui_run also checks the environment) */
    bool replay;             /* REPLAY badge; wave keys are disabled */
    const int *ladder;       /* wave sizes of the ladder (for 1..9, +/-) */
    size_t n_ladder;         /* */
    const char *target;      /* header labels, e.g. "sim:127.0.0.1:41234", "aws" */
    const char *region;      /* */
    const char *trigger;     /* "s3", "invoke", "event" */
    int sites;               /* configured site count */
    int account_concurrency; /* the account limit line of the concurrency panel; 0: none */
    double log_tps;          /* --log-tps: the budget's ceiling (0: unknown) */
    const char *themes_dir;  /* user themes; NULL: $XDG_CONFIG_HOME/segtop/themes */
};

/* Runs the dashboard until the user quits (0), a signal ends it (130) or the terminal is
 * unusable (1, with a message on stderr). Sends SEG_UI_QUIT before returning. */
int seg_tui_run(const struct seg_tui_config *cfg, const struct seg_tui_ops *ops, void *ud);

#endif
