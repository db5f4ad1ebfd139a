/* Layout maths (DESIGN §5): terminal size -> rectangles for the header, the panels, the
 * status line and the key bar; grids, scrolling and bar lengths. Pure: no curses, so every
 * rule is unit-tested (tests/tui/layout_test.c). */
#ifndef SEGTOP_TUI_LAYOUT_H
#define SEGTOP_TUI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEG_LAYOUT_MIN_ROWS    24
#define SEG_LAYOUT_MIN_COLS    80
#define SEG_LAYOUT_MEDIUM_ROWS 36
#define SEG_LAYOUT_MEDIUM_COLS 120
#define SEG_LAYOUT_LARGE_ROWS  45
#define SEG_LAYOUT_LARGE_COLS  160
#define SEG_LAYOUT_HEADER_ROWS 3

/* Body panels, in Tab order. */
enum seg_panel {
    SEG_PANEL_CONCURRENCY = 0,
    SEG_PANEL_COLD,
    SEG_PANEL_DURATIONS,
    SEG_PANEL_WAVES,
    SEG_PANEL_SITES,
    SEG_PANEL_ERRORS,
    SEG_PANEL_SCALING, /* only with `v`; not in the Tab cycle */
    SEG_PANEL__COUNT
};
#define SEG_PANEL_TAB_COUNT SEG_PANEL_SCALING

enum seg_layout_kind {
    SEG_LAYOUT_TOO_SMALL = 0, /* below 80x24: a message only */
    SEG_LAYOUT_COMPACT,       /* header + the focused panel */
    SEG_LAYOUT_MEDIUM,        /* header + four panels (the fourth follows Tab) */
    SEG_LAYOUT_LARGE,         /* header + every panel */
};

struct seg_rect {
    int y, x, h, w;
};

struct seg_layout {
    enum seg_layout_kind kind;
    struct seg_rect header, body, status, keys;
    bool visible[SEG_PANEL__COUNT];
    struct seg_rect panel[SEG_PANEL__COUNT];
};

/* Computes the layout for a rows x cols terminal. focus is the Tab panel (it decides the
 * panel of the compact layout and the fourth of the medium one); scaling replaces the body
 * with the scaling view. Rectangles never overlap and stay inside the screen. */
void seg_layout_compute(int rows, int cols, enum seg_panel focus, bool scaling,
                        struct seg_layout *out);

/* The panel after p in Tab order. */
enum seg_panel seg_layout_next_panel(enum seg_panel p);

/* A grid of n cells of cell_w columns in a w x h area, paged: which page holds `cursor`
 * and which cells it shows. */
struct seg_grid {
    int per_row, rows, per_page; /* per_page = per_row * rows (>= 1 when w, h > 0) */
    int n_pages, page;
    int first, count; /* cells [first, first + count) are on the page */
};
void seg_layout_grid(int n, int cell_w, int w, int h, int cursor, struct seg_grid *out);

/* A list of n rows shown `visible` at a time: the first row to show so that `cursor` is
 * visible, moving *top as little as possible. Returns the new top (0 <= top <= n - visible). */
int seg_layout_scroll(int n, int visible, int cursor, int top);

/* Bar length in eighths of a cell for value out of max over `cells` cells, rounded to the
 * nearest eighth; at least 1 when value > 0, never above cells * 8. */
int seg_layout_bar_eighths(double value, double max, int cells);

/* A series of n values (one per second) drawn in cols columns: each column is the maximum
 * of the seconds it covers, so a peak of one second is never averaged away. With n >= cols
 * the seconds are split into cols consecutive runs of n/cols (rounded) covering all of
 * them; with fewer seconds than columns each second is stretched over several columns.
 * Writes out[0..cols); n == 0 gives zeros. */
void seg_layout_buckets(const uint32_t *v, size_t n, int cols, uint32_t *out);

/* Columns a UTF-8 string takes on screen (wcwidth under the current locale; invalid
 * bytes count 1), and the longest prefix of s that fits in `cols` columns (*bytes). */
int seg_text_width(const char *s);
size_t seg_text_fit(const char *s, int cols, int *used);

/* The status line's "exported /d/segtop-a-S.csv /d/segtop-b-S.csv" as
 * "exported /d/segtop-{a,b}-S.csv" (a first word, then two or more space-separated paths):
 * what the paths share is written once. False (out untouched) when msg is not of that
 * shape or nothing is saved. */
bool seg_text_brace_paths(const char *msg, char *out, size_t size);

/* Human durations: "512ms", "19.9s", "2m05s", "1h02m"; "-" for a negative value. */
void seg_fmt_ms(double ms, char *out, size_t size);
/* "$0.0123" with 4 significant decimals under $1, cents above. */
void seg_fmt_usd(double usd, char *out, size_t size);

#endif
