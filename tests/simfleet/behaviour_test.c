/* simfleet.behaviour: faults (timeout, oom, error, evil-log) give the right REPORT lines and
 * async retries; sync invoke calls back with the result and log tail; limits throttle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fleet_util.h"
#include "pipeline/s3_event.h"
#include "seg_test.h"
#include "util/xalloc.h"

#define NS 8

struct env {
    char *dir, *truth;
    struct seg_site *sites;
    struct seg_sim_clock clock;
    struct seg_sim_fleet *f;
    struct sf_tap tap;
};

/* speed: the simulated clock's; slow deadlines (valgrind) slow it down too, so executions
 * still overlap the calls that must see them running. */
static void env_up_speed(struct env *e, const char *faults_spec, int concurrency, double speed)
{
    memset(e, 0, sizeof *e);
    e->dir = seg_test_tmpdir();
    e->truth = seg_xasprintf("%s/truth.csv", e->dir);
    e->sites = sf_sites(NS, NULL);
    for (int i = 0; i < NS; i++)
        e->sites[i].timeout_s = 30;
    e->sites[4].json_logs = true; /* site 5 */
    e->sites[7].reserved = 0;     /* site 8 */
    struct seg_sim_faults faults;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_faults_parse(faults_spec, &faults, &err), SEG_OK);
    seg_sim_clock_init(&e->clock, speed / seg_test_time_scale());
    struct seg_sim_fleet_config cfg = {.sites = e->sites,
                                       .nsites = NS,
                                       .region = "us-west-1",
                                       .seed = 3,
                                       .account_concurrency = concurrency,
                                       .faults = &faults,
                                       .truth_path = e->truth};
    assert_int_equal(seg_sim_fleet_new(&cfg, &e->clock, NULL, &e->f, &err), SEG_OK);
    sf_tap_init(&e->tap);
    seg_sim_fleet_set_log_tap(e->f, sf_tap_fn, &e->tap);
}

static void env_up(struct env *e, const char *faults_spec, int concurrency)
{
    env_up_speed(e, faults_spec, concurrency, 2000.0);
}

static void env_down(struct env *e)
{
    seg_sim_fleet_free(e->f);
    sf_tap_release(&e->tap);
    sf_sites_free(e->sites, NS);
    free(e->truth);
    free(e->dir);
}

/* Messages of one site's group, starting with prefix. */
static size_t count(struct env *e, int site, const char *prefix)
{
    char *g = seg_xasprintf("/aws/lambda/site%d-lambdafunction", site);
    size_t n = 0;
    for (size_t i = 0; i < e->tap.n; i++)
        if (strcmp(e->tap.ev[i].group, g) == 0 &&
            (prefix ? strstr(e->tap.ev[i].msg, prefix) != NULL : true))
            n++;
    free(g);
    return n;
}

static void test_faults_and_retries(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, "timeout=site2,oom=3,evil-log=4", 0);
    for (size_t i = 0; i < 5; i++)
        seg_sim_fleet_s3_put(e.f, seg_sim_fleet_site(e.f, i), "img one.jpg", 5, "\"x\"");
    assert_true(sf_wait_idle(e.f, 20000));
    /* Site 1: one clean run, decoded key in the handler's line. */
    assert_int_equal(count(&e, 1, "REPORT RequestId: "), 1);
    assert_int_equal(count(&e, 1, "Image Name: img one.jpg\n"), 1);
    /* Site 2: timeout, retried twice: 3 attempts, same request id, same Image Name. */
    assert_int_equal(count(&e, 2, "\tStatus: timeout\t"), 3);
    assert_int_equal(count(&e, 2, "\tDuration: 30000.00 ms\t"), 3);
    assert_int_equal(count(&e, 2, " Task timed out after 30.00 seconds"), 3);
    assert_int_equal(count(&e, 2, "Image Name: img one.jpg"), 3);
    assert_int_equal(count(&e, 2, "START RequestId: "), 3);
    /* A timeout kills the environment: every attempt is cold. */
    assert_int_equal(count(&e, 2, "INIT_START"), 3);
    /* Site 3: OOM. */
    assert_int_equal(count(&e, 3, "Error Type: Runtime.OutOfMemory"), 3);
    assert_int_equal(count(&e, 3, "Max Memory Used: 6200 MB"), 3);
    /* Site 4: the hostile line. */
    assert_int_equal(count(&e, 4, "\x1b[2J"), 1);
    /* Site 5: JSON records. */
    size_t json = 0;
    for (size_t i = 0; i < e.tap.n; i++)
        if (strstr(e.tap.ev[i].group, "site5-")) {
            cJSON *o = cJSON_Parse(e.tap.ev[i].msg);
            assert_non_null(o);
            json++;
            cJSON_Delete(o);
        }
    assert_true(json >= 5);
    assert_int_equal(count(&e, 5, "\"type\":\"platform.report\""), 1);
    /* Retries 1 and 2 minutes apart (simulated). */
    int64_t starts[3];
    int k = 0;
    for (size_t i = 0; i < e.tap.n && k < 3; i++)
        if (strstr(e.tap.ev[i].group, "site2-") && strncmp(e.tap.ev[i].msg, "START ", 6) == 0)
            starts[k++] = e.tap.ev[i].ts;
    assert_int_equal(k, 3);
    assert_true(starts[1] - starts[0] >= 30000 + 60000 && starts[1] - starts[0] < 30000 + 70000);
    assert_true(starts[2] - starts[1] >= 30000 + 120000 && starts[2] - starts[1] < 30000 + 130000);
    char *csv = seg_test_read_file(e.truth, NULL);
    assert_non_null(strstr(csv, ",img one.jpg,3,true,"));
    assert_non_null(strstr(csv, ",timeout,,"));
    assert_non_null(strstr(csv, ",error,Runtime.OutOfMemory,"));
    free(csv);
    env_down(&e);
}

static void test_error_retries(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, "error=1", 0);
    seg_sim_fleet_s3_put(e.f, seg_sim_fleet_site(e.f, 0), "k.jpg", 5, NULL);
    assert_true(sf_wait_idle(e.f, 20000));
    assert_int_equal(count(&e, 1, "Status: error\tError Type: Runtime.Unhandled"), 3);
    assert_int_equal(count(&e, 1, "Traceback (most recent call last):"), 3);
    assert_int_equal(count(&e, 1, "Image Name: k.jpg"), 3);
    /* A handled exception keeps the environment warm: one cold start only. */
    assert_int_equal(count(&e, 1, "INIT_START"), 1);
    assert_int_equal(sf_count_lines(e.truth), 4);
    env_down(&e);
}

struct done {
    pthread_mutex_t mu;
    int calls;
    char id[40];
    char *fe, *payload, *tail;
};

static void on_done(void *ud, const char *rid, const char *fe, const char *payload,
                    const char *tail)
{
    struct done *d = ud;
    pthread_mutex_lock(&d->mu);
    d->calls++;
    snprintf(d->id, sizeof d->id, "%s", rid);
    d->fe = fe ? seg_xstrdup(fe) : NULL;
    d->payload = seg_xstrdup(payload);
    d->tail = seg_xstrdup(tail);
    pthread_mutex_unlock(&d->mu);
}

static void test_sync_invoke(void **state)
{
    (void)state;
    struct env e;
    /* 100x: a 20 s execution lasts 200 ms of wall time, so the third call below finds the
     * first two still running (at 2000x a loaded machine could miss the 10 ms window). */
    env_up_speed(&e, "timeout=site2", 2, 100.0);
    struct seg_s3_event ev = {.region = "us-west-1",
                              .bucket = "site1-simulatedbucket",
                              .key = "sync.jpg",
                              .size = 1,
                              .etag = "e",
                              .event_time_ms = seg_sim_clock_now_ms(&e.clock),
                              .sequencer = "00",
                              .request_id = "AB",
                              .site = 1};
    char *payload = seg_s3_event_json(&ev);
    struct done d1 = {.mu = PTHREAD_MUTEX_INITIALIZER}, d2 = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct seg_sim_invoke inv = {.site = seg_sim_fleet_find_function(e.f, "site1-lambdafunction"),
                                 .mode = SEG_SIM_SYNC,
                                 .payload = payload,
                                 .payload_len = strlen(payload)};
    assert_non_null(inv.site);
    struct seg_sim_invoke_result r1, r2, r3;
    assert_int_equal(seg_sim_fleet_invoke(e.f, &inv, on_done, &d1, &r1), SEG_OK);
    assert_int_equal(r1.status, SEG_SIM_INVOKED);
    inv.site = seg_sim_fleet_find_function(
        e.f, "arn:aws:lambda:us-west-1:123456789012:function:site2-lambdafunction:$LATEST");
    assert_non_null(inv.site);
    assert_int_equal(inv.site->n, 2);
    assert_int_equal(seg_sim_fleet_invoke(e.f, &inv, on_done, &d2, &r2), SEG_OK);
    /* Account concurrency 2: a third function is throttled. */
    inv.site = seg_sim_fleet_find_function(e.f, "123456789012:function:site3-lambdafunction");
    assert_int_equal(seg_sim_fleet_invoke(e.f, &inv, on_done, &d2, &r3), SEG_OK);
    assert_int_equal(r3.status, SEG_SIM_THROTTLED);
    assert_string_equal(r3.throttle_reason, "ConcurrentInvocationLimitExceeded");
    assert_true(r3.retry_after_s >= 1);
    /* Reserved concurrency 0 throttles always. */
    inv.site = seg_sim_fleet_find_function(e.f, "site8-lambdafunction");
    assert_int_equal(seg_sim_fleet_invoke(e.f, &inv, on_done, &d2, &r3), SEG_OK);
    assert_string_equal(r3.throttle_reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
    /* DryRun validates only. */
    inv.mode = SEG_SIM_DRYRUN;
    assert_int_equal(seg_sim_fleet_invoke(e.f, &inv, NULL, NULL, &r3), SEG_OK);
    assert_int_equal(r3.status, SEG_SIM_INVOKED);
    assert_null(seg_sim_fleet_find_function(e.f, "nope"));
    assert_non_null(seg_sim_fleet_find_bucket(e.f, "site4-simulatedbucket"));
    assert_true(sf_wait_idle(e.f, 20000));
    assert_int_equal(d1.calls, 1);
    assert_string_equal(d1.id, r1.request_id);
    assert_null(d1.fe);
    assert_non_null(strstr(d1.tail, "Image Name: sync.jpg\n"));
    char *want = seg_xasprintf("REPORT RequestId: %s\t", r1.request_id);
    assert_non_null(strstr(d1.tail, want));
    free(want);
    assert_int_equal(d2.calls, 1);
    assert_string_equal(d2.fe, "Unhandled");
    assert_non_null(strstr(d2.payload, "Sandbox.Timedout"));
    assert_non_null(strstr(d2.tail, "Status: timeout"));
    /* Sync failures are not retried; throttles are truth rows. */
    assert_int_equal(count(&e, 2, "START RequestId"), 1);
    char *csv = seg_test_read_file(e.truth, NULL);
    assert_non_null(strstr(csv, ",throttled,ConcurrentInvocationLimitExceeded,"));
    free(csv);
    free(d1.payload), free(d1.tail), free(d2.fe), free(d2.payload), free(d2.tail);
    free(payload);
    env_down(&e);
}

static void test_async_throttle(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, "", 2);
    for (size_t i = 0; i < 6; i++)
        seg_sim_fleet_s3_put(e.f, seg_sim_fleet_site(e.f, i), "t.jpg", 5, NULL);
    assert_true(sf_wait_idle(e.f, 20000));
    /* Throttled events wait in Lambda's queue: all run, no throttle in the logs. */
    assert_int_equal(sf_count_prefix(&e.tap, "REPORT RequestId: "), 5);
    assert_int_equal(count(&e, 5, "\"type\":\"platform.report\""), 1); /* JSON */
    char *csv = seg_test_read_file(e.truth, NULL);
    assert_non_null(strstr(csv, ",throttled,ConcurrentInvocationLimitExceeded,"));
    free(csv);
    env_down(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults_and_retries),
        cmocka_unit_test(test_error_retries),
        cmocka_unit_test(test_sync_invoke),
        cmocka_unit_test(test_async_throttle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
