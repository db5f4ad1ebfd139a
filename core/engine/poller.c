#include "engine/poller.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/poller_internal.h"
#include "logs/parse.h"
#include "util/xalloc.h"

struct seg_poller *seg_poller_new(const struct seg_poller_config *cfg, struct seg_corr *corr,
                                  struct seg_logclock *clock)
{
    struct seg_poller *p = seg_xcalloc(1, sizeof *p);
    p->cfg = *cfg;
    p->ngroups = cfg->ngroups;
    p->groups = seg_xcalloc(p->ngroups ? p->ngroups : 1, sizeof *p->groups);
    size_t per_site = 0; /* groups that belong to one site: the ones Insights may batch */
    for (size_t i = 0; i < p->ngroups; i++) {
        p->groups[i].name = cfg->groups[i].name;
        p->groups[i].site = cfg->groups[i].site;
        p->groups[i].last_complete = SEG_TIME_NONE;
        p->groups[i].batch = -1;
        per_site += cfg->groups[i].site != 0;
    }
    if (!cfg->no_insights && per_site > 1) {
        p->batches =
            seg_xcalloc((per_site + SEG_POLLER_BATCH - 1) / SEG_POLLER_BATCH, sizeof *p->batches);
        /* run.c lists per-site groups contiguously; a batch is a run of them */
        for (size_t i = 0; i < p->ngroups; i++) {
            if (p->groups[i].site == 0)
                continue;
            struct batch *b = p->nbatches ? &p->batches[p->nbatches - 1] : NULL;
            if (!b || b->n == SEG_POLLER_BATCH || b->first + b->n != i) {
                b = &p->batches[p->nbatches++];
                b->first = i;
                b->resume_from = SEG_TIME_NONE;
            }
            b->n++;
            p->groups[i].batch = (int)(b - p->batches);
        }
    }
    if (p->cfg.window_ms <= 0)
        p->cfg.window_ms = 30000;
    if (p->cfg.idle_every_ms <= 0)
        p->cfg.idle_every_ms = 5000;
    p->corr = corr;
    p->clock = clock;
    double now = seg_http_now_ms(), tps = cfg->max_tps > 0 ? cfg->max_tps : 4.0;
    seg_budget_init(&p->budget, tps, now);
    seg_budget_init(&p->qstart, tps, now);
    seg_budget_init(&p->qresults, tps, now);
    /* AWS answers in seconds; the simulator models 1-3 s of its own clock. */
    p->query_ms = 2000.0 / (clock && clock->speed > 0 ? clock->speed : 1.0);
    seg_dedupe_init(&p->seen, 1u << 18);
    p->st.lag_p95_ms = NAN;
    return p;
}

void seg_poller_free(struct seg_poller *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ngroups; i++)
        free(p->groups[i].token);
    for (size_t i = 0; i < p->nbatches; i++)
        free(p->batches[i].token);
    free(p->batches);
    free(p->groups);
    seg_dedupe_release(&p->seen);
    free(p);
}

uint64_t seg_poller_call_id(enum poll_kind kind, size_t index)
{
    return ((uint64_t)SEG_POLLER_CALL_TAG << 32) | ((uint64_t)kind << 24) | (index & 0xffffffu);
}

bool seg_poller_owns(const struct seg_http_result *r)
{
    return (r->id >> 32) == SEG_POLLER_CALL_TAG;
}

bool seg_poller_is_throttle(const struct seg_http_result *r)
{
    return r->outcome == SEG_HTTP_AWS_ERROR &&
           (r->error.cls == SEG_AWS_CLASS_THROTTLING ||
            strcmp(r->error.code, "ThrottlingException") == 0 ||
            strcmp(r->error.code, "LimitExceededException") == 0);
}

bool seg_poller_prefers_insights(size_t n, double tps, double query_ms)
{
    /* Twice a query's time: a query also costs a StartQuery and result calls. */
    return n > 1 && tps > 0 && (double)n * 1000.0 / tps > 2.0 * query_ms;
}

double seg_poller_insights_sweep_s(size_t n, double tps, double query_ms)
{
    double batches = ceil((double)n / SEG_POLLER_BATCH);
    return 2.0 * batches / tps + query_ms / 1000.0;
}

static bool site_outstanding(const bool *outstanding, int nsites, int site)
{
    if (!outstanding)
        return false;
    if (site != 0)
        return site <= nsites && outstanding[site];
    for (int s = 1; s <= nsites; s++) /* the shared group holds every site's logs */
        if (outstanding[s])
            return true;
    return false;
}

/* Marks the groups to read now: the outstanding ones, or when nothing is outstanding
 * anywhere, the idle ones that are due. Returns how many. */
static size_t mark_wanted(struct seg_poller *p, const bool *outstanding, int nsites, double now)
{
    size_t nout = 0, nidle = 0;
    for (size_t i = 0; i < p->ngroups; i++) {
        struct group *g = &p->groups[i];
        g->want = site_outstanding(outstanding, nsites, g->site);
        nout += g->want;
    }
    if (nout)
        return nout;
    for (size_t i = 0; i < p->ngroups; i++) {
        struct group *g = &p->groups[i];
        g->want = now >= g->next_idle_ms;
        nidle += g->want;
    }
    return nidle;
}

/* The next group for a FilterLogEvents call: one in the middle of paging first, then the
 * wanted ones round-robin. */
static struct group *pick(struct seg_poller *p, bool batched)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (p->groups[i].token && !p->groups[i].in_flight)
            return &p->groups[i];
    for (size_t k = 0; k < p->ngroups; k++) {
        struct group *g = &p->groups[(p->rr + k) % p->ngroups];
        if (!g->want || g->in_flight || (batched && g->batch >= 0))
            continue;
        p->rr = (size_t)(g - p->groups + 1) % p->ngroups;
        return g;
    }
    return NULL;
}

int seg_poller_tick(struct seg_poller *p, struct seg_http_client *c, const bool *outstanding,
                    int nsites)
{
    double now = seg_http_now_ms();
    seg_budget_update(&p->budget, now);
    mark_wanted(p, outstanding, nsites, now);
    size_t nbatched = 0;
    for (size_t i = 0; i < p->ngroups; i++)
        nbatched += p->groups[i].want && p->groups[i].batch >= 0;
    /* Insights when a round of one call per wanted group would take longer than a query
     * (twice its expected time: a query also costs StartQuery and result calls). */
    bool batched =
        p->nbatches && seg_poller_prefers_insights(nbatched, p->budget.rate, p->query_ms);
    int wait = 1000;
    if (p->nbatches)
        wait = seg_poller_insights_tick(p, c, now, batched);
    /* A few reads in flight at most: the budget, not concurrency, bounds the rate. */
    int max_in_flight = (int)ceil(p->budget.max_tps);
    while (p->in_flight < max_in_flight) {
        if (seg_budget_wait_ms(&p->budget, now) > 0)
            break;
        struct group *g = pick(p, batched);
        if (!g)
            break;
        if (!seg_budget_take(&p->budget, now))
            break;
        if (!g->token)
            g->next_idle_ms = now + p->cfg.idle_every_ms;
        seg_poller_filter_submit(p, c, g);
    }
    int w = seg_budget_wait_ms(&p->budget, now);
    if (w < wait)
        wait = w;
    return wait < 5 ? 5 : wait;
}

void seg_poller_on_result(struct seg_poller *p, struct seg_http_result *r)
{
    enum poll_kind kind = (enum poll_kind)((r->id >> 24) & 0xff);
    size_t i = (size_t)(r->id & 0xffffffu);
    if (kind == K_FILTER && i < p->ngroups)
        seg_poller_filter_result(p, &p->groups[i], r);
    else if ((kind == K_START || kind == K_RESULTS) && i < p->nbatches)
        seg_poller_insights_result(p, kind, &p->batches[i], r);
}

static void lag_add(struct seg_poller *p, double lag)
{
    p->lags[p->lag_head] = lag;
    p->lag_head = (p->lag_head + 1) % LAG_RING;
    if (p->nlags < LAG_RING)
        p->nlags++;
}

void seg_poller_ingest(struct seg_poller *p, int site, const struct seg_log_event *ev)
{
    /* Two keys: the eventId, and the content, which is all an Insights row has. A repeat of
     * either is a repeat (the trailing window returns every event several times). */
    size_t mlen = ev->message_len;
    while (mlen && (ev->message[mlen - 1] == '\n' || ev->message[mlen - 1] == '\r'))
        mlen--;
    char key[1200];
    int klen = snprintf(key, sizeof key, "%d|%s|%lld|%zu|%llx", site, ev->stream, (long long)ev->ts,
                        mlen, (unsigned long long)seg_dedupe_hash(ev->message, mlen));
    if (klen < 0)
        return;
    bool fresh =
        seg_dedupe_add(&p->seen, key, (size_t)klen < sizeof key ? (size_t)klen : sizeof key);
    if (ev->event_id) {
        klen = snprintf(key, sizeof key, "%d#%s", site, ev->event_id);
        if (klen > 0 &&
            !seg_dedupe_add(&p->seen, key, (size_t)klen < sizeof key ? (size_t)klen : sizeof key))
            fresh = false;
    }
    if (!fresh) {
        p->st.dup_events++;
        return;
    }
    p->st.events++;
    if (ev->ingest != SEG_TIME_NONE)
        seg_logclock_observe(p->clock, ev->ingest, seg_http_now_ms());
    struct seg_log_record rec;
    if (seg_log_parse_report(ev->message, ev->message_len, &rec) != SEG_OK &&
        seg_log_parse(ev->message, ev->message_len, &rec) != SEG_OK)
        return;
    if (rec.kind == SEG_LOG_REPORT && ev->ingest != SEG_TIME_NONE)
        lag_add(p, (double)(ev->ingest - ev->ts));
    seg_corr_event(p->corr, site, ev->stream, ev->ts, ev->ingest, &rec);
}

void seg_poller_read_done(struct seg_poller *p, struct group *g, int64_t start)
{
    /* Everything stamped before the read began, minus what may still be on its way in
     * (the window), has been seen. */
    g->last_complete = start;
    seg_corr_covered(p->corr, g->site, start - p->cfg.window_ms);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void seg_poller_stats(const struct seg_poller *p, struct seg_poller_stats *out)
{
    *out = p->st;
    double now = seg_http_now_ms();
    out->calls_per_s = seg_budget_calls_per_s(&p->budget, now) +
                       seg_budget_calls_per_s(&p->qstart, now) +
                       seg_budget_calls_per_s(&p->qresults, now);
    /* The most throttled API's budget: that is the one holding the reads back. */
    out->rate = p->budget.rate;
    if (p->nbatches && p->qstart.rate < out->rate)
        out->rate = p->qstart.rate;
    if (p->nbatches && p->qresults.rate < out->rate)
        out->rate = p->qresults.rate;
    out->query_ms = p->query_ms;
    out->lag_p95_ms = NAN;
    if (p->nlags) {
        double tmp[LAG_RING];
        memcpy(tmp, p->lags, p->nlags * sizeof *tmp);
        qsort(tmp, p->nlags, sizeof *tmp, cmp_d);
        size_t k = (size_t)ceil(0.95 * (double)p->nlags) - 1;
        out->lag_p95_ms = tmp[k < p->nlags ? k : p->nlags - 1];
    }
}

bool seg_poller_read_past(const struct seg_poller *p, int64_t t)
{
    for (size_t i = 0; i < p->ngroups; i++)
        if (p->groups[i].last_complete == SEG_TIME_NONE || p->groups[i].last_complete < t)
            return false;
    return true;
}
