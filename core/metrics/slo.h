/* --slo: service-level objectives checked per wave or over all waves (DESIGN §4).
 *
 *   spec  = term *( "," term )
 *   term  = [ "all:" ] metric op value [ unit ]        (spaces allowed between tokens)
 *   metric = ("p50"|"p90"|"p95"|"p99") ("_duration"|"_billed"|"_e2e"|"_init")
 *          | "errors" | "complete" | "throttles"
 *   op    = "<" | "<=" | ">" | ">="
 *   value = digits [ "." digits ]
 *   unit  = "ms" | "s" | "%"
 *
 * Percentile metrics take ms (the default) or s: _duration is the execution time (exec of
 * store.h), _billed Billed Duration, _e2e end-to-end, _init Init Duration. errors (outcome
 * error, timeout, throttled or trigger_failed) and complete (REPORTs seen) are % of the
 * wave's launched invocations (the unit may be omitted; at most 100). throttles is a count,
 * or % of launched with "%". A term without "all:" must hold for every wave checked. */
#ifndef SEGTOP_CORE_METRICS_SLO_H
#define SEGTOP_CORE_METRICS_SLO_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics/snapshot.h"
#include "util/errmsg.h"
#include "util/seg.h"

enum seg_slo_kind {
    SEG_SLO_PCT = 0, /* a percentile of metric */
    SEG_SLO_ERRORS,
    SEG_SLO_COMPLETE,
    SEG_SLO_THROTTLES
};

enum seg_slo_op { SEG_SLO_LT = 0, SEG_SLO_LE, SEG_SLO_GT, SEG_SLO_GE };

struct seg_slo_term {
    bool all; /* "all:" prefix */
    enum seg_slo_kind kind;
    enum seg_metric metric; /* SEG_SLO_PCT: INIT, EXEC, BILLED or E2E */
    int percentile;         /* SEG_SLO_PCT: 50, 90, 95 or 99 */
    enum seg_slo_op op;
    double value;  /* ms, %, or a count */
    bool percent;  /* value is a % of launched (errors, complete, throttles %) */
    char text[80]; /* the term as written, trimmed (truncated if long) */
    size_t column; /* 1-based position of the term in the spec */
};

struct seg_slo {
    size_t n;
    struct seg_slo_term *terms;
};

/* Parses spec into *out (release with seg_slo_release). On error *out is empty and err says
 * which term, at which column, and what was expected. */
enum seg_err seg_slo_parse(const char *spec, struct seg_slo *out,
                           struct seg_errmsg *err) SEG_MUST_USE;
void seg_slo_release(struct seg_slo *slo);

struct seg_slo_result {
    const struct seg_slo_term *term;
    int wave;       /* 0 for an "all:" term */
    bool evaluated; /* false when there is no data (no REPORT with that metric, nothing
                       launched): such a term is neither kept nor broken */
    bool ok;
    double observed; /* same unit as term->value */
};

/* Checks every term: per-wave terms against each wave of the snapshot (only complete waves
 * when complete_only), all: terms once. *results (caller frees) gets one entry per check.
 * Returns the number of broken checks. */
size_t seg_slo_check(const struct seg_slo *slo, const struct seg_snapshot *snap, bool complete_only,
                     struct seg_slo_result **results, size_t *n_results);

/* "wave 3: p95_duration = 21345 ms, wanted < 20000 ms: BROKEN" */
void seg_slo_format(const struct seg_slo_result *r, char *buf, size_t size);

#endif
