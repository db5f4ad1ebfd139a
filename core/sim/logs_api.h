/* The simulator's CloudWatch Logs API (awsJson1_1, aws-wire.md §2): DescribeLogGroups,
 * DescribeLogStreams, GetLogEvents, FilterLogEvents and Logs Insights StartQuery /
 * GetQueryResults / StopQuery over a struct seg_sim_logstore, with AWS's field names, limits,
 * paging tokens and errors, per-API rate limits (wall-clock token buckets, §2.8) and the
 * --sim-faults that concern Logs (throttle:logs, duplicate-events, reorder).
 *
 * The top-level simulator routes requests whose X-Amz-Target starts with Logs_20140328 here
 * after SigV4 checks. Thread-safe: any number of handler threads may call it. */
#ifndef SEGTOP_CORE_SIM_LOGS_API_H
#define SEGTOP_CORE_SIM_LOGS_API_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "sim/clock.h"
#include "sim/faults.h"
#include "sim/httpd.h"
#include "sim/logstore.h"
#include "util/seg.h"

/* Calls per second per API for the whole account. 0: AWS's quota (FilterLogEvents 5,
 * GetLogEvents 10, DescribeLogGroups 5, DescribeLogStreams 25; StartQuery, GetQueryResults
 * and StopQuery 5, an assumption: §2.8 lists no TPS for them). Negative: unlimited. */
struct seg_sim_logs_tps {
    double filter_log_events;
    double get_log_events;
    double describe_log_groups;
    double describe_log_streams;
    double start_query;
    double get_query_results;
    double stop_query;
};

struct seg_sim_logs_config {
    const struct seg_sim_clock *clock;   /* required; borrowed */
    struct seg_sim_logstore *store;      /* required; borrowed */
    const char *region;                  /* default "us-west-1"; copied */
    const char *account_id;              /* default "123456789012"; copied */
    const struct seg_sim_faults *faults; /* NULL: none; borrowed */
    struct seg_sim_logs_tps tps;
    uint64_t seed; /* fault draws and modelled query runtimes */
    /* FilterLogEvents examines at most this many events per call and then answers with a
     * partial (possibly empty) page and a nextToken, as AWS may. 0: 100000. */
    size_t filter_scan_budget;
    /* Modelled Insights runtime in simulated ms, drawn uniformly. 0/0: 1000..3000. */
    int64_t query_min_ms, query_max_ms;
    int max_concurrent_queries; /* 0: 100 (LimitExceededException beyond) */
};

struct seg_sim_logs;

/* SEG_ERR_INVALID without clock or store. */
enum seg_err seg_sim_logs_new(const struct seg_sim_logs_config *cfg,
                              struct seg_sim_logs **out) SEG_MUST_USE;
void seg_sim_logs_free(struct seg_sim_logs *api);

/* Answers one Logs request (X-Amz-Target Logs_20140328.<Op>). */
void seg_sim_logs_handle(struct seg_sim_logs *api, const struct seg_http_req *req,
                         struct seg_httpd_response *resp);
/* The same as a seg_httpd_handler_fn (ud: the struct seg_sim_logs). */
void seg_sim_logs_handler(void *ud, const struct seg_http_req *req,
                          struct seg_httpd_response *resp);

#endif
