/* The pre-flight (engine/preflight.h) and the discovered site table (pipeline/discover.h):
 * the pure pieces, then over real HTTP against the in-process simulator (configurations,
 * a missing function, the account limit, discovery with LoggingConfig groups) and against
 * fake_lambda.py for what the simulator cannot play (AccessDenied, varied timeouts). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

#include "engine/preflight.h"
#include "pipeline/discover.h"
#include "seg_test.h"
#include "sim/sim.h"

/* ---- the site table of --discover ---- */

static void test_name_number(void **state)
{
    (void)state;
    assert_int_equal(seg_sites_name_number("site10-lambdafunction"), 10);
    assert_int_equal(seg_sites_name_number("pipe7-v2"), 7);
    assert_int_equal(seg_sites_name_number("lambdafunction"), 0);
    assert_int_equal(seg_sites_name_number("fn123456789"), 0); /* 9 digits: not a site */
}

static void test_found_numbered_by_name(void **state)
{
    (void)state;
    struct seg_sites_found f[] = {
        {"site3-fn", "/custom/3", 900, 10240, true},
        {"site1-fn", NULL, 0, 0, false},
        {"site2-fn", "/custom/2", 30, 512, false},
    };
    struct seg_sites_config cfg = {0};
    struct seg_site *s = NULL;
    size_t n = 0;
    bool renum = true;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sites_from_found(&cfg, f, 3, &s, &n, &renum, &err), SEG_OK);
    assert_int_equal(n, 3);
    assert_false(renum);
    assert_string_equal(s[0].function, "site1-fn");
    assert_int_equal(s[0].n, 1);
    assert_string_equal(s[0].bucket, "site1-simulatedbucket");
    assert_string_equal(s[0].log_group, "/aws/lambda/site1-fn"); /* none listed */
    assert_int_equal(s[0].timeout_s, 0);                         /* unknown: asked later */
    assert_string_equal(s[2].log_group, "/custom/3");
    assert_int_equal(s[2].timeout_s, 900);
    assert_int_equal(s[2].memory_mb, 10240);
    assert_true(s[2].json_logs);
    seg_sites_free(s, n);
    /* --shared-log-group wins over LoggingConfig. */
    cfg.shared_log_group = "/segtop/shared";
    assert_int_equal(seg_sites_from_found(&cfg, f, 3, &s, &n, &renum, &err), SEG_OK);
    assert_string_equal(s[2].log_group, "/segtop/shared");
    seg_sites_free(s, n);
}

static void test_found_renumbered(void **state)
{
    (void)state;
    /* --discover site2: site2, site20 and a name without a number: not 1..3. */
    struct seg_sites_found f[] = {
        {"site20-fn", NULL, 0, 0, false},
        {"site2-zeta", NULL, 0, 0, false},
        {"site2-alpha", NULL, 0, 0, false},
    };
    struct seg_sites_config cfg = {.bucket_pattern = "b{n}-in"};
    struct seg_site *s = NULL;
    size_t n = 0;
    bool renum = false;
    struct seg_errmsg err = {{0}};
    /* Two functions with the number 2 share a bucket: refused, as seg_sites_build does. */
    assert_int_equal(seg_sites_from_found(&cfg, f, 3, &s, &n, &renum, &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "bucket 'b2-in' is used by two sites"));
    f[2].function = "alpha-fn";
    assert_int_equal(seg_sites_from_found(&cfg, f, 3, &s, &n, &renum, &err), SEG_OK);
    assert_true(renum);
    assert_string_equal(s[0].function, "site2-zeta");
    assert_string_equal(s[1].function, "site20-fn");
    assert_int_equal(s[1].n, 2);
    assert_string_equal(s[1].bucket, "b20-in"); /* the name's number, not the position */
    assert_string_equal(s[2].function, "alpha-fn");
    assert_string_equal(s[2].bucket, "b3-in"); /* no number: the position */
    seg_sites_free(s, n);
    assert_int_equal(seg_sites_from_found(&cfg, f, 0, &s, &n, &renum, &err), SEG_ERR_NOTFOUND);
    f[0].function = "bad name";
    assert_int_equal(seg_sites_from_found(&cfg, f, 3, &s, &n, &renum, &err), SEG_ERR_INVALID);
}

/* ---- parsers ---- */

static int listed;
static void count_listed(void *ud, const struct seg_preflight_fconfig *fc)
{
    (void)ud;
    if (fc->function[0])
        listed++;
}

static void test_parsers(void **state)
{
    (void)state;
    struct seg_preflight_fconfig fc;
    const char *cfg = "{\"FunctionName\":\"site1-fn\",\"Timeout\":900,\"MemorySize\":10240,"
                      "\"LoggingConfig\":{\"LogFormat\":\"JSON\",\"LogGroup\":\"/x/y\"}}";
    assert_int_equal(seg_preflight_parse_config(cfg, strlen(cfg), &fc), SEG_OK);
    assert_string_equal(fc.function, "site1-fn");
    assert_int_equal(fc.timeout_s, 900);
    assert_int_equal(fc.memory_mb, 10240);
    assert_true(fc.has_logging && fc.json_logs);
    assert_string_equal(fc.log_group, "/x/y");
    const char *odd = "{\"Timeout\":-5,\"MemorySize\":\"big\",\"LoggingConfig\":7}";
    assert_int_equal(seg_preflight_parse_config(odd, strlen(odd), &fc), SEG_OK);
    assert_int_equal(fc.timeout_s, 0);
    assert_int_equal(fc.memory_mb, 0);
    assert_false(fc.has_logging);
    assert_int_equal(seg_preflight_parse_config("[1]", 3, &fc), SEG_ERR_PARSE);
    assert_int_equal(seg_preflight_parse_config("{\"Timeout\":", 11, &fc), SEG_ERR_PARSE);
    assert_int_equal(seg_preflight_parse_config(NULL, 0, &fc), SEG_ERR_PARSE);

    char next[16];
    const char *page = "{\"Functions\":[{\"FunctionName\":\"a\"},{\"FunctionName\":\"b\"},7],"
                       "\"NextMarker\":\"m2\"}";
    listed = 0;
    assert_int_equal(
        seg_preflight_parse_list(page, strlen(page), count_listed, NULL, next, sizeof next),
        SEG_OK);
    assert_int_equal(listed, 2);
    assert_string_equal(next, "m2");
    const char *last = "{\"Functions\":[]}";
    assert_int_equal(
        seg_preflight_parse_list(last, strlen(last), count_listed, NULL, next, sizeof next),
        SEG_OK);
    assert_string_equal(next, "");
    const char *long_marker = "{\"Functions\":[],\"NextMarker\":\"0123456789abcdef\"}";
    assert_int_equal(seg_preflight_parse_list(long_marker, strlen(long_marker), count_listed, NULL,
                                              next, sizeof next),
                     SEG_ERR_TOOBIG);
    const char *not_list = "{\"Functions\":{}}";
    assert_int_equal(
        seg_preflight_parse_list(not_list, strlen(not_list), count_listed, NULL, next, sizeof next),
        SEG_ERR_PARSE);

    int conc = 0;
    const char *acc = "{\"AccountLimit\":{\"ConcurrentExecutions\":1000}}";
    assert_int_equal(seg_preflight_parse_account(acc, strlen(acc), &conc), SEG_OK);
    assert_int_equal(conc, 1000);
    const char *zero = "{\"AccountLimit\":{\"ConcurrentExecutions\":0}}";
    assert_int_equal(seg_preflight_parse_account(zero, strlen(zero), &conc), SEG_ERR_PARSE);
}

/* ---- over HTTP ---- */

struct pair {
    const char *akid, *secret;
};

static enum seg_err pair_creds(void *ud, time_t now, struct seg_sigv4_creds *out,
                               struct seg_errmsg *err)
{
    (void)now;
    (void)err;
    const struct pair *p = ud;
    *out = (struct seg_sigv4_creds){p->akid, p->secret, NULL};
    return SEG_OK;
}

static void client_config(struct seg_http_client_config *hc, const char *url, struct pair *p)
{
    memset(hc, 0, sizeof *hc);
    for (int i = 0; i < SEG_AWS__SERVICES; i++)
        hc->endpoints[i].base_url = url;
    hc->region = "us-west-1";
    hc->creds = pair_creds;
    hc->creds_ud = p;
    hc->max_attempts = 1;
}

/* The simulator's 6 functions log to /custom/{function}; the table names 7 sites with the
 * default groups: site7 is not deployed. */
static void test_sim(void **state)
{
    (void)state;
    struct seg_sim_config sc = {
        .sites = 6, .log_group_pattern = "/custom/{function}", .account_concurrency = 777};
    struct seg_sim *sim = NULL;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_start(&sc, &sim, &err), SEG_OK);
    struct pair p = {seg_sim_access_key_id(sim), seg_sim_test_secret(sim)};
    if (!p.secret)
        p.secret = getenv("AWS_SECRET_ACCESS_KEY");
    struct seg_http_client_config hc;
    client_config(&hc, seg_sim_endpoint(sim), &p);

    struct seg_sites_config tc = {.sites = 7};
    struct seg_site *sites = NULL;
    size_t n = 0;
    assert_int_equal(seg_sites_build(&tc, &sites, &n, &err), SEG_OK);
    struct seg_preflight_config pc = {.http = &hc, .sites_cfg = &tc, .where = "the simulator"};
    struct seg_preflight_result r;
    assert_int_equal(seg_preflight_run(&pc, &sites, &n, &r, &err), SEG_OK);
    assert_int_equal(r.account_concurrency, 777);
    assert_int_equal(r.config_asked, 7);
    assert_int_equal(r.config_failed, 1);
    assert_non_null(strstr(r.config_problem, "site7-lambdafunction: HTTP 404 "
                                             "ResourceNotFoundException"));
    for (size_t i = 0; i < n; i++) { /* the simulator's values; site7 the defaults */
        assert_int_equal(sites[i].timeout_s, 781);
        assert_int_equal(sites[i].memory_mb, 6200);
    }
    assert_int_equal(r.group_mismatch, 6);
    assert_non_null(strstr(r.group_example, "site1-lambdafunction logs to "
                                            "/custom/site1-lambdafunction, not "
                                            "/aws/lambda/site1-lambdafunction"));
    seg_sites_free(sites, n);

    /* --discover site: the groups come from LoggingConfig; nothing left to ask. */
    sites = NULL;
    n = 0;
    pc.discover_prefix = "site";
    assert_int_equal(seg_preflight_run(&pc, &sites, &n, &r, &err), SEG_OK);
    assert_int_equal(n, 6);
    assert_int_equal(r.listed, 6);
    assert_int_equal(r.matched, 6);
    assert_int_equal(r.list_pages, 1);
    assert_int_equal(r.config_asked, 0);
    assert_false(r.renumbered);
    assert_string_equal(sites[5].function, "site6-lambdafunction");
    assert_string_equal(sites[5].log_group, "/custom/site6-lambdafunction");
    assert_string_equal(sites[5].bucket, "site6-simulatedbucket");
    assert_int_equal(sites[5].timeout_s, 781);
    seg_sites_free(sites, n);

    sites = NULL;
    n = 0;
    pc.discover_prefix = "nosuch";
    assert_int_equal(seg_preflight_run(&pc, &sites, &n, &r, &err), SEG_ERR_INVALID);
    assert_string_equal(err.text, "--discover nosuch: no function name starts with 'nosuch' in "
                                  "the simulator (6 functions listed)");
    assert_null(sites);
    seg_sim_stop(sim);
}

/* fake_lambda.py on a pipe: its port on stdout; it exits when its stdin closes. */
struct fake {
    pid_t pid;
    int in;
    char url[64];
};

static bool fake_start(struct fake *f)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/engine/fake_lambda.py", seg_test_source_dir());
    if (access("/usr/bin/python3", X_OK) != 0)
        return false;
    int to[2], from[2];
    assert_int_equal(pipe(to), 0);
    assert_int_equal(pipe(from), 0);
    f->pid = fork();
    assert_true(f->pid >= 0);
    if (f->pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[1]);
        close(from[0]);
        execl("/usr/bin/python3", "python3", path, (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    f->in = to[1];
    FILE *out = fdopen(from[0], "r");
    int port = 0;
    bool ok = out && fscanf(out, "%d", &port) == 1 && port > 0;
    if (out)
        fclose(out);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", port);
    return ok;
}

static void fake_stop(struct fake *f)
{
    close(f->in);
    int st;
    waitpid(f->pid, &st, 0);
}

static void test_fake(void **state)
{
    (void)state;
    struct fake f;
    assert_true(fake_start(&f));
    struct pair p = {"AKIDEXAMPLE", "secret"};
    struct seg_http_client_config hc;
    client_config(&hc, f.url, &p);
    struct seg_sites_config tc = {.sites = 3, .function_pattern = "fn{n}"};
    struct seg_site *sites = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sites_build(&tc, &sites, &n, &err), SEG_OK);
    struct seg_preflight_config pc = {.http = &hc, .sites_cfg = &tc, .where = "the fake"};
    struct seg_preflight_result r;
    assert_int_equal(seg_preflight_run(&pc, &sites, &n, &r, &err), SEG_OK);
    assert_int_equal(r.config_failed, 0);
    assert_int_equal(sites[0].timeout_s, 101);
    assert_int_equal(sites[2].timeout_s, 103);
    assert_int_equal(sites[2].memory_mb, 384);
    assert_true(sites[2].json_logs);
    assert_int_equal(r.timeout_min_s, 101);
    assert_int_equal(r.timeout_max_s, 103);
    assert_int_equal(r.memory_min_mb, 128);
    assert_int_equal(r.memory_max_mb, 384);
    assert_int_equal(r.account_concurrency, 0);
    assert_non_null(strstr(r.account_problem, "HTTP 403 AccessDeniedException"));
    assert_non_null(strstr(r.account_problem, "(missing permission lambda:GetAccountSettings)"));
    seg_sites_free(sites, n);

    sites = NULL;
    n = 0;
    pc.discover_prefix = "fn";
    assert_int_equal(seg_preflight_run(&pc, &sites, &n, &r, &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "--discover fn: ListFunctions was refused in the fake "
                                     "(HTTP 403 AccessDeniedException: User: "));
    assert_non_null(strstr(err.text, "segtop needs the permission lambda:ListFunctions"));
    fake_stop(&f);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (seg_http_global_init() != SEG_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_number),
        cmocka_unit_test(test_found_numbered_by_name),
        cmocka_unit_test(test_found_renumbered),
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_sim),
        cmocka_unit_test(test_fake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
