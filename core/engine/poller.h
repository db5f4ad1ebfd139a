/* The log harvester (DESIGN §7, aws-wire.md §2.2, §2.8, §2.9): FilterLogEvents within an
 * adaptive budget; the shared group in one call when there is one, else groups with
 * outstanding invocations first (round-robin among them), idle groups rarely; nextToken
 * followed to the end (empty pages with a token are normal); a trailing window re-read for
 * late events ([last complete read - window, now]); eventId de-duplication; ingest lag
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
};

struct seg_poller_stats {
    uint64_t calls, pages, events, dup_events, throttles, errors;
    double calls_per_s;
    double rate;       /* current budget, calls/s */
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
/* True when every group had a complete read that started after log time t. */
bool seg_poller_read_past(const struct seg_poller *p, int64_t t);

#endif
