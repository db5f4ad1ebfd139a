/* Secrets never reach a message or a source string, on any error path we can trigger, and
 * every copy is wiped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "aws/ini.h"
#include "fake_env.h"
#include "seg_test.h"

static const time_t NOW = 1893456000;

static void test_wipe_contract(void **state)
{
    (void)state;
    struct seg_creds c;
    seg_creds_init(&c);
    seg_creds_release(&c); /* zeroed object */
    seg_creds_release(NULL);
    c.access_key_id = strdup(SECRET_ID);
    c.secret_access_key = strdup(SECRET_KEY);
    c.session_token = strdup(SECRET_TOKEN);
    c.source = strdup("environment");
    c.expiration = 5;

    struct seg_creds copy;
    seg_creds_init(&copy);
    seg_creds_copy(&copy, &c);
    assert_string_equal(copy.secret_access_key, SECRET_KEY);
    assert_ptr_not_equal(copy.secret_access_key, c.secret_access_key);
    assert_int_equal(copy.expiration, 5);

    /* Wiping overwrites in place (the allocations are still ours to inspect). */
    size_t n_id = strlen(SECRET_ID), n_key = strlen(SECRET_KEY), n_tok = strlen(SECRET_TOKEN);
    seg_creds_wipe(&c);
    for (size_t i = 0; i < n_id; i++)
        assert_int_equal(c.access_key_id[i], 0);
    for (size_t i = 0; i < n_key; i++)
        assert_int_equal(c.secret_access_key[i], 0);
    for (size_t i = 0; i < n_tok; i++)
        assert_int_equal(c.session_token[i], 0);
    assert_string_equal(c.source, "environment"); /* not a secret */
    seg_creds_release(&c);
    assert_null(c.access_key_id);
    assert_null(c.secret_access_key);
    assert_null(c.session_token);
    assert_null(c.source);
    assert_int_equal(c.expiration, 0);
    seg_creds_release(&c); /* idempotent */

    seg_creds_release(&copy);
    assert_null(copy.secret_access_key);
    seg_creds_provider_free(NULL);

    /* The ini object wipes values too; its release leaves it empty and reusable. */
    struct seg_ini ini;
    const char *text = "[default]\naws_secret_access_key = " SECRET_KEY "\n";
    assert_int_equal(seg_ini_parse(&ini, "f", text, strlen(text), NULL), SEG_OK);
    seg_ini_release(&ini);
    assert_int_equal(ini.n_sections, 0);
    assert_null(ini.sections);
}

/* One scenario: files, environment, optional --profile, and the expected result. */
struct scenario {
    const char *name;
    const char *credentials; /* NULL: no file */
    const char *config;
    const char *env[8]; /* NAME=VALUE */
    const char *profile;
    enum seg_err want;
};

static const struct scenario scenarios[] = {
    {"env partial id", NULL, NULL, {"AWS_ACCESS_KEY_ID=" SECRET_ID}, NULL, SEG_ERR_AUTH},
    {"env partial secret", NULL, NULL, {"AWS_SECRET_ACCESS_KEY=" SECRET_KEY}, NULL, SEG_ERR_AUTH},
    {"env bad token",
     NULL,
     NULL,
     {"AWS_ACCESS_KEY_ID=" SECRET_ID, "AWS_SECRET_ACCESS_KEY=" SECRET_KEY,
      "AWS_SESSION_TOKEN=" SECRET_TOKEN " x"},
     NULL,
     SEG_ERR_AUTH},
    {"env bad id",
     NULL,
     NULL,
     {"AWS_ACCESS_KEY_ID=" SECRET_ID "\n", "AWS_SECRET_ACCESS_KEY=" SECRET_KEY},
     NULL,
     SEG_ERR_AUTH},
    {"env ok",
     NULL,
     NULL,
     {"AWS_ACCESS_KEY_ID=" SECRET_ID, "AWS_SECRET_ACCESS_KEY=" SECRET_KEY},
     NULL,
     SEG_OK},
    {"file ok",
     "[default]\naws_access_key_id=" SECRET_ID "\naws_secret_access_key=" SECRET_KEY
     "\naws_session_token=" SECRET_TOKEN "\n",
     NULL,
     {NULL},
     NULL,
     SEG_OK},
    {"file partial",
     "[default]\naws_access_key_id=" SECRET_ID "\n",
     NULL,
     {NULL},
     NULL,
     SEG_ERR_AUTH},
    {"file secret alone",
     "[default]\naws_secret_access_key=" SECRET_KEY "\n",
     NULL,
     {NULL},
     NULL,
     SEG_ERR_AUTH},
    {"file bad secret",
     "[default]\naws_access_key_id=" SECRET_ID "\naws_secret_access_key="
     "SecretKeyMarker SecretKeyMarker\n",
     NULL,
     {NULL},
     NULL,
     SEG_ERR_AUTH},
    {"file bare secret line", "[default]\n" SECRET_KEY "\n", NULL, {NULL}, NULL, SEG_ERR_PARSE},
    {"file secret as key twice",
     "[default]\n" SECRET_ID " = 1\n" SECRET_ID " = 2\n",
     NULL,
     {NULL},
     NULL,
     SEG_ERR_PARSE},
    {"file secret after header", "[default] " SECRET_KEY "\n", NULL, {NULL}, NULL, SEG_ERR_PARSE},
    {"file secret indented",
     "[default]\naws_access_key_id=" SECRET_ID "\n  " SECRET_KEY "\n",
     NULL,
     {NULL},
     NULL,
     SEG_ERR_PARSE},
    {"file unclosed header", "[" SECRET_KEY "\n", NULL, {NULL}, NULL, SEG_ERR_PARSE},
    {"config keys ok",
     NULL,
     "[profile p]\naws_access_key_id=" SECRET_ID2 "\naws_secret_access_key=" SECRET_KEY2 "\n",
     {NULL},
     "p",
     SEG_OK},
    {"config partial",
     NULL,
     "[profile p]\naws_access_key_id=" SECRET_ID2 "\n",
     {NULL},
     "p",
     SEG_ERR_AUTH},
    {"process ok",
     NULL,
     "[default]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"" SECRET_ID
     "\",\"SecretAccessKey\":\"" SECRET_KEY "\",\"SessionToken\":\"" SECRET_TOKEN "\"}'\n",
     {NULL},
     NULL,
     SEG_OK},
    {"process bad json",
     NULL,
     "[default]\ncredential_process = echo '" SECRET_KEY "'; echo oops >&2\n",
     {NULL},
     NULL,
     SEG_ERR_PARSE},
    {"process version",
     NULL,
     "[default]\ncredential_process = echo '{\"Version\":2,\"AccessKeyId\":\"" SECRET_ID
     "\",\"SecretAccessKey\":\"" SECRET_KEY "\"}'\n",
     {NULL},
     NULL,
     SEG_ERR_PARSE},
    {"process fails",
     NULL,
     "[default]\ncredential_process = echo '" SECRET_TOKEN "'; echo denied >&2; exit 4\n",
     {NULL},
     NULL,
     SEG_ERR_AUTH},
    {"process bad token",
     NULL,
     "[default]\ncredential_process = printf '{\"Version\":1,\"AccessKeyId\":\"" SECRET_ID
     "\",\"SecretAccessKey\":\"" SECRET_KEY "\",\"SessionToken\":\"" SECRET_TOKEN "\\\\n\"}'\n",
     {NULL},
     NULL,
     SEG_ERR_AUTH},
    {"process expired",
     NULL,
     "[default]\ncredential_process = echo '{\"Version\":1,\"AccessKeyId\":\"" SECRET_ID
     "\",\"SecretAccessKey\":\"" SECRET_KEY "\",\"Expiration\":\"2000-01-01T00:00:00Z\"}'\n",
     {NULL},
     NULL,
     SEG_ERR_AUTH},
    {"process bad expiration",
     NULL,
     "[default]\ncredential_process = echo '{\"Version\":1,\"AccessKeyId\":\"" SECRET_ID
     "\",\"SecretAccessKey\":\"" SECRET_KEY "\",\"Expiration\":\"" SECRET_TOKEN "\"}'\n",
     {NULL},
     NULL,
     SEG_ERR_PARSE},
    {"endpoint userinfo",
     NULL,
     NULL,
     {"AWS_ENDPOINT_URL=http://user:" SECRET_KEY "@h:1", "AWS_ACCESS_KEY_ID=" SECRET_ID,
      "AWS_SECRET_ACCESS_KEY=" SECRET_KEY},
     NULL,
     SEG_ERR_INVALID},
    {"missing profile with env keys",
     NULL,
     NULL,
     {"AWS_PROFILE=nope", "AWS_ACCESS_KEY_ID=" SECRET_ID, "AWS_SECRET_ACCESS_KEY=" SECRET_KEY},
     NULL,
     SEG_ERR_NOTFOUND},
    {"no credentials", NULL, "[default]\nregion=us-east-1\n", {NULL}, NULL, SEG_ERR_AUTH},
};

static void run_scenario(const struct scenario *s)
{
    struct fake_env fe = {.n = 0};
    char *home = fake_home(&fe);
    struct seg_env env = fake_env_env(&fe);
    char *owned[8] = {0};
    for (int i = 0; i < 8 && s->env[i]; i++) {
        owned[i] = strdup(s->env[i]);
        char *eq = strchr(owned[i], '=');
        *eq = '\0';
        fake_env_set(&fe, owned[i], eq + 1);
    }
    if (s->credentials)
        fake_write_aws(home, "credentials", s->credentials);
    if (s->config)
        fake_write_aws(home, "config", s->config);

    struct seg_aws_config cfg;
    struct seg_creds creds;
    struct seg_errmsg err = {{0}};
    seg_aws_config_init(&cfg);
    seg_creds_init(&creds);
    struct seg_aws_config_opts o = {.env = &env, .profile = s->profile};
    enum seg_err rc = seg_aws_config_resolve(&cfg, &o, &err);
    if (rc == SEG_OK) {
        struct seg_creds_opts co = seg_creds_opts_default();
        co.process_timeout_ms = (unsigned)(10000 * seg_test_time_scale());
        struct seg_creds_provider *p = seg_creds_provider_new(&env, &cfg, &co);
        rc = seg_creds_provider_get(p, NOW, &creds, &err);
        seg_creds_provider_free(p);
    }
    if (strcmp(s->name, "endpoint userinfo") == 0 && !strstr(err.text, "user info"))
        fail_msg("%s: %s", s->name, err.text);
    if (rc != s->want)
        fail_msg("%s: got %d (%s), want %d", s->name, rc, err.text, s->want);
    assert_no_secret(err.text);
    assert_no_secret(creds.source);
    if (rc != SEG_OK)
        assert_true(strlen(err.text) > 0);
    else
        assert_non_null(creds.secret_access_key);
    /* Nothing in the recorded configuration holds a secret either. */
    assert_no_secret(cfg.profile);
    for (int i = 0; i < SEG_AWS__SERVICES; i++) {
        assert_no_secret(cfg.endpoints[i].url);
        assert_no_secret(cfg.endpoints[i].source);
    }
    seg_creds_release(&creds);
    seg_aws_config_release(&cfg);
    for (int i = 0; i < 8; i++)
        free(owned[i]);
    fake_rmtree(home);
    free(home);
}

static void test_no_secret_in_messages(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        run_scenario(&scenarios[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wipe_contract),
        cmocka_unit_test(test_no_secret_in_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
