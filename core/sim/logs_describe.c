/* DescribeLogGroups and DescribeLogStreams: listing the store's groups and streams in
 * AWS's shapes, with offset paging tokens. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/logs_internal.h"
#include "util/xalloc.h"

/* ---- DescribeLogGroups ---- */

static char *group_arn(const struct seg_sim_logs *api, const char *group, bool star)
{
    return seg_xasprintf("arn:aws:logs:%s:%s:log-group:%s%s", api->region, api->account, group,
                         star ? ":*" : "");
}

void seg_sim_logs_describe_log_groups(struct ctx *c)
{
    const char *prefix = seg_sim_logs_in_str(c, "logGroupNamePrefix");
    const char *pattern = seg_sim_logs_in_str(c, "logGroupNamePattern");
    const char *tok = seg_sim_logs_in_str(c, "nextToken");
    int64_t limit = 50;
    (void)seg_sim_logs_in_int(c, "limit", &limit);
    seg_sim_logs_check_range(c, "limit", limit, 1, 50);
    seg_sim_logs_check_group_name(c, "logGroupNamePrefix", prefix);
    seg_sim_logs_check_len(c, "logGroupNamePattern", pattern, 0, 512);
    seg_sim_logs_check_len(c, "nextToken", tok, 1, SIZE_MAX);
    if (!c->failed && prefix && pattern)
        seg_sim_logs_error(
            c, "InvalidParameterException",
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
    uint64_t offset = 0, zero;
    if (!c->failed && tok && !seg_sim_logs_token_parse("DescribeLogGroups", tok, &offset, &zero))
        seg_sim_logs_bad_token(c);
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
        char *t = seg_sim_logs_token_make("DescribeLogGroups", i, 0);
        cJSON_AddStringToObject(out, "nextToken", t);
        free(t);
    }
    seg_sim_loggroup_infos_free(g, n);
    seg_sim_logs_send_json(c->resp, 200, out);
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

void seg_sim_logs_describe_log_streams(struct ctx *c)
{
    char *group = seg_sim_logs_resolve_group(c);
    const char *prefix = seg_sim_logs_in_str(c, "logStreamNamePrefix");
    const char *order = seg_sim_logs_in_str(c, "orderBy");
    bool desc = seg_sim_logs_in_bool(c, "descending", false);
    const char *tok = seg_sim_logs_in_str(c, "nextToken");
    int64_t limit = 50;
    (void)seg_sim_logs_in_int(c, "limit", &limit);
    seg_sim_logs_check_range(c, "limit", limit, 1, 50);
    seg_sim_logs_check_len(c, "logStreamNamePrefix", prefix, 1, 512);
    seg_sim_logs_check_len(c, "nextToken", tok, 1, SIZE_MAX);
    bool by_time = order && strcmp(order, "LastEventTime") == 0;
    if (!c->failed && order && !by_time && strcmp(order, "LogStreamName") != 0)
        seg_sim_logs_invalid_value(c, "orderBy", order,
                                   "satisfy enum value set: [LogStreamName, LastEventTime]");
    if (!c->failed && by_time && prefix)
        seg_sim_logs_error(c, "InvalidParameterException",
                           "Cannot order by LastEventTime with a logStreamNamePrefix.");
    uint64_t offset = 0, zero;
    char scope[600];
    snprintf(scope, sizeof scope, "DescribeLogStreams/%s/%d%d", group ? group : "", by_time, desc);
    if (!c->failed && tok && !seg_sim_logs_token_parse(scope, tok, &offset, &zero))
        seg_sim_logs_bad_token(c);
    struct seg_sim_logstream_info *s = NULL;
    size_t n = 0;
    if (!c->failed &&
        seg_sim_logstore_list_streams(c->api->store, group, prefix, c->now, &s, &n) != SEG_OK)
        seg_sim_logs_group_not_found(c);
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
        char *t = seg_sim_logs_token_make(scope, i, 0);
        cJSON_AddStringToObject(out, "nextToken", t);
        free(t);
    }
    seg_sim_logstream_infos_free(s, n);
    free(group);
    seg_sim_logs_send_json(c->resp, 200, out);
}
