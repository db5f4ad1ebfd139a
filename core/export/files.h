/* Export files (DESIGN §8): names, atomic replacement and leftover cleanup.
 *
 * A file is written to a temp file in the target directory named
 * ".segtop-tmp-<pid>-<n>-<final name>", flushed and fsync'ed, then published under its final
 * name and the directory fsync'ed, so a reader sees either no file / the whole old file or
 * the whole new one. New names are published with link(2), which fails instead of
 * overwriting, so a clash moves on to "-2", "-3"... atomically; a fixed --export-file name
 * is replaced with rename(2). */
#ifndef SEGTOP_CORE_EXPORT_FILES_H
#define SEGTOP_CORE_EXPORT_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_EXPORT_TMP_PREFIX ".segtop-tmp-"
#define SEG_EXPORT_STAMP_LEN  20

/* "20250508T230017.123Z" (UTC) */
void seg_export_stamp(int64_t ms, char out[SEG_EXPORT_STAMP_LEN + 1]);

/* Removes temp files that earlier runs left in dir: ours by name, whose process is gone (or
 * that are older than a day). Files of a live process are kept. The count in *removed. */
enum seg_err seg_export_cleanup(const char *dir, size_t *removed) SEG_MUST_USE;

typedef enum seg_err seg_export_write_fn(FILE *f, void *ud);

/* Writes <dir>/<stem>.csv through a temp file. replace: overwrite an existing file (fixed
 * --export-file names); otherwise never overwrite: <stem>-2.csv, <stem>-3.csv, ... The path
 * written in *path (caller frees). */
enum seg_err seg_export_write_atomic(const char *dir, const char *stem, bool replace,
                                     seg_export_write_fn *fn, void *ud, char **path,
                                     struct seg_errmsg *err) SEG_MUST_USE;

#endif
