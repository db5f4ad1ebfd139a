/* The log events one Lambda attempt writes (aws-wire.md §4), in Text or JSON format: the
 * platform's INIT_START/START/END/REPORT and the pipeline handler's lines. */
#ifndef SEGTOP_CORE_SIM_LOGLINES_H
#define SEGTOP_CORE_SIM_LOGLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum seg_sim_outcome {
    SEG_SIM_OK = 0,
    SEG_SIM_ERROR,   /* handler exception */
    SEG_SIM_TIMEOUT, /* ran into the function timeout */
    SEG_SIM_OOM,     /* Runtime.OutOfMemory */
};

struct seg_sim_attempt_log {
    bool json;
    const char *region;
    const char *function;
    const char *request_id;
    const char *instance_id; /* the log stream name */
    const char *image_name;  /* the object key, decoded */
    int site;
    int64_t event_time_ms; /* S3 eventTime (printed to the second) */
    bool cold;
    int64_t begin_ms; /* INIT_START when cold, else START */
    double init_ms;
    double duration_ms;
    long billed_ms;
    int memory_mb;
    int max_memory_mb;
    enum seg_sim_outcome outcome;
    double app_gap_ms;   /* START -> "Image Name" line */
    double write_gap_ms; /* "Writing to database..." -> END */
    bool evil;
};

struct seg_sim_logev {
    int64_t ts_ms;
    char *msg; /* owned */
};

struct seg_sim_loglist {
    struct seg_sim_logev *ev;
    size_t n, cap;
};

void seg_sim_loglist_release(struct seg_sim_loglist *l);
/* Appends the attempt's events, in time order. */
void seg_sim_loglines_build(const struct seg_sim_attempt_log *a, struct seg_sim_loglist *out);
/* The last max bytes of the attempt's log, as X-Amz-Log-Result carries it. Caller frees. */
char *seg_sim_loglines_tail(const struct seg_sim_loglist *l, size_t max);
/* The Error Type a failed attempt reports, or NULL. */
const char *seg_sim_outcome_error_type(enum seg_sim_outcome o);
/* Sync invoke response payload (and *function_error "Unhandled" or NULL). Caller frees. */
char *seg_sim_loglines_payload(const struct seg_sim_attempt_log *a, const char **function_error);

/* "2025-05-08T23:00:17.123Z" (out >= 32 bytes). */
void seg_sim_fmt_iso_ms(int64_t epoch_ms, char *out, size_t n);
/* "2025-05-08 23:00:17" (out >= 24 bytes). */
void seg_sim_fmt_sec(int64_t epoch_ms, char *out, size_t n);
/* Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" into epoch ms; false when malformed. */
bool seg_sim_parse_iso_ms(const char *s, int64_t *out);

#endif
