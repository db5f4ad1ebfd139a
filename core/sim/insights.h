/* The Logs Insights subset the simulator runs (DESIGN §6, aws-wire.md §2.5/§2.11):
 *   fields F [as A], ...
 *   filter EXPR      EXPR: F like /re/ | F like "sub" | F =~ /re/ | A op B (op = != < <= > >=),
 *                    joined with and / or / not and parentheses; A, B fields, strings, numbers
 *   parse F "glob*glob" as a, b   (glob-style: one name per *)
 *   sort F [asc|desc], ...
 *   limit N          (1..10000)
 *   stats AGG [as A], ... [by F | bin(Nms|s|m|h|d), ...]
 *                    AGG: count(*) count(F) avg(F) sum(F) min(F) max(F) pct(F, N)
 * System fields: @timestamp @message @logStream @log @ingestionTime @ptr; for Lambda REPORT
 * lines the discovered @type ("REPORT"), @requestId, @duration, @billedDuration, @memorySize
 * and @maxMemoryUsed (bytes, as AWS reports them) and @initDuration. Regexes are POSIX ERE
 * (\d and \D are translated), at most SEG_SIM_INSIGHTS_MAX_REGEX bytes. Anything else fails to
 * compile, which the API answers with MalformedQueryException. */
#ifndef SEGTOP_CORE_SIM_INSIGHTS_H
#define SEGTOP_CORE_SIM_INSIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/logstore.h"
#include "util/seg.h"

#define SEG_SIM_INSIGHTS_MAX_QUERY   10000 /* the model's queryString cap */
#define SEG_SIM_INSIGHTS_MAX_REGEX   256
#define SEG_SIM_INSIGHTS_MAX_LIMIT   10000
#define SEG_SIM_INSIGHTS_MAX_RECORDS 1000000 /* records held for sort/stats per query */

/* Where and why a query failed to compile (AWS's queryCompileError). */
struct seg_sim_insights_error {
    size_t start; /* character offsets into the query */
    size_t end;
    char message[256];
};

struct seg_sim_insights_query;

enum seg_err seg_sim_insights_compile(const char *query, size_t len,
                                      struct seg_sim_insights_query **out,
                                      struct seg_sim_insights_error *err) SEG_MUST_USE;
void seg_sim_insights_free(struct seg_sim_insights_query *q);

/* One result cell and row, as GetQueryResults returns them. */
struct seg_sim_insights_field {
    char *field;
    char *value;
};

struct seg_sim_insights_row {
    struct seg_sim_insights_field *fields;
    size_t n;
};

struct seg_sim_insights_result {
    struct seg_sim_insights_row *rows;
    size_t nrows;
    double records_matched;
    double records_scanned;
    double bytes_scanned;
};

void seg_sim_insights_result_release(struct seg_sim_insights_result *r);

/* Running a compiled query: feed every candidate event, then finish. */
struct seg_sim_insights_run;

/* limit: the request's limit (0: 10000); the query's own limit applies as well. */
struct seg_sim_insights_run *seg_sim_insights_run_new(const struct seg_sim_insights_query *q,
                                                      size_t limit);
/* log is the @log value of the event's group ("<account>:<group>"); copied. */
void seg_sim_insights_run_feed(struct seg_sim_insights_run *run, const char *log,
                               const struct seg_sim_log_event *ev);
/* Runs the blocking stages (sort, stats, limit) and hands the rows over; frees run. */
void seg_sim_insights_run_finish(struct seg_sim_insights_run *run,
                                 struct seg_sim_insights_result *out);

#endif
