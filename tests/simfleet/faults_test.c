/* simfleet.faults: the --sim-faults grammar, every key, scopes, site sets, errors. */
#include <stdio.h>
#include <string.h>

#include "seg_test.h"
#include "sim/faults.h"

static void parse_ok(const char *spec, struct seg_sim_faults *f)
{
    struct seg_errmsg err = {{0}};
    enum seg_err rc = seg_sim_faults_parse(spec, f, &err);
    if (rc != SEG_OK)
        fail_msg("'%s': %s", spec, err.text);
}

static void parse_bad(const char *spec, const char *must_name)
{
    struct seg_sim_faults f;
    seg_sim_faults_init(&f);
    f.reset = 0.5; /* untouched on error */
    struct seg_errmsg err = {{0}};
    assert_int_not_equal(seg_sim_faults_parse(spec, &f, &err), SEG_OK);
    if (!strstr(err.text, must_name))
        fail_msg("'%s': message '%s' does not name '%s'", spec, err.text, must_name);
    assert_true(f.reset == 0.5);
}

static void test_empty(void **state)
{
    (void)state;
    struct seg_sim_faults f;
    parse_ok(NULL, &f);
    assert_true(f.reset == 0 && f.timeout.n == 0 && !f.ingest_set);
    parse_ok("", &f);
    assert_true(f.error_p == 0);
}

static void test_every_key(void **state)
{
    (void)state;
    struct seg_sim_faults f;
    parse_ok("throttle=0.1,5xx=0.2:s3,reset=0.3,truncate=0.4,slow=0.5:250ms,timeout=site7|9,"
             "oom=3..5,error=0.05,ingest-delay=200ms..2s,duplicate-events=0.6,reorder=0.7,"
             "evil-log=site2|10..12",
             &f);
    for (int s = 0; s < SEG_SIM_SCOPES; s++)
        assert_true(f.throttle[s] == 0.1);
    assert_true(f.err5xx[SEG_SIM_SCOPE_S3] == 0.2);
    assert_true(f.err5xx[SEG_SIM_SCOPE_LAMBDA] == 0 && f.err5xx[SEG_SIM_SCOPE_LOGS] == 0);
    assert_true(f.reset == 0.3 && f.truncate == 0.4);
    assert_true(f.slow_p == 0.5 && f.slow_ms == 250);
    assert_true(seg_sim_siteset_has(&f.timeout, 7) && seg_sim_siteset_has(&f.timeout, 9));
    assert_false(seg_sim_siteset_has(&f.timeout, 8));
    assert_true(seg_sim_siteset_has(&f.oom, 3) && seg_sim_siteset_has(&f.oom, 5));
    assert_false(seg_sim_siteset_has(&f.oom, 6));
    assert_true(f.error_p == 0.05);
    assert_true(f.ingest_set && f.ingest_min_ms == 200 && f.ingest_max_ms == 2000);
    assert_true(f.duplicate_events == 0.6 && f.reorder == 0.7);
    assert_true(seg_sim_siteset_has(&f.evil_log, 2) && seg_sim_siteset_has(&f.evil_log, 11));
    assert_false(seg_sim_siteset_has(&f.evil_log, 3));
}

static void test_scopes(void **state)
{
    (void)state;
    struct seg_sim_faults f;
    parse_ok("throttle=0.5:lambda,throttle=0.25:logs,5xx=1:lambda", &f);
    assert_true(f.throttle[SEG_SIM_SCOPE_LAMBDA] == 0.5);
    assert_true(f.throttle[SEG_SIM_SCOPE_S3] == 0);
    assert_true(f.throttle[SEG_SIM_SCOPE_LOGS] == 0.25);
    assert_true(f.err5xx[SEG_SIM_SCOPE_LAMBDA] == 1);
    parse_bad("throttle=0.5:dynamodb", "throttle");
}

static void test_sites_and_durations(void **state)
{
    (void)state;
    struct seg_sim_faults f;
    parse_ok("timeout=site2|5..9|site20..site22,slow=1:1.5s,ingest-delay=0ms..0ms", &f);
    assert_int_equal(f.timeout.n, 3);
    assert_true(seg_sim_siteset_has(&f.timeout, 21));
    assert_true(f.slow_ms == 1500);
    assert_true(f.ingest_min_ms == 0 && f.ingest_max_ms == 0);
    parse_bad("timeout=9..3", "timeout");
    parse_bad("timeout=0", "timeout");
    parse_bad("oom=site", "oom");
    parse_bad("oom=3|", "oom");
    parse_bad("evil-log=x7", "evil-log");
    parse_bad("slow=0.5", "slow");
    parse_bad("slow=0.5:5", "slow"); /* unit required */
    parse_bad("slow=0.5:5m", "slow");
    parse_bad("ingest-delay=2s..1s", "ingest-delay");
    parse_bad("ingest-delay=1s", "ingest-delay");
    /* 33 items overflow the set. */
    char big[512] = "timeout=1";
    for (int i = 2; i <= 33; i++)
        snprintf(big + strlen(big), sizeof big - strlen(big), "|%d", i);
    parse_bad(big, "timeout");
}

static void test_errors(void **state)
{
    (void)state;
    parse_bad("error=1.5", "error");
    parse_bad("error=-0.1", "error");
    parse_bad("error=", "error");
    parse_bad("error=nan", "error");
    parse_bad("reset=0.1x", "reset");
    parse_bad("truncate=2", "truncate");
    parse_bad("reorder=abc", "reorder");
    parse_bad("duplicate-events=3", "duplicate-events");
    parse_bad("5xx=7", "5xx");
    parse_bad("bogus=1", "unknown key 'bogus'");
    parse_bad("reset=0.1,frobnicate=2", "frobnicate");
    parse_bad("reset", "reset");
    parse_bad("reset=0.1,,error=0", "not key=value");
    /* The bad value is quoted whole even though the parser cut it. */
    parse_bad("slow=2:1s", "'2:1s'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),  cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_scopes), cmocka_unit_test(test_sites_and_durations),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
