/* Layout maths: see layout.h. */
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static struct seg_rect rect(int y, int x, int h, int w)
{
    return (struct seg_rect){y, x, h < 0 ? 0 : h, w < 0 ? 0 : w};
}

static void show(struct seg_layout *l, enum seg_panel p, struct seg_rect r)
{
    l->visible[p] = true;
    l->panel[p] = r;
}

enum seg_panel seg_layout_next_panel(enum seg_panel p)
{
    if ((int)p < 0 || p >= SEG_PANEL_TAB_COUNT)
        return SEG_PANEL_CONCURRENCY;
    return (enum seg_panel)((p + 1) % SEG_PANEL_TAB_COUNT);
}

void seg_layout_compute(int rows, int cols, enum seg_panel focus, bool scaling,
                        struct seg_layout *out)
{
    memset(out, 0, sizeof *out);
    if (rows < SEG_LAYOUT_MIN_ROWS || cols < SEG_LAYOUT_MIN_COLS) {
        out->kind = SEG_LAYOUT_TOO_SMALL;
        out->body = rect(0, 0, rows, cols);
        return;
    }
    if ((int)focus < 0 || focus >= SEG_PANEL_TAB_COUNT)
        focus = SEG_PANEL_WAVES;
    /* Fixed rows: header on top, status line and key bar at the bottom. */
    out->header = rect(0, 0, SEG_LAYOUT_HEADER_ROWS, cols);
    out->status = rect(rows - 2, 0, 1, cols);
    out->keys = rect(rows - 1, 0, 1, cols);
    int by = SEG_LAYOUT_HEADER_ROWS, bh = rows - SEG_LAYOUT_HEADER_ROWS - 2;
    out->body = rect(by, 0, bh, cols);

    if (rows >= SEG_LAYOUT_LARGE_ROWS && cols >= SEG_LAYOUT_LARGE_COLS)
        out->kind = SEG_LAYOUT_LARGE;
    else if (rows >= SEG_LAYOUT_MEDIUM_ROWS && cols >= SEG_LAYOUT_MEDIUM_COLS)
        out->kind = SEG_LAYOUT_MEDIUM;
    else
        out->kind = SEG_LAYOUT_COMPACT;

    if (scaling) {
        show(out, SEG_PANEL_SCALING, out->body);
        return;
    }
    if (out->kind == SEG_LAYOUT_COMPACT) {
        show(out, focus, out->body);
        return;
    }
    if (out->kind == SEG_LAYOUT_MEDIUM) {
        /* Charts on top, the waves table, then whichever of sites / errors / durations has
         * the focus (sites otherwise): every panel is one Tab away. */
        int h1 = bh * 3 / 10, h2 = bh * 3 / 10;
        int h3 = bh - h1 - h2;
        int wl = cols / 2;
        show(out, SEG_PANEL_CONCURRENCY, rect(by, 0, h1, wl));
        show(out, SEG_PANEL_COLD, rect(by, wl, h1, cols - wl));
        show(out, SEG_PANEL_WAVES, rect(by + h1, 0, h2, cols));
        enum seg_panel third = SEG_PANEL_SITES;
        if (focus == SEG_PANEL_ERRORS || focus == SEG_PANEL_DURATIONS)
            third = focus;
        show(out, third, rect(by + h1 + h2, 0, h3, cols));
        return;
    }
    /* Large: three rows; every panel. */
    int h1 = bh * 3 / 10, h2 = bh * 3 / 10;
    int h3 = bh - h1 - h2;
    /* The durations table needs 62 columns; the charts share the rest. */
    int w3 = cols / 2 < 62 ? cols / 2 : 62;
    int w2 = (cols - w3) * 2 / 5, w1 = cols - w3 - w2;
    show(out, SEG_PANEL_CONCURRENCY, rect(by, 0, h1, w1));
    show(out, SEG_PANEL_COLD, rect(by, w1, h1, w2));
    show(out, SEG_PANEL_DURATIONS, rect(by, w1 + w2, h1, w3));
    int ww = cols * 5 / 8;
    show(out, SEG_PANEL_WAVES, rect(by + h1, 0, h2, ww));
    show(out, SEG_PANEL_ERRORS, rect(by + h1, ww, h2, cols - ww));
    show(out, SEG_PANEL_SITES, rect(by + h1 + h2, 0, h3, cols));
}

void seg_layout_grid(int n, int cell_w, int w, int h, int cursor, struct seg_grid *out)
{
    memset(out, 0, sizeof *out);
    if (cell_w < 1)
        cell_w = 1;
    if (n < 0)
        n = 0;
    out->per_row = w / cell_w;
    out->rows = h;
    if (out->per_row < 1 || out->rows < 1) {
        out->per_row = out->per_row < 1 ? 0 : out->per_row;
        out->n_pages = 1;
        return;
    }
    out->per_page = out->per_row * out->rows;
    out->n_pages = n == 0 ? 1 : (n + out->per_page - 1) / out->per_page;
    if (cursor < 0)
        cursor = 0;
    if (cursor >= n)
        cursor = n > 0 ? n - 1 : 0;
    out->page = cursor / out->per_page;
    out->first = out->page * out->per_page;
    out->count = n - out->first < out->per_page ? n - out->first : out->per_page;
}

int seg_layout_scroll(int n, int visible, int cursor, int top)
{
    if (visible < 1 || n <= visible)
        return 0;
    if (cursor < 0)
        cursor = 0;
    if (cursor >= n)
        cursor = n - 1;
    if (cursor < top)
        top = cursor;
    if (cursor >= top + visible)
        top = cursor - visible + 1;
    if (top > n - visible)
        top = n - visible;
    return top < 0 ? 0 : top;
}

int seg_layout_bar_eighths(double value, double max, int cells)
{
    if (!(value > 0) || !(max > 0) || cells <= 0)
        return 0;
    double e = value / max * cells * 8.0;
    int r = (int)lround(e > cells * 8.0 ? cells * 8.0 : e);
    return r < 1 ? 1 : r;
}

/* Decodes one character; invalid bytes count as one column (they are drawn as U+FFFD by
 * the sanitiser anyway, which never hands us invalid text). */
static size_t char_at(const char *s, mbstate_t *st, int *w)
{
    wchar_t wc;
    size_t n = mbrtowc(&wc, s, MB_CUR_MAX, st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        memset(st, 0, sizeof *st);
        *w = 1;
        return 1;
    }
    int cw = wcwidth(wc);
    *w = cw < 0 ? 1 : cw;
    return n;
}

int seg_text_width(const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int total = 0;
    while (*s) {
        int w;
        s += char_at(s, &st, &w);
        total += w;
    }
    return total;
}

void seg_layout_buckets(const uint32_t *v, size_t n, int cols, uint32_t *out)
{
    for (int c = 0; c < cols; c++) {
        out[c] = 0;
        if (n == 0)
            continue;
        size_t lo = (size_t)c * n / (size_t)cols, hi = ((size_t)c + 1) * n / (size_t)cols;
        if (hi <= lo)
            hi = lo + 1; /* fewer seconds than columns: this column repeats second lo */
        for (size_t i = lo; i < hi; i++)
            if (v[i] > out[c])
                out[c] = v[i];
    }
}

size_t seg_text_fit(const char *s, int cols, int *used)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t off = 0;
    int total = 0;
    while (s[off]) {
        int w;
        size_t n = char_at(s + off, &st, &w);
        if (total + w > cols)
            break;
        total += w;
        off += n;
    }
    if (used)
        *used = total;
    return off;
}

bool seg_text_brace_paths(const char *msg, char *out, size_t size)
{
    enum { MAX_PATHS = 8 };
    const char *sp = strchr(msg, ' ');
    if (!sp || sp == msg)
        return false;
    const char *tok[MAX_PATHS];
    size_t len[MAX_PATHS], n = 0;
    for (const char *p = sp + 1; *p;) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 0 || n == MAX_PATHS)
            return false;
        tok[n] = p;
        len[n++] = l;
        p += l + (e ? 1 : 0);
    }
    if (n < 2)
        return false;
    size_t pre = len[0], suf = len[0];
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < pre && k < len[i] && tok[i][k] == tok[0][k])
            k++;
        pre = k;
        k = 0;
        while (k < suf && k < len[i] && tok[i][len[i] - 1 - k] == tok[0][len[0] - 1 - k])
            k++;
        suf = k;
    }
    for (size_t i = 0; i < n; i++) /* prefix and suffix must not overlap in any path */
        while (pre + suf > len[i])
            suf--;
    /* Cut at separators, so whole words differ: {invocations,waves}, not {invocation,wave}s. */
    while (pre > 0 && !strchr("/-_.", tok[0][pre - 1]))
        pre--;
    while (suf > 0 && !strchr("/-_.", tok[0][len[0] - suf]))
        suf--;
    size_t saved = (n - 1) * (pre + suf), cost = n + 1; /* the braces and commas */
    if (pre + suf == 0 || saved <= cost)
        return false;
    int w = snprintf(out, size, "%.*s %.*s{", (int)(sp - msg), msg, (int)pre, tok[0]);
    for (size_t i = 0; i < n && w >= 0 && (size_t)w < size; i++)
        w += snprintf(out + w, size - (size_t)w, "%s%.*s", i ? "," : "", (int)(len[i] - pre - suf),
                      tok[i] + pre);
    if (w >= 0 && (size_t)w < size)
        w += snprintf(out + w, size - (size_t)w, "}%.*s", (int)suf, tok[0] + len[0] - suf);
    return w >= 0 && (size_t)w < size;
}

void seg_fmt_ms(double ms, char *out, size_t size)
{
    if (!(ms >= 0)) {
        snprintf(out, size, "-");
    } else if (ms < 1000) {
        snprintf(out, size, "%.0fms", ms);
    } else if (ms < 100000) {
        snprintf(out, size, "%.1fs", ms / 1000.0);
    } else if (ms < 3600000) {
        long s = lround(ms / 1000.0);
        snprintf(out, size, "%ldm%02lds", s / 60, s % 60);
    } else {
        long m = lround(ms / 60000.0);
        snprintf(out, size, "%ldh%02ldm", m / 60, m % 60);
    }
}

void seg_fmt_usd(double usd, char *out, size_t size)
{
    if (!(usd >= 0))
        snprintf(out, size, "-");
    else if (usd < 1)
        snprintf(out, size, "$%.4f", usd);
    else
        snprintf(out, size, "$%.2f", usd);
}
