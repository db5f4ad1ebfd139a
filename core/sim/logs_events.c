/* FilterLogEvents and GetLogEvents: pages of events capped as AWS caps them, their paging
 * tokens (GetLogEvents' f/ and b/ forms), and the duplicate and reorder faults. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/filterpattern.h"
#include "sim/logs_internal.h"
#include "util/errmsg.h"
#include "util/xalloc.h"

#define PAGE_BYTES     ((size_t)1 << 20) /* AWS: "up to 1 MB of log events" per page */
#define EVENT_OVERHEAD 26                /* AWS's per-event size overhead */

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
    bool reorder = n > 1 && seg_sim_logs_chance(c->api, f->reorder);
    bool dup = seg_sim_logs_chance(c->api, f->duplicate_events);
    if (!reorder && !dup)
        return;
    cJSON **items = seg_xcalloc((size_t)n + 1, sizeof *items);
    for (int i = n - 1; i >= 0; i--)
        items[i] = cJSON_DetachItemFromArray(events, i);
    for (int i = n - 1; reorder && i > 0; i--) { /* Fisher-Yates */
        int j = (int)(seg_sim_logs_draw(c->api) % (uint64_t)(i + 1));
        cJSON *t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
    int twice = dup ? (int)(seg_sim_logs_draw(c->api) % (uint64_t)n) : -1;
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

void seg_sim_logs_filter_log_events(struct ctx *c)
{
    char *group = seg_sim_logs_resolve_group(c);
    size_t nstreams = 0;
    const char **streams = seg_sim_logs_in_strlist(c, "logStreamNames", &nstreams);
    const char *prefix = seg_sim_logs_in_str(c, "logStreamNamePrefix");
    const char *pattern = seg_sim_logs_in_str(c, "filterPattern");
    const char *tok = seg_sim_logs_in_str(c, "nextToken");
    int64_t start = 0, end = INT64_MAX, limit = 10000;
    bool has_start = seg_sim_logs_in_long(c, "startTime", &start);
    bool has_end = seg_sim_logs_in_long(c, "endTime", &end);
    (void)seg_sim_logs_in_int(c, "limit", &limit);
    (void)seg_sim_logs_in_bool(c, "interleaved", true); /* ignored since 2019, but type-checked */
    (void)seg_sim_logs_in_bool(c, "startFromHead", true);
    (void)seg_sim_logs_in_bool(c, "unmask", false);
    seg_sim_logs_check_range(c, "limit", limit, 1, 10000);
    if (has_start)
        seg_sim_logs_check_range(c, "startTime", start, 0, INT64_MAX);
    if (has_end)
        seg_sim_logs_check_range(c, "endTime", end, 0, INT64_MAX);
    seg_sim_logs_check_len(c, "logStreamNamePrefix", prefix, 1, 512);
    seg_sim_logs_check_len(c, "nextToken", tok, 1, SIZE_MAX);
    if (!c->failed && streams && (nstreams < 1 || nstreams > 100)) {
        seg_sim_logs_invalid_value(c, "logStreamNames", NULL,
                                   nstreams ? "have length less than or equal to 100"
                                            : "have length greater than or equal to 1");
    }
    for (size_t i = 0; i < nstreams && !c->failed; i++)
        seg_sim_logs_check_len(c, "logStreamNames", streams[i], 1, 512);
    if (!c->failed && streams && prefix)
        seg_sim_logs_error(
            c, "InvalidParameterException",
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
    struct seg_sim_filterpattern *fp = NULL;
    struct seg_errmsg em = {{0}};
    if (!c->failed &&
        seg_sim_filterpattern_compile(pattern, pattern ? strlen(pattern) : 0, &fp, &em) != SEG_OK)
        seg_sim_logs_error(c, "InvalidParameterException", "%s", em.text);
    uint64_t ta = 0, tb = 0;
    char scope[600];
    snprintf(scope, sizeof scope, "FilterLogEvents/%s", group ? group : "");
    if (!c->failed && tok && !seg_sim_logs_token_parse(scope, tok, &ta, &tb))
        seg_sim_logs_bad_token(c);
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
            seg_sim_logs_group_not_found(c);
            cJSON_Delete(out);
            out = NULL;
        }
    }
    if (out) {
        page_faults(c, pg.events);
        cJSON_AddArrayToObject(out, "searchedLogStreams"); /* "returns an empty list" */
        if (res.more) {
            char *t = seg_sim_logs_token_make(scope, (uint64_t)res.last.ts, res.last.seq);
            cJSON_AddStringToObject(out, "nextToken", t);
            free(t);
        }
        seg_sim_logs_send_json(c->resp, 200, out);
    }
    seg_sim_filterpattern_free(fp);
    free(streams);
    free(group);
}

/* GetLogEvents tokens: f/ or b/ and 56 digits (timestamp, seq, check), like AWS's. */
static char *stream_token(const char *scope, char dir, struct seg_sim_log_key k)
{
    uint64_t ts = k.ts < 0 ? 0 : (uint64_t)k.ts;
    uint64_t check = ((uint64_t)seg_sim_logs_token_check(scope, ts, k.seq) * 2654435761u) %
                     100000000000000000ull;
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
        check != ((uint64_t)seg_sim_logs_token_check(scope, ts, seq) * 2654435761u) %
                     100000000000000000ull)
        return false;
    *dir = tok[0];
    *k = (struct seg_sim_log_key){(int64_t)ts, seq};
    return true;
}

void seg_sim_logs_get_log_events(struct ctx *c)
{
    char *group = seg_sim_logs_resolve_group(c);
    const char *stream = seg_sim_logs_in_str(c, "logStreamName");
    const char *tok = seg_sim_logs_in_str(c, "nextToken");
    int64_t start = 0, end = INT64_MAX, limit = 10000;
    bool has_start = seg_sim_logs_in_long(c, "startTime", &start);
    bool has_end = seg_sim_logs_in_long(c, "endTime", &end);
    (void)seg_sim_logs_in_int(c, "limit", &limit);
    bool head = seg_sim_logs_in_bool(c, "startFromHead", false);
    (void)seg_sim_logs_in_bool(c, "unmask", false);
    if (!c->failed && !stream)
        seg_sim_logs_invalid_value(c, "logStreamName", NULL, "not be null");
    seg_sim_logs_check_len(c, "logStreamName", stream, 1, 512);
    seg_sim_logs_check_range(c, "limit", limit, 1, 10000);
    if (has_start)
        seg_sim_logs_check_range(c, "startTime", start, 0, INT64_MAX);
    if (has_end)
        seg_sim_logs_check_range(c, "endTime", end, 0, INT64_MAX);
    seg_sim_logs_check_len(c, "nextToken", tok, 1, SIZE_MAX);
    char scope[1100];
    snprintf(scope, sizeof scope, "GetLogEvents/%s/%s", group ? group : "", stream ? stream : "");
    char dir = 0;
    struct seg_sim_log_key bound = {0, 0};
    if (!c->failed && tok && !stream_token_parse(scope, tok, &dir, &bound))
        seg_sim_logs_bad_token(c);
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
            seg_sim_logs_error(c, "ResourceNotFoundException",
                               "The specified log stream does not exist.");
        else
            seg_sim_logs_group_not_found(c);
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
    seg_sim_logs_send_json(c->resp, 200, out);
}
