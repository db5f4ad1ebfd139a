/* One parsed Lambda log event (aws-wire.md §4; DESIGN §6). Held by value with fixed-size
 * fields and no pointers, so parsing millions of lines allocates nothing (the text path)
 * and a record can be copied into a snapshot or a journal as is.
 *
 * Every string field is NUL-terminated, bounded, and already passed through
 * seg_sanitize_for_terminal (valid UTF-8, no controls, no bidi overrides; tab and newline
 * became spaces), truncated on a character boundary. It is still attacker-chosen text:
 * CSV export must still neutralise it. */
#ifndef SEGTOP_CORE_LOGS_RECORD_H
#define SEGTOP_CORE_LOGS_RECORD_H

#include <stdbool.h>
#include <stdint.h>

/* CloudWatch Logs caps one event at 256 KiB: longer input is parsed up to this many bytes. */
#define SEG_LOG_MAX_MESSAGE    ((size_t)256 * 1024)
#define SEG_LOG_REQUEST_ID_MAX 36   /* a UUID; test fixtures use shorter ids */
#define SEG_LOG_IMAGE_NAME_MAX 1024 /* an S3 key is at most 1024 bytes */
#define SEG_LOG_SITE_ID_MAX    64
#define SEG_LOG_ERROR_TYPE_MAX 64
#define SEG_LOG_RUNTIME_MAX    64
#define SEG_LOG_EXCERPT_MAX    240
#define SEG_LOG_LINE_MAX       240

enum seg_log_kind {
    SEG_LOG_OTHER = 0,      /* anything not below; never an error */
    SEG_LOG_INIT_START,     /* a new execution environment: a cold start begins */
    SEG_LOG_START,          /* START / platform.start */
    SEG_LOG_END,            /* END (text only) */
    SEG_LOG_REPORT,         /* REPORT / platform.report */
    SEG_LOG_INIT_REPORT,    /* INIT_REPORT / platform.initReport: init finished or failed */
    SEG_LOG_RESTORE_START,  /* SnapStart: RESTORE_START / platform.restoreStart */
    SEG_LOG_RESTORE_REPORT, /* SnapStart: RESTORE_REPORT / platform.restoreReport */
    SEG_LOG_RUNTIME_DONE,   /* platform.runtimeDone (JSON only) */
    SEG_LOG_TIMEOUT,        /* "Task timed out after N.NN seconds" */
    SEG_LOG_RUNTIME_EXIT,   /* "Runtime exited ..." (not an out-of-memory kill) */
    SEG_LOG_OOM,            /* Runtime.OutOfMemory, or the runtime killed by a signal */
    SEG_LOG_TRACEBACK,      /* a Python "Traceback (most recent call last):" event */
    SEG_LOG_APP_ERROR,      /* an application line at level ERROR/FATAL ([ERROR], \tERROR\t) */
    SEG_LOG_IMAGE_NAME,     /* handler: "Image Name: <key>" */
    SEG_LOG_EVENT_TIME,     /* handler: "Event Time: YYYY-MM-DD HH:MM:SS, Site ID: <site>" */
    SEG_LOG_DB_WRITE,       /* handler: "Writing to database..." */
    SEG_LOG_KIND__COUNT
};

/* REPORT / INIT_REPORT / runtimeDone status. A text REPORT without "Status:" is a
 * success (Lambda writes the field only on failures). */
enum seg_log_status {
    SEG_LOG_STATUS_NONE = 0, /* not a record that carries a status */
    SEG_LOG_STATUS_SUCCESS,
    SEG_LOG_STATUS_ERROR,
    SEG_LOG_STATUS_FAILURE,
    SEG_LOG_STATUS_TIMEOUT,
    SEG_LOG_STATUS_OTHER, /* a value this version does not know */
    SEG_LOG_STATUS__COUNT
};

enum seg_log_level {
    SEG_LOG_LEVEL_NONE = 0,
    SEG_LOG_LEVEL_TRACE,
    SEG_LOG_LEVEL_DEBUG,
    SEG_LOG_LEVEL_INFO,
    SEG_LOG_LEVEL_WARN,
    SEG_LOG_LEVEL_ERROR,
    SEG_LOG_LEVEL_FATAL,
    SEG_LOG_LEVEL__COUNT
};

enum seg_log_phase { SEG_LOG_PHASE_NONE = 0, SEG_LOG_PHASE_INIT, SEG_LOG_PHASE_INVOKE };

enum seg_log_format { SEG_LOG_FORMAT_TEXT = 0, SEG_LOG_FORMAT_JSON };

struct seg_log_record {
    enum seg_log_kind kind;
    enum seg_log_format format;
    enum seg_log_status status;
    enum seg_log_level level;
    enum seg_log_phase phase;

    bool truncated; /* the message was over SEG_LOG_MAX_MESSAGE (or a field over its cap) */
    bool malformed; /* a known field had an unusable value; that field is left unset */

    /* The has_* flags say which values below were present and valid. */
    bool has_time; /* the line's own timestamp (JSON "time"/"timestamp", app-line prefix) */
    bool has_duration, has_billed, has_memory, has_max_memory;
    bool has_init;    /* Init Duration: the invocation was a cold start */
    bool has_restore; /* SnapStart Restore Duration: also a cold start */
    bool has_billed_restore;
    bool has_event_time;
    bool has_timeout;

    int64_t time_ms;    /* epoch milliseconds */
    double duration_ms; /* REPORT Duration; INIT_REPORT and runtimeDone durations too */
    double billed_ms;   /* Billed Duration */
    double init_ms;     /* Init Duration (REPORT), or the INIT_REPORT duration */
    double restore_ms;  /* Restore Duration (REPORT, RESTORE_REPORT) */
    double billed_restore_ms;
    uint32_t memory_mb;     /* Memory Size */
    uint32_t max_memory_mb; /* Max Memory Used */
    double timeout_s;       /* "Task timed out after N.NN seconds" */
    int64_t event_time_ms;  /* handler's Event Time, epoch milliseconds (UTC) */

    char request_id[SEG_LOG_REQUEST_ID_MAX + 1];   /* printable ASCII only, or "" */
    char error_type[SEG_LOG_ERROR_TYPE_MAX + 1];   /* e.g. Runtime.ExitError */
    char runtime_version[SEG_LOG_RUNTIME_MAX + 1]; /* INIT_START: python:3.13.v14 */
    char site_id[SEG_LOG_SITE_ID_MAX + 1];         /* EVENT_TIME */
    char image_name[SEG_LOG_IMAGE_NAME_MAX + 1];   /* IMAGE_NAME: the trigger's object key */
    char excerpt[SEG_LOG_EXCERPT_MAX + 1];         /* error kinds: the start of the message */
    char line[SEG_LOG_LINE_MAX + 1]; /* any kind: the start of the message (site detail) */
};

#endif
