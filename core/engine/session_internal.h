/* The session object, shared by session.c (setup, target, start and stop) and
 * session_live.c (the dashboard's mailbox, commands, site detail and export worker). */
#ifndef SEGTOP_CORE_ENGINE_SESSION_INTERNAL_H
#define SEGTOP_CORE_ENGINE_SESSION_INTERNAL_H

#include <pthread.h>

#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "engine/preflight.h"
#include "engine/session.h"
#include "journal/journal.h"

/* The simulator's fixed key pair, handed to the signer. */
struct seg_session_static_creds {
    const char *akid, *secret;
};

struct seg_session_sim_clock {
    const struct seg_sim_hooks *hooks;
    const struct seg_sim *sim;
};

/* One export: copies taken on the engine thread, written by the worker. */
struct seg_session_export_job {
    struct seg_snapshot *snap;
    struct seg_inv_table *table;
    int64_t stamp_ms;
    struct seg_session_export_job *next;
};

struct seg_session {
    const struct seg_options *o; /* borrowed for the session's life */
    const struct seg_sim_hooks *hooks;
    bool interactive;
    struct seg_site *sites;
    size_t nsites;
    int ladder[SEG_MAX_LADDER];
    size_t nladder;
    unsigned char *image;
    size_t image_len;
    char target[300];
    const char *region;
    struct seg_preflight_result pf; /* what the pre-flight read (seg_session_start) */

    struct seg_sim *sim;
    struct seg_aws_config awscfg;
    struct seg_creds_provider *provider;
    struct seg_creds_source source;
    struct seg_session_static_creds creds;
    struct seg_session_sim_clock sim_clock;
    struct seg_run *run;
    struct seg_engine *engine;
    struct seg_journal *journal;
    bool journal_reported;
    double next_flush_mono;
    bool started, stopped;

    /* Shared with the engine thread and the export worker: guarded by mu. */
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct seg_snapshot *latest;
    int pipe[2];
    uint64_t message_seq;
    char message[512];
    struct seg_session_export_job *jobs, **jobs_tail;
    bool worker_quit, worker_running;
    pthread_t worker;
};

/* session_live.c: the hooks the run calls on the engine thread, and the worker. */
void seg_session_on_snapshot(void *ud, struct seg_snapshot *snap);
void seg_session_on_message(void *ud, const char *text);
void seg_session_on_tick(void *ud, double mono);
void seg_session_set_message(struct seg_session *s, const char *fmt, ...) SEG_PRINTF(2, 3);
enum seg_err seg_session_live_init(struct seg_session *s, struct seg_errmsg *err) SEG_MUST_USE;
void seg_session_worker_stop(struct seg_session *s);
void seg_session_live_release(struct seg_session *s);

#endif
