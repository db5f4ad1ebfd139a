/* Site detail (Enter): the site's last log lines, then its invocations, every REPORT field,
 * six lines each, an error line when there is one, and a blank one. Every string in the
 * table came from the network or the logs: drawn through the sanitiser. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "logs/sanitize.h"
#include "ui.h"

#define LINES_PER_INV 7  /* six of fields and a blank one; an error adds one */
#define LOG_TIME_W    13 /* "HH:MM:SS.mmm " */
#define LOG_WRAP_MAX  3  /* rows one log line may take; the rest is cut */

/* A text application line starts "<ISO time> <request id> ": the detail has its own time
 * column, so the body gets the width. Anything else is shown whole. */
static const char *log_body(const char *line)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; shape[i]; i++) {
        char c = line[i];
        if (shape[i] == 'd' ? !(c >= '0' && c <= '9') : c != shape[i])
            return line;
    }
    const char *id = strchr(line, ' ');
    const char *body = id ? strchr(id + 1, ' ') : NULL;
    return body && body[1] ? body + 1 : line;
}

/* Splits a sanitised line into at most LOG_WRAP_MAX rows of cols columns, breaking after a
 * space when one falls in the row's second half: row k is [row[k], row[k] + len[k]).
 * Returns the rows (>= 1); *cut when text was left over. */
static int wrap(const char *p, int cols, const char *row[], size_t len[], bool *cut)
{
    int n = 0;
    *cut = false;
    do {
        size_t k = seg_text_fit(p, cols, NULL);
        if (p[k] && p[k] != ' ')
            for (size_t i = k; i > k / 2; i--)
                if (p[i - 1] == ' ') {
                    k = i;
                    break;
                }
        row[n] = p;
        len[n++] = k;
        p += k;
        while (*p == ' ')
            p++;
        if (k == 0)
            break;
    } while (*p && n < LOG_WRAP_MAX);
    *cut = *p != 0;
    return n;
}

static void clean_line(const char *text, char *out, size_t size)
{
    const char *body = log_body(text);
    seg_sanitize_for_terminal(body, strlen(body), out, size);
}

static int log_rows(const struct seg_inv_table *t, int width)
{
    int rows = 1; /* the heading */
    char clean[SEG_STORE_LINE_MAX * 3 + 1];
    const char *row[LOG_WRAP_MAX];
    size_t len[LOG_WRAP_MAX];
    bool cut;
    for (size_t i = 0; t && i < t->n_lines; i++) {
        clean_line(t->lines[i].text, clean, sizeof clean);
        rows += wrap(clean, width - LOG_TIME_W, row, len, &cut);
    }
    return rows + 1; /* a blank row before the invocations */
}

static bool has_error(const struct seg_inv_row *r)
{
    return r->error_type || r->error_message;
}

int w_detail_lines(const struct seg_ui *ui, int width)
{
    const struct seg_inv_table *t = ui->detail;
    int n = 1 + log_rows(t, width);
    for (size_t i = 0; t && i < t->n; i++)
        n += LINES_PER_INV + has_error(&t->rows[i]);
    return n;
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

static void fmt_mb(int32_t mb, char *out, size_t size)
{
    if (mb < 0)
        snprintf(out, size, "-");
    else
        snprintf(out, size, "%d MB", mb);
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
        fmt_mb(r->memory_mb, a, sizeof a);
        fmt_mb(r->max_memory_mb, b, sizeof b);
        seg_ui_putf(ui, c->y++, x, w, SEG_ROLE_NORMAL, "  Memory Size %s  Max Memory Used %s", a,
                    b);
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
    if (has_error(r) && visible(c)) {
        used = seg_ui_put(ui, c->y, x, w, SEG_ROLE_BAD, "  error ");
        if (r->error_type && r->error_type[0]) {
            used += seg_ui_put_untrusted(ui, c->y, x + used, w - used, SEG_ROLE_BAD, r->error_type);
            used += seg_ui_put(ui, c->y, x + used, w - used, SEG_ROLE_BAD, ": ");
        }
        seg_ui_put_untrusted(ui, c->y++, x + used, w - used, SEG_ROLE_BAD,
                             r->error_message ? r->error_message : "");
    }
    if (visible(c)) /* a blank row between invocations */
        c->y++;
}

/* The last log lines, oldest first, each wrapped over at most LOG_WRAP_MAX rows. */
static void draw_log_lines(struct cur *c, const struct seg_inv_table *t)
{
    struct seg_ui *ui = c->ui;
    int x = c->in.x, w = c->in.w, tw = w - LOG_TIME_W;
    if (visible(c)) {
        if (t && t->n_lines)
            seg_ui_putf(ui, c->y++, x, w, SEG_ROLE_HEADER, "last %zu log lines (newest last)",
                        t->n_lines);
        else
            seg_ui_put(ui, c->y++, x, w, SEG_ROLE_DIM, "no log lines yet");
    }
    char clean[SEG_STORE_LINE_MAX * 3 + 1], part[SEG_STORE_LINE_MAX * 3 + 1], ts[32];
    const char *row[LOG_WRAP_MAX];
    size_t len[LOG_WRAP_MAX];
    bool cut;
    for (size_t i = 0; t && i < t->n_lines; i++) {
        clean_line(t->lines[i].text, clean, sizeof clean);
        fmt_time(ui, t->lines[i].ts_ms, ts, sizeof ts);
        int rows = wrap(clean, tw, row, len, &cut);
        for (int k = 0; k < rows; k++) {
            if (!visible(c))
                continue;
            if (k == 0)
                seg_ui_put(ui, c->y, x, LOG_TIME_W, SEG_ROLE_DIM, ts);
            /* Sanitised above: seg_ui_put only clips. */
            memcpy(part, row[k], len[k]);
            part[len[k]] = 0;
            seg_ui_put(ui, c->y, x + LOG_TIME_W, tw, SEG_ROLE_NORMAL, part);
            if (cut && k == rows - 1)
                seg_ui_put(ui, c->y, x + w - 1, 1, SEG_ROLE_DIM, ui->g.ellipsis);
            c->y++;
        }
    }
    if (visible(c))
        c->y++;
}

void w_detail_draw(struct seg_ui *ui, struct seg_rect r)
{
    char title[96];
    snprintf(title, sizeof title, "Site %d: invocations (Enter/Esc closes, arrows scroll)",
             ui->detail_site);
    struct seg_rect in = seg_ui_frame(ui, r, title, true);
    if (in.h < 2 || in.w < 20)
        return;
    int total = w_detail_lines(ui, in.w);
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
    draw_log_lines(&c, t);
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        draw_inv(&c, &t->rows[i]);
}
