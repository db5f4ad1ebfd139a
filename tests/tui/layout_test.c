/* Layout maths: thresholds of the three layouts, rectangles inside the screen and disjoint,
 * Tab order, the paged sites grid, scrolling, bar lengths, text widths, number formats. */
#include <locale.h>
#include <string.h>

#include "layout.h"
#include "seg_test.h"

static bool inside(struct seg_rect r, int rows, int cols)
{
    return r.y >= 0 && r.x >= 0 && r.h >= 0 && r.w >= 0 && r.y + r.h <= rows && r.x + r.w <= cols;
}

static bool overlap(struct seg_rect a, struct seg_rect b)
{
    if (a.h == 0 || a.w == 0 || b.h == 0 || b.w == 0)
        return false;
    return a.y < b.y + b.h && b.y < a.y + a.h && a.x < b.x + b.w && b.x < a.x + a.w;
}

static int n_visible(const struct seg_layout *l)
{
    int n = 0;
    for (int p = 0; p < SEG_PANEL__COUNT; p++)
        n += l->visible[p];
    return n;
}

static void check_sane(const struct seg_layout *l, int rows, int cols)
{
    struct seg_rect all[SEG_PANEL__COUNT + 3];
    int n = 0;
    all[n++] = l->header;
    all[n++] = l->status;
    all[n++] = l->keys;
    for (int p = 0; p < SEG_PANEL__COUNT; p++)
        if (l->visible[p])
            all[n++] = l->panel[p];
    for (int i = 0; i < n; i++) {
        assert_true(inside(all[i], rows, cols));
        for (int j = i + 1; j < n; j++)
            assert_false(overlap(all[i], all[j]));
    }
}

static void test_thresholds(void **state)
{
    (void)state;
    struct seg_layout l;
    seg_layout_compute(23, 80, SEG_PANEL_WAVES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_TOO_SMALL);
    seg_layout_compute(24, 79, SEG_PANEL_WAVES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_TOO_SMALL);
    assert_int_equal(n_visible(&l), 0);
    seg_layout_compute(20, 60, SEG_PANEL_WAVES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_TOO_SMALL);

    seg_layout_compute(24, 80, SEG_PANEL_WAVES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_COMPACT);
    assert_int_equal(n_visible(&l), 1);
    assert_true(l.visible[SEG_PANEL_WAVES]);
    assert_int_equal(l.panel[SEG_PANEL_WAVES].h, 24 - 3 - 2);
    assert_int_equal(l.panel[SEG_PANEL_WAVES].w, 80);
    assert_int_equal(l.header.h, 3);
    assert_int_equal(l.status.y, 22);
    assert_int_equal(l.keys.y, 23);
    check_sane(&l, 24, 80);

    seg_layout_compute(35, 119, SEG_PANEL_SITES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_COMPACT);
    seg_layout_compute(36, 120, SEG_PANEL_SITES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_MEDIUM);
    assert_int_equal(n_visible(&l), 4);
    check_sane(&l, 36, 120);

    seg_layout_compute(44, 200, SEG_PANEL_SITES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_MEDIUM);
    seg_layout_compute(45, 160, SEG_PANEL_SITES, false, &l);
    assert_int_equal(l.kind, SEG_LAYOUT_LARGE);
    assert_int_equal(n_visible(&l), SEG_PANEL_TAB_COUNT);
    assert_false(l.visible[SEG_PANEL_SCALING]);
    check_sane(&l, 45, 160);
    /* The durations table needs 62 columns at 160. */
    assert_true(l.panel[SEG_PANEL_DURATIONS].w >= 62);
}

static void test_medium_fourth_panel_follows_focus(void **state)
{
    (void)state;
    struct seg_layout l;
    seg_layout_compute(40, 130, SEG_PANEL_ERRORS, false, &l);
    assert_true(l.visible[SEG_PANEL_ERRORS]);
    assert_false(l.visible[SEG_PANEL_SITES]);
    seg_layout_compute(40, 130, SEG_PANEL_DURATIONS, false, &l);
    assert_true(l.visible[SEG_PANEL_DURATIONS]);
    seg_layout_compute(40, 130, SEG_PANEL_CONCURRENCY, false, &l);
    assert_true(l.visible[SEG_PANEL_SITES]);
    assert_true(l.visible[SEG_PANEL_CONCURRENCY]);
    /* Every Tab panel is visible in some medium layout. */
    for (int p = 0; p < SEG_PANEL_TAB_COUNT; p++) {
        seg_layout_compute(40, 130, (enum seg_panel)p, false, &l);
        assert_true(l.visible[p]);
        check_sane(&l, 40, 130);
    }
}

static void test_every_size_is_sane(void **state)
{
    (void)state;
    struct seg_layout l;
    for (int rows = 1; rows <= 80; rows += 1)
        for (int cols = 1; cols <= 260; cols += 7)
            for (int p = 0; p < SEG_PANEL_TAB_COUNT; p++)
                for (int sc = 0; sc < 2; sc++) {
                    seg_layout_compute(rows, cols, (enum seg_panel)p, sc, &l);
                    if (l.kind == SEG_LAYOUT_TOO_SMALL)
                        continue;
                    check_sane(&l, rows, cols);
                    /* The body is completely used by panels (no stale area). */
                    int area = 0;
                    for (int q = 0; q < SEG_PANEL__COUNT; q++)
                        if (l.visible[q])
                            area += l.panel[q].h * l.panel[q].w;
                    assert_int_equal(area, l.body.h * l.body.w);
                }
}

static void test_scaling_replaces_body(void **state)
{
    (void)state;
    struct seg_layout l;
    seg_layout_compute(50, 200, SEG_PANEL_WAVES, true, &l);
    assert_int_equal(n_visible(&l), 1);
    assert_true(l.visible[SEG_PANEL_SCALING]);
    assert_memory_equal(&l.panel[SEG_PANEL_SCALING], &l.body, sizeof l.body);
}

static void test_tab_order(void **state)
{
    (void)state;
    enum seg_panel p = SEG_PANEL_WAVES;
    bool seen[SEG_PANEL__COUNT] = {false};
    for (int i = 0; i < SEG_PANEL_TAB_COUNT; i++) {
        seen[p] = true;
        p = seg_layout_next_panel(p);
    }
    assert_int_equal(p, SEG_PANEL_WAVES);
    for (int i = 0; i < SEG_PANEL_TAB_COUNT; i++)
        assert_true(seen[i]);
    assert_false(seen[SEG_PANEL_SCALING]);
    assert_int_equal(seg_layout_next_panel(SEG_PANEL_SCALING), SEG_PANEL_CONCURRENCY);
}

static void test_grid(void **state)
{
    (void)state;
    struct seg_grid g;
    /* 300 sites, 2 columns per cell, 78x17: 39 per row, 17 rows = 663 per page. */
    seg_layout_grid(300, 2, 78, 17, 0, &g);
    assert_int_equal(g.per_row, 39);
    assert_int_equal(g.per_page, 39 * 17);
    assert_int_equal(g.n_pages, 1);
    assert_int_equal(g.first, 0);
    assert_int_equal(g.count, 300);
    /* 3000 sites: pages follow the cursor. */
    seg_layout_grid(3000, 2, 78, 17, 0, &g);
    assert_int_equal(g.n_pages, 5);
    seg_layout_grid(3000, 2, 78, 17, 663, &g);
    assert_int_equal(g.page, 1);
    assert_int_equal(g.first, 663);
    assert_int_equal(g.count, 663);
    seg_layout_grid(3000, 2, 78, 17, 2999, &g);
    assert_int_equal(g.page, 4);
    assert_int_equal(g.first + g.count, 3000);
    seg_layout_grid(3000, 2, 78, 17, 99999, &g); /* cursor clamped */
    assert_int_equal(g.page, 4);
    /* Degenerate areas never divide by zero. */
    seg_layout_grid(10, 2, 1, 5, 3, &g);
    assert_int_equal(g.per_row, 0);
    assert_int_equal(g.count, 0);
    seg_layout_grid(0, 2, 10, 5, 0, &g);
    assert_int_equal(g.n_pages, 1);
    assert_int_equal(g.count, 0);
}

static void test_scroll(void **state)
{
    (void)state;
    assert_int_equal(seg_layout_scroll(5, 10, 4, 0), 0);
    assert_int_equal(seg_layout_scroll(100, 10, 0, 0), 0);
    assert_int_equal(seg_layout_scroll(100, 10, 9, 0), 0);
    assert_int_equal(seg_layout_scroll(100, 10, 10, 0), 1);
    assert_int_equal(seg_layout_scroll(100, 10, 50, 0), 41);
    assert_int_equal(seg_layout_scroll(100, 10, 45, 41), 41); /* visible: no move */
    assert_int_equal(seg_layout_scroll(100, 10, 30, 41), 30);
    assert_int_equal(seg_layout_scroll(100, 10, 99, 0), 90);
    assert_int_equal(seg_layout_scroll(100, 10, 500, 95), 90);
    assert_int_equal(seg_layout_scroll(100, 0, 5, 3), 0);
}

static void test_bars(void **state)
{
    (void)state;
    assert_int_equal(seg_layout_bar_eighths(0, 10, 10), 0);
    assert_int_equal(seg_layout_bar_eighths(10, 10, 10), 80);
    assert_int_equal(seg_layout_bar_eighths(5, 10, 10), 40);
    assert_int_equal(seg_layout_bar_eighths(0.001, 10, 10), 1); /* visible when non-zero */
    assert_int_equal(seg_layout_bar_eighths(20, 10, 10), 80);   /* capped */
    assert_int_equal(seg_layout_bar_eighths(5, 0, 10), 0);
    assert_int_equal(seg_layout_bar_eighths(-1, 10, 10), 0);
    assert_int_equal(seg_layout_bar_eighths(1, 3, 1), 3); /* 2.67 rounds to 3 */
}

/* The concurrency chart: a wave's span of seconds in the columns there are. */
static void test_buckets(void **state)
{
    (void)state;
    uint32_t out[80];

    /* As many seconds as columns: the series itself. */
    const uint32_t same[4] = {1, 5, 0, 3};
    seg_layout_buckets(same, 4, 4, out);
    assert_memory_equal(out, same, sizeof same);

    /* More seconds than columns: the maximum of each run, a one-second peak kept. */
    const uint32_t many[10] = {0, 1, 2, 300, 2, 1, 0, 0, 7, 0};
    seg_layout_buckets(many, 10, 5, out);
    const uint32_t want5[5] = {1, 300, 2, 0, 7};
    assert_memory_equal(out, want5, sizeof want5);
    /* Uneven runs (10 seconds in 3 columns: 3, 3, 4) still cover every second once. */
    seg_layout_buckets(many, 10, 3, out);
    const uint32_t want3[3] = {2, 300, 7};
    assert_memory_equal(out, want3, sizeof want3);
    /* A peak in the very last second lands in the last column. */
    const uint32_t tail[7] = {0, 0, 0, 0, 0, 0, 9};
    seg_layout_buckets(tail, 7, 2, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 9);

    /* Fewer seconds than columns: each second stretched, in order, nothing past the end. */
    const uint32_t few[3] = {4, 8, 2};
    seg_layout_buckets(few, 3, 6, out);
    const uint32_t want6[6] = {4, 4, 8, 8, 2, 2};
    assert_memory_equal(out, want6, sizeof want6);
    seg_layout_buckets(few, 3, 7, out);
    assert_int_equal(out[0], 4);
    assert_int_equal(out[6], 2);
    for (int c = 1; c < 7; c++) /* stretched, never reordered */
        assert_true(out[c] == out[c - 1] || (out[c - 1] == 4 && out[c] == 8) ||
                    (out[c - 1] == 8 && out[c] == 2));

    /* A one-second wave fills the chart; no data gives zeros. */
    const uint32_t one[1] = {300};
    seg_layout_buckets(one, 1, 80, out);
    for (int c = 0; c < 80; c++)
        assert_int_equal(out[c], 300);
    seg_layout_buckets(NULL, 0, 5, out);
    for (int c = 0; c < 5; c++)
        assert_int_equal(out[c], 0);

    /* 3600 seconds into 72 columns: 50 seconds each, the global maximum preserved. */
    static uint32_t hour[3600];
    for (int i = 0; i < 3600; i++)
        hour[i] = (uint32_t)(i % 50);
    hour[1234] = 1000;
    seg_layout_buckets(hour, 3600, 72, out);
    for (int c = 0; c < 72; c++)
        assert_int_equal(out[c], c == 1234 / 50 ? 1000 : 49);
}

static void test_brace_paths(void **state)
{
    (void)state;
    char out[512];
    assert_true(seg_text_brace_paths("exported /d/segtop-invocations-20261127T041415.776Z.csv "
                                     "/d/segtop-waves-20261127T041415.776Z.csv "
                                     "/d/segtop-sites-20261127T041415.776Z.csv",
                                     out, sizeof out));
    assert_string_equal(out,
                        "exported /d/segtop-{invocations,waves,sites}-20261127T041415.776Z.csv");
    /* Overlapping prefix and suffix ("-a" + "a-" of "-a-") never cut a path twice. */
    assert_true(seg_text_brace_paths("x /long/dir/-a- /long/dir/-a-a-", out, sizeof out));
    assert_string_equal(out, "x /long/dir/-a-{,a-}");
    /* Not of the shape, or nothing saved: untouched. */
    strcpy(out, "keep");
    assert_false(seg_text_brace_paths("exported /one/path.csv", out, sizeof out));
    assert_false(seg_text_brace_paths("theme default", out, sizeof out));
    assert_false(seg_text_brace_paths("x a b", out, sizeof out));
    assert_false(seg_text_brace_paths("x  /a/b /a/c", out, sizeof out));
    assert_false(seg_text_brace_paths("noword", out, sizeof out));
    assert_string_equal(out, "keep");
    /* Too small an output: false, never overflowing. */
    char tiny[8];
    assert_false(seg_text_brace_paths("exported /dir/s-a.csv /dir/s-b.csv", tiny, sizeof tiny));
}

static void test_text(void **state)
{
    (void)state;
    if (!setlocale(LC_ALL, "C.UTF-8"))
        skip();
    assert_int_equal(seg_text_width("abc"), 3);
    assert_int_equal(seg_text_width("█▌·"), 3);
    assert_int_equal(seg_text_width("日本"), 4);
    int used = 0;
    assert_int_equal(seg_text_fit("abcdef", 4, &used), 4);
    assert_int_equal(used, 4);
    /* A wide character that does not fit is left out whole. */
    assert_int_equal(seg_text_fit("a日本", 2, &used), 1);
    assert_int_equal(used, 1);
    assert_int_equal(seg_text_fit("a日本", 3, &used), 4);
    assert_int_equal(used, 3);
    /* UTF-8 sequences are never split. */
    assert_int_equal(seg_text_fit("██", 1, &used), 3);
    assert_int_equal(seg_text_fit("", 5, &used), 0);
    assert_int_equal(seg_text_fit("abc", 0, &used), 0);
}

static void test_formats(void **state)
{
    (void)state;
    char b[32];
    seg_fmt_ms(512, b, sizeof b);
    assert_string_equal(b, "512ms");
    seg_fmt_ms(19876, b, sizeof b);
    assert_string_equal(b, "19.9s");
    seg_fmt_ms(125000, b, sizeof b);
    assert_string_equal(b, "2m05s");
    seg_fmt_ms(3720000, b, sizeof b);
    assert_string_equal(b, "1h02m");
    seg_fmt_ms(-1, b, sizeof b);
    assert_string_equal(b, "-");
    seg_fmt_usd(0.01234, b, sizeof b);
    assert_string_equal(b, "$0.0123");
    seg_fmt_usd(12.5, b, sizeof b);
    assert_string_equal(b, "$12.50");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_medium_fourth_panel_follows_focus),
        cmocka_unit_test(test_every_size_is_sane),
        cmocka_unit_test(test_scaling_replaces_body),
        cmocka_unit_test(test_tab_order),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_scroll),
        cmocka_unit_test(test_bars),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_brace_paths),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
