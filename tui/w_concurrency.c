/* Concurrency (DESIGN §5 panel 2): executions in flight, rebuilt from the logs
 * (START..REPORT), as vertical bars in eighths of a cell; client-side outstanding triggers
 * beside it; the account limit as a line when it is within reach of the scale.
 *
 * The bars cover the latest started wave's span (first START to last REPORT, or to now
 * while it runs) on the log clock, bucketed into the columns (maximum per column): a
 * last-N-seconds window would be empty a wall second after a wave at --sim-speed 100. */
#include <stdio.h>
#include <stdlib.h>

#include "ui.h"
#include "util/xalloc.h"

#define AXIS_W 6

static void draw_bars(struct seg_ui *ui, const uint32_t *col, int n, int x0, int cy, int ch,
                      uint32_t vmax)
{
    for (int i = 0; i < n; i++) {
        int e = seg_layout_bar_eighths(col[i], vmax, ch);
        for (int j = 0; j < ch && e > 0; j++, e -= 8) {
            int cell = e >= 8 ? 8 : e;
            seg_ui_put(ui, cy + ch - 1 - j, x0 + i, 1, SEG_ROLE_BAR, ui->g.vbar[cell]);
        }
    }
}

/* "+0s ... START..last REPORT ... +25.0s" under the bars. */
static void draw_time_axis(struct seg_ui *ui, const struct seg_snapshot *s, int y, int x, int w)
{
    char end[32], mid[64];
    seg_fmt_ms((double)(s->span_end_ms - s->span_begin_ms), end, sizeof end);
    const struct seg_wave_row *wr = seg_snapshot_wave(s, s->span_wave);
    bool running = wr && wr->c.running > 0;
    snprintf(mid, sizeof mid, running ? "first START .. now" : "first START .. last REPORT");
    int ew = seg_text_width(end) + 1;
    seg_ui_put(ui, y, x, w, SEG_ROLE_DIM, "+0s");
    int mw = seg_text_width(mid);
    if (w > mw + ew + 8)
        seg_ui_put(ui, y, x + (w - mw) / 2, mw, SEG_ROLE_DIM, mid);
    if (w > ew + 4)
        seg_ui_putf(ui, y, x + w - ew, ew, SEG_ROLE_DIM, "+%s", end);
}

void w_concurrency_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    char title[96], span[32];
    if (s && s->span_wave > 0) {
        seg_fmt_ms((double)(s->span_end_ms - s->span_begin_ms), span, sizeof span);
        snprintf(title, sizeof title, "Concurrency: in flight, wave %d over %s", s->span_wave,
                 span);
    } else {
        snprintf(title, sizeof title, "Concurrency: in flight");
    }
    struct seg_rect in = seg_ui_frame(ui, r, title, focused);
    if (in.h < 3 || in.w < AXIS_W + 4)
        return;
    if (!s || s->span_wave == 0 || s->n_span == 0) {
        seg_ui_put(ui, in.y, in.x, in.w, SEG_ROLE_DIM, "no executions yet");
        return;
    }
    uint32_t now = s->n_conc ? s->conc[s->n_conc - 1] : 0;
    int outstanding = 0;
    if (s->n_waves) {
        const struct seg_counts *c = &s->waves[s->n_waves - 1].c;
        outstanding = (int)c->launched - (int)c->accepted - (int)c->throttles;
        if (outstanding < 0)
            outstanding = 0;
    }
    int lim = ui->cfg->account_concurrency;
    int x = in.x, end = in.x + in.w;
    x += seg_ui_putf(ui, in.y, x, end - x, SEG_ROLE_BAR, "in flight %u", now);
    x += seg_ui_putf(ui, in.y, x, end - x, SEG_ROLE_NORMAL, "  peak %u", s->conc_peak);
    x +=
        seg_ui_putf(ui, in.y, x, end - x, SEG_ROLE_BAR_ALT, "  client outstanding %d", outstanding);
    if (lim > 0)
        seg_ui_putf(ui, in.y, x, end - x, SEG_ROLE_LIMIT, "  limit %d", lim);

    /* Rows: the numbers, the bars, and the time axis when there is room. */
    bool axis = in.h >= 6;
    int ch = in.h - 1 - (axis ? 1 : 0), cw = in.w - AXIS_W;
    int cy = in.y + 1;
    uint32_t *col = seg_xcalloc((size_t)cw, sizeof *col);
    seg_layout_buckets(s->span, s->n_span, cw, col);
    uint32_t vmax = 1;
    for (int i = 0; i < cw; i++)
        if (col[i] > vmax)
            vmax = col[i];
    /* The limit line only when it would not squash the bars to nothing. */
    bool show_limit = lim > 0 && (double)lim <= vmax * 1.5;
    if (show_limit && (uint32_t)lim > vmax)
        vmax = (uint32_t)lim;
    seg_ui_putf(ui, cy, in.x, AXIS_W - 1, SEG_ROLE_DIM, "%*u", AXIS_W - 2, vmax);
    seg_ui_putf(ui, cy + ch - 1, in.x, AXIS_W - 1, SEG_ROLE_DIM, "%*u", AXIS_W - 2, 0u);
    for (int j = 0; j < ch; j++)
        seg_ui_put(ui, cy + j, in.x + AXIS_W - 1, 1, SEG_ROLE_BORDER, ui->g.vline);
    if (show_limit) {
        int e = seg_layout_bar_eighths(lim, vmax, ch);
        int lim_row = ch - (e + 7) / 8;
        if (lim_row < 0)
            lim_row = 0;
        for (int i = 0; i < cw; i++)
            seg_ui_put(ui, cy + lim_row, in.x + AXIS_W + i, 1, SEG_ROLE_LIMIT, ui->g.limit);
    }
    draw_bars(ui, col, cw, in.x + AXIS_W, cy, ch, vmax);
    if (axis)
        draw_time_axis(ui, s, cy + ch, in.x + AXIS_W, cw);
    free(col);
}
