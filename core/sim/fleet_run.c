/* Running the fleet: the job heap in simulated-time order, one attempt decided whole at its
 * start (outcome, log lines, truth row), async starts with throttle backoff, Lambda's async
 * retries, and the timer thread that drains the heap and calls sync callbacks unlocked. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "pipeline/s3_event.h"
#include "sim/draw.h"
#include "sim/fleet_internal.h"
#include "sim/loglines.h"
#include "sim/model.h"
#include "sim/truth.h"
#include "util/xalloc.h"

#define TAIL_MAX  4096
#define MAX_TRIES 3 /* an async event runs at most 3 times */

/* --- job heap, ordered by (t, ends before starts, insertion) --- */

static bool job_less(const struct job *a, const struct job *b)
{
    if (a->t != b->t)
        return a->t < b->t;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    return a->seq < b->seq;
}

void seg_sim_fleet_heap_push(struct seg_sim_fleet *f, int64_t t, enum job_kind kind,
                             struct attempt *a)
{
    if (f->nheap == f->capheap) {
        f->capheap = f->capheap ? f->capheap * 2 : 256;
        f->heap = seg_xrealloc(f->heap, f->capheap * sizeof *f->heap);
    }
    size_t i = f->nheap++;
    f->heap[i] = (struct job){.t = t, .kind = kind, .seq = f->seq++, .a = a};
    while (i > 0 && job_less(&f->heap[i], &f->heap[(i - 1) / 2])) {
        struct job tmp = f->heap[i];
        f->heap[i] = f->heap[(i - 1) / 2];
        f->heap[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
    pthread_cond_signal(&f->cv);
}

static struct job heap_pop(struct seg_sim_fleet *f)
{
    struct job top = f->heap[0];
    f->heap[0] = f->heap[--f->nheap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < f->nheap && job_less(&f->heap[l], &f->heap[m]))
            m = l;
        if (r < f->nheap && job_less(&f->heap[r], &f->heap[m]))
            m = r;
        if (m == i)
            break;
        struct job tmp = f->heap[i];
        f->heap[i] = f->heap[m];
        f->heap[m] = tmp;
        i = m;
    }
    return top;
}

/* --- running one attempt: decided whole at its start --- */

static void put_logs(struct seg_sim_fleet *f, struct site_state *ss, const struct env *e,
                     const struct seg_sim_drawkey *k, const struct seg_sim_loglist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        int64_t ingest = l->ev[i].ts_ms + seg_sim_model_ingest_ms(k, (uint32_t)i, &f->faults);
        if (f->logs)
            seg_sim_logstore_put(f->logs, ss->s.log_group, e->stream, l->ev[i].ts_ms, ingest,
                                 l->ev[i].msg);
        if (f->tap)
            f->tap(f->tap_ud, ss->s.log_group, e->stream, l->ev[i].ts_ms, ingest, l->ev[i].msg);
    }
}

static const char *status_name(enum seg_sim_outcome o)
{
    return o == SEG_SIM_OK ? "ok" : o == SEG_SIM_TIMEOUT ? "timeout" : "error";
}

void seg_sim_fleet_throttle_row(struct seg_sim_fleet *f, struct attempt *a, int attempt_no,
                                const char *reason, int64_t t)
{
    struct seg_sim_truth_row row = {.wave = a->wave,
                                    .site = f->sites[a->si].s.n,
                                    .request_id = a->request_id,
                                    .trigger_key = a->key,
                                    .attempt = attempt_no,
                                    .status = "throttled",
                                    .error_type = reason,
                                    .start_ms = t,
                                    .end_ms = t};
    seg_sim_truth_write(f->truth, &row);
}

static enum seg_sim_outcome decide(struct seg_sim_fleet *f, int site,
                                   const struct seg_sim_drawkey *k)
{
    if (seg_sim_siteset_has(&f->faults.timeout, site))
        return SEG_SIM_TIMEOUT;
    if (seg_sim_siteset_has(&f->faults.oom, site))
        return SEG_SIM_OOM;
    if (f->faults.error_p > 0 && seg_sim_draw_uniform(k, SEG_SIM_P_ERROR, 0) < f->faults.error_p)
        return SEG_SIM_ERROR;
    return SEG_SIM_OK;
}

void seg_sim_fleet_run_attempt(struct seg_sim_fleet *f, struct attempt *a, int64_t t)
{
    struct site_state *ss = &f->sites[a->si];
    struct site_key *sk = seg_sim_fleet_site_key(ss, a->wave);
    a->attempt = ++sk->attempts;
    struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv, (uint32_t)a->attempt};
    size_t ei = seg_sim_fleet_idle_env(ss, t);
    bool cold = ei == SIZE_MAX;
    if (cold)
        ei = seg_sim_fleet_new_env(f, ss, t);
    struct env *e = &ss->envs[ei];
    double work = seg_sim_model_work_ms(&k), init = seg_sim_model_init_ms(&k);
    double dur = work - init < 500.0 ? 500.0 : work - init;
    enum seg_sim_outcome out = decide(f, ss->s.n, &k);
    int mem = seg_sim_model_memory_mb(&k, ss->s.memory_mb);
    if (out == SEG_SIM_TIMEOUT)
        dur = (double)ss->s.timeout_s * 1000.0;
    else if (out == SEG_SIM_OOM) {
        dur *= 0.3 + 0.6 * seg_sim_draw_uniform(&k, SEG_SIM_P_OOM_AT, 0);
        mem = ss->s.memory_mb;
    }
    if (mem < e->max_mem) /* REPORT shows the environment's maximum so far */
        mem = e->max_mem;
    e->max_mem = mem;
    dur = floor(dur * 100.0 + 0.5) / 100.0;
    init = floor(init * 100.0 + 0.5) / 100.0;
    /* Container images bill Init (README.md, "The fleet model"): Billed = ceil(Duration + Init). */
    long billed = (long)ceil(dur + (cold ? init : 0.0) - 1e-9);
    int64_t event_time = a->event_time_ms;
    char *image = NULL;
    if (a->payload_in) {
        int64_t et;
        if (seg_s3_event_parse(a->payload_in, strlen(a->payload_in), &image, &et) && et >= 0)
            event_time = et;
    }
    if (!image)
        image = seg_xstrdup(a->key);
    if (event_time < 0)
        event_time = t;
    struct seg_sim_attempt_log al = {
        .json = ss->s.json_logs,
        .region = f->region,
        .function = ss->s.function,
        .request_id = a->request_id,
        .instance_id = e->stream,
        .image_name = image,
        .site = ss->s.n,
        .event_time_ms = event_time,
        .cold = cold,
        .begin_ms = t,
        .init_ms = init,
        .duration_ms = dur,
        .billed_ms = billed,
        .memory_mb = ss->s.memory_mb,
        .max_memory_mb = mem,
        .outcome = out,
        .app_gap_ms = 5.0 + 25.0 * seg_sim_draw_uniform(&k, SEG_SIM_P_APPGAP, 0),
        .write_gap_ms = seg_sim_model_write_gap_ms(&k),
        .evil = seg_sim_siteset_has(&f->faults.evil_log, ss->s.n),
    };
    struct seg_sim_loglist l = {0};
    seg_sim_loglines_build(&al, &l);
    put_logs(f, ss, e, &k, &l);
    int64_t end = t + (cold ? (int64_t)init : 0) + (int64_t)dur;
    if (a->done) {
        a->tail = seg_sim_loglines_tail(&l, TAIL_MAX);
        a->payload_out = seg_sim_loglines_payload(&al, &a->fn_error);
    }
    seg_sim_loglist_release(&l);
    e->busy_from = t;
    e->busy_until = end;
    /* A timeout or OOM kills the runtime: the environment is not reused. */
    e->idle_deadline = out == SEG_SIM_TIMEOUT || out == SEG_SIM_OOM ? end : end + e->idle_ms;
    a->outcome = out;
    a->end_ms = end;
    struct seg_sim_truth_row row = {.wave = a->wave,
                                    .site = ss->s.n,
                                    .request_id = a->request_id,
                                    .trigger_key = a->key,
                                    .attempt = a->attempt,
                                    .ran = true,
                                    .cold = cold,
                                    .init_ms = init,
                                    .duration_ms = dur,
                                    .billed_ms = billed,
                                    .max_memory_mb = mem,
                                    .status = status_name(out),
                                    .error_type = seg_sim_outcome_error_type(out),
                                    .start_ms = t,
                                    .end_ms = end};
    seg_sim_truth_write(f->truth, &row);
    free(image);
    seg_sim_fleet_heap_push(f, end, JOB_END, a);
}

/* An async start at t: run, or (throttled) back to Lambda's queue with backoff. */
static void start_async(struct seg_sim_fleet *f, struct attempt *a, int64_t t)
{
    struct site_state *ss = &f->sites[a->si];
    const char *reason = seg_sim_fleet_admit(f, ss, t);
    if (!reason) {
        seg_sim_fleet_run_attempt(f, a, t);
        return;
    }
    /* The throttle is not an attempt: it reaches neither the caller nor the logs. */
    seg_sim_fleet_throttle_row(f, a, seg_sim_fleet_site_key(ss, a->wave)->attempts + 1, reason, t);
    a->backoff_ms = a->backoff_ms ? a->backoff_ms * 2 : SEG_SIM_THROTTLE_BACKOFF_MS;
    if (a->backoff_ms > SEG_SIM_THROTTLE_BACKOFF_MAX_MS)
        a->backoff_ms = SEG_SIM_THROTTLE_BACKOFF_MAX_MS;
    seg_sim_fleet_heap_push(f, t + a->backoff_ms, JOB_START, a);
}

/* Returns the attempt when its sync callback is due (the caller calls and frees it). */
static struct attempt *process(struct seg_sim_fleet *f, struct job *j)
{
    struct attempt *a = j->a;
    if (j->kind == JOB_START) {
        start_async(f, a, j->t);
        return NULL;
    }
    if (a->done)
        return a;
    if (a->outcome != SEG_SIM_OK && a->event_try < MAX_TRIES) {
        /* Lambda retries a failed async event twice, ~1 min then ~2 min after the failure,
         * with the same request id (each retry is a new START/REPORT). */
        struct site_state *ss = &f->sites[a->si];
        struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv,
                                    (uint32_t)a->attempt};
        int64_t delay = a->event_try == 1 ? SEG_SIM_RETRY1_MS : SEG_SIM_RETRY2_MS;
        delay += (int64_t)(seg_sim_draw_uniform(&k, SEG_SIM_P_RETRY, 0) * 5000.0);
        a->event_try++;
        a->backoff_ms = 0;
        seg_sim_fleet_heap_push(f, j->t + delay, JOB_START, a);
        return NULL;
    }
    seg_sim_fleet_attempt_free(a);
    return NULL;
}

void *seg_sim_fleet_timer_main(void *arg)
{
    struct seg_sim_fleet *f = arg;
    pthread_mutex_lock(&f->mu);
    while (!f->stop) {
        if (f->nheap == 0) {
            pthread_cond_wait(&f->cv, &f->mu);
            continue;
        }
        int64_t wait = seg_sim_clock_wall_until_ms(f->clock, f->heap[0].t);
        if (wait > 0) {
            if (wait > 1000)
                wait = 1000;
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            int64_t ns = ts.tv_nsec + (wait % 1000) * 1000000;
            ts.tv_sec += (time_t)(wait / 1000 + ns / 1000000000);
            ts.tv_nsec = (long)(ns % 1000000000);
            pthread_cond_timedwait(&f->cv, &f->mu, &ts);
            continue;
        }
        struct job j = heap_pop(f);
        struct attempt *cb = process(f, &j);
        if (cb) { /* user code runs without our lock */
            pthread_mutex_unlock(&f->mu);
            cb->done(cb->done_ud, cb->request_id, cb->fn_error, cb->payload_out, cb->tail);
            seg_sim_fleet_attempt_free(cb);
            pthread_mutex_lock(&f->mu);
        }
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}
