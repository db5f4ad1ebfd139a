/* The poller's state, shared by its three files: poller.c (scheduling, events, coverage),
 * poller_filter.c (FilterLogEvents reads of one group) and poller_insights.c (Logs Insights
 * queries over a batch of groups). Engine thread only. */
#ifndef SEGTOP_CORE_ENGINE_POLLER_INTERNAL_H
#define SEGTOP_CORE_ENGINE_POLLER_INTERNAL_H

#include "engine/budget.h"
#include "engine/dedupe.h"
#include "engine/poller.h"
#include "logs/events.h"

#define LAG_RING 1024
/* SEG_POLLER_BATCH: StartQuery takes up to 50 groups (the operation doc also says 10 data
 * sources; the simulator and the 2026 model accept 50). */
/* Queries running at once: the archived quota (10), well under the 2026 model's 100. */
#define SEG_POLLER_MAX_QUERIES 10
/* Rows a query may return; one that returns this many is read again from its last row. */
#define SEG_POLLER_QUERY_LIMIT 10000

/* Call ids: SEG_POLLER_CALL_TAG in the high 32 bits, the kind in bits 24..31 of the low
 * half and the group or batch index below. */
enum poll_kind { K_FILTER = 1, K_START = 2, K_RESULTS = 3 };

struct group {
    const char *name;
    int site;
    int batch;             /* Insights batch, -1 for the shared group */
    int64_t last_complete; /* log time at which the last complete read started; NONE */
    int64_t query_start;   /* of the FilterLogEvents read in progress */
    int64_t from;          /* its startTime */
    char *token;           /* next page of the read in progress */
    bool in_flight;        /* a FilterLogEvents call, or its batch's query */
    bool want;             /* scratch of one tick: to be read now */
    double next_idle_ms;   /* monotonic: next read while idle */
};

enum qstate { Q_IDLE, Q_STARTING, Q_RUNNING };

struct batch {
    size_t first, n; /* groups[first .. first + n) */
    enum qstate state;
    char query_id[256];
    int64_t query_start;   /* log clock when StartQuery was sent */
    int64_t from;          /* startTime, ms (sent in seconds, floored) */
    int64_t resume_from;   /* NONE, or a truncated query's last row: read again from there */
    int64_t max_ts;        /* of the rows of the query in progress */
    size_t rows;           /* of the query in progress, all pages */
    char *token;           /* next results page */
    bool fetching;         /* a GetQueryResults call in flight */
    double started_mono;   /* when StartQuery was sent */
    double next_poll_mono; /* when to ask for results */
};

struct seg_poller {
    struct seg_poller_config cfg;
    struct group *groups;
    size_t ngroups;
    size_t rr; /* round-robin cursor over groups */
    struct batch *batches;
    size_t nbatches;
    size_t brr; /* round-robin cursor over batches */
    struct seg_corr *corr;
    struct seg_logclock *clock;
    /* One budget per API: each has its own quota (aws-wire.md §2.8). */
    struct seg_budget budget; /* FilterLogEvents */
    struct seg_budget qstart, qresults;
    struct seg_dedupe seen;
    int in_flight;   /* FilterLogEvents calls */
    int queries;     /* batches past Q_IDLE */
    double query_ms; /* moving estimate of StartQuery -> Complete, wall ms */
    uint64_t seq;
    struct seg_poller_stats st;
    double lags[LAG_RING];
    size_t nlags, lag_head;
};

uint64_t seg_poller_call_id(enum poll_kind kind, size_t index);
/* One event read from the group of site (0: shared): de-duplicated, parsed, correlated. */
void seg_poller_ingest(struct seg_poller *p, int site, const struct seg_log_event *ev);
/* A complete read of g that started at log time start. */
void seg_poller_read_done(struct seg_poller *p, struct group *g, int64_t start);
/* The errors the poller backs off on: throttling, and too many running queries. */
bool seg_poller_is_throttle(const struct seg_http_result *r);

void seg_poller_filter_submit(struct seg_poller *p, struct seg_http_client *c, struct group *g);
void seg_poller_filter_result(struct seg_poller *p, struct group *g, struct seg_http_result *r);

/* Asks for the results of running queries and, when start_new, starts queries for batches
 * with wanted groups, within their budgets. Returns ms until it wants to run again. */
int seg_poller_insights_tick(struct seg_poller *p, struct seg_http_client *c, double now,
                             bool start_new);
void seg_poller_insights_result(struct seg_poller *p, enum poll_kind kind, struct batch *b,
                                struct seg_http_result *r);

#endif
