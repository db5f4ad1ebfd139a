/* FilterLogEvents reads of one group (aws-wire.md §2.2): startTime at the last complete
 * read minus the window, every page followed; the budget, not the client, retries. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/poller_internal.h"
#include "util/xalloc.h"

void seg_poller_filter_submit(struct seg_poller *p, struct seg_http_client *c, struct group *g)
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
    call.id = seg_poller_call_id(K_FILTER, (size_t)(g - p->groups));
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

struct visit {
    struct seg_poller *p;
    int site;
};

static void on_event(void *ud, const struct seg_log_event *ev)
{
    struct visit *v = ud;
    seg_poller_ingest(v->p, v->site, ev);
}

static void page(struct seg_poller *p, struct group *g, const struct seg_http_result *r)
{
    struct visit v = {p, g->site};
    char *token = NULL;
    size_t skipped;
    free(g->token);
    g->token = NULL;
    if (seg_logs_parse_filter_page(r->body, r->body_len, on_event, &v, &token, &skipped) !=
        SEG_OK) {
        p->st.errors++; /* the read starts over */
        return;
    }
    p->st.pages++;
    g->token = token;
    if (!g->token)
        seg_poller_read_done(p, g, g->query_start);
    seg_corr_flush(p->corr);
}

void seg_poller_filter_result(struct seg_poller *p, struct group *g, struct seg_http_result *r)
{
    g->in_flight = false;
    p->in_flight--;
    if (r->outcome == SEG_HTTP_OK) {
        page(p, g, r);
        return;
    }
    if (seg_poller_is_throttle(r)) {
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
