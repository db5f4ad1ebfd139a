/* Parsers for Lambda log events, both LogFormat=Text and LogFormat=JSON (aws-wire.md §4.2,
 * §4.3, recipe §4.4) and the pipeline's handler lines (DESIGN §6). The input is untrusted:
 * any bytes give SEG_OK and a record (unknown lines are SEG_LOG_OTHER); input is read by
 * length (embedded NULs are fine) and parsed up to SEG_LOG_MAX_MESSAGE bytes.
 *
 * The text path allocates nothing; the JSON path allocates only inside cJSON. */
#ifndef SEGTOP_CORE_LOGS_PARSE_H
#define SEGTOP_CORE_LOGS_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "logs/record.h"
#include "util/seg.h"

/* Parses one log event's message into *out (overwritten whole). A message starting with
 * '{' (after blanks) is JSON: an object is a platform.* record or an application line
 * (whose "message" may be a handler line); broken or cut JSON is SEG_LOG_OTHER. Anything
 * else is text.
 * Errors: SEG_ERR_INVALID only for out == NULL or msg == NULL with len > 0. */
enum seg_err seg_log_parse(const char *msg, size_t len, struct seg_log_record *out) SEG_MUST_USE;

/* Fast path for the text REPORT line ("REPORT RequestId: ..."), which is most of what is
 * read: no cJSON, no allocation. SEG_ERR_PARSE (and *out untouched) when msg is not a text
 * REPORT line; then call seg_log_parse. Otherwise fills *out exactly as seg_log_parse. */
enum seg_err seg_log_parse_report(const char *msg, size_t len,
                                  struct seg_log_record *out) SEG_MUST_USE;

/* Stable lowercase names, for the journal and exports ("report", "oom", ...). */
const char *seg_log_kind_name(enum seg_log_kind kind);
const char *seg_log_status_name(enum seg_log_status status);
const char *seg_log_level_name(enum seg_log_level level);

/* True for the kinds the errors panel folds (timeout, OOM, runtime exit, exceptions). */
bool seg_log_kind_is_error(enum seg_log_kind kind);
/* A REPORT/INIT_REPORT/runtimeDone whose status is anything but success. */
bool seg_log_record_failed(const struct seg_log_record *r);
/* A REPORT of a cold start: it carries Init Duration or (SnapStart) Restore Duration. */
bool seg_log_record_cold(const struct seg_log_record *r);

#endif
