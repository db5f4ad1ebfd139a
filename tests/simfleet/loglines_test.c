/* simfleet.loglines: Lambda's log lines in Text and JSON, and the S3 event record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pipeline/s3_event.h"
#include "seg_test.h"
#include "sim/loglines.h"

#define T0 1746745217123LL /* 2025-05-08T23:00:17.123Z */

static struct seg_sim_attempt_log base(void)
{
    return (struct seg_sim_attempt_log){
        .region = "us-west-1",
        .function = "site7-lambdafunction",
        .request_id = "4ce9340a-b765-490f-ad8a-02ab3415e2bf",
        .instance_id = "2025/05/08/[$LATEST]3893abcd7fac4485b47bb75b671a283c",
        .image_name = "image_capture_2025-05-08_17-00-00.jpg",
        .site = 7,
        .event_time_ms = T0 - 1500,
        .cold = true,
        .begin_ms = T0,
        .init_ms = 2345.67,
        .duration_ms = 17654.32,
        .billed_ms = 20000,
        .memory_mb = 6200,
        .max_memory_mb = 2411,
        .app_gap_ms = 12,
        .write_gap_ms = 600,
    };
}

static const char *find(const struct seg_sim_loglist *l, const char *prefix)
{
    for (size_t i = 0; i < l->n; i++)
        if (strncmp(l->ev[i].msg, prefix, strlen(prefix)) == 0)
            return l->ev[i].msg;
    return NULL;
}

static void test_text_cold_ok(void **state)
{
    (void)state;
    struct seg_sim_attempt_log a = base();
    struct seg_sim_loglist l = {0};
    seg_sim_loglines_build(&a, &l);
    assert_non_null(find(&l, "INIT_START Runtime Version: python:"));
    assert_string_equal(find(&l, "START "),
                        "START RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf Version: $LATEST\n");
    assert_string_equal(find(&l, "Image Name: "),
                        "Image Name: image_capture_2025-05-08_17-00-00.jpg\n");
    assert_string_equal(find(&l, "Event Time: "), "Event Time: 2025-05-08 23:00:15, Site ID: 7\n");
    assert_non_null(find(&l, "Writing to database...\n"));
    assert_non_null(find(&l, "END RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\n"));
    const char *rep = find(&l, "REPORT ");
    assert_non_null(rep);
    /* Parses back to the same numbers, tab-separated. */
    char id[64];
    double dur, init;
    long billed;
    int mem, maxmem;
    int n = sscanf(rep,
                   "REPORT RequestId: %63s\tDuration: %lf ms\tBilled Duration: %ld ms\tMemory "
                   "Size: %d MB\tMax Memory Used: %d MB\tInit Duration: %lf ms\t",
                   id, &dur, &billed, &mem, &maxmem, &init);
    assert_int_equal(n, 6);
    assert_string_equal(id, a.request_id);
    assert_true(dur == 17654.32 && billed == 20000 && mem == 6200 && maxmem == 2411 &&
                init == 2345.67);
    assert_non_null(strstr(rep, "\tDuration: 17654.32 ms\t"));
    assert_null(strstr(rep, "Status:"));
    /* Time order; START after Init; REPORT at START + Duration. */
    for (size_t i = 1; i < l.n; i++)
        assert_true(l.ev[i].ts_ms >= l.ev[i - 1].ts_ms);
    assert_true(l.ev[1].ts_ms == T0 + 2345);
    assert_true(l.ev[l.n - 1].ts_ms == T0 + 2345 + 17654);
    char *tail = seg_sim_loglines_tail(&l, 4096);
    assert_non_null(strstr(tail, "START RequestId"));
    assert_true(strlen(tail) > 100);
    free(tail);
    tail = seg_sim_loglines_tail(&l, 50);
    assert_int_equal(strlen(tail), 50);
    free(tail);
    seg_sim_loglist_release(&l);
}

static void test_text_failures(void **state)
{
    (void)state;
    struct seg_sim_attempt_log a = base();
    a.cold = false;
    a.outcome = SEG_SIM_TIMEOUT;
    a.duration_ms = 781000;
    struct seg_sim_loglist l = {0};
    seg_sim_loglines_build(&a, &l);
    assert_null(find(&l, "INIT_START"));
    assert_null(find(&l, "Writing to database"));
    const char *rep = find(&l, "REPORT ");
    assert_non_null(strstr(rep, "\tDuration: 781000.00 ms\t"));
    assert_non_null(strstr(rep, "\tStatus: timeout\t"));
    assert_null(strstr(rep, "Init Duration"));
    int found = 0;
    for (size_t i = 0; i < l.n; i++)
        found += strstr(l.ev[i].msg, " 4ce9340a-b765-490f-ad8a-02ab3415e2bf Task timed out after "
                                     "781.00 seconds\n") != NULL;
    assert_int_equal(found, 1);
    const char *fe;
    char *p = seg_sim_loglines_payload(&a, &fe);
    assert_string_equal(fe, "Unhandled");
    assert_non_null(strstr(p, "\"errorType\":\"Sandbox.Timedout\""));
    free(p);
    seg_sim_loglist_release(&l);

    a.outcome = SEG_SIM_OOM;
    a.max_memory_mb = 6200;
    seg_sim_loglines_build(&a, &l);
    rep = find(&l, "REPORT ");
    assert_non_null(strstr(rep, "\tMax Memory Used: 6200 MB\tStatus: error\tError Type: "
                                "Runtime.OutOfMemory\t"));
    seg_sim_loglist_release(&l);

    a.outcome = SEG_SIM_ERROR;
    seg_sim_loglines_build(&a, &l);
    const char *tb = find(&l, "[ERROR] ");
    assert_non_null(tb);
    assert_non_null(strstr(tb, "\nTraceback (most recent call last):\n"));
    assert_non_null(strstr(find(&l, "REPORT "), "\tStatus: error\tError Type: Runtime.Unhandled"));
    p = seg_sim_loglines_payload(&a, &fe);
    cJSON *o = cJSON_Parse(p);
    assert_non_null(cJSON_GetObjectItem(o, "errorMessage"));
    assert_non_null(cJSON_GetObjectItem(o, "errorType"));
    cJSON_Delete(o);
    free(p);
    seg_sim_loglist_release(&l);

    a.outcome = SEG_SIM_OK;
    p = seg_sim_loglines_payload(&a, &fe);
    assert_null(fe);
    free(p);
}

static void test_evil(void **state)
{
    (void)state;
    struct seg_sim_attempt_log a = base();
    a.evil = true;
    struct seg_sim_loglist l = {0};
    seg_sim_loglines_build(&a, &l);
    const char *e = find(&l, "evil: ");
    assert_non_null(e);
    assert_non_null(strstr(e, "\x1b[2J"));
    assert_non_null(strstr(e, "\x1b]0;"));
    assert_non_null(strstr(e, "\x1b]52;"));
    assert_non_null(strstr(e, "\xc2\x9b"));
    assert_non_null(strstr(e, "\xe2\x80\xae"));
    assert_non_null(strstr(e, "\xff\xfe"));
    assert_non_null(strstr(e, "\\u0000"));
    assert_non_null(strchr(e, '\x9b'));
    seg_sim_loglist_release(&l);
    /* JSON: the record stays valid JSON and the NUL is a real \u0000 escape. */
    a.json = true;
    seg_sim_loglines_build(&a, &l);
    int seen = 0;
    for (size_t i = 0; i < l.n; i++) {
        cJSON *o = cJSON_Parse(l.ev[i].msg);
        assert_non_null(o);
        cJSON *m = cJSON_GetObjectItem(o, "message");
        if (cJSON_IsString(m) && strncmp(m->valuestring, "evil: ", 6) == 0) {
            seen++;
            assert_non_null(strstr(m->valuestring, "\x1b[2J"));
            assert_non_null(strstr(l.ev[i].msg, " \\u0000 end"));
        }
        cJSON_Delete(o);
    }
    assert_int_equal(seen, 1);
    seg_sim_loglist_release(&l);
}

static void test_json(void **state)
{
    (void)state;
    enum seg_sim_outcome outs[] = {SEG_SIM_OK, SEG_SIM_ERROR, SEG_SIM_TIMEOUT, SEG_SIM_OOM};
    const char *want[] = {"success", "error", "timeout", "error"};
    for (int k = 0; k < 4; k++) {
        struct seg_sim_attempt_log a = base();
        a.json = true;
        a.outcome = outs[k];
        struct seg_sim_loglist l = {0};
        seg_sim_loglines_build(&a, &l);
        int init = 0, start = 0, report = 0;
        for (size_t i = 0; i < l.n; i++) {
            cJSON *o = cJSON_Parse(l.ev[i].msg);
            if (!o)
                fail_msg("not JSON: %s", l.ev[i].msg);
            cJSON *type = cJSON_GetObjectItem(o, "type");
            cJSON *rec = cJSON_GetObjectItem(o, "record");
            if (cJSON_IsString(type) && strcmp(type->valuestring, "platform.initStart") == 0) {
                init++;
                assert_string_equal(cJSON_GetObjectItem(rec, "instanceId")->valuestring,
                                    a.instance_id);
            } else if (cJSON_IsString(type) && strcmp(type->valuestring, "platform.start") == 0) {
                start++;
                assert_string_equal(cJSON_GetObjectItem(rec, "requestId")->valuestring,
                                    a.request_id);
            } else if (cJSON_IsString(type) && strcmp(type->valuestring, "platform.report") == 0) {
                report++;
                assert_string_equal(cJSON_GetObjectItem(rec, "status")->valuestring, want[k]);
                cJSON *m = cJSON_GetObjectItem(rec, "metrics");
                assert_true(cJSON_GetObjectItem(m, "durationMs")->valuedouble == 17654.32);
                assert_true(cJSON_GetObjectItem(m, "initDurationMs")->valuedouble == 2345.67);
                assert_int_equal(cJSON_GetObjectItem(m, "billedDurationMs")->valueint, 20000);
                assert_int_equal(cJSON_GetObjectItem(m, "memorySizeMB")->valueint, 6200);
                if (outs[k] == SEG_SIM_OOM)
                    assert_string_equal(cJSON_GetObjectItem(rec, "errorType")->valuestring,
                                        "Runtime.OutOfMemory");
            }
            cJSON_Delete(o);
        }
        assert_true(init == 1 && start == 1 && report == 1);
        seg_sim_loglist_release(&l);
    }
}

static void test_event_record(void **state)
{
    (void)state;
    char *enc = seg_s3_key_encode("red flower/a:b+c.jpg");
    assert_string_equal(enc, "red+flower/a%3Ab%2Bc.jpg");
    char *dec = seg_s3_key_decode(enc);
    assert_string_equal(dec, "red flower/a:b+c.jpg");
    free(enc);
    free(dec);
    struct seg_s3_event e = {.region = "us-west-1",
                             .bucket = "site3-simulatedbucket",
                             .key = "image capture.jpg",
                             .size = 1234,
                             .etag = "\"d41d8cd98f00b204e9800998ecf8427e\"",
                             .event_time_ms = T0,
                             .sequencer = "0062F5D3A1B2C3D4E5",
                             .request_id = "D82B88E5F771F645",
                             .site = 3};
    char *js = seg_s3_event_json(&e);
    cJSON *o = cJSON_Parse(js);
    assert_non_null(o);
    cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "Records"), 0);
    assert_string_equal(cJSON_GetObjectItem(r, "eventVersion")->valuestring, "2.1");
    assert_string_equal(cJSON_GetObjectItem(r, "eventSource")->valuestring, "aws:s3");
    assert_string_equal(cJSON_GetObjectItem(r, "awsRegion")->valuestring, "us-west-1");
    assert_string_equal(cJSON_GetObjectItem(r, "eventName")->valuestring, "ObjectCreated:Put");
    assert_string_equal(cJSON_GetObjectItem(r, "eventTime")->valuestring,
                        "2025-05-08T23:00:17.123Z");
    cJSON *s3 = cJSON_GetObjectItem(r, "s3");
    cJSON *b = cJSON_GetObjectItem(s3, "bucket");
    assert_string_equal(cJSON_GetObjectItem(b, "name")->valuestring, "site3-simulatedbucket");
    assert_string_equal(cJSON_GetObjectItem(b, "arn")->valuestring,
                        "arn:aws:s3:::site3-simulatedbucket");
    cJSON *ob = cJSON_GetObjectItem(s3, "object");
    assert_string_equal(cJSON_GetObjectItem(ob, "key")->valuestring, "image+capture.jpg");
    assert_int_equal(cJSON_GetObjectItem(ob, "size")->valueint, 1234);
    assert_string_equal(cJSON_GetObjectItem(ob, "eTag")->valuestring,
                        "d41d8cd98f00b204e9800998ecf8427e");
    assert_string_equal(cJSON_GetObjectItem(ob, "sequencer")->valuestring, "0062F5D3A1B2C3D4E5");
    cJSON_Delete(o);
    char *key;
    int64_t et;
    assert_true(seg_s3_event_parse(js, strlen(js), &key, &et));
    assert_string_equal(key, "image capture.jpg");
    assert_true(et == T0);
    free(key);
    free(js);
    assert_false(seg_s3_event_parse("{}", 2, &key, &et));
    assert_false(seg_s3_event_parse("not json", 8, &key, &et));
}

static void test_times(void **state)
{
    (void)state;
    char b[32];
    seg_sim_fmt_iso_ms(T0, b, sizeof b);
    assert_string_equal(b, "2025-05-08T23:00:17.123Z");
    seg_sim_fmt_sec(T0, b, sizeof b);
    assert_string_equal(b, "2025-05-08 23:00:17");
    int64_t v;
    assert_true(seg_sim_parse_iso_ms("2025-05-08T23:00:17.123Z", &v) && v == T0);
    assert_true(seg_sim_parse_iso_ms("2025-05-08T23:00:17Z", &v) && v == T0 - 123);
    assert_true(seg_sim_parse_iso_ms("2024-02-29T00:00:00.5Z", &v) && v == 1709164800500LL);
    assert_false(seg_sim_parse_iso_ms("2025-05-08 23:00:17", &v));
    assert_false(seg_sim_parse_iso_ms("2025-13-08T23:00:17Z", &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_cold_ok), cmocka_unit_test(test_text_failures),
        cmocka_unit_test(test_evil),         cmocka_unit_test(test_json),
        cmocka_unit_test(test_event_record), cmocka_unit_test(test_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
