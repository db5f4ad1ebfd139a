#include "metrics/snapshot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/store_internal.h"
#include "util/xalloc.h"

static const char *const state_names[SEG_SITE__COUNT] = {
    [SEG_SITE_IDLE] = "idle",       [SEG_SITE_TRIGGERED] = "triggered",
    [SEG_SITE_RUNNING] = "running", [SEG_SITE_OK_COLD] = "ok-cold",
    [SEG_SITE_OK_WARM] = "ok-warm", [SEG_SITE_ERROR] = "error",
    [SEG_SITE_TIMEOUT] = "timeout", [SEG_SITE_THROTTLED] = "throttled",
    [SEG_SITE_MISSING] = "missing",
};

const char *seg_site_state_name(enum seg_site_state s)
{
    return (unsigned)s < SEG_SITE__COUNT ? state_names[s] : "";
}

struct seg_snapshot *seg_snapshot_acquire(struct seg_snapshot *snap)
{
    atomic_fetch_add_explicit(&snap->refs, 1, memory_order_relaxed);
    return snap;
}

void seg_snapshot_release(struct seg_snapshot *snap)
{
    if (!snap)
        return;
    /* acq_rel: the freeing thread must see every other holder's reads finished. */
    if (atomic_fetch_sub_explicit(&snap->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(snap->waves);
    free(snap->sites);
    free(snap->conc);
    free(snap->span);
    free(snap->errors);
    free(snap->scaling);
    free(snap->cmp_consecutive);
    free(snap->cmp_all);
    seg_strpool_release(&snap->strings);
    free(snap);
}

const struct seg_wave_row *seg_snapshot_wave(const struct seg_snapshot *snap, int w)
{
    return w >= 1 && (size_t)w <= snap->n_waves ? &snap->waves[w - 1] : NULL;
}

static enum seg_site_state state_of(const struct inv *v)
{
    switch ((enum seg_inv_status)v->status) {
    case SEG_INV_PENDING:
        return v->start != SEG_TIME_NONE ? SEG_SITE_RUNNING : SEG_SITE_TRIGGERED;
    case SEG_INV_OK:
        return v->cold > 0 ? SEG_SITE_OK_COLD : SEG_SITE_OK_WARM;
    case SEG_INV_ERROR:
    case SEG_INV_TRIGGER_FAILED:
    case SEG_INV__COUNT:
        return SEG_SITE_ERROR;
    case SEG_INV_TIMEOUT:
        return SEG_SITE_TIMEOUT;
    case SEG_INV_THROTTLED:
        return SEG_SITE_THROTTLED;
    case SEG_INV_MISSING:
        return SEG_SITE_MISSING;
    }
    return SEG_SITE_ERROR;
}

static double pct(uint32_t part, uint32_t whole)
{
    return whole ? 100.0 * part / whole : NAN;
}

static void build_waves(struct seg_store *s, struct seg_snapshot *snap)
{
    snap->n_waves = (size_t)s->n_waves;
    snap->waves = seg_xcalloc(snap->n_waves ? snap->n_waves : 1, sizeof *snap->waves);
    for (int i = 0; i < s->n_waves; i++) {
        struct wave *w = &s->waves[i];
        struct seg_wave_row *r = &snap->waves[i];
        r->wave = i + 1;
        r->size = w->size;
        r->trigger = w->trigger;
        r->trigger_key = seg_strpool_add(&snap->strings, w->key);
        r->begin_ms = w->begin;
        r->makespan_ms = w->last_end != SEG_TIME_NONE && w->first_sent != SEG_TIME_NONE
                             ? w->last_end - (w->first_sent + s->offset_ms)
                             : -1;
        r->complete = seg_store_wave_complete(s, i + 1);
        r->c = w->c;
        r->cold_pct = pct(w->c.cold, w->c.reports);
        r->mean_exec_ms = w->exec.n ? w->exec.mean : NAN;
        r->sd_exec_ms = w->exec.n ? seg_stats_acc_sd(&w->exec) : NAN;
        r->mean_cost_usd = w->cost.n ? w->cost.mean : NAN;
        r->sd_cost_usd = w->cost.n ? seg_stats_acc_sd(&w->cost) : NAN;
        for (int m = 0; m < SEG_METRIC__COUNT; m++)
            seg_hist_summarize(&w->h[m], &r->dist[m]);
    }
    if (s->n_waves)
        memcpy(snap->current, snap->waves[s->n_waves - 1].dist, sizeof snap->current);
    snap->current_wave = s->n_waves;
}

static int32_t pct_or_unknown(struct seg_hist *h, double p)
{
    return h->n ? seg_hist_percentile(h, p) : -1;
}

static void build_sites(struct seg_store *s, struct seg_snapshot *snap)
{
    snap->n_sites = (size_t)s->n_sites;
    snap->sites = seg_xcalloc(snap->n_sites ? snap->n_sites : 1, sizeof *snap->sites);
    size_t n_err = 0;
    for (int i = 1; i <= s->n_sites; i++) {
        struct site *st = &s->sites[i];
        struct seg_site_row *r = &snap->sites[i - 1];
        r->site = i;
        r->function = seg_strpool_add(&snap->strings, st->function);
        r->invocations = st->invocations;
        r->reports = st->reports;
        r->cold = st->cold;
        r->errors = st->errors;
        r->cold_pct = pct(st->cold, st->reports);
        r->p50_exec_ms = pct_or_unknown(&st->exec, 50);
        r->p95_exec_ms = pct_or_unknown(&st->exec, 95);
        r->p50_init_ms = pct_or_unknown(&st->init, 50);
        r->max_memory_mb = st->max_memory;
        r->last_error = seg_strpool_add(&snap->strings, st->last_error);
        r->state = st->latest >= 0 ? state_of(&s->invs[st->latest]) : SEG_SITE_IDLE;
        for (int g = 0; g < SEG_ERRSIG__COUNT; g++)
            n_err += st->sig_count[g] > 0;
    }
    snap->errors = seg_xcalloc(n_err ? n_err : 1, sizeof *snap->errors);
    for (int i = 1; i <= s->n_sites; i++) {
        struct site *st = &s->sites[i];
        for (int g = 0; g < SEG_ERRSIG__COUNT; g++) {
            if (!st->sig_count[g])
                continue;
            struct seg_error_row *e = &snap->errors[snap->n_errors++];
            e->site = i;
            e->sig = (enum seg_errsig)g;
            e->count = st->sig_count[g];
            e->last_ms = st->sig_last_ms[g];
            e->last_message =
                seg_strpool_add(&snap->strings, st->sig_last[g] ? st->sig_last[g] : "");
        }
    }
}

static void build_concurrency(struct seg_store *s, struct seg_snapshot *snap)
{
    int64_t now_s = s->now_ms != SEG_TIME_NONE ? s->now_ms / 1000 : SEG_TIME_NONE;
    int64_t last = s->n_conc ? s->conc_base_s + (int64_t)s->n_conc - 1 : SEG_TIME_NONE;
    if (now_s != SEG_TIME_NONE && (last == SEG_TIME_NONE || now_s > last))
        last = now_s;
    for (size_t i = 0; i < s->n_conc; i++)
        if (s->conc[i] > snap->conc_peak)
            snap->conc_peak = s->conc[i];
    if (last == SEG_TIME_NONE) {
        snap->conc = seg_xcalloc(1, sizeof *snap->conc);
        return;
    }
    int64_t first = last - s->cfg.concurrency_window_s + 1;
    snap->conc_first_s = first;
    snap->n_conc = (size_t)s->cfg.concurrency_window_s;
    snap->conc = seg_xcalloc(snap->n_conc, sizeof *snap->conc);
    for (int64_t t = first; t <= last; t++) {
        int64_t k = t - s->conc_base_s;
        if (s->n_conc && k >= 0 && (size_t)k < s->n_conc)
            snap->conc[t - first] = s->conc[k];
    }
    /* Executions still running count from their START to now. */
    for (size_t i = 0; i < s->n_running; i++) {
        int64_t a = s->invs[s->running[i]].start / 1000;
        for (int64_t t = a > first ? a : first; t <= last; t++)
            snap->conc[t - first]++;
    }
    for (size_t i = 0; i < snap->n_conc; i++)
        if (snap->conc[i] > snap->conc_peak)
            snap->conc_peak = snap->conc[i];
}

static void build_span(struct seg_store *s, struct seg_snapshot *snap)
{
    const struct wave *w = NULL;
    for (int i = s->n_waves; i-- > 0 && !w;)
        if (s->waves[i].first_start != SEG_TIME_NONE) {
            w = &s->waves[i];
            snap->span_wave = i + 1;
        }
    if (!w)
        return;
    int64_t end = w->last_end;
    if (w->c.running > 0 && s->now_ms != SEG_TIME_NONE && (end == SEG_TIME_NONE || s->now_ms > end))
        end = s->now_ms;
    if (end == SEG_TIME_NONE || end < w->first_start)
        end = w->first_start;
    int64_t a = w->first_start / 1000, b = end / 1000;
    if (b - a + 1 > SEG_SNAPSHOT_SPAN_MAX_S)
        a = b - SEG_SNAPSHOT_SPAN_MAX_S + 1;
    snap->span_begin_ms = w->first_start;
    snap->span_end_ms = end;
    snap->span_first_s = a;
    snap->n_span = (size_t)(b - a + 1);
    snap->span = seg_xcalloc(snap->n_span, sizeof *snap->span);
    for (int64_t t = a; t <= b; t++) {
        int64_t k = t - s->conc_base_s;
        if (s->n_conc && k >= 0 && (size_t)k < s->n_conc)
            snap->span[t - a] = s->conc[k];
    }
    for (size_t i = 0; i < s->n_running; i++) {
        int64_t st = s->invs[s->running[i]].start / 1000;
        for (int64_t t = st > a ? st : a; t <= b; t++)
            snap->span[t - a]++;
    }
}

/* Chan et al.'s parallel merge of running moments. */
static void acc_merge(struct seg_stats_acc *a, const struct seg_stats_acc *b)
{
    if (!b->n)
        return;
    if (!a->n) {
        *a = *b;
        return;
    }
    double n = (double)(a->n + b->n), d = b->mean - a->mean;
    a->m2 += b->m2 + d * d * (double)a->n * (double)b->n / n;
    a->mean += d * (double)b->n / n;
    a->n += b->n;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

struct group {
    struct seg_stats_acc exec, cost, exec_means, cost_means, makespan;
};

static void compare(const struct seg_scaling_row *a, const struct seg_scaling_row *b,
                    struct seg_scaling_cmp *c)
{
    c->size_a = a->size;
    c->size_b = b->size;
    seg_stats_welch(a->exec_wave_mean.mean, a->exec_wave_mean.sd, a->exec_wave_mean.n,
                    b->exec_wave_mean.mean, b->exec_wave_mean.sd, b->exec_wave_mean.n, &c->exec);
    seg_stats_welch(a->cost_wave_mean.mean, a->cost_wave_mean.sd, a->cost_wave_mean.n,
                    b->cost_wave_mean.mean, b->cost_wave_mean.sd, b->cost_wave_mean.n, &c->cost);
}

static void bonferroni(struct seg_scaling_cmp *c, size_t n)
{
    size_t m_exec = 0, m_cost = 0;
    for (size_t i = 0; i < n; i++) {
        m_exec += c[i].exec.valid;
        m_cost += c[i].cost.valid;
    }
    for (size_t i = 0; i < n; i++) {
        c[i].exec_p_adj = seg_stats_bonferroni(c[i].exec.p, m_exec);
        c[i].cost_p_adj = seg_stats_bonferroni(c[i].cost.p, m_cost);
    }
}

static void build_scaling(struct seg_store *s, struct seg_snapshot *snap)
{
    int n = s->n_waves;
    int *sizes = seg_xmalloc(((size_t)n + 1) * sizeof *sizes);
    int k = 0;
    for (int i = 0; i < n; i++)
        sizes[i] = s->waves[i].size;
    qsort(sizes, (size_t)n, sizeof *sizes, cmp_int);
    for (int i = 0; i < n; i++)
        if (k == 0 || sizes[k - 1] != sizes[i])
            sizes[k++] = sizes[i];
    struct group *g = seg_xcalloc((size_t)k + 1, sizeof *g);
    for (int i = 0; i < n; i++) {
        struct wave *w = &s->waves[i];
        int *hit = bsearch(&w->size, sizes, (size_t)k, sizeof *sizes, cmp_int);
        struct group *gr = &g[hit - sizes];
        acc_merge(&gr->exec, &w->exec);
        acc_merge(&gr->cost, &w->cost);
        if (w->exec.n)
            seg_stats_acc_add(&gr->exec_means, w->exec.mean);
        if (w->cost.n)
            seg_stats_acc_add(&gr->cost_means, w->cost.mean);
        if (w->last_end != SEG_TIME_NONE && w->first_sent != SEG_TIME_NONE)
            seg_stats_acc_add(&gr->makespan,
                              (double)(w->last_end - (w->first_sent + s->offset_ms)));
    }
    snap->n_scaling = (size_t)k;
    snap->scaling = seg_xcalloc((size_t)k + 1, sizeof *snap->scaling);
    for (int i = 0; i < k; i++) {
        struct seg_scaling_row *r = &snap->scaling[i];
        r->size = sizes[i];
        r->n_waves = 0;
        for (int j = 0; j < n; j++)
            r->n_waves += s->waves[j].size == sizes[i];
        seg_stats_ci(&g[i].exec, 0.95, &r->exec);
        seg_stats_ci(&g[i].cost, 0.95, &r->cost);
        seg_stats_ci(&g[i].exec_means, 0.95, &r->exec_wave_mean);
        seg_stats_ci(&g[i].cost_means, 0.95, &r->cost_wave_mean);
        seg_stats_ci(&g[i].makespan, 0.95, &r->makespan);
    }
    snap->n_cmp_consecutive = k > 1 ? (size_t)k - 1 : 0;
    snap->cmp_consecutive =
        seg_xcalloc(snap->n_cmp_consecutive + 1, sizeof(struct seg_scaling_cmp));
    for (int i = 0; i + 1 < k; i++)
        compare(&snap->scaling[i], &snap->scaling[i + 1], &snap->cmp_consecutive[i]);
    bonferroni(snap->cmp_consecutive, snap->n_cmp_consecutive);
    snap->n_cmp_all = k > 1 ? (size_t)k * (size_t)(k - 1) / 2 : 0;
    snap->cmp_all = seg_xcalloc(snap->n_cmp_all + 1, sizeof(struct seg_scaling_cmp));
    size_t c = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            compare(&snap->scaling[i], &snap->scaling[j], &snap->cmp_all[c++]);
    bonferroni(snap->cmp_all, snap->n_cmp_all);
    free(g);
    free(sizes);
}

struct seg_snapshot *seg_store_snapshot(struct seg_store *s)
{
    struct seg_snapshot *snap = seg_xcalloc(1, sizeof *snap);
    atomic_init(&snap->refs, 1);
    seg_strpool_init(&snap->strings);
    snap->seq = ++s->seq;
    snap->now_ms = s->now_ms;
    snap->total = s->total;
    for (int m = 0; m < SEG_METRIC__COUNT; m++)
        seg_hist_summarize(&s->all[m], &snap->all[m]);
    build_waves(s, snap);
    build_sites(s, snap);
    build_concurrency(s, snap);
    build_span(s, snap);
    build_scaling(s, snap);
    return snap;
}
