/* Concurrency (DESIGN §5 panel 2): executions in flight per second, rebuilt from the logs
 * (START..REPORT), as vertical bars in eighths of a cell; client-side outstanding triggers
 * beside it; the account limit as a line when it is within reach of the scale. */
#include <stdio.h>

#include "ui.h"

#define AXIS_W 6

void w_concurrency_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    char title[96];
    int secs = r.w - 2 - AXIS_W;
    snprintf(title, sizeof title, "Concurrency: in flight per second, last %ds",
             secs > 0 ? secs : 0);
    struct seg_rect in = seg_ui_frame(ui, r, title, focused);
    if (in.h < 3 || in.w < AXIS_W + 4)
        return;
    if (!s || s->n_conc == 0) {
        seg_ui_put(ui, in.y, in.x, in.w, SEG_ROLE_DIM, "no executions yet");
        return;
    }
    uint32_t now = s->conc[s->n_conc - 1];
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

    int ch = in.h - 1, cw = in.w - AXIS_W;
    int cy = in.y + 1;
    size_t n = s->n_conc < (size_t)cw ? s->n_conc : (size_t)cw;
    size_t first = s->n_conc - n;
    uint32_t vmax = 1;
    for (size_t i = first; i < s->n_conc; i++)
        if (s->conc[i] > vmax)
            vmax = s->conc[i];
    /* The limit line only when it would not squash the bars to nothing. */
    bool show_limit = lim > 0 && (double)lim <= vmax * 1.5;
    if (show_limit && (uint32_t)lim > vmax)
        vmax = (uint32_t)lim;
    seg_ui_putf(ui, cy, in.x, AXIS_W - 1, SEG_ROLE_DIM, "%*u", AXIS_W - 2, vmax);
    seg_ui_putf(ui, cy + ch - 1, in.x, AXIS_W - 1, SEG_ROLE_DIM, "%*u", AXIS_W - 2, 0u);
    for (int j = 0; j < ch; j++)
        seg_ui_put(ui, cy + j, in.x + AXIS_W - 1, 1, SEG_ROLE_BORDER, ui->g.vline);
    int lim_row = -1;
    if (show_limit) {
        int e = seg_layout_bar_eighths(lim, vmax, ch);
        lim_row = ch - (e + 7) / 8;
        if (lim_row < 0)
            lim_row = 0;
        for (int i = 0; i < cw; i++)
            seg_ui_put(ui, cy + lim_row, in.x + AXIS_W + i, 1, SEG_ROLE_LIMIT, ui->g.limit);
    }
    int x0 = in.x + AXIS_W + (cw - (int)n);
    for (size_t i = 0; i < n; i++) {
        int e = seg_layout_bar_eighths(s->conc[first + i], vmax, ch);
        for (int j = 0; j < ch && e > 0; j++, e -= 8) {
            int cell = e >= 8 ? 8 : e;
            seg_ui_put(ui, cy + ch - 1 - j, x0 + (int)i, 1, SEG_ROLE_BAR, ui->g.vbar[cell]);
        }
    }
}
