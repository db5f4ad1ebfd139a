/* Header (DESIGN §5 panel 1), htop-style meters on three rows:
 *   1: target, region, sites, trigger, badges, clock
 *   2: wave status: id, size, elapsed, sent / accepted / started / done / failed / missing
 *   3: log-API budget against --log-tps, throttles, backing off, ingest lag, in flight, cost;
 *      the next ladder step on the right */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ui.h"

static int put_pair(struct seg_ui *ui, int y, int x, int end, const char *label, const char *value)
{
    /* A pair is drawn whole or not at all: a cut label would pass for another value. */
    if (x + seg_text_width(label) + seg_text_width(value) > end)
        return end;
    x += seg_ui_put(ui, y, x, end - x, SEG_ROLE_HEADER, label);
    /* Values may come from the environment or the network (a region, an endpoint). */
    if (x < end)
        x += seg_ui_put_untrusted(ui, y, x, end - x, SEG_ROLE_HEADER_VALUE, value);
    if (x < end)
        x += seg_ui_put(ui, y, x, end - x, SEG_ROLE_NORMAL, "  ");
    return x;
}

static void row_identity(struct seg_ui *ui, struct seg_rect r)
{
    const struct seg_tui_config *c = ui->cfg;
    int y = r.y, end = r.x + r.w;
    char clock[64], num[32];
    int64_t now = 0;
    {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    seg_ui_clock(ui, now, false, clock, sizeof clock);
    int cw = seg_text_width(clock);
    int right = end - cw - 1;

    /* Badges are the most important thing on the row after the name: drawn first, on the
     * right, next to the clock. */
    if (right > r.x + 20)
        seg_ui_put(ui, y, right, cw, SEG_ROLE_HEADER_VALUE, clock);
    else
        right = end;
    int bx = right;
    const char *badges[2] = {ui->cfg->replay ? " REPLAY " : NULL, NULL};
    char frozen[48];
    if (ui->frozen) {
        if (ui->frozen_newer)
            snprintf(frozen, sizeof frozen, " FROZEN +%llu ", (unsigned long long)ui->frozen_newer);
        else
            snprintf(frozen, sizeof frozen, " FROZEN ");
        badges[1] = frozen;
    }
    for (int i = 1; i >= 0; i--) {
        if (!badges[i])
            continue;
        int w = seg_text_width(badges[i]);
        if (bx - w - 1 < r.x + 10)
            break;
        bx -= w + 1;
        seg_ui_put(ui, y, bx, w, SEG_ROLE_BADGE, badges[i]);
    }
    int lim = bx - 1;
    int x = r.x;
    x += seg_ui_put(ui, y, x, lim - x, SEG_ROLE_TITLE, "segtop  ");
    x = put_pair(ui, y, x, lim, "target ", c->target ? c->target : "-");
    x = put_pair(ui, y, x, lim, "region ", c->region ? c->region : "-");
    int sites = c->sites;
    if (sites <= 0 && ui->snap)
        sites = (int)ui->snap->n_sites;
    snprintf(num, sizeof num, "%d", sites);
    x = put_pair(ui, y, x, lim, "sites ", num);
    put_pair(ui, y, x, lim, "trigger ", c->trigger ? c->trigger : "-");
}

static void row_wave(struct seg_ui *ui, struct seg_rect r)
{
    const struct seg_snapshot *s = ui->snap;
    int y = r.y + 1, end = r.x + r.w, x = r.x;
    char b[64];
    if (!s || s->n_waves == 0) {
        seg_ui_put(ui, y, x, r.w, SEG_ROLE_DIM,
                   ui->cfg->replay ? "no waves in this replay"
                                   : "no wave yet: press w to fire the first wave");
        return;
    }
    const struct seg_wave_row *w = &s->waves[s->n_waves - 1];
    /* "3/8" while the waves follow the ladder's steps in order; otherwise (picks, reruns)
     * the id, and the step whose size it has: "wave 3/8" after a pick of step 8 would
     * read as step 3. */
    const struct seg_tui_config *c = ui->cfg;
    int step = 0;
    for (size_t i = 0; i < c->n_ladder && !step; i++)
        step = c->ladder[i] == w->size ? (int)i + 1 : 0;
    bool in_order = step && (size_t)w->wave <= c->n_ladder && c->ladder[w->wave - 1] == w->size;
    if (in_order)
        snprintf(b, sizeof b, "%d/%zu", w->wave, c->n_ladder);
    else
        snprintf(b, sizeof b, "%d", w->wave);
    x = put_pair(ui, y, x, end, "wave ", b);
    if (step && !in_order) {
        snprintf(b, sizeof b, "%d/%zu", step, c->n_ladder);
        x = put_pair(ui, y, x, end, "step ", b);
    }
    snprintf(b, sizeof b, "%d", w->size);
    x = put_pair(ui, y, x, end, "n=", b);
    int64_t el = w->complete ? w->makespan_ms : s->now_ms - w->begin_ms;
    seg_fmt_ms((double)el, b, sizeof b);
    x += seg_ui_put(ui, y, x, end - x, w->complete ? SEG_ROLE_GOOD : SEG_ROLE_WARN,
                    w->complete ? "complete " : "running ");
    x = put_pair(ui, y, x, end, "", b);
    const struct {
        const char *label;
        uint32_t v;
        enum seg_role role;
    } f[] = {
        {"sent ", w->c.launched, SEG_ROLE_HEADER_VALUE},
        {"acc ", w->c.accepted, SEG_ROLE_HEADER_VALUE},
        {"start ", w->c.started, SEG_ROLE_HEADER_VALUE},
        {"done ", w->c.done, SEG_ROLE_GOOD},
        {"fail ", w->c.errors, w->c.errors ? SEG_ROLE_BAD : SEG_ROLE_HEADER_VALUE},
        {"miss ", w->c.missing, w->c.missing ? SEG_ROLE_WARN : SEG_ROLE_HEADER_VALUE},
    };
    /* Label and count whole or not at all ("miss" without its number says nothing); when
     * they do not all fit, acc and then start give way: failures must stay in view. */
    int wid[SEG_ARRAY_LEN(f)], need = 0;
    bool show[SEG_ARRAY_LEN(f)];
    for (size_t i = 0; i < SEG_ARRAY_LEN(f); i++) {
        snprintf(b, sizeof b, "%u ", f[i].v);
        wid[i] = seg_text_width(f[i].label) + seg_text_width(b);
        need += wid[i];
        show[i] = true;
    }
    for (size_t drop = 1; drop <= 2 && x + need > end; drop++) {
        show[drop] = false;
        need -= wid[drop];
    }
    for (size_t i = 0; i < SEG_ARRAY_LEN(f); i++) {
        if (!show[i])
            continue;
        if (x + wid[i] - 1 > end)
            break;
        x += seg_ui_put(ui, y, x, end - x, SEG_ROLE_HEADER, f[i].label);
        x += seg_ui_putf(ui, y, x, end - x, f[i].role, "%u ", f[i].v);
    }
    /* Progress meter: outcomes over launched. */
    if (end - x >= 12 && w->size > 0) {
        int mw = end - x - 6 > 30 ? 30 : end - x - 6;
        double frac = (double)w->c.settled / w->size;
        seg_ui_meter(ui, y, x, mw, frac, w->c.errors ? SEG_ROLE_METER_WARN : SEG_ROLE_METER_OK);
        seg_ui_putf(ui, y, x + mw + 1, end - x - mw - 1, SEG_ROLE_HEADER_VALUE, "%3.0f%%",
                    frac * 100);
    }
}

/* Our own text in one role, drawn whole or not at all (like put_pair); returns the new x. */
static int put_item(struct seg_ui *ui, int y, int x, int end, enum seg_role role, const char *text)
{
    int w = seg_text_width(text);
    if (x + w > end)
        return end;
    x += seg_ui_put(ui, y, x, w, role, text);
    if (x + 2 <= end)
        x += seg_ui_put(ui, y, x, 2, SEG_ROLE_NORMAL, "  ");
    return x;
}

/* "logs 2.1/4 calls/s  3 throttled  backing off": the log-API budget against its ceiling
 * (--log-tps); a budget below the ceiling is the poller backing off after throttles. */
static int budget_items(struct seg_ui *ui, int y, int x, int end, bool wide)
{
    const struct seg_tui_status *st = &ui->st;
    double max = ui->cfg->log_tps > 0 ? ui->cfg->log_tps : st->log_budget_tps;
    bool reduced =
        (max > 0 && st->log_budget_tps < max - 0.05) || seg_ui_mono_ms() < ui->backoff_until_ms;
    char b[64];
    x += seg_ui_put(ui, y, x, end - x, SEG_ROLE_HEADER, "logs ");
    if (wide && end - x > 14) {
        double frac = max > 0 ? st->log_budget_tps / max : 0;
        seg_ui_meter(ui, y, x, 10, frac,
                     reduced             ? SEG_ROLE_METER_BAD
                     : st->log_throttles ? SEG_ROLE_METER_WARN
                                         : SEG_ROLE_METER_OK);
        x += 11;
    }
    snprintf(b, sizeof b, "%.1f/%g calls/s", st->log_budget_tps, max);
    x = put_item(ui, y, x, end, reduced ? SEG_ROLE_WARN : SEG_ROLE_HEADER_VALUE, b);
    snprintf(b, sizeof b, "%u throttled", st->log_throttles);
    x = put_item(ui, y, x, end, st->log_throttles ? SEG_ROLE_BAD : SEG_ROLE_DIM, b);
    if (reduced)
        x = put_item(ui, y, x, end, SEG_ROLE_BAD, "backing off");
    return x;
}

static void row_budget(struct seg_ui *ui, struct seg_rect r)
{
    const struct seg_snapshot *s = ui->snap;
    int y = r.y + 2, end = r.x + r.w, x = r.x;
    bool wide = r.w >= SEG_LAYOUT_MEDIUM_COLS;
    char b[64];
    /* The next-step pointer goes on the right first: `+`/`-` move it, so it is never the
     * item that gets cut. */
    int st = ui->have_status && ui->st.next_step > 0 ? ui->st.next_step : ui->next_step_local;
    if (!ui->cfg->replay && st >= 1 && (size_t)st <= ui->cfg->n_ladder) {
        snprintf(b, sizeof b, "next step %d n=%d%s", st, ui->cfg->ladder[st - 1],
                 ui->have_status && ui->st.running_ladder ? " (ladder running)" : "");
        int w = seg_text_width(b);
        if (w <= r.w / 2) {
            seg_ui_put(ui, y, end - w, w, SEG_ROLE_HEADER_VALUE, b);
            end -= w + 2;
        }
    }
    if (ui->have_status)
        x = budget_items(ui, y, x, end, wide);
    if (!s)
        return;
    seg_fmt_ms(s->all[SEG_METRIC_LAG].n ? s->all[SEG_METRIC_LAG].p95 : -1, b, sizeof b);
    x = put_pair(ui, y, x, end, "lag p95 ", b);
    uint32_t inflight = s->n_conc ? s->conc[s->n_conc - 1] : 0;
    snprintf(b, sizeof b, "%u (peak %u)", inflight, s->conc_peak);
    x = put_pair(ui, y, x, end, "in flight ", b);
    seg_fmt_usd(s->total.cost_usd, b, sizeof b);
    put_pair(ui, y, x, end, "cost ", b);
}

void w_header_draw(struct seg_ui *ui, struct seg_rect r)
{
    if (r.h < 3)
        return;
    row_identity(ui, r);
    row_wave(ui, r);
    row_budget(ui, r);
}
