/* simapi.sites: the simulator's site table from patterns and from a sites CSV, and errors
 * that name the pattern or the file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/sites.h"
#include "seg_test.h"

static void test_pattern_expand(void **state)
{
    (void)state;
    struct seg_errmsg err = {{0}};
    char *out = NULL;
    assert_int_equal(seg_sites_pattern_expand("site{n}-lambdafunction", 7, NULL, &out, &err),
                     SEG_OK);
    assert_string_equal(out, "site7-lambdafunction");
    free(out);
    assert_int_equal(seg_sites_pattern_expand("/aws/lambda/{function}", 3, "f3", &out, &err),
                     SEG_OK);
    assert_string_equal(out, "/aws/lambda/f3");
    free(out);
    assert_int_equal(seg_sites_pattern_expand("a{n}b{n}", 12, NULL, &out, &err), SEG_OK);
    assert_string_equal(out, "a12b12");
    free(out);
    /* {function} is only known where a function exists */
    assert_int_equal(seg_sites_pattern_expand("x{function}", 1, NULL, &out, &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "{function}"));
    assert_int_equal(seg_sites_pattern_expand("x{site}", 1, NULL, &out, &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "unknown placeholder '{site}'"));
    assert_int_equal(seg_sites_pattern_expand("x{n", 1, NULL, &out, &err), SEG_ERR_INVALID);
}

static void test_build_defaults(void **state)
{
    (void)state;
    struct seg_sites_config cfg = {.sites = 300};
    struct seg_site *s = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sites_build(&cfg, &s, &n, &err), SEG_OK);
    assert_int_equal(n, 300);
    assert_int_equal(s[0].n, 1);
    assert_string_equal(s[0].function, "site1-lambdafunction");
    assert_string_equal(s[0].bucket, "site1-simulatedbucket");
    assert_string_equal(s[0].log_group, "/aws/lambda/site1-lambdafunction");
    assert_string_equal(s[299].function, "site300-lambdafunction");
    assert_int_equal(s[299].memory_mb, 6200);
    assert_int_equal(s[299].timeout_s, 781);
    assert_int_equal(s[299].reserved, -1);
    seg_sites_free(s, n);

    cfg.shared_log_group = "/segtop/pipeline";
    cfg.sites = 3;
    assert_int_equal(seg_sites_build(&cfg, &s, &n, &err), SEG_OK);
    assert_string_equal(s[2].log_group, "/segtop/pipeline");
    seg_sites_free(s, n);
}

static void test_build_errors(void **state)
{
    (void)state;
    struct seg_site *s = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    struct seg_sites_config cfg = {.sites = 5, .function_pattern = "samename"};
    assert_int_equal(seg_sites_build(&cfg, &s, &n, &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "used by two sites"));
    cfg.function_pattern = NULL;
    cfg.bucket_pattern = "Site{n}_Bucket"; /* uppercase and '_' are not bucket characters */
    assert_int_equal(seg_sites_build(&cfg, &s, &n, &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "Site1_Bucket"));
    cfg.bucket_pattern = NULL;
    cfg.sites = 0;
    assert_int_equal(seg_sites_build(&cfg, &s, &n, &err), SEG_ERR_INVALID);
}

static void test_csv(void **state)
{
    (void)state;
    const char *csv = "\xEF\xBB\xBFsite,function,bucket,log_group\r\n"
                      "site1,fn-a,bucket-a,/custom/a\r\n"
                      "\r\n"
                      "2,\"fn-b\",bucket-b,\r\n";
    struct seg_sites_config cfg = {.sites = 300};
    struct seg_site *s = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sites_parse_csv(csv, strlen(csv), "s.csv", &cfg, &s, &n, &err), SEG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].n, 1);
    assert_string_equal(s[0].log_group, "/custom/a");
    assert_int_equal(s[1].n, 2);
    assert_string_equal(s[1].function, "fn-b");
    assert_string_equal(s[1].log_group, "/aws/lambda/fn-b"); /* empty: the pattern's group */
    seg_sites_free(s, n);
}

static void expect_csv_error(const char *csv, const char *want)
{
    struct seg_sites_config cfg = {.sites = 300};
    struct seg_site *s = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sites_parse_csv(csv, strlen(csv), "s.csv", &cfg, &s, &n, &err),
                     SEG_ERR_INVALID);
    if (!strstr(err.text, want))
        fail_msg("message '%s' lacks '%s'", err.text, want);
}

static void test_csv_errors(void **state)
{
    (void)state;
    expect_csv_error("", "s.csv: empty");
    expect_csv_error("site,function,bucket\n", "s.csv:1: the header");
    expect_csv_error("site,function,bucket,log_group\n", "no sites");
    expect_csv_error("site,function,bucket,log_group\nx1,f,bucket-1,\n", "s.csv:2: site 'x1'");
    expect_csv_error("site,function,bucket,log_group\n1,f,bucket-1\n", "s.csv:2: 3 fields");
    expect_csv_error("site,function,bucket,log_group\n1,f,b,\n", "s.csv:2: bucket name 'b'");
    expect_csv_error("site,function,bucket,log_group\n1,f g,bucket-1,\n", "s.csv:2: function");
    expect_csv_error("site,function,bucket,log_group\n1,f,bucket-1,\n\n1,g,bucket-2,\n",
                     "s.csv:4: site 1 is listed twice");
    expect_csv_error("site,function,bucket,log_group\n1,f,bucket-1,\n2,f,bucket-2,\n",
                     "function 'f' is used by two sites");
    expect_csv_error("site,function,bucket,log_group\n1,\"f,bucket-1,\n", "s.csv:2: malformed");
    expect_csv_error("site,function,bucket,log_group\n1,f,bucket-1,bad group!\n",
                     "s.csv:2: log group");
    const char nul[] = "site,function,bucket,log_group\n1,f\0,bucket-1,\n";
    struct seg_sites_config cfg = {.sites = 1};
    struct seg_site *s = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sites_parse_csv(nul, sizeof nul - 1, "s.csv", &cfg, &s, &n, &err),
                     SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "s.csv:2: a NUL byte"));
}

static void test_sites_file(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/sites.csv", dir);
    seg_test_write_file(path, "site,function,bucket,log_group\n5,five,bucket-five,\n");
    struct seg_sites_config cfg = {.sites = 300, .sites_file = path};
    struct seg_site *s = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sites_build(&cfg, &s, &n, &err), SEG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].n, 5);
    seg_sites_free(s, n);
    snprintf(path, sizeof path, "%s/missing.csv", dir);
    assert_int_equal(seg_sites_build(&cfg, &s, &n, &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "missing.csv: cannot open"));
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern_expand), cmocka_unit_test(test_build_defaults),
        cmocka_unit_test(test_build_errors),   cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_errors),     cmocka_unit_test(test_sites_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
