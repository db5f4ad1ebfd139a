/* Sites (DESIGN §5 panel 6): one cell per site, coloured and marked by a glyph per state so
 * states read without colour; pages when the sites do not fit; `/` filters, `s` sorts; the
 * selected site's numbers on the last row. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "ui.h"
#include "util/xalloc.h"

/* Worst first, for the state sort. */
static int severity(enum seg_site_state s)
{
    static const int rank[SEG_SITE__COUNT] = {
        [SEG_SITE_ERROR] = 0,     [SEG_SITE_TIMEOUT] = 1, [SEG_SITE_MISSING] = 2,
        [SEG_SITE_THROTTLED] = 3, [SEG_SITE_RUNNING] = 4, [SEG_SITE_TRIGGERED] = 5,
        [SEG_SITE_OK_COLD] = 6,   [SEG_SITE_OK_WARM] = 7, [SEG_SITE_IDLE] = 8,
    };
    return (int)s >= 0 && s < SEG_SITE__COUNT ? rank[s] : 9;
}

/* qsort has no context argument: the comparison reads these (UI thread only). */
static const struct seg_site_row *sort_rows;
static enum seg_sort sort_key;

static int cmp_sites(const void *pa, const void *pb)
{
    const struct seg_site_row *a = &sort_rows[*(const int *)pa];
    const struct seg_site_row *b = &sort_rows[*(const int *)pb];
    int d = 0;
    switch (sort_key) {
    case SEG_SORT_STATE:
        d = severity(a->state) - severity(b->state);
        break;
    case SEG_SORT_P95:
        d = (b->p95_exec_ms > a->p95_exec_ms) - (b->p95_exec_ms < a->p95_exec_ms);
        break;
    case SEG_SORT_ERRORS:
        d = (b->errors > a->errors) - (b->errors < a->errors);
        break;
    case SEG_SORT_COLD: {
        double ca = isnan(a->cold_pct) ? -1 : a->cold_pct,
               cb = isnan(b->cold_pct) ? -1 : b->cold_pct;
        d = (cb > ca) - (cb < ca);
        break;
    }
    default:
        break;
    }
    return d ? d : a->site - b->site;
}

static bool matches(const struct seg_site_row *row, const char *f)
{
    if (!f[0])
        return true;
    char name[32];
    snprintf(name, sizeof name, "site%d", row->site);
    if (strstr(name, f))
        return true;
    const char *state = seg_site_state_name(row->state);
    if (state && strncasecmp(state, f, strlen(f)) == 0)
        return true;
    if (row->function) {
        size_t n = strlen(f);
        for (const char *p = row->function; *p; p++)
            if (strncasecmp(p, f, n) == 0)
                return true;
    }
    return false;
}

void w_sites_update_order(struct seg_ui *ui)
{
    const struct seg_snapshot *s = ui->snap;
    ui->n_order = 0;
    if (!s)
        return;
    if (ui->order_alloc < s->n_sites) {
        ui->order = seg_xrealloc(ui->order, s->n_sites * sizeof *ui->order);
        ui->order_alloc = s->n_sites;
    }
    for (size_t i = 0; i < s->n_sites; i++)
        if (matches(&s->sites[i], ui->filter))
            ui->order[ui->n_order++] = (int)i;
    sort_rows = s->sites;
    sort_key = ui->sort;
    if (ui->sort != SEG_SORT_SITE)
        qsort(ui->order, ui->n_order, sizeof *ui->order, cmp_sites);
    sort_rows = NULL;
}

static void draw_selected(struct seg_ui *ui, int y, int x, int w, const struct seg_site_row *row)
{
    char p50[16], p95[16], init[16], b[160];
    seg_fmt_ms(row->p50_exec_ms, p50, sizeof p50);
    seg_fmt_ms(row->p95_exec_ms, p95, sizeof p95);
    seg_fmt_ms(row->p50_init_ms, init, sizeof init);
    int used = seg_ui_putf(ui, y, x, w, seg_ui_site_role(row->state), "%s site%d ",
                           ui->g.site[row->state], row->site);
    snprintf(b, sizeof b, "%s inv %u cold %u p50 %s p95 %s init %s err %u ",
             seg_site_state_name(row->state), row->invocations, row->cold, p50, p95, init,
             row->errors);
    used += seg_ui_put(ui, y, x + used, w - used, SEG_ROLE_NORMAL, b);
    if (row->function)
        used += seg_ui_put_untrusted(ui, y, x + used, w - used, SEG_ROLE_DIM, row->function);
    if (row->last_error) {
        used += seg_ui_put(ui, y, x + used, w - used, SEG_ROLE_BAD, "  last: ");
        seg_ui_put_untrusted(ui, y, x + used, w - used, SEG_ROLE_BAD, row->last_error);
    }
}

/* The legend, items whole, wrapped over the rows it needs (a cut "! th" reads as nothing);
 * at most half the panel. Returns the rows used. */
static int draw_legend(struct seg_ui *ui, struct seg_rect in)
{
    int x = in.x, y = in.y, end = in.x + in.w, last = in.y + (in.h - 1) / 2;
    for (int st = 0; st < SEG_SITE__COUNT; st++) {
        const char *name = seg_site_state_name((enum seg_site_state)st);
        int w = 2 + seg_text_width(name);
        if (x > in.x && x + w > end) {
            if (y == last)
                break;
            y++;
            x = in.x;
        }
        x += seg_ui_put(ui, y, x, end - x, seg_ui_site_role((enum seg_site_state)st),
                        ui->g.site[st]);
        x += seg_ui_putf(ui, y, x, end - x, SEG_ROLE_DIM, " %s  ", name);
    }
    return y - in.y + 1;
}

void w_sites_draw(struct seg_ui *ui, struct seg_rect r, bool focused)
{
    const struct seg_snapshot *s = ui->snap;
    char title[160];
    int n = (int)ui->n_order;
    snprintf(title, sizeof title, "Sites %d%s%s%s  sort %s", n, ui->filter[0] ? " matching /" : "",
             ui->filter, "", seg_ui_sort_name(ui->sort));
    struct seg_rect in = seg_ui_frame(ui, r, title, focused);
    if (in.h < 3 || in.w < 20)
        return;
    if (!s || s->n_sites == 0) {
        seg_ui_put(ui, in.y, in.x, in.w, SEG_ROLE_DIM, "no sites yet");
        return;
    }
    /* Legend first (states must read without colour), then the grid, then the selection. */
    int legend = draw_legend(ui, in);
    int cursor = 0;
    bool found = false;
    for (int i = 0; i < n; i++) {
        if (s->sites[ui->order[i]].site == ui->sel_site) {
            cursor = i;
            found = true;
        }
    }
    if (!found && n > 0)
        ui->sel_site = s->sites[ui->order[0]].site;
    struct seg_grid g;
    seg_layout_grid(n, 2, in.w, in.h - legend - 1, cursor, &g);
    ui->grid_cols = g.per_row;
    if (n == 0) {
        seg_ui_put(ui, in.y + legend, in.x, in.w, SEG_ROLE_DIM, "no site matches the filter");
        return;
    }
    for (int k = 0; k < g.count; k++) {
        int i = g.first + k;
        const struct seg_site_row *row = &s->sites[ui->order[i]];
        int y = in.y + legend + k / g.per_row, cx = in.x + (k % g.per_row) * 2;
        bool sel = focused || ui->lay.kind == SEG_LAYOUT_COMPACT ? i == cursor : false;
        enum seg_role role = sel ? SEG_ROLE_SELECTION : seg_ui_site_role(row->state);
        seg_ui_put(ui, y, cx, 1, role, ui->g.site[row->state]);
    }
    int ly = in.y + in.h - 1;
    if (g.n_pages > 1) {
        char pg[32];
        snprintf(pg, sizeof pg, " page %d/%d ", g.page + 1, g.n_pages);
        int pw = seg_text_width(pg);
        seg_ui_put(ui, r.y + r.h - 1, r.x + r.w - pw - 2, pw, SEG_ROLE_TITLE, pg);
    }
    draw_selected(ui, ly, in.x, in.w, &s->sites[ui->order[cursor]]);
}
