/* Waves (DESIGN §5 panel 5): one row per wave: size, launched, done (REPORTs seen /
 * launched), cold %, p50/p95 duration, p95 end-to-end, makespan, errors, throttles, cost. */
#include <math.h>
#include <stdio.h>

#include "ui.h"

void w_waves_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    struct seg_rect in = seg_ui_frame(ui, r, "Waves", focused);
    if (in.h < 2 || in.w < 20)
        return;
    seg_ui_putf(ui, in.y, in.x, in.w, SEG_ROLE_HEADER,
                "%4s %5s %6s %9s %5s %7s %7s %7s %8s %4s %4s %9s", "wave", "size", "sent", "done",
                "cold", "p50", "p95", "e2e95", "makespan", "err", "thr", "cost");
    if (!s || s->n_waves == 0) {
        seg_ui_put(ui, in.y + 1, in.x, in.w, SEG_ROLE_DIM, "no waves yet");
        return;
    }
    int n = (int)s->n_waves, vis = in.h - 1;
    if (ui->waves_follow || ui->waves_cursor >= n)
        ui->waves_cursor = n - 1;
    ui->waves_top = seg_layout_scroll(n, vis, ui->waves_cursor, ui->waves_top);
    for (int i = 0; i < vis && ui->waves_top + i < n; i++) {
        const struct seg_wave_row *w = &s->waves[ui->waves_top + i];
        char done[24], cold[12], p50[16], p95[16], e2e[16], mk[16], cost[16];
        snprintf(done, sizeof done, "%u/%u", w->c.done, w->c.launched);
        if (isnan(w->cold_pct))
            snprintf(cold, sizeof cold, "-");
        else
            snprintf(cold, sizeof cold, "%.0f%%", w->cold_pct);
        const struct seg_hist_summary *ex = &w->dist[SEG_METRIC_EXEC];
        seg_fmt_ms(ex->n ? ex->p50 : -1, p50, sizeof p50);
        seg_fmt_ms(ex->n ? ex->p95 : -1, p95, sizeof p95);
        const struct seg_hist_summary *ee = &w->dist[SEG_METRIC_E2E];
        seg_fmt_ms(ee->n ? ee->p95 : -1, e2e, sizeof e2e);
        seg_fmt_ms((double)w->makespan_ms, mk, sizeof mk);
        seg_fmt_usd(w->c.cost_usd, cost, sizeof cost);
        bool sel = focused && ui->waves_top + i == ui->waves_cursor;
        enum seg_role role = sel                           ? SEG_ROLE_SELECTION
                             : w->c.errors || w->c.missing ? SEG_ROLE_WARN
                             : w->complete                 ? SEG_ROLE_NORMAL
                                                           : SEG_ROLE_HEADER_VALUE;
        int y = in.y + 1 + i;
        if (sel)
            seg_ui_fill(ui, y, in.x, in.w, SEG_ROLE_SELECTION);
        seg_ui_putf(ui, y, in.x, in.w, role, "%4d %5d %6u %9s %5s %7s %7s %7s %8s %4u %4u %9s%s",
                    w->wave, w->size, w->c.launched, done, cold, p50, p95, e2e, mk, w->c.errors,
                    w->c.throttles, cost, w->complete ? "" : " running");
    }
}
