/* Log events as CloudWatch Logs returns them: a FilterLogEvents page (aws-wire.md §2.2) or a
 * page of Logs Insights results (§2.5, rows of {field, value}). Both arrive from the network,
 * so both parsers take untrusted bytes, respect a size cap and return errors, never crash.
 * Events are handed to a visitor one at a time; their strings point into the parsed tree
 * and live only for the call. */
#ifndef SEGTOP_CORE_LOGS_EVENTS_H
#define SEGTOP_CORE_LOGS_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "util/seg.h"

/* A FilterLogEvents page is at most 1 MB of events; 10,000 Insights rows of 256 KiB
 * messages could be more, but a response this large is refused rather than parsed. */
#define SEG_LOGS_MAX_PAGE  ((size_t)64 * 1024 * 1024)
#define SEG_LOGS_TOKEN_MAX 4096

struct seg_log_event {
    const char *message; /* NUL-terminated; message_len excludes the NUL */
    size_t message_len;
    int64_t ts;           /* epoch ms */
    int64_t ingest;       /* epoch ms, INT64_MIN (SEG_TIME_NONE) when absent */
    const char *event_id; /* NULL when absent (Insights rows have none) */
    const char *stream;   /* "" when absent */
    const char *group;    /* Insights @log without the "account:" prefix; NULL when absent */
};

typedef void seg_log_event_fn(void *ud, const struct seg_log_event *ev);

/* Visits every well-formed event of a FilterLogEvents response (events without a string
 * message or a numeric timestamp are skipped and counted in *skipped). *next_token gets a
 * heap copy of a non-empty nextToken, else NULL. */
enum seg_err seg_logs_parse_filter_page(const char *body, size_t len, seg_log_event_fn *fn,
                                        void *ud, char **next_token, size_t *skipped) SEG_MUST_USE;

enum seg_query_status {
    SEG_QUERY_UNKNOWN = 0,
    SEG_QUERY_SCHEDULED,
    SEG_QUERY_RUNNING,
    SEG_QUERY_COMPLETE,
    SEG_QUERY_FAILED,
    SEG_QUERY_CANCELLED,
    SEG_QUERY_TIMEOUT,
};

struct seg_query_page {
    enum seg_query_status status;
    size_t rows;      /* rows in this page, visited or not */
    char *next_token; /* heap copy or NULL */
    size_t skipped;   /* rows without @message or a parsable @timestamp */
};

/* Visits the rows of a GetQueryResults response whose fields include @message and
 * @timestamp ("YYYY-MM-DD HH:MM:SS[.mmm]", UTC); @ingestionTime, @logStream and @log are
 * used when present. Rows are visited only when the status is Complete: partial results of
 * a running query are not final and would be read again. */
enum seg_err seg_logs_parse_query_page(const char *body, size_t len, seg_log_event_fn *fn, void *ud,
                                       struct seg_query_page *out) SEG_MUST_USE;

/* The query id of a StartQuery response, copied into out; SEG_ERR_PARSE when absent. */
enum seg_err seg_logs_parse_query_id(const char *body, size_t len, char *out,
                                     size_t size) SEG_MUST_USE;

#endif
