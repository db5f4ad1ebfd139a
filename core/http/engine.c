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
};

static void on_done(void *ud, struct seg_http_result *r)
{
    struct seg_engine *e = ud;
    struct result *n = seg_xcalloc(1, sizeof *n);
    n->r = *r;
    pthread_mutex_lock(&e->lock);
    *e->results_tail = n;
    e->results_tail = &n->next;
    pthread_cond_signal(&e->results_cond);
    pthread_mutex_unlock(&e->lock);
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
            seg_http_client_submit(e->client, &list->call);
            free(list);
            list = next;
        }
        if (quit)
            break;
        if (seg_http_client_run(e->client, 1000) != SEG_OK) {
            /* curl_multi failed as a whole: nothing sensible to do but pause and retry. */
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

enum seg_err seg_engine_start(const struct seg_http_client_config *cfg, struct seg_engine **out,
                              struct seg_errmsg *err)
{
    struct seg_engine *e = seg_xcalloc(1, sizeof *e);
    e->cmds_tail = &e->cmds;
    e->results_tail = &e->results;
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
        free(c);
    }
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->results_cond);
    free(e);
}
