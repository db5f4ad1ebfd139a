#include "logs/events.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/timefmt.h"
#include "util/xalloc.h"

static const char *str_item(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *token_copy(const cJSON *root, const char *k)
{
    const char *t = str_item(root, k);
    if (!t || !t[0] || strlen(t) > SEG_LOGS_TOKEN_MAX)
        return NULL;
    return seg_xstrdup(t);
}

static cJSON *parse_capped(const char *body, size_t len, enum seg_err *rc)
{
    if (len > SEG_LOGS_MAX_PAGE) {
        *rc = SEG_ERR_TOOBIG;
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength(body ? body : "", len);
    *rc = root && cJSON_IsObject(root) ? SEG_OK : SEG_ERR_PARSE;
    return root;
}

/* An epoch-ms JSON number: finite, within the years 1970..9999. */
static int64_t ms_item(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 253402300799999.0)
        return INT64_MIN;
    return (int64_t)v->valuedouble;
}

enum seg_err seg_logs_parse_filter_page(const char *body, size_t len, seg_log_event_fn *fn,
                                        void *ud, char **next_token, size_t *skipped)
{
    enum seg_err rc;
    *next_token = NULL;
    *skipped = 0;
    cJSON *root = parse_capped(body, len, &rc);
    if (rc != SEG_OK)
        goto out;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(root, "events"))
    {
        struct seg_log_event e = {0};
        e.message = str_item(ev, "message");
        e.ts = ms_item(ev, "timestamp");
        if (!e.message || e.ts == INT64_MIN) {
            (*skipped)++;
            continue;
        }
        e.message_len = strlen(e.message);
        e.ingest = ms_item(ev, "ingestionTime");
        e.event_id = str_item(ev, "eventId");
        e.stream = str_item(ev, "logStreamName");
        if (!e.stream)
            e.stream = "";
        fn(ud, &e);
    }
    *next_token = token_copy(root, "nextToken");
out:
    cJSON_Delete(root);
    return rc;
}

static enum seg_query_status status_of(const char *s)
{
    static const struct {
        const char *name;
        enum seg_query_status st;
    } names[] = {{"Scheduled", SEG_QUERY_SCHEDULED}, {"Running", SEG_QUERY_RUNNING},
                 {"Complete", SEG_QUERY_COMPLETE},   {"Failed", SEG_QUERY_FAILED},
                 {"Cancelled", SEG_QUERY_CANCELLED}, {"Timeout", SEG_QUERY_TIMEOUT}};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].st;
    return SEG_QUERY_UNKNOWN;
}

/* Insights prints times as "YYYY-MM-DD HH:MM:SS.mmm" in UTC. */
static int64_t insights_time(const char *s)
{
    int64_t ms;
    return s && seg_time_parse_civil_ms(s, &ms) ? ms : INT64_MIN;
}

static void visit_row(const cJSON *row, seg_log_event_fn *fn, void *ud, size_t *skipped)
{
    struct seg_log_event e = {.ts = INT64_MIN, .ingest = INT64_MIN, .stream = ""};
    const cJSON *f;
    cJSON_ArrayForEach(f, row)
    {
        const char *name = str_item(f, "field"), *value = str_item(f, "value");
        if (!name || !value)
            continue;
        if (strcmp(name, "@message") == 0)
            e.message = value;
        else if (strcmp(name, "@timestamp") == 0)
            e.ts = insights_time(value);
        else if (strcmp(name, "@ingestionTime") == 0)
            e.ingest = insights_time(value);
        else if (strcmp(name, "@logStream") == 0)
            e.stream = value;
        else if (strcmp(name, "@log") == 0) {
            /* "123456789012:/aws/lambda/f": the account id, then the group */
            const char *colon = strchr(value, ':');
            e.group = colon ? colon + 1 : value;
        }
    }
    if (!e.message || e.ts == INT64_MIN) {
        (*skipped)++;
        return;
    }
    e.message_len = strlen(e.message);
    fn(ud, &e);
}

enum seg_err seg_logs_parse_query_page(const char *body, size_t len, seg_log_event_fn *fn, void *ud,
                                       struct seg_query_page *out)
{
    enum seg_err rc;
    memset(out, 0, sizeof *out);
    cJSON *root = parse_capped(body, len, &rc);
    if (rc != SEG_OK)
        goto out;
    out->status = status_of(str_item(root, "status"));
    const cJSON *results = cJSON_GetObjectItemCaseSensitive(root, "results");
    const cJSON *row;
    cJSON_ArrayForEach(row, results)
    {
        out->rows++;
        if (out->status == SEG_QUERY_COMPLETE && cJSON_IsArray(row))
            visit_row(row, fn, ud, &out->skipped);
    }
    out->next_token = token_copy(root, "nextToken");
out:
    cJSON_Delete(root);
    return rc;
}

enum seg_err seg_logs_parse_query_id(const char *body, size_t len, char *out, size_t size)
{
    enum seg_err rc;
    cJSON *root = parse_capped(body, len, &rc);
    const char *id = rc == SEG_OK ? str_item(root, "queryId") : NULL;
    if (rc == SEG_OK && (!id || !id[0] || strlen(id) >= size))
        rc = SEG_ERR_PARSE;
    if (rc == SEG_OK)
        memcpy(out, id, strlen(id) + 1);
    cJSON_Delete(root);
    return rc;
}
