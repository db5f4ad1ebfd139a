/* Cold starts (DESIGN §5 panel 3): log-scale histogram of Init Duration with counts, cold
 * vs warm, and p50/p95/p99. One row per 1-2-5 bucket between the first and last non-empty
 * one; horizontal bars in eighths. */
#include <stdio.h>

#include "ui.h"

static void bucket_label(size_t i, char *out, size_t size)
{
    char lo[16], hi[16];
    seg_fmt_ms(seg_hist_bucket_lo(i), lo, sizeof lo);
    if (i + 1 < SEG_HIST_NBUCKETS) {
        seg_fmt_ms(seg_hist_bucket_lo(i + 1), hi, sizeof hi);
        snprintf(out, size, "%s-%s", lo, hi);
    } else {
        snprintf(out, size, ">=%s", lo);
    }
}

void w_histogram_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    struct seg_rect in = seg_ui_frame(ui, r, "Cold starts (Init Duration)", focused);
    if (in.h < 2 || in.w < 30)
        return;
    if (!s) {
        seg_ui_put(ui, in.y, in.x, in.w, SEG_ROLE_DIM, "no data yet");
        return;
    }
    const struct seg_hist_summary *h = &s->all[SEG_METRIC_INIT];
    uint32_t reports = s->total.reports, cold = s->total.cold;
    char p50[16], p95[16], p99[16], mx[16];
    seg_fmt_ms(h->n ? h->p50 : -1, p50, sizeof p50);
    seg_fmt_ms(h->n ? h->p95 : -1, p95, sizeof p95);
    seg_fmt_ms(h->n ? h->p99 : -1, p99, sizeof p99);
    seg_fmt_ms(h->n ? h->max : -1, mx, sizeof mx);
    int x = in.x, end = in.x + in.w;
    x += seg_ui_putf(ui, in.y, x, end - x, SEG_ROLE_BAR, "cold %u (%.0f%%)", cold,
                     reports ? 100.0 * cold / reports : 0.0);
    x += seg_ui_putf(ui, in.y, x, end - x, SEG_ROLE_GOOD, "  warm %u", reports - cold);
    /* Percentiles whole or not at all: a value cut to "4." would read as another number. */
    const char *pname[4] = {"p50", "p95", "p99", "max"}, *pval[4] = {p50, p95, p99, mx};
    for (int i = 0; i < 4; i++) {
        char item[40];
        int w = snprintf(item, sizeof item, "%s%s %s", i ? " " : "  ", pname[i], pval[i]);
        if (x + w > end)
            break;
        x += seg_ui_put(ui, in.y, x, end - x, SEG_ROLE_NORMAL, item);
    }
    if (h->n == 0) {
        if (in.h > 1)
            seg_ui_put(ui, in.y + 1, in.x, in.w, SEG_ROLE_DIM, "no cold starts yet");
        return;
    }
    int lo = -1, hi = -1;
    uint32_t vmax = 1;
    for (int i = 0; i < SEG_HIST_NBUCKETS; i++) {
        if (h->buckets[i]) {
            if (lo < 0)
                lo = i;
            hi = i;
            if (h->buckets[i] > vmax)
                vmax = h->buckets[i];
        }
    }
    int rows = in.h - 1;
    /* Too many buckets for the rows: keep the window around the fullest one. */
    while (hi - lo + 1 > rows) {
        if (h->buckets[lo] <= h->buckets[hi])
            lo++;
        else
            hi--;
    }
    const int lw = 14, cw = 7;
    int bw = in.w - lw - cw - 1;
    if (bw < 4)
        return;
    for (int i = lo; i <= hi; i++) {
        int y = in.y + 1 + (i - lo);
        char label[32];
        bucket_label((size_t)i, label, sizeof label);
        seg_ui_putf(ui, y, in.x, lw, SEG_ROLE_DIM, "%*s ", lw - 1, label);
        int e = seg_layout_bar_eighths(h->buckets[i], vmax, bw);
        int c = 0;
        for (; e >= 8; e -= 8, c++)
            seg_ui_put(ui, y, in.x + lw + c, 1, SEG_ROLE_BAR, ui->g.hbar[8]);
        if (e > 0)
            seg_ui_put(ui, y, in.x + lw + c++, 1, SEG_ROLE_BAR, ui->g.hbar[e]);
        seg_ui_putf(ui, y, in.x + lw + c + 1, cw, SEG_ROLE_NORMAL, "%u", h->buckets[i]);
    }
}
