/* The Logs API's entry points: setup (per-API rate limits, query timing), the seeded fault
 * draws, and dispatch from X-Amz-Target to the operation. The operations live in
 * logs_describe.c, logs_events.c and logs_query.c; shared state is in logs_internal.h. */
#include "sim/logs_api.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cjson/cJSON.h>

#include "sim/logs_internal.h"
#include "sim/ratelimit.h"
#include "util/xalloc.h"

#define TARGET_PREFIX       "Logs_20140328."
#define DEFAULT_SCAN_BUDGET 100000

/* ---- setup ---- */

static const struct {
    const char *api;
    size_t off;
    double aws;
} tps_table[] = {
    {"FilterLogEvents", offsetof(struct seg_sim_logs_tps, filter_log_events), 5},
    {"GetLogEvents", offsetof(struct seg_sim_logs_tps, get_log_events), 10},
    {"DescribeLogGroups", offsetof(struct seg_sim_logs_tps, describe_log_groups), 5},
    {"DescribeLogStreams", offsetof(struct seg_sim_logs_tps, describe_log_streams), 25},
    {"StartQuery", offsetof(struct seg_sim_logs_tps, start_query), 5},
    {"GetQueryResults", offsetof(struct seg_sim_logs_tps, get_query_results), 5},
    {"StopQuery", offsetof(struct seg_sim_logs_tps, stop_query), 5},
};

enum seg_err seg_sim_logs_new(const struct seg_sim_logs_config *cfg, struct seg_sim_logs **out)
{
    if (!cfg || !cfg->clock || !cfg->store)
        return SEG_ERR_INVALID;
    struct seg_sim_logs *api = seg_xcalloc(1, sizeof *api);
    api->clock = cfg->clock;
    api->store = cfg->store;
    api->region = seg_xstrdup(cfg->region ? cfg->region : "us-west-1");
    api->account = seg_xstrdup(cfg->account_id ? cfg->account_id : "123456789012");
    api->faults = cfg->faults;
    api->seed = cfg->seed;
    api->scan_budget = cfg->filter_scan_budget ? cfg->filter_scan_budget : DEFAULT_SCAN_BUDGET;
    api->qmin = cfg->query_min_ms > 0 ? cfg->query_min_ms : 1000;
    api->qmax = cfg->query_max_ms >= api->qmin ? cfg->query_max_ms : api->qmin + 2000;
    if (cfg->query_min_ms == 0 && cfg->query_max_ms == 0)
        api->qmax = 3000;
    api->max_concurrent = cfg->max_concurrent_queries > 0 ? cfg->max_concurrent_queries : 100;
    api->rl = seg_sim_ratelimit_new();
    for (size_t i = 0; i < SEG_ARRAY_LEN(tps_table); i++) {
        double v = *(const double *)((const char *)&cfg->tps + tps_table[i].off);
        seg_sim_ratelimit_set(api->rl, tps_table[i].api, v == 0 ? tps_table[i].aws : v, 0);
    }
    pthread_mutex_init(&api->qmu, NULL);
    *out = api;
    return SEG_OK;
}

void seg_sim_logs_free(struct seg_sim_logs *api)
{
    if (!api)
        return;
    for (size_t i = 0; i < api->nq; i++)
        seg_sim_logs_query_free(api->q[i]);
    free(api->q);
    pthread_mutex_destroy(&api->qmu);
    seg_sim_ratelimit_free(api->rl);
    free(api->region);
    free(api->account);
    free(api);
}

/* Deterministic draws keyed by (seed, draw index). */
uint64_t seg_sim_logs_draw(struct seg_sim_logs *api)
{
    uint64_t z = api->seed + 0x9E3779B97F4A7C15ull * (atomic_fetch_add(&api->draws, 1) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

bool seg_sim_logs_chance(struct seg_sim_logs *api, double p)
{
    if (!(p > 0))
        return false;
    return (double)(seg_sim_logs_draw(api) >> 11) * 0x1.0p-53 < p;
}

static bool throttled(struct seg_sim_logs *api, const char *op)
{
    if (!seg_sim_ratelimit_take(api->rl, op))
        return true;
    return api->faults && seg_sim_logs_chance(api, api->faults->throttle[SEG_SIM_SCOPE_LOGS]);
}

/* ---- dispatch ---- */

static const struct {
    const char *op;
    void (*fn)(struct ctx *c);
} ops[] = {
    {"DescribeLogGroups", seg_sim_logs_describe_log_groups},
    {"DescribeLogStreams", seg_sim_logs_describe_log_streams},
    {"GetLogEvents", seg_sim_logs_get_log_events},
    {"FilterLogEvents", seg_sim_logs_filter_log_events},
    {"StartQuery", seg_sim_logs_start_query},
    {"GetQueryResults", seg_sim_logs_get_query_results},
    {"StopQuery", seg_sim_logs_stop_query},
};

void seg_sim_logs_handle(struct seg_sim_logs *api, const struct seg_http_req *req,
                         struct seg_httpd_response *resp)
{
    struct ctx c = {.api = api, .resp = resp, .now = seg_sim_clock_now_ms(api->clock)};
    const char *target = seg_http_req_header(req, "X-Amz-Target");
    size_t k = SEG_ARRAY_LEN(ops);
    if (target && strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)) == 0)
        for (k = 0; k < SEG_ARRAY_LEN(ops); k++)
            if (strcmp(target + strlen(TARGET_PREFIX), ops[k].op) == 0)
                break;
    if (k == SEG_ARRAY_LEN(ops)) {
        seg_sim_logs_error(&c, "UnknownOperationException", "%s", "");
        return;
    }
    if (req->method && strcmp(req->method, "POST") != 0) {
        seg_sim_logs_error(&c, "UnknownOperationException", "%s", "");
        return;
    }
    if (throttled(api, ops[k].op)) {
        seg_sim_logs_error(&c, "ThrottlingException", "Rate exceeded");
        return;
    }
    if (req->body_len == 0) {
        c.in = cJSON_CreateObject(); /* "{}" is what an input-less call sends */
    } else {
        c.in = cJSON_ParseWithLength((const char *)req->body, req->body_len);
        if (!c.in) {
            seg_sim_logs_error(&c, "SerializationException", "%s",
                               "Unexpected token in the request body");
            return;
        }
    }
    if (!cJSON_IsObject(c.in))
        seg_sim_logs_error(&c, "SerializationException",
                           "Start of structure or map found where not expected.");
    else
        ops[k].fn(&c);
    cJSON_Delete(c.in);
}

void seg_sim_logs_handler(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    seg_sim_logs_handle(ud, req, resp);
}
