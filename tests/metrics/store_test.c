/* The store: trigger outcomes, START/REPORT by request id, retries, missing, aggregates,
 * snapshots and the deep-copied tables. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics/slo.h"
#include "metrics/snapshot.h"
#include "metrics/store.h"
#include "seg_test.h"

#define T0 1746745200000LL /* 2025-05-08T23:00:00Z */

static void ok(enum seg_err e)
{
    assert_int_equal(e, SEG_OK);
}

static struct seg_report report(int64_t ts, int64_t event_time, double billed, bool cold)
{
    struct seg_report r;
    seg_report_init(&r);
    r.ts_ms = ts;
    r.ingest_ms = ts + 1500;
    r.event_time_ms = event_time;
    r.duration_ms = billed - 0.47;
    r.billed_ms = billed;
    r.memory_mb = 6200;
    r.max_memory_mb = 900;
    r.cold = cold;
    r.init_ms = cold ? 512.25 : NAN;
    return r;
}

/* Timestamps far apart (a bogus log line, a long replay) must not grow the per-second
 * concurrency series without bound: it keeps a week. */
static void test_concurrency_series_is_bounded(void **state)
{
    (void)state;
    struct seg_store *s = seg_store_new(NULL);
    int w = 0;
    ok(seg_store_wave_begin(s, 2, SEG_TRIGGER_S3, "k", T0, &w));
    ok(seg_store_trigger_sent(s, w, 1, T0));
    ok(seg_store_trigger_sent(s, w, 2, T0));
    ok(seg_store_bind(s, w, 1, "old"));
    ok(seg_store_bind(s, w, 2, "new"));
    const int64_t year = 400LL * 86400 * 1000;
    ok(seg_store_start(s, "old", T0 - year));
    struct seg_report r = report(T0 - year + 20000, T0 - year, 20000, true);
    ok(seg_store_report(s, "old", &r));
    size_t before = seg_store_memory(s);
    ok(seg_store_start(s, "new", T0));
    r = report(T0 + 20000, T0, 20000, true);
    ok(seg_store_report(s, "new", &r));
    /* A week of 4-byte counters at most, not 400 days. */
    assert_true(seg_store_memory(s) - before < (size_t)8 * 86400 * 8);
    seg_store_set_now(s, T0 + 21000);
    struct seg_snapshot *snap = seg_store_snapshot(s);
    assert_int_equal(snap->conc_peak, 1);
    seg_snapshot_release(snap);
    seg_store_free(s);
}

static void test_wave_outcomes(void **state)
{
    (void)state;
    struct seg_store *s = seg_store_new(NULL);
    for (int i = 1; i <= 3; i++) {
        char fn[64];
        snprintf(fn, sizeof fn, "site%d-lambdafunction", i);
        seg_store_set_site(s, i, fn);
    }
    int w = 0;
    assert_int_equal(seg_store_wave_begin(s, 0, SEG_TRIGGER_S3, "k", T0, &w), SEG_ERR_INVALID);
    ok(seg_store_wave_begin(s, 3, SEG_TRIGGER_S3, "image_capture_2025-05-08_17-00-00.jpg", T0, &w));
    assert_int_equal(w, 1);
    for (int i = 1; i <= 3; i++)
        ok(seg_store_trigger_sent(s, 1, i, T0 + i));
    assert_int_equal(seg_store_trigger_sent(s, 1, 1, T0), SEG_ERR_STATE);
    assert_int_equal(seg_store_trigger_sent(s, 1, 4, T0), SEG_ERR_INVALID);
    assert_int_equal(seg_store_trigger_sent(s, 2, 1, T0), SEG_ERR_INVALID);
    ok(seg_store_trigger_accepted(s, 1, 1, T0 + 100, NULL));
    ok(seg_store_trigger_failed(s, 1, 2, T0 + 120, true, "SlowDown: reduce your request rate"));
    ok(seg_store_trigger_accepted(s, 1, 3, T0 + 100, NULL));
    assert_int_equal(seg_store_start(s, "rid-1", T0 + 2000), SEG_ERR_NOTFOUND);
    ok(seg_store_bind(s, 1, 1, "rid-1"));
    ok(seg_store_start(s, "rid-1", T0 + 2000));
    ok(seg_store_bind(s, 1, 3, "rid-3"));
    ok(seg_store_start(s, "rid-3", T0 + 2500));

    seg_store_set_now(s, T0 + 10000);
    struct seg_snapshot *snap = seg_store_snapshot(s);
    assert_int_equal(snap->waves[0].c.launched, 3);
    assert_int_equal(snap->waves[0].c.running, 2);
    assert_int_equal(snap->sites[0].state, SEG_SITE_RUNNING);
    assert_int_equal(snap->sites[1].state, SEG_SITE_THROTTLED);
    assert_false(snap->waves[0].complete);
    /* Two executions in flight from second T0+2 to now. */
    assert_int_equal(snap->conc[snap->n_conc - 1], 2);
    assert_int_equal(snap->conc_peak, 2);

    struct seg_report r = report(T0 + 22000, T0 + 1000, 20000, true);
    ok(seg_store_report(s, "rid-1", &r));
    assert_int_equal(seg_store_report(s, "rid-1", &r), SEG_ERR_STATE); /* duplicate */
    assert_int_equal(seg_store_report(s, "nope", &r), SEG_ERR_NOTFOUND);
    ok(seg_store_declare_missing(s, 1, 3, T0 + 900000));
    assert_int_equal(seg_store_declare_missing(s, 1, 3, T0 + 900000), SEG_ERR_STATE);
    assert_true(seg_store_wave_complete(s, 1));

    struct seg_snapshot *snap2 = seg_store_snapshot(s);
    assert_true(snap2->seq > snap->seq);
    seg_snapshot_release(snap);
    const struct seg_wave_row *wr = seg_snapshot_wave(snap2, 1);
    assert_non_null(wr);
    assert_null(seg_snapshot_wave(snap2, 2));
    assert_true(wr->complete);
    assert_int_equal(wr->c.launched, 3);
    assert_int_equal(wr->c.done, 1);
    assert_int_equal(wr->c.missing, 1);
    assert_int_equal(wr->c.errors, 1); /* the throttle */
    assert_int_equal(wr->c.throttles, 1);
    assert_int_equal(wr->c.running, 0);
    assert_true(fabs(wr->cold_pct - 100.0) < 1e-9);
    assert_int_equal(wr->dist[SEG_METRIC_EXEC].p50, 21000);
    assert_int_equal(wr->dist[SEG_METRIC_E2E].p95, 22000 - 1);
    assert_int_equal(wr->dist[SEG_METRIC_INIT].p50, 512);
    assert_int_equal(wr->dist[SEG_METRIC_LAG].max, 1500);
    assert_int_equal(wr->makespan_ms, 22000 - 1);
    double cost = 6200 / 1024.0 * 20.0 * 0.0000166667 + 0.2e-6;
    assert_true(fabs(wr->c.cost_usd - cost) < 1e-12);
    assert_string_equal(wr->trigger_key, "image_capture_2025-05-08_17-00-00.jpg");
    assert_int_equal(snap2->sites[0].state, SEG_SITE_OK_COLD);
    assert_int_equal(snap2->sites[2].state, SEG_SITE_MISSING);
    assert_string_equal(snap2->sites[0].function, "site1-lambdafunction");
    assert_int_equal(snap2->sites[0].p50_exec_ms, 21000);
    assert_int_equal(snap2->sites[0].max_memory_mb, 900);
    assert_int_equal(snap2->sites[2].p50_exec_ms, -1);
    assert_int_equal(snap2->n_errors, 2);
    assert_int_equal(snap2->errors[0].site, 2);
    assert_int_equal(snap2->errors[0].sig, SEG_ERRSIG_THROTTLED);
    assert_string_equal(snap2->errors[0].last_message, "SlowDown: reduce your request rate");
    assert_int_equal(snap2->errors[1].sig, SEG_ERRSIG_MISSING);

    /* Snapshots outlive the store. */
    seg_snapshot_acquire(snap2);
    seg_snapshot_release(snap2);

    /* A late REPORT replaces "missing". */
    r = report(T0 + 950000, T0 + 1000, 30000, false);
    ok(seg_store_report(s, "rid-3", &r));
    struct seg_snapshot *snap3 = seg_store_snapshot(s);
    assert_int_equal(snap3->waves[0].c.missing, 0);
    assert_int_equal(snap3->waves[0].c.done, 2);
    assert_int_equal(snap3->sites[2].state, SEG_SITE_OK_WARM);
    assert_true(fabs(snap3->waves[0].cold_pct - 50.0) < 1e-9);
    seg_snapshot_release(snap3);

    struct seg_inv_table *t = seg_store_table(s);
    assert_int_equal(t->n, 3);
    assert_int_equal(t->rows[1].status, SEG_INV_THROTTLED);
    assert_string_equal(t->rows[0].request_id, "rid-1");
    assert_string_equal(t->rows[0].function, "site1-lambdafunction");
    assert_string_equal(t->rows[0].trigger, "s3");
    assert_int_equal(t->rows[0].exec_ms, 21000);
    assert_int_equal(t->rows[0].cold, 1);
    assert_int_equal(t->rows[1].cold, -1);
    seg_store_free(s);
    /* The table and the snapshot are independent copies. */
    assert_string_equal(t->rows[2].request_id, "rid-3");
    seg_inv_table_free(t);
    assert_int_equal(snap2->waves[0].c.done, 1);
    seg_snapshot_release(snap2);
}

static void test_retries(void **state)
{
    (void)state;
    struct seg_store *s = seg_store_new(NULL);
    seg_store_set_clock_offset(s, 50); /* server 50 ms ahead */
    int w;
    ok(seg_store_wave_begin(s, 1, SEG_TRIGGER_EVENT, "k.jpg", T0, &w));
    ok(seg_store_trigger_sent(s, w, 1, T0));
    ok(seg_store_trigger_accepted(s, w, 1, T0 + 30, "rid-a"));
    ok(seg_store_start(s, "rid-a", T0 + 1000));
    struct seg_report r = report(T0 + 5000, SEG_TIME_NONE, 4000, true);
    r.status = SEG_INV_ERROR;
    r.error_type = "Runtime.ExitError";
    r.error_message = "RequestId: rid-a Error: Runtime exited with error: exit status 1";
    ok(seg_store_report(s, "rid-a", &r));
    /* Lambda retries an async invocation under the same request id. */
    ok(seg_store_start(s, "rid-a", T0 + 65000));
    int ww, site, attempt;
    ok(seg_store_find(s, "rid-a", &ww, &site, &attempt));
    assert_int_equal(attempt, 2);
    r = report(T0 + 80000, SEG_TIME_NONE, 14000, false);
    ok(seg_store_report(s, "rid-a", &r));
    /* A third REPORT without a START: a retry whose START was missed. */
    r = report(T0 + 160000, SEG_TIME_NONE, 14000, false);
    ok(seg_store_report(s, "rid-a", &r));
    ok(seg_store_find(s, "rid-a", &ww, &site, &attempt));
    assert_int_equal(attempt, 3);
    assert_int_equal(seg_store_count(s), 3);

    struct seg_snapshot *snap = seg_store_snapshot(s);
    const struct seg_wave_row *wr = &snap->waves[0];
    assert_int_equal(wr->c.launched, 1);
    assert_int_equal(wr->c.done, 1);
    assert_int_equal(wr->c.errors, 0);
    assert_int_equal(wr->c.reports, 3);
    /* exec = REPORT - (accepted + offset) */
    assert_int_equal(wr->dist[SEG_METRIC_EXEC].min, 5000 - 80);
    assert_int_equal(wr->dist[SEG_METRIC_E2E].min, 5000 - 50);
    assert_int_equal(snap->sites[0].invocations, 3);
    assert_int_equal(snap->sites[0].errors, 1);
    assert_int_equal(snap->n_errors, 1);
    assert_int_equal(snap->errors[0].sig, SEG_ERRSIG_RUNTIME_EXIT);
    seg_snapshot_release(snap);

    struct seg_inv_table *t = seg_store_site_detail(s, 1);
    assert_int_equal(t->n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(t->rows[i].attempt, i + 1);
    assert_string_equal(t->rows[0].trigger, "event");
    assert_int_equal(t->rows[0].status, SEG_INV_ERROR);
    seg_inv_table_free(t);
    t = seg_store_site_detail(s, 7);
    assert_int_equal(t->n, 0);
    seg_inv_table_free(t);
    seg_store_free(s);
}

static void test_scaling(void **state)
{
    (void)state;
    struct seg_store *s = seg_store_new(NULL);
    int n_rid = 0;
    /* Three waves each of sizes 2 and 4: exec grows with size. */
    for (int rep = 0; rep < 3; rep++) {
        for (int size = 2; size <= 4; size += 2) {
            int w;
            int64_t t0 = T0 + (int64_t)(rep * 2 + size) * 3600000;
            ok(seg_store_wave_begin(s, size, SEG_TRIGGER_S3, "k", t0, &w));
            for (int site = 1; site <= size; site++) {
                char rid[32];
                snprintf(rid, sizeof rid, "r%d", n_rid++);
                ok(seg_store_trigger_sent(s, w, site, t0));
                ok(seg_store_trigger_accepted(s, w, site, t0 + 10, NULL));
                ok(seg_store_bind(s, w, site, rid));
                ok(seg_store_start(s, rid, t0 + 500));
                int64_t exec = 10000 + size * 1000 + site * 100 + rep * 37;
                struct seg_report r = report(t0 + 1000 + exec, t0 + 1000, (double)exec, true);
                ok(seg_store_report(s, rid, &r));
            }
        }
    }
    struct seg_snapshot *snap = seg_store_snapshot(s);
    assert_int_equal(snap->n_scaling, 2);
    assert_int_equal(snap->scaling[0].size, 2);
    assert_int_equal(snap->scaling[0].n_waves, 3);
    assert_int_equal(snap->scaling[0].exec.n, 6);
    assert_true(snap->scaling[0].exec.valid);
    assert_true(snap->scaling[0].exec.lo < snap->scaling[0].exec.mean);
    assert_int_equal(snap->scaling[1].exec_wave_mean.n, 3);
    assert_int_equal(snap->n_cmp_consecutive, 1);
    assert_int_equal(snap->n_cmp_all, 1);
    assert_true(snap->cmp_consecutive[0].exec.valid);
    assert_true(snap->cmp_consecutive[0].exec.p < 0.001);
    assert_true(snap->cmp_consecutive[0].exec_p_adj == snap->cmp_consecutive[0].exec.p);
    assert_int_equal(snap->total.launched, 18);
    assert_int_equal(snap->current_wave, 6);
    seg_snapshot_release(snap);
    assert_true(seg_store_memory(s) > 0);
    seg_store_free(s);
    seg_store_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wave_outcomes),
        cmocka_unit_test(test_concurrency_series_is_bounded),
        cmocka_unit_test(test_retries),
        cmocka_unit_test(test_scaling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
