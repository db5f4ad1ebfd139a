/* The session journal (DESIGN §7): every mutation of the metrics store, one line each, so a
 * lost terminal loses nothing and `segtop replay --last` rebuilds the same store.
 *
 * Files: $XDG_STATE_HOME/segtop/journal-<YYYYMMDDTHHMMSSZ>-<pid>.jsonl (default
 * ~/.local/state/segtop/; directory 0700, file 0600), and a symlink `last` in the same
 * directory naming the newest session's file (replaced atomically at open).
 *
 * Format (version 1): JSON lines, UTF-8, one object per line, fields in a fixed order.
 *   line 1: {"segtop_journal":1,"segtop":"<version>","created":"<ISO time>","pid":N}
 *   then one record per successful store mutation, in the order they happened:
 *   {"op":"wave","wave":W,"size":N,"trigger":"s3|invoke|event","key":S,"now":T}
 *   {"op":"site","site":N,"function":S}
 *   {"op":"offset","ms":N}                      seg_store_set_clock_offset
 *   {"op":"now","ms":T}                         latest seg_store_set_now, written at flushes
 *   {"op":"sent","wave":W,"site":N,"ts":T}
 *   {"op":"accepted","wave":W,"site":N,"ts":T,"rid":S}
 *   {"op":"failed","wave":W,"site":N,"ts":T,"throttled":B,"msg":S}
 *   {"op":"bind","wave":W,"site":N,"rid":S}
 *   {"op":"start","rid":S,"ts":T}
 *   {"op":"report","rid":S,"ts":T,"ingest":T,"event":T,"db":T,"duration":D,"billed":D,
 *    "init":D,"memory":N,"max_memory":N,"cold":B,"status":"ok|error|timeout",
 *    "error_type":S,"error_message":S}
 *   {"op":"missing","wave":W,"site":N,"now":T}
 *   {"op":"stop","reason":S}                    last line when the size cap stopped the journal
 * T: epoch ms (UTC) or null when unknown; D: a number or null (NAN); S: a string or null.
 * Invalid UTF-8 in a string is written as U+FFFD. Readers skip unknown fields; a new op or a
 * changed meaning bumps the version. Only store data is written: no credentials, headers or
 * request signatures ever reach the store, and text that looks like a presigned-URL
 * signature or session token is masked on the way in (defence in depth).
 *
 * Durability: lines are buffered and written out at least once a second while mutations
 * arrive, whenever a wave completes, and at seg_journal_flush() (the engine calls it on its
 * tick, so an idle session is flushed too); seg_journal_close() fsyncs. A crash loses at most
 * the last second; replay tolerates a cut last line.
 *
 * Bounded: past SEG_JOURNAL_MAX_BYTES (1 GiB) the journal writes a "stop" record and stops;
 * the session goes on and seg_journal_problem() says why.
 *
 * Threading: the engine thread only (the store's observer runs on the store's thread). */
#ifndef SEGTOP_CORE_JOURNAL_JOURNAL_H
#define SEGTOP_CORE_JOURNAL_JOURNAL_H

#include <stdint.h>

#include "metrics/store.h"
#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_JOURNAL_VERSION   1
#define SEG_JOURNAL_MAX_BYTES ((uint64_t)1 << 30)
#define SEG_JOURNAL_LAST      "last"

struct seg_journal;

/* The journal directory: $XDG_STATE_HOME/segtop when XDG_STATE_HOME is an absolute path,
 * else $HOME/.local/state/segtop. Caller frees. SEG_ERR_INVALID when neither is set. */
enum seg_err seg_journal_default_dir(char **out, struct seg_errmsg *err) SEG_MUST_USE;

/* Creates the directory (mode 0700, parents too) and a new journal file in dir (NULL: the
 * default directory), writes the header line and points `last` at it. */
enum seg_err seg_journal_open(const char *dir, struct seg_journal **out,
                              struct seg_errmsg *err) SEG_MUST_USE;
/* The file's path (owned by the journal). */
const char *seg_journal_path(const struct seg_journal *j);
/* Lowers the size cap (tests); 0 restores the default. */
void seg_journal_set_max_bytes(struct seg_journal *j, uint64_t max_bytes);

/* Journals every later mutation of store (sets the store's observer; NULL detaches). One
 * store per journal. */
void seg_journal_attach(struct seg_journal *j, struct seg_store *store);

/* Writes buffered lines to the file (no fsync). Once the journal has stopped (size cap or a
 * write error) every call returns that error: SEG_ERR_TOOBIG or SEG_ERR_IO. */
enum seg_err seg_journal_flush(struct seg_journal *j) SEG_MUST_USE;
/* NULL while the journal works, else a one-line message for the user. */
const char *seg_journal_problem(const struct seg_journal *j);

/* Detaches from the store, flushes, fsyncs and closes; NULL is allowed. Call it before
 * freeing the attached store. Returns the first error seen (the journal is freed anyway). */
enum seg_err seg_journal_close(struct seg_journal *j) SEG_MUST_USE;

#endif
