/* Themes: semantic colour roles (htop's ColorElements) read from text files. Pure: no
 * curses here, so the parser is unit-tested and fuzzed.
 *
 * Format (themes/README in themes/default.theme's header):
 *     # comment (a whole line, or after a value)
 *     role = fg, bg, attributes
 * fg/bg: default | black red green yellow blue magenta cyan white | bright-<colour> |
 * 0..255 (xterm-256 palette). attributes: none, or bold dim underline reverse italic
 * standout joined by spaces or '|'. bg and attributes may be omitted. Unknown roles,
 * colours or attributes are errors naming the file and line. Roles a file does not set
 * inherit from a parent role (e.g. site_error from bad, bad from normal). */
#ifndef SEGTOP_TUI_THEME_H
#define SEGTOP_TUI_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/errmsg.h"
#include "util/seg.h"

enum seg_role {
    SEG_ROLE_NORMAL = 0,
    SEG_ROLE_DIM,
    SEG_ROLE_TITLE,        /* panel titles */
    SEG_ROLE_TITLE_FOCUS,  /* the focused panel's title */
    SEG_ROLE_BORDER,       /* panel frames */
    SEG_ROLE_HEADER,       /* header labels */
    SEG_ROLE_HEADER_VALUE, /* header numbers */
    SEG_ROLE_BADGE,        /* FROZEN / REPLAY */
    SEG_ROLE_METER_OK,     /* meter fill, healthy */
    SEG_ROLE_METER_WARN,   /* meter fill, close to a limit */
    SEG_ROLE_METER_BAD,    /* meter fill, over */
    SEG_ROLE_GOOD,         /* ok numbers */
    SEG_ROLE_WARN,         /* warnings */
    SEG_ROLE_BAD,          /* errors */
    SEG_ROLE_BAR,          /* histogram / chart bars */
    SEG_ROLE_BAR_ALT,      /* second series (client outstanding) */
    SEG_ROLE_LIMIT,        /* the account limit line */
    SEG_ROLE_SELECTION,    /* cursor */
    SEG_ROLE_STATUS,       /* status line */
    SEG_ROLE_KEY,          /* function bar key */
    SEG_ROLE_KEY_LABEL,    /* function bar text */
    SEG_ROLE_SITE_IDLE,    /* one per enum seg_site_state, in its order */
    SEG_ROLE_SITE_TRIGGERED,
    SEG_ROLE_SITE_RUNNING,
    SEG_ROLE_SITE_OK_COLD,
    SEG_ROLE_SITE_OK_WARM,
    SEG_ROLE_SITE_ERROR,
    SEG_ROLE_SITE_TIMEOUT,
    SEG_ROLE_SITE_THROTTLED,
    SEG_ROLE_SITE_MISSING,
    SEG_ROLE__COUNT
};

/* Colour: -1 terminal default, 0..255 palette index. */
#define SEG_COLOR_DEFAULT (-1)

enum seg_attr {
    SEG_ATTR_BOLD = 1 << 0,
    SEG_ATTR_DIM = 1 << 1,
    SEG_ATTR_UNDERLINE = 1 << 2,
    SEG_ATTR_REVERSE = 1 << 3,
    SEG_ATTR_ITALIC = 1 << 4,
    SEG_ATTR_STANDOUT = 1 << 5,
};

struct seg_style {
    int16_t fg, bg;
    uint16_t attrs; /* enum seg_attr bits */
};

#define SEG_THEME_NAME_MAX 48

struct seg_theme {
    char name[SEG_THEME_NAME_MAX];
    struct seg_style style[SEG_ROLE__COUNT];
};

/* "normal", "title_focus", ... as written in theme files; NULL out of range. */
const char *seg_theme_role_name(enum seg_role r);

/* Parses a theme from text[0..len) (need not be NUL-terminated; at most 64 KiB). `file`
 * names it in errors ("file:line: message"). Unset roles inherit; *out is written only on
 * success. */
enum seg_err seg_theme_parse(const char *text, size_t len, const char *file, const char *name,
                             struct seg_theme *out, struct seg_errmsg *err) SEG_MUST_USE;

/* The nearest of the 8 basic colours for a palette index (xterm-256 RGB distance), for
 * 8-colour terminals; -1 stays -1. */
int seg_theme_color_to8(int color);

/* Built-in theme files compiled from themes/ (themes/CMakeLists.txt). */
struct seg_theme_source {
    const char *name; /* file name without .theme */
    const char *text;
    size_t len;
};
extern const struct seg_theme_source seg_builtin_themes[];
extern const size_t seg_builtin_themes_count;

/* The themes available: built-ins, then *.theme files of dir (a user file with a built-in's
 * name replaces it). Bad files are skipped, and the first error is reported in *err (the
 * caller shows it); returns the number loaded (>= 1: a hard-coded fallback if all fail). */
struct seg_theme_list {
    size_t n;
    struct seg_theme *themes;
};
void seg_theme_list_load(struct seg_theme_list *list, const char *dir, struct seg_errmsg *err);
void seg_theme_list_release(struct seg_theme_list *list);
/* Index of a theme by name, or -1. */
int seg_theme_list_find(const struct seg_theme_list *list, const char *name);
/* $XDG_CONFIG_HOME/segtop/themes (or ~/.config/segtop/themes); NULL if neither is set.
 * Caller frees. */
char *seg_theme_user_dir(void);

#endif
