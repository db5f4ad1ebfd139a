/* credential_process: success, expiry-driven re-runs (with a fake clock), failures, bad
 * JSON, timeouts and output caps. Scripts are written into temporary directories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "fake_env.h"
#include "seg_test.h"

static const time_t T0 = 1893456000; /* 2030-01-01T00:00:00Z */

struct fx {
    struct fake_env fe;
    struct seg_env env;
    char *home;
    char cfgpath[4200];
    struct seg_aws_config cfg;
    struct seg_creds creds;
    struct seg_errmsg err;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->home = fake_home(&f->fe);
    f->env = fake_env_env(&f->fe);
    snprintf(f->cfgpath, sizeof f->cfgpath, "%s/.aws/config", f->home);
    seg_aws_config_init(&f->cfg);
    seg_creds_init(&f->creds);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    seg_aws_config_release(&f->cfg);
    seg_creds_release(&f->creds);
    fake_rmtree(f->home);
    free(f->home);
    free(f);
    return 0;
}

/* Points [default]'s credential_process at command. */
static void use_command(struct fx *f, const char *command)
{
    char cfg[8400];
    snprintf(cfg, sizeof cfg, "[default]\nregion = us-east-1\ncredential_process = %s\n", command);
    fake_write_aws(f->home, "config", cfg);
    struct seg_aws_config_opts o = {.env = &f->env};
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &f->err), SEG_OK);
}

/* Writes script into the fake home and runs it as credential_process. */
static void use_script(struct fx *f, const char *script)
{
    char *path = fake_write(f->home, "cred.sh", script);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "sh %s", path);
    use_command(f, cmd);
    free(path);
}

static struct seg_creds_provider *provider(struct fx *f, unsigned timeout_ms, time_t window)
{
    struct seg_creds_opts o = seg_creds_opts_default();
    o.process_timeout_ms = (unsigned)(timeout_ms * seg_test_time_scale());
    o.refresh_window = window;
    return seg_creds_provider_new(&f->env, &f->cfg, &o);
}

static enum seg_err get(struct fx *f, struct seg_creds_provider *p, time_t now)
{
    memset(&f->err, 0, sizeof f->err);
    enum seg_err rc = seg_creds_provider_get(p, now, &f->creds, &f->err);
    assert_no_secret(f->err.text);
    if (rc == SEG_OK)
        assert_no_secret(f->creds.source);
    return rc;
}

static int runs(struct fx *f)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/count", f->home);
    char *s = seg_test_read_file(path, NULL);
    int n = s ? atoi(s) : 0;
    free(s);
    return n;
}

static void test_success(void **state)
{
    struct fx *f = *state;
    use_script(f, "echo 'warming up' >&2\n"
                  "printf '%s\\n' '{\"Version\": 1, \"AccessKeyId\": \"" SECRET_ID "\",'\n"
                  "printf '%s\\n' '\"SecretAccessKey\": \"" SECRET_KEY "\",'\n"
                  "printf '%s\\n' '\"SessionToken\": \"" SECRET_TOKEN "\",'\n"
                  "printf '%s\\n' '\"Expiration\": \"2030-01-01T01:00:00Z\"}'\n");
    struct seg_creds_provider *p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_OK);
    assert_string_equal(f->creds.access_key_id, SECRET_ID);
    assert_string_equal(f->creds.secret_access_key, SECRET_KEY);
    assert_string_equal(f->creds.session_token, SECRET_TOKEN);
    assert_int_equal(f->creds.expiration, T0 + 3600);
    char want[4400];
    snprintf(want, sizeof want, "credential_process of profile 'default' in %s", f->cfgpath);
    assert_string_equal(f->creds.source, want);
    seg_creds_provider_free(p);
}

/* The script counts its runs and gives run 1 an expiry at 00:10, later runs at 00:20. */
static const char *const COUNTING =
    "c=\"$(dirname \"$0\")/count\"\n"
    "n=$(cat \"$c\" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > \"$c\"\n"
    "if [ $n = 1 ]; then e=2030-01-01T00:10:00Z; else e=2030-01-01T00:20:00Z; fi\n"
    "printf '{\"Version\":1,\"AccessKeyId\":\"AKIDRUN%s\",\"SecretAccessKey\":\"" SECRET_KEY
    "\",\"Expiration\":\"%s\"}' $n $e\n";

static void test_refresh_before_expiry(void **state)
{
    struct fx *f = *state;
    use_script(f, COUNTING);
    struct seg_creds_provider *p = provider(f, 10000, 5 * 60);
    assert_int_equal(runs(f), 0); /* nothing runs before the first get */
    assert_int_equal(get(f, p, T0), SEG_OK);
    assert_string_equal(f->creds.access_key_id, "AKIDRUN1");
    assert_int_equal(runs(f), 1);
    /* 6 minutes left: served from the cache. */
    assert_int_equal(get(f, p, T0 + 4 * 60), SEG_OK);
    assert_string_equal(f->creds.access_key_id, "AKIDRUN1");
    assert_int_equal(runs(f), 1);
    /* 5 minutes left: within the window, so it runs again. */
    assert_int_equal(get(f, p, T0 + 5 * 60), SEG_OK);
    assert_string_equal(f->creds.access_key_id, "AKIDRUN2");
    assert_int_equal(f->creds.expiration, T0 + 20 * 60);
    assert_int_equal(runs(f), 2);
    assert_int_equal(get(f, p, T0 + 6 * 60), SEG_OK);
    assert_string_equal(f->creds.access_key_id, "AKIDRUN2");
    assert_int_equal(runs(f), 2);
    seg_creds_provider_free(p);
}

static void test_refresh_window_parameter(void **state)
{
    struct fx *f = *state;
    use_script(f, COUNTING);
    struct seg_creds_provider *p = provider(f, 10000, 60);
    assert_int_equal(get(f, p, T0), SEG_OK);
    assert_int_equal(get(f, p, T0 + 8 * 60), SEG_OK); /* 2 minutes left > 1 minute window */
    assert_int_equal(runs(f), 1);
    assert_int_equal(get(f, p, T0 + 9 * 60), SEG_OK);
    assert_int_equal(runs(f), 2);
    assert_string_equal(f->creds.access_key_id, "AKIDRUN2");
    seg_creds_provider_free(p);
}

static void test_failed_refresh_keeps_cache(void **state)
{
    struct fx *f = *state;
    /* Run 1 works; run 2 fails; run 3 works again. */
    use_script(f, "c=\"$(dirname \"$0\")/count\"\n"
                  "n=$(cat \"$c\" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > \"$c\"\n"
                  "if [ $n = 2 ]; then echo 'network down' >&2; exit 1; fi\n"
                  "printf '{\"Version\":1,\"AccessKeyId\":\"AKIDRUN%s\",\"SecretAccessKey\":\"x\","
                  "\"Expiration\":\"2030-01-01T00:10:00Z\"}' $n\n");
    struct seg_creds_provider *p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_OK);
    assert_int_equal(get(f, p, T0 + 6 * 60), SEG_ERR_AUTH);
    assert_non_null(strstr(f->err.text, "'network down'"));
    assert_string_equal(f->creds.access_key_id, "AKIDRUN1"); /* out untouched on failure */
    assert_int_equal(get(f, p, T0 + 6 * 60), SEG_OK);
    assert_string_equal(f->creds.access_key_id, "AKIDRUN3");
    seg_creds_provider_free(p);
}

static void test_failure_quotes_stderr_not_stdout(void **state)
{
    struct fx *f = *state;
    use_script(f, "echo '{\"Version\":1,\"AccessKeyId\":\"" SECRET_ID
                  "\",\"SecretAccessKey\":\"" SECRET_KEY "\"}'\n"
                  "printf '\\n  Token expired: run \\033[1maws sso login\\033[0m\\nsecond line\\n' "
                  ">&2\nexit 3\n");
    struct seg_creds_provider *p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_AUTH);
    char want[4800];
    snprintf(want, sizeof want,
             "credential_process of profile 'default' in %s failed with exit status 3: 'Token "
             "expired: run ?[1maws sso login?[0m'; run the command by hand to see what it needs",
             f->cfgpath);
    assert_string_equal(f->err.text, want);
    seg_creds_provider_free(p);

    use_script(f, "exit 1\n");
    p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_AUTH);
    assert_non_null(strstr(f->err.text, "failed with exit status 1: (nothing on stderr);"));
    seg_creds_provider_free(p);

    use_command(f, "kill -9 $$"); /* $$: the sh -c itself */
    p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_AUTH);
    assert_non_null(strstr(f->err.text, "was killed by signal 9"));
    seg_creds_provider_free(p);

    /* A stderr line longer than the quote is cut. */
    use_script(f, "i=0; while [ $i -lt 100 ]; do printf 'abcdefghij' >&2; i=$((i+1)); done\n"
                  "exit 2\n");
    p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_AUTH);
    assert_true(strlen(f->err.text) < 500);
    seg_creds_provider_free(p);
}

static void test_bad_json(void **state)
{
    struct fx *f = *state;
    use_script(f, "echo 'AccessKeyId=" SECRET_ID " SecretAccessKey=" SECRET_KEY "'\n"
                  "echo 'warning: cache stale' >&2\n");
    struct seg_creds_provider *p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_PARSE);
    char want[4800];
    snprintf(want, sizeof want,
             "credential_process of profile 'default' in %s: output is not a JSON object; it "
             "must print {\"Version\": 1, \"AccessKeyId\": ..., \"SecretAccessKey\": ...} (its "
             "stderr: 'warning: cache stale')",
             f->cfgpath);
    assert_string_equal(f->err.text, want);
    seg_creds_provider_free(p);

    /* Field-level problems, through the parser directly. */
    static const struct {
        const char *json, *why;
    } cases[] = {
        {"{\"Version\": 2, \"AccessKeyId\": \"" SECRET_ID "\", \"SecretAccessKey\": \"" SECRET_KEY
         "\"}",
         "w: output has no \"Version\": 1 (the only version AWS defines)"},
        {"{\"Version\": 1, \"AccessKeyId\": \"" SECRET_ID "\"}",
         "w: output lacks the string \"SecretAccessKey\""},
        {"{\"Version\": 1, \"SecretAccessKey\": \"" SECRET_KEY "\"}",
         "w: output lacks the string \"AccessKeyId\""},
        {"{\"Version\": 1, \"AccessKeyId\": \"" SECRET_ID "\", \"SecretAccessKey\": \"" SECRET_KEY
         "\", \"SessionToken\": 5}",
         "w: \"SessionToken\" is not a string"},
        {"{\"Version\": 1, \"AccessKeyId\": \"" SECRET_ID "\", \"SecretAccessKey\": \"" SECRET_KEY
         "\", \"Expiration\": \"tomorrow\"}",
         "w: \"Expiration\" is not an ISO 8601 UTC time like 2026-11-27T03:00:00Z"},
        {"{\"Version\": 1, \"AccessKeyId\": \"" SECRET_ID "\", \"SecretAccessKey\": \"" SECRET_KEY
         " \"}",
         "w: SecretAccessKey is empty or contains spaces or control characters; fix the value "
         "(it is not shown here)"},
        {"[1]", "w: output is not a JSON object; it must print {\"Version\": 1, \"AccessKeyId\": "
                "..., \"SecretAccessKey\": ...}"},
        {"{\"Version\": 1, \"AccessKeyId\": \"" SECRET_ID "\", \"SecretAccessKey\": \"" SECRET_KEY
         "\"", /* truncated */
         "w: output is not a JSON object; it must print {\"Version\": 1, \"AccessKeyId\": ..., "
         "\"SecretAccessKey\": ...}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seg_creds c;
        struct seg_errmsg err = {{0}};
        seg_creds_init(&c);
        assert_int_not_equal(
            seg_creds_parse_process_json(cases[i].json, strlen(cases[i].json), "w", &c, &err),
            SEG_OK);
        assert_string_equal(err.text, cases[i].why);
        assert_null(c.access_key_id);
        assert_no_secret(err.text);
    }
    /* Null token and expiration are accepted; no expiration means it never expires. */
    const char *ok = "{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\","
                     "\"SessionToken\":null,\"Expiration\":null}";
    struct seg_creds c;
    seg_creds_init(&c);
    assert_int_equal(seg_creds_parse_process_json(ok, strlen(ok), "w", &c, NULL), SEG_OK);
    assert_null(c.session_token);
    assert_int_equal(c.expiration, 0);
    seg_creds_release(&c);
}

static void test_expired_refused(void **state)
{
    struct fx *f = *state;
    use_script(f, "echo '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"B\","
                  "\"Expiration\":\"2029-12-31T23:59:59Z\"}'\n");
    struct seg_creds_provider *p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_AUTH);
    assert_non_null(strstr(f->err.text, "returned credentials that have already expired"));
    seg_creds_provider_free(p);
}

static void test_timeout(void **state)
{
    struct fx *f = *state;
    /* A background child too: the whole process group must go. */
    use_script(f, "sleep 30 &\nsleep 30\n");
    struct seg_creds_provider *p = provider(f, 300, 300);
    double t = seg_test_now_ms();
    assert_int_equal(get(f, p, T0), SEG_ERR_TIMEOUT);
    double took = seg_test_now_ms() - t;
    assert_true(took < 5000 * seg_test_time_scale());
    assert_non_null(strstr(f->err.text, "timed out after "));
    assert_non_null(strstr(f->err.text, "make sure it does not wait for input"));
    seg_creds_provider_free(p);

    /* Closing stdout early and lingering is caught by the same deadline. */
    use_script(f, "exec >&- 2>&-\nsleep 30\n");
    p = provider(f, 300, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_TIMEOUT);
    seg_creds_provider_free(p);
}

static void test_output_cap(void **state)
{
    struct fx *f = *state;
    use_script(f, "i=0; while [ $i -lt 2000 ]; do "
                  "printf '%s' 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; "
                  "i=$((i+1)); done\n");
    struct seg_creds_provider *p = provider(f, 10000, 300);
    assert_int_equal(get(f, p, T0), SEG_ERR_TOOBIG);
    assert_non_null(strstr(f->err.text, "printed more than 65536 bytes"));
    seg_creds_provider_free(p);
}

static void test_parse_time(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long long t;
    } good[] = {
        {"2026-11-27T03:00:00Z", 1795748400},     {"2030-01-01T00:00:00Z", 1893456000},
        {"2000-02-29T12:34:56.789Z", 951827696},  {"2026-11-27T05:00:00+02:00", 1795748400},
        {"2026-11-26T22:00:00-0500", 1795748400}, {"1970-01-01T00:00:01Z", 1},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        time_t t = 0;
        assert_int_equal(seg_creds_parse_time(good[i].s, &t), SEG_OK);
        assert_int_equal((long long)t, good[i].t);
    }
    const char *bad[] = {"",
                         "2026-11-27",
                         "2026-11-27T03:00:00",
                         "2026-13-01T00:00:00Z",
                         "2026-02-30T00:00:00Z",
                         "2026-11-27T24:00:00Z",
                         "2026-11-27T03:00:00Zjunk",
                         "2026-11-27T03:00:00.Z",
                         "2026-11-27T03:00:00+2",
                         "abcd-11-27T03:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        time_t t = 0;
        if (seg_creds_parse_time(bad[i], &t) == SEG_OK)
            fail_msg("accepted '%s'", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_before_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refresh_window_parameter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_refresh_keeps_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_quotes_stderr_not_stdout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_cap, setup, teardown),
        cmocka_unit_test(test_parse_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
