/* One live session (DESIGN §3, §7): the target (in-process simulator, custom endpoint or
 * AWS), the sites, the run on the engine thread, the journal and, for the dashboard, the
 * snapshot mailbox, the command path and the export worker. Headless and the dashboard both
 * build their session here; neither knows curses (tui/live.c adapts it to seg_tui_ops).
 *
 * Threads: the caller's thread (the UI thread in the dashboard) calls everything here. The
 * engine thread publishes snapshots into a mutex-guarded mailbox and writes one byte to a
 * pipe per snapshot; the export worker writes files from copies taken on the engine thread. */
#ifndef SEGTOP_CORE_ENGINE_SESSION_H
#define SEGTOP_CORE_ENGINE_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/options.h"
#include "engine/headless.h"
#include "engine/run.h"
#include "metrics/snapshot.h"
#include "metrics/store.h"
#include "util/errmsg.h"
#include "util/seg.h"

struct seg_session;

/* Builds the sites, the ladder (steps above the site count dropped with a warning on stderr)
 * and the image; starts nothing. With --discover the sites and the ladder wait for
 * seg_session_start. interactive: the dashboard (the ladder waits for keys).
 * SEG_ERR_INVALID is a usage or configuration error (exit 2). */
enum seg_err seg_session_new(const struct seg_options *o, const struct seg_sim_hooks *hooks,
                             bool interactive, struct seg_session **out,
                             struct seg_errmsg *err) SEG_MUST_USE;

/* --aws: what the session will do and its estimated cost, one line (no line end). */
void seg_session_plan(const struct seg_session *s, char *buf, size_t size);

/* Starts the target, runs the pre-flight (engine/preflight.h: --discover, every function's
 * timeout and memory, the account's concurrency limit; its progress and warnings on stderr
 * when headless, in the status message when interactive), then the journal (a failure is
 * noted in the status message, never fatal), the engine and, when interactive, the export
 * worker. SIGINT, SIGTERM and SIGWINCH are
 * blocked while the threads are created, so only the caller's thread receives them.
 * SEG_ERR_INVALID: configuration (exit 2); anything else: runtime (exit 1). */
enum seg_err seg_session_start(struct seg_session *s, struct seg_errmsg *err) SEG_MUST_USE;

/* Stops the engine (commands already posted run first), finishes the exports already asked
 * for, closes the journal and stops the simulator. Idempotent. */
void seg_session_stop(struct seg_session *s);
void seg_session_free(struct seg_session *s);

struct seg_run *seg_session_run(struct seg_session *s);
struct seg_engine *seg_session_engine(struct seg_session *s);
/* The store: only after seg_session_stop (the engine thread, its writer, is gone). */
struct seg_store *seg_session_store(struct seg_session *s);

/* Header labels: "sim:127.0.0.1:PORT", "endpoint:URL" or "aws"; the region. */
const char *seg_session_target(const struct seg_session *s);
const char *seg_session_region(const struct seg_session *s);
const int *seg_session_ladder(const struct seg_session *s, size_t *n);
size_t seg_session_nsites(const struct seg_session *s);
const char *seg_session_trigger(const struct seg_session *s);
/* AccountLimit.ConcurrentExecutions from the pre-flight; 0 when unknown. */
int seg_session_account_concurrency(const struct seg_session *s);

/* ---- the dashboard side (interactive sessions) ---- */

/* The newest snapshot, acquired (release it), or NULL before the first. */
struct seg_snapshot *seg_session_latest(struct seg_session *s);
/* Readable when a snapshot was published (one byte each; non-blocking). */
int seg_session_wait_fd(const struct seg_session *s);

enum seg_session_cmd {
    SEG_SESSION_NEXT = 0, /* next ladder step */
    SEG_SESSION_STEP,     /* ladder step arg (1-based) */
    SEG_SESSION_MOVE,     /* move the next-step pointer by arg */
    SEG_SESSION_REST,     /* run the rest of the ladder */
    SEG_SESSION_HALT,     /* stop triggering */
    SEG_SESSION_EXPORT,   /* copies on the engine thread, files on the export worker */
    SEG_SESSION_QUIT,     /* nothing more will come; seg_session_stop follows */
};
/* Queues a command for the engine thread; never blocks. */
void seg_session_command(struct seg_session *s, enum seg_session_cmd cmd, int arg);

/* One site's invocations, deep-copied on the engine thread; waits at most timeout_ms
 * (NULL on timeout). */
struct seg_inv_table *seg_session_site_detail(struct seg_session *s, int site, int timeout_ms);

struct seg_session_status {
    struct seg_run_status run;
    uint64_t message_seq; /* changes with message */
    char message[512];    /* export paths, journal problems, wave notes */
};
void seg_session_status(struct seg_session *s, struct seg_session_status *out);

#endif
