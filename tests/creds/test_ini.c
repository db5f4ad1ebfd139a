/* The INI dialect of ~/.aws/config and ~/.aws/credentials: what parses, and exact file:line
 * messages for what does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "aws/ini.h"
#include "fake_env.h"
#include "seg_test.h"

static enum seg_err parse(struct seg_ini *ini, const char *text, struct seg_errmsg *err)
{
    memset(err, 0, sizeof *err);
    return seg_ini_parse(ini, "~/.aws/config", text, strlen(text), err);
}

static void expect_error(const char *text, enum seg_err code, const char *msg)
{
    struct seg_ini ini;
    struct seg_errmsg err;
    assert_int_equal(parse(&ini, text, &err), code);
    assert_string_equal(err.text, msg);
    assert_int_equal(ini.n_sections, 0);
    assert_no_secret(err.text);
    seg_ini_release(&ini);
}

static void test_basic(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF# comment\r\n"
                       "; another\n"
                       "[default]\n"
                       "Region = us-east-2  \r\n"
                       "  # indented comment\n"
                       "output: json\n"
                       "empty =\n"
                       "url = http://h:1/p\n"
                       "\n"
                       "[profile  dev]\n"
                       "AWS_Access_Key_ID=AKID\n";
    struct seg_ini ini;
    struct seg_errmsg err;
    assert_int_equal(parse(&ini, text, &err), SEG_OK);
    assert_int_equal(ini.n_sections, 2);
    const struct seg_ini_section *d = seg_ini_find(&ini, "default");
    assert_non_null(d);
    assert_int_equal(d->line, 3);
    const struct seg_ini_entry *e = seg_ini_get(d, "region");
    assert_non_null(e);
    assert_string_equal(e->value, "us-east-2");
    assert_int_equal(e->line, 4);
    assert_string_equal(seg_ini_get(d, "output")->value, "json");
    assert_string_equal(seg_ini_get(d, "empty")->value, "");
    assert_string_equal(seg_ini_get(d, "url")->value, "http://h:1/p");
    assert_null(seg_ini_get(d, "Region"));
    const struct seg_ini_section *p = seg_ini_find(&ini, "profile  dev");
    assert_non_null(p);
    assert_string_equal(seg_ini_get(p, "aws_access_key_id")->value, "AKID");
    assert_null(seg_ini_find(&ini, "Default")); /* section names are case-sensitive */
    seg_ini_release(&ini);
    seg_ini_release(&ini); /* idempotent */
}

static void test_nested(void **state)
{
    (void)state;
    const char *text = "[services local]\n"
                       "s3 =\n"
                       "  endpoint_url = http://127.0.0.1:4566\n"
                       "\n"
                       "  # comment inside the block\n"
                       "  Addressing_Style = path\n"
                       "cloudwatch_logs =\n"
                       "\tendpoint_url = http://logs:1\n"
                       "lambda = \n"
                       "region = x\n";
    struct seg_ini ini;
    struct seg_errmsg err;
    assert_int_equal(parse(&ini, text, &err), SEG_OK);
    const struct seg_ini_section *s = seg_ini_find(&ini, "services local");
    assert_non_null(s);
    const struct seg_ini_entry *e = seg_ini_get_nested(s, "s3", "endpoint_url");
    assert_non_null(e);
    assert_string_equal(e->value, "http://127.0.0.1:4566");
    assert_int_equal(e->line, 3);
    assert_string_equal(seg_ini_get_nested(s, "s3", "addressing_style")->value, "path");
    assert_string_equal(seg_ini_get_nested(s, "cloudwatch_logs", "endpoint_url")->value,
                        "http://logs:1");
    assert_null(seg_ini_get_nested(s, "lambda", "endpoint_url"));
    assert_string_equal(seg_ini_get(s, "s3")->value, "");
    assert_string_equal(seg_ini_get(s, "region")->value, "x");
    assert_null(seg_ini_get(s, "endpoint_url")); /* nested keys are not top-level keys */
    seg_ini_release(&ini);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_error("[default]\nregion = x\n\n# c\n\n\nSECRETMARK-no-equals\n", SEG_ERR_PARSE,
                 "~/.aws/config:7: expected 'key = value' or '[section]'");
    expect_error("region = x\n", SEG_ERR_PARSE,
                 "~/.aws/config:1: setting before any '[section]' header; add e.g. [default] "
                 "above it");
    expect_error("[default\n", SEG_ERR_PARSE,
                 "~/.aws/config:1: section header without ']'; write e.g. [profile dev]");
    expect_error("[]\n", SEG_ERR_PARSE,
                 "~/.aws/config:1: empty section name '[]'; write e.g. [default]");
    expect_error("[a] SECRETMARK\n", SEG_ERR_PARSE,
                 "~/.aws/config:1: text after the section header's ']'");
    expect_error("[a]\nx = 1\n[b]\n[a]\n", SEG_ERR_PARSE,
                 "~/.aws/config:4: section [a] already started at line 1; merge the two");
    expect_error("[a]\nregion = 1\nRegion = 2\n", SEG_ERR_PARSE,
                 "~/.aws/config:3: key 'region' already set at line 2 in [a]; remove one of them");
    expect_error("[a]\nSECRETMARK/+x = 1\nSECRETMARK/+x = 2\n", SEG_ERR_PARSE,
                 "~/.aws/config:3: key '(key)' already set at line 2 in [a]; remove one of them");
    expect_error("[a]\n= SECRETMARK\n", SEG_ERR_PARSE,
                 "~/.aws/config:2: missing key before '='; expected 'key = value'");
    expect_error("[a]\nregion = x\n  SECRETMARK = y\n", SEG_ERR_PARSE,
                 "~/.aws/config:3: indented line under a key that already has a value; nested "
                 "settings need a parent with nothing after '=' (e.g. 's3 =')");
    expect_error("[a]\ns3 =\n  SECRETMARK\n", SEG_ERR_PARSE,
                 "~/.aws/config:3: expected an indented 'key = value' (nested setting)");
    expect_error("[a]\ns3 =\n  endpoint_url = 1\n  endpoint_url = 2\n", SEG_ERR_PARSE,
                 "~/.aws/config:4: key 's3.endpoint_url' already set at line 3 in [a]; remove "
                 "one of them");

    /* A NUL byte in the middle of a line. */
    struct seg_ini ini;
    struct seg_errmsg err;
    const char bin[] = "[a]\nx = 1\ny = S\0ECRETMARK\n";
    assert_int_equal(seg_ini_parse(&ini, "f", bin, sizeof bin - 1, &err), SEG_ERR_PARSE);
    assert_string_equal(err.text, "f:3: NUL byte in line; is this a text file?");
    seg_ini_release(&ini);
}

static void test_caps(void **state)
{
    (void)state;
    struct seg_ini ini;
    struct seg_errmsg err;
    /* Line cap: a token of exactly the cap parses, one byte more does not. */
    size_t n = SEG_INI_MAX_LINE;
    char *text = malloc(n + 64);
    assert_non_null(text);
    strcpy(text, "[a]\n");
    memcpy(text + 4, "t = ", 4);
    memset(text + 8, 'x', n - 4);
    text[4 + n] = '\n';
    text[5 + n] = '\0';
    assert_int_equal(parse(&ini, text, &err), SEG_OK);
    seg_ini_release(&ini);
    text[4 + n] = 'x';
    text[5 + n] = '\n';
    text[6 + n] = '\0';
    assert_int_equal(parse(&ini, text, &err), SEG_ERR_TOOBIG);
    assert_string_equal(err.text, "~/.aws/config:2: line longer than 16384 bytes");
    free(text);

    /* File cap, through seg_ini_load (a file one byte over 1 MiB of comments). */
    char *dir = seg_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/big", dir);
    size_t big = SEG_INI_MAX_FILE + 1;
    char *blob = malloc(big + 1);
    assert_non_null(blob);
    for (size_t i = 0; i < big; i++)
        blob[i] = (i % 64 == 63) ? '\n' : '#';
    blob[big] = '\0';
    seg_test_write_file(path, blob);
    assert_int_equal(seg_ini_load(&ini, path, "~/.aws/big", &err), SEG_ERR_TOOBIG);
    assert_string_equal(err.text, "~/.aws/big: larger than 1 MiB; this is not an AWS config file");
    seg_ini_release(&ini);
    blob[big - 1] = '\0'; /* exactly the cap is accepted */
    seg_test_write_file(path, blob);
    assert_int_equal(seg_ini_load(&ini, path, NULL, &err), SEG_OK);
    seg_ini_release(&ini);
    free(blob);

    /* Too many sections. */
    char *many = malloc(1001 * 16 + 1);
    assert_non_null(many);
    size_t len = 0;
    for (int i = 0; i < 1001; i++)
        len += (size_t)sprintf(many + len, "[s%d]\n", i);
    assert_int_equal(parse(&ini, many, &err), SEG_ERR_TOOBIG);
    assert_string_equal(err.text,
                        "~/.aws/config:1001: more than 1000 sections; this is not an AWS config "
                        "file");
    free(many);
    fake_rmtree(dir);
    free(dir);
}

static void test_load(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    char path[4096];
    struct seg_ini ini;
    struct seg_errmsg err = {{0}};
    snprintf(path, sizeof path, "%s/nope", dir);
    assert_int_equal(seg_ini_load(&ini, path, "~/.aws/nope", &err), SEG_ERR_NOTFOUND);
    assert_int_equal(ini.n_sections, 0);
    seg_ini_release(&ini);
    assert_int_equal(seg_ini_load(&ini, dir, "~/.aws", &err), SEG_ERR_IO);
    assert_string_equal(err.text, "~/.aws: not a regular file; point the setting at a file");
    seg_ini_release(&ini);
    snprintf(path, sizeof path, "%s/c", dir);
    seg_test_write_file(path, "[default]\nregion=eu-west-1\n[x]\nbroken\n");
    assert_int_equal(seg_ini_load(&ini, path, "~/.aws/credentials", &err), SEG_ERR_PARSE);
    assert_string_equal(err.text, "~/.aws/credentials:4: expected 'key = value' or '[section]'");
    seg_ini_release(&ini);
    if (geteuid() != 0) { /* root reads anything */
        seg_test_write_file(path, "[default]\n");
        assert_int_equal(chmod(path, 0), 0);
        assert_int_equal(seg_ini_load(&ini, path, "cfg", &err), SEG_ERR_IO);
        assert_string_equal(err.text, "cfg: cannot open: Permission denied; check the path and its "
                                      "permissions");
        seg_ini_release(&ini);
    }
    fake_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),     cmocka_unit_test(test_nested),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_caps),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
