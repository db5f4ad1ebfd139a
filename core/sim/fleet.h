/* The simulated fleet: one Lambda function per site with an execution-environment pool,
 * cold starts, the measured execution-time distribution, account concurrency and scaling
 * limits, async retries, and the log lines Lambda and the pipeline's handler write
 * (DESIGN §6). Thread-safe: HTTP handlers call it from the server's thread while its own
 * timer thread completes executions. */
#ifndef SEGTOP_CORE_SIM_FLEET_H
#define SEGTOP_CORE_SIM_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/sites.h"
#include "sim/clock.h"
#include "sim/faults.h"
#include "sim/logstore.h"
#include "util/errmsg.h"
#include "util/seg.h"

struct seg_sim_fleet_config {
    const struct seg_site *sites; /* copied */
    size_t nsites;
    const char *region;
    const char *account_id; /* "123456789012" when NULL */
    uint64_t seed;
    int account_concurrency;             /* default 1000 */
    const struct seg_sim_faults *faults; /* copied; NULL = none */
    const char *truth_path; /* --sim-truth: CSV written as attempts finish; NULL = off */
};

enum seg_sim_invoke_mode { SEG_SIM_SYNC = 0, SEG_SIM_ASYNC, SEG_SIM_DRYRUN };

struct seg_sim_invoke {
    const struct seg_site *site;
    enum seg_sim_invoke_mode mode;
    const char *payload; /* the event JSON (may be NULL) */
    size_t payload_len;
};

enum seg_sim_invoke_status {
    SEG_SIM_INVOKED = 0, /* async accepted (202), dry run (204), or sync started */
    SEG_SIM_THROTTLED,   /* 429 TooManyRequestsException */
};

/* Called once a synchronous invocation finishes (on the fleet's timer thread, at the
 * simulated end time): status 200, function_error "Unhandled" or NULL, the response
 * payload, and the last 4 KB of its log (raw, not base64). Borrowed for the call. */
typedef void seg_sim_invoke_done_fn(void *ud, const char *request_id, const char *function_error,
                                    const char *payload, const char *log_tail);

struct seg_sim_invoke_result {
    enum seg_sim_invoke_status status;
    char request_id[40];
    const char *throttle_reason; /* "ConcurrentInvocationLimitExceeded",
                                    "ReservedFunctionConcurrentInvocationLimitExceeded", ... */
    int retry_after_s;
};

struct seg_sim_fleet;

enum seg_err seg_sim_fleet_new(const struct seg_sim_fleet_config *cfg,
                               const struct seg_sim_clock *clock, struct seg_sim_logstore *logs,
                               struct seg_sim_fleet **out, struct seg_errmsg *err) SEG_MUST_USE;
/* Stops the timer thread (pending sync callbacks are not called) and frees. */
void seg_sim_fleet_free(struct seg_sim_fleet *f);

size_t seg_sim_fleet_nsites(const struct seg_sim_fleet *f);
const struct seg_site *seg_sim_fleet_site(const struct seg_sim_fleet *f, size_t i);
/* By function name, partial ARN or full ARN (qualifier ignored); NULL when unknown. */
const struct seg_site *seg_sim_fleet_find_function(const struct seg_sim_fleet *f, const char *name);
const struct seg_site *seg_sim_fleet_find_bucket(const struct seg_sim_fleet *f, const char *bucket);

/* Lambda Invoke. For SEG_SIM_SYNC, done is called when the execution ends. */
enum seg_err seg_sim_fleet_invoke(struct seg_sim_fleet *f, const struct seg_sim_invoke *inv,
                                  seg_sim_invoke_done_fn *done, void *done_ud,
                                  struct seg_sim_invoke_result *out) SEG_MUST_USE;

/* An S3 PutObject committed to the site's bucket: after the modelled delivery delay the
 * function runs asynchronously with a real ObjectCreated:Put record (retried twice on
 * failure, as Lambda does for async events). */
void seg_sim_fleet_s3_put(struct seg_sim_fleet *f, const struct seg_site *site, const char *key,
                          size_t size, const char *etag);

/* Account settings for GetAccountSettings. */
int seg_sim_fleet_account_concurrency(const struct seg_sim_fleet *f);

/* --- Additions (simulator tests and tools) --- */

/* Every log event the fleet writes is also passed here (on the caller's or the timer
 * thread, under the fleet's lock: do not call back into the fleet). Set before use. logs
 * passed to seg_sim_fleet_new may be NULL when only the tap is wanted. */
typedef void seg_sim_fleet_log_tap_fn(void *ud, const char *group, const char *stream,
                                      int64_t timestamp_ms, int64_t ingestion_ms,
                                      const char *message);
void seg_sim_fleet_set_log_tap(struct seg_sim_fleet *f, seg_sim_fleet_log_tap_fn *fn, void *ud);
/* seg_sim_fleet_s3_put committed at the simulated instant sim_ms instead of now (a time in
 * the future makes every timestamp reproducible: tests, replayed ladders). */
void seg_sim_fleet_s3_put_at(struct seg_sim_fleet *f, const struct seg_site *site, const char *key,
                             size_t size, const char *etag, int64_t sim_ms);
/* Scheduled work not yet done (async starts, running executions, pending retries). */
size_t seg_sim_fleet_pending(struct seg_sim_fleet *f);

#endif
