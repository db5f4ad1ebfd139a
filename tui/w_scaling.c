/* Scaling view (`v`, DESIGN §5 panel 8): per wave size, mean ± sd and 95 % CI of execution
 * time and of cost per invocation, and the makespan; then Welch's tests between consecutive
 * sizes (Bonferroni-adjusted), as the original analysis did. */
#include <math.h>
#include <stdio.h>

#include "ui.h"

static void ci_text(const struct seg_stats_ci *c, bool usd, char *out, size_t size)
{
    if (c->n == 0) {
        snprintf(out, size, "-");
        return;
    }
    if (usd) {
        snprintf(out, size, "%.6f±%.6f [%.6f,%.6f]", c->mean, c->sd, c->lo, c->hi);
        return;
    }
    char m[16], sd[16], lo[16], hi[16];
    seg_fmt_ms(c->mean, m, sizeof m);
    seg_fmt_ms(c->sd, sd, sizeof sd);
    if (c->valid) {
        seg_fmt_ms(c->lo, lo, sizeof lo);
        seg_fmt_ms(c->hi, hi, sizeof hi);
        snprintf(out, size, "%s±%s [%s,%s]", m, sd, lo, hi);
    } else {
        snprintf(out, size, "%s±%s [n<2]", m, sd);
    }
}

void w_scaling_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    struct seg_rect in =
        seg_ui_frame(ui, r, "Scaling: per wave size, mean±sd [95% CI]  (v closes)", focused);
    if (in.h < 3 || in.w < 40)
        return;
    if (!s || s->n_scaling == 0) {
        seg_ui_put(ui, in.y, in.x, in.w, SEG_ROLE_DIM, "no completed invocations yet");
        return;
    }
    /* Build the lines, then draw the scrolled window of them. */
    int total = 2 + (int)s->n_scaling + (s->n_cmp_consecutive ? 2 + (int)s->n_cmp_consecutive : 0);
    int vis = in.h;
    if (ui->scroll_top > total - vis)
        ui->scroll_top = total - vis > 0 ? total - vis : 0;
    int line = 0, y = in.y;
#define EMIT(role, ...)                                          \
    do {                                                         \
        if (line >= ui->scroll_top && y < in.y + in.h)           \
            seg_ui_putf(ui, y++, in.x, in.w, role, __VA_ARGS__); \
        line++;                                                  \
    } while (0)
    EMIT(SEG_ROLE_HEADER, "%5s %5s %6s  %-30s %-40s %s", "size", "waves", "n", "exec time",
         "cost per invocation (USD)", "makespan");
    EMIT(SEG_ROLE_DIM, "%s", "");
    for (size_t i = 0; i < s->n_scaling; i++) {
        const struct seg_scaling_row *sr = &s->scaling[i];
        char ex[64], co[80], mk[64];
        ci_text(&sr->exec, false, ex, sizeof ex);
        ci_text(&sr->cost, true, co, sizeof co);
        ci_text(&sr->makespan, false, mk, sizeof mk);
        EMIT(SEG_ROLE_NORMAL, "%5d %5zu %6zu  %-30s %-40s %s", sr->size, sr->n_waves, sr->exec.n,
             ex, co, mk);
    }
    if (s->n_cmp_consecutive) {
        EMIT(SEG_ROLE_DIM, "%s", "");
        EMIT(SEG_ROLE_HEADER, "%s",
             "Welch t-test on wave means, consecutive sizes (p, Bonferroni-adjusted)");
        for (size_t i = 0; i < s->n_cmp_consecutive; i++) {
            const struct seg_scaling_cmp *c = &s->cmp_consecutive[i];
            char e[64], k[64];
            if (c->exec.valid)
                snprintf(e, sizeof e, "exec t=%.2f p=%.3g adj %.3g", c->exec.t, c->exec.p,
                         c->exec_p_adj);
            else
                snprintf(e, sizeof e, "exec: needs 2+ waves each");
            if (c->cost.valid)
                snprintf(k, sizeof k, "cost t=%.2f p=%.3g adj %.3g", c->cost.t, c->cost.p,
                         c->cost_p_adj);
            else
                snprintf(k, sizeof k, "cost: needs 2+ waves each");
            bool sig = c->exec.valid && c->exec_p_adj < 0.05;
            EMIT(sig ? SEG_ROLE_WARN : SEG_ROLE_NORMAL, "%5d -> %-5d %-34s %s%s", c->size_a,
                 c->size_b, e, k, sig ? "  (significant)" : "");
        }
    }
#undef EMIT
}
