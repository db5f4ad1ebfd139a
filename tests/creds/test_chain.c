/* The credential chain, profile selection, the region chain and retry settings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "fake_env.h"
#include "seg_test.h"

static const time_t NOW = 1800000000; /* 2027-01-15 */

struct fx {
    struct fake_env fe;
    struct seg_env env;
    char *home;
    struct seg_aws_config cfg;
    struct seg_creds creds;
    struct seg_errmsg err;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->home = fake_home(&f->fe);
    f->env = fake_env_env(&f->fe);
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

/* Resolves the config (with an optional --profile and --region), then credentials. */
static enum seg_err run(struct fx *f, const char *profile, const char *region)
{
    struct seg_aws_config_opts o = {.env = &f->env, .profile = profile, .region = region};
    memset(&f->err, 0, sizeof f->err);
    enum seg_err rc = seg_aws_config_resolve(&f->cfg, &o, &f->err);
    assert_no_secret(f->err.text);
    if (rc)
        return rc;
    struct seg_creds_provider *p = seg_creds_provider_new(&f->env, &f->cfg, NULL);
    rc = seg_creds_provider_get(p, NOW, &f->creds, &f->err);
    seg_creds_provider_free(p);
    assert_no_secret(f->err.text);
    if (rc == SEG_OK)
        assert_no_secret(f->creds.source);
    return rc;
}

static const char *const CREDS_FILE = "[default]\n"
                                      "aws_access_key_id = " SECRET_ID "\n"
                                      "aws_secret_access_key = " SECRET_KEY "\n"
                                      "[dev]\n"
                                      "aws_access_key_id = " SECRET_ID2 "\n"
                                      "aws_secret_access_key = " SECRET_KEY2 "\n"
                                      "aws_security_token = " SECRET_TOKEN2 "\n"
                                      "[profile prod]\n"
                                      "aws_access_key_id = wrong\n"
                                      "aws_secret_access_key = wrong\n";

static void test_env_wins_over_aws_profile(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "credentials", CREDS_FILE);
    fake_env_set(&f->fe, "AWS_ACCESS_KEY_ID", "ENVID");
    fake_env_set(&f->fe, "AWS_SECRET_ACCESS_KEY", "ENVSECRET");
    fake_env_set(&f->fe, "AWS_SESSION_TOKEN", "ENVTOKEN");
    fake_env_set(&f->fe, "AWS_PROFILE", "dev");
    assert_int_equal(run(f, NULL, NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, "ENVID");
    assert_string_equal(f->creds.secret_access_key, "ENVSECRET");
    assert_string_equal(f->creds.session_token, "ENVTOKEN");
    assert_string_equal(f->creds.source, "environment");
    assert_int_equal(f->creds.expiration, 0);
    assert_string_equal(f->cfg.profile, "dev");
    assert_string_equal(f->cfg.profile_source, "AWS_PROFILE");

    /* An explicit --profile negates the environment keys (botocore). */
    assert_int_equal(run(f, "dev", NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, SECRET_ID2);
    assert_string_equal(f->cfg.profile_source, "--profile");
    assert_true(f->cfg.profile_explicit);

    /* Legacy token name. */
    fake_env_set(&f->fe, "AWS_SESSION_TOKEN", NULL);
    fake_env_set(&f->fe, "AWS_SECURITY_TOKEN", "LEGACYTOKEN");
    assert_int_equal(run(f, NULL, NULL), SEG_OK);
    assert_string_equal(f->creds.session_token, "LEGACYTOKEN");
}

static void test_env_partial(void **state)
{
    struct fx *f = *state;
    fake_env_set(&f->fe, "AWS_ACCESS_KEY_ID", SECRET_ID);
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    assert_string_equal(f->err.text,
                        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or "
                        "unset it to use profile 'default'");
    fake_env_set(&f->fe, "AWS_ACCESS_KEY_ID", NULL);
    fake_env_set(&f->fe, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    assert_string_equal(f->err.text,
                        "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both, or "
                        "unset it to use profile 'default'");
    /* Empty counts as unset. */
    fake_env_set(&f->fe, "AWS_ACCESS_KEY_ID", "");
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    /* A value that cannot go into a header. */
    fake_env_set(&f->fe, "AWS_ACCESS_KEY_ID", "AKID");
    fake_env_set(&f->fe, "AWS_SESSION_TOKEN", SECRET_TOKEN "\r\nX-Evil: 1");
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    assert_string_equal(f->err.text,
                        "environment: AWS_SESSION_TOKEN is empty or contains spaces or control "
                        "characters; fix the value (it is not shown here)");
}

static void test_profile_selection(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "credentials", CREDS_FILE);
    assert_int_equal(run(f, NULL, NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, SECRET_ID);
    assert_null(f->creds.session_token);
    assert_string_equal(f->cfg.profile, "default");
    assert_string_equal(f->cfg.profile_source, "default");
    char want[4200];
    snprintf(want, sizeof want, "profile 'default' in %s/.aws/credentials", f->home);
    assert_string_equal(f->creds.source, want);

    fake_env_set(&f->fe, "AWS_DEFAULT_PROFILE", "dev");
    assert_int_equal(run(f, NULL, NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, SECRET_ID2);
    assert_string_equal(f->creds.session_token, SECRET_TOKEN2); /* aws_security_token */
    assert_string_equal(f->cfg.profile_source, "AWS_DEFAULT_PROFILE");
    snprintf(want, sizeof want, "profile 'dev' in %s/.aws/credentials", f->home);
    assert_string_equal(f->creds.source, want);

    /* AWS_PROFILE beats AWS_DEFAULT_PROFILE; --profile beats both. */
    fake_env_set(&f->fe, "AWS_PROFILE", "default");
    assert_int_equal(run(f, NULL, NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, SECRET_ID);
    assert_int_equal(run(f, "dev", NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, SECRET_ID2);
}

/* [profile x] belongs in the config file, [x] in the credentials file; not the other way. */
static void test_profile_section_styles(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "credentials", CREDS_FILE);
    fake_write_aws(f->home, "config",
                   "[dev]\nregion = eu-north-1\n"
                   "[profile dev]\nregion = eu-west-3\n"
                   "[profile \"cfgkeys\"]\n"
                   "aws_access_key_id = CFGID\naws_secret_access_key = CFGSECRET\n"
                   "aws_session_token = CFGTOKEN\n"
                   "[prod]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n");
    assert_int_equal(run(f, "dev", NULL), SEG_OK);
    assert_string_equal(f->cfg.region, "eu-west-3");
    assert_true(f->cfg.profile_in_config);
    assert_true(f->cfg.profile_in_credentials);

    /* Keys in the config file (step 4), found through a quoted [profile "cfgkeys"]. */
    assert_int_equal(run(f, "cfgkeys", NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, "CFGID");
    assert_string_equal(f->creds.session_token, "CFGTOKEN");
    char want[4200];
    snprintf(want, sizeof want, "profile 'cfgkeys' in %s/.aws/config", f->home);
    assert_string_equal(f->creds.source, want);

    /* "prod" exists only as [profile prod] in credentials and [prod] in config: nowhere. */
    assert_int_equal(run(f, "prod", NULL), SEG_ERR_NOTFOUND);
    assert_string_equal(f->err.text,
                        "profile 'prod' (from --profile) not found: no [profile prod] in "
                        "~/.aws/config and no [prod] in ~/.aws/credentials; create it (aws "
                        "configure --profile prod) or fix the name");
}

static void test_missing_profile(void **state)
{
    struct fx *f = *state;
    fake_env_set(&f->fe, "AWS_PROFILE", "ghost");
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_NOTFOUND);
    assert_string_equal(f->err.text,
                        "profile 'ghost' (from AWS_PROFILE) not found: no [profile ghost] in "
                        "~/.aws/config (missing) and no [ghost] in ~/.aws/credentials (missing); "
                        "create it (aws configure --profile ghost) or fix the name");
    /* Even with environment keys a misspelt profile is reported (botocore does too). */
    fake_env_set(&f->fe, "AWS_ACCESS_KEY_ID", SECRET_ID);
    fake_env_set(&f->fe, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_NOTFOUND);

    /* Explicit file paths are named as given. */
    char *dir = seg_test_tmpdir();
    char cpath[4200], kpath[4200];
    snprintf(cpath, sizeof cpath, "%s/cfg", dir);
    snprintf(kpath, sizeof kpath, "%s/keys", dir);
    seg_test_write_file(cpath, "[default]\n");
    fake_env_set(&f->fe, "AWS_CONFIG_FILE", cpath);
    fake_env_set(&f->fe, "AWS_SHARED_CREDENTIALS_FILE", kpath);
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_NOTFOUND);
    char want[9000];
    snprintf(want, sizeof want,
             "profile 'ghost' (from AWS_PROFILE) not found: no [profile ghost] in %s and no "
             "[ghost] in %s (missing); create it (aws configure --profile ghost) or fix the name",
             cpath, kpath);
    assert_string_equal(f->err.text, want);
    fake_rmtree(dir);
    free(dir);
}

static void test_no_credentials(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "config", "[default]\nregion = us-east-1\n");
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    assert_string_equal(f->err.text,
                        "no AWS credentials for profile 'default': set AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and "
                        "aws_secret_access_key to [default] in ~/.aws/credentials, or "
                        "credential_process to its section in ~/.aws/config");
}

static void test_partial_file_keys(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "credentials", "[default]\n\naws_secret_access_key = " SECRET_KEY "\n");
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    assert_string_equal(f->err.text,
                        "~/.aws/credentials:3: profile 'default' has aws_secret_access_key but no "
                        "aws_access_key_id; add it or remove both");
    fake_write_aws(f->home, "credentials",
                   "[default]\naws_access_key_id = " SECRET_ID "\naws_secret_access_key =\n");
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    assert_string_equal(f->err.text,
                        "~/.aws/credentials:2: aws_secret_access_key is empty or contains spaces "
                        "or control characters; fix the value (it is not shown here)");
    /* A malformed credentials file (which holds secrets) never has its lines quoted. */
    fake_write_aws(f->home, "credentials", "[default]\n" SECRET_KEY "\n");
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_PARSE);
    assert_string_equal(f->err.text, "~/.aws/credentials:2: expected 'key = value' or '[section]'");
}

static void test_file_env_paths(void **state)
{
    struct fx *f = *state;
    char sub[4200];
    snprintf(sub, sizeof sub, "%s/.aws/other-creds", f->home);
    seg_test_write_file(sub, CREDS_FILE);
    fake_write_aws(f->home, "cfg2", "[profile dev]\nregion = ap-south-1\n");
    fake_env_set(&f->fe, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/other-creds");
    fake_env_set(&f->fe, "AWS_CONFIG_FILE", "~/.aws/cfg2");
    assert_int_equal(run(f, "dev", NULL), SEG_OK);
    assert_string_equal(f->creds.access_key_id, SECRET_ID2);
    assert_string_equal(f->cfg.region, "ap-south-1");
    assert_string_equal(f->cfg.region_source, "~/.aws/cfg2:2");
    assert_string_equal(f->cfg.credentials_file, sub);
    assert_string_equal(f->cfg.credentials_name, "~/.aws/other-creds");
    assert_true(f->cfg.config_present);

    /* No HOME and no variables: no files, only the environment. */
    fake_env_set(&f->fe, "HOME", NULL);
    fake_env_set(&f->fe, "AWS_SHARED_CREDENTIALS_FILE", NULL);
    fake_env_set(&f->fe, "AWS_CONFIG_FILE", NULL);
    assert_int_equal(run(f, NULL, NULL), SEG_ERR_AUTH);
    assert_null(f->cfg.config_file);
    assert_false(f->cfg.config_present);
}

static void test_region_chain(void **state)
{
    struct fx *f = *state;
    fake_write_aws(f->home, "credentials", CREDS_FILE);
    fake_write_aws(f->home, "config", "[default]\n\nregion = eu-central-1\n");
    struct seg_errmsg err;
    struct seg_aws_config_opts o = {.env = &f->env};

    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_string_equal(f->cfg.region, "eu-central-1");
    assert_string_equal(f->cfg.region_source, "~/.aws/config:3");

    fake_env_set(&f->fe, "AWS_DEFAULT_REGION", "us-east-2");
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_string_equal(f->cfg.region, "us-east-2");
    assert_string_equal(f->cfg.region_source, "AWS_DEFAULT_REGION");

    fake_env_set(&f->fe, "AWS_REGION", "ap-northeast-1");
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_string_equal(f->cfg.region, "ap-northeast-1");
    assert_string_equal(f->cfg.region_source, "AWS_REGION");

    o.region = "sa-east-1";
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_string_equal(f->cfg.region, "sa-east-1");
    assert_string_equal(f->cfg.region_source, "--region");

    o.region = "Bad Region\n";
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_ERR_INVALID);
    assert_string_equal(err.text, "--region: 'Bad Region?' is not a region name (lowercase "
                                  "letters, digits and '-', e.g. us-west-1); fix the value");
    assert_null(f->cfg.region); /* released on failure */

    /* Nothing set anywhere: us-west-1 (DESIGN §2). */
    o.region = NULL;
    fake_env_set(&f->fe, "AWS_REGION", NULL);
    fake_env_set(&f->fe, "AWS_DEFAULT_REGION", NULL);
    fake_write_aws(f->home, "config", "[default]\noutput = json\n");
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_string_equal(f->cfg.region, "us-west-1");
    assert_string_equal(f->cfg.region_source, "default");

    fake_write_aws(f->home, "config", "[default]\nregion = us_west_1\n");
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_ERR_INVALID);
    assert_string_equal(err.text, "~/.aws/config:2: 'us_west_1' is not a region name (lowercase "
                                  "letters, digits and '-', e.g. us-west-1); fix the value");
}

static void test_retry_settings(void **state)
{
    struct fx *f = *state;
    struct seg_errmsg err;
    struct seg_aws_config_opts o = {.env = &f->env};
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_int_equal(f->cfg.max_attempts, 3);
    assert_string_equal(f->cfg.max_attempts_source, "default");
    assert_int_equal(f->cfg.retry_mode, SEG_RETRY_STANDARD);
    assert_string_equal(f->cfg.retry_mode_source, "default");

    fake_write_aws(f->home, "config", "[profile t]\nretry_mode = adaptive\nmax_attempts = 5\n");
    o.profile = "t";
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_int_equal(f->cfg.max_attempts, 5);
    assert_string_equal(f->cfg.max_attempts_source, "~/.aws/config:3");
    assert_int_equal(f->cfg.retry_mode, SEG_RETRY_ADAPTIVE);
    assert_string_equal(seg_retry_mode_name(f->cfg.retry_mode), "adaptive");
    assert_string_equal(f->cfg.retry_mode_source, "~/.aws/config:2");

    fake_env_set(&f->fe, "AWS_MAX_ATTEMPTS", "20");
    fake_env_set(&f->fe, "AWS_RETRY_MODE", "Legacy");
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_OK);
    assert_int_equal(f->cfg.max_attempts, 20);
    assert_string_equal(f->cfg.max_attempts_source, "AWS_MAX_ATTEMPTS");
    assert_int_equal(f->cfg.retry_mode, SEG_RETRY_LEGACY);
    assert_string_equal(f->cfg.retry_mode_source, "AWS_RETRY_MODE");

    const char *bad[] = {"0", "21", "-1", "3x", "999", " 3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fake_env_set(&f->fe, "AWS_MAX_ATTEMPTS", bad[i]);
        assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_ERR_INVALID);
    }
    fake_env_set(&f->fe, "AWS_MAX_ATTEMPTS", "0");
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_ERR_INVALID);
    assert_string_equal(err.text, "AWS_MAX_ATTEMPTS: max_attempts '0' is not a number from 1 to "
                                  "20 (it counts the first call); fix the value");
    fake_env_set(&f->fe, "AWS_MAX_ATTEMPTS", NULL);
    fake_env_set(&f->fe, "AWS_RETRY_MODE", NULL);
    fake_write_aws(f->home, "config", "[profile t]\nretry_mode = fast\n");
    assert_int_equal(seg_aws_config_resolve(&f->cfg, &o, &err), SEG_ERR_INVALID);
    assert_string_equal(err.text, "~/.aws/config:2: retry_mode 'fast' is not standard, adaptive "
                                  "or legacy; fix the value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_env_wins_over_aws_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_partial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_profile_section_styles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_profile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_file_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_env_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_region_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_settings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
