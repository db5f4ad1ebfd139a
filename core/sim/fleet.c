/* The fleet model (DESIGN §6; assumptions in README.md, "The fleet model"). One mutex guards the
 * state; a timer thread runs the job heap (async starts, execution ends) in simulated-time
 * order. Every decision uses the job's simulated instant, never the moment the thread got to
 * it, so a lagging timer changes when callbacks fire but not what the truth says.
 *
 * This file holds the public calls: lookups, the triggers (Invoke, S3 puts) and the
 * lifecycle. The pool and limits are in fleet_pool.c, execution and the timer in
 * fleet_run.c, the shared state in fleet_internal.h. */
#include "sim/fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "pipeline/s3_event.h"
#include "sim/draw.h"
#include "sim/fleet_internal.h"
#include "sim/model.h"
#include "sim/truth.h"
#include "util/xalloc.h"

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

/* --- trigger keys: waves (global) --- */

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

/* Resolves the trigger key of an invoke payload ("" when it carries no S3 record). */
static char *payload_key(const struct seg_sim_invoke *inv, int64_t *event_time)
{
    char *key = NULL;
    *event_time = -1;
    if (!seg_s3_event_parse(inv->payload, inv->payload_len, &key, event_time))
        key = seg_xstrdup("");
    return key;
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
        seg_sim_fleet_format_uuid(&k, out->request_id);
        pthread_mutex_unlock(&f->mu);
        return SEG_OK;
    }
    int64_t t = seg_sim_clock_now_ms(f->clock);
    int64_t event_time;
    char *key = payload_key(inv, &event_time);
    struct keyinfo *ki = global_key(f, key);
    struct site_key *sk = seg_sim_fleet_site_key(ss, ki->wave);
    struct attempt *a = seg_sim_fleet_attempt_new(f, ss, key, ki->wave, sk);
    free(key);
    a->event_time_ms = event_time;
    if (inv->payload && inv->payload_len)
        a->payload_in = seg_xstrndup(inv->payload, inv->payload_len);
    memcpy(out->request_id, a->request_id, sizeof out->request_id);
    if (inv->mode == SEG_SIM_ASYNC) {
        struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv,
                                    EVENT_ORD + a->event};
        seg_sim_fleet_heap_push(f, t + (int64_t)seg_sim_model_queue_ms(&k), JOB_START, a);
        pthread_mutex_unlock(&f->mu);
        return SEG_OK;
    }
    const char *reason = seg_sim_fleet_admit(f, ss, t);
    if (reason) {
        seg_sim_fleet_throttle_row(f, a, sk->attempts + 1, reason, t);
        out->status = SEG_SIM_THROTTLED;
        out->throttle_reason = reason;
        out->retry_after_s = 1;
        seg_sim_fleet_attempt_free(a);
        pthread_mutex_unlock(&f->mu);
        return SEG_OK;
    }
    a->done = done;
    a->done_ud = done_ud;
    seg_sim_fleet_run_attempt(f, a, t);
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
    struct site_key *sk = seg_sim_fleet_site_key(ss, ki->wave);
    struct attempt *a = seg_sim_fleet_attempt_new(f, ss, key, ki->wave, sk);
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
    seg_sim_fleet_heap_push(f, a->event_time_ms + (int64_t)seg_sim_model_queue_ms(&k), JOB_START,
                            a);
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
    if (pthread_create(&f->thread, NULL, seg_sim_fleet_timer_main, f) != 0) {
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
        seg_sim_fleet_attempt_free(f->heap[i].a);
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
