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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_budget_spacing_and_backoff),
        cmocka_unit_test(test_dedupe_bounded),
        cmocka_unit_test(test_correlation_out_of_order),
        cmocka_unit_test(test_report_waits_for_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
