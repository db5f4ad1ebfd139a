/* The UI thread's state and the drawing helpers every widget shares. Internal to tui/.
 *
 * Widgets (one file each, htop/ncdu style) draw from the snapshot and this state into a
 * rectangle; none fetches data, none keeps pointers into a snapshot beyond one frame. */
#ifndef SEGTOP_TUI_UI_H
#define SEGTOP_TUI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "layout.h"
#include "metrics/snapshot.h"
#include "theme.h"
#include "tui.h"

enum seg_screen { SEG_SCREEN_MAIN = 0, SEG_SCREEN_HELP, SEG_SCREEN_DETAIL };
enum seg_prompt { SEG_PROMPT_NONE = 0, SEG_PROMPT_FILTER, SEG_PROMPT_QUIT };
enum seg_sort {
    SEG_SORT_SITE = 0, /* site number */
    SEG_SORT_STATE,    /* worst state first */
    SEG_SORT_P95,      /* slowest p95 exec first */
    SEG_SORT_ERRORS,   /* most errors first */
    SEG_SORT_COLD,     /* highest cold % first */
    SEG_SORT__COUNT
};

/* Characters for one terminal: Unicode under a UTF-8 locale, ASCII otherwise. */
struct seg_glyphs {
    const char *site[SEG_SITE__COUNT];
    const char *vbar[9]; /* vertical eighths 0..8 (index 0 is blank) */
    const char *hbar[9]; /* horizontal eighths */
    const char *hline, *vline, *tl, *tr, *bl, *br, *meter_fill, *meter_empty, *ellipsis;
    const char *limit; /* the account limit line */
};

struct seg_ui {
    const struct seg_tui_config *cfg;
    const struct seg_tui_ops *ops;
    void *ud;

    SCREEN *screen;
    bool utf8, color;
    int n_colors;
    struct seg_glyphs g;
    struct seg_theme_list themes;
    int theme;                    /* index in themes */
    attr_t role[SEG_ROLE__COUNT]; /* curses attributes per role for the current theme */

    struct seg_snapshot *snap; /* drawn; owned reference or NULL */
    struct seg_snapshot *live; /* newest while frozen; owned reference or NULL */
    bool frozen;
    uint64_t frozen_newer; /* snapshots that arrived while frozen */
    struct seg_tui_status st;
    bool have_status;
    int64_t backoff_until_ms; /* monotonic: a throttle was answered recently (the poller backs
                               * off after each, whichever API's budget it halved) */

    enum seg_screen screen_kind;
    enum seg_prompt prompt;
    bool scaling;
    enum seg_panel focus;
    struct seg_layout lay;

    char filter[64];
    enum seg_sort sort;
    int *order; /* sites drawn, as indices into snap->sites, after filter and sort */
    size_t n_order, order_alloc;
    int sel_site;  /* selected site number (0: none yet) */
    int grid_cols; /* sites per grid row last drawn (for up/down) */

    int waves_cursor, waves_top;
    bool waves_follow; /* keep the newest wave in view */
    int errors_cursor, errors_top;
    int scroll_top; /* help, detail and scaling screens */

    struct seg_inv_table *detail;
    int detail_site;

    bool local_time;
    int next_step_local;     /* ladder pointer when the engine does not report one */
    char message[512];       /* status line text (already sanitised) */
    int64_t sticky_until_ms; /* monotonic: engine notes wait until then (export paths) */
};

/* Drawing helpers (draw.c). Text from logs or the network goes through seg_ui_put_untrusted,
 * which sanitises; seg_ui_put is for our own text. Both clip to max_cols columns and return
 * the columns drawn. */
int seg_ui_put(struct seg_ui *ui, int y, int x, int max_cols, enum seg_role role, const char *text);
int seg_ui_put_untrusted(struct seg_ui *ui, int y, int x, int max_cols, enum seg_role role,
                         const char *text);
int seg_ui_putf(struct seg_ui *ui, int y, int x, int max_cols, enum seg_role role, const char *fmt,
                ...) SEG_PRINTF(6, 7);
/* Fills a row segment with blanks in role's colours. */
void seg_ui_fill(struct seg_ui *ui, int y, int x, int cols, enum seg_role role);
/* A framed panel with its title; returns the inner rectangle. */
struct seg_rect seg_ui_frame(struct seg_ui *ui, struct seg_rect r, const char *title, bool focused);
/* A meter "[████░░░░]" of `cols` columns including brackets. */
void seg_ui_meter(struct seg_ui *ui, int y, int x, int cols, double frac, enum seg_role role);
/* Sets ui->role for theme index i (colour pairs or attributes only). */
void seg_ui_apply_theme(struct seg_ui *ui, int i);
/* Glyph sets. */
void seg_ui_glyphs(struct seg_glyphs *g, bool utf8);
/* The site state's theme role. */
enum seg_role seg_ui_site_role(enum seg_site_state s);
/* Wall-clock time as "HH:MM:SS UTC" or local. */
void seg_ui_clock(const struct seg_ui *ui, int64_t ms, bool with_date, char *out, size_t size);
/* Monotonic milliseconds. */
int64_t seg_ui_mono_ms(void);
/* True while a wave is being triggered or has executions outstanding. */
bool seg_ui_wave_running(const struct seg_ui *ui);

/* "site", "state", ... */
const char *seg_ui_sort_name(enum seg_sort s);

/* Widgets: one per file. */
void w_header_draw(struct seg_ui *ui, struct seg_rect r);
void w_status_draw(struct seg_ui *ui, struct seg_rect r);
void w_keys_draw(struct seg_ui *ui, struct seg_rect r);
void w_concurrency_draw(struct seg_ui *ui, struct seg_rect r, bool focused);
void w_histogram_draw(struct seg_ui *ui, struct seg_rect r, bool focused);
void w_durations_draw(struct seg_ui *ui, struct seg_rect r, bool focused);
void w_waves_draw(struct seg_ui *ui, struct seg_rect r, bool focused);
void w_sites_draw(struct seg_ui *ui, struct seg_rect r, bool focused);
void w_errors_draw(struct seg_ui *ui, struct seg_rect r, bool focused);
void w_scaling_draw(struct seg_ui *ui, struct seg_rect r, bool focused);
void w_help_draw(struct seg_ui *ui, struct seg_rect r);
void w_detail_draw(struct seg_ui *ui, struct seg_rect r);
/* Lines the help screen has (for scrolling). */
int w_help_lines(void);
/* Lines of the detail screen for the current table, drawn `width` columns wide. */
int w_detail_lines(const struct seg_ui *ui, int width);
/* Recomputes ui->order from the filter and sort order. */
void w_sites_update_order(struct seg_ui *ui);

#endif
