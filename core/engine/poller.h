/* The log harvester (DESIGN §7, aws-wire.md §2.2, §2.5, §2.8, §2.9), within an adaptive
 * budget per API: the shared group in one FilterLogEvents call when there is one, else
 * groups with outstanding invocations first (round-robin among them), idle groups rarely.
 * When one FilterLogEvents call per group would take longer to go round than a Logs
 * Insights query, the wanted groups are read by Insights queries over batches of up to 50
 * instead (300 groups at 4 calls/s: a 75 s sweep against a few seconds). nextToken followed
 * to the end (empty pages with a token are normal); a trailing window re-read for late
 * events ([last complete read - window, now]); de-duplication by eventId and by content
 * (stream, timestamp, message), so an event read by both APIs counts once; ingest lag
 * (ingestionTime - timestamp of REPORTs). Throttles back the budget off; nothing here is
 * fatal. Runs on the engine thread. */
#ifndef SEGTOP_CORE_ENGINE_POLLER_H
#define SEGTOP_CORE_ENGINE_POLLER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/correlate.h"
#include "engine/logclock.h"
#include "http/client.h"

#define SEG_POLLER_CALL_TAG 0x4c4f4753u /* "LOGS" in call ids' high bits */

struct seg_poller_group {
    const char *name; /* borrowed for the poller's life */
    int site;         /* 0: the shared group */
};

struct seg_poller_config {
    const struct seg_poller_group *groups;
    size_t ngroups;
    double max_tps;    /* --log-tps */
    int64_t window_ms; /* trailing re-read window, log clock */
    int idle_every_ms; /* an idle group (nothing outstanding anywhere) is read this often */
    int64_t since;     /* log time the first read of each group starts from */
    bool no_insights;  /* FilterLogEvents only (tests, comparisons) */
};

struct seg_poller_stats {
    uint64_t calls, pages, events, dup_events, throttles, errors;
    uint64_t queries, query_rows, query_truncated; /* Logs Insights */
    double query_ms;                               /* estimate, StartQuery -> Complete */
    double calls_per_s;
    double rate;       /* current budget, calls/s: the lowest of the three APIs' */
    double lag_p95_ms; /* NAN when no REPORT yet */
};

struct seg_poller;

struct seg_poller *seg_poller_new(const struct seg_poller_config *cfg, struct seg_corr *corr,
                                  struct seg_logclock *clock);
void seg_poller_free(struct seg_poller *p);
/* Starts calls the budget allows. outstanding[site] (1..nsites) says which sites have
 * invocations not yet reported. Returns ms until it wants to run again. */
int seg_poller_tick(struct seg_poller *p, struct seg_http_client *c, const bool *outstanding,
                    int nsites);
/* Handles a result of one of its calls (call id tagged SEG_POLLER_CALL_TAG). */
void seg_poller_on_result(struct seg_poller *p, struct seg_http_result *r);
bool seg_poller_owns(const struct seg_http_result *r);
void seg_poller_stats(const struct seg_poller *p, struct seg_poller_stats *out);
/* The choice the poller makes: read n wanted groups by Logs Insights queries rather than one
 * FilterLogEvents call each, at tps calls/s when a query takes query_ms. */
bool seg_poller_prefers_insights(size_t n, double tps, double query_ms);
/* Expected seconds for a sweep of n groups by Insights (the doctor's estimate): starting
 * the queries, one query time, fetching the results. */
double seg_poller_insights_sweep_s(size_t n, double tps, double query_ms);
#define SEG_POLLER_BATCH 50
/* True when every group had a complete read that started after log time t. */
bool seg_poller_read_past(const struct seg_poller *p, int64_t t);

#endif
