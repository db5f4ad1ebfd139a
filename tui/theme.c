/* Theme files: parser (pure, fuzzed), inheritance of unset roles, 256->8 colour mapping, and
 * the list of built-in plus user themes. */
#include "theme.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <dirent.h>
#include <strings.h>

#include "util/xalloc.h"

#define THEME_MAX_BYTES (64 * 1024)

static const char *const role_names[SEG_ROLE__COUNT] = {
    [SEG_ROLE_NORMAL] = "normal",
    [SEG_ROLE_DIM] = "dim",
    [SEG_ROLE_TITLE] = "title",
    [SEG_ROLE_TITLE_FOCUS] = "title_focus",
    [SEG_ROLE_BORDER] = "border",
    [SEG_ROLE_HEADER] = "header",
    [SEG_ROLE_HEADER_VALUE] = "header_value",
    [SEG_ROLE_BADGE] = "badge",
    [SEG_ROLE_METER_OK] = "meter_ok",
    [SEG_ROLE_METER_WARN] = "meter_warn",
    [SEG_ROLE_METER_BAD] = "meter_bad",
    [SEG_ROLE_GOOD] = "good",
    [SEG_ROLE_WARN] = "warn",
    [SEG_ROLE_BAD] = "bad",
    [SEG_ROLE_BAR] = "bar",
    [SEG_ROLE_BAR_ALT] = "bar_alt",
    [SEG_ROLE_LIMIT] = "limit",
    [SEG_ROLE_SELECTION] = "selection",
    [SEG_ROLE_STATUS] = "status",
    [SEG_ROLE_KEY] = "key",
    [SEG_ROLE_KEY_LABEL] = "key_label",
    [SEG_ROLE_SITE_IDLE] = "site_idle",
    [SEG_ROLE_SITE_TRIGGERED] = "site_triggered",
    [SEG_ROLE_SITE_RUNNING] = "site_running",
    [SEG_ROLE_SITE_OK_COLD] = "site_ok_cold",
    [SEG_ROLE_SITE_OK_WARM] = "site_ok_warm",
    [SEG_ROLE_SITE_ERROR] = "site_error",
    [SEG_ROLE_SITE_TIMEOUT] = "site_timeout",
    [SEG_ROLE_SITE_THROTTLED] = "site_throttled",
    [SEG_ROLE_SITE_MISSING] = "site_missing",
};

/* Where an unset role takes its style from; parents come before children in enum order,
 * so one pass in order resolves chains. */
static const enum seg_role role_parent[SEG_ROLE__COUNT] = {
    [SEG_ROLE_NORMAL] = SEG_ROLE_NORMAL,
    [SEG_ROLE_DIM] = SEG_ROLE_NORMAL,
    [SEG_ROLE_TITLE] = SEG_ROLE_NORMAL,
    [SEG_ROLE_TITLE_FOCUS] = SEG_ROLE_TITLE,
    [SEG_ROLE_BORDER] = SEG_ROLE_DIM,
    [SEG_ROLE_HEADER] = SEG_ROLE_NORMAL,
    [SEG_ROLE_HEADER_VALUE] = SEG_ROLE_NORMAL,
    [SEG_ROLE_BADGE] = SEG_ROLE_NORMAL,
    [SEG_ROLE_METER_OK] = SEG_ROLE_NORMAL,
    [SEG_ROLE_METER_WARN] = SEG_ROLE_METER_OK,
    [SEG_ROLE_METER_BAD] = SEG_ROLE_METER_WARN,
    [SEG_ROLE_GOOD] = SEG_ROLE_NORMAL,
    [SEG_ROLE_WARN] = SEG_ROLE_NORMAL,
    [SEG_ROLE_BAD] = SEG_ROLE_NORMAL,
    [SEG_ROLE_BAR] = SEG_ROLE_NORMAL,
    [SEG_ROLE_BAR_ALT] = SEG_ROLE_BAR,
    [SEG_ROLE_LIMIT] = SEG_ROLE_BAD,
    [SEG_ROLE_SELECTION] = SEG_ROLE_NORMAL,
    [SEG_ROLE_STATUS] = SEG_ROLE_NORMAL,
    [SEG_ROLE_KEY] = SEG_ROLE_NORMAL,
    [SEG_ROLE_KEY_LABEL] = SEG_ROLE_NORMAL,
    [SEG_ROLE_SITE_IDLE] = SEG_ROLE_DIM,
    [SEG_ROLE_SITE_TRIGGERED] = SEG_ROLE_NORMAL,
    [SEG_ROLE_SITE_RUNNING] = SEG_ROLE_NORMAL,
    [SEG_ROLE_SITE_OK_COLD] = SEG_ROLE_GOOD,
    [SEG_ROLE_SITE_OK_WARM] = SEG_ROLE_GOOD,
    [SEG_ROLE_SITE_ERROR] = SEG_ROLE_BAD,
    [SEG_ROLE_SITE_TIMEOUT] = SEG_ROLE_BAD,
    [SEG_ROLE_SITE_THROTTLED] = SEG_ROLE_WARN,
    [SEG_ROLE_SITE_MISSING] = SEG_ROLE_WARN,
};

const char *seg_theme_role_name(enum seg_role r)
{
    if ((int)r < 0 || r >= SEG_ROLE__COUNT)
        return NULL;
    return role_names[r];
}

static const char *const basic_names[8] = {"black", "red",     "green", "yellow",
                                           "blue",  "magenta", "cyan",  "white"};

static const struct {
    const char *name;
    uint16_t bit;
} attr_names[] = {
    {"bold", SEG_ATTR_BOLD},       {"dim", SEG_ATTR_DIM},       {"underline", SEG_ATTR_UNDERLINE},
    {"reverse", SEG_ATTR_REVERSE}, {"italic", SEG_ATTR_ITALIC}, {"standout", SEG_ATTR_STANDOUT},
};

/* A token: [b, e) with surrounding blanks removed. */
struct tok {
    const char *b, *e;
};

static struct tok trim(const char *b, const char *e)
{
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    return (struct tok){b, e};
}

static bool tok_eq(struct tok t, const char *s)
{
    size_t n = (size_t)(t.e - t.b);
    return strlen(s) == n && strncasecmp(t.b, s, n) == 0;
}

/* Copies a token into buf for error messages, printable ASCII only (theme files are user
 * input shown on a terminal). */
static const char *tok_show(struct tok t, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = t.b; p < t.e && n + 1 < size; p++)
        buf[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    buf[n] = 0;
    return buf;
}

static bool parse_color(struct tok t, int16_t *out)
{
    if (tok_eq(t, "default") || tok_eq(t, "-1")) {
        *out = SEG_COLOR_DEFAULT;
        return true;
    }
    size_t n = (size_t)(t.e - t.b);
    if (n >= 1 && n <= 3 && isdigit((unsigned char)t.b[0])) {
        int v = 0;
        for (const char *p = t.b; p < t.e; p++) {
            if (!isdigit((unsigned char)*p))
                return false;
            v = v * 10 + (*p - '0');
        }
        if (v > 255)
            return false;
        *out = (int16_t)v;
        return true;
    }
    int bright = 0;
    if (n > 7 && strncasecmp(t.b, "bright-", 7) == 0) {
        bright = 8;
        t.b += 7;
    }
    for (int i = 0; i < 8; i++) {
        if (tok_eq(t, basic_names[i])) {
            *out = (int16_t)(i + bright);
            return true;
        }
    }
    return false;
}

/* Attributes: words separated by blanks or '|'; "none" or empty is 0. */
static bool parse_attrs(struct tok t, uint16_t *out, struct tok *bad)
{
    uint16_t a = 0;
    const char *p = t.b;
    while (p < t.e) {
        while (p < t.e && (*p == ' ' || *p == '\t' || *p == '|'))
            p++;
        const char *w = p;
        while (p < t.e && *p != ' ' && *p != '\t' && *p != '|')
            p++;
        if (w == p)
            break;
        struct tok word = {w, p};
        if (tok_eq(word, "none"))
            continue;
        bool found = false;
        for (size_t i = 0; i < SEG_ARRAY_LEN(attr_names); i++) {
            if (tok_eq(word, attr_names[i].name)) {
                a |= attr_names[i].bit;
                found = true;
            }
        }
        if (!found) {
            *bad = word;
            return false;
        }
    }
    *out = a;
    return true;
}

static int find_role(struct tok t)
{
    for (int r = 0; r < SEG_ROLE__COUNT; r++)
        if (tok_eq(t, role_names[r]))
            return r;
    return -1;
}

enum seg_err seg_theme_parse(const char *text, size_t len, const char *file, const char *name,
                             struct seg_theme *out, struct seg_errmsg *err)
{
    struct seg_theme th;
    bool set[SEG_ROLE__COUNT] = {false};
    char shown[64];
    enum seg_err rc = SEG_OK;
    size_t lineno = 0;

    if (!file)
        file = "<theme>";
    memset(&th, 0, sizeof th);
    snprintf(th.name, sizeof th.name, "%s", name ? name : "theme");
    if (len > THEME_MAX_BYTES) {
        seg_errmsg_set(err, "%s: theme file larger than %d bytes", file, THEME_MAX_BYTES);
        return SEG_ERR_TOOBIG;
    }
    const char *p = text, *end = text + len;
    while (p < end) {
        lineno++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *hash = memchr(p, '#', (size_t)(le - p));
        struct tok line = trim(p, hash ? hash : le);
        p = nl ? nl + 1 : end;
        if (line.b == line.e)
            continue;
        if (memchr(line.b, '\0', (size_t)(line.e - line.b))) {
            seg_errmsg_set(err, "%s:%zu: NUL byte", file, lineno);
            rc = SEG_ERR_PARSE;
            goto out;
        }
        const char *eq = memchr(line.b, '=', (size_t)(line.e - line.b));
        if (!eq) {
            seg_errmsg_set(err, "%s:%zu: expected 'role = fg, bg, attributes'", file, lineno);
            rc = SEG_ERR_PARSE;
            goto out;
        }
        struct tok key = trim(line.b, eq);
        int role = find_role(key);
        if (role < 0) {
            seg_errmsg_set(err, "%s:%zu: unknown role '%s'", file, lineno,
                           tok_show(key, shown, sizeof shown));
            rc = SEG_ERR_PARSE;
            goto out;
        }
        /* Up to three comma-separated fields; a fourth is an error. */
        struct tok f[3] = {{eq + 1, eq + 1}, {line.e, line.e}, {line.e, line.e}};
        int nf = 0;
        const char *q = eq + 1;
        while (1) {
            const char *c = memchr(q, ',', (size_t)(line.e - q));
            if (nf == 3) {
                seg_errmsg_set(err, "%s:%zu: too many fields (fg, bg, attributes)", file, lineno);
                rc = SEG_ERR_PARSE;
                goto out;
            }
            f[nf++] = trim(q, c ? c : line.e);
            if (!c)
                break;
            q = c + 1;
        }
        struct seg_style st = {SEG_COLOR_DEFAULT, SEG_COLOR_DEFAULT, 0};
        if (f[0].b == f[0].e) {
            seg_errmsg_set(err, "%s:%zu: missing foreground colour", file, lineno);
            rc = SEG_ERR_PARSE;
            goto out;
        }
        if (!parse_color(f[0], &st.fg)) {
            seg_errmsg_set(err, "%s:%zu: unknown colour '%s'", file, lineno,
                           tok_show(f[0], shown, sizeof shown));
            rc = SEG_ERR_PARSE;
            goto out;
        }
        if (nf >= 2 && f[1].b != f[1].e && !parse_color(f[1], &st.bg)) {
            seg_errmsg_set(err, "%s:%zu: unknown colour '%s'", file, lineno,
                           tok_show(f[1], shown, sizeof shown));
            rc = SEG_ERR_PARSE;
            goto out;
        }
        struct tok bad = {0};
        if (nf >= 3 && !parse_attrs(f[2], &st.attrs, &bad)) {
            seg_errmsg_set(err, "%s:%zu: unknown attribute '%s'", file, lineno,
                           tok_show(bad, shown, sizeof shown));
            rc = SEG_ERR_PARSE;
            goto out;
        }
        th.style[role] = st;
        set[role] = true;
    }
    if (!set[SEG_ROLE_NORMAL])
        th.style[SEG_ROLE_NORMAL] = (struct seg_style){SEG_COLOR_DEFAULT, SEG_COLOR_DEFAULT, 0};
    for (int r = 1; r < SEG_ROLE__COUNT; r++)
        if (!set[r])
            th.style[r] = th.style[role_parent[r]];
    *out = th;
out:
    return rc;
}

/* xterm-256 palette in RGB: 16 system colours, a 6x6x6 cube, 24 greys. */
static void palette_rgb(int c, int rgb[3])
{
    static const int sys[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    if (c < 16) {
        memcpy(rgb, sys[c], sizeof sys[c]);
    } else if (c < 232) {
        static const int lv[6] = {0, 95, 135, 175, 215, 255};
        c -= 16;
        rgb[0] = lv[c / 36];
        rgb[1] = lv[(c / 6) % 6];
        rgb[2] = lv[c % 6];
    } else {
        int g = 8 + (c - 232) * 10;
        rgb[0] = rgb[1] = rgb[2] = g;
    }
}

int seg_theme_color_to8(int color)
{
    if (color < 0)
        return -1;
    if (color < 8)
        return color;
    if (color < 16)
        return color - 8; /* bright-x -> x: the closest hue, not the closest RGB */
    int rgb[3];
    palette_rgb(color > 255 ? 255 : color, rgb);
    /* Hue first: which channels are clearly on. A grey maps to black or white. */
    int mx = rgb[0] > rgb[1] ? rgb[0] : rgb[1];
    mx = mx > rgb[2] ? mx : rgb[2];
    int mn = rgb[0] < rgb[1] ? rgb[0] : rgb[1];
    mn = mn < rgb[2] ? mn : rgb[2];
    if (mx - mn < 40)
        return mx >= 128 ? 7 : 0;
    int bits = 0;
    for (int i = 0; i < 3; i++)
        if (rgb[i] - mn > (mx - mn) / 2)
            bits |= 1 << i;
    return bits; /* 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan */
}

/* A safe theme when every file fails: attributes only, readable anywhere. */
static void fallback_theme(struct seg_theme *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "builtin");
    for (int r = 0; r < SEG_ROLE__COUNT; r++)
        t->style[r] = (struct seg_style){SEG_COLOR_DEFAULT, SEG_COLOR_DEFAULT, 0};
    t->style[SEG_ROLE_TITLE_FOCUS].attrs = SEG_ATTR_REVERSE;
    t->style[SEG_ROLE_SELECTION].attrs = SEG_ATTR_REVERSE;
    t->style[SEG_ROLE_BAD].attrs = SEG_ATTR_BOLD;
}

static void list_put(struct seg_theme_list *list, const struct seg_theme *t)
{
    int at = seg_theme_list_find(list, t->name);
    if (at >= 0) {
        list->themes[at] = *t;
        return;
    }
    list->themes = seg_xrealloc(list->themes, (list->n + 1) * sizeof *list->themes);
    list->themes[list->n++] = *t;
}

static bool name_ok(const char *n, size_t len)
{
    if (len == 0 || len >= SEG_THEME_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '-' && n[i] != '_' && n[i] != '.')
            return false;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads up to THEME_MAX_BYTES + 1 bytes (so an oversized file is reported as such). */
static char *read_small(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = seg_xmalloc(THEME_MAX_BYTES + 2);
    size_t n = fread(buf, 1, THEME_MAX_BYTES + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static void load_dir(struct seg_theme_list *list, const char *dir, struct seg_errmsg *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t nn = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 6 && strcmp(de->d_name + l - 6, ".theme") == 0 && name_ok(de->d_name, l - 6)) {
            names = seg_xrealloc(names, (nn + 1) * sizeof *names);
            names[nn++] = seg_xstrdup(de->d_name);
        }
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str); /* deterministic order for `t` */
    for (size_t i = 0; i < nn; i++) {
        char *path = seg_xasprintf("%s/%s", dir, names[i]);
        char *name = seg_xstrndup(names[i], strlen(names[i]) - 6);
        size_t len = 0;
        char *text = read_small(path, &len);
        struct seg_theme t;
        struct seg_errmsg e = {{0}};
        if (!text) {
            seg_errmsg_set(&e, "%s: %s", path, strerror(errno));
        } else if (seg_theme_parse(text, len, path, name, &t, &e) == SEG_OK) {
            list_put(list, &t);
            e.text[0] = 0;
        }
        if (e.text[0] && err && !err->text[0])
            *err = e;
        free(text);
        free(name);
        free(path);
        free(names[i]);
    }
    free(names);
}

void seg_theme_list_load(struct seg_theme_list *list, const char *dir, struct seg_errmsg *err)
{
    list->n = 0;
    list->themes = NULL;
    for (size_t i = 0; i < seg_builtin_themes_count; i++) {
        const struct seg_theme_source *src = &seg_builtin_themes[i];
        struct seg_theme t;
        char file[96];
        snprintf(file, sizeof file, "themes/%s.theme", src->name);
        struct seg_errmsg e = {{0}};
        if (seg_theme_parse(src->text, src->len, file, src->name, &t, &e) == SEG_OK)
            list_put(list, &t);
        else if (err && !err->text[0])
            *err = e;
    }
    if (dir)
        load_dir(list, dir, err);
    if (list->n == 0) {
        struct seg_theme t;
        fallback_theme(&t);
        list_put(list, &t);
    }
}

void seg_theme_list_release(struct seg_theme_list *list)
{
    free(list->themes);
    list->themes = NULL;
    list->n = 0;
}

int seg_theme_list_find(const struct seg_theme_list *list, const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->themes[i].name, name) == 0)
            return (int)i;
    return -1;
}

char *seg_theme_user_dir(void)
{
    const char *x = getenv("XDG_CONFIG_HOME");
    if (x && x[0] == '/')
        return seg_xasprintf("%s/segtop/themes", x);
    const char *h = getenv("HOME");
    if (h && *h)
        return seg_xasprintf("%s/.config/segtop/themes", h);
    return NULL;
}
