/* Shared by the replay loaders only. */
#ifndef SEGTOP_CORE_REPLAY_REPLAY_INTERNAL_H
#define SEGTOP_CORE_REPLAY_REPLAY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "export/csv.h"
#include "metrics/store.h"
#include "replay/replay.h"
#include "util/errmsg.h"
#include "util/seg.h"

#define REPLAY_MAX_SITE  1000000   /* the store's largest wave */
#define REPLAY_MAX_CELLS 64        /* a row with more cells is not ours */
#define REPLAY_MAX_LINE  (1 << 20) /* a journal line longer than this is corrupt */

/* A file whose START and REPORT times span more than this is refused: a load test spans
 * hours, so such a span means corrupt times (the store would also drop the older ones from
 * its concurrency series). */
#define REPLAY_MAX_SPAN_MS (92LL * 86400 * 1000)

struct replay_ctx {
    struct seg_store *store;
    int64_t span_lo, span_hi; /* START/REPORT times seen, SEG_TIME_NONE before the first */
    const char *name;         /* for messages */
    int wave_base;            /* waves in the store before this file */
    struct seg_replay_info *info;
    struct seg_errmsg *err;
};

/* Sets "<name>:<line>: <message>" and returns rc. */
enum seg_err replay_fail(const struct replay_ctx *c, size_t line, enum seg_err rc, const char *fmt,
                         ...) SEG_PRINTF(4, 5);

/* Strict cell parsers: the whole cell, no blanks. */
bool replay_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
bool replay_parse_double(const char *s, double *out); /* finite */
/* "s3" ... and "ok" ...: false for an unknown name. */
bool replay_trigger_from_name(const char *s, enum seg_trigger *out);
bool replay_status_from_name(const char *s, enum seg_inv_status *out);
/* Widens the span by t (SEG_TIME_NONE is fine); false when it would exceed the cap. */
bool replay_span_ok(struct replay_ctx *c, int64_t t);
/* Lines (LF) in data[from..to). */
size_t replay_count_lines(const char *data, size_t from, size_t to);

/* Reads the data rows of a CSV after its header, skipping blank lines: each call gives the
 * next row of exactly ncols cells (SEG_OK, its line number in *line), SEG_ERR_NOTFOUND at
 * the end, or another error already reported through replay_fail. */
struct replay_rows {
    const char *data;
    size_t len, pos, next_line;
    size_t ncols;
    struct seg_csv_record rec;
};
enum seg_err replay_rows_open(struct replay_ctx *c, struct replay_rows *r, const char *data,
                              size_t len, size_t ncols) SEG_MUST_USE;
enum seg_err replay_rows_next(struct replay_ctx *c, struct replay_rows *r,
                              size_t *line) SEG_MUST_USE;
void replay_rows_close(struct replay_rows *r);

enum seg_err replay_load_journal(struct replay_ctx *c, const char *data, size_t len) SEG_MUST_USE;
enum seg_err replay_load_invocations(struct replay_ctx *c, const char *data,
                                     size_t len) SEG_MUST_USE;
enum seg_err replay_load_logsdata(struct replay_ctx *c, const char *data, size_t len) SEG_MUST_USE;

#endif
