/* logs.parse: the text formats of aws-wire.md §4.2 (copied exactly, including the XRAY
 * sub-line, Init/Restore Duration, Status/Error Type, timeouts), the platform lines, and
 * the pipeline's handler lines (DESIGN §6). */
#include <stdio.h>
#include <string.h>

#include "logs/parse.h"
#include "seg_test.h"

static struct seg_log_record rec;

static const struct seg_log_record *parse_n(const char *msg, size_t len)
{
    assert_int_equal(seg_log_parse(msg, len, &rec), SEG_OK);
    return &rec;
}

static const struct seg_log_record *parse(const char *msg)
{
    return parse_n(msg, strlen(msg));
}

/* The fast path must agree with the general parser byte for byte. */
static const struct seg_log_record *report(const char *msg)
{
    static struct seg_log_record fast;
    assert_int_equal(seg_log_parse_report(msg, strlen(msg), &fast), SEG_OK);
    parse(msg);
    assert_memory_equal(&fast, &rec, sizeof rec);
    assert_int_equal(rec.kind, SEG_LOG_REPORT);
    assert_int_equal(rec.format, SEG_LOG_FORMAT_TEXT);
    return &rec;
}

static void test_report_basic(void **state)
{
    (void)state;
    /* python-logging.md raw GetLogEvents output, with the stray space before a tab. */
    const struct seg_log_record *r =
        report("REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\tDuration: 26.73 "
               "ms\tBilled Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n");
    assert_string_equal(r->request_id, "4ce9340a-b765-490f-ad8a-02ab3415e2bf");
    assert_true(r->has_duration && r->has_billed && r->has_memory && r->has_max_memory);
    assert_true(r->duration_ms == 26.73);
    assert_true(r->billed_ms == 27);
    assert_int_equal(r->memory_mb, 128);
    assert_int_equal(r->max_memory_mb, 75);
    assert_false(r->has_init);
    assert_false(r->has_restore);
    assert_false(seg_log_record_cold(r));
    assert_int_equal(r->status, SEG_LOG_STATUS_SUCCESS);
    assert_false(seg_log_record_failed(r));
    assert_false(r->malformed);
    assert_false(r->truncated);
    assert_string_equal(r->error_type, "");
}

static void test_report_xray_cold(void **state)
{
    (void)state;
    /* Spaces instead of tabs (one space between "3 ms" and "Memory Size"), and the XRAY
     * sub-line after '\n' in the same event. */
    const struct seg_log_record *r = report(
        "REPORT RequestId: 1c8df7d3-xmpl-46da-9778-518e6eca8125  Duration: 2.75 ms   Billed "
        "Duration: 3 ms Memory Size: 128 MB Max Memory Used: 56 MB  Init Duration: 113.51 ms\n"
        "XRAY TraceId: 1-5e34a66a-474xmpl7c2534a87870b4370   SegmentId: 073cxmpl3e442861 "
        "Sampled: true");
    assert_string_equal(r->request_id, "1c8df7d3-xmpl-46da-9778-518e6eca8125");
    assert_true(r->duration_ms == 2.75);
    assert_true(r->billed_ms == 3);
    assert_int_equal(r->memory_mb, 128);
    assert_int_equal(r->max_memory_mb, 56);
    assert_true(r->has_init);
    assert_true(r->init_ms == 113.51);
    assert_true(seg_log_record_cold(r));
    assert_false(r->malformed);
}

static void test_report_newer_variants(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        report("REPORT RequestId: 13222b1e-f16b-4550-89df-869ab0a9806d\tDuration: 3000.00 "
               "ms\tBilled Duration: 3000 ms\tMemory Size: 1024 MB\tMax Memory Used: 64 "
               "MB\tStatus: timeout");
    assert_string_equal(r->request_id, "13222b1e-f16b-4550-89df-869ab0a9806d");
    assert_true(r->duration_ms == 3000.0);
    assert_int_equal(r->memory_mb, 1024);
    assert_int_equal(r->status, SEG_LOG_STATUS_TIMEOUT);
    assert_true(seg_log_record_failed(r));
    assert_string_equal(seg_log_status_name(r->status), "timeout");

    /* The doc elides these ids with "…": not a request id, yet every field still parses. */
    r = report("REPORT RequestId: 276ff3b9-…\tDuration: 10935.70 ms\tBilled Duration: 10936 "
               "ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tStatus: error\tError Type: "
               "Runtime.OutOfMemory");
    assert_string_equal(r->request_id, "");
    assert_true(r->malformed);
    assert_true(r->duration_ms == 10935.70);
    assert_true(r->billed_ms == 10936);
    assert_int_equal(r->max_memory_mb, 1024);
    assert_int_equal(r->status, SEG_LOG_STATUS_ERROR);
    assert_string_equal(r->error_type, "Runtime.OutOfMemory");

    r = report("REPORT RequestId: 57325a9d-…\tDuration: 95.78 ms\tBilled Duration: 96 "
               "ms\tMemory Size: 512 MB\tMax Memory Used: 39 MB\tStatus: error\tError Type: "
               "Runtime.ImportModuleError");
    assert_true(r->duration_ms == 95.78);
    assert_int_equal(r->memory_mb, 512);
    assert_string_equal(r->error_type, "Runtime.ImportModuleError");

    /* Billed exceeds Duration on a cold timeout. */
    r = report("REPORT RequestId: d602a1ed-…\tDuration: 600000.00 ms\tBilled Duration: 600477 "
               "ms\tMemory Size: 1536 MB\tMax Memory Used: 1035 MB\tInit Duration: 476.75 "
               "ms\tStatus: timeout");
    assert_true(r->duration_ms == 600000.0);
    assert_true(r->billed_ms == 600477);
    assert_int_equal(r->memory_mb, 1536);
    assert_int_equal(r->max_memory_mb, 1035);
    assert_true(r->has_init && r->init_ms == 476.75);
    assert_int_equal(r->status, SEG_LOG_STATUS_TIMEOUT);
}

static void test_report_snapstart(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        report("REPORT RequestId: 6e3a1c6f-2b3c-4d5e-8f90-0a1b2c3d4e5f\tDuration: 80.50 "
               "ms\tBilled Duration: 81 ms\tMemory Size: 512 MB\tMax Memory Used: 140 "
               "MB\tRestore Duration: 312.44 ms\tBilled Restore Duration: 225 ms\t\n");
    assert_true(r->has_restore && r->restore_ms == 312.44);
    assert_true(r->has_billed_restore && r->billed_restore_ms == 225);
    assert_false(r->has_init);
    assert_true(seg_log_record_cold(r));
    assert_true(r->billed_ms == 81); /* "Billed Restore Duration" did not clobber it */
    assert_true(r->duration_ms == 80.5);
}

static void test_init_report(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("INIT_REPORT Init Duration: 498.46 ms\tPhase: invoke\tStatus: error\tError Type: "
              "Runtime.ExitError");
    assert_int_equal(r->kind, SEG_LOG_INIT_REPORT);
    assert_true(r->has_init && r->init_ms == 498.46);
    assert_int_equal(r->phase, SEG_LOG_PHASE_INVOKE);
    assert_int_equal(r->status, SEG_LOG_STATUS_ERROR);
    assert_string_equal(r->error_type, "Runtime.ExitError");

    r = parse("INIT_REPORT Init Duration: 316.80 ms\tPhase: init\tStatus: error\tError Type: "
              "Runtime.ImportModuleError");
    assert_int_equal(r->phase, SEG_LOG_PHASE_INIT);
    assert_true(r->init_ms == 316.80);
    assert_string_equal(r->error_type, "Runtime.ImportModuleError");
    assert_int_equal(seg_log_parse_report("INIT_REPORT Init Duration: 1 ms", 31, &rec),
                     SEG_ERR_PARSE);
}

static void test_start_end_init_start(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("START RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf Version: $LATEST\n");
    assert_int_equal(r->kind, SEG_LOG_START);
    assert_string_equal(r->request_id, "4ce9340a-b765-490f-ad8a-02ab3415e2bf");
    assert_int_equal(r->status, SEG_LOG_STATUS_NONE);

    r = parse("END RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\n");
    assert_int_equal(r->kind, SEG_LOG_END);
    assert_string_equal(r->request_id, "4ce9340a-b765-490f-ad8a-02ab3415e2bf");

    r = parse("INIT_START Runtime Version: python:3.13.v14    Runtime Version ARN: "
              "arn:aws:lambda:eu-south-1::runtime:"
              "7b620fc2e66107a1046b140b9d320295811af3ad5d4c6a011fad1fa65127e9e6I");
    assert_int_equal(r->kind, SEG_LOG_INIT_START);
    assert_string_equal(r->runtime_version, "python:3.13.v14");

    r = parse("INIT_START Runtime Version: python:3.12.mainlinev2.v27\tRuntime Version ARN: "
              "arn:aws:lambda:us-west-1::runtime:abc\n");
    assert_string_equal(r->runtime_version, "python:3.12.mainlinev2.v27");

    r = parse("RESTORE_START Runtime Version: java:11.v21\tRuntime Version ARN: arn:x\n");
    assert_int_equal(r->kind, SEG_LOG_RESTORE_START);
    assert_string_equal(r->runtime_version, "java:11.v21");
    r = parse("RESTORE_REPORT Restore Duration: 271.93 ms\n");
    assert_int_equal(r->kind, SEG_LOG_RESTORE_REPORT);
    assert_true(r->has_restore && r->restore_ms == 271.93);

    /* An app line that merely starts with the word is not a platform line. */
    assert_int_equal(parse("START of processing\n")->kind, SEG_LOG_OTHER);
    assert_int_equal(parse("REPORT: all good\n")->kind, SEG_LOG_OTHER);
}

static void test_timeouts(void **state)
{
    (void)state;
    const struct seg_log_record *r = parse("2019-09-18T00:02:46.542Z "
                                           "f2704689-7aa3-4af3-ac88-857c01c4bd45 Task timed "
                                           "out after 5.01 seconds");
    assert_int_equal(r->kind, SEG_LOG_TIMEOUT);
    assert_true(r->has_timeout && r->timeout_s == 5.01);
    assert_string_equal(r->request_id, "f2704689-7aa3-4af3-ac88-857c01c4bd45");
    assert_true(r->has_time);
    assert_int_equal(r->time_ms, 1568764966542LL);
    assert_string_equal(r->excerpt, "Task timed out after 5.01 seconds");
    assert_true(seg_log_kind_is_error(r->kind));

    r = parse("Error: Task timed out after 10.00 seconds");
    assert_int_equal(r->kind, SEG_LOG_TIMEOUT);
    assert_true(r->timeout_s == 10.0);
    assert_string_equal(r->excerpt, "Error: Task timed out after 10.00 seconds");

    r = parse("2025-05-02T17:43:02.120Z\t13222b1e-f16b-4550-89df-869ab0a9806d\tTask timed out "
              "after 781.00 seconds\n");
    assert_true(r->timeout_s == 781.0);
    assert_string_equal(r->request_id, "13222b1e-f16b-4550-89df-869ab0a9806d");
}

static void test_runtime_exit_and_oom(void **state)
{
    (void)state;
    const struct seg_log_record *r =
        parse("RequestId: 8f5cb1c0-6b9a-4a3e-9d2a-3c4d5e6f7a8b Error: Runtime exited with "
              "error: signal: killed\nRuntime.ExitError\n");
    assert_int_equal(r->kind, SEG_LOG_OOM);
    assert_string_equal(r->request_id, "8f5cb1c0-6b9a-4a3e-9d2a-3c4d5e6f7a8b");
    assert_string_equal(r->error_type, "Runtime.ExitError");
    assert_string_equal(r->excerpt,
                        "Error: Runtime exited with error: signal: killed Runtime.ExitError");

    r = parse("RequestId: 8f5cb1c0-6b9a-4a3e-9d2a-3c4d5e6f7a8b Error: Runtime exited with "
              "error: exit status 1\nRuntime.ExitError");
    assert_int_equal(r->kind, SEG_LOG_RUNTIME_EXIT);
    assert_string_equal(r->error_type, "Runtime.ExitError");

    r = parse("Runtime exited with error: exit status 137");
    assert_int_equal(r->kind, SEG_LOG_RUNTIME_EXIT);
    assert_string_equal(r->error_type, "");

    r = parse("[ERROR] Runtime.OutOfMemory: Runtime exited with error: signal: killed");
    assert_int_equal(r->kind, SEG_LOG_OOM);
    assert_string_equal(r->error_type, "Runtime.OutOfMemory");
}

static void test_app_errors(void **state)
{
    (void)state;
    /* Python uncaught exception: one event, lines joined by '\r'. */
    const struct seg_log_record *r =
        parse("[ERROR] ValueError: bad image\rTraceback (most recent call last):\r  File "
              "\"/var/task/app.py\", line 12, in handler\r    raise ValueError('bad image')\n");
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
    assert_int_equal(r->level, SEG_LOG_LEVEL_ERROR);
    assert_string_equal(r->error_type, "ValueError");
    assert_memory_equal(r->excerpt, "ValueError: bad image Traceback", 31);

    /* Python logging.error(): "[ERROR]\t<time>\t<id>\t<message>". */
    r = parse("[ERROR]\t2025-05-02T17:30:04.311Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\t"
              "database connection failed\n");
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
    assert_string_equal(r->request_id, "4ce9340a-b765-490f-ad8a-02ab3415e2bf");
    assert_int_equal(r->time_ms, 1746207004311LL);
    assert_string_equal(r->excerpt, "database connection failed");
    assert_string_equal(r->error_type, "");

    /* Node: "<time>\t<id>\tERROR\tInvoke Error \t{json}". */
    r = parse("2024-05-20T16:29:45.022Z\t4b142fc3-17b8-4cdb-a46b-a8dbe7918715\tERROR\tInvoke "
              "Error \t{\"errorType\":\"TypeError\",\"errorMessage\":\"x is undefined\"}\n");
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
    assert_string_equal(r->request_id, "4b142fc3-17b8-4cdb-a46b-a8dbe7918715");
    assert_string_equal(r->error_type, "TypeError");

    /* A traceback printed as its own event: the last line names the exception. */
    r = parse("Traceback (most recent call last):\n  File \"/var/task/app.py\", line 3, in "
              "<module>\n    import cv2\nModuleNotFoundError: No module named 'cv2'\n");
    assert_int_equal(r->kind, SEG_LOG_TRACEBACK);
    assert_string_equal(r->error_type, "ModuleNotFoundError");
    assert_string_equal(r->excerpt, "ModuleNotFoundError: No module named 'cv2'");

    /* INFO lines are not errors. */
    r = parse("2019-06-05T19:30:03.173Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tINFO\tEVENT\r{\r "
              " \"key\": \"value\"\r}\n");
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    assert_int_equal(r->level, SEG_LOG_LEVEL_INFO);
    assert_string_equal(r->request_id, "4ce9340a-b765-490f-ad8a-02ab3415e2bf");
    assert_string_equal(r->excerpt, "");
}

static void test_handler_lines(void **state)
{
    (void)state;
    /* print() output: the bare line. */
    const struct seg_log_record *r = parse("Image Name: image_capture_2025-05-02_17-30-00.jpg\n");
    assert_int_equal(r->kind, SEG_LOG_IMAGE_NAME);
    assert_string_equal(r->image_name, "image_capture_2025-05-02_17-30-00.jpg");

    r = parse("Event Time: 2025-05-02 17:30:01, Site ID: 7\n");
    assert_int_equal(r->kind, SEG_LOG_EVENT_TIME);
    assert_true(r->has_event_time);
    assert_int_equal(r->event_time_ms, 1746207001000LL);
    assert_string_equal(r->site_id, "7");

    r = parse("Event Time: 2025-05-02T17:30:01.250Z, Site ID: site12");
    assert_int_equal(r->event_time_ms, 1746207001250LL);
    assert_string_equal(r->site_id, "site12");

    r = parse("Writing to database...\n");
    assert_int_equal(r->kind, SEG_LOG_DB_WRITE);

    /* The same lines through Python's logging module. */
    r = parse("[INFO]\t2025-05-02T17:30:02.001Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tImage "
              "Name: image_capture_2025-05-02_17-30-00.jpg\n");
    assert_int_equal(r->kind, SEG_LOG_IMAGE_NAME);
    assert_string_equal(r->image_name, "image_capture_2025-05-02_17-30-00.jpg");
    assert_string_equal(r->request_id, "4ce9340a-b765-490f-ad8a-02ab3415e2bf");
    assert_int_equal(r->level, SEG_LOG_LEVEL_INFO);

    r = parse("[INFO]\t2025-05-02T17:30:02.001Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tWriting "
              "to database...");
    assert_int_equal(r->kind, SEG_LOG_DB_WRITE);

    /* Bad event time: still the kind, the site id kept, the time flagged. */
    r = parse("Event Time: 2025-13-45 99:00:00, Site ID: 3\n");
    assert_int_equal(r->kind, SEG_LOG_EVENT_TIME);
    assert_false(r->has_event_time);
    assert_true(r->malformed);
    assert_string_equal(r->site_id, "3");
}

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < SEG_LOG_KIND__COUNT; k++)
        assert_non_null(seg_log_kind_name((enum seg_log_kind)k));
    assert_string_equal(seg_log_kind_name(SEG_LOG_REPORT), "report");
    assert_string_equal(seg_log_kind_name(SEG_LOG_OOM), "oom");
    assert_string_equal(seg_log_kind_name((enum seg_log_kind)999), "?");
    assert_string_equal(seg_log_status_name(SEG_LOG_STATUS_SUCCESS), "success");
    assert_string_equal(seg_log_level_name(SEG_LOG_LEVEL_ERROR), "error");
    assert_false(seg_log_kind_is_error(SEG_LOG_REPORT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_basic),
        cmocka_unit_test(test_report_xray_cold),
        cmocka_unit_test(test_report_newer_variants),
        cmocka_unit_test(test_report_snapstart),
        cmocka_unit_test(test_init_report),
        cmocka_unit_test(test_start_end_init_start),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_runtime_exit_and_oom),
        cmocka_unit_test(test_app_errors),
        cmocka_unit_test(test_handler_lines),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
