#include "aws/awsconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "util/xalloc.h"

/* ---- environment ------------------------------------------------------------------------ */

static const char *process_getenv(void *ud, const char *name)
{
    (void)ud;
    return getenv(name);
}

struct seg_env seg_env_process(void)
{
    return (struct seg_env){.get = process_getenv, .ud = NULL};
}

const char *seg_env_get(const struct seg_env *env, const char *name)
{
    const char *v = env && env->get ? env->get(env->ud, name) : getenv(name);
    return v && *v ? v : NULL;
}

/* ---- names -------------------------------------------------------------------------------- */

struct svc_info {
    const char *name;      /* endpoint prefix and signing name */
    const char *env;       /* service-specific endpoint variable */
    const char *config_id; /* key inside a [services x] section */
};

static const struct svc_info services[SEG_AWS__SERVICES] = {
    [SEG_AWS_LAMBDA] = {"lambda", "AWS_ENDPOINT_URL_LAMBDA", "lambda"},
    [SEG_AWS_S3] = {"s3", "AWS_ENDPOINT_URL_S3", "s3"},
    /* Service ID "CloudWatch Logs", not the endpoint prefix (aws-wire.md §6.2). */
    [SEG_AWS_LOGS] = {"logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "cloudwatch_logs"},
};

const char *seg_aws_service_name(enum seg_aws_service svc)
{
    return (unsigned)svc < SEG_AWS__SERVICES ? services[svc].name : "?";
}

unsigned seg_aws_service_sigv4_flags(enum seg_aws_service svc)
{
    switch (svc) {
    case SEG_AWS_S3:
        return SEG_SIGV4_FLAGS_S3;
    case SEG_AWS_LAMBDA:
        return SEG_SIGV4_FLAGS_LAMBDA;
    default:
        return SEG_SIGV4_FLAGS_LOGS;
    }
}

static const char *const retry_names[] = {
    [SEG_RETRY_STANDARD] = "standard",
    [SEG_RETRY_ADAPTIVE] = "adaptive",
    [SEG_RETRY_LEGACY] = "legacy",
};

const char *seg_retry_mode_name(enum seg_retry_mode mode)
{
    return (unsigned)mode < SEG_ARRAY_LEN(retry_names) ? retry_names[mode] : "?";
}

/* ---- small helpers ---------------------------------------------------------------------- */

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* Copies s for quoting in a message: printable ASCII only, at most max characters. */
static void sanitize(char *out, size_t out_size, const char *s, size_t max)
{
    size_t n = 0;
    for (; *s && n + 1 < out_size && n < max; s++)
        out[n++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    if (*s && n >= 3 && out_size > 4) {
        out[n - 1] = out[n - 2] = out[n - 3] = '.';
    }
    out[n] = '\0';
}

/* "~/x" is expanded with HOME (as botocore's expanduser does). */
static char *expand_home(const char *path, const char *home)
{
    if (home && path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
        return seg_xasprintf("%s%s", home, path + 1);
    return seg_xstrdup(path);
}

static char *where_line(const struct seg_aws_config *cfg, unsigned line)
{
    return seg_xasprintf("%s:%u", cfg->config_name, line);
}

/* ---- endpoint URLs ---------------------------------------------------------------------- */

void seg_aws_endpoint_release(struct seg_aws_endpoint *ep)
{
    if (!ep)
        return;
    free(ep->url);
    free(ep->scheme);
    free(ep->host);
    free(ep->path);
    free(ep->source);
    memset(ep, 0, sizeof *ep);
}

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

static enum seg_err bad_url(struct seg_errmsg *err, const char *url, const char *where,
                            const char *why)
{
    char shown[104];
    /* user:password@host must not be echoed back. */
    sanitize(shown, sizeof shown, strchr(url, '@') ? "(not shown)" : url, 100);
    seg_errmsg_set(err,
                   "%s: endpoint URL '%s' %s; use e.g. http://127.0.0.1:4566 or https://host/path",
                   where, shown, why);
    return SEG_ERR_INVALID;
}

enum seg_err seg_aws_endpoint_parse(struct seg_aws_endpoint *out, const char *url,
                                    const char *where, struct seg_errmsg *err)
{
    struct seg_aws_endpoint ep = {0};
    for (const char *c = url; *c; c++)
        if (*c <= 0x20 || *c >= 0x7f)
            return bad_url(err, url, where, "contains a space, control or non-ASCII character");
    const char *sep = strstr(url, "://");
    if (!sep)
        return bad_url(err, url, where, "has no scheme (http:// or https://)");
    size_t slen = (size_t)(sep - url);
    if (slen == 4 && strncmp(url, "http", 4) == 0)
        ep.port = 80;
    else if (slen == 5 && strncmp(url, "https", 5) == 0)
        ep.port = 443;
    else {
        char *sc = seg_xstrndup(url, slen);
        bool http = ieq(sc, "http"), https = ieq(sc, "https");
        free(sc);
        if (!http && !https)
            return bad_url(err, url, where, "must use http or https");
        ep.port = https ? 443 : 80;
    }
    const char *a = sep + 3;
    size_t alen = strcspn(a, "/?#");
    const char *rest = a + alen;
    if (strchr(a, '@')) /* anywhere: a password may itself contain '/' */
        return bad_url(err, url, where, "must not contain user info ('user@')");
    const char *hb, *he, *after;
    bool v6 = false;
    if (alen > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', alen);
        if (!close)
            return bad_url(err, url, where, "has '[' without ']' around an IPv6 address");
        hb = a + 1;
        he = close;
        for (const char *c = hb; c < he; c++)
            if (!(host_char(*c) || *c == ':'))
                return bad_url(err, url, where, "has a malformed IPv6 address");
        after = close + 1;
        v6 = true;
    } else {
        hb = a;
        he = a;
        while (he < a + alen && *he != ':')
            he++;
        for (const char *c = hb; c < he; c++)
            if (!host_char(*c))
                return bad_url(err, url, where, "has a character not allowed in a host name");
        after = he;
    }
    if (hb == he)
        return bad_url(err, url, where, "has no host");
    bool port_given = false;
    if (after < a + alen) {
        if (*after != ':')
            return bad_url(err, url, where, "has text after the host");
        const char *pb = after + 1;
        unsigned long port = 0;
        if (pb == a + alen)
            return bad_url(err, url, where, "has an empty port");
        for (const char *c = pb; c < a + alen; c++) {
            if (*c < '0' || *c > '9' || port > 65535)
                return bad_url(err, url, where, "has a port that is not a number 1-65535");
            port = port * 10 + (unsigned long)(*c - '0');
        }
        if (port == 0 || port > 65535)
            return bad_url(err, url, where, "has a port that is not a number 1-65535");
        ep.port = (unsigned)port;
        port_given = true;
    }
    if (strpbrk(rest, "?#"))
        return bad_url(err, url, where, "must not have a query ('?') or fragment ('#')");
    size_t plen = strlen(rest);
    while (plen > 0 && rest[plen - 1] == '/')
        plen--;

    ep.scheme = seg_xstrndup(url, slen);
    for (char *c = ep.scheme; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    ep.host = seg_xstrndup(hb, (size_t)(he - hb));
    for (char *c = ep.host; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    ep.path = seg_xstrndup(rest, plen);
    char port_s[16] = "";
    if (port_given)
        snprintf(port_s, sizeof port_s, ":%u", ep.port);
    ep.url = seg_xasprintf("%s://%s%s%s%s%s", ep.scheme, v6 ? "[" : "", ep.host, v6 ? "]" : "",
                           port_s, ep.path);
    ep.source = seg_xstrdup(where);
    ep.is_default = false;
    *out = ep;
    return SEG_OK;
}

/* ---- profiles and files ----------------------------------------------------------------- */

const struct seg_ini_section *seg_aws_config_profile_section(const struct seg_ini *config,
                                                             const char *profile)
{
    for (size_t i = 0; config && i < config->n_sections; i++) {
        const char *n = config->sections[i].name;
        if (strncmp(n, "profile", 7) != 0 || (n[7] != ' ' && n[7] != '\t'))
            continue;
        const char *b = n + 8, *e = n + strlen(n);
        while (*b == ' ' || *b == '\t')
            b++;
        if (e - b >= 2 && *b == '"' && e[-1] == '"') { /* shlex-style quoting */
            b++;
            e--;
        } else if (strpbrk(b, " \t")) {
            continue; /* botocore ignores headers that do not split into two words */
        }
        if ((size_t)(e - b) == strlen(profile) && strncmp(b, profile, (size_t)(e - b)) == 0)
            return &config->sections[i];
    }
    if (strcmp(profile, "default") == 0)
        return seg_ini_find(config, "default");
    return NULL;
}

enum seg_err seg_aws_config_load_files(const struct seg_aws_config *cfg, struct seg_ini *config,
                                       struct seg_ini *credentials, struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    seg_ini_init(config);
    seg_ini_init(credentials);
    if (cfg->config_file) {
        rc = seg_ini_load(config, cfg->config_file, cfg->config_name, err);
        if (rc == SEG_ERR_NOTFOUND)
            rc = SEG_OK;
        if (rc)
            goto out;
    }
    if (cfg->credentials_file) {
        rc = seg_ini_load(credentials, cfg->credentials_file, cfg->credentials_name, err);
        if (rc == SEG_ERR_NOTFOUND)
            rc = SEG_OK;
    }
out:
    if (rc) {
        seg_ini_release(config);
        seg_ini_release(credentials);
    }
    return rc;
}

static void set_paths(struct seg_aws_config *cfg, const struct seg_env *env)
{
    const char *home = seg_env_get(env, "HOME");
    const char *v = seg_env_get(env, "AWS_CONFIG_FILE");
    if (v) {
        cfg->config_file = expand_home(v, home);
        cfg->config_name = seg_xstrdup(v);
    } else if (home) {
        cfg->config_file = seg_xasprintf("%s/.aws/config", home);
        cfg->config_name = seg_xstrdup("~/.aws/config");
    } else {
        cfg->config_name = seg_xstrdup("~/.aws/config (HOME is not set)");
    }
    v = seg_env_get(env, "AWS_SHARED_CREDENTIALS_FILE");
    if (v) {
        cfg->credentials_file = expand_home(v, home);
        cfg->credentials_name = seg_xstrdup(v);
    } else if (home) {
        cfg->credentials_file = seg_xasprintf("%s/.aws/credentials", home);
        cfg->credentials_name = seg_xstrdup("~/.aws/credentials");
    } else {
        cfg->credentials_name = seg_xstrdup("~/.aws/credentials (HOME is not set)");
    }
}

static enum seg_err set_profile(struct seg_aws_config *cfg, const struct seg_aws_config_opts *o,
                                struct seg_errmsg *err)
{
    const char *name = NULL, *src = "default";
    if (o->profile && *o->profile) {
        name = o->profile;
        src = "--profile";
        cfg->profile_explicit = true;
    } else if ((name = seg_env_get(o->env, "AWS_PROFILE"))) {
        src = "AWS_PROFILE";
    } else if ((name = seg_env_get(o->env, "AWS_DEFAULT_PROFILE"))) {
        src = "AWS_DEFAULT_PROFILE";
    } else {
        name = "default";
    }
    size_t n = strlen(name);
    bool ok = n <= 128;
    for (const char *c = name; ok && *c; c++)
        ok = *c >= 0x20 && *c != 0x7f && *c != '[' && *c != ']';
    if (!ok) {
        char shown[72];
        sanitize(shown, sizeof shown, name, 64);
        seg_errmsg_set(err,
                       "%s: profile name '%s' is not valid (at most 128 printable "
                       "characters, no brackets); fix the name",
                       src, shown);
        return SEG_ERR_INVALID;
    }
    cfg->profile = seg_xstrdup(name);
    cfg->profile_source = seg_xstrdup(src);
    return SEG_OK;
}

/* ---- region ------------------------------------------------------------------------------ */

static enum seg_err set_region(struct seg_aws_config *cfg, const struct seg_aws_config_opts *o,
                               const struct seg_ini_section *prof, struct seg_errmsg *err)
{
    char *val = NULL, *src = NULL;
    const char *v;
    const struct seg_ini_entry *e;
    if (o->region && *o->region) {
        val = seg_xstrdup(o->region);
        src = seg_xstrdup("--region");
    } else if ((v = seg_env_get(o->env, "AWS_REGION"))) {
        val = seg_xstrdup(v);
        src = seg_xstrdup("AWS_REGION");
    } else if ((v = seg_env_get(o->env, "AWS_DEFAULT_REGION"))) {
        val = seg_xstrdup(v);
        src = seg_xstrdup("AWS_DEFAULT_REGION");
    } else if ((e = seg_ini_get(prof, "region")) && e->value[0]) {
        val = seg_xstrdup(e->value);
        src = where_line(cfg, e->line);
    } else {
        val = seg_xstrdup("us-west-1");
        src = seg_xstrdup("default");
    }
    /* The region goes into host names and the signature scope: keep it to its alphabet. */
    size_t n = strlen(val);
    bool ok = n >= 1 && n <= 64 && val[0] != '-' && val[n - 1] != '-';
    for (const char *c = val; ok && *c; c++)
        ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-';
    if (!ok) {
        char shown[72];
        sanitize(shown, sizeof shown, val, 64);
        seg_errmsg_set(err,
                       "%s: '%s' is not a region name (lowercase letters, digits and '-', "
                       "e.g. us-west-1); fix the value",
                       src, shown);
        free(val);
        free(src);
        return SEG_ERR_INVALID;
    }
    cfg->region = val;
    cfg->region_source = src;
    return SEG_OK;
}

/* ---- endpoints --------------------------------------------------------------------------- */

static bool env_true(const struct seg_env *env, const char *name)
{
    const char *v = seg_env_get(env, name);
    return v && ieq(v, "true");
}

/* The [services NAME] section the profile points at with "services = NAME". */
static enum seg_err find_services(const struct seg_aws_config *cfg, const struct seg_ini *config,
                                  const struct seg_ini_section *prof,
                                  const struct seg_ini_section **out, struct seg_errmsg *err)
{
    *out = NULL;
    const struct seg_ini_entry *e = seg_ini_get(prof, "services");
    if (!e || !e->value[0])
        return SEG_OK;
    for (size_t i = 0; i < config->n_sections; i++) {
        const char *n = config->sections[i].name;
        if (strncmp(n, "services", 8) != 0 || (n[8] != ' ' && n[8] != '\t'))
            continue;
        const char *b = n + 9;
        while (*b == ' ' || *b == '\t')
            b++;
        if (strcmp(b, e->value) == 0) {
            *out = &config->sections[i];
            return SEG_OK;
        }
    }
    char shown[72];
    sanitize(shown, sizeof shown, e->value, 64);
    seg_errmsg_set(err,
                   "%s:%u: profile '%s' uses services section '%s', which does not exist; "
                   "add [services %s] or remove the line",
                   cfg->config_name, e->line, cfg->profile, shown, shown);
    return SEG_ERR_INVALID;
}

static enum seg_err set_endpoint(struct seg_aws_config *cfg, enum seg_aws_service svc,
                                 const struct seg_aws_config_opts *o,
                                 const struct seg_ini_section *prof,
                                 const struct seg_ini_section *svcsec, struct seg_errmsg *err)
{
    struct seg_aws_endpoint *ep = &cfg->endpoints[svc];
    const struct svc_info *si = &services[svc];
    const char *v;
    const struct seg_ini_entry *e = NULL;
    enum seg_err rc;
    if (o->endpoint && *o->endpoint)
        return seg_aws_endpoint_parse(ep, o->endpoint, "--endpoint", err);
    if (!cfg->ignore_configured_endpoints) {
        if ((v = seg_env_get(o->env, si->env))) {
            char *copy = seg_xstrdup(v);
            rc = seg_aws_endpoint_parse(ep, copy, si->env, err);
            free(copy);
            return rc;
        }
        if ((v = seg_env_get(o->env, "AWS_ENDPOINT_URL"))) {
            char *copy = seg_xstrdup(v);
            rc = seg_aws_endpoint_parse(ep, copy, "AWS_ENDPOINT_URL", err);
            free(copy);
            return rc;
        }
        const struct seg_ini_entry *parent = seg_ini_get(svcsec, si->config_id);
        if (parent && parent->value[0]) {
            seg_errmsg_set(err,
                           "%s:%u: '%s' in [%s] needs nested settings, e.g. '%s =' then "
                           "an indented 'endpoint_url = http://...'",
                           cfg->config_name, parent->line, si->config_id, svcsec->name,
                           si->config_id);
            return SEG_ERR_INVALID;
        }
        if (!(e = seg_ini_get_nested(svcsec, si->config_id, "endpoint_url")))
            e = seg_ini_get(prof, "endpoint_url");
        if (e) {
            char *where = where_line(cfg, e->line);
            rc = seg_aws_endpoint_parse(ep, e->value, where, err);
            free(where);
            return rc;
        }
    }
    char *url = seg_xasprintf("https://%s.%s.amazonaws.com", si->name, cfg->region);
    rc = seg_aws_endpoint_parse(ep, url, "default", err);
    free(url);
    if (rc == SEG_OK)
        ep->is_default = true;
    return rc;
}

/* ---- retries ----------------------------------------------------------------------------- */

static enum seg_err set_retry(struct seg_aws_config *cfg, const struct seg_aws_config_opts *o,
                              const struct seg_ini_section *prof, struct seg_errmsg *err)
{
    const char *v;
    const struct seg_ini_entry *e;
    char *val = NULL, *src = NULL;
    char shown[40];
    enum seg_err rc = SEG_OK;

    if ((v = seg_env_get(o->env, "AWS_MAX_ATTEMPTS"))) {
        val = seg_xstrdup(v);
        src = seg_xstrdup("AWS_MAX_ATTEMPTS");
    } else if ((e = seg_ini_get(prof, "max_attempts")) && e->value[0]) {
        val = seg_xstrdup(e->value);
        src = where_line(cfg, e->line);
    }
    cfg->max_attempts = 3;
    if (val) {
        unsigned long n = 0;
        bool ok = val[0] != '\0' && strlen(val) <= 2;
        for (const char *c = val; ok && *c; c++) {
            ok = *c >= '0' && *c <= '9';
            n = n * 10 + (unsigned long)(*c - '0');
        }
        if (!ok || n < 1 || n > 20) {
            sanitize(shown, sizeof shown, val, 32);
            seg_errmsg_set(err,
                           "%s: max_attempts '%s' is not a number from 1 to 20 (it counts "
                           "the first call); fix the value",
                           src, shown);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        cfg->max_attempts = (unsigned)n;
        cfg->max_attempts_source = src;
        src = NULL;
    } else {
        cfg->max_attempts_source = seg_xstrdup("default");
    }
    free(val);
    val = NULL;

    if ((v = seg_env_get(o->env, "AWS_RETRY_MODE"))) {
        val = seg_xstrdup(v);
        free(src);
        src = seg_xstrdup("AWS_RETRY_MODE");
    } else if ((e = seg_ini_get(prof, "retry_mode")) && e->value[0]) {
        val = seg_xstrdup(e->value);
        free(src);
        src = where_line(cfg, e->line);
    }
    cfg->retry_mode = SEG_RETRY_STANDARD;
    if (val) {
        size_t i;
        for (i = 0; i < SEG_ARRAY_LEN(retry_names); i++)
            if (ieq(val, retry_names[i]))
                break;
        if (i == SEG_ARRAY_LEN(retry_names)) {
            sanitize(shown, sizeof shown, val, 32);
            seg_errmsg_set(err,
                           "%s: retry_mode '%s' is not standard, adaptive or legacy; fix "
                           "the value",
                           src, shown);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        cfg->retry_mode = (enum seg_retry_mode)i;
        cfg->retry_mode_source = src;
        src = NULL;
    } else {
        cfg->retry_mode_source = seg_xstrdup("default");
    }
out:
    free(val);
    free(src);
    return rc;
}

/* ---- entry point ------------------------------------------------------------------------- */

void seg_aws_config_init(struct seg_aws_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

void seg_aws_config_release(struct seg_aws_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->profile);
    free(cfg->profile_source);
    free(cfg->config_file);
    free(cfg->config_name);
    free(cfg->credentials_file);
    free(cfg->credentials_name);
    free(cfg->region);
    free(cfg->region_source);
    for (int i = 0; i < SEG_AWS__SERVICES; i++)
        seg_aws_endpoint_release(&cfg->endpoints[i]);
    free(cfg->max_attempts_source);
    free(cfg->retry_mode_source);
    memset(cfg, 0, sizeof *cfg);
}

static enum seg_err missing_profile(const struct seg_aws_config *cfg, struct seg_errmsg *err)
{
    seg_errmsg_set(err,
                   "profile '%s' (from %s) not found: no [profile %s] in %s%s and no [%s] in "
                   "%s%s; create it (aws configure --profile %s) or fix the name",
                   cfg->profile, cfg->profile_source, cfg->profile, cfg->config_name,
                   cfg->config_present ? "" : " (missing)", cfg->profile, cfg->credentials_name,
                   cfg->credentials_present ? "" : " (missing)", cfg->profile);
    return SEG_ERR_NOTFOUND;
}

enum seg_err seg_aws_config_resolve(struct seg_aws_config *cfg,
                                    const struct seg_aws_config_opts *opts, struct seg_errmsg *err)
{
    struct seg_aws_config_opts o = opts ? *opts : (struct seg_aws_config_opts){0};
    struct seg_ini config, creds;
    seg_ini_init(&config);
    seg_ini_init(&creds);
    seg_aws_config_release(cfg);

    set_paths(cfg, o.env);
    enum seg_err rc = set_profile(cfg, &o, err);
    if (rc)
        goto out;
    rc = seg_aws_config_load_files(cfg, &config, &creds, err);
    if (rc)
        goto out;
    cfg->config_present = config.name != NULL; /* set only when the file was read */
    cfg->credentials_present = creds.name != NULL;

    const struct seg_ini_section *prof = seg_aws_config_profile_section(&config, cfg->profile);
    cfg->profile_in_config = prof != NULL;
    cfg->profile_in_credentials = seg_ini_find(&creds, cfg->profile) != NULL;
    if (strcmp(cfg->profile_source, "default") != 0 && !cfg->profile_in_config &&
        !cfg->profile_in_credentials) {
        rc = missing_profile(cfg, err);
        goto out;
    }

    rc = set_region(cfg, &o, prof, err);
    if (rc)
        goto out;

    cfg->ignore_configured_endpoints = env_true(o.env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!seg_env_get(o.env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
        const struct seg_ini_entry *e = seg_ini_get(prof, "ignore_configured_endpoint_urls");
        cfg->ignore_configured_endpoints = e && ieq(e->value, "true");
    }
    const struct seg_ini_section *svcsec = NULL;
    if (!cfg->ignore_configured_endpoints) {
        rc = find_services(cfg, &config, prof, &svcsec, err);
        if (rc)
            goto out;
    }
    for (int s = 0; s < SEG_AWS__SERVICES && !rc; s++)
        rc = set_endpoint(cfg, (enum seg_aws_service)s, &o, prof, svcsec, err);
    if (rc)
        goto out;
    rc = set_retry(cfg, &o, prof, err);
out:
    seg_ini_release(&config);
    seg_ini_release(&creds);
    if (rc)
        seg_aws_config_release(cfg);
    return rc;
}
