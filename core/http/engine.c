#include "http/engine.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "util/xalloc.h"

struct cmd {
    struct seg_http_call call;
    seg_engine_cmd_fn *fn; /* a posted command instead of a call; arg follows */
    void *arg;
    struct cmd *next;
};

struct result {
    struct seg_http_result r;
    struct result *next;
};

struct seg_engine {
    struct seg_http_client *client; /* touched by the engine thread only, after start */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t results_cond;
    struct cmd *cmds, **cmds_tail;          /* in: guarded by lock */
    struct result *results, **results_tail; /* out: guarded by lock */
    bool quit;                              /* guarded by lock */
    bool driven;
    struct seg_engine_driver driver;
    /* Results waiting for the driver: engine thread only. They are handed over after
     * seg_http_client_run returns, so the driver may submit from on_result. */
    struct result *local, **local_tail;
};

static void on_done(void *ud, struct seg_http_result *r)
{
    struct seg_engine *e = ud;
    struct result *n = seg_xcalloc(1, sizeof *n);
    n->r = *r;
    if (e->driven) {
        *e->local_tail = n;
        e->local_tail = &n->next;
        return;
    }
    pthread_mutex_lock(&e->lock);
    *e->results_tail = n;
    e->results_tail = &n->next;
    pthread_cond_signal(&e->results_cond);
    pthread_mutex_unlock(&e->lock);
}

static void deliver_local(struct seg_engine *e)
{
    while (e->local) {
        struct result *n = e->local;
        e->local = n->next;
        if (!e->local)
            e->local_tail = &e->local;
        e->driver.on_result(e->driver.ud, e->client, &n->r);
        free(n);
    }
}

static void *engine_main(void *arg)
{
    struct seg_engine *e = arg;
    for (;;) {
        pthread_mutex_lock(&e->lock);
        bool quit = e->quit;
        struct cmd *list = e->cmds;
        e->cmds = NULL;
        e->cmds_tail = &e->cmds;
        pthread_mutex_unlock(&e->lock);
        while (list) {
            struct cmd *next = list->next;
            if (list->fn)
                list->fn(e->driver.ud, e->client, list->arg);
            else
                seg_http_client_submit(e->client, &list->call);
            free(list->arg);
            free(list);
            list = next;
        }
        if (quit)
            break;
        int wait_ms = 1000;
        if (e->driven) {
            deliver_local(e);
            int t = e->driver.tick(e->driver.ud, e->client);
            if (t < wait_ms)
                wait_ms = t < 0 ? 0 : t;
        }
        if (seg_http_client_run(e->client, wait_ms) != SEG_OK) {
            /* curl_multi failed as a whole: nothing sensible to do but pause and retry. */
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (e->driven)
            deliver_local(e);
    }
    if (e->driven && e->driver.finish)
        e->driver.finish(e->driver.ud, e->client);
    return NULL;
}

enum seg_err seg_engine_start(const struct seg_http_client_config *cfg, struct seg_engine **out,
                              struct seg_errmsg *err)
{
    return seg_engine_start_driven(cfg, NULL, out, err);
}

enum seg_err seg_engine_start_driven(const struct seg_http_client_config *cfg,
                                     const struct seg_engine_driver *driver,
                                     struct seg_engine **out, struct seg_errmsg *err)
{
    struct seg_engine *e = seg_xcalloc(1, sizeof *e);
    e->cmds_tail = &e->cmds;
    e->results_tail = &e->results;
    e->local_tail = &e->local;
    if (driver) {
        e->driven = true;
        e->driver = *driver;
    }
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->results_cond, NULL);
    enum seg_err rc = seg_http_client_new(cfg, on_done, e, &e->client, err);
    if (rc)
        goto fail;

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int prc = pthread_create(&e->thread, NULL, engine_main, e);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (prc != 0) {
        seg_errmsg_set(err, "cannot start the engine thread: %s", strerror(prc));
        rc = SEG_ERR_STATE;
        goto fail;
    }
    *out = e;
    return SEG_OK;
fail:
    seg_http_client_free(e->client);
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->results_cond);
    free(e);
    return rc;
}

void seg_engine_submit(struct seg_engine *e, struct seg_http_call *call)
{
    struct cmd *c = seg_xcalloc(1, sizeof *c);
    c->call = *call;
    memset(&call->req, 0, sizeof call->req);
    pthread_mutex_lock(&e->lock);
    *e->cmds_tail = c;
    e->cmds_tail = &c->next;
    pthread_mutex_unlock(&e->lock);
    seg_http_client_wakeup(e->client);
}

void seg_engine_post(struct seg_engine *e, seg_engine_cmd_fn *fn, const void *arg, size_t size)
{
    struct cmd *c = seg_xcalloc(1, sizeof *c);
    c->fn = fn;
    if (size) {
        c->arg = seg_xmalloc(size);
        memcpy(c->arg, arg, size);
    }
    pthread_mutex_lock(&e->lock);
    *e->cmds_tail = c;
    e->cmds_tail = &c->next;
    pthread_mutex_unlock(&e->lock);
    seg_http_client_wakeup(e->client);
}

void seg_engine_wakeup(struct seg_engine *e)
{
    seg_http_client_wakeup(e->client);
}

bool seg_engine_wait_result(struct seg_engine *e, struct seg_http_result *out, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&e->lock);
    while (!e->results) {
        if (pthread_cond_timedwait(&e->results_cond, &e->lock, &deadline) == ETIMEDOUT)
            break;
    }
    struct result *n = e->results;
    if (n) {
        e->results = n->next;
        if (!e->results)
            e->results_tail = &e->results;
    }
    pthread_mutex_unlock(&e->lock);
    if (!n)
        return false;
    *out = n->r;
    free(n);
    return true;
}

void seg_engine_stop(struct seg_engine *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&e->lock);
    e->quit = true;
    pthread_mutex_unlock(&e->lock);
    seg_http_client_wakeup(e->client);
    pthread_join(e->thread, NULL);
    seg_http_client_free(e->client);
    while (e->local) {
        struct result *n = e->local;
        e->local = n->next;
        seg_http_result_release(&n->r);
        free(n);
    }
    while (e->results) {
        struct result *n = e->results;
        e->results = n->next;
        seg_http_result_release(&n->r);
        free(n);
    }
    while (e->cmds) {
        struct cmd *c = e->cmds;
        e->cmds = c->next;
        seg_http_req_release(&c->call.req);
        free(c->arg);
        free(c);
    }
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->results_cond);
    free(e);
}
