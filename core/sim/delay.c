#include "sim/delay.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "util/xalloc.h"

struct pending {
    struct pending *next;
    int64_t due_ns; /* CLOCK_MONOTONIC */
    struct seg_httpd_deferred *token;
    struct seg_httpd_response resp;
};

struct seg_sim_delay {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running;
    bool stop;
    struct pending *head; /* sorted by due_ns */
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void finish(struct pending *p)
{
    seg_httpd_deferred_finish(p->token, &p->resp);
    seg_httpd_response_release(&p->resp);
    free(p);
}

static void *run(void *arg)
{
    struct seg_sim_delay *dl = arg;
    pthread_mutex_lock(&dl->mu);
    while (!dl->stop) {
        if (!dl->head) {
            pthread_cond_wait(&dl->cv, &dl->mu);
            continue;
        }
        int64_t now = mono_ns();
        if (dl->head->due_ns > now) {
            struct timespec ts = {.tv_sec = (time_t)(dl->head->due_ns / 1000000000),
                                  .tv_nsec = (long)(dl->head->due_ns % 1000000000)};
            (void)pthread_cond_timedwait(&dl->cv, &dl->mu, &ts);
            continue;
        }
        struct pending *p = dl->head;
        dl->head = p->next;
        pthread_mutex_unlock(&dl->mu); /* finishing takes the server's locks */
        finish(p);
        pthread_mutex_lock(&dl->mu);
    }
    pthread_mutex_unlock(&dl->mu);
    return NULL;
}

enum seg_err seg_sim_delay_new(struct seg_sim_delay **out)
{
    struct seg_sim_delay *dl = seg_xcalloc(1, sizeof *dl);
    pthread_condattr_t ca;
    bool ok = pthread_mutex_init(&dl->mu, NULL) == 0;
    ok = ok && pthread_condattr_init(&ca) == 0;
    ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0; /* immune to clock steps */
    ok = ok && pthread_cond_init(&dl->cv, &ca) == 0;
    if (ok) {
        (void)pthread_condattr_destroy(&ca);
        dl->running = pthread_create(&dl->thread, NULL, run, dl) == 0;
    }
    if (!ok || !dl->running) {
        free(dl); /* a failed init leaves nothing worth destroying */
        return SEG_ERR_STATE;
    }
    *out = dl;
    return SEG_OK;
}

void seg_sim_delay_add(struct seg_sim_delay *dl, struct seg_httpd_deferred *d,
                       struct seg_httpd_response *final, int64_t delay_ms)
{
    struct pending *p = seg_xcalloc(1, sizeof *p);
    p->token = d;
    p->due_ns = mono_ns() + (delay_ms > 0 ? delay_ms : 0) * 1000000;
    p->resp = *final;
    p->resp.deferred = NULL;
    seg_httpd_response_init(final);
    pthread_mutex_lock(&dl->mu);
    if (dl->stop) {
        pthread_mutex_unlock(&dl->mu);
        finish(p);
        return;
    }
    struct pending **pp = &dl->head;
    while (*pp && (*pp)->due_ns <= p->due_ns)
        pp = &(*pp)->next;
    p->next = *pp;
    *pp = p;
    pthread_cond_signal(&dl->cv);
    pthread_mutex_unlock(&dl->mu);
}

void seg_sim_delay_stop(struct seg_sim_delay *dl)
{
    if (!dl)
        return;
    pthread_mutex_lock(&dl->mu);
    dl->stop = true;
    struct pending *p = dl->head;
    dl->head = NULL;
    pthread_cond_signal(&dl->cv);
    pthread_mutex_unlock(&dl->mu);
    if (dl->running) {
        pthread_join(dl->thread, NULL);
        dl->running = false;
    }
    while (p) {
        struct pending *next = p->next;
        finish(p);
        p = next;
    }
}

void seg_sim_delay_free(struct seg_sim_delay *dl)
{
    if (!dl)
        return;
    seg_sim_delay_stop(dl);
    pthread_cond_destroy(&dl->cv);
    pthread_mutex_destroy(&dl->mu);
    free(dl);
}
