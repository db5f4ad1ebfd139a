/* Correlation of log events with invocations (DESIGN §7). Input: parsed log events in any
 * order (events interleave across streams, pages may be reordered); output: store calls
 * (bind, start, report) in each request id's own time order.
 *
 * - A line without a request id (the handler's text lines) belongs to the START of the
 *   same log stream with the greatest timestamp not after it (one execution environment
 *   runs one invocation at a time); until that START arrives the line waits in its stream.
 * - s3 trigger: the request id is bound to (wave, site) by its `Image Name:` line (the key
 *   names the wave) and the site of its log group, or `Site ID:` with a shared group.
 *   invoke/event: the id comes from the Invoke response (seg_corr_known).
 * - A REPORT goes to the store once its attempt's `Event Time` line was seen, or once the
 *   group has been read completely past the REPORT's time plus the re-read window (the
 *   line may never come, e.g. a crash before the handler ran).
 * - invoke/event: the upload before each Invoke also fires the function when the bucket
 *   notifies it (as on AWS). Once the wave's Invoke for (wave, site) has its answer
 *   (seg_corr_trigger_resolved), a request id of that wave's object at that site that the
 *   answer did not name was started by the notification: an extra run, reported through
 *   on_extra and never sent to the store (it is not the wave's invocation).
 * - Async retries are further START/REPORT pairs of the same request id.
 * - Start times: a cold attempt starts at its INIT_START (or START - Init Duration), as the
 *   execution environment does; a warm one at START.
 * Pure (no I/O, no clock): the poller feeds it, the engine thread owns it. */
#ifndef SEGTOP_CORE_ENGINE_CORRELATE_H
#define SEGTOP_CORE_ENGINE_CORRELATE_H

#include <stdbool.h>
#include <stdint.h>

#include "logs/record.h"
#include "metrics/store.h"
#include "pipeline/trigger.h"

struct seg_corr;

/* Outcomes, for the engine's completion and retry bookkeeping. */
struct seg_corr_hooks {
    void *ud;
    void (*on_start)(void *ud, int wave, int site, int64_t ts_ms);
    /* A REPORT went into the store; ingest_ms: its ingestionTime (SEG_TIME_NONE unknown). */
    void (*on_report)(void *ud, int wave, int site, enum seg_inv_status st, int64_t ts_ms,
                      int64_t ingest_ms);
    /* invoke/event: runs of (wave, site) the bucket's notification started: new_runs more
     * were seen (a START or a REPORT each); running_since: the START of one still running,
     * or SEG_TIME_NONE. */
    void (*on_extra)(void *ud, int wave, int site, int new_runs, int64_t running_since);
};

struct seg_corr *seg_corr_new(struct seg_store *store, enum seg_trigger trigger,
                              const struct seg_corr_hooks *hooks);
void seg_corr_free(struct seg_corr *c);

/* The object key of a wave (s3 binding). */
void seg_corr_add_wave(struct seg_corr *c, int wave, const char *key);
/* invoke/event: request_id is (wave, site) (already bound in the store). */
void seg_corr_known(struct seg_corr *c, const char *request_id, int wave, int site);
/* invoke/event: the wave's Invoke for (wave, site) has its answer (after seg_corr_known
 * when it named a request id): other runs of the wave's object there are extra runs. */
void seg_corr_trigger_resolved(struct seg_corr *c, int wave, int site);

/* One log event. gsite: the site whose log group it came from, 0 for a shared group.
 * ingest_ms: its ingestionTime (SEG_TIME_NONE when unknown). */
void seg_corr_event(struct seg_corr *c, int gsite, const char *stream, int64_t ts_ms,
                    int64_t ingest_ms, const struct seg_log_record *rec);
/* Everything of the group of gsite with a timestamp up to covered_ms has been read. */
void seg_corr_covered(struct seg_corr *c, int gsite, int64_t covered_ms);
/* Retries held work (binds refused while an earlier attempt was open, REPORTs waiting). */
void seg_corr_flush(struct seg_corr *c);

struct seg_corr_stats {
    uint64_t events, reports_emitted, held_reports, unbound_ids, orphan_lines;
    uint64_t extra_ids; /* request ids recognised as the bucket notification's runs */
};
void seg_corr_stats(const struct seg_corr *c, struct seg_corr_stats *out);

#endif
