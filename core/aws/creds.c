#include "aws/creds.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "aws/creds_internal.h"
#include "aws/ini.h"
#include "util/crypto.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* ---- struct seg_creds ------------------------------------------------------------------- */

void seg_creds_wipe_str(char *s)
{
    if (s)
        seg_wipe(s, strlen(s));
}

static void free_secret(char *s)
{
    seg_creds_wipe_str(s);
    free(s);
}

void seg_creds_init(struct seg_creds *c)
{
    memset(c, 0, sizeof *c);
}

void seg_creds_wipe(struct seg_creds *c)
{
    if (!c)
        return;
    seg_creds_wipe_str(c->access_key_id);
    seg_creds_wipe_str(c->secret_access_key);
    seg_creds_wipe_str(c->session_token);
}

void seg_creds_release(struct seg_creds *c)
{
    if (!c)
        return;
    seg_creds_wipe(c);
    free(c->access_key_id);
    free(c->secret_access_key);
    free(c->session_token);
    free(c->source);
    memset(c, 0, sizeof *c);
}

static char *dup_or_null(const char *s)
{
    return s ? seg_xstrdup(s) : NULL;
}

void seg_creds_copy(struct seg_creds *dst, const struct seg_creds *src)
{
    seg_creds_release(dst);
    dst->access_key_id = dup_or_null(src->access_key_id);
    dst->secret_access_key = dup_or_null(src->secret_access_key);
    dst->session_token = dup_or_null(src->session_token);
    dst->expiration = src->expiration;
    dst->source = dup_or_null(src->source);
}

struct seg_creds_opts seg_creds_opts_default(void)
{
    return (struct seg_creds_opts){
        .process_timeout_ms = 30000,
        .process_output_cap = 64 * 1024,
        .refresh_window = 5 * 60,
    };
}

/* Values go into HTTP headers and the signature: printable ASCII without spaces only, so a
 * stray newline cannot inject a header. */
static bool header_safe(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e)
            return false;
    return true;
}

/* Checks and takes the three values (copies them). where names their origin; names[]
 * names the three settings as the user wrote them. */
enum seg_err seg_creds_set(struct seg_creds *out, const char *id, const char *secret,
                           const char *token, const char *const names[3], const char *where,
                           struct seg_errmsg *err)
{
    const char *vals[3] = {id, secret, token};
    for (int i = 0; i < 3; i++) {
        if (i == 2 && !token)
            break;
        if (!header_safe(vals[i])) {
            seg_errmsg_set(err,
                           "%s: %s is empty or contains spaces or control characters; "
                           "fix the value (it is not shown here)",
                           where, names[i]);
            return SEG_ERR_AUTH;
        }
    }
    seg_creds_release(out);
    out->access_key_id = seg_xstrdup(id);
    out->secret_access_key = seg_xstrdup(secret);
    out->session_token = dup_or_null(token);
    return SEG_OK;
}

/* ---- time -------------------------------------------------------------------------------- */

enum seg_err seg_creds_parse_time(const char *s, time_t *out)
{
    return seg_time_parse_iso8601(s, out);
}

/* ---- the provider ------------------------------------------------------------------------ */

enum kind { K_UNRESOLVED, K_STATIC, K_PROCESS };

struct seg_creds_provider {
    pthread_mutex_t mu;
    struct seg_creds_opts opts;
    /* Snapshot of the inputs. */
    char *env_id, *env_secret, *env_token;
    const char *env_token_name;
    struct seg_aws_config paths; /* profile and file fields only */
    /* Resolved state. */
    enum kind kind;
    char *command; /* credential_process */
    char *what;    /* its description for messages and the source string */
    struct seg_creds cache;
};

struct seg_creds_provider *seg_creds_provider_new(const struct seg_env *env,
                                                  const struct seg_aws_config *cfg,
                                                  const struct seg_creds_opts *opts)
{
    struct seg_creds_provider *p = seg_xcalloc(1, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    p->opts = opts ? *opts : seg_creds_opts_default();
    p->env_id = dup_or_null(seg_env_get(env, "AWS_ACCESS_KEY_ID"));
    p->env_secret = dup_or_null(seg_env_get(env, "AWS_SECRET_ACCESS_KEY"));
    p->env_token_name = "AWS_SESSION_TOKEN";
    p->env_token = dup_or_null(seg_env_get(env, "AWS_SESSION_TOKEN"));
    if (!p->env_token) {
        p->env_token_name = "AWS_SECURITY_TOKEN"; /* the legacy name */
        p->env_token = dup_or_null(seg_env_get(env, "AWS_SECURITY_TOKEN"));
    }
    seg_aws_config_init(&p->paths);
    p->paths.profile = seg_xstrdup(cfg && cfg->profile ? cfg->profile : "default");
    p->paths.profile_source =
        seg_xstrdup(cfg && cfg->profile_source ? cfg->profile_source : "default");
    p->paths.profile_explicit = cfg && cfg->profile_explicit;
    p->paths.config_file = cfg ? dup_or_null(cfg->config_file) : NULL;
    p->paths.config_name = seg_xstrdup(cfg && cfg->config_name ? cfg->config_name : "config");
    p->paths.credentials_file = cfg ? dup_or_null(cfg->credentials_file) : NULL;
    p->paths.credentials_name =
        seg_xstrdup(cfg && cfg->credentials_name ? cfg->credentials_name : "credentials");
    return p;
}

void seg_creds_provider_free(struct seg_creds_provider *p)
{
    if (!p)
        return;
    free_secret(p->env_id);
    free_secret(p->env_secret);
    free_secret(p->env_token);
    seg_creds_release(&p->cache);
    free(p->command);
    free(p->what);
    seg_aws_config_release(&p->paths);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Keys from an ini section: aws_access_key_id + aws_secret_access_key (+ token). Sets *found
 * when the section has any key at all. */
static enum seg_err keys_from_section(const struct seg_ini *ini, const struct seg_ini_section *s,
                                      const char *path, const char *profile, bool *found,
                                      struct seg_creds *out, struct seg_errmsg *err)
{
    static const char *const names[3] = {"aws_access_key_id", "aws_secret_access_key",
                                         "aws_session_token"};
    const struct seg_ini_entry *id = seg_ini_get(s, "aws_access_key_id");
    const struct seg_ini_entry *sk = seg_ini_get(s, "aws_secret_access_key");
    const struct seg_ini_entry *tok = seg_ini_get(s, "aws_session_token");
    if (!tok)
        tok = seg_ini_get(s, "aws_security_token"); /* botocore's legacy name */
    *found = id || sk;
    if (!*found)
        return SEG_OK;
    if (!id || !sk) {
        seg_errmsg_set(err, "%s:%u: profile '%s' has %s but no %s; add it or remove both",
                       ini->name, (id ? id : sk)->line, profile,
                       id ? "aws_access_key_id" : "aws_secret_access_key",
                       id ? "aws_secret_access_key" : "aws_access_key_id");
        return SEG_ERR_AUTH;
    }
    char *where = seg_xasprintf("%s:%u", ini->name, id->line);
    enum seg_err rc = seg_creds_set(out, id->value, sk->value,
                                    tok && tok->value[0] ? tok->value : NULL, names, where, err);
    free(where);
    if (rc == SEG_OK)
        out->source = seg_xasprintf("profile '%s' in %s", profile, path);
    return rc;
}

static enum seg_err resolve(struct seg_creds_provider *p, time_t now, struct seg_errmsg *err)
{
    static const char *const env_names[3] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                             "AWS_SESSION_TOKEN"};
    const struct seg_aws_config *c = &p->paths;
    struct seg_ini config, creds;
    seg_ini_init(&config);
    seg_ini_init(&creds);
    struct seg_creds got;
    seg_creds_init(&got);
    enum seg_err rc = SEG_OK;
    bool found = false;

    /* 1. Environment keys, unless --profile named a profile explicitly. */
    if (!c->profile_explicit && (p->env_id || p->env_secret)) {
        if (!p->env_id || !p->env_secret) {
            seg_errmsg_set(err,
                           "%s is set but %s is not; set both, or unset it to use profile "
                           "'%s'",
                           p->env_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                           p->env_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID", c->profile);
            rc = SEG_ERR_AUTH;
            goto out;
        }
        const char *names[3] = {env_names[0], env_names[1], p->env_token_name};
        rc = seg_creds_set(&got, p->env_id, p->env_secret, p->env_token, names, "environment", err);
        if (rc)
            goto out;
        got.source = seg_xstrdup("environment");
        p->kind = K_STATIC;
        goto done;
    }

    rc = seg_aws_config_load_files(c, &config, &creds, err);
    if (rc)
        goto out;

    /* 2. The shared credentials file: bare [profile] sections. */
    rc = keys_from_section(&creds, seg_ini_find(&creds, c->profile), c->credentials_file,
                           c->profile, &found, &got, err);
    if (rc || found) {
        p->kind = K_STATIC;
        goto done;
    }

    /* 3. credential_process, then 4. keys, in the config file's profile section. */
    const struct seg_ini_section *prof = seg_aws_config_profile_section(&config, c->profile);
    const struct seg_ini_entry *cp = seg_ini_get(prof, "credential_process");
    if (cp && cp->value[0]) {
        p->command = seg_xstrdup(cp->value);
        p->what =
            seg_xasprintf("credential_process of profile '%s' in %s", c->profile, c->config_file);
        rc = seg_creds_run_process(p->command, p->what, &p->opts, now, &got, err);
        if (rc == SEG_OK)
            p->kind = K_PROCESS;
        goto done;
    }
    rc = keys_from_section(&config, prof, c->config_file, c->profile, &found, &got, err);
    if (rc || found) {
        p->kind = K_STATIC;
        goto done;
    }

    seg_errmsg_set(err,
                   "no AWS credentials for profile '%s': set AWS_ACCESS_KEY_ID and "
                   "AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key "
                   "to [%s] in %s, or credential_process to its section in %s",
                   c->profile, c->profile, c->credentials_name, c->config_name);
    rc = SEG_ERR_AUTH;
done:
    if (rc == SEG_OK) {
        seg_creds_release(&p->cache);
        p->cache = got;
        seg_creds_init(&got);
    } else {
        p->kind = K_UNRESOLVED;
        free(p->command);
        free(p->what);
        p->command = p->what = NULL;
    }
out:
    seg_creds_release(&got);
    seg_ini_release(&config);
    seg_ini_release(&creds);
    return rc;
}

enum seg_err seg_creds_provider_get(struct seg_creds_provider *p, time_t now, struct seg_creds *out,
                                    struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    pthread_mutex_lock(&p->mu);
    if (p->kind == K_UNRESOLVED) {
        rc = resolve(p, now, err);
    } else if (p->kind == K_PROCESS && p->cache.expiration &&
               p->cache.expiration - now <= p->opts.refresh_window) {
        struct seg_creds fresh;
        seg_creds_init(&fresh);
        rc = seg_creds_run_process(p->command, p->what, &p->opts, now, &fresh, err);
        if (rc == SEG_OK) {
            seg_creds_release(&p->cache);
            p->cache = fresh;
        }
    }
    if (rc == SEG_OK)
        seg_creds_copy(out, &p->cache);
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* ---- adapter for the HTTP client ---------------------------------------------------------- */

void seg_creds_source_init(struct seg_creds_source *s, struct seg_creds_provider *provider)
{
    s->provider = provider;
    seg_creds_init(&s->current);
}

void seg_creds_source_release(struct seg_creds_source *s)
{
    seg_creds_release(&s->current);
}

enum seg_err seg_creds_source_get(void *ud, time_t now, struct seg_sigv4_creds *out,
                                  struct seg_errmsg *err)
{
    struct seg_creds_source *s = ud;
    seg_creds_release(&s->current);
    enum seg_err rc = seg_creds_provider_get(s->provider, now, &s->current, err);
    if (rc)
        return rc;
    out->access_key_id = s->current.access_key_id;
    out->secret_access_key = s->current.secret_access_key;
    out->session_token = s->current.session_token;
    return SEG_OK;
}
