#include "sim/logs_api.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cjson/cJSON.h>

#include "sim/errors.h"
#include "sim/filterpattern.h"
#include "sim/insights.h"
#include "sim/ratelimit.h"
#include "util/errmsg.h"
#include "util/xalloc.h"

#define TARGET_PREFIX       "Logs_20140328."
#define PAGE_BYTES          ((size_t)1 << 20) /* AWS: "up to 1 MB of log events" per page */
#define EVENT_OVERHEAD      26                /* AWS's per-event size overhead */
#define MAX_QUERIES_KEPT    1000
#define MAX_QUERY_GROUPS    50
#define MAX_QUERY_LIMIT     100000 /* the 2026 model's StartQuery limit */
#define DEFAULT_SCAN_BUDGET 100000

enum query_state { Q_RUNNING, Q_CANCELLED };

struct query {
    char id[SEG_SIM_REQUEST_ID_SIZE];
    int64_t started_ms, done_ms; /* simulated */
    enum query_state state;
    double groups;
    struct seg_sim_insights_result res;
};

struct seg_sim_logs {
    const struct seg_sim_clock *clock;
    struct seg_sim_logstore *store;
    char *region, *account;
    const struct seg_sim_faults *faults;
    struct seg_sim_ratelimit *rl;
    uint64_t seed;
    atomic_uint_fast64_t draws;
    size_t scan_budget;
    int64_t qmin, qmax;
    int max_concurrent;
    pthread_mutex_t qmu;
    struct query **q; /* oldest first */
    size_t nq;
};

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

static void query_free(struct query *q)
{
    seg_sim_insights_result_release(&q->res);
    free(q);
}

void seg_sim_logs_free(struct seg_sim_logs *api)
{
    if (!api)
        return;
    for (size_t i = 0; i < api->nq; i++)
        query_free(api->q[i]);
    free(api->q);
    pthread_mutex_destroy(&api->qmu);
    seg_sim_ratelimit_free(api->rl);
    free(api->region);
    free(api->account);
    free(api);
}

/* Deterministic draws keyed by (seed, draw index). */
static uint64_t draw(struct seg_sim_logs *api)
{
    uint64_t z = api->seed + 0x9E3779B97F4A7C15ull * (atomic_fetch_add(&api->draws, 1) + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static bool chance(struct seg_sim_logs *api, double p)
{
    if (!(p > 0))
        return false;
    return (double)(draw(api) >> 11) * 0x1.0p-53 < p;
}

/* ---- request context, input and output helpers ---- */

struct ctx {
    struct seg_sim_logs *api;
    cJSON *in;
    struct seg_httpd_response *resp;
    bool failed;
    int64_t now;
};

static void error(struct ctx *c, const char *code, const char *fmt, ...) SEG_PRINTF(3, 4);

static void error(struct ctx *c, const char *code, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct seg_sim_error e = {.status = 400, .code = code, .message = msg};
    seg_sim_error_render(SEG_AWS_LOGS, &e, c->resp);
}

static void send_json(struct seg_httpd_response *resp, int status, cJSON *obj)
{
    resp->status = status;
    seg_httpd_response_set_header(resp, "Content-Type", "application/x-amz-json-1.1");
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    if (text) {
        seg_httpd_response_set_body(resp, text, strlen(text));
        cJSON_free(text);
    } else {
        seg_httpd_response_set_body(resp, "{}", 2);
    }
    cJSON_Delete(obj);
    (void)seg_sim_response_stamp(SEG_AWS_LOGS, resp);
}

/* Coral's shape for a constraint violation. */
static void invalid_value(struct ctx *c, const char *field, const char *value, const char *rule)
{
    error(c, "InvalidParameterException",
          "1 validation error detected: Value %s%.200s%s at '%s' failed to satisfy constraint: "
          "Member must %s",
          value ? "'" : "", value ? value : "null", value ? "'" : "", field, rule);
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "STRING_VALUE";
    if (cJSON_IsNumber(v))
        return "NUMBER_VALUE";
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "VALUE_TRUE" : "VALUE_FALSE";
    if (cJSON_IsArray(v))
        return "START_ARRAY";
    return "START_OBJECT";
}

static void wrong_type(struct ctx *c, const cJSON *v, const char *type)
{
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        error(c, "SerializationException", "Unexpected %s where a %s was expected", json_kind(v),
              type);
    else
        error(c, "SerializationException", "%s can not be converted to a%s %s", json_kind(v),
              strchr("AEIOU", type[0]) ? "n" : "", type);
}

static const cJSON *member(struct ctx *c, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);
    return v && !cJSON_IsNull(v) ? v : NULL;
}

static const char *in_str(struct ctx *c, const char *name)
{
    const cJSON *v = member(c, name);
    if (!v || c->failed)
        return NULL;
    if (!cJSON_IsString(v)) {
        wrong_type(c, v, "String");
        return NULL;
    }
    return v->valuestring;
}

static bool in_number(struct ctx *c, const char *name, const char *type, int64_t *out)
{
    const cJSON *v = member(c, name);
    if (!v || c->failed)
        return false;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        fabs(v->valuedouble) > 9.2e18) {
        wrong_type(c, v, type);
        return false;
    }
    *out = (int64_t)v->valuedouble;
    return true;
}

static bool in_long(struct ctx *c, const char *name, int64_t *out)
{
    return in_number(c, name, "Long", out);
}

/* Integers are range-checked by the caller, with Coral's validation message. */
static bool in_int(struct ctx *c, const char *name, int64_t *out)
{
    return in_number(c, name, "Integer", out);
}

static bool in_bool(struct ctx *c, const char *name, bool dflt)
{
    const cJSON *v = member(c, name);
    if (!v || c->failed)
        return dflt;
    if (!cJSON_IsBool(v)) {
        wrong_type(c, v, "Boolean");
        return dflt;
    }
    return cJSON_IsTrue(v);
}

/* A list of strings: *n items (NULL when absent); the strings are borrowed from the input. */
static const char **in_strlist(struct ctx *c, const char *name, size_t *n)
{
    const cJSON *v = member(c, name);
    *n = 0;
    if (!v || c->failed)
        return NULL;
    if (!cJSON_IsArray(v)) {
        wrong_type(c, v, "List");
        return NULL;
    }
    size_t k = (size_t)cJSON_GetArraySize(v);
    const char **out = seg_xcalloc(k ? k : 1, sizeof *out);
    const cJSON *it;
    cJSON_ArrayForEach(it, v)
    {
        if (!cJSON_IsString(it)) {
            wrong_type(c, it, "String");
            free(out);
            return NULL;
        }
        out[(*n)++] = it->valuestring;
    }
    return out;
}

static void check_len(struct ctx *c, const char *field, const char *v, size_t min, size_t max)
{
    if (!v || c->failed)
        return;
    size_t n = strlen(v);
    char rule[80];
    if (n < min) {
        snprintf(rule, sizeof rule, "have length greater than or equal to %zu", min);
        invalid_value(c, field, v, rule);
    } else if (n > max) {
        snprintf(rule, sizeof rule, "have length less than or equal to %zu", max);
        invalid_value(c, field, v, rule);
    }
}

static void check_range(struct ctx *c, const char *field, int64_t v, int64_t min, int64_t max)
{
    if (c->failed)
        return;
    char val[32], rule[80];
    snprintf(val, sizeof val, "%" PRId64, v);
    if (v < min) {
        snprintf(rule, sizeof rule, "have value greater than or equal to %" PRId64, min);
        invalid_value(c, field, val, rule);
    } else if (v > max) {
        snprintf(rule, sizeof rule, "have value less than or equal to %" PRId64, max);
        invalid_value(c, field, val, rule);
    }
}

static void check_group_name(struct ctx *c, const char *field, const char *v)
{
    check_len(c, field, v, 1, 512);
    if (!v || c->failed)
        return;
    for (const char *p = v; *p; p++)
        if (!strchr(".-_/#", *p) && !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= '0' && *p <= '9')) {
            invalid_value(c, field, v, "satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
            return;
        }
}

/* logGroupName or logGroupIdentifier (a name or an ARN, with or without ":*"). Returns a
 * heap copy of the name, or NULL with the error rendered. */
static char *resolve_group(struct ctx *c)
{
    const char *name = in_str(c, "logGroupName");
    const char *ident = in_str(c, "logGroupIdentifier");
    if (c->failed)
        return NULL;
    if (name && ident) {
        error(c, "InvalidParameterException",
              "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
        return NULL;
    }
    if (!name && !ident) {
        error(c, "InvalidParameterException",
              "Either logGroupName or logGroupIdentifier must be specified.");
        return NULL;
    }
    if (name) {
        check_group_name(c, "logGroupName", name);
        return c->failed ? NULL : seg_xstrdup(name);
    }
    check_len(c, "logGroupIdentifier", ident, 1, 2048);
    if (c->failed)
        return NULL;
    if (strncmp(ident, "arn:", 4) != 0)
        return seg_xstrdup(ident);
    /* arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*] */
    const char *p = ident;
    for (int colons = 0; *p && colons < 6; p++)
        colons += *p == ':';
    if (strncmp(ident, "arn:aws:logs:", 13) != 0 || p - ident < 7 ||
        strncmp(p - 11, ":log-group:", 11) != 0 || !*p) {
        error(c, "InvalidParameterException", "Invalid logGroupIdentifier: %.300s", ident);
        return NULL;
    }
    size_t n = strlen(p);
    if (n >= 2 && strcmp(p + n - 2, ":*") == 0)
        n -= 2;
    return seg_xstrndup(p, n);
}

static void group_not_found(struct ctx *c)
{
    error(c, "ResourceNotFoundException", "The specified log group does not exist.");
}

static void bad_token(struct ctx *c)
{
    error(c, "InvalidParameterException", "The specified nextToken is invalid.");
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static uint32_t token_check(const char *scope, uint64_t a, uint64_t b)
{
    uint64_t h = fnv(scope, strlen(scope), 1469598103934665603ull);
    h = fnv(&a, sizeof a, h);
    h = fnv(&b, sizeof b, h);
    return (uint32_t)(h ^ (h >> 32));
}

/* Opaque tokens: two numbers and a check bound to a scope (group, stream, query). */
static char *token_make(const char *scope, uint64_t a, uint64_t b)
{
    return seg_xasprintf("%016" PRIx64 "%016" PRIx64 "%08" PRIx32, a, b, token_check(scope, a, b));
}

static bool token_parse(const char *scope, const char *tok, uint64_t *a, uint64_t *b)
{
    if (strlen(tok) != 40 || strspn(tok, "0123456789abcdef") != 40)
        return false;
    char part[17];
    memcpy(part, tok, 16);
    part[16] = '\0';
    *a = strtoull(part, NULL, 16);
    memcpy(part, tok + 16, 16);
    *b = strtoull(part, NULL, 16);
    return strtoul(tok + 32, NULL, 16) == token_check(scope, *a, *b);
}

static bool throttled(struct seg_sim_logs *api, const char *op)
{
    if (!seg_sim_ratelimit_take(api->rl, op))
        return true;
    return api->faults && chance(api, api->faults->throttle[SEG_SIM_SCOPE_LOGS]);
}

/* ---- DescribeLogGroups ---- */

static char *group_arn(const struct seg_sim_logs *api, const char *group, bool star)
{
    return seg_xasprintf("arn:aws:logs:%s:%s:log-group:%s%s", api->region, api->account, group,
                         star ? ":*" : "");
}

static void describe_log_groups(struct ctx *c)
{
    const char *prefix = in_str(c, "logGroupNamePrefix");
    const char *pattern = in_str(c, "logGroupNamePattern");
    const char *tok = in_str(c, "nextToken");
    int64_t limit = 50;
    (void)in_int(c, "limit", &limit);
    check_range(c, "limit", limit, 1, 50);
    check_group_name(c, "logGroupNamePrefix", prefix);
    check_len(c, "logGroupNamePattern", pattern, 0, 512);
    check_len(c, "nextToken", tok, 1, SIZE_MAX);
    if (!c->failed && prefix && pattern)
        error(c, "InvalidParameterException",
              "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
    uint64_t offset = 0, zero;
    if (!c->failed && tok && !token_parse("DescribeLogGroups", tok, &offset, &zero))
        bad_token(c);
    if (c->failed)
        return;
    struct seg_sim_loggroup_info *g;
    size_t n;
    seg_sim_logstore_list_groups(c->api->store, prefix, pattern, &g, &n);
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "logGroups");
    size_t i = offset < n ? (size_t)offset : n;
    for (size_t k = 0; i < n && k < (size_t)limit; i++, k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "logGroupName", g[i].name);
        cJSON_AddNumberToObject(o, "creationTime", (double)g[i].creation_ms);
        cJSON_AddNumberToObject(o, "metricFilterCount", 0);
        char *arn = group_arn(c->api, g[i].name, true);
        cJSON_AddStringToObject(o, "arn", arn);
        free(arn);
        cJSON_AddNumberToObject(o, "storedBytes", (double)g[i].stored_bytes);
        cJSON_AddStringToObject(o, "logGroupClass", "STANDARD");
        arn = group_arn(c->api, g[i].name, false);
        cJSON_AddStringToObject(o, "logGroupArn", arn);
        free(arn);
        cJSON_AddItemToArray(arr, o);
    }
    if (i < n) {
        char *t = token_make("DescribeLogGroups", i, 0);
        cJSON_AddStringToObject(out, "nextToken", t);
        free(t);
    }
    seg_sim_loggroup_infos_free(g, n);
    send_json(c->resp, 200, out);
}

/* ---- DescribeLogStreams ---- */

static int by_last_event(const void *a, const void *b)
{
    const struct seg_sim_logstream_info *x = a, *y = b;
    int64_t tx = x->has_events ? x->last_event_ms : INT64_MIN;
    int64_t ty = y->has_events ? y->last_event_ms : INT64_MIN;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void describe_log_streams(struct ctx *c)
{
    char *group = resolve_group(c);
    const char *prefix = in_str(c, "logStreamNamePrefix");
    const char *order = in_str(c, "orderBy");
    bool desc = in_bool(c, "descending", false);
    const char *tok = in_str(c, "nextToken");
    int64_t limit = 50;
    (void)in_int(c, "limit", &limit);
    check_range(c, "limit", limit, 1, 50);
    check_len(c, "logStreamNamePrefix", prefix, 1, 512);
    check_len(c, "nextToken", tok, 1, SIZE_MAX);
    bool by_time = order && strcmp(order, "LastEventTime") == 0;
    if (!c->failed && order && !by_time && strcmp(order, "LogStreamName") != 0)
        invalid_value(c, "orderBy", order,
                      "satisfy enum value set: [LogStreamName, LastEventTime]");
    if (!c->failed && by_time && prefix)
        error(c, "InvalidParameterException",
              "Cannot order by LastEventTime with a logStreamNamePrefix.");
    uint64_t offset = 0, zero;
    char scope[600];
    snprintf(scope, sizeof scope, "DescribeLogStreams/%s/%d%d", group ? group : "", by_time, desc);
    if (!c->failed && tok && !token_parse(scope, tok, &offset, &zero))
        bad_token(c);
    struct seg_sim_logstream_info *s = NULL;
    size_t n = 0;
    if (!c->failed &&
        seg_sim_logstore_list_streams(c->api->store, group, prefix, c->now, &s, &n) != SEG_OK)
        group_not_found(c);
    if (c->failed) {
        free(group);
        return;
    }
    if (by_time)
        qsort(s, n, sizeof *s, by_last_event);
    cJSON *out = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(out, "logStreams");
    size_t i = offset < n ? (size_t)offset : n;
    for (size_t k = 0; i < n && k < (size_t)limit; i++, k++) {
        const struct seg_sim_logstream_info *x = &s[desc ? n - 1 - i : i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "logStreamName", x->name);
        cJSON_AddNumberToObject(o, "creationTime", (double)x->creation_ms);
        if (x->has_events) {
            cJSON_AddNumberToObject(o, "firstEventTimestamp", (double)x->first_event_ms);
            cJSON_AddNumberToObject(o, "lastEventTimestamp", (double)x->last_event_ms);
            cJSON_AddNumberToObject(o, "lastIngestionTime", (double)x->last_ingestion_ms);
        }
        char *arn = seg_xasprintf("arn:aws:logs:%s:%s:log-group:%s:log-stream:%s", c->api->region,
                                  c->api->account, group, x->name);
        cJSON_AddStringToObject(o, "arn", arn);
        free(arn);
        cJSON_AddNumberToObject(o, "storedBytes", 0); /* "always reported as zero" since 2019 */
        cJSON_AddItemToArray(arr, o);
    }
    if (i < n) {
        char *t = token_make(scope, i, 0);
        cJSON_AddStringToObject(out, "nextToken", t);
        free(t);
    }
    seg_sim_logstream_infos_free(s, n);
    free(group);
    send_json(c->resp, 200, out);
}

/* ---- event pages (FilterLogEvents, GetLogEvents) ---- */

struct page {
    const struct seg_sim_filterpattern *fp;
    cJSON *events;
    size_t count, limit, bytes;
    bool filtered; /* FilterLogEvents shape (logStreamName, eventId) */
    struct seg_sim_log_key first, last;
};

static enum seg_sim_scan_verdict page_add(void *ud, const struct seg_sim_log_event *ev)
{
    struct page *p = ud;
    if (p->fp && !seg_sim_filterpattern_match(p->fp, ev->message, ev->message_len))
        return SEG_SIM_SCAN_NEXT;
    size_t size = ev->message_len + EVENT_OVERHEAD;
    if (p->count > 0 && p->bytes + size > PAGE_BYTES)
        return SEG_SIM_SCAN_STOP_BEFORE;
    cJSON *o = cJSON_CreateObject();
    if (p->filtered)
        cJSON_AddStringToObject(o, "logStreamName", ev->stream);
    cJSON_AddNumberToObject(o, "timestamp", (double)ev->timestamp_ms);
    cJSON_AddStringToObject(o, "message", ev->message);
    cJSON_AddNumberToObject(o, "ingestionTime", (double)ev->ingestion_ms);
    if (p->filtered) {
        char id[SEG_SIM_EVENT_ID_SIZE];
        seg_sim_log_event_id(ev, id);
        cJSON_AddStringToObject(o, "eventId", id);
    }
    cJSON_AddItemToArray(p->events, o);
    struct seg_sim_log_key k = {ev->timestamp_ms, ev->seq};
    if (p->count == 0)
        p->first = k;
    p->last = k;
    p->count++;
    p->bytes += size;
    return p->count >= p->limit ? SEG_SIM_SCAN_STOP : SEG_SIM_SCAN_NEXT;
}

/* Faults that make a client's de-duplication and ordering earn their keep. The page is
 * rebuilt from a plain array (cJSON 1.7.15's InsertItemInArray fails mid-array). */
static void page_faults(struct ctx *c, cJSON *events)
{
    const struct seg_sim_faults *f = c->api->faults;
    int n = cJSON_GetArraySize(events);
    if (!f || n == 0)
        return;
    bool reorder = n > 1 && chance(c->api, f->reorder);
    bool dup = chance(c->api, f->duplicate_events);
    if (!reorder && !dup)
        return;
    cJSON **items = seg_xcalloc((size_t)n + 1, sizeof *items);
    for (int i = n - 1; i >= 0; i--)
        items[i] = cJSON_DetachItemFromArray(events, i);
    for (int i = n - 1; reorder && i > 0; i--) { /* Fisher-Yates */
        int j = (int)(draw(c->api) % (uint64_t)(i + 1));
        cJSON *t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
    int twice = dup ? (int)(draw(c->api) % (uint64_t)n) : -1;
    for (int i = 0; i < n; i++) {
        cJSON_AddItemToArray(events, items[i]);
        if (i == twice) {
            cJSON *copy = cJSON_Duplicate(items[i], true);
            if (copy)
                cJSON_AddItemToArray(events, copy);
        }
    }
    free(items);
}

static void filter_log_events(struct ctx *c)
{
    char *group = resolve_group(c);
    size_t nstreams = 0;
    const char **streams = in_strlist(c, "logStreamNames", &nstreams);
    const char *prefix = in_str(c, "logStreamNamePrefix");
    const char *pattern = in_str(c, "filterPattern");
    const char *tok = in_str(c, "nextToken");
    int64_t start = 0, end = INT64_MAX, limit = 10000;
    bool has_start = in_long(c, "startTime", &start);
    bool has_end = in_long(c, "endTime", &end);
    (void)in_int(c, "limit", &limit);
    (void)in_bool(c, "interleaved", true); /* ignored since 2019, but type-checked */
    (void)in_bool(c, "startFromHead", true);
    (void)in_bool(c, "unmask", false);
    check_range(c, "limit", limit, 1, 10000);
    if (has_start)
        check_range(c, "startTime", start, 0, INT64_MAX);
    if (has_end)
        check_range(c, "endTime", end, 0, INT64_MAX);
    check_len(c, "logStreamNamePrefix", prefix, 1, 512);
    check_len(c, "nextToken", tok, 1, SIZE_MAX);
    if (!c->failed && streams && (nstreams < 1 || nstreams > 100)) {
        invalid_value(c, "logStreamNames", NULL,
                      nstreams ? "have length less than or equal to 100"
                               : "have length greater than or equal to 1");
    }
    for (size_t i = 0; i < nstreams && !c->failed; i++)
        check_len(c, "logStreamNames", streams[i], 1, 512);
    if (!c->failed && streams && prefix)
        error(c, "InvalidParameterException",
              "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    struct seg_sim_filterpattern *fp = NULL;
    struct seg_errmsg em = {{0}};
    if (!c->failed &&
        seg_sim_filterpattern_compile(pattern, pattern ? strlen(pattern) : 0, &fp, &em) != SEG_OK)
        error(c, "InvalidParameterException", "%s", em.text);
    uint64_t ta = 0, tb = 0;
    char scope[600];
    snprintf(scope, sizeof scope, "FilterLogEvents/%s", group ? group : "");
    if (!c->failed && tok && !token_parse(scope, tok, &ta, &tb))
        bad_token(c);
    struct page pg = {.fp = fp && !seg_sim_filterpattern_matches_all(fp) ? fp : NULL,
                      .limit = (size_t)limit,
                      .filtered = true};
    struct seg_sim_logstore_scan q = {.group = group,
                                      .streams = streams,
                                      .nstreams = nstreams,
                                      .stream_prefix = prefix,
                                      .start_ms = start,
                                      .end_ms = end, /* "later than this time are not returned" */
                                      .has_after = tok != NULL,
                                      .after = {(int64_t)ta, tb},
                                      .now_ms = c->now,
                                      .max_scanned = c->api->scan_budget,
                                      .visit = page_add,
                                      .ud = &pg};
    struct seg_sim_logstore_scan_result res;
    cJSON *out = NULL;
    if (!c->failed) {
        out = cJSON_CreateObject();
        pg.events = cJSON_AddArrayToObject(out, "events");
        if (seg_sim_logstore_scan(c->api->store, &q, &res) != SEG_OK) {
            group_not_found(c);
            cJSON_Delete(out);
            out = NULL;
        }
    }
    if (out) {
        page_faults(c, pg.events);
        cJSON_AddArrayToObject(out, "searchedLogStreams"); /* "returns an empty list" */
        if (res.more) {
            char *t = token_make(scope, (uint64_t)res.last.ts, res.last.seq);
            cJSON_AddStringToObject(out, "nextToken", t);
            free(t);
        }
        send_json(c->resp, 200, out);
    }
    seg_sim_filterpattern_free(fp);
    free(streams);
    free(group);
}

/* GetLogEvents tokens: f/ or b/ and 56 digits (timestamp, seq, check), like AWS's. */
static char *stream_token(const char *scope, char dir, struct seg_sim_log_key k)
{
    uint64_t ts = k.ts < 0 ? 0 : (uint64_t)k.ts;
    uint64_t check =
        ((uint64_t)token_check(scope, ts, k.seq) * 2654435761u) % 100000000000000000ull;
    return seg_xasprintf("%c/%019" PRIu64 "%020" PRIu64 "%017" PRIu64, dir, ts, k.seq, check);
}

static bool stream_token_parse(const char *scope, const char *tok, char *dir,
                               struct seg_sim_log_key *k)
{
    if (strlen(tok) != 58 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' ||
        strspn(tok + 2, "0123456789") != 56)
        return false;
    char part[21];
    memcpy(part, tok + 2, 19);
    part[19] = '\0';
    uint64_t ts = strtoull(part, NULL, 10);
    memcpy(part, tok + 21, 20);
    part[20] = '\0';
    errno = 0;
    uint64_t seq = strtoull(part, NULL, 10);
    uint64_t check = strtoull(tok + 41, NULL, 10);
    if (errno || ts > INT64_MAX ||
        check != ((uint64_t)token_check(scope, ts, seq) * 2654435761u) % 100000000000000000ull)
        return false;
    *dir = tok[0];
    *k = (struct seg_sim_log_key){(int64_t)ts, seq};
    return true;
}

static void get_log_events(struct ctx *c)
{
    char *group = resolve_group(c);
    const char *stream = in_str(c, "logStreamName");
    const char *tok = in_str(c, "nextToken");
    int64_t start = 0, end = INT64_MAX, limit = 10000;
    bool has_start = in_long(c, "startTime", &start);
    bool has_end = in_long(c, "endTime", &end);
    (void)in_int(c, "limit", &limit);
    bool head = in_bool(c, "startFromHead", false);
    (void)in_bool(c, "unmask", false);
    if (!c->failed && !stream)
        invalid_value(c, "logStreamName", NULL, "not be null");
    check_len(c, "logStreamName", stream, 1, 512);
    check_range(c, "limit", limit, 1, 10000);
    if (has_start)
        check_range(c, "startTime", start, 0, INT64_MAX);
    if (has_end)
        check_range(c, "endTime", end, 0, INT64_MAX);
    check_len(c, "nextToken", tok, 1, SIZE_MAX);
    char scope[1100];
    snprintf(scope, sizeof scope, "GetLogEvents/%s/%s", group ? group : "", stream ? stream : "");
    char dir = 0;
    struct seg_sim_log_key bound = {0, 0};
    if (!c->failed && tok && !stream_token_parse(scope, tok, &dir, &bound))
        bad_token(c);
    if (c->failed) {
        free(group);
        return;
    }
    cJSON *events = cJSON_CreateArray();
    struct page pg = {.events = events, .limit = (size_t)limit};
    bool forward = tok ? dir == 'f' : head;
    int64_t end_incl = has_end ? (end > 0 ? end - 1 : -1) : INT64_MAX; /* endTime is exclusive */
    struct seg_sim_logstore_walk w = {.group = group,
                                      .stream = stream,
                                      .start_ms = start,
                                      .end_ms = end_incl,
                                      .forward = forward,
                                      .has_bound = tok != NULL,
                                      .bound = bound,
                                      .now_ms = c->now,
                                      .visit = page_add,
                                      .ud = &pg};
    if (seg_sim_logstore_walk(c->api->store, &w) != SEG_OK) {
        cJSON_Delete(events);
        if (seg_sim_logstore_has_group(c->api->store, group))
            error(c, "ResourceNotFoundException", "The specified log stream does not exist.");
        else
            group_not_found(c);
        free(group);
        return;
    }
    if (!forward) { /* walked newest first; pages read oldest first */
        cJSON *asc = cJSON_CreateArray();
        while (cJSON_GetArraySize(events) > 0)
            cJSON_AddItemToArray(asc,
                                 cJSON_DetachItemFromArray(events, cJSON_GetArraySize(events) - 1));
        cJSON_Delete(events);
        events = asc;
        struct seg_sim_log_key t = pg.first;
        pg.first = pg.last;
        pg.last = t;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "events", events);
    char *ft, *bt;
    if (pg.count > 0) {
        ft = stream_token(scope, 'f', pg.last);
        bt = stream_token(scope, 'b', pg.first);
    } else if (tok) { /* the end: the same token back */
        ft = dir == 'f' ? seg_xstrdup(tok) : stream_token(scope, 'f', bound);
        bt = dir == 'b' ? seg_xstrdup(tok) : stream_token(scope, 'b', bound);
    } else {
        struct seg_sim_log_key lo = {start, 0};
        struct seg_sim_log_key hi = {end_incl == INT64_MAX ? INT64_MAX : end_incl + 1, 0};
        ft = stream_token(scope, 'f', lo);
        bt = stream_token(scope, 'b', hi);
    }
    cJSON_AddStringToObject(out, "nextForwardToken", ft);
    cJSON_AddStringToObject(out, "nextBackwardToken", bt);
    free(ft);
    free(bt);
    free(group);
    send_json(c->resp, 200, out);
}

/* ---- Logs Insights ---- */

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
    send_json(c->resp, 400, o);
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
    const char *one = in_str(c, "logGroupName");
    const char **names = in_strlist(c, "logGroupNames", &nn);
    const char **idents = in_strlist(c, "logGroupIdentifiers", &ni);
    int kinds = (one != NULL) + (names != NULL) + (idents != NULL);
    char **out = NULL;
    *n = 0;
    if (!c->failed && kinds != 1)
        error(c, "InvalidParameterException",
              kinds ? "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers may be "
                      "specified."
                    : "Either logGroupName, logGroupNames or logGroupIdentifiers must be "
                      "specified.");
    size_t total = one ? 1 : names ? nn : ni;
    const char *field = names ? "logGroupNames" : "logGroupIdentifiers";
    if (!c->failed && !one && total > MAX_QUERY_GROUPS)
        invalid_value(c, field, NULL, "have length less than or equal to 50");
    if (!c->failed && !one && total == 0)
        invalid_value(c, field, NULL, "have length greater than or equal to 1");
    if (!c->failed) {
        out = seg_xcalloc(total, sizeof *out);
        for (size_t i = 0; i < total && !c->failed; i++) {
            const char *g = one ? one : names ? names[i] : idents[i];
            if (idents && strncmp(g, "arn:", 4) == 0) {
                const char *p = strstr(g, ":log-group:");
                if (!p || strncmp(g, "arn:aws:logs:", 13) != 0 || !p[11]) {
                    error(c, "InvalidParameterException", "Invalid logGroupIdentifier: %.300s", g);
                    break;
                }
                out[(*n)++] = seg_xstrdup(p + 11);
            } else {
                check_group_name(c, one ? "logGroupName" : field, g);
                out[(*n)++] = seg_xstrdup(g);
            }
            if (!c->failed && !seg_sim_logstore_has_group(c->api->store, out[*n - 1]))
                error(c, "ResourceNotFoundException",
                      "Log group '%.512s' does not exist for account ID '%s'", out[*n - 1],
                      c->api->account);
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

static void start_query(struct ctx *c)
{
    size_t ngroups = 0;
    char **groups = query_groups(c, &ngroups);
    const char *lang = in_str(c, "queryLanguage");
    const char *qs = in_str(c, "queryString");
    int64_t start = 0, end = 0, limit = 0;
    bool has_start = in_long(c, "startTime", &start);
    bool has_end = in_long(c, "endTime", &end);
    bool has_limit = in_int(c, "limit", &limit);
    if (!c->failed && !has_start)
        invalid_value(c, "startTime", NULL, "not be null");
    if (!c->failed && !has_end)
        invalid_value(c, "endTime", NULL, "not be null");
    if (!c->failed && !qs)
        invalid_value(c, "queryString", NULL, "not be null");
    check_range(c, "startTime", start, 0, INT64_MAX / 1000 - 1);
    check_range(c, "endTime", end, 0, INT64_MAX / 1000 - 1);
    check_len(c, "queryString", qs, 0, SEG_SIM_INSIGHTS_MAX_QUERY);
    if (has_limit)
        check_range(c, "limit", limit, 1, MAX_QUERY_LIMIT);
    if (!c->failed && lang && strcmp(lang, "CWLI") != 0)
        error(c, "InvalidParameterException",
              "queryLanguage %.40s is not supported by the simulator (only CWLI)", lang);
    if (!c->failed && end < start)
        error(c, "InvalidParameterException", "End time should not be before the start time");
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
            error(c, "LimitExceededException",
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
    q->done_ms = c->now + c->api->qmin + (int64_t)(draw(c->api) % span);
    pthread_mutex_lock(&c->api->qmu);
    if (c->api->nq == MAX_QUERIES_KEPT) { /* forget the oldest finished query */
        size_t k = 0;
        while (k < c->api->nq && query_active(c->api->q[k], c->now))
            k++;
        if (k == c->api->nq)
            k = 0;
        query_free(c->api->q[k]);
        memmove(&c->api->q[k], &c->api->q[k + 1], (c->api->nq - k - 1) * sizeof *c->api->q);
        c->api->nq--;
    }
    c->api->q = seg_xrealloc(c->api->q, (c->api->nq + 1) * sizeof *c->api->q);
    c->api->q[c->api->nq++] = q;
    pthread_mutex_unlock(&c->api->qmu);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "queryId", q->id);
    send_json(c->resp, 200, out);
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
    const char *id = in_str(c, "queryId");
    if (!c->failed && !id)
        invalid_value(c, "queryId", NULL, "not be null");
    check_len(c, "queryId", id, 0, 256);
    return c->failed ? NULL : id;
}

static void get_query_results(struct ctx *c)
{
    const char *id = query_id_arg(c);
    const char *tok = in_str(c, "nextToken");
    int64_t max_items = 10000;
    bool has_max = in_int(c, "maxItems", &max_items);
    if (has_max)
        check_range(c, "maxItems", max_items, 0, 10000);
    check_len(c, "nextToken", tok, 1, 1024);
    if (!has_max || max_items == 0)
        max_items = 10000;
    uint64_t offset = 0, zero;
    if (!c->failed && tok && !token_parse(id, tok, &offset, &zero))
        bad_token(c);
    if (c->failed)
        return;
    pthread_mutex_lock(&c->api->qmu);
    const struct query *q = find_query(c->api, id);
    if (!q) {
        pthread_mutex_unlock(&c->api->qmu);
        error(c, "ResourceNotFoundException", "The specified query could not be found.");
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
        char *t = token_make(id, i, 0);
        cJSON_AddStringToObject(out, "nextToken", t);
        free(t);
    }
    pthread_mutex_unlock(&c->api->qmu);
    send_json(c->resp, 200, out);
}

static void stop_query(struct ctx *c)
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
        error(c, "ResourceNotFoundException", "The specified query could not be found.");
        return;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON_AddBoolToObject(out, "success", stopped);
    send_json(c->resp, 200, out);
}

/* ---- dispatch ---- */

static const struct {
    const char *op;
    void (*fn)(struct ctx *c);
} ops[] = {
    {"DescribeLogGroups", describe_log_groups},
    {"DescribeLogStreams", describe_log_streams},
    {"GetLogEvents", get_log_events},
    {"FilterLogEvents", filter_log_events},
    {"StartQuery", start_query},
    {"GetQueryResults", get_query_results},
    {"StopQuery", stop_query},
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
        error(&c, "UnknownOperationException", "%s", "");
        return;
    }
    if (req->method && strcmp(req->method, "POST") != 0) {
        error(&c, "UnknownOperationException", "%s", "");
        return;
    }
    if (throttled(api, ops[k].op)) {
        error(&c, "ThrottlingException", "Rate exceeded");
        return;
    }
    if (req->body_len == 0) {
        c.in = cJSON_CreateObject(); /* "{}" is what an input-less call sends */
    } else {
        c.in = cJSON_ParseWithLength((const char *)req->body, req->body_len);
        if (!c.in) {
            error(&c, "SerializationException", "%s", "Unexpected token in the request body");
            return;
        }
    }
    if (!cJSON_IsObject(c.in))
        error(&c, "SerializationException", "Start of structure or map found where not expected.");
    else
        ops[k].fn(&c);
    cJSON_Delete(c.in);
}

void seg_sim_logs_handler(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    seg_sim_logs_handle(ud, req, resp);
}
