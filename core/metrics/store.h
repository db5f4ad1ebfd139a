/* The metrics store: every invocation of every wave, keyed by (wave, site, attempt), with
 * request ids attached when known, and running aggregates per wave, per site and in total.
 *
 * Threading: the engine thread is the only caller of every function here (the store has no
 * lock). Other threads see the data through immutable snapshots (snapshot.h) and deep-copied
 * invocation tables (seg_inv_table), both made on the engine thread and then handed over.
 *
 * Time: every timestamp is epoch milliseconds (UTC) in the clock of the logs (simulated time
 * on the simulator); SEG_TIME_NONE means unknown. Client-side times (trigger_sent,
 * trigger_accepted) are in the client's clock; seg_store_set_clock_offset() corrects them.
 *
 * Definitions (DESIGN §8): exec = REPORT timestamp - the handler's Event Time (s3 trigger) or
 * trigger_accepted + offset (invoke/event); e2e = REPORT timestamp - (trigger_sent + offset);
 * ingest lag = REPORT ingestionTime - REPORT timestamp.
 *
 * Cost of one attempt with a REPORT = memory_mb / 1024 x billed_ms / 1000 x price_gb_s
 * + price_request. Defaults: AWS Lambda x86 on-demand prices (us-east-1 and us-west-1, 2025):
 * 0.0000166667 USD per GB-second and 0.20 USD per 1M requests. S3 PUTs, CloudWatch Logs and
 * data transfer are not included. */
#ifndef SEGTOP_CORE_METRICS_STORE_H
#define SEGTOP_CORE_METRICS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics/errsig.h"
#include "metrics/strpool.h"
#include "pipeline/trigger.h"
#include "util/seg.h"

#define SEG_TIME_NONE INT64_MIN

#define SEG_PRICE_GB_S_DEFAULT    0.0000166667
#define SEG_PRICE_REQUEST_DEFAULT (0.20 / 1e6)

struct seg_store;
struct seg_snapshot;

struct seg_store_config {
    double price_gb_s;        /* USD per GB-second */
    double price_request;     /* USD per request */
    int default_memory_mb;    /* for cost when a REPORT lacks Memory Size (6200) */
    int concurrency_window_s; /* seconds of concurrency series per snapshot (600) */
    size_t max_error_message; /* longer messages are cut (256 bytes) */
};
void seg_store_config_defaults(struct seg_store_config *c);

/* Everything known about one REPORT, gathered by the engine from the invocation's log lines.
 * Strings are borrowed (copied by the store). */
struct seg_report {
    int64_t ts_ms;              /* REPORT timestamp */
    int64_t ingest_ms;          /* REPORT ingestionTime, or SEG_TIME_NONE */
    int64_t event_time_ms;      /* handler's "Event Time: ..." line (s3), or SEG_TIME_NONE */
    int64_t db_write_ms;        /* "Writing to database..." line, or SEG_TIME_NONE */
    double duration_ms;         /* Duration; NAN when absent */
    double billed_ms;           /* Billed Duration; NAN when absent */
    double init_ms;             /* Init Duration; NAN when absent */
    int32_t memory_mb;          /* Memory Size; -1 when absent */
    int32_t max_memory_mb;      /* Max Memory Used; -1 when absent */
    bool cold;                  /* Init Duration present or an INIT_REPORT seen */
    enum seg_inv_status status; /* SEG_INV_OK, SEG_INV_ERROR or SEG_INV_TIMEOUT */
    const char *error_type;     /* "Error Type:" of the REPORT, or NULL */
    const char *error_message;  /* last error line (e.g. "Task timed out after ..."), or NULL */
};
/* Every time SEG_TIME_NONE, every number NAN / -1, status OK, strings NULL. */
void seg_report_init(struct seg_report *r);

/* One invocation attempt as the invocations export shows it (DESIGN §8). Unknown times are
 * SEG_TIME_NONE, unknown durations NAN, unknown integers -1, cold -1 when no REPORT;
 * strings are NULL when unknown and belong to the table that holds the row. */
struct seg_inv_row {
    int32_t wave, site, attempt;
    const char *function, *trigger, *request_id, *trigger_key;
    int64_t trigger_sent, trigger_accepted, start, end, event_time, db_write;
    int64_t exec_ms, e2e_ms, ingest_lag_ms; /* SEG_TIME_NONE when unknown */
    double duration_ms, billed_ms, init_ms;
    int32_t memory_mb, max_memory_mb;
    int cold;
    enum seg_inv_status status;
    const char *error_type, *error_message;
};

/* A site's last log lines (DESIGN §5 site detail): the newest SEG_STORE_SITE_LINES by
 * timestamp, any record kind, each cut to SEG_STORE_LINE_MAX bytes on a character boundary.
 * 300 sites keep at most 300 x 8 x 240 bytes. */
#define SEG_STORE_SITE_LINES 8
#define SEG_STORE_LINE_MAX   240

struct seg_site_line {
    int64_t ts_ms;
    const char *text; /* untrusted log text: sanitise before drawing */
};

/* A deep copy of invocation rows, immutable and owned by whoever received it (it may cross
 * to the export worker). Rows are in (wave, site, attempt) order. */
struct seg_inv_table {
    size_t n;
    struct seg_inv_row *rows;
    struct seg_strpool strings;
    /* seg_store_site_detail only: the site's last log lines, oldest first. */
    size_t n_lines;
    struct seg_site_line lines[SEG_STORE_SITE_LINES];
};
void seg_inv_table_free(struct seg_inv_table *t);

/* NULL config: defaults. */
struct seg_store *seg_store_new(const struct seg_store_config *config);
void seg_store_free(struct seg_store *s);

/* Site numbers start at 1. Naming a site is optional (the function column is empty
 * otherwise); sites appear in snapshots up to the highest site named or triggered. */
void seg_store_set_site(struct seg_store *s, int site, const char *function);
/* Server clock minus client clock (from HTTP Date headers), applied to client times. */
void seg_store_set_clock_offset(struct seg_store *s, int64_t offset_ms);
/* The engine's current time (log clock); snapshots use it for elapsed times, running
 * executions and the concurrency window. */
void seg_store_set_now(struct seg_store *s, int64_t now_ms);
/* One log line of a site (any kind), kept as given for the site detail; sites outside
 * 1..the highest known are ignored. Not an observed mutation: the journal does not hold it. */
void seg_store_log_line(struct seg_store *s, int site, int64_t ts_ms, const char *text);

/* A new wave of `size` sites (sites 1..size); its number (1, 2, ...) in *wave. */
enum seg_err seg_store_wave_begin(struct seg_store *s, int size, enum seg_trigger trigger,
                                  const char *trigger_key, int64_t now_ms, int *wave) SEG_MUST_USE;

/* Trigger outcomes. trigger_sent creates attempt 1 of (wave, site); SEG_ERR_STATE if it
 * exists, SEG_ERR_INVALID for an unknown wave or a site outside 1..size. request_id (invoke
 * and event triggers) may be NULL. A failed trigger ends the invocation: status throttled
 * (HTTP 429 / SlowDown) or trigger_failed. */
enum seg_err seg_store_trigger_sent(struct seg_store *s, int wave, int site,
                                    int64_t ts_ms) SEG_MUST_USE;
enum seg_err seg_store_trigger_accepted(struct seg_store *s, int wave, int site, int64_t ts_ms,
                                        const char *request_id) SEG_MUST_USE;
enum seg_err seg_store_trigger_failed(struct seg_store *s, int wave, int site, int64_t ts_ms,
                                      bool throttled, const char *message) SEG_MUST_USE;

/* Attaches a request id to the latest attempt of (wave, site) (s3: the START followed by the
 * wave's Image Name). If that attempt already ended under another id, a new attempt is
 * created. SEG_ERR_STATE if the latest attempt is still open under another id. */
enum seg_err seg_store_bind(struct seg_store *s, int wave, int site,
                            const char *request_id) SEG_MUST_USE;
/* START of request_id. If its invocation already has a REPORT this is an async retry: a new
 * attempt with the same request id. SEG_ERR_NOTFOUND for an unknown id (bind it first). */
enum seg_err seg_store_start(struct seg_store *s, const char *request_id,
                             int64_t ts_ms) SEG_MUST_USE;
/* REPORT of request_id. A second REPORT with the same timestamp is a duplicate
 * (SEG_ERR_STATE, nothing changes); with another timestamp it is a retry whose START was
 * not seen (new attempt). A late REPORT after seg_store_declare_missing() replaces
 * "missing". SEG_ERR_NOTFOUND for an unknown id, SEG_ERR_INVALID for a bad status. */
enum seg_err seg_store_report(struct seg_store *s, const char *request_id,
                              const struct seg_report *r) SEG_MUST_USE;
/* No REPORT within the function timeout plus grace: status missing. SEG_ERR_STATE if the
 * latest attempt already has an outcome. */
enum seg_err seg_store_declare_missing(struct seg_store *s, int wave, int site,
                                       int64_t now_ms) SEG_MUST_USE;

/* An optional observer (the session journal): after every successful mutation the store
 * calls the matching member with the call's arguments (strings borrowed for the call only).
 * A failed call (any error result) notifies nothing, so re-applying the notifications in order
 * to a fresh store rebuilds the same state. set_now is reported too (snapshots use it). NULL
 * members are skipped; ops must outlive the attachment; NULL ops detaches. */
struct seg_store_observer {
    void (*wave_begin)(void *ud, int size, enum seg_trigger trigger, const char *trigger_key,
                       int64_t now_ms, int wave);
    void (*set_site)(void *ud, int site, const char *function);
    void (*set_clock_offset)(void *ud, int64_t offset_ms);
    void (*set_now)(void *ud, int64_t now_ms);
    void (*trigger_sent)(void *ud, int wave, int site, int64_t ts_ms);
    void (*trigger_accepted)(void *ud, int wave, int site, int64_t ts_ms, const char *request_id);
    void (*trigger_failed)(void *ud, int wave, int site, int64_t ts_ms, bool throttled,
                           const char *message);
    void (*bind)(void *ud, int wave, int site, const char *request_id);
    void (*start)(void *ud, const char *request_id, int64_t ts_ms);
    void (*report)(void *ud, const char *request_id, const struct seg_report *r);
    void (*declare_missing)(void *ud, int wave, int site, int64_t now_ms);
};
void seg_store_set_observer(struct seg_store *s, const struct seg_store_observer *ops, void *ud);

/* Lookups. */
enum seg_err seg_store_find(const struct seg_store *s, const char *request_id, int *wave, int *site,
                            int *attempt) SEG_MUST_USE;
size_t seg_store_count(const struct seg_store *s); /* attempts stored */
int seg_store_wave_count(const struct seg_store *s);
/* A wave is complete when every site was triggered and each has an outcome (REPORT,
 * failed trigger or declared missing). */
bool seg_store_wave_complete(const struct seg_store *s, int wave);

/* Deep copies for other threads: every row, or one site's rows (site detail). */
struct seg_inv_table *seg_store_table(const struct seg_store *s);
struct seg_inv_table *seg_store_site_detail(const struct seg_store *s, int site);

/* Bytes held by the store (arrays, histograms, strings), for the memory budget. */
size_t seg_store_memory(const struct seg_store *s);

/* Builds an immutable snapshot (snapshot.h); the caller holds one reference. */
struct seg_snapshot *seg_store_snapshot(struct seg_store *s);

#endif
