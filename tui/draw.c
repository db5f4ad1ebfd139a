/* Drawing helpers shared by the widgets: clipped text, frames, meters, colours, glyphs. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "logs/sanitize.h"
#include "ui.h"

int seg_ui_put(struct seg_ui *ui, int y, int x, int max_cols, enum seg_role role, const char *text)
{
    if (max_cols <= 0 || !text)
        return 0;
    int used = 0;
    size_t n = seg_text_fit(text, max_cols, &used);
    attrset(ui->role[role]);
    mvaddnstr(y, x, text, (int)n);
    attrset(ui->role[SEG_ROLE_NORMAL]);
    return used;
}

int seg_ui_put_untrusted(struct seg_ui *ui, int y, int x, int max_cols, enum seg_role role,
                         const char *text)
{
    char clean[1024];
    if (!text)
        return 0;
    /* Every byte from logs or the network passes here: controls, C1, bidi overrides and
     * invalid UTF-8 become U+FFFD before curses sees them. */
    seg_sanitize_for_terminal(text, strlen(text), clean, sizeof clean);
    return seg_ui_put(ui, y, x, max_cols, role, clean);
}

int seg_ui_putf(struct seg_ui *ui, int y, int x, int max_cols, enum seg_role role, const char *fmt,
                ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return seg_ui_put(ui, y, x, max_cols, role, buf);
}

void seg_ui_fill(struct seg_ui *ui, int y, int x, int cols, enum seg_role role)
{
    attrset(ui->role[role]);
    for (int i = 0; i < cols; i++)
        mvaddch(y, x + i, ' ');
    attrset(ui->role[SEG_ROLE_NORMAL]);
}

struct seg_rect seg_ui_frame(struct seg_ui *ui, struct seg_rect r, const char *title, bool focused)
{
    struct seg_rect in = {r.y + 1, r.x + 1, r.h - 2, r.w - 2};
    if (r.h < 2 || r.w < 2)
        return (struct seg_rect){r.y, r.x, 0, 0};
    const struct seg_glyphs *g = &ui->g;
    attrset(ui->role[SEG_ROLE_BORDER]);
    mvaddstr(r.y, r.x, g->tl);
    mvaddstr(r.y, r.x + r.w - 1, g->tr);
    mvaddstr(r.y + r.h - 1, r.x, g->bl);
    mvaddstr(r.y + r.h - 1, r.x + r.w - 1, g->br);
    for (int i = 1; i < r.w - 1; i++) {
        mvaddstr(r.y, r.x + i, g->hline);
        mvaddstr(r.y + r.h - 1, r.x + i, g->hline);
    }
    for (int j = 1; j < r.h - 1; j++) {
        mvaddstr(r.y + j, r.x, g->vline);
        mvaddstr(r.y + j, r.x + r.w - 1, g->vline);
    }
    attrset(ui->role[SEG_ROLE_NORMAL]);
    if (title && r.w > 6) {
        char t[256];
        snprintf(t, sizeof t, " %s ", title);
        seg_ui_put(ui, r.y, r.x + 2, r.w - 4, focused ? SEG_ROLE_TITLE_FOCUS : SEG_ROLE_TITLE, t);
    }
    return in;
}

void seg_ui_meter(struct seg_ui *ui, int y, int x, int cols, double frac, enum seg_role role)
{
    if (cols < 3)
        return;
    int inner = cols - 2;
    if (!(frac >= 0))
        frac = 0;
    if (frac > 1)
        frac = 1;
    int e = seg_layout_bar_eighths(frac, 1.0, inner);
    seg_ui_put(ui, y, x, 1, SEG_ROLE_BORDER, "[");
    for (int i = 0; i < inner; i++) {
        int cell = e - i * 8;
        if (cell >= 8)
            seg_ui_put(ui, y, x + 1 + i, 1, role, ui->g.hbar[8]);
        else if (cell > 0)
            seg_ui_put(ui, y, x + 1 + i, 1, role, ui->g.hbar[cell]);
        else
            seg_ui_put(ui, y, x + 1 + i, 1, SEG_ROLE_DIM, ui->g.meter_empty);
    }
    seg_ui_put(ui, y, x + cols - 1, 1, SEG_ROLE_BORDER, "]");
}

static attr_t curses_attrs(uint16_t a)
{
    attr_t r = A_NORMAL;
    if (a & SEG_ATTR_BOLD)
        r |= A_BOLD;
    if (a & SEG_ATTR_DIM)
        r |= A_DIM;
    if (a & SEG_ATTR_UNDERLINE)
        r |= A_UNDERLINE;
    if (a & SEG_ATTR_REVERSE)
        r |= A_REVERSE;
    if (a & SEG_ATTR_ITALIC)
        r |= A_ITALIC;
    if (a & SEG_ATTR_STANDOUT)
        r |= A_STANDOUT;
    return r;
}

/* A palette index the terminal can show: as is with 256 colours, bright ones kept on
 * 16-colour terminals, else the nearest of the basic 8. */
static short fit_color(const struct seg_ui *ui, int c)
{
    if (c < 0)
        return -1;
    if (c < ui->n_colors)
        return (short)c;
    return (short)seg_theme_color_to8(c);
}

void seg_ui_apply_theme(struct seg_ui *ui, int i)
{
    if (i < 0 || (size_t)i >= ui->themes.n)
        i = 0;
    ui->theme = i;
    const struct seg_theme *t = &ui->themes.themes[i];
    for (int r = 0; r < SEG_ROLE__COUNT; r++) {
        const struct seg_style *s = &t->style[r];
        attr_t a = curses_attrs(s->attrs);
        if (ui->color && r + 1 < COLOR_PAIRS) {
            short fg = fit_color(ui, s->fg), bg = fit_color(ui, s->bg);
            /* Unset bg inherits the theme's normal background, so light themes paint
             * the whole screen. */
            if (bg < 0)
                bg = fit_color(ui, t->style[SEG_ROLE_NORMAL].bg);
            init_pair((short)(r + 1), fg, bg);
            a |= COLOR_PAIR(r + 1);
        }
        ui->role[r] = a;
    }
    bkgdset(' ' | ui->role[SEG_ROLE_NORMAL]);
}

void seg_ui_glyphs(struct seg_glyphs *g, bool utf8)
{
    static const struct seg_glyphs uni = {
        .site = {"·", "↑", "▸", "●", "○", "✗", "T", "!", "?"},
        .vbar = {" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"},
        .hbar = {" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"},
        .hline = "─",
        .vline = "│",
        .tl = "┌",
        .tr = "┐",
        .bl = "└",
        .br = "┘",
        .meter_fill = "█",
        .meter_empty = "░",
        .ellipsis = "…",
        .limit = "┄",
    };
    static const struct seg_glyphs ascii = {
        .site = {".", "^", ">", "C", "o", "X", "T", "!", "?"},
        .vbar = {" ", ".", ".", ":", ":", "+", "+", "#", "#"},
        .hbar = {" ", "#", "#", "#", "#", "#", "#", "#", "#"},
        .hline = "-",
        .vline = "|",
        .tl = "+",
        .tr = "+",
        .bl = "+",
        .br = "+",
        .meter_fill = "#",
        .meter_empty = ".",
        .ellipsis = "~",
        .limit = "-",
    };
    *g = utf8 ? uni : ascii;
}

enum seg_role seg_ui_site_role(enum seg_site_state s)
{
    if ((int)s < 0 || s >= SEG_SITE__COUNT)
        return SEG_ROLE_NORMAL;
    return (enum seg_role)(SEG_ROLE_SITE_IDLE + (int)s);
}

void seg_ui_clock(const struct seg_ui *ui, int64_t ms, bool with_date, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ui->local_time)
        localtime_r(&t, &tm);
    else
        gmtime_r(&t, &tm);
    char b[64];
    strftime(b, sizeof b, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
    snprintf(out, size, "%s%s", b, ui->local_time ? "" : " UTC");
}

int64_t seg_ui_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool seg_ui_wave_running(const struct seg_ui *ui)
{
    if (ui->have_status && ui->st.running_ladder)
        return true;
    const struct seg_snapshot *s = ui->live ? ui->live : ui->snap;
    if (!s || s->n_waves == 0)
        return false;
    return !s->waves[s->n_waves - 1].complete;
}
