/* Durations (DESIGN §5 panel 4): p50/p90/p95/p99/max of execution time, Billed Duration,
 * end-to-end and Init Duration, for the current wave and all waves; estimated cost. */
#include <stdio.h>

#include "ui.h"

static void row(struct seg_ui *ui, int y, int x, int w, const char *metric, const char *scope,
                const struct seg_hist_summary *h)
{
    char v[5][16];
    const int32_t q[5] = {h->p50, h->p90, h->p95, h->p99, h->max};
    for (int i = 0; i < 5; i++)
        seg_fmt_ms(h->n ? q[i] : -1, v[i], sizeof v[i]);
    seg_ui_putf(ui, y, x, w, SEG_ROLE_NORMAL, "%-7s%-5s%8s%8s%8s%8s%8s %6u", metric, scope, v[0],
                v[1], v[2], v[3], v[4], h->n);
}

void w_durations_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    struct seg_rect in = seg_ui_frame(ui, r, "Durations", focused);
    if (in.h < 2 || in.w < 20)
        return;
    if (!s) {
        seg_ui_put(ui, in.y, in.x, in.w, SEG_ROLE_DIM, "no data yet");
        return;
    }
    seg_ui_putf(ui, in.y, in.x, in.w, SEG_ROLE_HEADER, "%-7s%-5s%8s%8s%8s%8s%8s %6s", "metric",
                "of", "p50", "p90", "p95", "p99", "max", "n");
    const struct {
        const char *name;
        enum seg_metric m;
    } ms[] = {
        {"exec", SEG_METRIC_EXEC},
        {"billed", SEG_METRIC_BILLED},
        {"e2e", SEG_METRIC_E2E},
        {"init", SEG_METRIC_INIT},
    };
    int y = in.y + 1, end = in.y + in.h;
    /* With few rows, the current wave first: it is what moves. */
    for (size_t i = 0; i < SEG_ARRAY_LEN(ms) && y < end - 1; i++) {
        row(ui, y++, in.x, in.w, ms[i].name, "wave", &s->current[ms[i].m]);
        if (y < end - 1)
            row(ui, y++, in.x, in.w, "", "all", &s->all[ms[i].m]);
    }
    char wc[24], ac[24], per[24];
    double wave_cost = s->n_waves ? s->waves[s->n_waves - 1].c.cost_usd : 0;
    seg_fmt_usd(wave_cost, wc, sizeof wc);
    seg_fmt_usd(s->total.cost_usd, ac, sizeof ac);
    seg_fmt_usd(s->total.reports ? s->total.cost_usd / s->total.reports : -1, per, sizeof per);
    seg_ui_putf(ui, end - 1, in.x, in.w, SEG_ROLE_HEADER_VALUE,
                "est. cost: wave %s  all %s  per inv. %s", wc, ac, per);
}
