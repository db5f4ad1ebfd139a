/* The orders of log lines and store calls that soak seeds lost invocations on, replayed
 * deterministically (docs/RELIABILITY.md):
 * - a warm run's handler lines read before its own START (each event has its own ingestion
 *   delay): they went to the environment's previous run, so the new run never got its
 *   Image Name, was never bound, and was lost;
 * - the same, with the previous run's REPORT not read yet either (and a duplicated S3 event,
 *   so both runs carry the same object key);
 * - a duplicated S3 event (two request ids for one wave and site) whose first id is retried
 *   after the second was bound: the store forked the (wave, site) chain and the exports,
 *   which walk it, dropped the retries. */
#include <stdio.h>
#include <string.h>

#include "engine/correlate.h"
#include "logs/parse.h"
#include "metrics/snapshot.h"
#include "metrics/store.h"
#include "seg_test.h"

#define RID_A "aaaaaaaa-1111-4111-8111-111111111111"
#define RID_B "bbbbbbbb-2222-4222-8222-222222222222"

static void feed(struct seg_corr *c, int gsite, const char *stream, int64_t ts, const char *msg)
{
    struct seg_log_record r;
    assert_int_equal(seg_log_parse(msg, strlen(msg), &r), SEG_OK);
    seg_corr_event(c, gsite, stream, ts, ts + 500, &r);
}

static void report(struct seg_corr *c, int gsite, const char *stream, int64_t ts, const char *rid,
                   const char *status)
{
    char line[512];
    snprintf(line, sizeof line,
             "REPORT RequestId: %s\tDuration: 15000.00 ms\tBilled Duration: 15000 ms\t"
             "Memory Size: 6200 MB\tMax Memory Used: 2300 MB\t%s\n",
             rid, status);
    feed(c, gsite, stream, ts, line);
}

static void start(struct seg_corr *c, int gsite, const char *stream, int64_t ts, const char *rid)
{
    char line[256];
    snprintf(line, sizeof line, "START RequestId: %s Version: $LATEST\n", rid);
    feed(c, gsite, stream, ts, line);
}

static void handler(struct seg_corr *c, int gsite, const char *stream, int64_t ts, const char *key)
{
    char line[256];
    snprintf(line, sizeof line, "Image Name: %s\n", key);
    feed(c, gsite, stream, ts + 10, line);
    feed(c, gsite, stream, ts + 10, "Event Time: 2026-01-01 00:16:41, Site ID: 1\n");
}

static int wave_with(struct seg_store *st, const char *key, int64_t t)
{
    int w = 0;
    assert_int_equal(seg_store_wave_begin(st, 1, SEG_TRIGGER_S3, key, t, &w), SEG_OK);
    assert_int_equal(seg_store_trigger_sent(st, w, 1, t), SEG_OK);
    assert_int_equal(seg_store_trigger_accepted(st, w, 1, t + 50, NULL), SEG_OK);
    return w;
}

/* Counts the table rows of a request id. */
static int rows_of(const struct seg_inv_table *t, const char *rid)
{
    int n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += t->rows[i].request_id && strcmp(t->rows[i].request_id, rid) == 0;
    return n;
}

static void test_warm_line_before_its_start(void **state)
{
    (void)state;
    struct seg_store *st = seg_store_new(NULL);
    struct seg_corr *c = seg_corr_new(st, SEG_TRIGGER_S3, NULL);
    int w1 = wave_with(st, "k1.jpg", 1000000);
    seg_corr_add_wave(c, w1, "k1.jpg");
    start(c, 1, "env", 1002000, RID_A);
    handler(c, 1, "env", 1002000, "k1.jpg");
    report(c, 1, "env", 1020000, RID_A, "");
    seg_corr_flush(c);
    /* Wave 2 reuses the environment; its handler lines come in before its START. */
    int w2 = wave_with(st, "k2.jpg", 1100000);
    seg_corr_add_wave(c, w2, "k2.jpg");
    handler(c, 1, "env", 1102000, "k2.jpg");
    seg_corr_flush(c);
    start(c, 1, "env", 1102000, RID_B);
    report(c, 1, "env", 1118000, RID_B, "");
    seg_corr_flush(c);
    int w, s, a;
    assert_int_equal(seg_store_find(st, RID_B, &w, &s, &a), SEG_OK);
    assert_int_equal(w, w2);
    struct seg_inv_table *t = seg_store_table(st);
    assert_int_equal(t->n, 2);
    assert_int_equal(rows_of(t, RID_A), 1);
    assert_int_equal(rows_of(t, RID_B), 1);
    assert_int_equal(t->rows[1].event_time, 1767226601000LL); /* its Event Time line */
    seg_inv_table_free(t);
    seg_corr_free(c);
    seg_store_free(st);
}

/* A duplicated S3 event: ids A and B for one key; B reuses A's environment; B's lines come
 * before B's START and before A's REPORT. */
static void test_duplicate_event_lines_move_to_their_start(void **state)
{
    (void)state;
    struct seg_store *st = seg_store_new(NULL);
    struct seg_corr *c = seg_corr_new(st, SEG_TRIGGER_S3, NULL);
    int w1 = wave_with(st, "k1.jpg", 1000000);
    seg_corr_add_wave(c, w1, "k1.jpg");
    start(c, 1, "env", 1002000, RID_A);
    handler(c, 1, "env", 1002000, "k1.jpg");
    seg_corr_flush(c);
    handler(c, 1, "env", 1025000, "k1.jpg"); /* B's lines: A's REPORT not read yet */
    seg_corr_flush(c);
    report(c, 1, "env", 1020000, RID_A, "Status: error\tError Type: Runtime.Unhandled\t");
    start(c, 1, "env", 1025000, RID_B);
    report(c, 1, "env", 1040000, RID_B, "");
    seg_corr_flush(c);
    struct seg_inv_table *t = seg_store_table(st);
    assert_int_equal(rows_of(t, RID_A), 1);
    assert_int_equal(rows_of(t, RID_B), 1);
    seg_inv_table_free(t);
    seg_corr_free(c);
    seg_store_free(st);
}

/* Store only: A (attempt 1, error), B bound (attempt 2), then A's async retry. */
static void test_retry_after_another_id_keeps_one_chain(void **state)
{
    (void)state;
    struct seg_store *st = seg_store_new(NULL);
    int w = wave_with(st, "k1.jpg", 1000000);
    struct seg_report r;
    seg_report_init(&r);
    r.status = SEG_INV_ERROR;
    r.duration_ms = r.billed_ms = 15000;
    assert_int_equal(seg_store_bind(st, w, 1, RID_A), SEG_OK);
    assert_int_equal(seg_store_start(st, RID_A, 1002000), SEG_OK);
    r.ts_ms = 1017000;
    assert_int_equal(seg_store_report(st, RID_A, &r), SEG_OK);
    assert_int_equal(seg_store_bind(st, w, 1, RID_B), SEG_OK);
    assert_int_equal(seg_store_start(st, RID_B, 1003000), SEG_OK);
    r.ts_ms = 1018000;
    assert_int_equal(seg_store_report(st, RID_B, &r), SEG_OK);
    /* A's retry, then B's. */
    assert_int_equal(seg_store_start(st, RID_A, 1080000), SEG_OK);
    r.ts_ms = 1095000;
    assert_int_equal(seg_store_report(st, RID_A, &r), SEG_OK);
    assert_int_equal(seg_store_start(st, RID_B, 1081000), SEG_OK);
    r.ts_ms = 1096000;
    r.status = SEG_INV_OK;
    assert_int_equal(seg_store_report(st, RID_B, &r), SEG_OK);
    struct seg_inv_table *t = seg_store_table(st);
    assert_int_equal(t->n, 4);
    assert_int_equal(rows_of(t, RID_A), 2);
    assert_int_equal(rows_of(t, RID_B), 2);
    for (size_t i = 0; i < t->n; i++)
        assert_int_equal(t->rows[i].attempt, (int)i + 1);
    seg_inv_table_free(t);
    struct seg_snapshot *snap = seg_store_snapshot(st);
    assert_true(seg_store_wave_complete(st, w));
    seg_snapshot_release(snap);
    seg_store_free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warm_line_before_its_start),
        cmocka_unit_test(test_duplicate_event_lines_move_to_their_start),
        cmocka_unit_test(test_retry_after_another_id_keeps_one_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
