#include "engine/poller.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/budget.h"
#include "engine/dedupe.h"
#include "logs/parse.h"
#include "util/xalloc.h"

#define LAG_RING 1024

struct group {
    const char *name;
    int site;
    int64_t last_complete; /* log time at which the last complete read started; NONE */
    int64_t query_start;   /* of the read in progress */
    int64_t from;          /* its startTime */
    char *token;           /* next page of the read in progress */
    bool in_flight;
    double next_idle_ms; /* monotonic: next read while idle */
};

struct seg_poller {
    struct seg_poller_config cfg;
    struct group *groups;
    size_t ngroups;
    size_t rr; /* round-robin cursor */
    struct seg_corr *corr;
    struct seg_logclock *clock;
    struct seg_budget budget;
    struct seg_dedupe seen;
    int in_flight;
    uint64_t seq;
    struct seg_poller_stats st;
    double lags[LAG_RING];
    size_t nlags, lag_head;
};

struct seg_poller *seg_poller_new(const struct seg_poller_config *cfg, struct seg_corr *corr,
                                  struct seg_logclock *clock)
{
    struct seg_poller *p = seg_xcalloc(1, sizeof *p);
    p->cfg = *cfg;
    p->ngroups = cfg->ngroups;
    p->groups = seg_xcalloc(p->ngroups ? p->ngroups : 1, sizeof *p->groups);
    for (size_t i = 0; i < p->ngroups; i++) {
        p->groups[i].name = cfg->groups[i].name;
        p->groups[i].site = cfg->groups[i].site;
        p->groups[i].last_complete = SEG_TIME_NONE;
    }
    if (p->cfg.window_ms <= 0)
        p->cfg.window_ms = 30000;
    if (p->cfg.idle_every_ms <= 0)
        p->cfg.idle_every_ms = 5000;
    p->corr = corr;
    p->clock = clock;
    seg_budget_init(&p->budget, cfg->max_tps > 0 ? cfg->max_tps : 4.0, seg_http_now_ms());
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
    free(p->groups);
    seg_dedupe_release(&p->seen);
    free(p);
}

bool seg_poller_owns(const struct seg_http_result *r)
{
    return (r->id >> 32) == SEG_POLLER_CALL_TAG;
}

static void submit(struct seg_poller *p, struct seg_http_client *c, struct group *g)
{
    if (!g->token) {
        g->query_start = seg_logclock_now(p->clock);
        /* Re-read the window behind the last complete read: events become visible only
         * after their ingestion delay, with timestamps in the past. */
        g->from = g->last_complete == SEG_TIME_NONE ? p->cfg.since - p->cfg.window_ms
                                                    : g->last_complete - p->cfg.window_ms;
        if (g->from < 0)
            g->from = 0;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "logGroupName", g->name);
    cJSON_AddNumberToObject(o, "startTime", (double)g->from);
    cJSON_AddNumberToObject(o, "limit", 10000);
    if (g->token)
        cJSON_AddStringToObject(o, "nextToken", g->token);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!body)
        seg_fatal("out of memory (cJSON)");

    struct seg_http_call call = {0};
    call.id = ((uint64_t)SEG_POLLER_CALL_TAG << 32) | (uint64_t)(g - p->groups);
    call.service = SEG_AWS_LOGS;
    call.max_attempts = 1; /* the budget decides when to try again, not the client */
    call.timeout_ms = 20000;
    seg_http_req_init(&call.req);
    if (seg_http_req_set_target(&call.req, "POST", "/") != SEG_OK)
        SEG_BUG("static target refused");
    seg_http_req_add_header(&call.req, "Content-Type", "application/x-amz-json-1.1");
    seg_http_req_add_header(&call.req, "X-Amz-Target", "Logs_20140328.FilterLogEvents");
    seg_http_req_set_body(&call.req, body, strlen(body));
    free(body);
    g->in_flight = true;
    p->in_flight++;
    p->st.calls++;
    seg_http_client_submit(c, &call);
}

/* The next group to read: one in the middle of paging first, then outstanding ones
 * round-robin, then idle ones when due. */
static struct group *pick(struct seg_poller *p, const bool *outstanding, int nsites, double now)
{
    if (!p->ngroups)
        return NULL;
    for (size_t i = 0; i < p->ngroups; i++)
        if (p->groups[i].token && !p->groups[i].in_flight)
            return &p->groups[i];
    bool any = false;
    for (size_t k = 0; k < p->ngroups; k++) {
        struct group *g = &p->groups[(p->rr + k) % p->ngroups];
        bool out = g->site == 0                       ? true
                   : g->site <= nsites && outstanding ? outstanding[g->site]
                                                      : false;
        if (g->site == 0) {
            out = false;
            for (int s = 1; s <= nsites && outstanding && !out; s++)
                out = outstanding[s];
        }
        any |= out;
        if (out && !g->in_flight) {
            p->rr = (size_t)(g - p->groups + 1) % p->ngroups;
            return g;
        }
    }
    if (any)
        return NULL;
    for (size_t k = 0; k < p->ngroups; k++) {
        struct group *g = &p->groups[(p->rr + k) % p->ngroups];
        if (!g->in_flight && now >= g->next_idle_ms) {
            g->next_idle_ms = now + p->cfg.idle_every_ms;
            p->rr = (size_t)(g - p->groups + 1) % p->ngroups;
            return g;
        }
    }
    return NULL;
}

int seg_poller_tick(struct seg_poller *p, struct seg_http_client *c, const bool *outstanding,
                    int nsites)
{
    double now = seg_http_now_ms();
    seg_budget_update(&p->budget, now);
    /* A few reads in flight at most: the budget, not concurrency, bounds the rate. */
    int max_in_flight = (int)ceil(p->budget.max_tps);
    while (p->in_flight < max_in_flight) {
        if (seg_budget_wait_ms(&p->budget, now) > 0)
            break;
        struct group *g = pick(p, outstanding, nsites, now);
        if (!g)
            break;
        if (!seg_budget_take(&p->budget, now))
            break;
        submit(p, c, g);
    }
    int w = seg_budget_wait_ms(&p->budget, now);
    return w < 5 ? 5 : w;
}

static void lag_add(struct seg_poller *p, double lag)
{
    p->lags[p->lag_head] = lag;
    p->lag_head = (p->lag_head + 1) % LAG_RING;
    if (p->nlags < LAG_RING)
        p->nlags++;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void page(struct seg_poller *p, struct group *g, const struct seg_http_result *r)
{
    cJSON *root = cJSON_ParseWithLength(r->body ? r->body : "", r->body_len);
    if (!root) {
        p->st.errors++;
        free(g->token);
        g->token = NULL;
        return;
    }
    p->st.pages++;
    double mono = seg_http_now_ms();
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(root, "events");
    const cJSON *ev;
    struct seg_log_record rec;
    cJSON_ArrayForEach(ev, events)
    {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(ev, "message");
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp");
        const cJSON *ing = cJSON_GetObjectItemCaseSensitive(ev, "ingestionTime");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev, "eventId");
        const cJSON *stream = cJSON_GetObjectItemCaseSensitive(ev, "logStreamName");
        if (!cJSON_IsString(msg) || !cJSON_IsNumber(ts))
            continue;
        int64_t t = (int64_t)ts->valuedouble;
        int64_t in = cJSON_IsNumber(ing) ? (int64_t)ing->valuedouble : SEG_TIME_NONE;
        const char *sname = cJSON_IsString(stream) ? stream->valuestring : "";
        char key[1200];
        int klen;
        if (cJSON_IsString(id))
            klen = snprintf(key, sizeof key, "%d|%s", g->site, id->valuestring);
        else /* no id: the stream, time and a hash of the text stand for it */
            klen = snprintf(
                key, sizeof key, "%d|%s|%lld|%llx", g->site, sname, (long long)t,
                (unsigned long long)seg_dedupe_hash(msg->valuestring, strlen(msg->valuestring)));
        if (klen < 0)
            continue;
        if (!seg_dedupe_add(&p->seen, key, (size_t)klen < sizeof key ? (size_t)klen : sizeof key)) {
            p->st.dup_events++;
            continue;
        }
        p->st.events++;
        if (in != SEG_TIME_NONE)
            seg_logclock_observe(p->clock, in, mono);
        size_t len = strlen(msg->valuestring);
        if (seg_log_parse_report(msg->valuestring, len, &rec) != SEG_OK &&
            seg_log_parse(msg->valuestring, len, &rec) != SEG_OK)
            continue;
        if (rec.kind == SEG_LOG_REPORT && in != SEG_TIME_NONE)
            lag_add(p, (double)(in - t));
        seg_corr_event(p->corr, g->site, sname, t, in, &rec);
    }
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(root, "nextToken");
    free(g->token);
    g->token = cJSON_IsString(tok) && tok->valuestring[0] ? seg_xstrdup(tok->valuestring) : NULL;
    if (!g->token) {
        /* A complete read: everything stamped before its start, minus what may still be
         * on its way in (the window), has been seen. */
        g->last_complete = g->query_start;
        seg_corr_covered(p->corr, g->site, g->query_start - p->cfg.window_ms);
    }
    cJSON_Delete(root);
    seg_corr_flush(p->corr);
}

void seg_poller_on_result(struct seg_poller *p, struct seg_http_result *r)
{
    size_t gi = (size_t)(r->id & 0xffffffffu);
    if (gi >= p->ngroups)
        return;
    struct group *g = &p->groups[gi];
    g->in_flight = false;
    p->in_flight--;
    if (r->outcome == SEG_HTTP_OK) {
        page(p, g, r);
        return;
    }
    if (r->outcome == SEG_HTTP_AWS_ERROR && (r->error.cls == SEG_AWS_CLASS_THROTTLING ||
                                             strcmp(r->error.code, "ThrottlingException") == 0)) {
        /* Keep the token: the same page is asked again when the budget allows. */
        p->st.throttles++;
        seg_budget_throttled(&p->budget, seg_http_now_ms());
        return;
    }
    p->st.errors++;
    if (r->outcome == SEG_HTTP_AWS_ERROR && r->status >= 400 && r->status < 500) {
        /* A refused token or a vanished group: start the read over. */
        free(g->token);
        g->token = NULL;
    }
}

void seg_poller_stats(const struct seg_poller *p, struct seg_poller_stats *out)
{
    *out = p->st;
    double now = seg_http_now_ms();
    out->calls_per_s = seg_budget_calls_per_s(&p->budget, now);
    out->rate = p->budget.rate;
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
