/* libFuzzer target over the credential chain's parsers of outside bytes: the shared
 * credentials and config files (through seg_aws_config_resolve and the provider, as segtop
 * reads them) and credential_process output (seg_creds_parse_process_json). Never a crash or
 * a leak, and one property: no secret (key id, secret key, session token) ever appears in an
 * error message or a source string.
 * Input: byte 0 picks the profile and environment; the rest is "credentials\n%%\nconfig
 * \n%%\nprocess-json" (missing parts are empty). The files are written to a scratch folder. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "aws/ini.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MARK "\n%%\n"

static char dir[4096], creds_path[4200], config_path[4200];
static const uint8_t *input; /* the whole input, for the uniqueness test below */
static size_t input_len;

/* Secrets found in this input: checked against every message. */
static const char *secrets[64];
static size_t nsecrets;

static const char *env_table[16][2];
static const char *getenv_fake(void *ud, const char *name)
{
    (void)ud;
    for (size_t i = 0; i < 16 && env_table[i][0]; i++)
        if (strcmp(env_table[i][0], name) == 0)
            return env_table[i][1];
    return NULL;
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/segtop-fuzz-creds.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    snprintf(creds_path, sizeof creds_path, "%s/credentials", dir);
    snprintf(config_path, sizeof config_path, "%s/config", dir);
}

static void cleanup(void)
{
    unlink(creds_path);
    unlink(config_path);
    rmdir(dir);
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
        abort();
}

static size_t count(const uint8_t *h, size_t hn, const char *needle)
{
    size_t n = strlen(needle), c = 0;
    for (size_t i = 0; n && i + n <= hn; i++)
        if (memcmp(h + i, needle, n) == 0)
            c++;
    return c;
}

/* A value counts as a secret when a message could only have copied it from that one place:
 * long enough to mean something, present once in the input, and no part of the names and
 * paths messages legitimately quote. */
static void add_secret(const char *v)
{
    static const char context[] = "credential_process of profile default dev prod environment "
                                  "AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN";
    if (!v || strlen(v) < 8 || nsecrets == 64 || count(input, input_len, v) != 1 ||
        strstr(context, v) || strstr(dir, v) || strstr(creds_path, v) || strstr(config_path, v))
        return;
    secrets[nsecrets++] = v;
}

static void check_text(const char *s)
{
    for (size_t i = 0; s && i < nsecrets; i++)
        if (strstr(s, secrets[i]))
            __builtin_trap(); /* a secret reached a message */
}

static void collect_ini(struct seg_ini *ini, const uint8_t *p, size_t n)
{
    static const char *const keys[] = {"aws_access_key_id", "aws_secret_access_key",
                                       "aws_session_token", "aws_security_token"};
    struct seg_errmsg err = {{0}};
    if (seg_ini_parse(ini, "f", (const char *)p, n, &err) != SEG_OK)
        return;
    for (size_t i = 0; i < ini->n_sections; i++)
        for (size_t j = 0; j < ini->sections[i].n_entries; j++)
            for (size_t k = 0; k < 4; k++)
                if (strcmp(ini->sections[i].entries[j].key, keys[k]) == 0)
                    add_secret(ini->sections[i].entries[j].value);
}

static bool runs_a_command(const struct seg_ini *config)
{
    for (size_t i = 0; i < config->n_sections; i++)
        for (size_t j = 0; j < config->sections[i].n_entries; j++)
            if (strcmp(config->sections[i].entries[j].key, "credential_process") == 0)
                return true;
    return false;
}

static void check_creds(const struct seg_creds *c)
{
    check_text(c->source);
    if (!c->access_key_id || !c->access_key_id[0] || !c->secret_access_key ||
        !c->secret_access_key[0])
        __builtin_trap();
}

static void run_chain(uint8_t flags, bool may_resolve)
{
    static const char *const profiles[] = {NULL, "dev", "prod", "default"};
    size_t e = 0;
    memset(env_table, 0, sizeof env_table);
    env_table[e][0] = "AWS_SHARED_CREDENTIALS_FILE", env_table[e++][1] = creds_path;
    env_table[e][0] = "AWS_CONFIG_FILE", env_table[e++][1] = config_path;
    env_table[e][0] = "HOME", env_table[e++][1] = dir;
    if (profiles[flags & 3])
        env_table[e][0] = "AWS_PROFILE", env_table[e++][1] = profiles[flags & 3];
    if (flags & 4)
        env_table[e][0] = "AWS_REGION", env_table[e++][1] = "eu-west-3";
    if (flags & 8)
        env_table[e][0] = "AWS_ENDPOINT_URL", env_table[e++][1] = "http://127.0.0.1:4566";
    struct seg_env env = {getenv_fake, NULL};
    struct seg_aws_config_opts opts = {.env = &env, .profile = (flags & 16) ? "dev" : NULL};

    struct seg_aws_config cfg;
    struct seg_errmsg err = {{0}};
    seg_aws_config_init(&cfg);
    if (seg_aws_config_resolve(&cfg, &opts, &err) != SEG_OK) {
        if (!err.text[0])
            __builtin_trap();
        check_text(err.text);
        return;
    }
    check_text(cfg.region);
    for (int s = 0; s < SEG_AWS__SERVICES; s++)
        check_text(cfg.endpoints[s].source);
    if (may_resolve) {
        struct seg_creds_provider *p = seg_creds_provider_new(&env, &cfg, NULL);
        struct seg_creds c;
        seg_creds_init(&c);
        memset(&err, 0, sizeof err);
        if (seg_creds_provider_get(p, 1788264000, &c, &err) == SEG_OK)
            check_creds(&c);
        else
            check_text(err.text);
        seg_creds_release(&c);
        seg_creds_provider_free(p);
    }
    seg_aws_config_release(&cfg);
}

static void run_process_json(const uint8_t *p, size_t n)
{
    cJSON *root = cJSON_ParseWithLength((const char *)p, n);
    static const char *const fields[] = {"AccessKeyId", "SecretAccessKey", "SessionToken"};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, fields[i]);
        if (cJSON_IsString(v))
            add_secret(v->valuestring);
    }
    /* An exact-size heap copy, so ASan catches any read past the end. */
    char *json = seg_xmalloc(n ? n : 1);
    if (n)
        memcpy(json, p, n);
    struct seg_creds c;
    struct seg_errmsg err = {{0}};
    seg_creds_init(&c);
    if (seg_creds_parse_process_json(json, n, "credential_process of profile 'dev'", &c, &err) ==
        SEG_OK)
        check_creds(&c);
    else
        check_text(err.text);
    seg_creds_release(&c);
    free(json);
    cJSON_Delete(root); /* after the checks: secrets[] may point into it */
}

/* The next part of [*p, end) up to MARK. */
static void next_part(const uint8_t **p, const uint8_t *end, const uint8_t **part, size_t *n)
{
    size_t m = strlen(MARK);
    *part = *p;
    for (const uint8_t *q = *p; q + m <= end; q++)
        if (memcmp(q, MARK, m) == 0) {
            *n = (size_t)(q - *p);
            *p = q + m;
            return;
        }
    *n = (size_t)(end - *p);
    *p = end;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        setup();
        atexit(cleanup);
    }
    if (size == 0)
        return 0;
    input = data;
    input_len = size;
    nsecrets = 0;
    const uint8_t *p = data + 1, *end = data + size, *cred, *conf, *json;
    size_t ncred, nconf, njson;
    next_part(&p, end, &cred, &ncred);
    next_part(&p, end, &conf, &nconf);
    next_part(&p, end, &json, &njson);
    write_file(creds_path, cred, ncred);
    write_file(config_path, conf, nconf);

    struct seg_ini ci, fi;
    seg_ini_init(&ci);
    seg_ini_init(&fi);
    collect_ini(&ci, cred, ncred);
    collect_ini(&fi, conf, nconf);
    /* Never run a fuzzed command line: skip the provider when one is configured. */
    run_chain(data[0], !runs_a_command(&fi));
    run_process_json(json, njson);
    seg_ini_release(&ci);
    seg_ini_release(&fi);
    return 0;
}
