/* Scaling view (`v`, DESIGN §5 panel 8): per wave size, mean ± sd and 95 % CI of execution
 * time and of cost per invocation, and the makespan; then Welch's tests between consecutive
 * sizes (Bonferroni-adjusted), as the original analysis did. */
#include <math.h>
#include <stdio.h>

#include "ui.h"

/* A bound of a small sample's interval can be below zero: "-7.4s", not seg_fmt_ms's "-"
 * (which means unknown). */
static void signed_ms(double ms, char *out, size_t size)
{
    out[0] = '-';
    seg_fmt_ms(fabs(ms), ms < 0 ? out + 1 : out, ms < 0 ? size - 1 : size);
}

static void ci_text(const struct seg_stats_ci *c, bool usd, char *out, size_t size)
{
    if (c->n == 0) {
        snprintf(out, size, "-");
        return;
    }
    if (usd) {
        if (c->valid)
            snprintf(out, size, "%.6f±%.6f [%.6f,%.6f]", c->mean, c->sd, c->lo, c->hi);
        else
            snprintf(out, size, "%.6f [n<2]", c->mean);
        return;
    }
    char m[16], sd[16], lo[16], hi[16];
    seg_fmt_ms(c->mean, m, sizeof m);
    seg_fmt_ms(c->sd, sd, sizeof sd);
    if (c->valid) {
        signed_ms(c->lo, lo, sizeof lo);
        signed_ms(c->hi, hi, sizeof hi);
        snprintf(out, size, "%s±%s [%s,%s]", m, sd, lo, hi);
    } else {
        /* One value has no spread: "±0ms" would claim one. */
        snprintf(out, size, "%s [n<2]", m);
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
    /* Below ~112 columns the cost and makespan intervals would be cut mid-number: the
     * narrow table keeps mean±sd of the cost and the mean makespan (v at 120+ shows all). */
    bool narrow = in.w < 112;
    if (narrow)
        EMIT(SEG_ROLE_HEADER, "%5s %5s %6s  %-30s %-17s %s", "size", "waves", "n", "exec time",
             "cost/inv. (USD)", "makespan");
    else
        EMIT(SEG_ROLE_HEADER, "%5s %5s %6s  %-30s %-40s %s", "size", "waves", "n", "exec time",
             "cost per invocation (USD)", "makespan");
    EMIT(SEG_ROLE_DIM, "%s", narrow ? "(intervals of cost and makespan from 112 columns)" : "");
    for (size_t i = 0; i < s->n_scaling; i++) {
        const struct seg_scaling_row *sr = &s->scaling[i];
        char ex[64], co[80], mk[64];
        ci_text(&sr->exec, false, ex, sizeof ex);
        if (narrow) {
            if (sr->cost.n == 0)
                snprintf(co, sizeof co, "-");
            else if (sr->cost.valid)
                snprintf(co, sizeof co, "%.5f±%.5f", sr->cost.mean, sr->cost.sd);
            else
                snprintf(co, sizeof co, "%.5f", sr->cost.mean);
            seg_fmt_ms(sr->makespan.n ? sr->makespan.mean : -1, mk, sizeof mk);
            EMIT(SEG_ROLE_NORMAL, "%5d %5zu %6zu  %-30s %-17s %s", sr->size, sr->n_waves,
                 sr->exec.n, ex, co, mk);
        } else {
            ci_text(&sr->cost, true, co, sizeof co);
            ci_text(&sr->makespan, false, mk, sizeof mk);
            EMIT(SEG_ROLE_NORMAL, "%5d %5zu %6zu  %-30s %-40s %s", sr->size, sr->n_waves,
                 sr->exec.n, ex, co, mk);
        }
    }
    if (s->n_cmp_consecutive) {
        EMIT(SEG_ROLE_DIM, "%s", "");
        EMIT(SEG_ROLE_HEADER, "%s",
             narrow ? "Welch t-test, wave means, consecutive sizes (* significant)"
                    : "Welch t-test on wave means, consecutive sizes (p, Bonferroni-adjusted)");
        for (size_t i = 0; i < s->n_cmp_consecutive; i++) {
            const struct seg_scaling_cmp *c = &s->cmp_consecutive[i];
            char e[64], k[64];
            if (c->exec.valid)
                snprintf(e, sizeof e, "exec t=%.2f p=%.3g (adj %.3g)", c->exec.t, c->exec.p,
                         c->exec_p_adj);
            else
                snprintf(e, sizeof e, "exec: needs 2+ waves each");
            if (c->cost.valid)
                snprintf(k, sizeof k, "cost t=%.2f p=%.3g (adj %.3g)", c->cost.t, c->cost.p,
                         c->cost_p_adj);
            else
                snprintf(k, sizeof k, "cost: needs 2+ waves each");
            bool sig = c->exec.valid && c->exec_p_adj < 0.05;
            /* The mark leads the row, where a narrow terminal cannot cut it off. */
            EMIT(sig ? SEG_ROLE_WARN : SEG_ROLE_NORMAL, "%c%4d -> %-5d %-31s %s%s", sig ? '*' : ' ',
                 c->size_a, c->size_b, e, k, sig && !narrow ? "  (significant)" : "");
        }
    }
#undef EMIT
}
