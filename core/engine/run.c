#include "engine/run.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "engine/correlate.h"
#include "engine/keys.h"
#include "engine/poller.h"
#include "engine/wave.h"
#include "metrics/snapshot.h"
#include "pipeline/s3_event.h"
#include "util/xalloc.h"

#define TRIG_TAG         0x54524947u /* "TRIG": the trigger of a wave */
#define UPLOAD_TAG       0x55504c44u /* "UPLD": the upload before an Invoke */
#define WARM_TAG         0x5741524du /* "WARM": a HeadBucket opening a connection */
#define WARM_WAIT_MS     5000.0      /* the first wave waits at most this for the warm-up */
#define MAX_DATE_SAMPLES 64
/* After the last outcome, the logs are read past it; when they cannot be (refused,
 * failing), the run ends this long (log clock; and wall clock too unless the calls fail)
 * plus twice the re-read window later. */
#define DRAIN_MAX_MS 120000
/* Log calls failed, with not one page read between, that say the logs cannot be read. */
#define DRAIN_FAILED_CALLS 5

struct slot {
    int64_t deadline; /* log clock: declared missing after this without an outcome */
    int64_t last_end; /* last REPORT */
    enum seg_inv_status last;
    int reports;
    bool sent, outcome;
    int64_t extra_since; /* invoke/event: START of a notification's run still going, or 0 */
};

struct wave {
    int number, size;
    char key[SEG_KEY_MAX + 1];
    double cmd_mono;       /* the wave command */
    double last_sent_mono; /* latest trigger on the wire */
    int results;           /* trigger results back */
    struct slot *slots;    /* [1..size] */
    bool complete;
    int reported;            /* sites with a REPORT in the store */
    double reported_mono;    /* when the last of them got its first one; 0 until then */
    uint64_t reported_calls; /* log API calls by then */
};

enum phase { PH_IDLE, PH_WAITING, PH_GAP, PH_DRAIN, PH_DONE };

struct seg_run {
    struct seg_run_config cfg;
    struct seg_store *store;
    struct seg_corr *corr;
    struct seg_poller *poller;
    struct seg_poller_group *groups;
    size_t ngroups;
    struct wave *waves;
    size_t nwaves;
    const char **keys;
    enum phase phase;
    size_t ladder_pos;
    int64_t gap_until;
    bool *outstanding; /* [1..nsites] */
    double t0_mono, last_pub_mono;
    bool dirty;       /* the store changed since the last snapshot */
    size_t auto_left; /* interactive autorun: ladder steps still to fire */
    bool skip_gap;    /* interactive autorun: no gap after the wave already running */
    int64_t date_samples[MAX_DATE_SAMPLES];
    size_t ndate;
    bool stopped;
    bool warm_sent;     /* the connection warm-up went out */
    size_t warm_left;   /* its answers still to come */
    double warm_mono;   /* when it went out */
    int64_t idle_since; /* log time since when nothing is outstanding; NONE while busy */
    bool accepted_any;  /* a trigger was accepted: its run may still log */
    bool logs_unread;   /* gave up reading the logs past the last outcome */
    double *fresh;      /* freshness samples, log ms: a ring of SEG_RUN_FRESH_MAX */
    size_t nfresh, fresh_head;
    bool fresh_dirty; /* samples since the last publish */
    uint64_t notif_runs;
    bool notif_warned;
    /* When idle_since began on the wall (monotonic) clock; log pages read and log calls
     * failed by then. */
    double idle_mono;
    uint64_t idle_pages, idle_errors;
    pthread_mutex_t lock;
    struct seg_run_status status; /* guarded by lock */
};

static struct wave *wave_get(struct seg_run *r, int number)
{
    return number >= 1 && (size_t)number <= r->nwaves ? &r->waves[number - 1] : NULL;
}

static struct slot *slot_get(struct seg_run *r, int wave, int site)
{
    struct wave *w = wave_get(r, wave);
    return w && site >= 1 && site <= w->size ? &w->slots[site] : NULL;
}

static int64_t timeout_ms(const struct seg_run *r, int site)
{
    int t = site >= 1 && (size_t)site <= r->cfg.nsites ? r->cfg.sites[site - 1].timeout_s : 0;
    return (int64_t)(t > 0 ? t : 781) * 1000;
}

static void on_start(void *ud, int wave, int site, int64_t ts)
{
    struct seg_run *r = ud;
    struct slot *s = slot_get(r, wave, site);
    if (!s)
        return;
    if (s->outcome && s->reports > 0) { /* an async retry began */
        s->outcome = false;
    }
    if (!s->outcome)
        s->deadline = ts + timeout_ms(r, site) + r->cfg.grace_ms;
    r->dirty = true;
    /* New work, perhaps read long after it happened: the drain reads past it again, even
     * when its deadline has already passed by the next sweep. */
    r->idle_since = SEG_TIME_NONE;
}

/* Freshness of a REPORT now in the store: log clock now minus its ingestionTime. */
static void fresh_add(struct seg_run *r, int64_t ingest)
{
    if (ingest == SEG_TIME_NONE)
        return;
    if (!r->fresh)
        r->fresh = seg_xcalloc(SEG_RUN_FRESH_MAX, sizeof *r->fresh);
    r->fresh[r->fresh_head] = (double)(seg_logclock_now(&r->cfg.clock) - ingest);
    r->fresh_head = (r->fresh_head + 1) % SEG_RUN_FRESH_MAX;
    if (r->nfresh < SEG_RUN_FRESH_MAX)
        r->nfresh++;
    r->fresh_dirty = true;
}

static void on_report(void *ud, int wave, int site, enum seg_inv_status st, int64_t ts,
                      int64_t ingest)
{
    struct seg_run *r = ud;
    fresh_add(r, ingest);
    r->idle_since = SEG_TIME_NONE; /* a new outcome: an async retry may follow it */
    struct slot *s = slot_get(r, wave, site);
    if (!s)
        return;
    struct wave *w = wave_get(r, wave);
    if (s->reports == 0 && ++w->reported == w->size) {
        struct seg_poller_stats ps;
        seg_poller_stats(r->poller, &ps);
        w->reported_mono = seg_http_now_ms();
        w->reported_calls = ps.calls;
    }
    s->outcome = true;
    s->last = st;
    s->reports++;
    if (ts > s->last_end)
        s->last_end = ts;
    r->dirty = true;
}

static void message(struct seg_run *r, const char *fmt, ...) SEG_PRINTF(2, 3);

/* invoke/event: the bucket's own notification ran the function for a wave's object too. Its
 * runs are waited for (the site stays outstanding while one runs) and counted, once. */
static void on_extra(void *ud, int wave, int site, int new_runs, int64_t running_since)
{
    struct seg_run *r = ud;
    struct slot *s = slot_get(r, wave, site);
    if (!s)
        return;
    s->extra_since = running_since == SEG_TIME_NONE ? 0 : running_since;
    if (new_runs <= 0)
        return;
    r->notif_runs += (uint64_t)new_runs;
    r->dirty = true;
    if (!r->notif_warned) {
        r->notif_warned = true;
        message(r, "the bucket also notifies the function: each upload runs it once more; "
                   "those runs are counted apart (extra), not as the wave's");
    }
}

struct seg_run *seg_run_new(const struct seg_run_config *cfg)
{
    struct seg_run *r = seg_xcalloc(1, sizeof *r);
    r->cfg = *cfg;
    if (r->cfg.window_ms <= 0)
        r->cfg.window_ms = 30000;
    if (r->cfg.grace_ms <= 0)
        r->cfg.grace_ms = 120000;
    if (r->cfg.retry_wait_ms <= 0)
        r->cfg.retry_wait_ms = 200000;
    pthread_mutex_init(&r->lock, NULL);
    /* Cost where a REPORT lacks Memory Size: the functions' own (the pre-flight read it). */
    struct seg_store_config scfg;
    seg_store_config_defaults(&scfg);
    if (cfg->nsites && cfg->sites[0].memory_mb > 0)
        scfg.default_memory_mb = cfg->sites[0].memory_mb;
    r->store = seg_store_new(&scfg);
    for (size_t i = 0; i < cfg->nsites; i++)
        seg_store_set_site(r->store, cfg->sites[i].n, cfg->sites[i].function);
    struct seg_corr_hooks hooks = {
        .ud = r, .on_start = on_start, .on_report = on_report, .on_extra = on_extra};
    r->corr = seg_corr_new(r->store, cfg->trigger, &hooks);

    /* Log groups: the shared one, or one per site; a group several sites share is read as
     * a shared group (sites then come from the "Site ID:" lines). */
    r->groups = seg_xcalloc(cfg->nsites + 1, sizeof *r->groups);
    if (cfg->shared_log_group) {
        r->groups[r->ngroups++] = (struct seg_poller_group){cfg->shared_log_group, 0};
    } else {
        for (size_t i = 0; i < cfg->nsites; i++) {
            size_t j;
            for (j = 0; j < r->ngroups; j++)
                if (strcmp(r->groups[j].name, cfg->sites[i].log_group) == 0)
                    break;
            if (j < r->ngroups)
                r->groups[j].site = 0;
            else
                r->groups[r->ngroups++] =
                    (struct seg_poller_group){cfg->sites[i].log_group, cfg->sites[i].n};
        }
    }
    struct seg_poller_config pc = {.groups = r->groups,
                                   .ngroups = r->ngroups,
                                   .max_tps = cfg->log_tps,
                                   .window_ms = r->cfg.window_ms,
                                   .since = seg_logclock_now(&r->cfg.clock)};
    r->poller = seg_poller_new(&pc, r->corr, &r->cfg.clock);
    r->outstanding = seg_xcalloc(cfg->nsites + 2, sizeof *r->outstanding);
    r->t0_mono = seg_http_now_ms();
    r->last_pub_mono = -1e18;
    r->status.nladder = (int)cfg->nladder;
    r->status.trigger = cfg->trigger;
    r->status.account_concurrency = cfg->account_concurrency;
    r->status.config_failed = (uint32_t)cfg->config_failed;
    r->status.lag_p95_s = NAN;
    r->status.last_reports_s = NAN;
    r->status.fresh_p50_s = r->status.fresh_p95_s = r->status.fresh_max_s = NAN;
    r->status.fresh_wall_p50_s = r->status.fresh_wall_p95_s = r->status.fresh_wall_max_s = NAN;
    r->phase = PH_IDLE;
    r->idle_since = SEG_TIME_NONE;
    return r;
}

void seg_run_free(struct seg_run *r)
{
    if (!r)
        return;
    seg_poller_free(r->poller);
    seg_corr_free(r->corr);
    seg_store_free(r->store);
    for (size_t i = 0; i < r->nwaves; i++)
        free(r->waves[i].slots);
    free(r->waves);
    free(r->keys);
    free(r->groups);
    free(r->outstanding);
    free(r->fresh);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

struct seg_store *seg_run_store(struct seg_run *r)
{
    return r->store;
}

void seg_run_get_status(struct seg_run *r, struct seg_run_status *out)
{
    pthread_mutex_lock(&r->lock);
    *out = r->status;
    pthread_mutex_unlock(&r->lock);
}

/* ---- firing ---- */

static void message(struct seg_run *r, const char *fmt, ...)
{
    if (!r->cfg.on_message)
        return;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    r->cfg.on_message(r->cfg.hook_ud, text);
}

static uint64_t call_id(uint32_t tag, int wave, int site)
{
    return ((uint64_t)tag << 32) | ((uint64_t)(unsigned)wave << 17) | (uint64_t)(unsigned)site;
}

static void fire(struct seg_run *r, struct seg_http_client *c, int size)
{
    double cmd = seg_http_now_ms();
    int64_t now = seg_logclock_now(&r->cfg.clock);
    if (size < 1 || (size_t)size > r->cfg.nsites) {
        message(r, "no wave of %d: only %zu sites", size, r->cfg.nsites);
        return;
    }
    char key[SEG_KEY_MAX + 1];
    const char *tpl = r->cfg.key_template ? r->cfg.key_template : SEG_KEY_DEFAULT_TEMPLATE;
    if (seg_key_render(tpl, now, (int)r->nwaves + 1, size, r->keys, r->nwaves, key) != SEG_OK)
        return;
    int number = 0;
    if (seg_store_wave_begin(r->store, size, r->cfg.trigger, key, now, &number) != SEG_OK)
        return;
    r->waves = seg_xrealloc(r->waves, (r->nwaves + 1) * sizeof *r->waves);
    struct wave *w = &r->waves[r->nwaves++];
    *w = (struct wave){.number = number, .size = size, .cmd_mono = cmd};
    snprintf(w->key, sizeof w->key, "%s", key);
    w->slots = seg_xcalloc((size_t)size + 1, sizeof *w->slots);
    r->keys = seg_xrealloc(r->keys, r->nwaves * sizeof *r->keys);
    for (size_t i = 0; i < r->nwaves; i++)
        r->keys[i] = r->waves[i].key;
    seg_corr_add_wave(r->corr, number, w->key);

    /* Every trigger goes to the client now: all N are on the wire together. */
    bool invoke = r->cfg.trigger != SEG_TRIGGER_S3;
    for (int site = 1; site <= size; site++) {
        struct seg_http_call call = {0};
        seg_wave_put_call(&call, &r->cfg.sites[site - 1], w->key, r->cfg.image, r->cfg.image_len,
                          r->cfg.virtual_hosted, r->cfg.region);
        call.id = call_id(invoke ? UPLOAD_TAG : TRIG_TAG, number, site);
        if (!invoke) {
            call.flags = SEG_CALL_TRIGGER;
            call.max_attempts = 1 + r->cfg.trigger_retries;
        }
        seg_http_client_submit(c, &call);
    }
    pthread_mutex_lock(&r->lock);
    r->status.wave = number;
    r->status.size = size;
    pthread_mutex_unlock(&r->lock);
    r->dirty = true;
    message(r, "wave %d: %d trigger%s sent", number, size, size == 1 ? "" : "s");
}

static void send_invoke(struct seg_run *r, struct seg_http_client *c, struct wave *w, int site,
                        const struct seg_http_result *up)
{
    const struct seg_site *s = &r->cfg.sites[site - 1];
    const char *etag = seg_http_result_header(up, "ETag");
    struct seg_s3_event ev = {.region = r->cfg.region,
                              .bucket = s->bucket,
                              .key = w->key,
                              .size = r->cfg.image_len,
                              .etag = etag,
                              .event_time_ms = seg_logclock_now(&r->cfg.clock),
                              .sequencer = "0055AED6DCD90281E5",
                              .request_id = up->request_id[0] ? up->request_id : NULL,
                              .site = site};
    char *payload = seg_s3_event_json(&ev);
    struct seg_http_call call = {0};
    seg_wave_invoke_call(&call, s, payload, r->cfg.trigger == SEG_TRIGGER_EVENT);
    free(payload);
    call.id = call_id(TRIG_TAG, w->number, site);
    call.flags = SEG_CALL_TRIGGER;
    call.max_attempts = 1 + r->cfg.trigger_retries;
    if (r->cfg.trigger == SEG_TRIGGER_INVOKE) /* the answer comes after the execution */
        call.timeout_ms = (int)(timeout_ms(r, site) / r->cfg.clock.speed) + 60000;
    seg_http_client_submit(c, &call);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void date_sample(struct seg_run *r, const struct seg_http_result *res)
{
    if (!r->cfg.use_date_offset || !res->server_date || r->ndate >= MAX_DATE_SAMPLES)
        return;
    /* The Date header has 1 s resolution and is stamped while the response is built:
     * compare it with the middle of the exchange, and take the median. */
    double mid = (res->sent_ms + res->accepted_ms) / 2.0;
    int64_t local = seg_logclock_at(&r->cfg.clock, mid);
    r->date_samples[r->ndate++] = (int64_t)res->server_date * 1000 + 500 - local;
    int64_t tmp[MAX_DATE_SAMPLES];
    memcpy(tmp, r->date_samples, r->ndate * sizeof *tmp);
    qsort(tmp, r->ndate, sizeof *tmp, cmp_i64);
    seg_store_set_clock_offset(r->store, tmp[r->ndate / 2]);
}

static void trigger_failed(struct seg_run *r, struct wave *w, int site,
                           const struct seg_http_result *res, int64_t ts)
{
    bool throttled = res->status == 429 || strcmp(res->error.code, "SlowDown") == 0 ||
                     res->error.cls == SEG_AWS_CLASS_THROTTLING;
    char msg[700];
    if (res->outcome == SEG_HTTP_AWS_ERROR)
        snprintf(msg, sizeof msg, "%d %s: %s", res->status, res->error.code, res->error.message);
    else
        snprintf(msg, sizeof msg, "%s", res->transport_error[0] ? res->transport_error : "failed");
    if (seg_store_trigger_failed(r->store, w->number, site, ts, throttled, msg) != SEG_OK)
        return;
    w->slots[site].outcome = true;
    w->slots[site].last = throttled ? SEG_INV_THROTTLED : SEG_INV_TRIGGER_FAILED;
}

static void on_trigger(struct seg_run *r, struct seg_http_client *c, struct seg_http_result *res,
                       bool upload)
{
    int number = (int)((res->id >> 17) & 0x7fff);
    int site = (int)(res->id & 0x1ffff);
    struct wave *w = wave_get(r, number);
    if (!w || site < 1 || site > w->size)
        return;
    double sent = res->sent_ms > 0 ? res->sent_ms : seg_http_now_ms();
    int64_t sent_log = seg_logclock_at(&r->cfg.clock, sent);
    date_sample(r, res);
    if (upload) {
        if (res->outcome == SEG_HTTP_OK) {
            send_invoke(r, c, w, site, res);
            return;
        }
        /* No object, no invocation: the trigger failed at its first step. */
        if (seg_store_trigger_sent(r->store, w->number, site, sent_log) == SEG_OK)
            trigger_failed(r, w, site, res, sent_log);
        seg_corr_trigger_resolved(r->corr, w->number, site);
        w->results++;
        r->dirty = true;
        return;
    }
    w->results++;
    r->dirty = true;
    if (sent > w->last_sent_mono)
        w->last_sent_mono = sent;
    if (seg_store_trigger_sent(r->store, w->number, site, sent_log) != SEG_OK)
        return;
    struct slot *s = &w->slots[site];
    s->sent = true;
    bool invoke = r->cfg.trigger != SEG_TRIGGER_S3;
    if (res->outcome != SEG_HTTP_OK) {
        trigger_failed(r, w, site, res, sent_log);
        if (invoke)
            seg_corr_trigger_resolved(r->corr, w->number, site);
        return;
    }
    /* A synchronous Invoke answers when the run ends: it was accepted when it went out. */
    double acc = r->cfg.trigger == SEG_TRIGGER_INVOKE ? sent
                 : res->accepted_ms > 0               ? res->accepted_ms
                                                      : sent;
    const char *rid = invoke && res->request_id[0] ? res->request_id : NULL;
    r->accepted_any = true;
    enum seg_err e = seg_store_trigger_accepted(r->store, w->number, site,
                                                seg_logclock_at(&r->cfg.clock, acc), rid);
    if (e == SEG_OK && rid)
        seg_corr_known(r->corr, rid, w->number, site);
    if (invoke) /* after seg_corr_known: the answer's id is the wave's, any other is extra */
        seg_corr_trigger_resolved(r->corr, w->number, site);
    if (e != SEG_OK)
        return;
    /* s3 adds S3's delivery and Lambda's queue before the START: both fit in the grace. */
    s->deadline = sent_log + timeout_ms(r, site) + r->cfg.grace_ms;
}

static void on_result(void *ud, struct seg_http_client *c, struct seg_http_result *res)
{
    struct seg_run *r = ud;
    uint32_t tag = (uint32_t)(res->id >> 32);
    const char *sim_time = seg_http_result_header(res, SEG_SIM_TIME_HEADER);
    if (sim_time)
        seg_logclock_sync(&r->cfg.clock, strtoll(sim_time, NULL, 10), res->sent_ms,
                          res->accepted_ms);
    if (seg_poller_owns(res))
        seg_poller_on_result(r->poller, res);
    else if (tag == TRIG_TAG || tag == UPLOAD_TAG)
        on_trigger(r, c, res, tag == UPLOAD_TAG);
    else if (tag == WARM_TAG && r->warm_left)
        r->warm_left--;
    seg_http_result_release(res);
}

/* ---- bookkeeping ---- */

static bool retry_pending(const struct seg_run *r, const struct slot *s, int64_t now)
{
    /* A failed async attempt (s3, event) comes back up to twice, the same request id. */
    return r->cfg.trigger != SEG_TRIGGER_INVOKE && s->outcome && s->reports > 0 && s->reports < 3 &&
           (s->last == SEG_INV_ERROR || s->last == SEG_INV_TIMEOUT) &&
           now < s->last_end + r->cfg.retry_wait_ms;
}

/* Declares what is overdue, marks sites with work outstanding; true when nothing is. */
static bool sweep(struct seg_run *r, int64_t now)
{
    memset(r->outstanding, 0, (r->cfg.nsites + 2) * sizeof *r->outstanding);
    bool idle = true;
    for (size_t i = 0; i < r->nwaves; i++) {
        struct wave *w = &r->waves[i];
        for (int site = 1; site <= w->size; site++) {
            struct slot *s = &w->slots[site];
            if (!s->outcome && s->deadline && now > s->deadline) {
                if (seg_store_declare_missing(r->store, w->number, site, now) == SEG_OK) {
                    r->dirty = true;
                    s->outcome = true;
                    s->last = SEG_INV_MISSING;
                    r->idle_since = SEG_TIME_NONE; /* read past this outcome too */
                }
            }
            bool out =
                !s->outcome || retry_pending(r, s, now) ||
                (s->extra_since && now <= s->extra_since + timeout_ms(r, site) + r->cfg.grace_ms);
            if (out) {
                r->outstanding[site] = true;
                idle = false;
            }
        }
        if (!w->complete && w->results >= w->size && seg_store_wave_complete(r->store, w->number))
            w->complete = true;
    }
    return idle;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* p50/p95/max of the freshness samples (nearest rank), log clock and wall, in seconds. */
static void fresh_summary(struct seg_run *r, struct seg_run_status *st)
{
    if (!r->fresh_dirty || !r->nfresh)
        return;
    r->fresh_dirty = false;
    double *tmp = seg_xmalloc(r->nfresh * sizeof *tmp);
    memcpy(tmp, r->fresh, r->nfresh * sizeof *tmp);
    qsort(tmp, r->nfresh, sizeof *tmp, cmp_d);
    size_t n = r->nfresh;
    size_t k50 = (size_t)ceil(0.50 * (double)n) - 1, k95 = (size_t)ceil(0.95 * (double)n) - 1;
    double speed = r->cfg.clock.speed > 0 ? r->cfg.clock.speed : 1.0;
    st->fresh_n = (uint32_t)n;
    st->fresh_p50_s = tmp[k50] / 1000.0;
    st->fresh_p95_s = tmp[k95] / 1000.0;
    st->fresh_max_s = tmp[n - 1] / 1000.0;
    st->fresh_wall_p50_s = st->fresh_p50_s / speed;
    st->fresh_wall_p95_s = st->fresh_p95_s / speed;
    st->fresh_wall_max_s = st->fresh_max_s / speed;
    free(tmp);
}

static void publish(struct seg_run *r, double mono)
{
    struct seg_snapshot *snap = seg_store_snapshot(r->store);
    r->dirty = false;
    r->last_pub_mono = mono;
    struct seg_poller_stats ps;
    seg_poller_stats(r->poller, &ps);
    pthread_mutex_lock(&r->lock);
    struct seg_run_status *st = &r->status;
    st->t_s = (mono - r->t0_mono) / 1000.0;
    st->ladder_pos = (int)r->ladder_pos;
    const struct seg_wave_row *wr = seg_snapshot_wave(snap, st->wave);
    if (wr) {
        st->sent = wr->c.launched;
        st->accepted = wr->c.accepted;
        st->started = wr->c.started;
        st->done = wr->c.done;
        st->failed = wr->c.errors;
        st->missing = wr->c.missing;
    }
    st->logs_per_s = ps.calls_per_s;
    st->log_budget_tps = ps.rate;
    st->next_step = r->cfg.nladder ? (int)(r->ladder_pos % r->cfg.nladder) + 1 : 0;
    st->running_ladder = r->cfg.autorun && !r->stopped && r->phase != PH_DONE;
    st->throttles = ps.throttles;
    st->log_calls = ps.calls;
    st->log_queries = ps.queries;
    st->log_errors = ps.errors;
    st->logs_unread = r->logs_unread;
    st->lag_p95_s = ps.lag_p95_ms / 1000.0;
    if (r->nwaves) {
        const struct wave *w = &r->waves[r->nwaves - 1];
        st->last_trigger_on_wire_ms = w->last_sent_mono > 0 ? w->last_sent_mono - w->cmd_mono : NAN;
        st->last_reports_s = w->reported_mono > 0 ? (w->reported_mono - w->cmd_mono) / 1000.0 : NAN;
        st->last_reports_log_calls = w->reported_calls;
    }
    fresh_summary(r, st);
    st->notif_runs = r->notif_runs;
    st->draining = r->phase == PH_DRAIN;
    st->finished = r->phase == PH_DONE;
    st->interrupted = r->stopped;
    pthread_mutex_unlock(&r->lock);
    if (r->cfg.on_snapshot)
        r->cfg.on_snapshot(r->cfg.hook_ud, snap);
    seg_snapshot_release(snap);
}

/* Fires ladder step idx (0-based); `w` then goes on with the step after it, wrapping. */
static void fire_step(struct seg_run *r, struct seg_http_client *c, size_t idx)
{
    if (idx >= r->cfg.nladder)
        return;
    fire(r, c, r->cfg.ladder[idx]);
    r->ladder_pos = (idx + 1) % r->cfg.nladder;
}

static void autorun_stop(struct seg_run *r)
{
    r->cfg.autorun = false;
    r->auto_left = 0;
    r->skip_gap = false;
    r->phase = PH_IDLE;
    r->dirty = true;
}

/* The dashboard's `r`: the remaining steps, one after the other, --gap between them. */
static void autorun_interactive(struct seg_run *r, struct seg_http_client *c,
                                const struct wave *cur, int64_t now)
{
    if (!r->cfg.autorun)
        return;
    switch (r->phase) {
    case PH_IDLE:
        if (r->auto_left == 0) {
            autorun_stop(r);
            message(r, "ladder done");
            break;
        }
        r->auto_left--;
        fire_step(r, c, r->ladder_pos);
        r->phase = PH_WAITING;
        break;
    case PH_WAITING:
        if (cur && !cur->complete)
            break;
        if (r->auto_left == 0) {
            autorun_stop(r);
            message(r, "ladder done");
            break;
        }
        r->gap_until = r->skip_gap ? now : now + (int64_t)r->cfg.gap_ms;
        r->skip_gap = false;
        r->phase = PH_GAP;
        break;
    case PH_GAP:
        if (now >= r->gap_until)
            r->phase = PH_IDLE;
        break;
    default:
        break;
    }
}

/* Opens one connection per site of the largest wave (HeadBucket, answers ignored), so the
 * first wave's triggers do not wait for handshakes. curl keeps them (CURLMOPT_MAXCONNECTS). */
static void warm_up(struct seg_run *r, struct seg_http_client *c)
{
    size_t n = 1;
    for (size_t i = 0; i < r->cfg.nladder; i++)
        if ((size_t)r->cfg.ladder[i] > n)
            n = (size_t)r->cfg.ladder[i];
    if (n > r->cfg.nsites)
        n = r->cfg.nsites;
    for (size_t site = 1; site <= n; site++) {
        struct seg_http_call call = {0};
        seg_wave_head_call(&call, &r->cfg.sites[site - 1], r->cfg.virtual_hosted, r->cfg.region);
        call.id = call_id(WARM_TAG, 0, (int)site);
        call.max_attempts = 1;
        call.timeout_ms = (int)WARM_WAIT_MS;
        seg_http_client_submit(c, &call);
    }
    r->warm_sent = true;
    r->warm_left = n;
    r->warm_mono = seg_http_now_ms();
}

static int tick(void *ud, struct seg_http_client *c)
{
    struct seg_run *r = ud;
    double mono = seg_http_now_ms();
    int64_t now = seg_logclock_now(&r->cfg.clock);
    seg_store_set_now(r->store, now);
    seg_corr_flush(r->corr);
    bool idle = sweep(r, now);
    if (!r->warm_sent)
        warm_up(r, c);
    struct wave *cur = r->nwaves ? &r->waves[r->nwaves - 1] : NULL;
    if (r->cfg.interactive)
        autorun_interactive(r, c, cur, now);
    else if (r->cfg.autorun && !r->stopped) {
        switch (r->phase) {
        case PH_IDLE:
            if (r->warm_left && mono - r->warm_mono < WARM_WAIT_MS)
                break; /* the first wave waits for its connections */
            if (r->ladder_pos < r->cfg.nladder) {
                fire(r, c, r->cfg.ladder[r->ladder_pos++]);
                r->phase = PH_WAITING;
            } else {
                r->phase = PH_DRAIN;
            }
            break;
        case PH_WAITING:
            if (cur && cur->complete) {
                r->gap_until = now + (int64_t)r->cfg.gap_ms;
                r->phase = r->ladder_pos < r->cfg.nladder ? PH_GAP : PH_DRAIN;
            }
            break;
        case PH_GAP:
            if (now >= r->gap_until)
                r->phase = PH_IDLE;
            break;
        case PH_DRAIN: {
            /* Retries and late REPORTs: done when nothing is outstanding and the logs were
             * read completely past the last outcome. */
            struct seg_poller_stats ps;
            seg_poller_stats(r->poller, &ps);
            if (!idle) {
                r->idle_since = SEG_TIME_NONE;
            } else if (r->idle_since == SEG_TIME_NONE) {
                r->idle_since = now;
                r->idle_mono = mono;
                r->idle_pages = ps.pages;
                r->idle_errors = ps.errors;
            } else if (seg_poller_read_past(r->poller, r->idle_since) || !r->accepted_any) {
                r->phase = PH_DONE; /* no accepted trigger: no run can log */
            } else if (now > r->idle_since + DRAIN_MAX_MS + 2 * r->cfg.window_ms &&
                       ((ps.pages == r->idle_pages &&
                         ps.errors >= r->idle_errors + DRAIN_FAILED_CALLS) ||
                        mono > r->idle_mono + DRAIN_MAX_MS + 2 * r->cfg.window_ms)) {
                /* The logs cannot be read (refused, failing: calls failed and not one page
                 * came since; a few failures among good pages are faults, not this), or
                 * reads never get past it within the bound on the wall clock too (at a high
                 * --sim-speed the log clock outruns any sweep): finish, and say so. */
                message(r, "logs not read past the last outcome: giving up after %lld s",
                        (long long)((now - r->idle_since) / 1000));
                r->logs_unread = true;
                r->phase = PH_DONE;
            }
            break;
        }
        case PH_DONE:
            break;
        }
    }
    int wait = seg_poller_tick(r->poller, c, r->outstanding, (int)r->cfg.nsites);
    /* Snapshots on change, at most 4 a second; a heartbeat (elapsed times, clocks) every
     * 250 ms while work is outstanding, every second when idle. */
    double since = mono - r->last_pub_mono;
    bool busy = !idle || (r->cfg.autorun && r->phase != PH_IDLE);
    if (r->phase == PH_DONE || (since >= 250 && (r->dirty || busy || since >= 1000)))
        publish(r, mono);
    if (r->cfg.on_tick)
        r->cfg.on_tick(r->cfg.hook_ud, mono);
    return wait < 50 ? wait : 50;
}

struct seg_engine_driver seg_run_driver(struct seg_run *r)
{
    return (struct seg_engine_driver){.ud = r, .on_result = on_result, .tick = tick};
}

static void cmd_stop(void *ud, struct seg_http_client *c, void *arg)
{
    (void)c;
    (void)arg;
    struct seg_run *r = ud;
    r->stopped = true;
    r->phase = PH_DONE;
    publish(r, seg_http_now_ms());
}

void seg_run_request_stop(struct seg_engine *e)
{
    seg_engine_post(e, cmd_stop, NULL, 0);
}

static void cmd_wave(void *ud, struct seg_http_client *c, void *arg)
{
    struct seg_run *r = ud;
    fire(r, c, *(int *)arg);
}

void seg_run_request_wave(struct seg_engine *e, int size)
{
    seg_engine_post(e, cmd_wave, &size, sizeof size);
}

/* ---- the dashboard's ladder keys (engine thread) ---- */

static void cmd_next(void *ud, struct seg_http_client *c, void *arg)
{
    (void)arg;
    struct seg_run *r = ud;
    if (r->cfg.nladder)
        fire_step(r, c, r->ladder_pos % r->cfg.nladder);
    publish(r, seg_http_now_ms());
}

void seg_run_request_next(struct seg_engine *e)
{
    seg_engine_post(e, cmd_next, NULL, 0);
}

static void cmd_step(void *ud, struct seg_http_client *c, void *arg)
{
    struct seg_run *r = ud;
    int step = *(int *)arg;
    if (step >= 1 && (size_t)step <= r->cfg.nladder)
        fire_step(r, c, (size_t)step - 1);
    else
        message(r, "the ladder has %zu steps", r->cfg.nladder);
    publish(r, seg_http_now_ms());
}

void seg_run_request_step(struct seg_engine *e, int step)
{
    seg_engine_post(e, cmd_step, &step, sizeof step);
}

static void cmd_move(void *ud, struct seg_http_client *c, void *arg)
{
    (void)c;
    struct seg_run *r = ud;
    long pos = (long)(r->ladder_pos % (r->cfg.nladder ? r->cfg.nladder : 1)) + *(int *)arg;
    long last = r->cfg.nladder ? (long)r->cfg.nladder - 1 : 0;
    r->ladder_pos = (size_t)(pos < 0 ? 0 : pos > last ? last : pos);
    if (r->cfg.nladder)
        message(r, "next wave: step %zu (n=%d)", r->ladder_pos + 1, r->cfg.ladder[r->ladder_pos]);
    publish(r, seg_http_now_ms());
}

void seg_run_request_move(struct seg_engine *e, int delta)
{
    seg_engine_post(e, cmd_move, &delta, sizeof delta);
}

static void cmd_rest(void *ud, struct seg_http_client *c, void *arg)
{
    (void)c;
    (void)arg;
    struct seg_run *r = ud;
    if (!r->cfg.interactive || r->stopped || r->cfg.autorun || !r->cfg.nladder)
        return;
    size_t pos = r->ladder_pos % r->cfg.nladder;
    const struct wave *cur = r->nwaves ? &r->waves[r->nwaves - 1] : NULL;
    r->cfg.autorun = true;
    r->auto_left = r->cfg.nladder - pos;
    /* A wave already running is waited for, without a gap: the gap is between auto waves. */
    r->skip_gap = cur && !cur->complete;
    r->phase = r->skip_gap ? PH_WAITING : PH_IDLE;
    message(r, "running the ladder from step %zu: %zu wave%s, %.0f s apart", pos + 1, r->auto_left,
            r->auto_left == 1 ? "" : "s", r->cfg.gap_ms / 1000.0);
    publish(r, seg_http_now_ms());
}

void seg_run_request_rest(struct seg_engine *e)
{
    seg_engine_post(e, cmd_rest, NULL, 0);
}

static void cmd_halt(void *ud, struct seg_http_client *c, void *arg)
{
    (void)c;
    (void)arg;
    struct seg_run *r = ud;
    if (r->cfg.interactive)
        autorun_stop(r);
    else
        r->cfg.autorun = false;
    message(r, "stopped triggering: running executions finish, logs are still read");
    publish(r, seg_http_now_ms());
}

void seg_run_request_halt(struct seg_engine *e)
{
    seg_engine_post(e, cmd_halt, NULL, 0);
}
