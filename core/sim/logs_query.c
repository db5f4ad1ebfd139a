/* Logs Insights StartQuery, GetQueryResults and StopQuery. A query is run whole at
 * StartQuery (sim/insights.h); its modelled runtime only decides what GetQueryResults shows
 * (Scheduled, Running with partial results, Complete) at the simulated time of the call. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cjson/cJSON.h>

#include "sim/errors.h"
#include "sim/insights.h"
#include "sim/logs_internal.h"
#include "util/xalloc.h"

#define MAX_QUERIES_KEPT 1000
#define MAX_QUERY_GROUPS 50
#define MAX_QUERY_LIMIT  100000 /* the 2026 model's StartQuery limit */

enum query_state { Q_RUNNING, Q_CANCELLED };

struct query {
    char id[SEG_SIM_REQUEST_ID_SIZE];
    int64_t started_ms, done_ms; /* simulated */
    enum query_state state;
    double groups;
    struct seg_sim_insights_result res;
};

void seg_sim_logs_query_free(struct query *q)
{
    seg_sim_insights_result_release(&q->res);
    free(q);
}

static void malformed(struct ctx *c, const struct seg_sim_insights_error *qe)
{
    c->failed = true;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "__type", "MalformedQueryException");
    cJSON_AddStringToObject(o, "message", qe->message);
    cJSON *ce = cJSON_AddObjectToObject(o, "queryCompileError");
    cJSON *loc = cJSON_AddObjectToObject(ce, "location");
    cJSON_AddNumberToObject(loc, "startCharOffset", (double)qe->start);
    cJSON_AddNumberToObject(loc, "endCharOffset", (double)qe->end);
    cJSON_AddStringToObject(ce, "message", qe->message);
    seg_sim_logs_send_json(c->resp, 400, o);
}

struct feed {
    struct seg_sim_insights_run *run;
    const char *log;
};

static enum seg_sim_scan_verdict feed_event(void *ud, const struct seg_sim_log_event *ev)
{
    struct feed *f = ud;
    seg_sim_insights_run_feed(f->run, f->log, ev);
    return SEG_SIM_SCAN_NEXT;
}

/* The groups of a StartQuery: names (heap copies) or NULL with the error rendered. */
static char **query_groups(struct ctx *c, size_t *n)
{
    size_t nn = 0, ni = 0;
    const char *one = seg_sim_logs_in_str(c, "logGroupName");
    const char **names = seg_sim_logs_in_strlist(c, "logGroupNames", &nn);
    const char **idents = seg_sim_logs_in_strlist(c, "logGroupIdentifiers", &ni);
    int kinds = (one != NULL) + (names != NULL) + (idents != NULL);
    char **out = NULL;
    *n = 0;
    if (!c->failed && kinds != 1)
        seg_sim_logs_error(
            c, "InvalidParameterException",
            kinds ? "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers may be "
                    "specified."
                  : "Either logGroupName, logGroupNames or logGroupIdentifiers must be "
                    "specified.");
    size_t total = one ? 1 : names ? nn : ni;
    const char *field = names ? "logGroupNames" : "logGroupIdentifiers";
    if (!c->failed && !one && total > MAX_QUERY_GROUPS)
        seg_sim_logs_invalid_value(c, field, NULL, "have length less than or equal to 50");
    if (!c->failed && !one && total == 0)
        seg_sim_logs_invalid_value(c, field, NULL, "have length greater than or equal to 1");
    if (!c->failed) {
        out = seg_xcalloc(total, sizeof *out);
        for (size_t i = 0; i < total && !c->failed; i++) {
            const char *g = one ? one : names ? names[i] : idents[i];
            if (idents && strncmp(g, "arn:", 4) == 0) {
                const char *p = strstr(g, ":log-group:");
                if (!p || strncmp(g, "arn:aws:logs:", 13) != 0 || !p[11]) {
                    seg_sim_logs_error(c, "InvalidParameterException",
                                       "Invalid logGroupIdentifier: %.300s", g);
                    break;
                }
                out[(*n)++] = seg_xstrdup(p + 11);
            } else {
                seg_sim_logs_check_group_name(c, one ? "logGroupName" : field, g);
                out[(*n)++] = seg_xstrdup(g);
            }
            if (!c->failed && !seg_sim_logstore_has_group(c->api->store, out[*n - 1]))
                seg_sim_logs_error(c, "ResourceNotFoundException",
                                   "Log group '%.512s' does not exist for account ID '%s'",
                                   out[*n - 1], c->api->account);
        }
    }
    free(names);
    free(idents);
    if (c->failed) {
        for (size_t i = 0; i < *n; i++)
            free(out[i]);
        free(out);
        *n = 0;
        return NULL;
    }
    return out;
}

static bool query_active(const struct query *q, int64_t now)
{
    return q->state == Q_RUNNING && now < q->done_ms;
}

void seg_sim_logs_start_query(struct ctx *c)
{
    size_t ngroups = 0;
    char **groups = query_groups(c, &ngroups);
    const char *lang = seg_sim_logs_in_str(c, "queryLanguage");
    const char *qs = seg_sim_logs_in_str(c, "queryString");
    int64_t start = 0, end = 0, limit = 0;
    bool has_start = seg_sim_logs_in_long(c, "startTime", &start);
    bool has_end = seg_sim_logs_in_long(c, "endTime", &end);
    bool has_limit = seg_sim_logs_in_int(c, "limit", &limit);
    if (!c->failed && !has_start)
        seg_sim_logs_invalid_value(c, "startTime", NULL, "not be null");
    if (!c->failed && !has_end)
        seg_sim_logs_invalid_value(c, "endTime", NULL, "not be null");
    if (!c->failed && !qs)
        seg_sim_logs_invalid_value(c, "queryString", NULL, "not be null");
    seg_sim_logs_check_range(c, "startTime", start, 0, INT64_MAX / 1000 - 1);
    seg_sim_logs_check_range(c, "endTime", end, 0, INT64_MAX / 1000 - 1);
    seg_sim_logs_check_len(c, "queryString", qs, 0, SEG_SIM_INSIGHTS_MAX_QUERY);
    if (has_limit)
        seg_sim_logs_check_range(c, "limit", limit, 1, MAX_QUERY_LIMIT);
    if (!c->failed && lang && strcmp(lang, "CWLI") != 0)
        seg_sim_logs_error(c, "InvalidParameterException",
                           "queryLanguage %.40s is not supported by the simulator (only CWLI)",
                           lang);
    if (!c->failed && end < start)
        seg_sim_logs_error(c, "InvalidParameterException",
                           "End time should not be before the start time");
    struct seg_sim_insights_query *cq = NULL;
    struct seg_sim_insights_error qe = {0};
    if (!c->failed && seg_sim_insights_compile(qs, strlen(qs), &cq, &qe) != SEG_OK)
        malformed(c, &qe);
    if (!c->failed) {
        pthread_mutex_lock(&c->api->qmu);
        int active = 0;
        for (size_t i = 0; i < c->api->nq; i++)
            active += query_active(c->api->q[i], c->now);
        pthread_mutex_unlock(&c->api->qmu);
        if (active >= c->api->max_concurrent)
            seg_sim_logs_error(c, "LimitExceededException",
                               "Account maximum query concurrency limit of [%d] reached.",
                               c->api->max_concurrent);
    }
    if (c->failed) {
        seg_sim_insights_free(cq);
        for (size_t i = 0; i < ngroups; i++)
            free(groups[i]);
        free(groups);
        return;
    }
    struct query *q = seg_xcalloc(1, sizeof *q);
    struct seg_sim_insights_run *run = seg_sim_insights_run_new(cq, (size_t)limit);
    for (size_t i = 0; i < ngroups; i++) {
        char *log = seg_xasprintf("%s:%s", c->api->account, groups[i]);
        struct feed f = {run, log};
        struct seg_sim_logstore_scan s = {.group = groups[i],
                                          .start_ms = start * 1000,
                                          .end_ms = end * 1000 + 999, /* inclusive seconds */
                                          .now_ms = c->now,
                                          .visit = feed_event,
                                          .ud = &f};
        struct seg_sim_logstore_scan_result r;
        if (seg_sim_logstore_scan(c->api->store, &s, &r) != SEG_OK) {
            /* deleted meanwhile: scans nothing */
        }
        free(log);
        free(groups[i]);
    }
    free(groups);
    seg_sim_insights_run_finish(run, &q->res);
    seg_sim_insights_free(cq);
    seg_sim_request_id_new(SEG_AWS_LOGS, q->id);
    q->groups = (double)ngroups;
    q->started_ms = c->now;
    uint64_t span = (uint64_t)(c->api->qmax - c->api->qmin) + 1;
    q->done_ms = c->now + c->api->qmin + (int64_t)(seg_sim_logs_draw(c->api) % span);
    pthread_mutex_lock(&c->api->qmu);
    if (c->api->nq == MAX_QUERIES_KEPT) { /* forget the oldest finished query */
        size_t k = 0;
        while (k < c->api->nq && query_active(c->api->q[k], c->now))
            k++;
        if (k == c->api->nq)
            k = 0;
        seg_sim_logs_query_free(c->api->q[k]);
        memmove(&c->api->q[k], &c->api->q[k + 1], (c->api->nq - k - 1) * sizeof *c->api->q);
        c->api->nq--;
    }
    c->api->q = seg_xrealloc(c->api->q, (c->api->nq + 1) * sizeof *c->api->q);
    c->api->q[c->api->nq++] = q;
    pthread_mutex_unlock(&c->api->qmu);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "queryId", q->id);
    seg_sim_logs_send_json(c->resp, 200, out);
}

static struct query *find_query(struct seg_sim_logs *api, const char *id)
{
    for (size_t i = 0; i < api->nq; i++)
        if (strcmp(api->q[i]->id, id) == 0)
            return api->q[i];
    return NULL;
}

static const char *query_id_arg(struct ctx *c)
{
    const char *id = seg_sim_logs_in_str(c, "queryId");
    if (!c->failed && !id)
        seg_sim_logs_invalid_value(c, "queryId", NULL, "not be null");
    seg_sim_logs_check_len(c, "queryId", id, 0, 256);
    return c->failed ? NULL : id;
}

void seg_sim_logs_get_query_results(struct ctx *c)
{
    const char *id = query_id_arg(c);
    const char *tok = seg_sim_logs_in_str(c, "nextToken");
    int64_t max_items = 10000;
    bool has_max = seg_sim_logs_in_int(c, "maxItems", &max_items);
    if (has_max)
        seg_sim_logs_check_range(c, "maxItems", max_items, 0, 10000);
    seg_sim_logs_check_len(c, "nextToken", tok, 1, 1024);
    if (!has_max || max_items == 0)
        max_items = 10000;
    uint64_t offset = 0, zero;
    if (!c->failed && tok && !seg_sim_logs_token_parse(id, tok, &offset, &zero))
        seg_sim_logs_bad_token(c);
    if (c->failed)
        return;
    pthread_mutex_lock(&c->api->qmu);
    const struct query *q = find_query(c->api, id);
    if (!q) {
        pthread_mutex_unlock(&c->api->qmu);
        seg_sim_logs_error(c, "ResourceNotFoundException",
                           "The specified query could not be found.");
        return;
    }
    const char *status;
    double frac; /* share of the work done, for partial results while Running */
    int64_t span = q->done_ms - q->started_ms;
    if (q->state == Q_CANCELLED) {
        status = "Cancelled";
        frac = 0;
    } else if (c->now >= q->done_ms) {
        status = "Complete";
        frac = 1;
    } else if ((c->now - q->started_ms) * 10 < span) {
        status = "Scheduled";
        frac = 0;
    } else {
        status = "Running";
        frac = (double)(c->now - q->started_ms) / (double)span;
    }
    size_t visible = (size_t)((double)q->res.nrows * frac);
    if (frac >= 1)
        visible = q->res.nrows;
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "queryLanguage", "CWLI");
    cJSON *rows = cJSON_AddArrayToObject(out, "results");
    size_t i = offset < visible ? (size_t)offset : visible;
    for (size_t k = 0; i < visible && k < (size_t)max_items; i++, k++) {
        cJSON *row = cJSON_CreateArray();
        for (size_t j = 0; j < q->res.rows[i].n; j++) {
            cJSON *f = cJSON_CreateObject();
            cJSON_AddStringToObject(f, "field", q->res.rows[i].fields[j].field);
            cJSON_AddStringToObject(f, "value", q->res.rows[i].fields[j].value);
            cJSON_AddItemToArray(row, f);
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON *st = cJSON_AddObjectToObject(out, "statistics");
    cJSON_AddNumberToObject(st, "recordsMatched", floor(q->res.records_matched * frac));
    cJSON_AddNumberToObject(st, "recordsScanned", floor(q->res.records_scanned * frac));
    cJSON_AddNumberToObject(st, "estimatedRecordsSkipped", 0);
    cJSON_AddNumberToObject(st, "bytesScanned", floor(q->res.bytes_scanned * frac));
    cJSON_AddNumberToObject(st, "estimatedBytesSkipped", 0);
    cJSON_AddNumberToObject(st, "logGroupsScanned", frac > 0 ? q->groups : 0);
    cJSON_AddStringToObject(out, "status", status);
    if (frac >= 1 && i < visible) {
        char *t = seg_sim_logs_token_make(id, i, 0);
        cJSON_AddStringToObject(out, "nextToken", t);
        free(t);
    }
    pthread_mutex_unlock(&c->api->qmu);
    seg_sim_logs_send_json(c->resp, 200, out);
}

void seg_sim_logs_stop_query(struct ctx *c)
{
    const char *id = query_id_arg(c);
    if (c->failed)
        return;
    pthread_mutex_lock(&c->api->qmu);
    struct query *q = find_query(c->api, id);
    bool stopped = false;
    if (q && query_active(q, c->now)) {
        q->state = Q_CANCELLED;
        stopped = true;
    }
    pthread_mutex_unlock(&c->api->qmu);
    if (!q) {
        seg_sim_logs_error(c, "ResourceNotFoundException",
                           "The specified query could not be found.");
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddBoolToObject(out, "success", stopped);
    seg_sim_logs_send_json(c->resp, 200, out);
}
