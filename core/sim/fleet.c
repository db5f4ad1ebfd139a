/* The fleet model (DESIGN §6; assumptions in README.md, "The fleet model"). One mutex guards the
 * state; a timer thread runs the job heap (async starts, execution ends) in simulated-time
 * order. Every decision uses the job's simulated instant, never the moment the thread got to
 * it, so a lagging timer changes when callbacks fire but not what the truth says. */
#include "sim/fleet.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "pipeline/s3_event.h"
#include "sim/draw.h"
#include "sim/loglines.h"
#include "sim/model.h"
#include "sim/truth.h"
#include "util/xalloc.h"

#define EVENT_ORD    0x10000u /* draw-key attempt field for event-level draws */
#define THROTTLE_ORD 0x20000u
#define DRYRUN_ORD   0x30000u
#define TAIL_MAX     4096
#define MAX_TRIES    3 /* an async event runs at most 3 times */

struct env {
    char id[33];
    char *stream;
    int64_t busy_from, busy_until; /* the current or last execution (simulated ms) */
    int64_t idle_deadline;         /* reusable (warm) until then */
    int64_t idle_ms;               /* this environment's idle timeout */
    int max_mem;
};

/* One trigger key at one site. */
struct site_key {
    int wave;
    int inv;      /* invocation index: distinct keys at this site so far, 1-based */
    int attempts; /* attempts run so far (all events of this key) */
    int events;   /* events (S3 notifications / invokes) of this key */
};

struct site_state {
    struct seg_site s; /* owned copies of the strings */
    bool custom_group;
    struct env *envs;
    size_t nenvs, capenvs;
    struct site_key *keys;
    size_t nkeys, capkeys;
    int ninv;
    double tokens; /* scaling-rate bucket: new environments */
    int64_t tokens_at;
};

struct keyinfo {
    char *key;
    int wave;
    int puts; /* S3 puts of this key so far: the position in the burst */
};

struct attempt {
    size_t si;
    char *key; /* trigger key, decoded; "" when none */
    int wave, inv, event;
    int attempt;   /* truth attempt number, per (site, key), set when it runs */
    int event_try; /* 1..3 for this event */
    int64_t event_time_ms;
    char *payload_in; /* the event the function receives */
    char request_id[40];
    int backoff_ms;
    seg_sim_invoke_done_fn *done;
    void *done_ud;
    enum seg_sim_outcome outcome;
    int64_t end_ms;
    char *tail, *payload_out;
    const char *fn_error;
};

enum job_kind { JOB_END = 0, JOB_START = 1 }; /* an end frees its environment first */

struct job {
    int64_t t;
    enum job_kind kind;
    uint64_t seq;
    struct attempt *a;
};

struct seg_sim_fleet {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stop, started;
    const struct seg_sim_clock *clock;
    struct seg_sim_logstore *logs;
    char *region, *account;
    uint64_t seed;
    int account_conc;
    long sum_reserved;
    struct seg_sim_faults faults;
    FILE *truth;
    struct site_state *sites;
    size_t nsites;
    struct keyinfo *keys;
    size_t nkeys, capkeys;
    int nwaves;
    struct job *heap;
    size_t nheap, capheap;
    uint64_t seq;
    uint32_t ndryrun, nthrottled;
    seg_sim_fleet_log_tap_fn *tap;
    void *tap_ud;
};

void seg_sim_fleet_set_log_tap(struct seg_sim_fleet *f, seg_sim_fleet_log_tap_fn *fn, void *ud)
{
    pthread_mutex_lock(&f->mu);
    f->tap = fn;
    f->tap_ud = ud;
    pthread_mutex_unlock(&f->mu);
}

size_t seg_sim_fleet_nsites(const struct seg_sim_fleet *f)
{
    return f->nsites;
}

const struct seg_site *seg_sim_fleet_site(const struct seg_sim_fleet *f, size_t i)
{
    return i < f->nsites ? &f->sites[i].s : NULL;
}

int seg_sim_fleet_account_concurrency(const struct seg_sim_fleet *f)
{
    return f->account_conc;
}

size_t seg_sim_fleet_pending(struct seg_sim_fleet *f)
{
    pthread_mutex_lock(&f->mu);
    size_t n = f->nheap;
    pthread_mutex_unlock(&f->mu);
    return n;
}

/* "name", "name:qualifier", "123456789012:function:name[:q]",
 * "arn:aws:lambda:r:a:function:name[:q]". */
const struct seg_site *seg_sim_fleet_find_function(const struct seg_sim_fleet *f, const char *name)
{
    if (!name)
        return NULL;
    const char *fn = strstr(name, ":function:");
    const char *s = fn ? fn + 10 : name;
    size_t n = strcspn(s, ":");
    for (size_t i = 0; i < f->nsites; i++) {
        const char *have = f->sites[i].s.function;
        if (strlen(have) == n && memcmp(have, s, n) == 0)
            return &f->sites[i].s;
    }
    return NULL;
}

const struct seg_site *seg_sim_fleet_find_bucket(const struct seg_sim_fleet *f, const char *bucket)
{
    for (size_t i = 0; bucket && i < f->nsites; i++)
        if (strcmp(f->sites[i].s.bucket, bucket) == 0)
            return &f->sites[i].s;
    return NULL;
}

static struct site_state *site_state_of(struct seg_sim_fleet *f, const struct seg_site *site)
{
    for (size_t i = 0; site && i < f->nsites; i++)
        if (&f->sites[i].s == site || f->sites[i].s.n == site->n)
            return &f->sites[i];
    return NULL;
}

/* --- job heap, ordered by (t, ends before starts, insertion) --- */

static bool job_less(const struct job *a, const struct job *b)
{
    if (a->t != b->t)
        return a->t < b->t;
    if (a->kind != b->kind)
        return a->kind < b->kind;
    return a->seq < b->seq;
}

static void heap_push(struct seg_sim_fleet *f, int64_t t, enum job_kind kind, struct attempt *a)
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

/* --- trigger keys: waves (global) and invocation indexes (per site) --- */

static struct keyinfo *global_key(struct seg_sim_fleet *f, const char *key)
{
    if (*key) /* recent keys are the likely ones: search from the end */
        for (size_t i = f->nkeys; i-- > 0;)
            if (strcmp(f->keys[i].key, key) == 0)
                return &f->keys[i];
    if (f->nkeys == f->capkeys) {
        f->capkeys = f->capkeys ? f->capkeys * 2 : 16;
        f->keys = seg_xrealloc(f->keys, f->capkeys * sizeof *f->keys);
    }
    struct keyinfo *k = &f->keys[f->nkeys++];
    *k = (struct keyinfo){.key = seg_xstrdup(key), .wave = ++f->nwaves};
    return k;
}

static struct site_key *site_key(struct site_state *ss, int wave)
{
    for (size_t i = ss->nkeys; i-- > 0;)
        if (ss->keys[i].wave == wave)
            return &ss->keys[i];
    if (ss->nkeys == ss->capkeys) {
        ss->capkeys = ss->capkeys ? ss->capkeys * 2 : 8;
        ss->keys = seg_xrealloc(ss->keys, ss->capkeys * sizeof *ss->keys);
    }
    struct site_key *k = &ss->keys[ss->nkeys++];
    *k = (struct site_key){.wave = wave, .inv = ++ss->ninv};
    return k;
}

static void format_uuid(const struct seg_sim_drawkey *k, char out[40])
{
    uint64_t a = seg_sim_draw_u64(k, SEG_SIM_P_REQID, 0);
    uint64_t b = seg_sim_draw_u64(k, SEG_SIM_P_REQID, 1);
    /* Version 4, variant 10xx, as Lambda's request ids. */
    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)((b >> 48) & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffULL));
}

static struct attempt *attempt_new(struct seg_sim_fleet *f, struct site_state *ss, const char *key,
                                   int wave, struct site_key *sk)
{
    struct attempt *a = seg_xcalloc(1, sizeof *a);
    a->si = (size_t)(ss - f->sites);
    a->key = seg_xstrdup(key);
    a->wave = wave;
    a->inv = sk->inv;
    a->event = ++sk->events;
    a->event_try = 1;
    a->event_time_ms = -1;
    struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv, EVENT_ORD + a->event};
    format_uuid(&k, a->request_id);
    return a;
}

static void attempt_free(struct attempt *a)
{
    if (!a)
        return;
    free(a->key);
    free(a->payload_in);
    free(a->tail);
    free(a->payload_out);
    free(a);
}

/* Resolves the trigger key of an invoke payload ("" when it carries no S3 record). */
static char *payload_key(const struct seg_sim_invoke *inv, int64_t *event_time)
{
    char *key = NULL;
    *event_time = -1;
    if (!seg_s3_event_parse(inv->payload, inv->payload_len, &key, event_time))
        key = seg_xstrdup("");
    return key;
}

/* --- the execution-environment pool and the limits --- */

static size_t inflight(const struct site_state *ss, int64_t t)
{
    size_t n = 0;
    for (size_t i = 0; i < ss->nenvs; i++)
        if (ss->envs[i].busy_from <= t && t < ss->envs[i].busy_until)
            n++;
    return n;
}

static size_t idle_env(const struct site_state *ss, int64_t t)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < ss->nenvs; i++) {
        const struct env *e = &ss->envs[i];
        if (e->busy_until <= t && t < e->idle_deadline &&
            (best == SIZE_MAX || e->busy_until > ss->envs[best].busy_until))
            best = i; /* the most recently used, as Lambda tends to */
    }
    return best;
}

static void refill(struct site_state *ss, int64_t t)
{
    if (t > ss->tokens_at) {
        ss->tokens += (double)(t - ss->tokens_at) * SEG_SIM_SCALE_BURST / SEG_SIM_SCALE_WINDOW_MS;
        if (ss->tokens > SEG_SIM_SCALE_BURST)
            ss->tokens = SEG_SIM_SCALE_BURST;
        ss->tokens_at = t;
    }
}

/* NULL when an execution may start at t, else the TooManyRequestsException Reason. */
static const char *admit(struct seg_sim_fleet *f, struct site_state *ss, int64_t t)
{
    int res = ss->s.reserved;
    if (res == 0 || (res > 0 && inflight(ss, t) >= (size_t)res))
        return "ReservedFunctionConcurrentInvocationLimitExceeded";
    if (res < 0) {
        size_t used = 0;
        for (size_t i = 0; i < f->nsites; i++)
            if (f->sites[i].s.reserved < 0)
                used += inflight(&f->sites[i], t);
        long pool = (long)f->account_conc - f->sum_reserved;
        if ((long)used >= pool)
            return "ConcurrentInvocationLimitExceeded";
    }
    if (idle_env(ss, t) == SIZE_MAX) {
        refill(ss, t);
        if (ss->tokens < 1.0)
            return "FunctionInvocationRateLimitExceeded";
    }
    return NULL;
}

static size_t new_env(struct seg_sim_fleet *f, struct site_state *ss, int64_t t)
{
    refill(ss, t);
    ss->tokens -= 1.0;
    if (ss->nenvs == ss->capenvs) {
        ss->capenvs = ss->capenvs ? ss->capenvs * 2 : 4;
        ss->envs = seg_xrealloc(ss->envs, ss->capenvs * sizeof *ss->envs);
    }
    struct env *e = &ss->envs[ss->nenvs];
    memset(e, 0, sizeof *e);
    struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)ss->nenvs + 1, 0};
    snprintf(e->id, sizeof e->id, "%016llx%016llx",
             (unsigned long long)seg_sim_draw_u64(&k, SEG_SIM_P_ENV, 0),
             (unsigned long long)seg_sim_draw_u64(&k, SEG_SIM_P_ENV, 1));
    e->idle_ms = seg_sim_model_idle_ms(&k);
    char day[24];
    seg_sim_fmt_sec(t, day, sizeof day); /* "YYYY-MM-DD ..." -> "YYYY/MM/DD" */
    day[4] = day[7] = '/';
    day[10] = '\0';
    /* A custom (shared) group's streams carry the function name (aws-wire.md §4.1). */
    e->stream = ss->custom_group ? seg_xasprintf("%s/%s[$LATEST]%s", day, ss->s.function, e->id)
                                 : seg_xasprintf("%s/[$LATEST]%s", day, e->id);
    return ss->nenvs++;
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

static void throttle_row(struct seg_sim_fleet *f, struct attempt *a, int attempt_no,
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

static void run_attempt(struct seg_sim_fleet *f, struct attempt *a, int64_t t)
{
    struct site_state *ss = &f->sites[a->si];
    struct site_key *sk = site_key(ss, a->wave);
    a->attempt = ++sk->attempts;
    struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv, (uint32_t)a->attempt};
    size_t ei = idle_env(ss, t);
    bool cold = ei == SIZE_MAX;
    if (cold)
        ei = new_env(f, ss, t);
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
    heap_push(f, end, JOB_END, a);
}

/* An async start at t: run, or (throttled) back to Lambda's queue with backoff. */
static void start_async(struct seg_sim_fleet *f, struct attempt *a, int64_t t)
{
    struct site_state *ss = &f->sites[a->si];
    const char *reason = admit(f, ss, t);
    if (!reason) {
        run_attempt(f, a, t);
        return;
    }
    /* The throttle is not an attempt: it reaches neither the caller nor the logs. */
    throttle_row(f, a, site_key(ss, a->wave)->attempts + 1, reason, t);
    a->backoff_ms = a->backoff_ms ? a->backoff_ms * 2 : SEG_SIM_THROTTLE_BACKOFF_MS;
    if (a->backoff_ms > SEG_SIM_THROTTLE_BACKOFF_MAX_MS)
        a->backoff_ms = SEG_SIM_THROTTLE_BACKOFF_MAX_MS;
    heap_push(f, t + a->backoff_ms, JOB_START, a);
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
        heap_push(f, j->t + delay, JOB_START, a);
        return NULL;
    }
    attempt_free(a);
    return NULL;
}

static void *timer_main(void *arg)
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
            attempt_free(cb);
            pthread_mutex_lock(&f->mu);
        }
    }
    pthread_mutex_unlock(&f->mu);
    return NULL;
}

/* --- triggers --- */

enum seg_err seg_sim_fleet_invoke(struct seg_sim_fleet *f, const struct seg_sim_invoke *inv,
                                  seg_sim_invoke_done_fn *done, void *done_ud,
                                  struct seg_sim_invoke_result *out)
{
    if (!f || !inv || !out || (inv->mode == SEG_SIM_SYNC && !done))
        return SEG_ERR_INVALID;
    pthread_mutex_lock(&f->mu);
    struct site_state *ss = site_state_of(f, inv->site);
    if (!ss) {
        pthread_mutex_unlock(&f->mu);
        return SEG_ERR_NOTFOUND;
    }
    memset(out, 0, sizeof *out);
    out->status = SEG_SIM_INVOKED;
    if (inv->mode == SEG_SIM_DRYRUN) { /* validate only: no state, no truth */
        struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, 0, DRYRUN_ORD + ++f->ndryrun};
        format_uuid(&k, out->request_id);
        pthread_mutex_unlock(&f->mu);
        return SEG_OK;
    }
    int64_t t = seg_sim_clock_now_ms(f->clock);
    int64_t event_time;
    char *key = payload_key(inv, &event_time);
    struct keyinfo *ki = global_key(f, key);
    struct site_key *sk = site_key(ss, ki->wave);
    struct attempt *a = attempt_new(f, ss, key, ki->wave, sk);
    free(key);
    a->event_time_ms = event_time;
    if (inv->payload && inv->payload_len)
        a->payload_in = seg_xstrndup(inv->payload, inv->payload_len);
    memcpy(out->request_id, a->request_id, sizeof out->request_id);
    if (inv->mode == SEG_SIM_ASYNC) {
        struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv,
                                    EVENT_ORD + a->event};
        heap_push(f, t + (int64_t)seg_sim_model_queue_ms(&k), JOB_START, a);
        pthread_mutex_unlock(&f->mu);
        return SEG_OK;
    }
    const char *reason = admit(f, ss, t);
    if (reason) {
        throttle_row(f, a, sk->attempts + 1, reason, t);
        out->status = SEG_SIM_THROTTLED;
        out->throttle_reason = reason;
        out->retry_after_s = 1;
        attempt_free(a);
        pthread_mutex_unlock(&f->mu);
        return SEG_OK;
    }
    a->done = done;
    a->done_ud = done_ud;
    run_attempt(f, a, t);
    pthread_mutex_unlock(&f->mu);
    return SEG_OK;
}

void seg_sim_fleet_s3_put_at(struct seg_sim_fleet *f, const struct seg_site *site, const char *key,
                             size_t size, const char *etag, int64_t sim_ms)
{
    if (!f || !key)
        return;
    pthread_mutex_lock(&f->mu);
    struct site_state *ss = site_state_of(f, site);
    if (!ss) {
        pthread_mutex_unlock(&f->mu);
        return;
    }
    /* The wave size is not known at the first put: the delivery offset depends on the
     * position of this put in the burst of puts of the same key (README.md, "The fleet model"). */
    struct keyinfo *ki = global_key(f, key);
    int pos = ++ki->puts;
    struct site_key *sk = site_key(ss, ki->wave);
    struct attempt *a = attempt_new(f, ss, key, ki->wave, sk);
    struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv, EVENT_ORD + a->event};
    a->event_time_ms = sim_ms + (int64_t)seg_sim_model_delivery_ms(&k, pos);
    char seq[40], reqid[20];
    snprintf(seq, sizeof seq, "%016llX",
             (unsigned long long)sim_ms * 1000ULL + (unsigned)pos % 1000);
    snprintf(reqid, sizeof reqid, "%016llX",
             (unsigned long long)seg_sim_draw_u64(&k, SEG_SIM_P_REQID, 7));
    struct seg_s3_event ev = {.region = f->region,
                              .bucket = ss->s.bucket,
                              .key = key,
                              .size = size,
                              .etag = etag,
                              .event_time_ms = a->event_time_ms,
                              .sequencer = seq,
                              .request_id = reqid,
                              .site = ss->s.n};
    a->payload_in = seg_s3_event_json(&ev);
    heap_push(f, a->event_time_ms + (int64_t)seg_sim_model_queue_ms(&k), JOB_START, a);
    pthread_mutex_unlock(&f->mu);
}

void seg_sim_fleet_s3_put(struct seg_sim_fleet *f, const struct seg_site *site, const char *key,
                          size_t size, const char *etag)
{
    if (f)
        seg_sim_fleet_s3_put_at(f, site, key, size, etag, seg_sim_clock_now_ms(f->clock));
}

/* --- lifecycle --- */

static bool is_default_group(const struct seg_site *s)
{
    return strncmp(s->log_group, "/aws/lambda/", 12) == 0 &&
           strcmp(s->log_group + 12, s->function) == 0;
}

enum seg_err seg_sim_fleet_new(const struct seg_sim_fleet_config *cfg,
                               const struct seg_sim_clock *clock, struct seg_sim_logstore *logs,
                               struct seg_sim_fleet **out, struct seg_errmsg *err)
{
    if (!cfg || !clock || !out || !cfg->sites || cfg->nsites == 0) {
        seg_errmsg_set(err, "simulator: the fleet needs at least one site");
        return SEG_ERR_INVALID;
    }
    for (size_t i = 0; i < cfg->nsites; i++) {
        const struct seg_site *s = &cfg->sites[i];
        if (!s->function || !s->bucket || !s->log_group || s->n < 1) {
            seg_errmsg_set(err, "simulator: site %zu lacks a number, function, bucket or log group",
                           i + 1);
            return SEG_ERR_INVALID;
        }
    }
    struct seg_sim_fleet *f = seg_xcalloc(1, sizeof *f);
    enum seg_err rc = SEG_OK;
    pthread_mutex_init(&f->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cv, &ca);
    pthread_condattr_destroy(&ca);
    f->clock = clock;
    f->logs = logs;
    f->region = seg_xstrdup(cfg->region ? cfg->region : "us-west-1");
    f->account = seg_xstrdup(cfg->account_id ? cfg->account_id : "123456789012");
    f->seed = cfg->seed;
    f->account_conc = cfg->account_concurrency > 0 ? cfg->account_concurrency : 1000;
    if (cfg->faults)
        f->faults = *cfg->faults;
    else
        seg_sim_faults_init(&f->faults);
    f->nsites = cfg->nsites;
    f->sites = seg_xcalloc(cfg->nsites, sizeof *f->sites);
    for (size_t i = 0; i < cfg->nsites; i++) {
        struct site_state *ss = &f->sites[i];
        ss->s = cfg->sites[i];
        ss->s.function = seg_xstrdup(cfg->sites[i].function);
        ss->s.bucket = seg_xstrdup(cfg->sites[i].bucket);
        ss->s.log_group = seg_xstrdup(cfg->sites[i].log_group);
        if (ss->s.memory_mb <= 0)
            ss->s.memory_mb = 6200;
        if (ss->s.timeout_s <= 0)
            ss->s.timeout_s = 781;
        ss->custom_group = !is_default_group(&ss->s);
        ss->tokens = SEG_SIM_SCALE_BURST;
        if (ss->s.reserved > 0)
            f->sum_reserved += ss->s.reserved;
        if (logs)
            seg_sim_logstore_create_group(logs, ss->s.log_group);
    }
    if (cfg->truth_path && (rc = seg_sim_truth_open(cfg->truth_path, &f->truth, err)) != SEG_OK)
        goto fail;
    if (pthread_create(&f->thread, NULL, timer_main, f) != 0) {
        seg_errmsg_set(err, "simulator: cannot start the fleet's timer thread");
        rc = SEG_ERR_STATE;
        goto fail;
    }
    f->started = true;
    *out = f;
    return SEG_OK;
fail:
    seg_sim_fleet_free(f);
    return rc;
}

void seg_sim_fleet_free(struct seg_sim_fleet *f)
{
    if (!f)
        return;
    if (f->started) {
        pthread_mutex_lock(&f->mu);
        f->stop = true;
        pthread_cond_signal(&f->cv);
        pthread_mutex_unlock(&f->mu);
        pthread_join(f->thread, NULL);
    }
    for (size_t i = 0; i < f->nheap; i++)
        attempt_free(f->heap[i].a);
    free(f->heap);
    for (size_t i = 0; i < f->nsites; i++) {
        struct site_state *ss = &f->sites[i];
        free(ss->s.function);
        free(ss->s.bucket);
        free(ss->s.log_group);
        for (size_t e = 0; e < ss->nenvs; e++)
            free(ss->envs[e].stream);
        free(ss->envs);
        free(ss->keys);
    }
    free(f->sites);
    for (size_t i = 0; i < f->nkeys; i++)
        free(f->keys[i].key);
    free(f->keys);
    if (f->truth)
        fclose(f->truth);
    free(f->region);
    free(f->account);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}
