/* The dashboard's side of a session (DESIGN §7): the snapshot mailbox the engine thread
 * fills, commands by value into the engine's queue, site details fetched on the engine
 * thread, and the export worker that writes files from copies the engine thread took. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <unistd.h>

#include "engine/session_internal.h"
#include "export/exporters.h"
#include "util/xalloc.h"

void seg_session_set_message(struct seg_session *s, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&s->mu);
    va_start(ap, fmt);
    vsnprintf(s->message, sizeof s->message, fmt, ap);
    va_end(ap);
    s->message_seq++;
    pthread_mutex_unlock(&s->mu);
}

/* ---- engine thread ---- */

void seg_session_on_snapshot(void *ud, struct seg_snapshot *snap)
{
    struct seg_session *s = ud;
    struct seg_snapshot *mine = seg_snapshot_acquire(snap);
    pthread_mutex_lock(&s->mu);
    struct seg_snapshot *old = s->latest;
    s->latest = mine;
    pthread_mutex_unlock(&s->mu);
    seg_snapshot_release(old); /* outside the lock: the last release frees */
    char c = 1;
    ssize_t n = write(s->pipe[1], &c, 1); /* a full pipe already means "wake up" */
    (void)n;
}

void seg_session_on_message(void *ud, const char *text)
{
    seg_session_set_message(ud, "%s", text);
}

void seg_session_on_tick(void *ud, double mono)
{
    struct seg_session *s = ud;
    if (!s->journal || mono < s->next_flush_mono)
        return;
    s->next_flush_mono = mono + 1000;
    if (seg_journal_flush(s->journal) != SEG_OK && !s->journal_reported) {
        const char *why = seg_journal_problem(s->journal);
        seg_session_set_message(s, "journal: %s", why ? why : "write failed");
        s->journal_reported = true;
    }
}

/* ---- the export worker ---- */

static void *worker_main(void *arg)
{
    struct seg_session *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->jobs && !s->worker_quit)
            pthread_cond_wait(&s->cond, &s->mu);
        struct seg_session_export_job *j = s->jobs;
        if (!j)
            break; /* quit, and every job asked for is written */
        s->jobs = j->next;
        if (!s->jobs)
            s->jobs_tail = &s->jobs;
        pthread_mutex_unlock(&s->mu);

        struct seg_export_request req = {.dir = s->o->export_dir,
                                         .file_prefix = s->o->export_file,
                                         .seed = s->o->export_format == SEG_EXPORT_FORMAT_SEED,
                                         .stamp_ms = j->stamp_ms,
                                         .table = j->table,
                                         .snap = j->snap};
        struct seg_export_paths paths = {0};
        struct seg_errmsg err = {{0}};
        enum seg_err rc = seg_export_run(&req, &paths, &err);
        char msg[512];
        size_t len = (size_t)snprintf(msg, sizeof msg, "%s", rc == SEG_OK ? "exported" : "export");
        for (size_t i = 0; i < paths.n && len < sizeof msg; i++)
            len += (size_t)snprintf(msg + len, sizeof msg - len, " %s", paths.paths[i]);
        if (rc != SEG_OK && len < sizeof msg)
            snprintf(msg + len, sizeof msg - len, " failed: %.200s", err.text);
        seg_session_set_message(s, "%s", msg);
        seg_export_paths_release(&paths);
        seg_inv_table_free(j->table);
        seg_snapshot_release(j->snap);
        free(j);
        pthread_mutex_lock(&s->mu);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

enum seg_err seg_session_live_init(struct seg_session *s, struct seg_errmsg *err)
{
    if (pipe(s->pipe) != 0) {
        seg_errmsg_set(err, "pipe: %s", strerror(errno));
        s->pipe[0] = s->pipe[1] = -1;
        return SEG_ERR_IO;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(s->pipe[i], F_SETFL, fcntl(s->pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(s->pipe[i], F_SETFD, FD_CLOEXEC);
    }
    if (pthread_create(&s->worker, NULL, worker_main, s) != 0) {
        seg_errmsg_set(err, "cannot start the export worker");
        return SEG_ERR_STATE;
    }
    s->worker_running = true;
    return SEG_OK;
}

void seg_session_worker_stop(struct seg_session *s)
{
    if (!s->worker_running)
        return;
    pthread_mutex_lock(&s->mu);
    s->worker_quit = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->worker, NULL);
    s->worker_running = false;
}

void seg_session_live_release(struct seg_session *s)
{
    while (s->jobs) { /* only when the worker never ran */
        struct seg_session_export_job *j = s->jobs;
        s->jobs = j->next;
        seg_inv_table_free(j->table);
        seg_snapshot_release(j->snap);
        free(j);
    }
    seg_snapshot_release(s->latest);
    s->latest = NULL;
    for (int i = 0; i < 2; i++)
        if (s->pipe[i] >= 0)
            close(s->pipe[i]);
}

/* ---- the UI thread ---- */

struct seg_snapshot *seg_session_latest(struct seg_session *s)
{
    pthread_mutex_lock(&s->mu);
    struct seg_snapshot *snap = s->latest ? seg_snapshot_acquire(s->latest) : NULL;
    pthread_mutex_unlock(&s->mu);
    return snap;
}

int seg_session_wait_fd(const struct seg_session *s)
{
    return s->pipe[0];
}

/* Engine thread: the copies an export needs, then off to the worker. */
static void cmd_export(void *ud, struct seg_http_client *c, void *arg)
{
    (void)c;
    struct seg_session *s = *(struct seg_session **)arg;
    struct seg_store *store = seg_run_store(ud);
    struct seg_session_export_job *j = seg_xcalloc(1, sizeof *j);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    j->stamp_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    j->snap = seg_store_snapshot(store);
    j->table = seg_store_table(store);
    pthread_mutex_lock(&s->mu);
    *s->jobs_tail = j;
    s->jobs_tail = &j->next;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

void seg_session_command(struct seg_session *s, enum seg_session_cmd cmd, int arg)
{
    struct seg_engine *e = s->engine;
    if (!e)
        return;
    switch (cmd) {
    case SEG_SESSION_NEXT:
        seg_run_request_next(e);
        break;
    case SEG_SESSION_STEP:
        seg_run_request_step(e, arg);
        break;
    case SEG_SESSION_MOVE:
        seg_run_request_move(e, arg);
        break;
    case SEG_SESSION_REST:
        seg_run_request_rest(e);
        break;
    case SEG_SESSION_HALT:
        seg_run_request_halt(e);
        break;
    case SEG_SESSION_EXPORT:
        if (s->worker_running)
            seg_engine_post(e, cmd_export, &s, sizeof s);
        break;
    case SEG_SESSION_QUIT:
        /* seg_session_stop follows: it lets queued commands run, then stops. */
        break;
    }
}

/* A site-detail request: shared by the UI thread (which may give up waiting) and the engine
 * thread; whoever drops the last reference frees it. Guarded by the session's mu. */
struct detail_req {
    struct seg_session *s;
    int site, refs;
    bool done;
    struct seg_inv_table *table;
};

static void detail_unref(struct detail_req *q)
{
    /* called with s->mu held */
    if (--q->refs == 0) {
        seg_inv_table_free(q->table);
        free(q);
    }
}

static void cmd_detail(void *ud, struct seg_http_client *c, void *arg)
{
    (void)c;
    struct detail_req *q = *(struct detail_req **)arg;
    struct seg_inv_table *t = seg_store_site_detail(seg_run_store(ud), q->site);
    struct seg_session *s = q->s;
    pthread_mutex_lock(&s->mu);
    q->table = t;
    q->done = true;
    pthread_cond_broadcast(&s->cond);
    detail_unref(q);
    pthread_mutex_unlock(&s->mu);
}

struct seg_inv_table *seg_session_site_detail(struct seg_session *s, int site, int timeout_ms)
{
    if (!s->engine)
        return NULL;
    struct detail_req *q = seg_xcalloc(1, sizeof *q);
    *q = (struct detail_req){.s = s, .site = site, .refs = 2};
    seg_engine_post(s->engine, cmd_detail, &q, sizeof q);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    struct seg_inv_table *t = NULL;
    pthread_mutex_lock(&s->mu);
    while (!q->done)
        if (pthread_cond_timedwait(&s->cond, &s->mu, &until) == ETIMEDOUT)
            break;
    if (q->done) {
        t = q->table;
        q->table = NULL;
    }
    detail_unref(q);
    pthread_mutex_unlock(&s->mu);
    return t;
}

void seg_session_status(struct seg_session *s, struct seg_session_status *out)
{
    memset(out, 0, sizeof *out);
    if (s->run)
        seg_run_get_status(s->run, &out->run);
    pthread_mutex_lock(&s->mu);
    out->message_seq = s->message_seq;
    memcpy(out->message, s->message, sizeof out->message);
    pthread_mutex_unlock(&s->mu);
}
