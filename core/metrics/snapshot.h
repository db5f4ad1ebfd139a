/* Immutable, reference-counted view of the store for the UI and the export worker
 * (DESIGN §7). Built on the engine thread by seg_store_snapshot(); after that nothing in it
 * changes, so any thread may read it while holding a reference. It carries aggregates only:
 * raw invocations stay in the store (seg_store_site_detail / seg_store_table). */
#ifndef SEGTOP_CORE_METRICS_SNAPSHOT_H
#define SEGTOP_CORE_METRICS_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/errsig.h"
#include "metrics/hist.h"
#include "metrics/stats.h"
#include "metrics/store.h"
#include "metrics/strpool.h"

#define SEG_SNAPSHOT_SPAN_MAX_S 3600

enum seg_metric {
    SEG_METRIC_INIT = 0, /* Init Duration (cold starts only) */
    SEG_METRIC_EXEC,     /* exec time (see store.h) */
    SEG_METRIC_BILLED,   /* Billed Duration */
    SEG_METRIC_E2E,      /* end-to-end */
    SEG_METRIC_LAG,      /* ingest lag */
    SEG_METRIC__COUNT
};

/* Counters over (wave, site) pairs unless noted. launched = triggers sent (one per site of a
 * wave); accepted = triggers the API accepted; started = latest attempt has a START or
 * REPORT; running = attempts between START and REPORT; done = REPORT seen; missing =
 * declared missing; errors = outcome error, timeout, throttled or trigger_failed (missing is
 * counted apart); throttles = triggers throttled; settled = any outcome; reports, cold and
 * cost_usd count every attempt with a REPORT (async retries included). */
struct seg_counts {
    uint32_t launched, accepted, started, running, done, missing, errors, throttles, settled;
    uint32_t reports, cold;
    double cost_usd;
};

struct seg_wave_row {
    int wave; /* 1.. */
    int size;
    enum seg_trigger trigger;
    const char *trigger_key; /* owned by the snapshot */
    int64_t begin_ms;        /* seg_store_wave_begin() time */
    int64_t makespan_ms;     /* last REPORT - first trigger_sent; -1 before any REPORT */
    bool complete;
    struct seg_counts c;
    double cold_pct;                   /* of reports; NAN without reports */
    double mean_exec_ms, sd_exec_ms;   /* over attempts with an exec time; NAN if none */
    double mean_cost_usd, sd_cost_usd; /* per attempt with a REPORT; NAN if none */
    struct seg_hist_summary dist[SEG_METRIC__COUNT];
};

enum seg_site_state {
    SEG_SITE_IDLE = 0,
    SEG_SITE_TRIGGERED,
    SEG_SITE_RUNNING,
    SEG_SITE_OK_COLD,
    SEG_SITE_OK_WARM,
    SEG_SITE_ERROR,
    SEG_SITE_TIMEOUT,
    SEG_SITE_THROTTLED,
    SEG_SITE_MISSING,
    SEG_SITE__COUNT
};
/* "idle", "triggered", "running", "ok-cold", "ok-warm", "error", ... */
const char *seg_site_state_name(enum seg_site_state s);

struct seg_site_row {
    int site;
    const char *function;                          /* owned by the snapshot; NULL when not named */
    uint32_t invocations;                          /* attempts */
    uint32_t reports, cold, errors;                /* errors: attempts with any non-ok outcome */
    double cold_pct;                               /* NAN without reports */
    int32_t p50_exec_ms, p95_exec_ms, p50_init_ms; /* -1 when unknown */
    int32_t max_memory_mb;                         /* -1 when unknown */
    const char *last_error;                        /* NULL when none */
    enum seg_site_state state;                     /* from the latest attempt */
};

/* One (site, signature) fold of the errors panel. */
struct seg_error_row {
    int site;
    enum seg_errsig sig;
    uint32_t count;
    int64_t last_ms;
    const char *last_message; /* owned by the snapshot; may be "" */
};

/* Per wave size (the scaling view): statistics over attempts and over wave means. */
struct seg_scaling_row {
    int size;
    size_t n_waves;
    struct seg_stats_ci exec;           /* exec ms over attempts, 95 % CI */
    struct seg_stats_ci cost;           /* USD per attempt with a REPORT */
    struct seg_stats_ci exec_wave_mean; /* over the waves' mean exec */
    struct seg_stats_ci cost_wave_mean;
    struct seg_stats_ci makespan; /* ms, over waves */
};

/* Welch's t-test between two wave sizes on their wave means; p_adj is Bonferroni-corrected
 * over the valid tests of the same list. */
struct seg_scaling_cmp {
    int size_a, size_b;
    struct seg_stats_welch exec, cost;
    double exec_p_adj, cost_p_adj;
};

struct seg_snapshot {
    atomic_int refs;
    uint64_t seq;   /* increases with every snapshot of one store */
    int64_t now_ms; /* seg_store_set_now() at build time */

    struct seg_counts total;
    int current_wave; /* highest wave number, 0 before the first */

    size_t n_waves;
    struct seg_wave_row *waves; /* waves[i].wave == i + 1 */
    size_t n_sites;
    struct seg_site_row *sites; /* sites[i].site == i + 1 */

    /* Distributions over every attempt and over the current wave. */
    struct seg_hist_summary all[SEG_METRIC__COUNT];
    struct seg_hist_summary current[SEG_METRIC__COUNT];

    /* Executions in flight (START..REPORT) per second: conc[i] is the second starting at
     * (conc_first_s + i) s since the epoch; the last concurrency_window_s seconds. */
    int64_t conc_first_s;
    size_t n_conc;
    uint32_t *conc;
    uint32_t conc_peak; /* over the whole session */

    /* The latest started wave's span, for a chart that keeps its shape at any clock speed:
     * from its first START to its last REPORT (to now while its executions run), executions
     * in flight per second (every wave's): span[i] is second span_first_s + i. The last
     * SEG_SNAPSHOT_SPAN_MAX_S seconds at most. span_wave 0: no wave has started. */
    int span_wave;
    int64_t span_begin_ms, span_end_ms;
    int64_t span_first_s;
    size_t n_span;
    uint32_t *span;

    size_t n_errors;
    struct seg_error_row *errors; /* by site, then signature */

    size_t n_scaling;
    struct seg_scaling_row *scaling; /* by size ascending */
    size_t n_cmp_consecutive;
    struct seg_scaling_cmp *cmp_consecutive; /* size i vs next size */
    size_t n_cmp_all;
    struct seg_scaling_cmp *cmp_all; /* every pair of sizes */

    struct seg_strpool strings;
};

/* Adds a reference (any thread) and returns snap. */
struct seg_snapshot *seg_snapshot_acquire(struct seg_snapshot *snap);
/* Drops a reference (any thread); the last one frees. NULL is allowed. */
void seg_snapshot_release(struct seg_snapshot *snap);

/* The wave row of wave number w, or NULL. */
const struct seg_wave_row *seg_snapshot_wave(const struct seg_snapshot *snap, int w);

#endif
