/* Command line and config file parsing: defaults, values, errors naming what and where. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli/options.h"
#include "seg_test.h"

static enum seg_err parse(struct seg_options *o, struct seg_errmsg *err, int argc,
                          const char **argv)
{
    seg_options_init(o);
    return seg_options_parse(o, argc, (char **)argv, err);
}

static void test_defaults(void **state)
{
    (void)state;
    struct seg_options o;
    struct seg_errmsg err = {{0}};
    /* An empty XDG dir so no user config file interferes. */
    char *dir = seg_test_tmpdir();
    setenv("XDG_CONFIG_HOME", dir, 1);
    assert_int_equal(parse(&o, &err, 0, NULL), SEG_OK);
    assert_int_equal(o.command, SEG_CMD_DASHBOARD);
    assert_int_equal(o.sites, 300);
    assert_int_equal(o.trigger, SEG_TRIGGER_S3);
    assert_int_equal(o.nwaves, 8);
    assert_int_equal(o.waves[0], 1);
    assert_int_equal(o.waves[7], 300);
    assert_true(o.gap_s == 30);
    assert_true(o.log_tps == 4);
    assert_int_equal(o.trigger_retries, 0);
    seg_options_release(&o);
    free(dir);
}

static void test_values(void **state)
{
    (void)state;
    struct seg_options o;
    struct seg_errmsg err = {{0}};
    const char *argv[] = {"--sites=50", "--waves", "1,5,10", "--gap",      "500ms",    "--trigger",
                          "invoke",     "--aws",   "--yes",  "--headless", "--region", "eu-west-1"};
    assert_int_equal(parse(&o, &err, (int)SEG_ARRAY_LEN(argv), argv), SEG_OK);
    assert_int_equal(o.command, SEG_CMD_HEADLESS);
    assert_int_equal(o.sites, 50);
    assert_int_equal(o.nwaves, 3);
    assert_int_equal(o.waves[2], 10);
    assert_true(o.gap_s > 0.499 && o.gap_s < 0.501);
    assert_int_equal(o.trigger, SEG_TRIGGER_INVOKE);
    assert_true(o.aws && o.yes);
    assert_string_equal(o.region, "eu-west-1");
    seg_options_release(&o);
}

static void test_errors(void **state)
{
    (void)state;
    struct seg_options o;
    struct seg_errmsg err = {{0}};
    const char *a1[] = {"--sites", "0"};
    assert_int_equal(parse(&o, &err, 2, a1), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "--sites: '0'"));
    seg_options_release(&o);
    const char *a2[] = {"--frobnicate"};
    assert_int_equal(parse(&o, &err, 1, a2), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "unknown option '--frobnicate'"));
    seg_options_release(&o);
    const char *a3[] = {"--trigger", "lambda"};
    assert_int_equal(parse(&o, &err, 2, a3), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "s3, invoke, event"));
    seg_options_release(&o);
    const char *a4[] = {"--waves", "1,,3"};
    assert_int_equal(parse(&o, &err, 2, a4), SEG_ERR_INVALID);
    seg_options_release(&o);
    const char *a5[] = {"sim", "--listen", "192.168.1.5:80"};
    assert_int_equal(parse(&o, &err, 3, a5), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "loopback"));
    seg_options_release(&o);
    const char *a6[] = {"sim", "--listen", "[::1]:0"};
    assert_int_equal(parse(&o, &err, 3, a6), SEG_OK);
    assert_int_equal(o.command, SEG_CMD_SIM);
    seg_options_release(&o);
    const char *a7[] = {"--gap", "5 parsecs"};
    assert_int_equal(parse(&o, &err, 2, a7), SEG_ERR_INVALID);
    seg_options_release(&o);
    const char *a8[] = {"replay"};
    assert_int_equal(parse(&o, &err, 1, a8), SEG_ERR_INVALID);
    seg_options_release(&o);
    const char *a9[] = {"replay", "a.csv", "b.csv", "--headless"};
    assert_int_equal(parse(&o, &err, 4, a9), SEG_OK);
    assert_int_equal(o.nreplay, 2);
    assert_string_equal(o.replay_files[1], "b.csv");
    seg_options_release(&o);
}

static void test_help_wins(void **state)
{
    (void)state;
    struct seg_options o;
    struct seg_errmsg err = {{0}};
    const char *argv[] = {"--config", "/nonexistent", "--sites", "x", "--help"};
    assert_int_equal(parse(&o, &err, 5, argv), SEG_OK);
    assert_int_equal(o.command, SEG_CMD_HELP);
    seg_options_release(&o);
}

static void test_config_file(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/config", dir);
    seg_test_write_file(path, "# comment\n"
                              "sites = 40\n"
                              "  trigger=event  \n"
                              "region = ap-south-1\n"
                              "yes\n");
    struct seg_options o;
    struct seg_errmsg err = {{0}};
    const char *argv[] = {"--config", path, "--sites", "20"};
    assert_int_equal(parse(&o, &err, 4, argv), SEG_OK);
    assert_int_equal(o.sites, 20); /* command line wins */
    assert_int_equal(o.trigger, SEG_TRIGGER_EVENT);
    assert_true(o.yes);
    /* The file's region ranks below AWS_REGION: it is kept apart. */
    assert_null(o.region);
    assert_string_equal(o.config_region, "ap-south-1");
    seg_options_release(&o);

    seg_test_write_file(path, "sites = 40\n\nbogus-key = 1\n");
    const char *a2[] = {"--config", path};
    assert_int_equal(parse(&o, &err, 2, a2), SEG_ERR_INVALID);
    char want[600];
    snprintf(want, sizeof want, "%s:3: unknown setting 'bogus-key'", path);
    assert_non_null(strstr(err.text, want));
    seg_options_release(&o);

    seg_test_write_file(path, "sites = lots\n");
    assert_int_equal(parse(&o, &err, 2, a2), SEG_ERR_INVALID);
    snprintf(want, sizeof want, "%s:1: sites: 'lots'", path);
    assert_non_null(strstr(err.text, want));
    seg_options_release(&o);

    /* The default file under $XDG_CONFIG_HOME/segtop/config is read when present. */
    char sub[512];
    snprintf(sub, sizeof sub, "%s/segtop", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof path, "%s/segtop/config", dir);
    seg_test_write_file(path, "sites = 7\n");
    setenv("XDG_CONFIG_HOME", dir, 1);
    assert_int_equal(parse(&o, &err, 0, NULL), SEG_OK);
    assert_int_equal(o.sites, 7);
    seg_options_release(&o);
    unsetenv("XDG_CONFIG_HOME");
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_help_wins),
        cmocka_unit_test(test_config_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
