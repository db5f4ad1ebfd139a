/* libFuzzer target over the simulator's CloudWatch Logs API entry (seg_sim_logs_handle): any
 * local client's request (X-Amz-Target, method, JSON body) gets an answer that is a JSON
 * object with the awsJson1_1 content type (an error carries "__type"), never a crash, a leak
 * or a read past the body. Paging tokens it hands out are followed for a few pages, and a
 * query it starts is read back once its modelled runtime has passed, so the fuzzer reaches
 * the result rendering too.
 * Input: byte 0 picks the operation (7: the first line is the X-Amz-Target), GET instead of
 * POST (bit 3); the rest is the body. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/faults.h"
#include "sim/logs_api.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1788264000000LL /* 2026-09-01T12:00:00Z */

static const char *const ops[] = {"DescribeLogGroups", "DescribeLogStreams", "GetLogEvents",
                                  "FilterLogEvents",   "StartQuery",         "GetQueryResults",
                                  "StopQuery"};

static struct seg_sim_clock clk;
static struct seg_sim_logstore *store;
static struct seg_sim_faults faults;

/* A few groups in both log formats, one shared, one with hostile bytes; read-only after. */
static void setup(void)
{
    clk = (struct seg_sim_clock){.speed = 0, .t0_epoch_ms = T0 + 60000, .t0_mono_ns = 0};
    store = seg_sim_logstore_new(&clk);
    seg_sim_faults_init(&faults);
    faults.duplicate_events = 0.25;
    faults.reorder = 0.25;
    static const char *const lines[] = {
        "INIT_START Runtime Version: python:3.12.v30\tRuntime Version ARN: arn:aws:lambda:x\n",
        "START RequestId: 8f5e2a4c-0000-4000-8000-000000000001 Version: $LATEST\n",
        "Image Name: image_capture_2026-09-01_12-00-00.jpg\n",
        "Event Time: 2026-09-01 12:00:00, Site ID: site1\n",
        "Writing to database...\n",
        "END RequestId: 8f5e2a4c-0000-4000-8000-000000000001\n",
        "REPORT RequestId: 8f5e2a4c-0000-4000-8000-000000000001\tDuration: 19876.54 ms\tBilled "
        "Duration: 19877 ms\tMemory Size: 6200 MB\tMax Memory Used: 1873 MB\tInit Duration: "
        "1520.33 ms\t\n",
        "{\"time\":\"2026-09-01T12:00:21.000Z\",\"type\":\"platform.report\",\"record\":{"
        "\"requestId\":\"r2\",\"metrics\":{\"durationMs\":19876.5,\"billedDurationMs\":19877,"
        "\"memorySizeMB\":6200,\"maxMemoryUsedMB\":1873},\"status\":\"success\"}}",
        "evil \x1b[2J\x1b]0;title\x07\xc2\x9b\xe2\x80\xae\xff\\u0000 end\n",
    };
    static const char *const groups[] = {"/aws/lambda/site1-lambdafunction",
                                         "/aws/lambda/site2-lambdafunction", "/segtop/shared"};
    for (size_t g = 0; g < 3; g++)
        for (int s = 0; s < 2; s++) {
            char stream[64];
            snprintf(stream, sizeof stream, "2026/09/01/[$LATEST]%032d", s);
            for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
                int64_t ts = T0 + (int64_t)i * 1000 + s;
                seg_sim_logstore_put(store, groups[g], stream, ts, ts + 400, lines[i]);
            }
        }
    seg_sim_logstore_create_group(store, "/aws/lambda/empty");
}

static struct seg_sim_logs *api_new(void)
{
    struct seg_sim_logs_config cfg = {.clock = &clk,
                                      .store = store,
                                      .faults = &faults,
                                      .tps = {-1, -1, -1, -1, -1, -1, -1}, /* never throttle */
                                      .seed = 7,
                                      .filter_scan_budget = 7, /* partial pages */
                                      .query_min_ms = 1000,
                                      .query_max_ms = 1000,
                                      .max_concurrent_queries = 4};
    struct seg_sim_logs *api = NULL;
    if (seg_sim_logs_new(&cfg, &api) != SEG_OK)
        abort();
    return api;
}

/* One call; returns the answer's JSON (caller deletes), checked against the wire contract. */
static cJSON *call(struct seg_sim_logs *api, const char *method, const char *target,
                   const void *body, size_t len)
{
    struct seg_http_req req;
    seg_http_req_init(&req);
    if (seg_http_req_set_target(&req, method, "/") != SEG_OK)
        abort();
    if (target)
        seg_http_req_add_header(&req, "X-Amz-Target", target);
    seg_http_req_add_header(&req, "Content-Type", "application/x-amz-json-1.1");
    seg_http_req_set_body(&req, body, len);
    struct seg_httpd_response resp;
    seg_httpd_response_init(&resp);
    seg_sim_logs_handle(api, &req, &resp);
    const char *ct = seg_httpd_response_header(&resp, "Content-Type");
    cJSON *out = cJSON_ParseWithLength((const char *)resp.body, resp.body_len);
    if (!ct || strcmp(ct, "application/x-amz-json-1.1") != 0 || !cJSON_IsObject(out) ||
        resp.status < 200 || resp.status > 599)
        __builtin_trap();
    if (resp.status != 200 && !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(out, "__type")))
        __builtin_trap(); /* an error names its type */
    seg_httpd_response_release(&resp);
    seg_http_req_release(&req);
    return out;
}

static cJSON *call_op(struct seg_sim_logs *api, const char *op, cJSON *in)
{
    char target[64];
    snprintf(target, sizeof target, "Logs_20140328.%s", op);
    char *text = cJSON_PrintUnformatted(in);
    cJSON *out = call(api, "POST", target, text, text ? strlen(text) : 0);
    cJSON_free(text);
    return out;
}

/* Follows the token the answer carries (the same request with nextToken) a few times. */
static void follow(struct seg_sim_logs *api, const char *op, const uint8_t *body, size_t len,
                   const cJSON *first)
{
    const char *field = strcmp(op, "GetLogEvents") == 0 ? "nextForwardToken" : "nextToken";
    cJSON *in = cJSON_ParseWithLength((const char *)body, len);
    const cJSON *cur = first;
    cJSON *owned = NULL; /* the latest page fetched here */
    char last[512] = "";
    for (int page = 0; cJSON_IsObject(in) && page < 4; page++) {
        const cJSON *tok = cJSON_GetObjectItemCaseSensitive(cur, field);
        if (!cJSON_IsString(tok) || strcmp(tok->valuestring, last) == 0)
            break; /* GetLogEvents repeats its token at the end */
        snprintf(last, sizeof last, "%s", tok->valuestring);
        cJSON_DeleteItemFromObjectCaseSensitive(in, "nextToken");
        cJSON_AddStringToObject(in, "nextToken", last);
        cJSON *next = call_op(api, op, in);
        cJSON_Delete(owned);
        cur = owned = next;
    }
    cJSON_Delete(owned);
    cJSON_Delete(in);
}

/* Reads a started query back after its modelled runtime, then stops it. */
static void finish_query(struct seg_sim_logs *api, const cJSON *started)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(started, "queryId");
    if (!cJSON_IsString(id))
        return;
    int64_t t0 = clk.t0_epoch_ms;
    clk.t0_epoch_ms += 5000; /* speed 0: now is t0; the query is complete */
    cJSON *in = cJSON_CreateObject();
    cJSON_AddStringToObject(in, "queryId", id->valuestring);
    cJSON_Delete(call_op(api, "GetQueryResults", in));
    cJSON_Delete(call_op(api, "StopQuery", in));
    cJSON_Delete(in);
    clk.t0_epoch_ms = t0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!store)
        setup();
    if (size == 0)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    char target[128];
    const char *op = NULL;
    if ((sel & 7) < 7) {
        op = ops[sel & 7];
        snprintf(target, sizeof target, "Logs_20140328.%s", op);
    } else {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t tl = nl ? (size_t)(nl - data) : size;
        snprintf(target, sizeof target, "%.*s", (int)(tl < 127 ? tl : 127), (const char *)data);
        data += nl ? tl + 1 : tl;
        size -= nl ? tl + 1 : tl;
    }
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    uint8_t *body = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(body, data, size);
    struct seg_sim_logs *api = api_new();
    cJSON *out = call(api, (sel & 8) ? "GET" : "POST", target, body, size);
    if (op && !(sel & 8) && strcmp(op, "StartQuery") == 0)
        finish_query(api, out);
    else if (op && !(sel & 8))
        follow(api, op, body, size, out);
    cJSON_Delete(out);
    seg_sim_logs_free(api);
    free(body);
    return 0;
}
