/* The simulator's CloudWatch Logs data: groups, streams and events. The fleet appends events
 * with their (simulated) timestamp and ingestion time; the Logs API reads them, showing an
 * event only once the simulated clock has passed its ingestion time. Thread-safe: writers
 * (fleet) and readers (HTTP handlers) run on different threads. */
#ifndef SEGTOP_CORE_SIM_LOGSTORE_H
#define SEGTOP_CORE_SIM_LOGSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/clock.h"
#include "util/seg.h"

struct seg_sim_logstore;

struct seg_sim_logstore *seg_sim_logstore_new(const struct seg_sim_clock *clock);
void seg_sim_logstore_free(struct seg_sim_logstore *ls);

/* Creates the group if absent (creationTime = now). */
void seg_sim_logstore_create_group(struct seg_sim_logstore *ls, const char *group);
/* Appends one event to group/stream (both created when absent). message is copied as bytes
 * (it may hold any bytes but NUL). Events may arrive out of timestamp order. */
void seg_sim_logstore_put(struct seg_sim_logstore *ls, const char *group, const char *stream,
                          int64_t timestamp_ms, int64_t ingestion_ms, const char *message);

/* ---- read side (the Logs API) ----
 * Everything below takes the store's read lock for the call; callbacks run under it and must
 * not call back into the store. Visibility is the caller's now_ms (simulated): an event is
 * seen only when now_ms >= its ingestion time. */

/* AWS's maximum event size is 256 KiB including 26 bytes of overhead; longer messages are cut. */
#define SEG_SIM_LOG_MESSAGE_MAX ((size_t)256 * 1024 - 26)
/* eventId: 56 decimal digits, like AWS's, plus the NUL. */
#define SEG_SIM_EVENT_ID_SIZE 57

/* A position in a group's merged order: events sort by (timestamp, seq). seq is unique in
 * the store and never 0, so (t, 0) sorts before every event at time t. */
struct seg_sim_log_key {
    int64_t ts;
    uint64_t seq;
};

/* A view of one event, borrowed for the callback only. */
struct seg_sim_log_event {
    const char *stream;
    int64_t timestamp_ms;
    int64_t ingestion_ms;
    uint64_t seq;
    const char *message; /* NUL-terminated at message[message_len] */
    size_t message_len;
};

/* The event's stable id: the same event always gets the same 56 digits. */
void seg_sim_log_event_id(const struct seg_sim_log_event *ev, char out[SEG_SIM_EVENT_ID_SIZE]);

enum seg_sim_scan_verdict {
    SEG_SIM_SCAN_NEXT,        /* consumed; go on */
    SEG_SIM_SCAN_STOP,        /* consumed; stop here */
    SEG_SIM_SCAN_STOP_BEFORE, /* not consumed; stop (a later call resumes with this event) */
};
typedef enum seg_sim_scan_verdict seg_sim_logstore_visit_fn(void *ud,
                                                            const struct seg_sim_log_event *ev);

/* A time-ordered pass over one group's streams (FilterLogEvents, Insights). */
struct seg_sim_logstore_scan {
    const char *group;
    const char *const *streams; /* exact names (unknown ones are skipped), or NULL */
    size_t nstreams;
    const char *stream_prefix;    /* or NULL */
    int64_t start_ms, end_ms;     /* inclusive bounds on the timestamp */
    bool has_after;               /* resume strictly after this key */
    struct seg_sim_log_key after; /* (ignored unless has_after) */
    int64_t now_ms;               /* visibility */
    size_t max_scanned;           /* stop after examining this many visible events; 0: no cap */
    seg_sim_logstore_visit_fn *visit;
    void *ud;
};

struct seg_sim_logstore_scan_result {
    bool more;                   /* stopped early: resume after last */
    struct seg_sim_log_key last; /* the last consumed position (valid when more) */
    size_t scanned;              /* visible events examined */
    uint64_t bytes_scanned;      /* their message bytes */
    size_t streams;              /* streams searched */
};

/* SEG_ERR_NOTFOUND when the group does not exist. */
enum seg_err seg_sim_logstore_scan(struct seg_sim_logstore *ls,
                                   const struct seg_sim_logstore_scan *q,
                                   struct seg_sim_logstore_scan_result *out) SEG_MUST_USE;

/* One stream, forward (ascending, keys > bound) or backward (descending, keys < bound). */
struct seg_sim_logstore_walk {
    const char *group;
    const char *stream;
    int64_t start_ms, end_ms; /* inclusive */
    bool forward;
    bool has_bound;
    struct seg_sim_log_key bound;
    int64_t now_ms;
    seg_sim_logstore_visit_fn *visit;
    void *ud;
};

/* SEG_ERR_NOTFOUND when the group or the stream does not exist (has_group tells which). */
enum seg_err seg_sim_logstore_walk(struct seg_sim_logstore *ls,
                                   const struct seg_sim_logstore_walk *w) SEG_MUST_USE;

bool seg_sim_logstore_has_group(struct seg_sim_logstore *ls, const char *group);

struct seg_sim_loggroup_info {
    char *name;
    int64_t creation_ms;
    uint64_t stored_bytes;
};

/* Groups whose names start with prefix (NULL: any) and contain contains (NULL: any), in ASCII
 * order. The caller frees with seg_sim_loggroup_infos_free. */
void seg_sim_logstore_list_groups(struct seg_sim_logstore *ls, const char *prefix,
                                  const char *contains, struct seg_sim_loggroup_info **out,
                                  size_t *n);
void seg_sim_loggroup_infos_free(struct seg_sim_loggroup_info *infos, size_t n);

struct seg_sim_logstream_info {
    char *name;
    int64_t creation_ms;
    bool has_events; /* visible ones; the three times below are set only then */
    int64_t first_event_ms;
    int64_t last_event_ms;
    int64_t last_ingestion_ms;
    uint64_t stored_bytes;
};

/* A group's streams starting with prefix (NULL: any), in name order, with statistics over the
 * events visible at now_ms. SEG_ERR_NOTFOUND for an unknown group. */
enum seg_err seg_sim_logstore_list_streams(struct seg_sim_logstore *ls, const char *group,
                                           const char *prefix, int64_t now_ms,
                                           struct seg_sim_logstream_info **out,
                                           size_t *n) SEG_MUST_USE;
void seg_sim_logstream_infos_free(struct seg_sim_logstream_info *infos, size_t n);

#endif
