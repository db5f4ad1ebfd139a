/* `segtop replay` (DESIGN §4): rebuilds a metrics store, with no network, from
 *  - a session journal (journal/journal.h): every mutation re-applied in order, so the store
 *    and its snapshots equal the live session's; a cut last line (a lost terminal) is skipped;
 *  - segtop's invocations CSV (DESIGN §8): each row becomes the store calls that produce it;
 *  - the original pipeline's logsdata.csv (../shared/seed-data/README.md): rows sharing an id
 *    form one wave.
 * The format is recognised from the first line. Several files go into one store, each
 * file's waves after the previous ones. Errors name the file and line. */
#ifndef SEGTOP_CORE_REPLAY_REPLAY_H
#define SEGTOP_CORE_REPLAY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "journal/journal.h"
#include "metrics/store.h"
#include "util/errmsg.h"
#include "util/seg.h"

/* A replayed file may hold a whole capped journal plus slack. */
struct seg_options;

#define SEG_REPLAY_MAX_BYTES (SEG_JOURNAL_MAX_BYTES + ((uint64_t)1 << 20))

enum seg_replay_format {
    SEG_REPLAY_UNKNOWN = 0,
    SEG_REPLAY_JOURNAL,
    SEG_REPLAY_INVOCATIONS,
    SEG_REPLAY_LOGSDATA,
};

/* "unknown", "journal", "invocations CSV", "logsdata.csv" */
const char *seg_replay_format_name(enum seg_replay_format f);
/* From the first line: a journal header, or one of the two CSV headers. */
enum seg_replay_format seg_replay_detect(const char *data, size_t len);

struct seg_replay_info {
    enum seg_replay_format format;
    size_t records; /* journal records or CSV rows applied */
    int waves;      /* waves added to the store */
    bool truncated; /* journal: a cut last line was skipped */
    bool stopped;   /* journal: it ends with its size-cap stop record */
};

/* Loads the bytes of one file (name is for messages) into store. On error err says
 * "<name>:<line>: what"; the store may hold part of the file. */
enum seg_err seg_replay_load_buffer(struct seg_store *store, const char *name, const char *data,
                                    size_t len, struct seg_replay_info *info,
                                    struct seg_errmsg *err) SEG_MUST_USE;
/* Reads path (at most SEG_REPLAY_MAX_BYTES; SEG_ERR_IO when unreadable) and loads it. */
enum seg_err seg_replay_load_file(struct seg_store *store, const char *path,
                                  struct seg_replay_info *info,
                                  struct seg_errmsg *err) SEG_MUST_USE;

/* The last session's journal: <journal dir>/last. SEG_ERR_NOTFOUND when there is none. */
enum seg_err seg_replay_last_path(char **out, struct seg_errmsg *err) SEG_MUST_USE;

/* The waves CSV of the store (exporters' waves writer) to out; SEG_ERR_IO on a write error. */
enum seg_err seg_replay_write_waves(struct seg_store *store, FILE *out) SEG_MUST_USE;

/* Loads --last (first) and every FILE of o into a new store (replay_cmd.c); NULL, with
 * the reason on errf, when a file is unreadable or malformed. */
struct seg_store *seg_replay_open(const struct seg_options *o, FILE *errf);

/* The command (replay_cmd.c): loads --last (first) and every FILE into one store, writes the waves
 * CSV to out, notes and errors to errf. Without headless it says on errf that the replay dashboard
 * is not built yet. Returns the exit code: 0, 1 (unreadable or malformed input). */
int seg_replay_run(const struct seg_options *o, bool headless, FILE *out, FILE *errf);
/* seg_replay_run on stdout and stderr. */
int seg_replay_main(const struct seg_options *o, bool headless);

#endif
