/* Theme files: the format, errors naming file and line, inheritance, the shipped themes,
 * user themes overriding built-ins, and the 256 -> 8 colour mapping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "seg_test.h"
#include "theme.h"

static const char *themes_dir; /* the source tree's themes/ (argv[1]) */

static enum seg_err parse(const char *text, struct seg_theme *t, struct seg_errmsg *e)
{
    return seg_theme_parse(text, strlen(text), "t.theme", "t", t, e);
}

static void test_format(void **state)
{
    (void)state;
    struct seg_theme t;
    struct seg_errmsg e = {{0}};
    const char *text = "# a comment\n"
                       "\n"
                       "normal = white, black\n"
                       "  title=bright-yellow ,  default , bold underline  # trailing\n"
                       "bar = 75\n"
                       "badge = 0, 214, reverse|bold\n"
                       "selection = default, default, none\r\n"
                       "site_error = RED, , bold\n";
    assert_int_equal(parse(text, &t, &e), SEG_OK);
    assert_string_equal(t.name, "t");
    assert_int_equal(t.style[SEG_ROLE_NORMAL].fg, 7);
    assert_int_equal(t.style[SEG_ROLE_NORMAL].bg, 0);
    assert_int_equal(t.style[SEG_ROLE_TITLE].fg, 11);
    assert_int_equal(t.style[SEG_ROLE_TITLE].bg, SEG_COLOR_DEFAULT);
    assert_int_equal(t.style[SEG_ROLE_TITLE].attrs, SEG_ATTR_BOLD | SEG_ATTR_UNDERLINE);
    assert_int_equal(t.style[SEG_ROLE_BAR].fg, 75);
    assert_int_equal(t.style[SEG_ROLE_BAR].bg, SEG_COLOR_DEFAULT);
    assert_int_equal(t.style[SEG_ROLE_BAR].attrs, 0);
    assert_int_equal(t.style[SEG_ROLE_BADGE].attrs, SEG_ATTR_REVERSE | SEG_ATTR_BOLD);
    assert_int_equal(t.style[SEG_ROLE_SELECTION].attrs, 0);
    assert_int_equal(t.style[SEG_ROLE_SITE_ERROR].fg, 1);
    assert_int_equal(t.style[SEG_ROLE_SITE_ERROR].bg, SEG_COLOR_DEFAULT);
}

static void test_inheritance(void **state)
{
    (void)state;
    struct seg_theme t;
    assert_int_equal(parse("normal = 250, 16\nbad = 203, default, bold\n", &t, NULL), SEG_OK);
    /* title_focus <- title <- normal; site_error <- bad; limit <- bad. */
    assert_int_equal(t.style[SEG_ROLE_TITLE_FOCUS].fg, 250);
    assert_int_equal(t.style[SEG_ROLE_TITLE_FOCUS].bg, 16);
    assert_int_equal(t.style[SEG_ROLE_SITE_ERROR].fg, 203);
    assert_int_equal(t.style[SEG_ROLE_SITE_ERROR].attrs, SEG_ATTR_BOLD);
    assert_int_equal(t.style[SEG_ROLE_LIMIT].fg, 203);
    /* site_idle <- dim <- normal. */
    assert_int_equal(t.style[SEG_ROLE_SITE_IDLE].fg, 250);
    /* An empty file is a valid theme: terminal defaults everywhere. */
    assert_int_equal(parse("", &t, NULL), SEG_OK);
    assert_int_equal(t.style[SEG_ROLE_BAR].fg, SEG_COLOR_DEFAULT);
}

static void expect_error(const char *text, const char *msg)
{
    struct seg_theme t;
    memset(&t, 0x5a, sizeof t);
    struct seg_theme before = t;
    struct seg_errmsg e = {{0}};
    assert_int_not_equal(parse(text, &t, &e), SEG_OK);
    if (!strstr(e.text, msg))
        fail_msg("error '%s' lacks '%s'", e.text, msg);
    assert_memory_equal(&t, &before, sizeof t); /* output untouched on failure */
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("normal = white\nbar = purplish\n", "t.theme:2: unknown colour 'purplish'");
    expect_error("# c\n\nnope = red\n", "t.theme:3: unknown role 'nope'");
    expect_error("normal white\n", "t.theme:1: expected 'role = fg, bg, attributes'");
    expect_error("normal = red, blue, bold, extra\n", "t.theme:1: too many fields");
    expect_error("normal = red, blue, blinky\n", "t.theme:1: unknown attribute 'blinky'");
    expect_error("normal = 256\n", "unknown colour '256'");
    expect_error("normal = 1000\n", "unknown colour");
    expect_error("normal = -2\n", "unknown colour");
    expect_error("normal = ,red\n", "missing foreground");
    expect_error("normal = red, bright-\n", "unknown colour 'bright-'");
    /* Control bytes in an error message are shown as '?', never raw. */
    expect_error("\x1b[2Jrole = red\n", "unknown role '?[2Jrole'");
    char big[70000];
    memset(big, '#', sizeof big);
    struct seg_theme t;
    struct seg_errmsg e = {{0}};
    assert_int_equal(seg_theme_parse(big, sizeof big, "big.theme", "big", &t, &e), SEG_ERR_TOOBIG);
    assert_non_null(strstr(e.text, "big.theme"));
    /* NUL inside a line. */
    assert_int_equal(seg_theme_parse("normal = red\0x\n", 15, "n.theme", "n", &t, &e),
                     SEG_ERR_PARSE);
}

static void test_shipped_themes(void **state)
{
    (void)state;
    const char *want[] = {"default", "light", "mono", "high-contrast", "colorblind"};
    assert_true(seg_builtin_themes_count >= SEG_ARRAY_LEN(want));
    for (size_t i = 0; i < SEG_ARRAY_LEN(want); i++) {
        bool found = false;
        for (size_t j = 0; j < seg_builtin_themes_count; j++) {
            const struct seg_theme_source *s = &seg_builtin_themes[j];
            if (strcmp(s->name, want[i]) != 0)
                continue;
            found = true;
            struct seg_theme t;
            struct seg_errmsg e = {{0}};
            if (seg_theme_parse(s->text, s->len, s->name, s->name, &t, &e) != SEG_OK)
                fail_msg("%s", e.text);
            /* Every role is set explicitly in the shipped themes (complete examples). */
            for (int r = 0; r < SEG_ROLE__COUNT; r++) {
                char needle[64];
                snprintf(needle, sizeof needle, "\n%s ", seg_theme_role_name((enum seg_role)r));
                if (!strstr(s->text, needle))
                    fail_msg("%s.theme does not set %s", s->name,
                             seg_theme_role_name((enum seg_role)r));
            }
        }
        if (!found)
            fail_msg("built-in theme %s missing", want[i]);
    }
    /* The compiled bytes are the files' bytes. */
    if (themes_dir) {
        char path[512];
        snprintf(path, sizeof path, "%s/default.theme", themes_dir);
        size_t len = 0;
        char *file = seg_test_read_file(path, &len);
        assert_non_null(file);
        for (size_t j = 0; j < seg_builtin_themes_count; j++)
            if (!strcmp(seg_builtin_themes[j].name, "default")) {
                assert_int_equal(seg_builtin_themes[j].len, len);
                assert_memory_equal(seg_builtin_themes[j].text, file, len);
            }
        free(file);
    }
    /* Mono uses no colour at all (NO_COLOR's theme). */
    struct seg_theme_list list;
    seg_theme_list_load(&list, NULL, NULL);
    int m = seg_theme_list_find(&list, "mono");
    assert_true(m >= 0);
    for (int r = 0; r < SEG_ROLE__COUNT; r++) {
        assert_int_equal(list.themes[m].style[r].fg, SEG_COLOR_DEFAULT);
        assert_int_equal(list.themes[m].style[r].bg, SEG_COLOR_DEFAULT);
    }
    seg_theme_list_release(&list);
}

static void test_user_dir(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    char path[600];
    snprintf(path, sizeof path, "%s/default.theme", dir);
    seg_test_write_file(path, "normal = 1, 2\n");
    snprintf(path, sizeof path, "%s/zz-mine.theme", dir);
    seg_test_write_file(path, "normal = 3\n");
    snprintf(path, sizeof path, "%s/broken.theme", dir);
    seg_test_write_file(path, "normal = 3\n\n\nbar = 7, 8, shiny\n");
    snprintf(path, sizeof path, "%s/bad name!.theme", dir); /* not a usable name: skipped */
    seg_test_write_file(path, "normal = 3\n");
    snprintf(path, sizeof path, "%s/notatheme.txt", dir);
    seg_test_write_file(path, "garbage");

    struct seg_theme_list list;
    struct seg_errmsg e = {{0}};
    seg_theme_list_load(&list, dir, &e);
    /* The bad file is reported with its path and line, and left out. */
    assert_non_null(strstr(e.text, "broken.theme:4: unknown attribute 'shiny'"));
    assert_int_equal(seg_theme_list_find(&list, "broken"), -1);
    assert_int_equal(seg_theme_list_find(&list, "bad name!"), -1);
    /* A user file with a built-in's name replaces it. */
    int d = seg_theme_list_find(&list, "default");
    assert_true(d >= 0);
    assert_int_equal(list.themes[d].style[SEG_ROLE_NORMAL].fg, 1);
    assert_int_equal(list.themes[d].style[SEG_ROLE_NORMAL].bg, 2);
    int z = seg_theme_list_find(&list, "zz-mine");
    assert_true(z >= 0);
    assert_int_equal((size_t)z, list.n - 1);
    assert_int_equal(list.n, seg_builtin_themes_count + 1);
    seg_theme_list_release(&list);

    /* A missing directory is not an error. */
    struct seg_errmsg e2 = {{0}};
    seg_theme_list_load(&list, "/nonexistent/segtop/themes", &e2);
    assert_string_equal(e2.text, "");
    assert_int_equal(list.n, seg_builtin_themes_count);
    seg_theme_list_release(&list);
    free(dir);
}

static void test_user_dir_env(void **state)
{
    (void)state;
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    char *d = seg_theme_user_dir();
    assert_string_equal(d, "/x/cfg/segtop/themes");
    free(d);
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    d = seg_theme_user_dir();
    assert_string_equal(d, "/home/u/.config/segtop/themes");
    free(d);
    /* A relative XDG_CONFIG_HOME is invalid per the spec: ignored. */
    setenv("XDG_CONFIG_HOME", "rel", 1);
    d = seg_theme_user_dir();
    assert_string_equal(d, "/home/u/.config/segtop/themes");
    free(d);
}

static void test_to8(void **state)
{
    (void)state;
    assert_int_equal(seg_theme_color_to8(-1), -1);
    for (int c = 0; c < 8; c++)
        assert_int_equal(seg_theme_color_to8(c), c);
    assert_int_equal(seg_theme_color_to8(9), 1);   /* bright red -> red */
    assert_int_equal(seg_theme_color_to8(15), 7);  /* bright white -> white */
    assert_int_equal(seg_theme_color_to8(196), 1); /* #ff0000 */
    assert_int_equal(seg_theme_color_to8(46), 2);  /* #00ff00 */
    assert_int_equal(seg_theme_color_to8(21), 4);  /* #0000ff */
    assert_int_equal(seg_theme_color_to8(226), 3); /* #ffff00 */
    assert_int_equal(seg_theme_color_to8(201), 5); /* #ff00ff */
    assert_int_equal(seg_theme_color_to8(51), 6);  /* #00ffff */
    assert_int_equal(seg_theme_color_to8(214), 3); /* orange -> yellow */
    assert_int_equal(seg_theme_color_to8(75), 4);  /* sky blue -> blue */
    assert_int_equal(seg_theme_color_to8(203), 1); /* salmon -> red */
    assert_int_equal(seg_theme_color_to8(232), 0); /* dark grey -> black */
    assert_int_equal(seg_theme_color_to8(255), 7); /* light grey -> white */
    for (int c = 0; c < 256; c++) {
        int v = seg_theme_color_to8(c);
        assert_true(v >= 0 && v < 8);
    }
}

int main(int argc, char **argv)
{
    themes_dir = argc > 1 ? argv[1] : NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),   cmocka_unit_test(test_inheritance),
        cmocka_unit_test(test_errors),   cmocka_unit_test(test_shipped_themes),
        cmocka_unit_test(test_user_dir), cmocka_unit_test(test_user_dir_env),
        cmocka_unit_test(test_to8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
