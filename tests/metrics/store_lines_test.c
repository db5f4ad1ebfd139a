/* What the dashboard's site detail and concurrency chart read from the store: each site's
 * last log lines (bounded, newest kept, text as given) and the latest wave's span series. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/correlate.h"
#include "logs/parse.h"
#include "metrics/snapshot.h"
#include "metrics/store.h"
#include "seg_test.h"

#define T0 1746745200000LL /* 2025-05-08T23:00:00Z */

static void ok(enum seg_err e)
{
    assert_int_equal(e, SEG_OK);
}

static struct seg_store *store_with_sites(int n)
{
    struct seg_store *s = seg_store_new(NULL);
    char name[32];
    for (int i = 1; i <= n; i++) {
        snprintf(name, sizeof name, "site%d-lambdafunction", i);
        seg_store_set_site(s, i, name);
    }
    return s;
}

static void test_newest_lines_kept_in_order(void **state)
{
    (void)state;
    struct seg_store *s = store_with_sites(3);
    /* Out of order, as interleaved pages deliver them; 12 lines for 8 places. */
    const int order[12] = {5, 1, 9, 3, 12, 7, 2, 11, 4, 10, 6, 8};
    char text[32];
    for (int i = 0; i < 12; i++) {
        snprintf(text, sizeof text, "line %d", order[i]);
        seg_store_log_line(s, 2, T0 + order[i] * 1000, text);
    }
    struct seg_inv_table *t = seg_store_site_detail(s, 2);
    assert_int_equal(t->n_lines, SEG_STORE_SITE_LINES);
    for (size_t i = 0; i < t->n_lines; i++) { /* lines 5..12, oldest first */
        snprintf(text, sizeof text, "line %zu", i + 5);
        assert_string_equal(t->lines[i].text, text);
        assert_int_equal(t->lines[i].ts_ms, T0 + (int64_t)(i + 5) * 1000);
    }
    seg_inv_table_free(t);

    /* Equal timestamps keep their arrival order; an older line than all kept is dropped. */
    seg_store_log_line(s, 1, T0, "a");
    seg_store_log_line(s, 1, T0, "b");
    for (int i = 0; i < 8; i++)
        seg_store_log_line(s, 3, T0 + 10000, "new");
    seg_store_log_line(s, 3, T0, "too old");
    t = seg_store_site_detail(s, 1);
    assert_int_equal(t->n_lines, 2);
    assert_string_equal(t->lines[0].text, "a");
    assert_string_equal(t->lines[1].text, "b");
    seg_inv_table_free(t);
    t = seg_store_site_detail(s, 3);
    for (size_t i = 0; i < t->n_lines; i++)
        assert_string_equal(t->lines[i].text, "new");
    seg_inv_table_free(t);

    /* Sites outside the store, and a site without lines. */
    seg_store_log_line(s, 0, T0, "x");
    seg_store_log_line(s, 4, T0, "x");
    seg_store_log_line(s, -7, T0, "x");
    t = seg_store_site_detail(s, 4);
    assert_int_equal(t->n_lines, 0);
    seg_inv_table_free(t);
    /* The export's table carries no lines. */
    t = seg_store_table(s);
    assert_int_equal(t->n_lines, 0);
    seg_inv_table_free(t);
    seg_store_free(s);
}

static void test_text_as_given_and_cut(void **state)
{
    (void)state;
    struct seg_store *s = store_with_sites(1);
    /* Raw bytes stay raw: the UI sanitises when it draws. */
    const char evil[] = "evil \x1b[2J \x1b]0;t\x07 \x9b end";
    seg_store_log_line(s, 1, T0, evil);
    /* 239 bytes, then a 2-byte character across the cap: cut before it, not inside. */
    char long_line[400];
    memset(long_line, 'a', 239);
    memcpy(long_line + 239, "\xc3\xa9tail", 7);
    seg_store_log_line(s, 1, T0 + 1, long_line);
    char ascii[400];
    memset(ascii, 'b', 399);
    ascii[399] = 0;
    seg_store_log_line(s, 1, T0 + 2, ascii);
    struct seg_inv_table *t = seg_store_site_detail(s, 1);
    assert_int_equal(t->n_lines, 3);
    assert_string_equal(t->lines[0].text, evil);
    assert_int_equal(strlen(t->lines[1].text), 239);
    assert_int_equal(strlen(t->lines[2].text), SEG_STORE_LINE_MAX);
    seg_inv_table_free(t);
    seg_store_free(s);
}

static void test_memory_is_bounded(void **state)
{
    (void)state;
    struct seg_store *s = store_with_sites(300);
    size_t before = seg_store_memory(s);
    char line[600];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = 0;
    for (int round = 0; round < 50; round++)
        for (int site = 1; site <= 300; site++)
            seg_store_log_line(s, site, T0 + round, line);
    size_t grown = seg_store_memory(s) - before;
    /* 300 sites x 8 lines x (240 bytes + NUL + a timestamp), plus a count each. */
    size_t cap = 300 * (SEG_STORE_SITE_LINES * (SEG_STORE_LINE_MAX + 1 + 8) + 16);
    assert_true(grown <= cap);
    assert_true(grown >= 300 * SEG_STORE_SITE_LINES * SEG_STORE_LINE_MAX);
    seg_store_free(s);
}

/* The correlator hands every line of a site's group to the store, whatever its kind: an INFO
 * line the parser files as "other" too. */
static void test_correlator_passes_every_line(void **state)
{
    (void)state;
    struct seg_store *s = store_with_sites(2);
    struct seg_corr *c = seg_corr_new(s, SEG_TRIGGER_S3, NULL);
    const char *msgs[] = {
        "START RequestId: 0f1e2d3c-0000-4000-8000-000000000001 Version: $LATEST",
        "Image Name: image_capture_2025-05-08_23-00-00.jpg",
        "just an INFO line \x1b[31m with an escape",
    };
    struct seg_log_record rec;
    for (int i = 0; i < 3; i++) {
        ok(seg_log_parse(msgs[i], strlen(msgs[i]), &rec));
        seg_corr_event(c, 2, "2025/05/08/[$LATEST]abc", T0 + i, T0 + 500, &rec);
    }
    struct seg_inv_table *t = seg_store_site_detail(s, 2);
    assert_int_equal(t->n_lines, 3);
    assert_string_equal(t->lines[0].text, msgs[0]);
    assert_string_equal(t->lines[1].text, msgs[1]);
    /* Records carry sanitised text: the escape's ESC is U+FFFD already. */
    assert_string_equal(t->lines[2].text, "just an INFO line \xef\xbf\xbd[31m with an escape");
    seg_inv_table_free(t);
    t = seg_store_site_detail(s, 1);
    assert_int_equal(t->n_lines, 0);
    seg_inv_table_free(t);
    seg_corr_free(c);
    seg_store_free(s);
}

/* One attempt per site with a START and, when end > 0, a REPORT (times in s after T0). */
static void run_site(struct seg_store *s, int wave, int site, int start_s, int end_s)
{
    char rid[40];
    snprintf(rid, sizeof rid, "rid-%d-%d", wave, site);
    ok(seg_store_trigger_sent(s, wave, site, T0));
    ok(seg_store_bind(s, wave, site, rid));
    ok(seg_store_start(s, rid, T0 + start_s * 1000LL));
    if (end_s <= 0)
        return;
    struct seg_report r;
    seg_report_init(&r);
    r.ts_ms = T0 + end_s * 1000LL;
    r.duration_ms = (end_s - start_s) * 1000.0;
    r.billed_ms = r.duration_ms;
    ok(seg_store_report(s, rid, &r));
}

static void test_wave_span(void **state)
{
    (void)state;
    struct seg_store *s = seg_store_new(NULL);
    struct seg_snapshot *snap = seg_store_snapshot(s);
    assert_int_equal(snap->span_wave, 0);
    assert_int_equal(snap->n_span, 0);
    seg_snapshot_release(snap);

    int w;
    ok(seg_store_wave_begin(s, 2, SEG_TRIGGER_S3, "k1", T0, &w));
    run_site(s, w, 1, 1, 21);
    run_site(s, w, 2, 3, 25);
    /* The clock is far past the wave (a fast simulator): the span still is the wave's. */
    seg_store_set_now(s, T0 + 3600 * 1000LL);
    snap = seg_store_snapshot(s);
    assert_int_equal(snap->span_wave, 1);
    assert_int_equal(snap->span_begin_ms, T0 + 1000);
    assert_int_equal(snap->span_end_ms, T0 + 25000);
    assert_int_equal(snap->span_first_s, T0 / 1000 + 1);
    assert_int_equal(snap->n_span, 25);
    assert_int_equal(snap->span[0], 1);  /* second 1: site 1 */
    assert_int_equal(snap->span[2], 2);  /* second 3: both */
    assert_int_equal(snap->span[20], 2); /* second 21: site 1 ends in it */
    assert_int_equal(snap->span[21], 1);
    assert_int_equal(snap->span[24], 1);
    seg_snapshot_release(snap);

    /* A second wave still running: its span runs to now, its running START counted. */
    ok(seg_store_wave_begin(s, 1, SEG_TRIGGER_S3, "k2", T0 + 100000, &w));
    run_site(s, w, 1, 101, 0);
    seg_store_set_now(s, T0 + 110500);
    snap = seg_store_snapshot(s);
    assert_int_equal(snap->span_wave, 2);
    assert_int_equal(snap->span_begin_ms, T0 + 101000);
    assert_int_equal(snap->span_end_ms, T0 + 110500);
    assert_int_equal(snap->n_span, 10);
    for (size_t i = 0; i < snap->n_span; i++)
        assert_int_equal(snap->span[i], 1);
    seg_snapshot_release(snap);

    /* A wave with no START yet: the chart keeps the last wave that has one. */
    ok(seg_store_wave_begin(s, 1, SEG_TRIGGER_S3, "k3", T0 + 200000, &w));
    snap = seg_store_snapshot(s);
    assert_int_equal(snap->span_wave, 2);
    seg_snapshot_release(snap);
    seg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newest_lines_kept_in_order),
        cmocka_unit_test(test_text_as_given_and_cut),
        cmocka_unit_test(test_memory_is_bounded),
        cmocka_unit_test(test_correlator_passes_every_line),
        cmocka_unit_test(test_wave_span),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
