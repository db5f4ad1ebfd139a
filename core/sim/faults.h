/* --sim-faults (DESIGN §6): comma-separated key=value. Probabilities per request in [0,1];
 * sites as site7|site9 or ranges 3..9 (mixable: site2|5..9); durations with ms or s.
 * Keys: throttle=P[:scope], 5xx=P[:scope] (scope lambda|s3|logs; none = every service),
 * reset=P, truncate=P, slow=P:D, timeout=SITES, oom=SITES, error=P, ingest-delay=A..B,
 * duplicate-events=P, reorder=P, evil-log=SITES. An unknown key is an error (exit 2). */
#ifndef SEGTOP_CORE_SIM_FAULTS_H
#define SEGTOP_CORE_SIM_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/errmsg.h"
#include "util/seg.h"

enum seg_sim_scope {
    SEG_SIM_SCOPE_LAMBDA = 0,
    SEG_SIM_SCOPE_S3,
    SEG_SIM_SCOPE_LOGS,
    SEG_SIM_SCOPES
};

#define SEG_SIM_SITESET_MAX 32

/* A set of site numbers as inclusive ranges. */
struct seg_sim_siteset {
    int lo[SEG_SIM_SITESET_MAX];
    int hi[SEG_SIM_SITESET_MAX];
    int n;
};

struct seg_sim_faults {
    double throttle[SEG_SIM_SCOPES]; /* API-level ThrottlingException / 429 / SlowDown */
    double err5xx[SEG_SIM_SCOPES];   /* 500/503 with the service's error */
    double reset;                    /* TCP reset instead of a response */
    double truncate;                 /* response body cut short */
    double slow_p;                   /* this share of responses delayed by slow_ms */
    int64_t slow_ms;
    struct seg_sim_siteset timeout; /* these sites' handlers run into the function timeout */
    struct seg_sim_siteset oom;     /* these sites' handlers run out of memory */
    double error_p;                 /* handler exceptions, per invocation attempt */
    bool ingest_set;
    int64_t ingest_min_ms, ingest_max_ms; /* log ingestion delay range (simulated ms) */
    double duplicate_events;              /* FilterLogEvents returns an event twice */
    double reorder;                       /* FilterLogEvents pages out of order */
    struct seg_sim_siteset evil_log;      /* these sites log terminal-hostile bytes */
};

/* Zero faults (the default). */
void seg_sim_faults_init(struct seg_sim_faults *f);
/* Parses spec (NULL or "" = none) into f; on error names the key and what is accepted. */
enum seg_err seg_sim_faults_parse(const char *spec, struct seg_sim_faults *f,
                                  struct seg_errmsg *err) SEG_MUST_USE;
bool seg_sim_siteset_has(const struct seg_sim_siteset *s, int site);

#endif
