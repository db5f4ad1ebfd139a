/* --slo grammar and checks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/slo.h"
#include "metrics/store.h"
#include "seg_test.h"

static void test_parse_ok(void **state)
{
    (void)state;
    struct seg_slo slo;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_slo_parse("p95_duration<20s, all:errors<=1%,complete>=99.5,"
                                   " throttles < 3 ,p99_e2e<60000ms,p50_init>0.5s,"
                                   "all: throttles>=2%,p90_billed<=25000",
                                   &slo, &err),
                     SEG_OK);
    assert_int_equal(slo.n, 8);
    const struct seg_slo_term *t = slo.terms;
    assert_int_equal(t[0].kind, SEG_SLO_PCT);
    assert_int_equal(t[0].metric, SEG_METRIC_EXEC);
    assert_int_equal(t[0].percentile, 95);
    assert_int_equal(t[0].op, SEG_SLO_LT);
    assert_true(t[0].value == 20000);
    assert_false(t[0].all);
    assert_true(t[1].all);
    assert_int_equal(t[1].kind, SEG_SLO_ERRORS);
    assert_int_equal(t[1].op, SEG_SLO_LE);
    assert_true(t[1].value == 1 && t[1].percent);
    assert_int_equal(t[2].kind, SEG_SLO_COMPLETE);
    assert_true(t[2].value == 99.5);
    assert_int_equal(t[3].kind, SEG_SLO_THROTTLES);
    assert_false(t[3].percent);
    assert_string_equal(t[3].text, "throttles < 3");
    assert_int_equal(t[3].column, 50);
    assert_int_equal(t[4].metric, SEG_METRIC_E2E);
    assert_int_equal(t[4].percentile, 99);
    assert_int_equal(t[5].metric, SEG_METRIC_INIT);
    assert_int_equal(t[5].op, SEG_SLO_GT);
    assert_true(t[5].value == 500);
    assert_true(t[6].all && t[6].percent && t[6].op == SEG_SLO_GE);
    assert_int_equal(t[7].metric, SEG_METRIC_BILLED);
    seg_slo_release(&slo);
    seg_slo_release(&slo);
}

static void expect_error(const char *spec, const char *needle)
{
    struct seg_slo slo = {0};
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_slo_parse(spec, &slo, &err), SEG_ERR_PARSE);
    assert_int_equal(slo.n, 0);
    if (!strstr(err.text, needle))
        fail_msg("spec \"%s\": message \"%s\" lacks \"%s\"", spec, err.text, needle);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_error("", "term 1 \"\" at column 1: empty term");
    expect_error("p95_duration<1s,,errors<1", "term 2 \"\" at column 17: empty term");
    expect_error("p95_latency<5s", "term 1 \"p95_latency<5s\" at column 1: unknown metric");
    expect_error("complete>=99,p97_e2e<1s", "term 2 \"p97_e2e<1s\" at column 14: unknown metric");
    expect_error("errors=1%", "column 7: expected an operator");
    expect_error("errors<<1%", "column 8: expected a number");
    expect_error("errors<-1%", "column 8: expected a number");
    expect_error("errors<1.%", "expected a number");
    expect_error("p95_duration<5min", "column 15: unknown unit");
    expect_error("p95_duration<5%", "a percentile takes ms or s");
    expect_error("errors<5s", "not a time");
    expect_error("complete>=150%", "at most 100");
    expect_error("throttles<2ms", "not a time");
    expect_error("errors<1 % x", "column 10");
    expect_error("ALL:errors<1", "unknown metric");
    expect_error("all:all:errors<1", "unknown metric");
}

static void test_check(void **state)
{
    (void)state;
    struct seg_store *s = seg_store_new(NULL);
    int w;
    assert_int_equal(seg_store_wave_begin(s, 2, SEG_TRIGGER_S3, "k", 0, &w), SEG_OK);
    assert_int_equal(seg_store_trigger_sent(s, w, 1, 1000), SEG_OK);
    assert_int_equal(seg_store_trigger_sent(s, w, 2, 1000), SEG_OK);
    assert_int_equal(seg_store_bind(s, w, 1, "a"), SEG_OK);
    assert_int_equal(seg_store_trigger_failed(s, w, 2, 1100, true, "429"), SEG_OK);
    struct seg_report r;
    seg_report_init(&r);
    r.ts_ms = 30000;
    r.event_time_ms = 2000;
    r.billed_ms = 27000;
    assert_int_equal(seg_store_report(s, "a", &r), SEG_OK);
    struct seg_snapshot *snap = seg_store_snapshot(s);

    struct seg_slo slo;
    struct seg_errmsg err;
    assert_int_equal(seg_slo_parse("p95_duration<30s,errors<=50%,complete>=50,throttles<1,"
                                   "all:p50_init<1s,all:throttles<=50%",
                                   &slo, &err),
                     SEG_OK);
    struct seg_slo_result *res;
    size_t n;
    size_t broken = seg_slo_check(&slo, snap, true, &res, &n);
    assert_int_equal(n, 6);
    assert_int_equal(broken, 1);
    assert_true(res[0].ok && res[0].observed == 28000);
    assert_true(res[1].ok && res[1].observed == 50);
    assert_true(res[2].ok);
    assert_false(res[3].ok);
    assert_true(res[3].observed == 1);
    assert_false(res[4].evaluated); /* no cold start: no data */
    assert_true(res[4].ok);
    assert_true(res[5].ok && res[5].wave == 0);
    char line[256];
    seg_slo_format(&res[3], line, sizeof line);
    assert_string_equal(line, "wave 1: throttles<1 = 1, wanted < 1: BROKEN");
    seg_slo_format(&res[0], line, sizeof line);
    assert_string_equal(line, "wave 1: p95_duration<30s = 28000 ms, wanted < 30000 ms: ok");
    free(res);
    seg_slo_release(&slo);
    seg_snapshot_release(snap);
    seg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ok),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
