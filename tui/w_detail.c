/* Site detail (Enter): the site's invocations, every REPORT field, seven lines each. Every
 * string in the table came from the network or the logs: drawn through the sanitiser. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui.h"

#define LINES_PER_INV 7

int w_detail_lines(const struct seg_ui *ui)
{
    return ui->detail ? 1 + (int)ui->detail->n * LINES_PER_INV : 1;
}

static void fmt_time(const struct seg_ui *ui, int64_t ms, char *out, size_t size)
{
    if (ms == SEG_TIME_NONE) {
        snprintf(out, size, "-");
        return;
    }
    char b[48];
    seg_ui_clock(ui, ms, false, b, sizeof b);
    /* HH:MM:SS.mmm[ UTC] */
    char hms[16];
    snprintf(hms, sizeof hms, "%.8s", b);
    snprintf(out, size, "%s.%03d", hms, (int)(((ms % 1000) + 1000) % 1000));
}

static void fmt_num(double v, const char *unit, char *out, size_t size)
{
    if (isnan(v) || v < 0)
        snprintf(out, size, "-");
    else
        snprintf(out, size, "%.2f%s", v, unit);
}

/* One line; `k` counts lines so scrolling can skip the ones above the window. */
struct cur {
    struct seg_ui *ui;
    struct seg_rect in;
    int line, y;
};

static bool visible(struct cur *c)
{
    bool v = c->line >= c->ui->scroll_top && c->y < c->in.y + c->in.h;
    c->line++;
    return v;
}

static void draw_inv(struct cur *c, const struct seg_inv_row *r)
{
    struct seg_ui *ui = c->ui;
    int x = c->in.x, w = c->in.w, used;
    char a[32], b[32], d[32], e[32], f[32];
    const char *status = seg_inv_status_name(r->status);
    bool bad = r->status != SEG_INV_OK && r->status != SEG_INV_PENDING;
    if (visible(c)) {
        used = seg_ui_putf(ui, c->y, x, w, bad ? SEG_ROLE_BAD : SEG_ROLE_HEADER_VALUE,
                           "wave %d attempt %d  status %s  cold %s  request_id ", r->wave,
                           r->attempt, status[0] ? status : "pending",
                           r->cold < 0 ? "-"
                           : r->cold   ? "yes"
                                       : "no");
        seg_ui_put_untrusted(ui, c->y++, x + used, w - used, SEG_ROLE_NORMAL,
                             r->request_id ? r->request_id : "-");
    }
    if (visible(c)) {
        fmt_time(ui, r->trigger_sent, a, sizeof a);
        fmt_time(ui, r->trigger_accepted, b, sizeof b);
        fmt_time(ui, r->start, d, sizeof d);
        fmt_time(ui, r->end, e, sizeof e);
        seg_ui_putf(ui, c->y++, x, w, SEG_ROLE_NORMAL, "  sent %s acc %s START %s REPORT %s", a, b,
                    d, e);
    }
    if (visible(c)) {
        fmt_num(r->duration_ms, " ms", a, sizeof a);
        fmt_num(r->billed_ms, " ms", b, sizeof b);
        fmt_num(r->init_ms, " ms", d, sizeof d);
        seg_ui_putf(ui, c->y++, x, w, SEG_ROLE_NORMAL,
                    "  Duration %s  Billed Duration %s  Init Duration %s", a, b, d);
    }
    if (visible(c)) {
        seg_ui_putf(ui, c->y++, x, w, SEG_ROLE_NORMAL, "  Memory Size %d MB  Max Memory Used %d MB",
                    r->memory_mb, r->max_memory_mb);
    }
    if (visible(c)) {
        seg_fmt_ms(r->exec_ms == SEG_TIME_NONE ? -1 : (double)r->exec_ms, a, sizeof a);
        seg_fmt_ms(r->e2e_ms == SEG_TIME_NONE ? -1 : (double)r->e2e_ms, b, sizeof b);
        seg_fmt_ms(r->ingest_lag_ms == SEG_TIME_NONE ? -1 : (double)r->ingest_lag_ms, d, sizeof d);
        fmt_time(ui, r->event_time, e, sizeof e);
        seg_ui_putf(ui, c->y++, x, w, SEG_ROLE_NORMAL,
                    "  exec %s  e2e %s  ingest lag %s  Event Time %s", a, b, d, e);
    }
    if (visible(c)) {
        fmt_time(ui, r->db_write, f, sizeof f);
        used = seg_ui_putf(ui, c->y, x, w, SEG_ROLE_NORMAL, "  db write %s  key ", f);
        seg_ui_put_untrusted(ui, c->y++, x + used, w - used, SEG_ROLE_DIM,
                             r->trigger_key ? r->trigger_key : "-");
    }
    if (visible(c)) {
        if (r->error_type || r->error_message) {
            used = seg_ui_put(ui, c->y, x, w, SEG_ROLE_BAD, "  error ");
            used += seg_ui_put_untrusted(ui, c->y, x + used, w - used, SEG_ROLE_BAD,
                                         r->error_type ? r->error_type : "");
            used += seg_ui_put(ui, c->y, x + used, w - used, SEG_ROLE_BAD, ": ");
            seg_ui_put_untrusted(ui, c->y, x + used, w - used, SEG_ROLE_BAD,
                                 r->error_message ? r->error_message : "");
        }
        c->y++;
    }
}

void w_detail_draw(struct seg_ui *ui, struct seg_rect r)
{
    char title[96];
    snprintf(title, sizeof title, "Site %d: invocations (Enter/Esc closes, arrows scroll)",
             ui->detail_site);
    struct seg_rect in = seg_ui_frame(ui, r, title, true);
    if (in.h < 2 || in.w < 20)
        return;
    int total = w_detail_lines(ui);
    if (ui->scroll_top > total - in.h)
        ui->scroll_top = total - in.h > 0 ? total - in.h : 0;
    struct cur c = {ui, in, 0, in.y};
    const struct seg_inv_table *t = ui->detail;
    if (visible(&c)) {
        int used = seg_ui_putf(ui, c.y, in.x, in.w, SEG_ROLE_HEADER, "%zu invocations  function ",
                               t ? t->n : 0);
        seg_ui_put_untrusted(ui, c.y++, in.x + used, in.w - used, SEG_ROLE_HEADER_VALUE,
                             t && t->n && t->rows[0].function ? t->rows[0].function : "-");
    }
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        draw_inv(&c, &t->rows[i]);
}
