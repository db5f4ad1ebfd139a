/* The engine's work on the engine thread (DESIGN §7): fires waves (wave.c), harvests logs
 * (poller.c), correlates (correlate.c), feeds the store, declares missing invocations and
 * decides when a wave is complete; optionally walks the ladder by itself (headless).
 * Other threads see it only through seg_run_status (a value copy) and, once the engine
 * thread has stopped, the store. */
#ifndef SEGTOP_CORE_ENGINE_RUN_H
#define SEGTOP_CORE_ENGINE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/logclock.h"
#include "http/engine.h"
#include "metrics/store.h"
#include "pipeline/sites.h"
#include "pipeline/trigger.h"

struct seg_run_config {
    const struct seg_site *sites; /* borrowed for the run's life */
    size_t nsites;
    const char *shared_log_group; /* NULL: one group per site */
    enum seg_trigger trigger;
    const unsigned char *image; /* borrowed */
    size_t image_len;
    const char *key_template; /* NULL: the default */
    const char *region;
    bool virtual_hosted;   /* S3 bucket.s3.region.amazonaws.com (real AWS) */
    int trigger_retries;   /* --trigger-retries */
    double log_tps;        /* --log-tps */
    int64_t window_ms;     /* re-read window (log clock) */
    int64_t grace_ms;      /* after the function timeout, before "missing" */
    int64_t retry_wait_ms; /* how long a failed async attempt may wait for its retry */
    bool use_date_offset;  /* real AWS: clock offset from Date headers */
    /* From the pre-flight (engine/preflight.h), shown in the status. */
    int account_concurrency; /* AccountLimit.ConcurrentExecutions; 0: unknown */
    size_t config_failed;    /* sites whose GetFunctionConfiguration failed */
    struct seg_logclock clock;
    /* The ladder, run by itself when autorun (headless). */
    const int *ladder;
    size_t nladder;
    double gap_ms; /* log clock, after a wave completes */
    bool autorun;
    /* The dashboard: the ladder runs only on request (seg_run_request_rest), `w` wraps
     * around it, and running out of steps stops the autorun instead of finishing the run. */
    bool interactive;
    /* Optional, on the engine thread: each new snapshot (borrowed: acquire to keep it).
     * Published on change, at most every 250 ms while work is outstanding, else every 1 s. */
    void (*on_snapshot)(void *ud, struct seg_snapshot *snap);
    /* Optional, on the engine thread: a line for the dashboard's status line. */
    void (*on_message)(void *ud, const char *text);
    /* Optional, on the engine thread: after every tick (mono: seg_http_now_ms()). */
    void (*on_tick)(void *ud, double mono);
    void *hook_ud;
};

#define SEG_RUN_FRESH_MAX 65536

struct seg_run_status {
    double t_s; /* since the run began (wall) */
    int wave;   /* current wave number (0 before the first) */
    int ladder_pos, nladder;
    int size;
    uint32_t sent, accepted, started, done, failed, missing;
    double logs_per_s;
    uint64_t throttles, log_calls;
    uint64_t log_queries; /* Logs Insights queries started (poller.h) */
    uint64_t log_errors;  /* log API calls that failed (not throttles) */
    bool logs_unread;     /* the run ended without reading the logs past its last outcome */
    double lag_p95_s;     /* NAN when unknown */
    double last_trigger_on_wire_ms;  /* of the latest wave: wave command -> last trigger sent */
    bool finished;                   /* ladder done and nothing outstanding (or stopped) */
    bool interrupted;                /* stopped by seg_run_request_stop */
    bool draining;                   /* ladder done, waiting for retries and late REPORTs */
    int next_step;                   /* ladder step (1-based) the next `w` fires; 0: none */
    bool running_ladder;             /* the ladder runs by itself */
    double log_budget_tps;           /* current adaptive log-API budget */
    double last_reports_s;           /* of the latest wave: command -> every site's first REPORT
                                      * in the store (wall s); NAN until then */
    uint64_t last_reports_log_calls; /* log API calls made by then (since the run began) */
    /* Freshness: for each REPORT that reached the store, the log clock at that moment minus
     * its ingestionTime; over the run's REPORTs (the latest SEG_RUN_FRESH_MAX). On the log
     * clock (simulated time on the simulator) and in wall time (log / --sim-speed). NAN
     * when there is none. */
    uint32_t fresh_n;
    double fresh_p50_s, fresh_p95_s, fresh_max_s;
    double fresh_wall_p50_s, fresh_wall_p95_s, fresh_wall_max_s;
    enum seg_trigger trigger;
    /* invoke/event: runs the bucket's own notification started for the waves' objects (as
     * on AWS when the bucket notifies the function): real load, but not the waves'
     * invocations, so counted here and not in the store. */
    uint64_t notif_runs;
    int account_concurrency; /* the pre-flight's; 0: unknown */
    uint32_t config_failed;  /* sites keeping the default timeout and memory */
};

struct seg_run;

struct seg_run *seg_run_new(const struct seg_run_config *cfg);
/* Frees everything but the store when keep_store (see seg_run_take_store). */
void seg_run_free(struct seg_run *r);
/* The driver to start the engine with (seg_engine_start_driven). */
struct seg_engine_driver seg_run_driver(struct seg_run *r);
/* Any thread. */
void seg_run_get_status(struct seg_run *r, struct seg_run_status *out);
/* Commands (any thread, through the engine's queue). */
void seg_run_request_stop(struct seg_engine *e);
void seg_run_request_wave(struct seg_engine *e, int size);
/* The dashboard's ladder keys: fire the next step (`w`), fire step 1..n (`1`..`9`), move
 * the next-step pointer by delta (`+`/`-`), run the rest of the ladder with --gap between
 * its waves (`r`), stop triggering (`x`: running executions finish, harvesting goes on). */
void seg_run_request_next(struct seg_engine *e);
void seg_run_request_step(struct seg_engine *e, int step);
void seg_run_request_move(struct seg_engine *e, int delta);
void seg_run_request_rest(struct seg_engine *e);
void seg_run_request_halt(struct seg_engine *e);
/* After seg_engine_stop: the store (the engine thread, its only writer, is gone). */
struct seg_store *seg_run_store(struct seg_run *r);

#endif
