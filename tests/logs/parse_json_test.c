/* logs.parse_json: LogFormat=JSON records of aws-wire.md §4.3 (copied exactly), the other
 * platform.* types, and application JSON lines carrying the handler's messages. */
#include <string.h>

#include "logs/parse.h"
#include "seg_test.h"

static struct seg_log_record rec;

static const struct seg_log_record *parse(const char *msg)
{
    assert_int_equal(seg_log_parse(msg, strlen(msg), &rec), SEG_OK);
    return &rec;
}

static void test_init_start(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("{\"time\":\"2024-05-20T16:29:44.833Z\",\"type\":\"platform.initStart\",\"record\":{"
              "\"initializationType\":\"on-demand\",\"phase\":\"init\",\"runtimeVersion\":\"nodejs:"
              "18.v28\",\"runtimeVersionArn\":\"arn:aws:lambda:eu-west-3::runtime:b475…\","
              "\"functionName\":\"ColdStartPerfStack-Function76856677-qnwBXhjb6klt\","
              "\"functionVersion\":\"$LATEST\"}}");
    assert_int_equal(r->kind, SEG_LOG_INIT_START);
    assert_int_equal(r->format, SEG_LOG_FORMAT_JSON);
    assert_true(r->has_time);
    assert_int_equal(r->time_ms, 1716222584833LL);
    assert_string_equal(r->runtime_version, "nodejs:18.v28");
    assert_int_equal(r->phase, SEG_LOG_PHASE_INIT);
    assert_false(r->malformed);
}

static void test_report_cold(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("{\"time\":\"2024-05-20T16:29:45.022Z\",\"type\":\"platform.report\",\"record\":{"
              "\"requestId\":\"4b142fc3-17b8-4cdb-a46b-a8dbe7918715\",\"status\":\"success\","
              "\"metrics\":{\"durationMs\":11.642,\"billedDurationMs\":12,\"memorySizeMB\":128,"
              "\"maxMemoryUsedMB\":67,\"initDurationMs\":174.055}}}");
    assert_int_equal(r->kind, SEG_LOG_REPORT);
    assert_string_equal(r->request_id, "4b142fc3-17b8-4cdb-a46b-a8dbe7918715");
    assert_int_equal(r->status, SEG_LOG_STATUS_SUCCESS);
    assert_true(r->has_duration && r->duration_ms == 11.642);
    assert_true(r->has_billed && r->billed_ms == 12);
    assert_int_equal(r->memory_mb, 128);
    assert_int_equal(r->max_memory_mb, 67);
    assert_true(r->has_init && r->init_ms == 174.055);
    assert_true(seg_log_record_cold(r));
    assert_false(seg_log_record_failed(r));
}

static void test_report_timeout(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("{\"time\":\"2026-07-09T06:05:50.581Z\",\"type\":\"platform.report\",\"record\":{"
              "\"requestId\":\"aec7a529-47f9-4090-be01-c9ed91bf83cf\",\"metrics\":{\"durationMs\":"
              "5000.0,\"billedDurationMs\":5000,\"memorySizeMB\":128,\"maxMemoryUsedMB\":94},"
              "\"status\":\"timeout\"}}");
    assert_int_equal(r->kind, SEG_LOG_REPORT);
    assert_int_equal(r->status, SEG_LOG_STATUS_TIMEOUT);
    assert_true(r->duration_ms == 5000.0);
    assert_int_equal(r->max_memory_mb, 94);
    assert_false(r->has_init);
    assert_int_equal(r->time_ms, 1783577150581LL);
}

static void test_report_fixture(void **state)
{
    (void)state;
    /* The doc's fixture verbatim: "{…}" is not JSON, so it is not a record, and no crash. */
    const struct seg_log_record *r =
        parse("{\"time\":\"2022-10-12T00:05:50.000Z\",\"type\":\"platform.report\",\"record\":{"
              "\"requestId\":\"c2\",\"status\":\"error\",\"errorType\":\"Runtime.OutOfMemory\","
              "\"metrics\":{…}}}");
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    assert_int_equal(r->format, SEG_LOG_FORMAT_TEXT);
    /* With real metrics: a short fixture id is still an id. */
    r = parse("{\"time\":\"2022-10-12T00:05:50.000Z\",\"type\":\"platform.report\",\"record\":{"
              "\"requestId\":\"c2\",\"status\":\"error\",\"errorType\":\"Runtime.OutOfMemory\","
              "\"metrics\":{\"durationMs\":10935.7,\"billedDurationMs\":10936,\"memorySizeMB\":"
              "1024,\"maxMemoryUsedMB\":1024}}}");
    assert_int_equal(r->kind, SEG_LOG_REPORT);
    assert_string_equal(r->request_id, "c2");
    assert_int_equal(r->status, SEG_LOG_STATUS_ERROR);
    assert_string_equal(r->error_type, "Runtime.OutOfMemory");
    assert_true(seg_log_record_failed(r));
}

static void test_other_platform_types(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("{\"time\":\"2024-05-20T16:29:44.900Z\",\"type\":\"platform.start\",\"record\":{"
              "\"requestId\":\"4b142fc3-17b8-4cdb-a46b-a8dbe7918715\",\"version\":\"$LATEST\","
              "\"tracing\":{\"spanId\":\"54565fb41ac79632\",\"type\":\"X-Amzn-Trace-Id\"}}}");
    assert_int_equal(r->kind, SEG_LOG_START);
    assert_string_equal(r->request_id, "4b142fc3-17b8-4cdb-a46b-a8dbe7918715");

    r = parse("{\"time\":\"2024-05-20T16:29:45.010Z\",\"type\":\"platform.runtimeDone\","
              "\"record\":{\"requestId\":\"4b142fc3-17b8-4cdb-a46b-a8dbe7918715\",\"status\":"
              "\"failure\",\"errorType\":\"Runtime.ExitError\",\"metrics\":{\"durationMs\":"
              "10.5,\"producedBytes\":0},\"spans\":[]}}");
    assert_int_equal(r->kind, SEG_LOG_RUNTIME_DONE);
    assert_int_equal(r->status, SEG_LOG_STATUS_FAILURE);
    assert_string_equal(r->error_type, "Runtime.ExitError");
    assert_true(r->duration_ms == 10.5);

    r = parse("{\"time\":\"2024-05-20T16:29:45.000Z\",\"type\":\"platform.initReport\","
              "\"record\":{\"initializationType\":\"on-demand\",\"phase\":\"init\",\"status\":"
              "\"error\",\"errorType\":\"Runtime.ImportModuleError\",\"metrics\":{"
              "\"durationMs\":316.8}}}");
    assert_int_equal(r->kind, SEG_LOG_INIT_REPORT);
    assert_true(r->has_init && r->init_ms == 316.8);
    assert_string_equal(r->error_type, "Runtime.ImportModuleError");

    r = parse("{\"time\":\"2024-05-20T16:29:45.000Z\",\"type\":\"platform.restoreReport\","
              "\"record\":{\"status\":\"success\",\"metrics\":{\"durationMs\":271.9}}}");
    assert_int_equal(r->kind, SEG_LOG_RESTORE_REPORT);
    assert_true(r->has_restore && r->restore_ms == 271.9);

    r = parse("{\"time\":\"2024-05-20T16:29:45.000Z\",\"type\":\"platform.logsDropped\","
              "\"record\":{\"reason\":\"x\",\"droppedRecords\":3,\"droppedBytes\":9}}");
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    assert_int_equal(r->format, SEG_LOG_FORMAT_JSON);
}

static void test_application_lines(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("{\"timestamp\":\"2025-05-02T17:30:02.001Z\",\"level\":\"INFO\",\"message\":"
              "\"Image Name: image_capture_2025-05-02_17-30-00.jpg\",\"logger\":\"root\","
              "\"requestId\":\"4ce9340a-b765-490f-ad8a-02ab3415e2bf\"}\n");
    assert_int_equal(r->kind, SEG_LOG_IMAGE_NAME);
    assert_string_equal(r->image_name, "image_capture_2025-05-02_17-30-00.jpg");
    assert_string_equal(r->request_id, "4ce9340a-b765-490f-ad8a-02ab3415e2bf");
    assert_int_equal(r->time_ms, 1746207002001LL);
    assert_int_equal(r->level, SEG_LOG_LEVEL_INFO);

    r = parse("{\"timestamp\":\"2025-05-02T17:30:02Z\",\"level\":\"INFO\",\"message\":\"Event "
              "Time: 2025-05-02 17:30:01, Site ID: 7\",\"requestId\":"
              "\"4ce9340a-b765-490f-ad8a-02ab3415e2bf\"}");
    assert_int_equal(r->kind, SEG_LOG_EVENT_TIME);
    assert_int_equal(r->event_time_ms, 1746207001000LL);
    assert_string_equal(r->site_id, "7");

    r = parse("{\"timestamp\":\"2025-05-02T17:30:20Z\",\"level\":\"INFO\",\"message\":"
              "\"Writing to database...\",\"requestId\":\"4ce9340a-b765-490f-ad8a-02ab3415e2bf\"}");
    assert_int_equal(r->kind, SEG_LOG_DB_WRITE);

    r = parse("{\"timestamp\":\"2025-05-02T17:30:20Z\",\"level\":\"ERROR\",\"message\":\"db "
              "down\",\"requestId\":\"4ce9340a-b765-490f-ad8a-02ab3415e2bf\"}");
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
    assert_string_equal(r->excerpt, "db down");

    /* Python's uncaught-exception record. */
    r = parse("{\"timestamp\":\"2025-05-02T17:30:20Z\",\"log_level\":\"ERROR\",\"errorMessage\":"
              "\"bad image\",\"errorType\":\"ValueError\",\"requestId\":"
              "\"4ce9340a-b765-490f-ad8a-02ab3415e2bf\",\"stackTrace\":[\"  File x\\n\"]}");
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
    assert_string_equal(r->error_type, "ValueError");
    assert_string_equal(r->excerpt, "bad image");

    r = parse("{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"RequestId: "
              "8f5cb1c0-6b9a-4a3e-9d2a-3c4d5e6f7a8b Error: Runtime exited with error: signal: "
              "killed\"}");
    assert_int_equal(r->kind, SEG_LOG_OOM);
    assert_string_equal(r->error_type, "Runtime.ExitError");

    r = parse("{\"timestamp\":\"2025-05-02T17:30:20Z\",\"level\":\"INFO\",\"message\":{\"a\":1}}");
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    assert_int_equal(r->format, SEG_LOG_FORMAT_JSON);
}

static void test_json_malformed(void **state)
{
    (void)state;
    /* Wrong types, negative and huge numbers: fields unset, flagged, never an error. */
    const struct seg_log_record *r =
        parse("{\"type\":\"platform.report\",\"record\":{\"requestId\":42,\"metrics\":{"
              "\"durationMs\":\"12\",\"billedDurationMs\":-1,\"memorySizeMB\":1e300,"
              "\"maxMemoryUsedMB\":1e999,\"initDurationMs\":null}}}");
    assert_int_equal(r->kind, SEG_LOG_REPORT);
    assert_false(r->has_duration || r->has_billed || r->has_memory || r->has_max_memory ||
                 r->has_init);
    assert_true(r->malformed);
    assert_string_equal(r->request_id, "");

    r = parse("{\"type\":\"platform.report\",\"record\":{\"requestId\":\"id with spaces\"}}");
    assert_string_equal(r->request_id, "");
    assert_true(r->malformed);
    r = parse("{\"type\":\"platform.report\",\"record\":\"not an object\"}");
    assert_int_equal(r->kind, SEG_LOG_REPORT);
    r = parse("{\"type\":7}");
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    r = parse("[1,2,3]");
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    r = parse("{\"type\":\"platform.report\"");
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    r = parse("  \n{\"level\":\"ERROR\",\"message\":\"x\"}");
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_start),           cmocka_unit_test(test_report_cold),
        cmocka_unit_test(test_report_timeout),       cmocka_unit_test(test_report_fixture),
        cmocka_unit_test(test_other_platform_types), cmocka_unit_test(test_application_lines),
        cmocka_unit_test(test_json_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
