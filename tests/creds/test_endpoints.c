/* Endpoint resolution (aws-wire.md §6.2): every step of the chain, the ignore flag, the
 * services section and URL validation. */
#include <stdlib.h>
#include <string.h>

#include "aws/awsconfig.h"
#include "fake_env.h"
#include "seg_test.h"

struct fx {
    struct fake_env fe;
    struct seg_env env;
    char *home;
    struct seg_aws_config cfg;
    struct seg_aws_config_opts o;
    struct seg_errmsg err;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->home = fake_home(&f->fe);
    f->env = fake_env_env(&f->fe);
    f->o.env = &f->env;
    seg_aws_config_init(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    seg_aws_config_release(&f->cfg);
    fake_rmtree(f->home);
    free(f->home);
    free(f);
    return 0;
}

static enum seg_err resolve(struct fx *f)
{
    memset(&f->err, 0, sizeof f->err);
    return seg_aws_config_resolve(&f->cfg, &f->o, &f->err);
}

static void expect(struct fx *f, enum seg_aws_service s, const char *url, const char *source,
                   bool is_default)
{
    const struct seg_aws_endpoint *ep = &f->cfg.endpoints[s];
    assert_string_equal(ep->url, url);
    assert_string_equal(ep->source, source);
    assert_int_equal(ep->is_default, is_default);
}

static void test_defaults(void **state)
{
    struct fx *f = *state;
    f->o.region = "eu-west-1";
    assert_int_equal(resolve(f), SEG_OK);
    expect(f, SEG_AWS_LAMBDA, "https://lambda.eu-west-1.amazonaws.com", "default", true);
    expect(f, SEG_AWS_S3, "https://s3.eu-west-1.amazonaws.com", "default", true);
    expect(f, SEG_AWS_LOGS, "https://logs.eu-west-1.amazonaws.com", "default", true);
    const struct seg_aws_endpoint *ep = &f->cfg.endpoints[SEG_AWS_S3];
    assert_string_equal(ep->scheme, "https");
    assert_string_equal(ep->host, "s3.eu-west-1.amazonaws.com");
    assert_int_equal(ep->port, 443);
    assert_string_equal(ep->path, "");
    assert_string_equal(seg_aws_service_name(SEG_AWS_LOGS), "logs");
}

/* Each step of the chain, removed one at a time from the top. */
static void test_chain_steps(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "config",
                   "[default]\n"
                   "region = us-east-1\n"
                   "endpoint_url = http://profile-global:1\n"
                   "services = local\n"
                   "[services local]\n"
                   "s3 =\n"
                   "  endpoint_url = http://svc-s3:2/\n"
                   "cloudwatch_logs =\n"
                   "  endpoint_url = http://svc-logs:3/base\n");
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL", "http://env-global:4");
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_S3", "http://env-s3:5");
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://env-logs:6");
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_LOGS", "http://not-a-standard-name:7");
    f->o.endpoint = "http://127.0.0.1:9000/";

    /* 1. --endpoint applies to all three. */
    assert_int_equal(resolve(f), SEG_OK);
    for (int s = 0; s < SEG_AWS__SERVICES; s++)
        expect(f, (enum seg_aws_service)s, "http://127.0.0.1:9000", "--endpoint", false);

    /* 2. Service-specific variables, 3. the global variable for Lambda. */
    f->o.endpoint = NULL;
    assert_int_equal(resolve(f), SEG_OK);
    expect(f, SEG_AWS_S3, "http://env-s3:5", "AWS_ENDPOINT_URL_S3", false);
    expect(f, SEG_AWS_LOGS, "http://env-logs:6", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", false);
    expect(f, SEG_AWS_LAMBDA, "http://env-global:4", "AWS_ENDPOINT_URL", false);

    /* 4. The services section, 5. the profile's endpoint_url for Lambda. */
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL", NULL);
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_S3", NULL);
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", NULL);
    assert_int_equal(resolve(f), SEG_OK);
    expect(f, SEG_AWS_S3, "http://svc-s3:2", "~/.aws/config:7", false);
    expect(f, SEG_AWS_LOGS, "http://svc-logs:3/base", "~/.aws/config:9", false);
    assert_string_equal(f->cfg.endpoints[SEG_AWS_LOGS].path, "/base");
    assert_int_equal(f->cfg.endpoints[SEG_AWS_LOGS].port, 3);
    expect(f, SEG_AWS_LAMBDA, "http://profile-global:1", "~/.aws/config:3", false);

    /* 6. Nothing configured: the AWS defaults in the profile's region. */
    fake_write_aws(f->home, "config", "[default]\nregion = us-east-1\n");
    assert_int_equal(resolve(f), SEG_OK);
    expect(f, SEG_AWS_LAMBDA, "https://lambda.us-east-1.amazonaws.com", "default", true);
}

static void test_ignore_flag(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "config",
                   "[default]\n"
                   "endpoint_url = http://profile-global:1\n"
                   "services = missing-is-not-checked-when-ignored\n"
                   "[profile quiet]\n"
                   "endpoint_url = http://profile-global:1\n"
                   "ignore_configured_endpoint_urls = true\n");
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL", "http://env-global:4");
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_LAMBDA", "http://env-lambda:4");
    fake_env_set(&f->fe, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
    assert_int_equal(resolve(f), SEG_OK);
    assert_true(f->cfg.ignore_configured_endpoints);
    for (int s = 0; s < SEG_AWS__SERVICES; s++)
        assert_true(f->cfg.endpoints[s].is_default);
    expect(f, SEG_AWS_LAMBDA, "https://lambda.us-west-1.amazonaws.com", "default", true);

    /* The explicit --endpoint still applies. */
    f->o.endpoint = "https://example.test";
    assert_int_equal(resolve(f), SEG_OK);
    expect(f, SEG_AWS_S3, "https://example.test", "--endpoint", false);
    f->o.endpoint = NULL;

    /* "false" (or anything but true) does not ignore; the profile setting applies when the
     * variable is unset. */
    fake_env_set(&f->fe, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
    fake_write_aws(f->home, "config",
                   "[default]\nendpoint_url = http://profile-global:1\n"
                   "[profile quiet]\nendpoint_url = http://profile-global:1\n"
                   "ignore_configured_endpoint_urls = true\n");
    assert_int_equal(resolve(f), SEG_OK);
    assert_false(f->cfg.ignore_configured_endpoints);
    expect(f, SEG_AWS_LAMBDA, "http://env-lambda:4", "AWS_ENDPOINT_URL_LAMBDA", false);
    fake_env_set(&f->fe, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", NULL);
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL", NULL);
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_LAMBDA", NULL);
    f->o.profile = "quiet";
    assert_int_equal(resolve(f), SEG_OK);
    assert_true(f->cfg.ignore_configured_endpoints);
    expect(f, SEG_AWS_LAMBDA, "https://lambda.us-west-1.amazonaws.com", "default", true);
}

static void test_services_errors(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "config", "[default]\nservices = nope\n[services other]\n");
    assert_int_equal(resolve(f), SEG_ERR_INVALID);
    assert_string_equal(f->err.text,
                        "~/.aws/config:2: profile 'default' uses services section 'nope', which "
                        "does not exist; add [services nope] or remove the line");
    fake_write_aws(f->home, "config",
                   "[profile dev]\nservices = s\n[services s]\nlambda = http://x:1\n");
    f->o.profile = "dev";
    assert_int_equal(resolve(f), SEG_ERR_INVALID);
    assert_string_equal(f->err.text,
                        "~/.aws/config:4: 'lambda' in [services s] needs nested settings, e.g. "
                        "'lambda =' then an indented 'endpoint_url = http://...'");
    fake_write_aws(f->home, "config",
                   "[profile dev]\nservices = s\n[services s]\nlambda =\n"
                   "  endpoint_url = ftp://x\n");
    assert_int_equal(resolve(f), SEG_ERR_INVALID);
    assert_string_equal(f->err.text,
                        "~/.aws/config:5: endpoint URL 'ftp://x' must use http or https; use "
                        "e.g. http://127.0.0.1:4566 or https://host/path");
    fake_env_set(&f->fe, "AWS_ENDPOINT_URL_S3", "localhost:4566");
    fake_write_aws(f->home, "config", "[profile dev]\n");
    assert_int_equal(resolve(f), SEG_ERR_INVALID);
    assert_string_equal(f->err.text,
                        "AWS_ENDPOINT_URL_S3: endpoint URL 'localhost:4566' has no scheme "
                        "(http:// or https://); use e.g. http://127.0.0.1:4566 or "
                        "https://host/path");
}

static void test_url_validation(void **state)
{
    (void)state;
    static const struct {
        const char *in, *url, *host, *path;
        unsigned port;
    } good[] = {
        {"http://127.0.0.1:4566", "http://127.0.0.1:4566", "127.0.0.1", "", 4566},
        {"HTTPS://Example.COM/", "https://example.com", "example.com", "", 443},
        {"http://h/a/b//", "http://h/a/b", "h", "/a/b", 80},
        {"http://[::1]:8080/x", "http://[::1]:8080/x", "::1", "/x", 8080},
        {"https://logs.eu-west-1.api.aws", "https://logs.eu-west-1.api.aws",
         "logs.eu-west-1.api.aws", "", 443},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct seg_aws_endpoint ep;
        struct seg_errmsg err = {{0}};
        assert_int_equal(seg_aws_endpoint_parse(&ep, good[i].in, "t", &err), SEG_OK);
        assert_string_equal(ep.url, good[i].url);
        assert_string_equal(ep.host, good[i].host);
        assert_string_equal(ep.path, good[i].path);
        assert_int_equal(ep.port, good[i].port);
        assert_false(ep.is_default);
        seg_aws_endpoint_release(&ep);
        seg_aws_endpoint_release(&ep);
    }
    static const struct {
        const char *in, *why;
    } bad[] = {
        {"", "has no scheme (http:// or https://)"},
        {"ftp://h", "must use http or https"},
        {"http://", "has no host"},
        {"http://:80", "has no host"},
        {"http://h:0", "has a port that is not a number 1-65535"},
        {"http://h:65536", "has a port that is not a number 1-65535"},
        {"http://h:99999999999999999999", "has a port that is not a number 1-65535"},
        {"http://h:", "has an empty port"},
        {"http://h:8x", "has a port that is not a number 1-65535"},
        {"http://h/p?q=1", "must not have a query ('?') or fragment ('#')"},
        {"http://h#f", "must not have a query ('?') or fragment ('#')"},
        {"http://h ost", "contains a space, control or non-ASCII character"},
        {"http://h\r\nHost: evil", "contains a space, control or non-ASCII character"},
        {"http://h%20", "has a character not allowed in a host name"},
        {"http://[::1", "has '[' without ']' around an IPv6 address"},
        {"http://[::1]x", "has text after the host"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct seg_aws_endpoint ep = {0};
        struct seg_errmsg err = {{0}};
        assert_int_equal(seg_aws_endpoint_parse(&ep, bad[i].in, "X", &err), SEG_ERR_INVALID);
        if (!strstr(err.text, bad[i].why))
            fail_msg("'%s': got '%s'", bad[i].in, err.text);
        assert_null(ep.url);
    }
    /* User info is refused and never echoed (it would be a password). */
    struct seg_aws_endpoint ep = {0};
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_aws_endpoint_parse(&ep, "http://u:SECRETMARK@h", "AWS_ENDPOINT_URL", &err),
                     SEG_ERR_INVALID);
    assert_string_equal(err.text,
                        "AWS_ENDPOINT_URL: endpoint URL '(not shown)' must not contain user info "
                        "('user@'); use e.g. http://127.0.0.1:4566 or https://host/path");
    assert_no_secret(err.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ignore_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_services_errors, setup, teardown),
        cmocka_unit_test(test_url_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
