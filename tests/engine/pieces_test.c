/* The engine's pure pieces: the log-API budget, the eventId set, correlation of
 * interleaved, reordered, duplicated log lines. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/budget.h"
#include "engine/correlate.h"
#include "engine/dedupe.h"
#include "logs/parse.h"
#include "metrics/store.h"
#include "seg_test.h"

static void test_budget_spacing_and_backoff(void **state)
{
    (void)state;
    struct seg_budget b;
    seg_budget_init(&b, 4.0, 0);
    assert_true(seg_budget_take(&b, 0));
    assert_false(seg_budget_take(&b, 100)); /* 250 ms apart at 4/s */
    assert_int_equal(seg_budget_wait_ms(&b, 100), 150);
    assert_true(seg_budget_take(&b, 250));
    seg_budget_throttled(&b, 300);
    assert_true(fabs(b.rate - 2.0) < 1e-9);
    assert_int_equal(b.throttles, 1);
    seg_budget_throttled(&b, 300);
    seg_budget_throttled(&b, 300);
    seg_budget_throttled(&b, 300);
    seg_budget_throttled(&b, 300);
    assert_true(b.rate >= SEG_BUDGET_MIN_TPS - 1e-9);
    /* Slow recovery: +5 % of the maximum per quiet second. */
    double r0 = b.rate;
    seg_budget_update(&b, 1300);
    assert_true(fabs(b.rate - (r0 + 0.2)) < 1e-9);
    seg_budget_update(&b, 100000);
    assert_true(fabs(b.rate - 4.0) < 1e-9);
}

static void test_dedupe_bounded(void **state)
{
    (void)state;
    struct seg_dedupe d;
    seg_dedupe_init(&d, 100);
    assert_true(seg_dedupe_add(&d, "a", 1));
    assert_false(seg_dedupe_add(&d, "a", 1));
    char id[32];
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(id, sizeof id, "ev%d", i);
        assert_true(seg_dedupe_add(&d, id, (size_t)n));
    }
    /* Recent ids are remembered; the oldest generation was dropped. */
    int n = snprintf(id, sizeof id, "ev%d", 999);
    assert_false(seg_dedupe_add(&d, id, (size_t)n));
    assert_true(seg_dedupe_add(&d, "a", 1));
    seg_dedupe_release(&d);
}

struct seen {
    int reports;
    enum seg_inv_status last;
};

static void on_report(void *ud, int wave, int site, enum seg_inv_status st, int64_t ts,
                      int64_t ingest)
{
    (void)wave;
    (void)site;
    (void)ts;
    (void)ingest;
    struct seen *s = ud;
    s->reports++;
    s->last = st;
}

static void feed(struct seg_corr *c, int gsite, const char *stream, int64_t ts, const char *msg)
{
    struct seg_log_record r;
    assert_int_equal(seg_log_parse(msg, strlen(msg), &r), SEG_OK);
    seg_corr_event(c, gsite, stream, ts, ts + 500, &r);
}

#define RID "11111111-2222-3333-4444-555555555555"

static void test_correlation_out_of_order(void **state)
{
    (void)state;
    struct seg_store *st = seg_store_new(NULL);
    int wave = 0;
    assert_int_equal(seg_store_wave_begin(st, 2, SEG_TRIGGER_S3, "img_1.jpg", 1000000, &wave),
                     SEG_OK);
    assert_int_equal(seg_store_trigger_sent(st, wave, 2, 1000000), SEG_OK);
    assert_int_equal(seg_store_trigger_accepted(st, wave, 2, 1000050, NULL), SEG_OK);
    struct seen seen = {0};
    struct seg_corr_hooks h = {.ud = &seen, .on_report = on_report};
    struct seg_corr *c = seg_corr_new(st, SEG_TRIGGER_S3, &h);
    seg_corr_add_wave(c, wave, "img_1.jpg");
    /* REPORT first, then the handler lines, then START: all held until bound. */
    feed(c, 2, "s1", 1022000,
         "REPORT RequestId: " RID "\tDuration: 18000.00 ms\tBilled Duration: 20000 ms\t"
         "Memory Size: 6200 MB\tMax Memory Used: 2300 MB\tInit Duration: 2000.00 ms\t\n");
    feed(c, 2, "s1", 1004100, "Event Time: 2026-01-01 00:16:41, Site ID: 2\n");
    feed(c, 2, "s1", 1004100, "Image Name: img_1.jpg\n");
    seg_corr_flush(c);
    assert_int_equal(seen.reports, 0);
    feed(c, 2, "s1", 1002000, "INIT_START Runtime Version: python:3.13.v14\n");
    feed(c, 2, "s1", 1004000, "START RequestId: " RID " Version: $LATEST\n");
    seg_corr_flush(c);
    assert_int_equal(seen.reports, 1);
    assert_int_equal(seen.last, SEG_INV_OK);
    int w, s, a;
    assert_int_equal(seg_store_find(st, RID, &w, &s, &a), SEG_OK);
    assert_int_equal(s, 2);
    struct seg_inv_table *t = seg_store_table(st);
    assert_int_equal(t->n, 1);
    assert_int_equal(t->rows[0].start, 1002000); /* cold: from INIT_START */
    assert_int_equal(t->rows[0].end, 1022000);
    assert_int_equal(t->rows[0].cold, 1);
    seg_inv_table_free(t);
    /* The same REPORT again (a duplicate event) changes nothing. */
    feed(c, 2, "s1", 1022000,
         "REPORT RequestId: " RID "\tDuration: 18000.00 ms\tBilled Duration: 20000 ms\t"
         "Memory Size: 6200 MB\tMax Memory Used: 2300 MB\tInit Duration: 2000.00 ms\t\n");
    seg_corr_flush(c);
    assert_int_equal(seen.reports, 1);
    seg_corr_free(c);
    seg_store_free(st);
}

static void test_report_waits_for_coverage(void **state)
{
    (void)state;
    struct seg_store *st = seg_store_new(NULL);
    int wave = 0;
    assert_int_equal(seg_store_wave_begin(st, 1, SEG_TRIGGER_EVENT, "k.jpg", 0, &wave), SEG_OK);
    assert_int_equal(seg_store_trigger_sent(st, wave, 1, 10), SEG_OK);
    assert_int_equal(seg_store_trigger_accepted(st, wave, 1, 20, RID), SEG_OK);
    struct seen seen = {0};
    struct seg_corr_hooks h = {.ud = &seen, .on_report = on_report};
    struct seg_corr *c = seg_corr_new(st, SEG_TRIGGER_EVENT, &h);
    seg_corr_known(c, RID, wave, 1);
    feed(c, 1, "s", 100, "START RequestId: " RID " Version: $LATEST\n");
    feed(c, 1, "s", 900,
         "REPORT RequestId: " RID "\tDuration: 800.00 ms\tBilled Duration: 800 ms\t"
         "Memory Size: 6200 MB\tMax Memory Used: 2300 MB\t\n");
    seg_corr_flush(c);
    assert_int_equal(seen.reports, 0); /* no Event Time line yet: it may still come */
    seg_corr_covered(c, 1, 899);
    seg_corr_flush(c);
    assert_int_equal(seen.reports, 0);
    seg_corr_covered(c, 1, 900);
    seg_corr_flush(c);
    assert_int_equal(seen.reports, 1);
    seg_corr_free(c);
    seg_store_free(st);
}

#define RID2 "99999999-8888-7777-6666-555555555555"

struct extra_seen {
    int runs, calls;
    int64_t running_since;
};

static void on_extra(void *ud, int wave, int site, int new_runs, int64_t running_since)
{
    struct extra_seen *x = ud;
    assert_int_equal(wave, 1);
    assert_int_equal(site, 1);
    x->calls++;
    x->runs += new_runs;
    x->running_since = running_since;
}

/* --trigger invoke: the upload's notification runs the function too, with the same Image
 * Name. The run the Invoke answer named is the wave's; the other, once that answer is in,
 * is an extra run: counted, never in the store. Until the answer, both wait. */
static void test_notification_runs_are_extra(void **state)
{
    (void)state;
    struct seg_store *st = seg_store_new(NULL);
    int wave = 0;
    assert_int_equal(seg_store_wave_begin(st, 1, SEG_TRIGGER_INVOKE, "k.jpg", 0, &wave), SEG_OK);
    struct extra_seen x = {0};
    struct seg_corr_hooks h = {.ud = &x, .on_extra = on_extra};
    struct seg_corr *c = seg_corr_new(st, SEG_TRIGGER_INVOKE, &h);
    seg_corr_add_wave(c, wave, "k.jpg");
    /* Both runs are in the logs before the synchronous Invoke answers. */
    feed(c, 1, "a", 100, "START RequestId: " RID " Version: $LATEST\n");
    feed(c, 1, "a", 110, "Image Name: k.jpg\n");
    feed(c, 1, "b", 1500, "START RequestId: " RID2 " Version: $LATEST\n");
    feed(c, 1, "b", 1510, "Image Name: k.jpg\n");
    feed(c, 1, "a", 900,
         "REPORT RequestId: " RID "\tDuration: 800.00 ms\tBilled Duration: 800 ms\t"
         "Memory Size: 6200 MB\tMax Memory Used: 2300 MB\t\n");
    seg_corr_flush(c);
    assert_int_equal(x.calls, 0); /* which one is the wave's is not known yet */
    assert_int_equal(seg_store_trigger_sent(st, wave, 1, 90), SEG_OK);
    assert_int_equal(seg_store_trigger_accepted(st, wave, 1, 90, RID), SEG_OK);
    seg_corr_known(c, RID, wave, 1);
    seg_corr_trigger_resolved(c, wave, 1);
    seg_corr_covered(c, 1, 2000);
    seg_corr_flush(c);
    assert_int_equal(x.runs, 1);
    assert_int_equal(x.running_since, 1500); /* still running: the run waits for it */
    struct seg_corr_stats cs;
    seg_corr_stats(c, &cs);
    assert_int_equal(cs.extra_ids, 1);
    assert_int_equal(cs.unbound_ids, 0);
    feed(c, 1, "b", 2300,
         "REPORT RequestId: " RID2 "\tDuration: 800.00 ms\tBilled Duration: 800 ms\t"
         "Memory Size: 6200 MB\tMax Memory Used: 2300 MB\t\n");
    seg_corr_flush(c);
    assert_int_equal(x.runs, 1); /* its REPORT closes the same run */
    assert_int_equal(x.running_since, SEG_TIME_NONE);
    /* The store holds the wave's run only. */
    struct seg_inv_table *t = seg_store_table(st);
    assert_int_equal(t->n, 1);
    assert_string_equal(t->rows[0].request_id, RID);
    seg_inv_table_free(t);
    int w, si, a;
    assert_int_not_equal(seg_store_find(st, RID2, &w, &si, &a), SEG_OK);
    seg_corr_free(c);
    seg_store_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_spacing_and_backoff),
        cmocka_unit_test(test_dedupe_bounded),
        cmocka_unit_test(test_correlation_out_of_order),
        cmocka_unit_test(test_report_waits_for_coverage),
        cmocka_unit_test(test_notification_runs_are_extra),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
