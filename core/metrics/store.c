#include "metrics/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/store_internal.h"
#include "util/xalloc.h"

#define MAX_INTERVAL_S 3600 /* longer START..REPORT spans are bogus (Lambda max is 900 s) */

/* Tells the observer (if any) about a mutation that succeeded. */
#define NOTIFY(s, fn, ...)                          \
    do {                                            \
        if ((s)->obs && (s)->obs->fn)               \
            (s)->obs->fn((s)->obs_ud, __VA_ARGS__); \
    } while (0)

void seg_store_config_defaults(struct seg_store_config *c)
{
    c->price_gb_s = SEG_PRICE_GB_S_DEFAULT;
    c->price_request = SEG_PRICE_REQUEST_DEFAULT;
    c->default_memory_mb = 6200;
    c->concurrency_window_s = 600;
    c->max_error_message = 256;
}

void seg_report_init(struct seg_report *r)
{
    memset(r, 0, sizeof *r);
    r->ts_ms = r->ingest_ms = r->event_time_ms = r->db_write_ms = SEG_TIME_NONE;
    r->duration_ms = r->billed_ms = r->init_ms = NAN;
    r->memory_mb = r->max_memory_mb = -1;
    r->status = SEG_INV_OK;
}

struct seg_store *seg_store_new(const struct seg_store_config *config)
{
    struct seg_store *s = seg_xcalloc(1, sizeof *s);
    if (config)
        s->cfg = *config;
    else
        seg_store_config_defaults(&s->cfg);
    if (s->cfg.concurrency_window_s <= 0)
        s->cfg.concurrency_window_s = 600;
    if (s->cfg.max_error_message == 0)
        s->cfg.max_error_message = 256;
    s->now_ms = SEG_TIME_NONE;
    for (int m = 0; m < SEG_METRIC__COUNT; m++)
        seg_hist_init(&s->all[m]);
    seg_strpool_init(&s->strings);
    return s;
}

void seg_store_free(struct seg_store *s)
{
    if (!s)
        return;
    for (int w = 0; w < s->n_waves; w++) {
        free(s->waves[w].latest);
        for (int m = 0; m < SEG_METRIC__COUNT; m++)
            seg_hist_release(&s->waves[w].h[m]);
    }
    for (int i = 1; i <= s->n_sites; i++) {
        seg_hist_release(&s->sites[i].exec);
        seg_hist_release(&s->sites[i].init);
        free(s->sites[i].lines);
    }
    for (int m = 0; m < SEG_METRIC__COUNT; m++)
        seg_hist_release(&s->all[m]);
    free(s->waves);
    free(s->sites);
    free(s->invs);
    free(s->rid_slots);
    free(s->running);
    free(s->conc);
    seg_strpool_release(&s->strings);
    free(s);
}

static struct site *site_get(struct seg_store *s, int site)
{
    if (site > s->n_sites) {
        s->sites = seg_xrealloc(s->sites, ((size_t)site + 1) * sizeof *s->sites);
        for (int i = s->n_sites + 1; i <= site; i++) {
            struct site *st = &s->sites[i];
            memset(st, 0, sizeof *st);
            st->max_memory = -1;
            st->latest = -1;
            seg_hist_init(&st->exec);
            seg_hist_init(&st->init);
        }
        s->n_sites = site;
    }
    return &s->sites[site];
}

void seg_store_set_site(struct seg_store *s, int site, const char *function)
{
    if (site < 1)
        return;
    site_get(s, site)->function = seg_strpool_add(&s->strings, function);
    NOTIFY(s, set_site, site, function);
}

void seg_store_set_clock_offset(struct seg_store *s, int64_t offset_ms)
{
    s->offset_ms = offset_ms;
    NOTIFY(s, set_clock_offset, offset_ms);
}

void seg_store_set_now(struct seg_store *s, int64_t now_ms)
{
    s->now_ms = now_ms;
    NOTIFY(s, set_now, now_ms);
}

/* Bytes of text kept: at most SEG_STORE_LINE_MAX, never ending inside a UTF-8 character. */
static size_t line_cut(const char *text)
{
    size_t n = strnlen(text, SEG_STORE_LINE_MAX);
    if (n == SEG_STORE_LINE_MAX)
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    return n;
}

void seg_store_log_line(struct seg_store *s, int site, int64_t ts_ms, const char *text)
{
    if (site < 1 || site > s->n_sites || !text)
        return;
    struct site *st = &s->sites[site];
    if (!st->lines)
        st->lines = seg_xcalloc(1, sizeof *st->lines);
    struct site_lines *l = st->lines;
    if (l->n == SEG_STORE_SITE_LINES) {
        if (ts_ms < l->ts[0])
            return; /* older than every line kept */
        memmove(l->ts, l->ts + 1, (l->n - 1) * sizeof *l->ts);
        memmove(l->text, l->text + 1, (l->n - 1) * sizeof *l->text);
        l->n--;
    }
    /* Pages arrive out of order: insert by time, after lines of the same time. */
    size_t i = l->n;
    while (i > 0 && l->ts[i - 1] > ts_ms) {
        l->ts[i] = l->ts[i - 1];
        memcpy(l->text[i], l->text[i - 1], sizeof l->text[i]);
        i--;
    }
    size_t n = line_cut(text);
    l->ts[i] = ts_ms;
    memcpy(l->text[i], text, n);
    l->text[i][n] = 0;
    l->n++;
}

void seg_store_set_observer(struct seg_store *s, const struct seg_store_observer *ops, void *ud)
{
    s->obs = ops;
    s->obs_ud = ops ? ud : NULL;
}

enum seg_err seg_store_wave_begin(struct seg_store *s, int size, enum seg_trigger trigger,
                                  const char *trigger_key, int64_t now_ms, int *wave)
{
    if (size < 1 || size > 1000000)
        return SEG_ERR_INVALID;
    if (s->n_waves == s->alloc_waves) {
        s->alloc_waves = s->alloc_waves ? s->alloc_waves * 2 : 16;
        s->waves = seg_xrealloc(s->waves, (size_t)s->alloc_waves * sizeof *s->waves);
    }
    struct wave *w = &s->waves[s->n_waves];
    memset(w, 0, sizeof *w);
    w->size = size;
    w->trigger = trigger;
    w->key = seg_strpool_add(&s->strings, trigger_key);
    w->begin = now_ms;
    w->first_sent = w->last_end = w->first_start = SEG_TIME_NONE;
    w->latest = seg_xmalloc(((size_t)size + 1) * sizeof *w->latest);
    for (int i = 0; i <= size; i++)
        w->latest[i] = -1;
    for (int m = 0; m < SEG_METRIC__COUNT; m++)
        seg_hist_init(&w->h[m]);
    s->n_waves++;
    (void)site_get(s, size); /* every site of the wave shows in the sites panel */
    *wave = s->n_waves;
    NOTIFY(s, wave_begin, size, trigger, trigger_key, now_ms, s->n_waves);
    return SEG_OK;
}

/* ---- request id index ---------------------------------------------------------------- */

static uint64_t hash_str(const char *p)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static size_t rid_slot(const struct seg_store *s, const char *rid)
{
    size_t mask = s->rid_cap - 1;
    size_t i = (size_t)hash_str(rid) & mask;
    while (s->rid_slots[i] && strcmp(s->invs[s->rid_slots[i] - 1].rid, rid) != 0)
        i = (i + 1) & mask;
    return i;
}

static void rid_grow(struct seg_store *s)
{
    uint32_t *old = s->rid_slots;
    size_t old_cap = s->rid_cap;
    s->rid_cap = old_cap ? old_cap * 2 : 1024;
    s->rid_slots = seg_xcalloc(s->rid_cap, sizeof *s->rid_slots);
    for (size_t i = 0; i < old_cap; i++)
        if (old[i])
            s->rid_slots[rid_slot(s, s->invs[old[i] - 1].rid)] = old[i];
    free(old);
}

/* Points the id at attempt idx (the newest attempt wins for retries sharing an id). */
static void rid_index(struct seg_store *s, int32_t idx)
{
    if ((s->rid_used + 1) * 2 > s->rid_cap)
        rid_grow(s);
    size_t slot = rid_slot(s, s->invs[idx].rid);
    if (!s->rid_slots[slot])
        s->rid_used++;
    s->rid_slots[slot] = (uint32_t)idx + 1;
}

static int32_t rid_lookup(const struct seg_store *s, const char *rid)
{
    if (!rid || !s->rid_cap)
        return -1;
    uint32_t v = s->rid_slots[rid_slot(s, rid)];
    return v ? (int32_t)v - 1 : -1;
}

/* ---- aggregates ---------------------------------------------------------------------- */

static bool is_error(enum seg_inv_status st)
{
    return st == SEG_INV_ERROR || st == SEG_INV_TIMEOUT || st == SEG_INV_THROTTLED ||
           st == SEG_INV_TRIGGER_FAILED;
}

static void counts_add(struct seg_counts *c, const struct seg_counts *d, int sign)
{
    c->launched += (uint32_t)(sign * (int)d->launched);
    c->accepted += (uint32_t)(sign * (int)d->accepted);
    c->started += (uint32_t)(sign * (int)d->started);
    c->running += (uint32_t)(sign * (int)d->running);
    c->done += (uint32_t)(sign * (int)d->done);
    c->missing += (uint32_t)(sign * (int)d->missing);
    c->errors += (uint32_t)(sign * (int)d->errors);
    c->throttles += (uint32_t)(sign * (int)d->throttles);
    c->settled += (uint32_t)(sign * (int)d->settled);
}

/* Counters are a pure function of each attempt's state: subtract an attempt's share before
 * changing it and add it back after (sign -1, then +1), so no transition is special-cased. */
static void contrib(struct seg_store *s, int32_t idx, int sign)
{
    const struct inv *v = &s->invs[idx];
    enum seg_inv_status st = (enum seg_inv_status)v->status;
    bool latest = !v->superseded;
    struct seg_counts d = {0};
    d.launched = v->attempt == 1 && v->sent != SEG_TIME_NONE;
    d.accepted = v->attempt == 1 && v->accepted != SEG_TIME_NONE;
    d.started = latest && (v->start != SEG_TIME_NONE || v->has_report);
    d.running = v->run_pos >= 0;
    d.done = latest && v->has_report;
    d.missing = latest && st == SEG_INV_MISSING;
    d.errors = latest && is_error(st);
    d.throttles = st == SEG_INV_THROTTLED;
    d.settled = latest && st != SEG_INV_PENDING;
    counts_add(&s->waves[v->wave - 1].c, &d, sign);
    counts_add(&s->total, &d, sign);
    struct site *site = &s->sites[v->site];
    site->invocations += (uint32_t)sign;
    site->errors += (uint32_t)(sign * (st != SEG_INV_OK && st != SEG_INV_PENDING));
}

static void running_add(struct seg_store *s, int32_t idx)
{
    if (s->invs[idx].run_pos >= 0)
        return;
    if (s->n_running == s->alloc_running) {
        s->alloc_running = s->alloc_running ? s->alloc_running * 2 : 256;
        s->running = seg_xrealloc(s->running, s->alloc_running * sizeof *s->running);
    }
    s->invs[idx].run_pos = (int32_t)s->n_running;
    s->running[s->n_running++] = idx;
}

static void running_remove(struct seg_store *s, int32_t idx)
{
    int32_t pos = s->invs[idx].run_pos;
    if (pos < 0)
        return;
    int32_t last = s->running[--s->n_running];
    s->running[pos] = last;
    s->invs[last].run_pos = pos;
    s->invs[idx].run_pos = -1;
}

/* The per-second concurrency series covers at most this span: a bogus timestamp far from the
 * others must not make it allocate gigabytes (older seconds are dropped instead). */
#define MAX_SERIES_S (7 * 86400)

static void conc_add(struct seg_store *s, int64_t start_ms, int64_t end_ms)
{
    if (start_ms == SEG_TIME_NONE || end_ms == SEG_TIME_NONE || end_ms < start_ms)
        return;
    int64_t a = start_ms / 1000, b = end_ms / 1000;
    if (b - a > MAX_INTERVAL_S)
        a = b - MAX_INTERVAL_S;
    if (s->conc) {
        int64_t last = s->conc_base_s + (int64_t)s->n_conc - 1;
        if (b < last - MAX_SERIES_S)
            return; /* entirely before the window kept */
        if (a < last - MAX_SERIES_S)
            a = last - MAX_SERIES_S;
    }
    if (!s->conc) {
        s->conc_base_s = a;
    } else if (a < s->conc_base_s) {
        size_t shift = (size_t)(s->conc_base_s - a);
        s->conc = seg_xrealloc(s->conc, (s->n_conc + shift) * sizeof *s->conc);
        memmove(s->conc + shift, s->conc, s->n_conc * sizeof *s->conc);
        memset(s->conc, 0, shift * sizeof *s->conc);
        s->n_conc += shift;
        s->conc_base_s = a;
    }
    size_t need = (size_t)(b - s->conc_base_s) + 1;
    if (need > (size_t)MAX_SERIES_S + 1) {
        /* Slide the window forward: drop the oldest seconds. */
        size_t drop = need - ((size_t)MAX_SERIES_S + 1);
        if (drop >= s->n_conc) {
            memset(s->conc, 0, s->n_conc * sizeof *s->conc);
        } else {
            memmove(s->conc, s->conc + drop, (s->n_conc - drop) * sizeof *s->conc);
            memset(s->conc + s->n_conc - drop, 0, drop * sizeof *s->conc);
        }
        s->conc_base_s += (int64_t)drop;
        need -= drop;
        if (a < s->conc_base_s)
            a = s->conc_base_s;
    }
    if (need > s->n_conc) {
        s->conc = seg_xrealloc(s->conc, need * sizeof *s->conc);
        memset(s->conc + s->n_conc, 0, (need - s->n_conc) * sizeof *s->conc);
        s->n_conc = need;
    }
    for (int64_t t = a; t <= b; t++)
        s->conc[t - s->conc_base_s]++;
}

/* The wave's span (concurrency chart) begins at its earliest START. */
static void wave_started(struct wave *w, int64_t start_ms)
{
    if (start_ms != SEG_TIME_NONE && (w->first_start == SEG_TIME_NONE || start_ms < w->first_start))
        w->first_start = start_ms;
}

static const char *pool_msg(struct seg_store *s, const char *msg)
{
    if (!msg)
        return NULL;
    size_t n = strnlen(msg, s->cfg.max_error_message);
    return seg_strpool_addn(&s->strings, msg, n);
}

static void fold_error(struct seg_store *s, int32_t idx, int64_t ts)
{
    const struct inv *v = &s->invs[idx];
    enum seg_errsig sig =
        seg_errsig_classify((enum seg_inv_status)v->status, v->err_type, v->err_msg);
    if (sig == SEG_ERRSIG_NONE)
        return;
    struct site *st = &s->sites[v->site];
    const char *msg = v->err_msg ? v->err_msg : v->err_type;
    st->sig_count[sig]++;
    st->sig_last_ms[sig] = ts;
    st->sig_last[sig] = msg;
    st->last_error = msg ? msg : seg_errsig_name(sig);
}

/* ---- attempts ------------------------------------------------------------------------ */

static struct wave *wave_of(struct seg_store *s, int wave, int site)
{
    if (wave < 1 || wave > s->n_waves)
        return NULL;
    struct wave *w = &s->waves[wave - 1];
    return site >= 1 && site <= w->size ? w : NULL;
}

/* Appends attempt prev+1 of (wave, site) (attempt 1 when prev < 0). */
static int32_t new_attempt(struct seg_store *s, int wave, int site, int32_t prev)
{
    if (s->n_invs >= INT32_MAX - 1)
        SEG_BUG("too many invocations");
    if (s->n_invs == s->alloc_invs) {
        s->alloc_invs = s->alloc_invs ? s->alloc_invs + s->alloc_invs / 2 : 1024;
        s->invs = seg_xrealloc(s->invs, s->alloc_invs * sizeof *s->invs);
    }
    int32_t idx = (int32_t)s->n_invs++;
    struct inv *v = &s->invs[idx];
    memset(v, 0, sizeof *v);
    v->sent = v->accepted = v->start = v->end = v->event_time = v->db_write = SEG_TIME_NONE;
    v->duration = v->billed = v->init = NAN;
    v->exec = v->e2e = v->lag = INV_NONE;
    v->memory = v->max_memory = -1;
    v->wave = wave;
    v->site = site;
    v->prev = prev;
    v->run_pos = -1;
    v->cold = -1;
    v->status = SEG_INV_PENDING;
    v->attempt = 1;
    if (prev >= 0) {
        contrib(s, prev, -1);
        s->invs[prev].superseded = 1;
        contrib(s, prev, +1);
        v = &s->invs[idx];
        const struct inv *p = &s->invs[prev];
        v->attempt = (uint16_t)(p->attempt + 1);
        v->sent = p->sent; /* e2e of a retry still counts from the trigger */
        v->accepted = p->accepted;
        v->event_time = p->event_time;
    }
    s->waves[wave - 1].latest[site] = idx;
    site_get(s, site)->latest = idx;
    contrib(s, idx, +1);
    return idx;
}

static int32_t latest_of(struct seg_store *s, int wave, int site)
{
    struct wave *w = wave_of(s, wave, site);
    return w ? w->latest[site] : -1;
}

/* A further attempt (an async retry) of the request id of attempt idx. It continues the chain
 * of (wave, site) from its latest attempt, not from idx: when a duplicated S3 event ran under
 * another id meanwhile, chaining from idx would fork the chain and the exports, which walk it
 * from the latest attempt, would lose one branch. */
static int32_t retry_attempt(struct seg_store *s, int32_t idx)
{
    const char *rid = s->invs[idx].rid;
    int wave = s->invs[idx].wave, site = s->invs[idx].site;
    int32_t n = new_attempt(s, wave, site, latest_of(s, wave, site));
    s->invs[n].rid = rid;
    rid_index(s, n);
    return n;
}

/* trigger_sent without the notification: trigger_failed uses it for a send it implies. */
static enum seg_err trigger_sent(struct seg_store *s, int wave, int site, int64_t ts_ms)
{
    struct wave *w = wave_of(s, wave, site);
    if (!w)
        return SEG_ERR_INVALID;
    if (w->latest[site] >= 0)
        return SEG_ERR_STATE;
    int32_t idx = new_attempt(s, wave, site, -1);
    contrib(s, idx, -1);
    s->invs[idx].sent = ts_ms;
    contrib(s, idx, +1);
    if (ts_ms != SEG_TIME_NONE && (w->first_sent == SEG_TIME_NONE || ts_ms < w->first_sent))
        w->first_sent = ts_ms;
    return SEG_OK;
}

enum seg_err seg_store_trigger_sent(struct seg_store *s, int wave, int site, int64_t ts_ms)
{
    enum seg_err err = trigger_sent(s, wave, site, ts_ms);
    if (!err)
        NOTIFY(s, trigger_sent, wave, site, ts_ms);
    return err;
}

static enum seg_err bind(struct seg_store *s, int wave, int site, const char *rid)
{
    int32_t idx = latest_of(s, wave, site);
    if (idx < 0)
        return wave_of(s, wave, site) ? SEG_ERR_STATE : SEG_ERR_INVALID;
    struct inv *v = &s->invs[idx];
    if (v->rid && strcmp(v->rid, rid) == 0)
        return SEG_OK;
    if (v->rid) {
        if (v->status == SEG_INV_PENDING)
            return SEG_ERR_STATE;
        idx = new_attempt(s, wave, site, idx);
        v = &s->invs[idx];
    }
    v->rid = seg_strpool_add(&s->strings, rid);
    rid_index(s, idx);
    return SEG_OK;
}

enum seg_err seg_store_trigger_accepted(struct seg_store *s, int wave, int site, int64_t ts_ms,
                                        const char *request_id)
{
    int32_t idx = latest_of(s, wave, site);
    if (idx < 0)
        return wave_of(s, wave, site) ? SEG_ERR_STATE : SEG_ERR_INVALID;
    contrib(s, idx, -1);
    s->invs[idx].accepted = ts_ms;
    contrib(s, idx, +1);
    enum seg_err err = request_id && *request_id ? bind(s, wave, site, request_id) : SEG_OK;
    /* The time is kept even when the bind fails, so the observer hears what did change. */
    NOTIFY(s, trigger_accepted, wave, site, ts_ms, err ? NULL : request_id);
    return err;
}

enum seg_err seg_store_trigger_failed(struct seg_store *s, int wave, int site, int64_t ts_ms,
                                      bool throttled, const char *message)
{
    struct wave *w = wave_of(s, wave, site);
    if (!w)
        return SEG_ERR_INVALID;
    int32_t idx = w->latest[site];
    if (idx < 0) { /* failed before the engine recorded the send */
        enum seg_err err = trigger_sent(s, wave, site, ts_ms);
        if (err)
            return err;
        idx = w->latest[site];
    }
    if (s->invs[idx].status != SEG_INV_PENDING)
        return SEG_ERR_STATE;
    contrib(s, idx, -1);
    running_remove(s, idx);
    struct inv *v = &s->invs[idx];
    v->status = throttled ? SEG_INV_THROTTLED : SEG_INV_TRIGGER_FAILED;
    v->err_msg = pool_msg(s, message);
    contrib(s, idx, +1);
    fold_error(s, idx, ts_ms);
    NOTIFY(s, trigger_failed, wave, site, ts_ms, throttled, message);
    return SEG_OK;
}

enum seg_err seg_store_bind(struct seg_store *s, int wave, int site, const char *request_id)
{
    if (!request_id || !*request_id)
        return SEG_ERR_INVALID;
    enum seg_err err = bind(s, wave, site, request_id);
    if (!err)
        NOTIFY(s, bind, wave, site, request_id);
    return err;
}

enum seg_err seg_store_start(struct seg_store *s, const char *request_id, int64_t ts_ms)
{
    int32_t idx = rid_lookup(s, request_id);
    if (idx < 0)
        return SEG_ERR_NOTFOUND;
    if (s->invs[idx].has_report) {
        if (s->invs[idx].start == ts_ms)
            return SEG_ERR_STATE; /* the START we already have */
        idx = retry_attempt(s, idx);
    }
    contrib(s, idx, -1);
    struct inv *v = &s->invs[idx];
    v->start = ts_ms;
    if (v->status == SEG_INV_PENDING)
        running_add(s, idx);
    wave_started(&s->waves[v->wave - 1], ts_ms);
    contrib(s, idx, +1);
    NOTIFY(s, start, request_id, ts_ms);
    return SEG_OK;
}

static int32_t clamp_ms(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < -INT32_MAX ? -INT32_MAX : (int32_t)v;
}

static int32_t round_ms(double v)
{
    if (isnan(v))
        return INV_NONE;
    return clamp_ms((int64_t)llround(v < -2e9 ? -2e9 : v > 2e9 ? 2e9 : v));
}

enum seg_err seg_store_report(struct seg_store *s, const char *request_id,
                              const struct seg_report *r)
{
    if (r->status != SEG_INV_OK && r->status != SEG_INV_ERROR && r->status != SEG_INV_TIMEOUT)
        return SEG_ERR_INVALID;
    if (r->ts_ms == SEG_TIME_NONE)
        return SEG_ERR_INVALID;
    int32_t idx = rid_lookup(s, request_id);
    if (idx < 0)
        return SEG_ERR_NOTFOUND;
    if (s->invs[idx].has_report) {
        if (s->invs[idx].end == r->ts_ms)
            return SEG_ERR_STATE;
        idx = retry_attempt(s, idx);
    }
    contrib(s, idx, -1);
    running_remove(s, idx);
    struct inv *v = &s->invs[idx];
    struct wave *w = &s->waves[v->wave - 1];
    struct site *st = &s->sites[v->site];
    v->end = r->ts_ms;
    v->duration = r->duration_ms;
    v->billed = r->billed_ms;
    v->init = r->init_ms;
    v->memory = r->memory_mb;
    v->max_memory = r->max_memory_mb;
    v->cold = r->cold || !isnan(r->init_ms);
    v->status = (uint8_t)r->status;
    v->err_type = pool_msg(s, r->error_type);
    v->err_msg = pool_msg(s, r->error_message);
    if (r->event_time_ms != SEG_TIME_NONE)
        v->event_time = r->event_time_ms;
    if (r->db_write_ms != SEG_TIME_NONE)
        v->db_write = r->db_write_ms;
    if (w->trigger == SEG_TRIGGER_S3) {
        if (v->event_time != SEG_TIME_NONE)
            v->exec = clamp_ms(v->end - v->event_time);
    } else if (v->accepted != SEG_TIME_NONE) {
        v->exec = clamp_ms(v->end - (v->accepted + s->offset_ms));
    }
    if (v->sent != SEG_TIME_NONE)
        v->e2e = clamp_ms(v->end - (v->sent + s->offset_ms));
    if (r->ingest_ms != SEG_TIME_NONE)
        v->lag = clamp_ms(r->ingest_ms - v->end);
    v->has_report = 1;
    contrib(s, idx, +1);

    /* Append-only aggregates: one REPORT per attempt reaches here. */
    double mem = v->memory > 0 ? v->memory : s->cfg.default_memory_mb;
    double cost = isnan(v->billed) ? s->cfg.price_request
                                   : mem / 1024.0 * v->billed / 1000.0 * s->cfg.price_gb_s +
                                         s->cfg.price_request;
    w->c.reports++;
    w->c.cold += (uint32_t)v->cold;
    w->c.cost_usd += cost;
    s->total.reports++;
    s->total.cold += (uint32_t)v->cold;
    s->total.cost_usd += cost;
    if (w->last_end == SEG_TIME_NONE || v->end > w->last_end)
        w->last_end = v->end;
    int32_t vals[SEG_METRIC__COUNT] = {
        [SEG_METRIC_INIT] = v->cold ? round_ms(v->init) : INV_NONE,
        [SEG_METRIC_EXEC] = v->exec,
        [SEG_METRIC_BILLED] = round_ms(v->billed),
        [SEG_METRIC_E2E] = v->e2e,
        [SEG_METRIC_LAG] = v->lag,
    };
    for (int m = 0; m < SEG_METRIC__COUNT; m++) {
        if (vals[m] == INV_NONE)
            continue;
        seg_hist_add(&w->h[m], vals[m]);
        seg_hist_add(&s->all[m], vals[m]);
    }
    if (v->exec != INV_NONE) {
        seg_stats_acc_add(&w->exec, v->exec);
        seg_hist_add(&st->exec, v->exec);
    }
    if (vals[SEG_METRIC_INIT] != INV_NONE)
        seg_hist_add(&st->init, vals[SEG_METRIC_INIT]);
    seg_stats_acc_add(&w->cost, cost);
    st->reports++;
    st->cold += (uint32_t)v->cold;
    if (v->max_memory > st->max_memory)
        st->max_memory = v->max_memory;
    int64_t start = v->start;
    if (start == SEG_TIME_NONE && !isnan(v->duration))
        start = v->end - (int64_t)llround(v->duration);
    conc_add(s, start, v->end);
    wave_started(w, start);
    fold_error(s, idx, v->end);
    NOTIFY(s, report, request_id, r);
    return SEG_OK;
}

enum seg_err seg_store_declare_missing(struct seg_store *s, int wave, int site, int64_t now_ms)
{
    int32_t idx = latest_of(s, wave, site);
    if (idx < 0)
        return wave_of(s, wave, site) ? SEG_ERR_STATE : SEG_ERR_INVALID;
    if (s->invs[idx].status != SEG_INV_PENDING)
        return SEG_ERR_STATE;
    contrib(s, idx, -1);
    running_remove(s, idx);
    s->invs[idx].status = SEG_INV_MISSING;
    s->invs[idx].err_msg = "no REPORT within the function timeout plus grace";
    contrib(s, idx, +1);
    fold_error(s, idx, now_ms);
    NOTIFY(s, declare_missing, wave, site, now_ms);
    return SEG_OK;
}

enum seg_err seg_store_find(const struct seg_store *s, const char *request_id, int *wave, int *site,
                            int *attempt)
{
    int32_t idx = rid_lookup(s, request_id);
    if (idx < 0)
        return SEG_ERR_NOTFOUND;
    *wave = s->invs[idx].wave;
    *site = s->invs[idx].site;
    *attempt = s->invs[idx].attempt;
    return SEG_OK;
}

size_t seg_store_count(const struct seg_store *s)
{
    return s->n_invs;
}

int seg_store_wave_count(const struct seg_store *s)
{
    return s->n_waves;
}

bool seg_store_wave_complete(const struct seg_store *s, int wave)
{
    if (wave < 1 || wave > s->n_waves)
        return false;
    const struct wave *w = &s->waves[wave - 1];
    return w->c.launched == (uint32_t)w->size && w->c.settled == (uint32_t)w->size;
}

/* ---- copies for other threads -------------------------------------------------------- */

static void row_from(const struct seg_store *s, const struct inv *v, struct seg_inv_table *t,
                     struct seg_inv_row *r)
{
    const struct wave *w = &s->waves[v->wave - 1];
    r->wave = v->wave;
    r->site = v->site;
    r->attempt = v->attempt;
    r->function = seg_strpool_add(&t->strings, s->sites[v->site].function);
    r->trigger = seg_trigger_name(w->trigger);
    r->request_id = seg_strpool_add(&t->strings, v->rid);
    r->trigger_key = seg_strpool_add(&t->strings, w->key);
    r->trigger_sent = v->sent;
    r->trigger_accepted = v->accepted;
    r->start = v->start;
    r->end = v->end;
    r->event_time = v->event_time;
    r->db_write = v->db_write;
    r->exec_ms = v->exec == INV_NONE ? SEG_TIME_NONE : v->exec;
    r->e2e_ms = v->e2e == INV_NONE ? SEG_TIME_NONE : v->e2e;
    r->ingest_lag_ms = v->lag == INV_NONE ? SEG_TIME_NONE : v->lag;
    r->duration_ms = v->duration;
    r->billed_ms = v->billed;
    r->init_ms = v->init;
    r->memory_mb = v->memory;
    r->max_memory_mb = v->max_memory;
    r->cold = v->cold;
    r->status = (enum seg_inv_status)v->status;
    r->error_type = seg_strpool_add(&t->strings, v->err_type);
    r->error_message = seg_strpool_add(&t->strings, v->err_msg);
}

/* Rows in (wave, site, attempt) order; site 0 means every site. */
static struct seg_inv_table *table_of(const struct seg_store *s, int only_site)
{
    struct seg_inv_table *t = seg_xcalloc(1, sizeof *t);
    seg_strpool_init(&t->strings);
    size_t cap = only_site ? 16 : s->n_invs;
    t->rows = seg_xmalloc((cap ? cap : 1) * sizeof *t->rows);
    int32_t *chain = NULL;
    size_t chain_cap = 0;
    for (int wi = 0; wi < s->n_waves; wi++) {
        const struct wave *w = &s->waves[wi];
        int lo = only_site ? only_site : 1, hi = only_site ? only_site : w->size;
        for (int site = lo; site <= hi && site <= w->size; site++) {
            size_t k = 0;
            for (int32_t i = w->latest[site]; i >= 0; i = s->invs[i].prev) {
                if (k == chain_cap) {
                    chain_cap = chain_cap ? chain_cap * 2 : 8;
                    chain = seg_xrealloc(chain, chain_cap * sizeof *chain);
                }
                chain[k++] = i;
            }
            while (k > 0) {
                if (t->n == cap) {
                    cap *= 2;
                    t->rows = seg_xrealloc(t->rows, cap * sizeof *t->rows);
                }
                row_from(s, &s->invs[chain[--k]], t, &t->rows[t->n++]);
            }
        }
    }
    free(chain);
    return t;
}

struct seg_inv_table *seg_store_table(const struct seg_store *s)
{
    return table_of(s, 0);
}

struct seg_inv_table *seg_store_site_detail(const struct seg_store *s, int site)
{
    struct seg_inv_table *t = table_of(s, site < 1 ? -1 : site);
    const struct site_lines *l = site >= 1 && site <= s->n_sites ? s->sites[site].lines : NULL;
    for (size_t i = 0; l && i < l->n; i++) {
        t->lines[i].ts_ms = l->ts[i];
        t->lines[i].text = seg_strpool_add(&t->strings, l->text[i]);
    }
    t->n_lines = l ? l->n : 0;
    return t;
}

void seg_inv_table_free(struct seg_inv_table *t)
{
    if (!t)
        return;
    free(t->rows);
    seg_strpool_release(&t->strings);
    free(t);
}

static size_t hist_bytes(const struct seg_hist *h)
{
    return h->alloc * sizeof *h->vals;
}

size_t seg_store_memory(const struct seg_store *s)
{
    size_t b = sizeof *s + s->alloc_invs * sizeof *s->invs + s->rid_cap * sizeof(uint32_t) +
               s->alloc_running * sizeof(int32_t) + s->n_conc * sizeof(uint32_t) + s->strings.bytes;
    for (int m = 0; m < SEG_METRIC__COUNT; m++)
        b += hist_bytes(&s->all[m]);
    for (int w = 0; w < s->n_waves; w++) {
        b += sizeof s->waves[w] + ((size_t)s->waves[w].size + 1) * sizeof(int32_t);
        for (int m = 0; m < SEG_METRIC__COUNT; m++)
            b += hist_bytes(&s->waves[w].h[m]);
    }
    for (int i = 1; i <= s->n_sites; i++)
        b += sizeof s->sites[i] + hist_bytes(&s->sites[i].exec) + hist_bytes(&s->sites[i].init) +
             (s->sites[i].lines ? sizeof *s->sites[i].lines : 0);
    return b;
}
