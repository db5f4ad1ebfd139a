/* simlogs.api: the Logs API called in-process (no sockets): errors as AWS shapes them,
 * FilterLogEvents paging (limit, scan budget, tokens, time ranges, visibility), GetLogEvents
 * forward/backward tokens, Describe* paging and ordering, Insights query states and faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "seg_test.h"
#include "sim/faults.h"
#include "sim/logs_api.h"

#define T0 1788264000000LL

struct fx {
    struct seg_sim_clock clk; /* speed 0: time moves only when a test moves it */
    struct seg_sim_logstore *ls;
    struct seg_sim_logs *api;
    struct seg_sim_faults faults;
};

static struct fx *fx_new(size_t scan_budget)
{
    struct fx *f = calloc(1, sizeof *f);
    f->clk = (struct seg_sim_clock){.speed = 0, .t0_epoch_ms = T0 + 100000, .t0_mono_ns = 0};
    f->ls = seg_sim_logstore_new(&f->clk);
    struct seg_sim_logs_config cfg = {.clock = &f->clk,
                                      .store = f->ls,
                                      .region = "us-west-1",
                                      .account_id = "123456789012",
                                      .faults = &f->faults,
                                      .tps = {-1, -1, -1, -1, -1, -1, -1},
                                      .seed = 7,
                                      .filter_scan_budget = scan_budget};
    assert_int_equal(seg_sim_logs_new(&cfg, &f->api), SEG_OK);
    char msg[128];
    for (int s = 0; s < 3; s++) {
        char stream[64];
        snprintf(stream, sizeof stream, "2026/09/01/[$LATEST]env%d", s);
        for (int i = 0; i < 10; i++) {
            snprintf(msg, sizeof msg, "REPORT RequestId: r%d-%d\tDuration: %d.00 ms\n", s, i,
                     100 + i);
            seg_sim_logstore_put(f->ls, "/aws/lambda/site1", stream, T0 + i * 1000 + s,
                                 T0 + i * 1000 + s + 500, msg);
        }
    }
    seg_sim_logstore_create_group(f->ls, "/aws/lambda/site2");
    return f;
}

static void fx_free(struct fx *f)
{
    seg_sim_logs_free(f->api);
    seg_sim_logstore_free(f->ls);
    free(f);
}

/* Calls op with body; returns the parsed body (caller deletes) and the status. */
static cJSON *call(struct fx *f, const char *op, const char *body, int *status)
{
    struct seg_http_req req;
    seg_http_req_init(&req);
    assert_int_equal(seg_http_req_set_target(&req, "POST", "/"), SEG_OK);
    char target[128];
    snprintf(target, sizeof target, "Logs_20140328.%s", op);
    seg_http_req_add_header(&req, "X-Amz-Target", target);
    seg_http_req_add_header(&req, "Content-Type", "application/x-amz-json-1.1");
    seg_http_req_set_body(&req, body, strlen(body));
    struct seg_httpd_response resp;
    seg_httpd_response_init(&resp);
    seg_sim_logs_handle(f->api, &req, &resp);
    *status = resp.status;
    assert_string_equal(seg_httpd_response_header(&resp, "Content-Type"),
                        "application/x-amz-json-1.1");
    assert_non_null(seg_httpd_response_header(&resp, "x-amzn-RequestId"));
    cJSON *out = cJSON_ParseWithLength((const char *)resp.body, resp.body_len);
    assert_non_null(out);
    seg_httpd_response_release(&resp);
    seg_http_req_release(&req);
    return out;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void expect_error(struct fx *f, const char *op, const char *body, const char *type,
                         const char *msg_prefix)
{
    int st;
    cJSON *o = call(f, op, body, &st);
    assert_int_equal(st, 400);
    if (!str(o, "__type") || strcmp(str(o, "__type"), type) != 0)
        fail_msg("%s %s: got %s", op, body, str(o, "__type"));
    if (msg_prefix && strncmp(str(o, "message"), msg_prefix, strlen(msg_prefix)) != 0)
        fail_msg("%s %s: message %s", op, body, str(o, "message"));
    cJSON_Delete(o);
}

static void test_errors(void **state)
{
    (void)state;
    struct fx *f = fx_new(0);
    expect_error(f, "PutLogEvents", "{}", "UnknownOperationException", NULL);
    expect_error(f, "FilterLogEvents", "{\"logGroupName\":", "SerializationException", NULL);
    expect_error(f, "FilterLogEvents", "[1]", "SerializationException", NULL);
    expect_error(f, "FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/site1\",\"limit\":\"x\"}",
                 "SerializationException", "STRING_VALUE can not be converted to an Integer");
    expect_error(f, "FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/nope\"}",
                 "ResourceNotFoundException", "The specified log group does not exist.");
    expect_error(f, "FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/site1\",\"limit\":0}",
                 "InvalidParameterException",
                 "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                 "constraint: Member must have value greater than or equal to 1");
    expect_error(f, "FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/site1\",\"limit\":10001}",
                 "InvalidParameterException", "1 validation error detected");
    expect_error(f, "FilterLogEvents", "{\"logGroupName\":\"bad name!\"}",
                 "InvalidParameterException", "1 validation error detected");
    expect_error(f, "FilterLogEvents",
                 "{\"logGroupName\":\"/aws/lambda/site1\",\"nextToken\":\"garbage\"}",
                 "InvalidParameterException", "The specified nextToken is invalid.");
    expect_error(f, "FilterLogEvents",
                 "{\"logGroupName\":\"/aws/lambda/site1\",\"logStreamNames\":[\"a\"],"
                 "\"logStreamNamePrefix\":\"a\"}",
                 "InvalidParameterException", NULL);
    expect_error(f, "FilterLogEvents",
                 "{\"logGroupName\":\"/aws/lambda/site1\",\"filterPattern\":\"{ $.a = 1 }\"}",
                 "InvalidParameterException", NULL);
    expect_error(f, "GetLogEvents", "{\"logGroupName\":\"/aws/lambda/site1\"}",
                 "InvalidParameterException",
                 "1 validation error detected: Value null at 'logStreamName'");
    expect_error(f, "GetLogEvents",
                 "{\"logGroupName\":\"/aws/lambda/site1\",\"logStreamName\":\"nope\"}",
                 "ResourceNotFoundException", "The specified log stream does not exist.");
    expect_error(f, "DescribeLogStreams",
                 "{\"logGroupName\":\"/aws/lambda/site1\",\"orderBy\":\"LastEventTime\","
                 "\"logStreamNamePrefix\":\"x\"}",
                 "InvalidParameterException", NULL);
    expect_error(f, "DescribeLogGroups", "{\"limit\":51}", "InvalidParameterException", NULL);
    expect_error(f, "StartQuery",
                 "{\"logGroupName\":\"/aws/lambda/site1\",\"startTime\":1,\"endTime\":2,"
                 "\"queryString\":\"dedup x\"}",
                 "MalformedQueryException", NULL);
    expect_error(f, "StartQuery",
                 "{\"logGroupName\":\"/aws/lambda/zzz\",\"startTime\":1,\"endTime\":2,"
                 "\"queryString\":\"fields @message\"}",
                 "ResourceNotFoundException", "Log group '/aws/lambda/zzz' does not exist");
    expect_error(f, "GetQueryResults", "{\"queryId\":\"nope\"}", "ResourceNotFoundException", NULL);
    /* throttling fault */
    f->faults.throttle[SEG_SIM_SCOPE_LOGS] = 1.0;
    expect_error(f, "DescribeLogGroups", "{}", "ThrottlingException", "Rate exceeded");
    fx_free(f);
}

/* Pages FilterLogEvents to the end; returns events seen and checks order and ids. */
static size_t page_all(struct fx *f, const char *extra, int *pages, int *short_pages)
{
    char *tok = NULL;
    size_t total = 0;
    char last_id[64] = "";
    *pages = *short_pages = 0;
    for (int guard = 0; guard < 1000; guard++) {
        char body[1024];
        snprintf(body, sizeof body, "{\"logGroupName\":\"/aws/lambda/site1\",\"limit\":7%s%s%s%s}",
                 extra, tok ? ",\"nextToken\":\"" : "", tok ? tok : "", tok ? "\"" : "");
        int st;
        cJSON *o = call(f, "FilterLogEvents", body, &st);
        assert_int_equal(st, 200);
        assert_true(cJSON_IsArray(cJSON_GetObjectItem(o, "searchedLogStreams")));
        const cJSON *ev, *evs = cJSON_GetObjectItem(o, "events");
        (*pages)++;
        if (cJSON_GetArraySize(evs) < 7)
            (*short_pages)++;
        cJSON_ArrayForEach(ev, evs)
        {
            const char *id = str(ev, "eventId");
            assert_int_equal(strlen(id), 56);
            assert_true(strcmp(id, last_id) > 0); /* time order, no repeats */
            snprintf(last_id, sizeof last_id, "%s", id);
            assert_non_null(str(ev, "logStreamName"));
            total++;
        }
        free(tok);
        tok = str(o, "nextToken") ? strdup(str(o, "nextToken")) : NULL;
        cJSON_Delete(o);
        if (!tok)
            return total;
    }
    fail_msg("paging did not end");
    return 0;
}

static void test_filter_paging(void **state)
{
    (void)state;
    struct fx *f = fx_new(0);
    int pages, shorts;
    assert_int_equal(page_all(f, "", &pages, &shorts), 30);
    assert_int_equal(pages, 5); /* 7+7+7+7+2 */
    /* a tiny scan budget gives partial and empty pages, yet the same events */
    fx_free(f);
    f = fx_new(3);
    assert_int_equal(page_all(f, ",\"filterPattern\":\"\\\"Duration: 109\\\"\"", &pages, &shorts),
                     3);
    assert_true(pages >= 10);
    assert_true(shorts >= 9);
    fx_free(f);
    f = fx_new(0);
    /* time range: start inclusive, end inclusive ("later than this time are not returned") */
    char extra[256];
    snprintf(extra, sizeof extra, ",\"startTime\":%lld,\"endTime\":%lld", T0 + 1000, T0 + 2000);
    assert_int_equal(page_all(f, extra, &pages, &shorts), 4); /* 1000,1001,1002,2000 */
    assert_int_equal(
        page_all(f, ",\"logStreamNamePrefix\":\"2026/09/01/[$LATEST]env1\"", &pages, &shorts), 10);
    assert_int_equal(
        page_all(f, ",\"logStreamNames\":[\"2026/09/01/[$LATEST]env2\",\"x\"]", &pages, &shorts),
        10);
    assert_int_equal(page_all(f, ",\"filterPattern\":\"?r0-1 ?r1-1 -Duration\"", &pages, &shorts),
                     0);
    assert_int_equal(page_all(f, ",\"filterPattern\":\"?r0-1 ?r1-1\"", &pages, &shorts), 2);
    /* visibility: move the clock back before most ingestion times */
    f->clk.t0_epoch_ms = T0 + 1600;
    assert_int_equal(page_all(f, "", &pages, &shorts), 6); /* ingested by T0 + 1600 */
    fx_free(f);
}

static void test_filter_faults(void **state)
{
    (void)state;
    struct fx *f = fx_new(0);
    f->faults.duplicate_events = 1.0;
    f->faults.reorder = 1.0;
    int st;
    cJSON *o = call(f, "FilterLogEvents", "{\"logGroupName\":\"/aws/lambda/site1\"}", &st);
    const cJSON *evs = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(evs), 31); /* one twice */
    bool ordered = true;
    double prev = 0;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, evs)
    {
        double ts = cJSON_GetObjectItem(ev, "timestamp")->valuedouble;
        ordered = ordered && ts >= prev;
        prev = ts;
    }
    assert_false(ordered);
    cJSON_Delete(o);
    fx_free(f);
}

static cJSON *get_events(struct fx *f, const char *extra, int *st)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"logGroupIdentifier\":\"arn:aws:logs:us-west-1:123456789012:log-group:/aws/"
             "lambda/site1:*\",\"logStreamName\":\"2026/09/01/[$LATEST]env0\",\"limit\":4%s}",
             extra);
    return call(f, "GetLogEvents", body, st);
}

static void test_get_log_events(void **state)
{
    (void)state;
    struct fx *f = fx_new(0);
    int st;
    /* default startFromHead=false: the newest 4, oldest first */
    cJSON *o = get_events(f, "", &st);
    assert_int_equal(st, 200);
    const cJSON *evs = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(evs), 4);
    assert_true(cJSON_GetArrayItem(evs, 0)->child != NULL);
    assert_int_equal(
        (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(evs, 0), "timestamp")->valuedouble,
        T0 + 6000);
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(evs, 0), "eventId"));
    char fwd[80], bwd[80];
    snprintf(fwd, sizeof fwd, "%s", str(o, "nextForwardToken"));
    snprintf(bwd, sizeof bwd, "%s", str(o, "nextBackwardToken"));
    assert_int_equal(strlen(fwd), 58);
    assert_true(strncmp(fwd, "f/", 2) == 0 && strncmp(bwd, "b/", 2) == 0);
    cJSON_Delete(o);
    /* forward at the end: no events, the same token back */
    char extra[160];
    snprintf(extra, sizeof extra, ",\"startFromHead\":true,\"nextToken\":\"%s\"", fwd);
    o = get_events(f, extra, &st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 0);
    assert_string_equal(str(o, "nextForwardToken"), fwd);
    cJSON_Delete(o);
    /* backward: 2..5, then 0..1, then the end */
    snprintf(extra, sizeof extra, ",\"nextToken\":\"%s\"", bwd);
    o = get_events(f, extra, &st);
    evs = cJSON_GetObjectItem(o, "events");
    assert_int_equal(cJSON_GetArraySize(evs), 4);
    assert_int_equal(
        (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(evs, 0), "timestamp")->valuedouble,
        T0 + 2000);
    snprintf(bwd, sizeof bwd, "%s", str(o, "nextBackwardToken"));
    cJSON_Delete(o);
    snprintf(extra, sizeof extra, ",\"nextToken\":\"%s\"", bwd);
    o = get_events(f, extra, &st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 2);
    snprintf(bwd, sizeof bwd, "%s", str(o, "nextBackwardToken"));
    cJSON_Delete(o);
    snprintf(extra, sizeof extra, ",\"nextToken\":\"%s\"", bwd);
    o = get_events(f, extra, &st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 0);
    assert_string_equal(str(o, "nextBackwardToken"), bwd);
    cJSON_Delete(o);
    /* a token for another stream is refused */
    o = call(
        f, "GetLogEvents",
        "{\"logGroupName\":\"/aws/lambda/site1\",\"logStreamName\":\"2026/09/01/[$LATEST]env1\"}",
        &st);
    snprintf(fwd, sizeof fwd, "%s", str(o, "nextForwardToken"));
    cJSON_Delete(o);
    snprintf(extra, sizeof extra, ",\"nextToken\":\"%s\"", fwd);
    o = get_events(f, extra, &st);
    assert_int_equal(st, 400);
    cJSON_Delete(o);
    /* endTime is exclusive here */
    snprintf(extra, sizeof extra, ",\"startFromHead\":true,\"startTime\":%lld,\"endTime\":%lld",
             T0 + 1000, T0 + 3000);
    o = get_events(f, extra, &st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "events")), 2);
    cJSON_Delete(o);
    fx_free(f);
}

static void test_describe(void **state)
{
    (void)state;
    struct fx *f = fx_new(0);
    for (int i = 0; i < 60; i++) {
        char g[64];
        snprintf(g, sizeof g, "/aws/lambda/x%02d", i);
        seg_sim_logstore_create_group(f->ls, g);
    }
    int st;
    cJSON *o = call(f, "DescribeLogGroups", "{\"logGroupNamePrefix\":\"/aws/lambda/x\"}", &st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "logGroups")), 50);
    const cJSON *g0 = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "logGroups"), 0);
    assert_string_equal(str(g0, "logGroupName"), "/aws/lambda/x00");
    assert_string_equal(str(g0, "arn"),
                        "arn:aws:logs:us-west-1:123456789012:log-group:/aws/lambda/x00:*");
    assert_string_equal(str(g0, "logGroupArn"),
                        "arn:aws:logs:us-west-1:123456789012:log-group:/aws/lambda/x00");
    char body[256];
    snprintf(body, sizeof body, "{\"logGroupNamePrefix\":\"/aws/lambda/x\",\"nextToken\":\"%s\"}",
             str(o, "nextToken"));
    cJSON_Delete(o);
    o = call(f, "DescribeLogGroups", body, &st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "logGroups")), 10);
    assert_null(str(o, "nextToken"));
    cJSON_Delete(o);
    o = call(f, "DescribeLogStreams",
             "{\"logGroupName\":\"/aws/lambda/site1\",\"orderBy\":\"LastEventTime\","
             "\"descending\":true,\"limit\":2}",
             &st);
    const cJSON *s = cJSON_GetObjectItem(o, "logStreams");
    assert_int_equal(cJSON_GetArraySize(s), 2);
    assert_string_equal(str(cJSON_GetArrayItem(s, 0), "logStreamName"), "2026/09/01/[$LATEST]env2");
    assert_int_equal(
        (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(s, 0), "lastEventTimestamp")->valuedouble,
        T0 + 9002);
    assert_non_null(str(o, "nextToken"));
    cJSON_Delete(o);
    o = call(f, "DescribeLogStreams", "{\"logGroupName\":\"/aws/lambda/site2\"}", &st);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "logStreams")), 0);
    cJSON_Delete(o);
    fx_free(f);
}

static const char *query_status(struct fx *f, const char *id, int *rows)
{
    static char status[32];
    char body[128];
    snprintf(body, sizeof body, "{\"queryId\":\"%s\"}", id);
    int st;
    cJSON *o = call(f, "GetQueryResults", body, &st);
    assert_int_equal(st, 200);
    snprintf(status, sizeof status, "%s", str(o, "status"));
    *rows = cJSON_GetArraySize(cJSON_GetObjectItem(o, "results"));
    if (strcmp(status, "Complete") == 0) {
        const cJSON *stats = cJSON_GetObjectItem(o, "statistics");
        assert_true(cJSON_GetObjectItem(stats, "recordsScanned")->valuedouble == 30);
        assert_true(cJSON_GetObjectItem(stats, "bytesScanned")->valuedouble > 0);
    }
    cJSON_Delete(o);
    return status;
}

static void test_insights_api(void **state)
{
    (void)state;
    struct fx *f = fx_new(0);
    char body[512];
    snprintf(body, sizeof body,
             "{\"logGroupNames\":[\"/aws/lambda/site1\",\"/aws/lambda/site2\"],\"startTime\":%lld,"
             "\"endTime\":%lld,\"queryString\":\"filter @type = \\\"REPORT\\\" | fields "
             "@requestId, @duration | sort @timestamp desc\"}",
             T0 / 1000, T0 / 1000 + 60);
    int st, rows;
    cJSON *o = call(f, "StartQuery", body, &st);
    assert_int_equal(st, 200);
    char id[64];
    snprintf(id, sizeof id, "%s", str(o, "queryId"));
    cJSON_Delete(o);
    assert_string_equal(query_status(f, id, &rows), "Scheduled");
    assert_int_equal(rows, 0);
    f->clk.t0_epoch_ms += 999;
    assert_string_equal(query_status(f, id, &rows), "Running");
    f->clk.t0_epoch_ms += 2100;
    assert_string_equal(query_status(f, id, &rows), "Complete");
    assert_int_equal(rows, 30);
    snprintf(body, sizeof body, "{\"queryId\":\"%s\"}", id);
    o = call(f, "StopQuery", body, &st);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItem(o, "success"))); /* already complete */
    cJSON_Delete(o);
    /* a second query, stopped while running */
    snprintf(body, sizeof body,
             "{\"logGroupName\":\"/aws/lambda/site1\",\"startTime\":0,\"endTime\":%lld,"
             "\"queryString\":\"stats count(*) by @logStream\"}",
             T0 / 1000 + 60);
    o = call(f, "StartQuery", body, &st);
    snprintf(id, sizeof id, "%s", str(o, "queryId"));
    cJSON_Delete(o);
    snprintf(body, sizeof body, "{\"queryId\":\"%s\"}", id);
    o = call(f, "StopQuery", body, &st);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "success")));
    cJSON_Delete(o);
    f->clk.t0_epoch_ms += 5000;
    assert_string_equal(query_status(f, id, &rows), "Cancelled");
    /* MalformedQueryException carries queryCompileError */
    o = call(f, "StartQuery",
             "{\"logGroupName\":\"/aws/lambda/site1\",\"startTime\":0,\"endTime\":1,"
             "\"queryString\":\"fields @message | bogus\"}",
             &st);
    assert_int_equal(st, 400);
    const cJSON *ce = cJSON_GetObjectItem(o, "queryCompileError");
    assert_non_null(ce);
    assert_int_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(ce, "location"), "startCharOffset")->valueint, 18);
    cJSON_Delete(o);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_filter_paging),
        cmocka_unit_test(test_filter_faults), cmocka_unit_test(test_get_log_events),
        cmocka_unit_test(test_describe),      cmocka_unit_test(test_insights_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
