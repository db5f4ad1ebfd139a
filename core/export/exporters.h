/* The export kinds of DESIGN §8: invocations, waves, sites and the original pipeline's
 * logsdata layout ("seed"). The writers take immutable data (an invocation table and a
 * snapshot), so they run on the export worker thread. */
#ifndef SEGTOP_CORE_EXPORT_EXPORTERS_H
#define SEGTOP_CORE_EXPORT_EXPORTERS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics/snapshot.h"
#include "metrics/store.h"
#include "util/errmsg.h"
#include "util/seg.h"

enum seg_export_kind {
    SEG_EXPORT_INVOCATIONS = 0,
    SEG_EXPORT_WAVES,
    SEG_EXPORT_SITES,
    SEG_EXPORT_SEED,
    SEG_EXPORT__COUNT
};

/* "invocations", "waves", "sites", "logsdata" */
const char *seg_export_kind_name(enum seg_export_kind k);
/* The exact header line of each kind, without the line end. */
const char *seg_export_header(enum seg_export_kind k);

enum seg_err seg_export_write_invocations(FILE *f, const struct seg_inv_table *t) SEG_MUST_USE;
enum seg_err seg_export_write_waves(FILE *f, const struct seg_snapshot *snap) SEG_MUST_USE;
enum seg_err seg_export_write_sites(FILE *f, const struct seg_snapshot *snap) SEG_MUST_USE;
/* Invocations with a REPORT, sorted by site number, then time (event time, else REPORT
 * time) descending; index 0..n-1. */
enum seg_err seg_export_write_seed(FILE *f, const struct seg_inv_table *t) SEG_MUST_USE;

struct seg_export_request {
    const char *dir;         /* --export-dir ("." when NULL) */
    const char *file_prefix; /* --export-file PATH: PATH-<kind>.csv, replaced each time */
    bool seed;               /* --export-format seed: also logsdata-<stamp>.csv */
    int64_t stamp_ms;        /* names the files (UTC) */
    const struct seg_inv_table *table;
    const struct seg_snapshot *snap;
};

#define SEG_EXPORT_MAX_PATHS SEG_EXPORT__COUNT
struct seg_export_paths {
    size_t n;
    char *paths[SEG_EXPORT_MAX_PATHS]; /* owned */
};

/* Writes invocations, waves, sites (and logsdata when seed), each atomically:
 * <dir>/segtop-<kind>-<YYYYMMDDTHHMMSS.mmmZ>.csv (-2, -3... on a clash) and
 * <dir>/logsdata-<stamp>.csv, or <PATH>-<kind>.csv / <PATH>-logsdata.csv with file_prefix (a
 * trailing ".csv" on PATH is dropped). The paths written are in *out even on failure
 * (release with seg_export_paths_release). */
enum seg_err seg_export_run(const struct seg_export_request *req, struct seg_export_paths *out,
                            struct seg_errmsg *err) SEG_MUST_USE;
void seg_export_paths_release(struct seg_export_paths *p);
/* At start (DESIGN §8): removes the temp files earlier runs left where this run exports
 * (dir, or file_prefix's directory when set). A directory that cannot be read is left for
 * the export to report. Returns how many were removed. */
size_t seg_export_cleanup_at_start(const char *dir, const char *file_prefix);

#endif
