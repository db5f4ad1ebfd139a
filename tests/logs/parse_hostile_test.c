/* logs.parse_hostile: untrusted input. Malformed numbers, every truncation of real lines,
 * lines over the 256 KiB cap, embedded NULs, terminal attacks in handler lines, random and
 * mutated bytes: always SEG_OK, bounded NUL-terminated clean strings, no crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/parse.h"
#include "seg_test.h"

static struct seg_log_record rec;

static bool clean(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap + 1);
    if (n > cap)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)s[i + 1] < 0xa0))
            return false;
    }
    return true;
}

static void check_invariants(const struct seg_log_record *r)
{
    assert_true((unsigned)r->kind < SEG_LOG_KIND__COUNT);
    assert_true((unsigned)r->status < SEG_LOG_STATUS__COUNT);
    assert_true((unsigned)r->level < SEG_LOG_LEVEL__COUNT);
    assert_true(clean(r->request_id, SEG_LOG_REQUEST_ID_MAX));
    assert_true(clean(r->error_type, SEG_LOG_ERROR_TYPE_MAX));
    assert_true(clean(r->runtime_version, SEG_LOG_RUNTIME_MAX));
    assert_true(clean(r->site_id, SEG_LOG_SITE_ID_MAX));
    assert_true(clean(r->image_name, SEG_LOG_IMAGE_NAME_MAX));
    assert_true(clean(r->excerpt, SEG_LOG_EXCERPT_MAX));
    for (const char *p = r->request_id; *p; p++)
        assert_true(*p > 0x20 && *p < 0x7f);
    assert_true(!r->has_duration || r->duration_ms >= 0);
    assert_true(!r->has_billed || r->billed_ms >= 0);
}

static const struct seg_log_record *parse_n(const char *msg, size_t len)
{
    /* A heap copy of exactly len bytes, so ASan sees any read past the end. */
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, msg, len);
    assert_int_equal(seg_log_parse(copy, len, &rec), SEG_OK);
    free(copy);
    check_invariants(&rec);
    return &rec;
}

static const struct seg_log_record *parse(const char *msg)
{
    return parse_n(msg, strlen(msg));
}

#define RID "REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf\t"

static void test_malformed_numbers(void **state)
{
    (void)state;
    const char *bad[] = {"Duration: 12.3.4 ms",        "Duration: abc ms", "Duration: -5 ms",
                         "Duration: 1e5 ms",           "Duration: .5 ms",  "Duration: 5. ms",
                         "Duration: NaN ms",           "Duration: inf ms", "Duration: 0x10 ms",
                         "Duration: 12,5 ms",          "Duration:",        "Duration: ms",
                         "Duration: 9999999999999 ms", "Duration: 12ms"};
    char line[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(line, sizeof line, RID "%s\tBilled Duration: 27 ms\tMemory Size: 128 MB", bad[i]);
        const struct seg_log_record *r = parse(line);
        assert_int_equal(r->kind, SEG_LOG_REPORT);
        assert_false(r->has_duration);
        assert_true(r->malformed);
        /* The fields after the bad one still count. */
        assert_true(r->has_billed && r->billed_ms == 27);
        assert_true(r->has_memory && r->memory_mb == 128);
    }
    const struct seg_log_record *r = parse(RID "Memory Size: 12.5 MB\tMax Memory Used: "
                                               "99999999999 MB\tDuration: 0000001.5000000001 ms");
    assert_false(r->has_memory);
    assert_false(r->has_max_memory);
    assert_true(r->malformed);
    assert_true(r->has_duration && r->duration_ms == 1.5);
    r = parse(RID "Duration: 0 ms\tMax Memory Used: 4294967295 MB");
    assert_true(r->has_duration && r->duration_ms == 0);
    assert_int_equal(r->max_memory_mb, 4294967295u);

    r = parse("Task timed out after soon");
    assert_int_equal(r->kind, SEG_LOG_TIMEOUT);
    assert_false(r->has_timeout);
    assert_true(r->malformed);
}

static void test_truncated_lines(void **state)
{
    (void)state;
    const char *lines[] = {
        RID "Duration: 10935.70 ms\tBilled Duration: 10936 ms\tMemory Size: 1024 MB\tMax Memory "
            "Used: 1024 MB\tInit Duration: 476.75 ms\tStatus: error\tError Type: "
            "Runtime.OutOfMemory\n",
        "INIT_REPORT Init Duration: 498.46 ms\tPhase: invoke\tStatus: error\tError Type: "
        "Runtime.ExitError",
        "Event Time: 2025-05-02 17:30:01.250, Site ID: site12\n",
        "[ERROR]\t2025-05-02T17:30:04.311Z\t4ce9340a-b765-490f-ad8a-02ab3415e2bf\tValueError: x",
        "{\"time\":\"2024-05-20T16:29:45.022Z\",\"type\":\"platform.report\",\"record\":{"
        "\"requestId\":\"4b142fc3-17b8-4cdb-a46b-a8dbe7918715\",\"status\":\"success\","
        "\"metrics\":{\"durationMs\":11.642,\"billedDurationMs\":12,\"memorySizeMB\":128,"
        "\"maxMemoryUsedMB\":67,\"initDurationMs\":174.055}}}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        size_t n = strlen(lines[i]);
        for (size_t k = 0; k <= n; k++)
            parse_n(lines[i], k);
    }
    /* A REPORT cut inside a number keeps the digits it has; the id cut short is refused. */
    const struct seg_log_record *r = parse(RID "Duration: 109");
    assert_true(r->has_duration && r->duration_ms == 109);
    r = parse("REPORT RequestId: 4ce9340a-b765-490f-ad8a-02ab3415e2bf-and-more\tDuration: 1 ms");
    assert_string_equal(r->request_id, "");
    assert_true(r->malformed);
    r = parse("REPORT RequestId:");
    assert_int_equal(r->kind, SEG_LOG_REPORT);
    assert_string_equal(r->request_id, "");
}

static void test_huge_lines(void **state)
{
    (void)state;
    size_t n = SEG_LOG_MAX_MESSAGE + 4096;
    char *big = malloc(n);
    assert_non_null(big);

    /* A REPORT with a huge tail: fields parse, the tail past 256 KiB is ignored. */
    const char *head = RID "Duration: 26.73 ms\tBilled Duration: 27 ms\t";
    memset(big, 'x', n);
    memcpy(big, head, strlen(head));
    const struct seg_log_record *r = parse_n(big, n);
    assert_int_equal(r->kind, SEG_LOG_REPORT);
    assert_true(r->truncated);
    assert_true(r->duration_ms == 26.73);

    /* An error line of 256 KiB: the excerpt is bounded. */
    memset(big, 'E', n);
    memcpy(big, "[ERROR] ", 8);
    r = parse_n(big, n);
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
    assert_int_equal(strlen(r->excerpt), SEG_LOG_EXCERPT_MAX);

    /* An image name over the S3 key cap is cut and flagged. */
    memcpy(big, "Image Name: ", 12);
    r = parse_n(big, 5000);
    assert_int_equal(r->kind, SEG_LOG_IMAGE_NAME);
    assert_int_equal(strlen(r->image_name), SEG_LOG_IMAGE_NAME_MAX);
    assert_true(r->truncated);

    /* Deeply nested JSON: cJSON's nesting limit, then text; never a stack overflow. */
    for (size_t i = 0; i < n; i++)
        big[i] = i < n / 2 ? '[' : ']';
    big[0] = '{';
    r = parse_n(big, n);
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    free(big);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    static const char report[] =
        RID "Duration: 5.00 ms\tBilled\0Duration: 6 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB";
    const struct seg_log_record *r = parse_n(report, sizeof report - 1);
    assert_true(r->duration_ms == 5.0);
    assert_false(r->has_billed); /* "Billed\0Duration:" is not the key */
    assert_int_equal(r->max_memory_mb, 9);

    static const char image[] = "Image Name: a\0b.jpg\n";
    r = parse_n(image, sizeof image - 1);
    assert_int_equal(r->kind, SEG_LOG_IMAGE_NAME);
    assert_string_equal(r->image_name, "a\xEF\xBF\xBD"
                                       "b.jpg");
    static const char id[] = "START RequestId: abc\0def Version: $LATEST";
    r = parse_n(id, sizeof id - 1);
    assert_string_equal(r->request_id, "");
    assert_true(r->malformed);
    r = parse_n("\0\0\0", 3);
    assert_int_equal(r->kind, SEG_LOG_OTHER);
    r = parse_n("", 0);
    assert_int_equal(r->kind, SEG_LOG_OTHER);
}

static void test_evil_handler_line(void **state)
{
    (void)state;
    /* What --sim-faults evil-log writes: ESC[2J, OSC 0, OSC 52, raw 0x9B, U+009B, U+202E,
     * invalid UTF-8 and NUL, inside an error line and an image name. */
    static const char evil[] = "[ERROR] Boom: \x1b[2J\x1b]0;t\x07\x1b]52;c;SGk=\x07\x9b"
                               "1m\xc2\x9b"
                               "2J\xe2\x80\xae\xff\xc0\xaf\0end";
    const struct seg_log_record *r = parse_n(evil, sizeof evil - 1);
    assert_int_equal(r->kind, SEG_LOG_APP_ERROR);
    assert_string_equal(r->error_type, "Boom");
    assert_non_null(strstr(r->excerpt, "end"));
    static const char evil_image[] = "Image Name: \x1b[2Jx.jpg\xc2\x9b\xe2\x80\xae";
    r = parse_n(evil_image, sizeof evil_image - 1);
    assert_string_equal(r->image_name, "\xEF\xBF\xBD[2Jx.jpg\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_null_arguments(void **state)
{
    (void)state;
    assert_int_equal(seg_log_parse("x", 1, NULL), SEG_ERR_INVALID);
    assert_int_equal(seg_log_parse(NULL, 1, &rec), SEG_ERR_INVALID);
    assert_int_equal(seg_log_parse(NULL, 0, &rec), SEG_OK);
    assert_int_equal(rec.kind, SEG_LOG_OTHER);
    assert_int_equal(seg_log_parse_report(NULL, 3, &rec), SEG_ERR_INVALID);
    assert_int_equal(seg_log_parse_report("x", 1, NULL), SEG_ERR_INVALID);
    assert_int_equal(seg_log_parse_report(NULL, 0, &rec), SEG_ERR_PARSE);
    /* Not a REPORT: refused, and *out untouched. */
    rec.kind = SEG_LOG_DB_WRITE;
    assert_int_equal(seg_log_parse_report("START RequestId: x", 18, &rec), SEG_ERR_PARSE);
    assert_int_equal(rec.kind, SEG_LOG_DB_WRITE);
}

static uint64_t rng = 88172645463325252ULL;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void test_random_bytes(void **state)
{
    (void)state;
    char buf[600];
    for (int round = 0; round < 30000; round++) {
        size_t n = next_rand() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)next_rand();
        parse_n(buf, n);
    }
}

static void test_mutated_lines(void **state)
{
    (void)state;
    const char *seeds[] = {
        RID "Duration: 2.75 ms   Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 56 "
            "MB  Init Duration: 113.51 ms\nXRAY TraceId: 1-5e34",
        "INIT_START Runtime Version: python:3.12.mainlinev2.v27\tRuntime Version ARN: arn:x",
        "2019-09-18T00:02:46.542Z f2704689-7aa3-4af3-ac88-857c01c4bd45 Task timed out after "
        "5.01 seconds",
        "Event Time: 2025-05-02 17:30:01, Site ID: 7\n",
        "{\"time\":\"2024-05-20T16:29:45.022Z\",\"type\":\"platform.report\",\"record\":{"
        "\"requestId\":\"x\",\"status\":\"error\",\"errorType\":\"Runtime.OutOfMemory\","
        "\"metrics\":{\"durationMs\":1.5,\"billedDurationMs\":2,\"initDurationMs\":3}}}",
        "{\"timestamp\":\"2025-05-02T17:30:20Z\",\"level\":\"ERROR\",\"message\":\"Event Time: "
        "2025-05-02 17:30:01, Site ID: 7\"}",
        "RequestId: 8f5cb1c0 Error: Runtime exited with error: signal: killed\nRuntime.ExitError",
    };
    char buf[512];
    for (int round = 0; round < 40000; round++) {
        const char *s = seeds[next_rand() % (sizeof seeds / sizeof seeds[0])];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        int flips = 1 + (int)(next_rand() % 4);
        for (int f = 0; f < flips; f++) {
            uint32_t v = next_rand();
            buf[v % n] = (v >> 8 & 1) ? (char)(v >> 16) : "\t \n:.{}\"0"[(v >> 16) % 9];
        }
        parse_n(buf, n - next_rand() % 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_numbers), cmocka_unit_test(test_truncated_lines),
        cmocka_unit_test(test_huge_lines),        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_evil_handler_line), cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_random_bytes),      cmocka_unit_test(test_mutated_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
