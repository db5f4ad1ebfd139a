/* Store internals shared by store.c and snapshot.c only. */
#ifndef SEGTOP_CORE_METRICS_STORE_INTERNAL_H
#define SEGTOP_CORE_METRICS_STORE_INTERNAL_H

#include <stdint.h>

#include "metrics/errsig.h"
#include "metrics/hist.h"
#include "metrics/snapshot.h"
#include "metrics/stats.h"
#include "metrics/store.h"
#include "metrics/strpool.h"

#define INV_NONE INT32_MIN /* unknown int32 ms */

/* One attempt, packed (~150 bytes): 100,000 of them stay far below the memory budget. */
struct inv {
    int64_t sent, accepted, start, end, event_time, db_write;
    const char *rid, *err_type, *err_msg; /* in the store's pool */
    double duration, billed, init;
    int32_t wave, site;
    int32_t exec, e2e, lag; /* INV_NONE when unknown */
    int32_t memory, max_memory;
    int32_t prev;    /* index of the previous attempt of (wave, site), or -1 */
    int32_t run_pos; /* position in the running list, or -1 */
    uint16_t attempt;
    int8_t cold;    /* -1 before a REPORT */
    uint8_t status; /* enum seg_inv_status */
    uint8_t superseded;
    uint8_t has_report;
};

struct wave {
    int size;
    enum seg_trigger trigger;
    const char *key;
    int64_t begin, first_sent, last_end;
    int64_t first_start; /* earliest START (or derived start) of its attempts; log clock */
    int32_t *latest;     /* [site] -> latest attempt index, -1; sites 1..size */
    struct seg_counts c;
    struct seg_hist h[SEG_METRIC__COUNT];
    struct seg_stats_acc exec, cost;
};

/* A site's last log lines, sorted by time, oldest first (allocated at its first line). */
struct site_lines {
    size_t n;
    int64_t ts[SEG_STORE_SITE_LINES];
    char text[SEG_STORE_SITE_LINES][SEG_STORE_LINE_MAX + 1];
};

struct site {
    const char *function;
    struct site_lines *lines; /* NULL until the site logs */
    uint32_t invocations, reports, cold, errors;
    int32_t max_memory;
    int32_t latest; /* latest attempt index, -1 */
    const char *last_error;
    struct seg_hist exec, init;
    uint32_t sig_count[SEG_ERRSIG__COUNT];
    int64_t sig_last_ms[SEG_ERRSIG__COUNT];
    const char *sig_last[SEG_ERRSIG__COUNT];
};

struct seg_store {
    struct seg_store_config cfg;
    int64_t offset_ms, now_ms;
    uint64_t seq;

    struct inv *invs;
    size_t n_invs, alloc_invs;

    struct wave *waves;
    int n_waves, alloc_waves;

    struct site *sites; /* sites[0] unused; 1..n_sites */
    int n_sites;

    uint32_t *rid_slots; /* open addressing, inv index + 1, 0 empty */
    size_t rid_cap, rid_used;

    int32_t *running; /* attempts between START and outcome */
    size_t n_running, alloc_running;

    /* Closed START..REPORT intervals per second since conc_base_s. */
    uint32_t *conc;
    size_t n_conc;
    int64_t conc_base_s;

    struct seg_counts total;
    struct seg_hist all[SEG_METRIC__COUNT];
    struct seg_strpool strings;

    const struct seg_store_observer *obs; /* NULL: none */
    void *obs_ud;
};

#endif
