/* Logs Insights reads of a batch of groups (aws-wire.md §2.5, §2.8): StartQuery over up to
 * 50 groups for [last complete read - window, now], GetQueryResults until Complete, every
 * results page followed. Insights rows carry no eventId: the poller de-duplicates them by
 * content. A query that returns its row limit is read again from its last row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/poller_internal.h"
#include "util/xalloc.h"

/* Every field segtop reads: the message, its times and where it came from. */
#define QUERY_STRING                                                                       \
    "fields @timestamp, @ingestionTime, @message, @logStream, @log | sort @timestamp asc " \
    "| limit 10000"

static void submit_json(struct seg_poller *p, struct seg_http_client *c, uint64_t id,
                        const char *target, cJSON *o)
{
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!body)
        seg_fatal("out of memory (cJSON)");
    struct seg_http_call call = {0};
    call.id = id;
    call.service = SEG_AWS_LOGS;
    call.max_attempts = 1; /* the budgets decide when to try again */
    call.timeout_ms = 20000;
    seg_http_req_init(&call.req);
    if (seg_http_req_set_target(&call.req, "POST", "/") != SEG_OK)
        SEG_BUG("static target refused");
    seg_http_req_add_header(&call.req, "Content-Type", "application/x-amz-json-1.1");
    seg_http_req_add_header(&call.req, "X-Amz-Target", target);
    seg_http_req_set_body(&call.req, body, strlen(body));
    free(body);
    p->st.calls++;
    seg_http_client_submit(c, &call);
}

static bool batch_busy(const struct seg_poller *p, const struct batch *b)
{
    for (size_t i = b->first; i < b->first + b->n; i++)
        if (p->groups[i].in_flight || p->groups[i].token)
            return true;
    return false;
}

static bool batch_wanted(const struct seg_poller *p, const struct batch *b)
{
    for (size_t i = b->first; i < b->first + b->n; i++)
        if (p->groups[i].want)
            return true;
    return false;
}

static void set_in_flight(struct seg_poller *p, struct batch *b, bool on)
{
    for (size_t i = b->first; i < b->first + b->n; i++)
        p->groups[i].in_flight = on;
}

/* A query reads every group of its batch: none is due for an idle read for a while. */
static void idle_later(struct seg_poller *p, struct batch *b, double now)
{
    for (size_t i = b->first; i < b->first + b->n; i++)
        p->groups[i].next_idle_ms = now + p->cfg.idle_every_ms;
}

static void start(struct seg_poller *p, struct seg_http_client *c, struct batch *b, double now)
{
    int64_t from = b->resume_from;
    if (from == SEG_TIME_NONE) {
        from = INT64_MAX;
        for (size_t i = b->first; i < b->first + b->n; i++) {
            const struct group *g = &p->groups[i];
            int64_t f = (g->last_complete == SEG_TIME_NONE ? p->cfg.since : g->last_complete) -
                        p->cfg.window_ms;
            if (f < from)
                from = f;
        }
    }
    if (from < 0)
        from = 0;
    b->query_start = seg_logclock_now(p->clock);
    b->from = from;
    cJSON *o = cJSON_CreateObject();
    cJSON *names = cJSON_AddArrayToObject(o, "logGroupNames");
    for (size_t i = b->first; i < b->first + b->n; i++)
        cJSON_AddItemToArray(names, cJSON_CreateString(p->groups[i].name));
    /* Seconds, inclusive. The end lies ahead of now so a local clock behind AWS's loses
     * nothing; no event has a future timestamp. */
    cJSON_AddNumberToObject(o, "startTime", (double)(from / 1000));
    cJSON_AddNumberToObject(o, "endTime", (double)(b->query_start / 1000 + 300));
    cJSON_AddStringToObject(o, "queryString", QUERY_STRING);
    cJSON_AddNumberToObject(o, "limit", SEG_POLLER_QUERY_LIMIT);
    b->state = Q_STARTING;
    b->started_mono = now;
    b->rows = 0;
    b->max_ts = from;
    set_in_flight(p, b, true);
    idle_later(p, b, now);
    p->queries++;
    p->st.queries++;
    submit_json(p, c, seg_poller_call_id(K_START, (size_t)(b - p->batches)),
                "Logs_20140328.StartQuery", o);
}

static void fetch(struct seg_poller *p, struct seg_http_client *c, struct batch *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "queryId", b->query_id);
    if (b->token)
        cJSON_AddStringToObject(o, "nextToken", b->token);
    b->fetching = true;
    submit_json(p, c, seg_poller_call_id(K_RESULTS, (size_t)(b - p->batches)),
                "Logs_20140328.GetQueryResults", o);
}

/* How long to wait before asking again: a quarter of a query's expected time, so results
 * arrive soon after they are ready without spending the results budget on "Running". */
static double poll_every(const struct seg_poller *p)
{
    double d = p->query_ms / 4;
    return d < 10 ? 10 : d > 1000 ? 1000 : d;
}

int seg_poller_insights_tick(struct seg_poller *p, struct seg_http_client *c, double now,
                             bool start_new)
{
    seg_budget_update(&p->qstart, now);
    seg_budget_update(&p->qresults, now);
    double wait = 1000;
    for (size_t i = 0; i < p->nbatches; i++) {
        struct batch *b = &p->batches[i];
        if (b->state != Q_RUNNING || b->fetching)
            continue;
        if (now < b->next_poll_mono) {
            if (b->next_poll_mono - now < wait)
                wait = b->next_poll_mono - now;
            continue;
        }
        int w = seg_budget_wait_ms(&p->qresults, now);
        if (w > 0 || !seg_budget_take(&p->qresults, now)) {
            if (w < wait)
                wait = w;
            continue;
        }
        fetch(p, c, b);
    }
    for (size_t k = 0; k < p->nbatches && p->queries < SEG_POLLER_MAX_QUERIES; k++) {
        struct batch *b = &p->batches[(p->brr + k) % p->nbatches];
        if (b->state != Q_IDLE || batch_busy(p, b))
            continue;
        if (!(start_new && batch_wanted(p, b)) && b->resume_from == SEG_TIME_NONE)
            continue;
        int w = seg_budget_wait_ms(&p->qstart, now);
        if (w > 0 || !seg_budget_take(&p->qstart, now)) {
            if (w < wait)
                wait = w;
            break;
        }
        p->brr = (size_t)(b - p->batches + 1) % p->nbatches;
        start(p, c, b, now);
    }
    return (int)wait;
}

static void end_query(struct seg_poller *p, struct batch *b)
{
    b->state = Q_IDLE;
    b->fetching = false;
    free(b->token);
    b->token = NULL;
    set_in_flight(p, b, false);
    p->queries--;
}

struct visit {
    struct seg_poller *p;
    struct batch *b;
};

static void on_row(void *ud, const struct seg_log_event *ev)
{
    struct visit *v = ud;
    const struct group *g = NULL;
    for (size_t i = v->b->first; i < v->b->first + v->b->n && !g; i++)
        if (ev->group ? strcmp(ev->group, v->p->groups[i].name) == 0 : v->b->n == 1)
            g = &v->p->groups[i];
    if (!g) { /* a row of no group we asked for */
        v->p->st.errors++;
        return;
    }
    if (ev->ts > v->b->max_ts)
        v->b->max_ts = ev->ts;
    v->p->st.query_rows++;
    seg_poller_ingest(v->p, g->site, ev);
}

/* The last results page of a complete query. */
static void finish(struct seg_poller *p, struct batch *b, double now)
{
    p->query_ms = 0.7 * p->query_ms + 0.3 * (now - b->started_mono);
    if (b->rows >= SEG_POLLER_QUERY_LIMIT) {
        /* Truncated: read again from the last row (a second later if a whole query's rows
         * share one second, so the read moves on). Coverage waits for the rest. */
        p->st.query_truncated++;
        int64_t next = b->max_ts;
        if (next / 1000 <= b->from / 1000)
            next = (b->from / 1000 + 1) * 1000;
        b->resume_from = next;
    } else {
        b->resume_from = SEG_TIME_NONE;
        for (size_t i = b->first; i < b->first + b->n; i++)
            seg_poller_read_done(p, &p->groups[i], b->query_start);
    }
    end_query(p, b);
}

static void results(struct seg_poller *p, struct batch *b, const struct seg_http_result *r,
                    double now)
{
    struct visit v = {p, b};
    struct seg_query_page pg;
    free(b->token);
    b->token = NULL;
    if (seg_logs_parse_query_page(r->body, r->body_len, on_row, &v, &pg) != SEG_OK) {
        p->st.errors++;
        end_query(p, b);
        return;
    }
    p->st.pages++;
    switch (pg.status) {
    case SEG_QUERY_COMPLETE:
        b->rows += pg.rows;
        if (pg.next_token && pg.rows) {
            b->token = pg.next_token; /* the next page at once */
            b->next_poll_mono = now;
        } else {
            free(pg.next_token);
            finish(p, b, now);
        }
        seg_corr_flush(p->corr);
        return;
    case SEG_QUERY_SCHEDULED:
    case SEG_QUERY_RUNNING:
        free(pg.next_token); /* partial results are read again once complete */
        b->next_poll_mono = now + poll_every(p);
        return;
    default:
        free(pg.next_token);
        p->st.errors++;
        end_query(p, b);
        return;
    }
}

void seg_poller_insights_result(struct seg_poller *p, enum poll_kind kind, struct batch *b,
                                struct seg_http_result *r)
{
    double now = seg_http_now_ms();
    if (kind == K_START) {
        if (r->outcome == SEG_HTTP_OK && seg_logs_parse_query_id(r->body, r->body_len, b->query_id,
                                                                 sizeof b->query_id) == SEG_OK) {
            b->state = Q_RUNNING;
            b->next_poll_mono = now + 0.8 * p->query_ms;
            return;
        }
        if (seg_poller_is_throttle(r)) {
            p->st.throttles++;
            seg_budget_throttled(&p->qstart, now);
        } else {
            p->st.errors++;
        }
        end_query(p, b);
        return;
    }
    b->fetching = false;
    if (r->outcome == SEG_HTTP_OK) {
        results(p, b, r, now);
        return;
    }
    if (seg_poller_is_throttle(r)) {
        p->st.throttles++;
        seg_budget_throttled(&p->qresults, now);
        return; /* asked again when the budget allows */
    }
    p->st.errors++;
    if (r->outcome == SEG_HTTP_AWS_ERROR && r->status >= 400 && r->status < 500)
        end_query(p, b); /* the query is gone: the batch is read again */
    else
        b->next_poll_mono = now + poll_every(p);
}
