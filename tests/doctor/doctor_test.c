/* segtop doctor in-process against the built-in simulator: all ok for the default sites,
 * the freshness line of both polling modes, warnings alone exit 0 (and fold beyond ten
 * sites), no simulator/endpoint exits 1, usage errors exit 2; and the notification parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"
#include "doctor/doctor_internal.h"
#include "seg_test.h"
#include "sim/sim.h"

/* The built-in test pair's secret (README): a test value, but doctor prints no secret. */
#define SIM_TEST_SECRET "segtopSimulatorTestKey/NotASecret/000001"

struct run {
    int code;
    char *out;
    char *err;
};

static char *slurp(FILE *f)
{
    long n = ftell(f);
    char *s = calloc(1, (size_t)n + 1);
    rewind(f);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return s;
}

/* Parses "doctor ARGS..." as segtop would and runs doctor with output captured. */
static struct run doctor(const struct seg_sim_hooks *h, const char *args)
{
    char buf[512];
    char *argv[32];
    int argc = 0;
    snprintf(buf, sizeof buf, "doctor %s", args);
    for (char *tok = strtok(buf, " "); tok && argc < 31; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    struct seg_options o;
    struct seg_errmsg err = {{0}};
    seg_options_init(&o);
    struct run r = {0};
    if (seg_options_parse(&o, argc, argv, &err) != SEG_OK) {
        r.code = 2;
        r.out = strdup("");
        r.err = strdup(err.text);
    } else {
        FILE *out = tmpfile(), *progress = tmpfile();
        r.code = seg_doctor_run(&o, h, out, progress);
        r.out = slurp(out);
        r.err = slurp(progress);
    }
    seg_options_release(&o);
    if (getenv("SEG_TEST_VERBOSE"))
        fprintf(stderr, "--- doctor %s -> %d\n%s%s", args, r.code, r.out, r.err);
    return r;
}

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += n)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

static size_t count_prefix(const char *text, const char *prefix)
{
    size_t n = 0, pl = strlen(prefix);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += strncmp(p, prefix, pl) == 0;
    return n;
}

static int setup(void **state)
{
    (void)state;
    /* Isolated from the user's files, keys and endpoints. */
    char *home = seg_test_tmpdir();
    setenv("XDG_CONFIG_HOME", home, 1);
    setenv("HOME", home, 1);
    free(home);
    const char *unset[] = {"AWS_ACCESS_KEY_ID",
                           "AWS_SECRET_ACCESS_KEY",
                           "AWS_SESSION_TOKEN",
                           "AWS_PROFILE",
                           "AWS_REGION",
                           "AWS_DEFAULT_REGION",
                           "AWS_ENDPOINT_URL",
                           "AWS_ENDPOINT_URL_S3",
                           "AWS_ENDPOINT_URL_LAMBDA",
                           "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
                           "AWS_CONFIG_FILE",
                           "AWS_SHARED_CREDENTIALS_FILE"};
    for (size_t i = 0; i < sizeof unset / sizeof *unset; i++)
        unsetenv(unset[i]);
    return 0;
}

static void test_default_sites_all_ok(void **state)
{
    (void)state;
    struct run r = doctor(&seg_sim_builtin_hooks, "");
    assert_int_equal(r.code, 0);
    assert_int_equal(count_prefix(r.out, "PROBLEM"), 0);
    assert_int_equal(count_prefix(r.out, "warn"), 0);
    assert_true(has_line(r.out, "ok      credentials: the simulator's built-in test key pair"));
    assert_true(has_line(r.out, "ok      region: us-west-1 (default)"));
    assert_non_null(strstr(r.out, "ok      functions: 300/300 found; Timeout 781 s, MemorySize "
                                  "6200 MB, LogFormat Text\n"));
    assert_true(has_line(r.out, "ok      buckets: 300/300 found"));
    assert_true(has_line(r.out, "ok      notifications: 300/300 buckets send s3:ObjectCreated "
                                "to their site's function"));
    assert_non_null(strstr(r.out, "ok      log groups: 300/300 exist"));
    assert_non_null(strstr(r.out, "ok      clock: offset "));
    assert_true(has_line(r.out, "ok      account: concurrency limit 1000 (1000 unreserved), "
                                "largest wave 300 sites"));
    assert_true(has_line(r.out, "info    freshness: 300 groups, 4 calls/s: a sweep takes 75 s"
                                "; segtop reads them with Logs Insights, 6 queries of up to 50 "
                                "groups: about 5 s"
                                " \xe2\x80\x94 for about 1 s, send every function's logs to one "
                                "group (LoggingConfig.LogGroup) and pass --shared-log-group NAME"));
    assert_true(has_line(r.out, "doctor: 0 problems, 0 warnings (300 sites, trigger s3)"));
    assert_null(strstr(r.out, SIM_TEST_SECRET));
    assert_null(strstr(r.err, SIM_TEST_SECRET));
    run_free(&r);
}

static void test_shared_group(void **state)
{
    (void)state;
    struct run r =
        doctor(&seg_sim_builtin_hooks, "--sites 20 --shared-log-group /segtop/all --log-tps 2");
    assert_int_equal(r.code, 0);
    assert_true(has_line(r.out, "info    freshness: shared group: one FilterLogEvents call per "
                                "poll, about 1 s"));
    assert_non_null(strstr(r.out, "ok      log groups: 1/1 exist"));
    assert_true(has_line(r.out, "ok      log config: 20/20 functions log where segtop reads "
                                "(--shared-log-group)"));
    run_free(&r);
}

static void test_per_group_freshness_and_tps(void **state)
{
    (void)state;
    struct run r = doctor(&seg_sim_builtin_hooks, "--sites 5 --log-tps 2");
    assert_int_equal(r.code, 0);
    assert_true(has_line(r.out, "info    freshness: 5 groups, 2 calls/s: a sweep takes 2.5 s"));
    assert_true(has_line(r.out, "ok      account: concurrency limit 1000 (1000 unreserved), "
                                "largest wave 5 sites"));
    run_free(&r);
}

/* With --trigger invoke a bucket that also notifies the function runs it twice: a warning
 * per site, folded after ten; warnings alone exit 0. */
static void test_invoke_warns_and_folds(void **state)
{
    (void)state;
    struct run r = doctor(&seg_sim_builtin_hooks, "--sites 13 --trigger invoke");
    assert_int_equal(r.code, 0);
    assert_true(has_line(r.out, "warn    site1: bucket site1-simulatedbucket also notifies "
                                "site1-lambdafunction on s3:ObjectCreated: each wave runs it "
                                "twice (the notification's runs count as extra, not as the "
                                "wave's) \xe2\x80\x94 use --trigger s3, or remove the "
                                "notification"));
    assert_true(has_line(r.out, "warn    site11..site13: 3 more sites: bucket also notifies the "
                                "function: each wave runs it twice (the notification's runs "
                                "count as extra, not as the wave's) \xe2\x80\x94 use --trigger "
                                "s3, or remove the notification"));
    assert_null(strstr(r.out, "warn    site11: "));
    assert_true(has_line(r.out, "ok      permission: lambda:InvokeFunction granted on "
                                "site1-lambdafunction (Invoke with InvocationType DryRun)"));
    assert_true(has_line(r.out, "doctor: 0 problems, 13 warnings (13 sites, trigger invoke)"));
    run_free(&r);
}

static void test_no_target_exits_1(void **state)
{
    (void)state;
    struct run r = doctor(NULL, "--sites 2");
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "built-in simulator is not available"));
    run_free(&r);
}

static void test_unreachable_exits_1(void **state)
{
    (void)state;
    setenv("AWS_ACCESS_KEY_ID", "AKIDDOCTORTEST000001", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "doctorTestSecretNeverPrinted", 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    /* Port 1 on loopback: nothing listens, the connection is refused at once. */
    struct run r = doctor(NULL, "--sites 2 --endpoint http://127.0.0.1:1");
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.err, "cannot reach the "));
    assert_true(has_line(r.out, "ok      credentials: from environment"));
    assert_null(strstr(r.out, "doctorTestSecretNeverPrinted"));
    assert_null(strstr(r.err, "doctorTestSecretNeverPrinted"));
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_MAX_ATTEMPTS");
    run_free(&r);
}

static void test_no_credentials_is_a_problem(void **state)
{
    (void)state;
    struct run r = doctor(NULL, "--sites 2 --endpoint http://127.0.0.1:1");
    assert_int_equal(r.code, 4);
    assert_non_null(strstr(r.out, "PROBLEM credentials: "));
    assert_true(has_line(r.out, "info    checks: remote checks skipped: no usable credentials"));
    run_free(&r);
}

static void test_usage_exits_2(void **state)
{
    (void)state;
    struct run r = doctor(&seg_sim_builtin_hooks, "--sites-file /nonexistent/sites.csv");
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "/nonexistent/sites.csv"));
    run_free(&r);
}

/* ---- GetBucketNotificationConfiguration bodies ---- */

#define ARN(fn) "arn:aws:lambda:us-west-1:123456789012:function:" fn
#define CFG(body)                                                         \
    "<?xml version=\"1.0\"?><NotificationConfiguration xmlns=\"x\">" body \
    "</NotificationConfiguration>"

static enum doc_notif_verdict check(const char *xml, char *detail)
{
    return doc_notif_check(xml, strlen(xml), "site1-fn", "us-west-1",
                           "image_capture_2026-01-01_00-00-00.jpg", detail, 256);
}

static void test_notification_parser(void **state)
{
    (void)state;
    char d[256];
    assert_int_equal(check(CFG(""), d), DOC_NOTIF_NONE);
    assert_int_equal(check(CFG("<CloudFunctionConfiguration><Id>a</Id><CloudFunction>" ARN(
                               "site1-fn") "</CloudFunction><Event>s3:ObjectCreated:*</Event>"
                                           "</CloudFunctionConfiguration>"),
                           d),
                     DOC_NOTIF_OK);
    /* The model's own names, an alias qualifier and the Put event. */
    assert_int_equal(check(CFG("<LambdaFunctionConfiguration><LambdaFunctionArn>" ARN(
                               "site1-fn:live") "</LambdaFunctionArn><Event>s3:ObjectCreated:"
                                                "Put</Event></LambdaFunctionConfiguration>"),
                           d),
                     DOC_NOTIF_OK);
    /* Another function, another region, a name that only starts the same. */
    assert_int_equal(check(CFG("<CloudFunctionConfiguration><CloudFunction>" ARN(
                               "site10-fn") "</CloudFunction><Event>s3:ObjectCreated:*</Event>"
                                            "</CloudFunctionConfiguration>"),
                           d),
                     DOC_NOTIF_NONE);
    assert_int_equal(check(CFG("<CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:eu-west-"
                               "1:1:function:site1-fn</CloudFunction><Event>s3:ObjectCreated:*"
                               "</Event></CloudFunctionConfiguration>"),
                           d),
                     DOC_NOTIF_NONE);
    assert_int_equal(check(CFG("<CloudFunctionConfiguration><CloudFunction>" ARN(
                               "site1-fn") "</CloudFunction><Event>s3:ObjectRemoved:*</Event>"
                                           "</CloudFunctionConfiguration>"),
                           d),
                     DOC_NOTIF_NO_CREATE);
    assert_int_equal(
        check(CFG("<CloudFunctionConfiguration><CloudFunction>" ARN(
                  "site1-fn") "</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key>"
                              "<FilterRule><Name>suffix</Name><Value>.png</Value></FilterRule>"
                              "</S3Key></Filter></CloudFunctionConfiguration>"),
              d),
        DOC_NOTIF_FILTERED);
    assert_string_equal(d, "its suffix filter '.png'");
    assert_int_equal(
        check(CFG("<CloudFunctionConfiguration><CloudFunction>" ARN(
                  "site1-fn") "</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key>"
                              "<FilterRule><Name>prefix</Name><Value>image_</Value></FilterRule>"
                              "<FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule>"
                              "</S3Key></Filter></CloudFunctionConfiguration>"),
              d),
        DOC_NOTIF_OK);
    /* Truncated and hostile bodies end the scan, never read past the length. */
    const char *cut = CFG("<CloudFunctionConfiguration><CloudFunction>" ARN("site1-fn"));
    assert_int_equal(doc_notif_check(cut, strlen(cut) - 20, "site1-fn", "us-west-1", "k", d, 256),
                     DOC_NOTIF_NONE);
    assert_int_equal(check("<<<<CloudFunctionConfiguration", d), DOC_NOTIF_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_default_sites_all_ok, setup),
        cmocka_unit_test_setup(test_shared_group, setup),
        cmocka_unit_test_setup(test_per_group_freshness_and_tps, setup),
        cmocka_unit_test_setup(test_invoke_warns_and_folds, setup),
        cmocka_unit_test_setup(test_no_target_exits_1, setup),
        cmocka_unit_test_setup(test_unreachable_exits_1, setup),
        cmocka_unit_test_setup(test_no_credentials_is_a_problem, setup),
        cmocka_unit_test_setup(test_usage_exits_2, setup),
        cmocka_unit_test(test_notification_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
