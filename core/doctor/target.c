/* Which endpoint doctor talks to and with which keys (DESIGN §3): the built-in simulator by
 * default, --endpoint / AWS_ENDPOINT_URL* for any AWS-compatible endpoint, --aws for the
 * real account. Prints the credentials, region and endpoint lines; never a secret. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doctor/doctor.h"
#include "doctor/doctor_internal.h"
#include "engine/headless.h"
#include "sim/sim.h"
#include "util/xalloc.h"

static const char *env(const char *name)
{
    return seg_env_get(NULL, name);
}

static bool env_endpoint_set(void)
{
    const char *ign = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (ign && strcmp(ign, "true") == 0)
        return false;
    return env("AWS_ENDPOINT_URL") || env("AWS_ENDPOINT_URL_LAMBDA") ||
           env("AWS_ENDPOINT_URL_S3") || env("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
}

static enum doc_target_kind pick_kind(const struct seg_options *o)
{
    if (o->aws)
        return DOC_TARGET_AWS;
    if (o->endpoint || o->config_endpoint || env_endpoint_set())
        return DOC_TARGET_ENDPOINT;
    return DOC_TARGET_SIM;
}

/* The simulator's credentials callback: the pair it accepts, never copied further. */
static enum seg_err sim_creds(void *ud, time_t now, struct seg_sigv4_creds *out,
                              struct seg_errmsg *err)
{
    const struct doc_target *t = ud;
    (void)now;
    if (!t->sim_key_id || !t->sim_secret) {
        seg_errmsg_set(err, "no key pair for the simulator");
        return SEG_ERR_AUTH;
    }
    memset(out, 0, sizeof *out);
    out->access_key_id = t->sim_key_id;
    out->secret_access_key = t->sim_secret;
    return SEG_OK;
}

/* DESIGN §2: --region, AWS_REGION, AWS_DEFAULT_REGION, the config file, us-west-1. */
static int setup_sim(struct doc_target *t, const struct seg_options *o, struct doc_report *r,
                     FILE *progress, bool *creds_ok)
{
    const char *region, *src;
    region = seg_options_region(o, &src);
    struct seg_sim_config cfg;
    seg_sim_config_from_options(&cfg, o, region);
    cfg.faults = NULL; /* doctor checks a healthy simulator */
    cfg.truth_path = NULL;
    struct seg_errmsg err = {{0}};
    if (!t->hooks || !t->hooks->start) {
        if (progress)
            fprintf(progress, "segtop doctor: the built-in simulator is not available here; "
                              "pass --endpoint URL or --aws\n");
        return SEG_DOCTOR_EXIT_RUNTIME;
    }
    enum seg_err rc = t->hooks->start(&cfg, &t->sim, &err);
    if (rc) {
        if (progress)
            fprintf(progress, "segtop doctor: cannot start the built-in simulator: %s\n", err.text);
        return rc == SEG_ERR_INVALID ? SEG_DOCTOR_EXIT_USAGE : SEG_DOCTOR_EXIT_RUNTIME;
    }
    t->sim_key_id = t->hooks->access_key_id(t->sim);
    t->sim_secret = t->hooks->test_secret(t->sim);
    const char *which = "the simulator's built-in test key pair";
    if (!t->sim_secret) { /* the simulator took the pair in the environment */
        t->sim_secret = env("AWS_SECRET_ACCESS_KEY");
        which = "environment (AWS_ACCESS_KEY_ID), which the simulator accepts";
    }
    t->region = seg_xstrdup(region); /* the simulator takes it as given */
    t->region_source = seg_xstrdup(src);
    for (int s = 0; s < SEG_AWS__SERVICES; s++) {
        t->url[s] = seg_xstrdup(t->hooks->endpoint(t->sim));
        t->url_source[s] = seg_xstrdup("built-in simulator, loopback");
    }
    t->max_attempts = o->max_attempts > 0 ? o->max_attempts : 3;
    doc_line(r, DOC_OK, "target", "built-in simulator at %s (no --aws or --endpoint given)",
             t->url[0]);
    doc_line(r, DOC_OK, "credentials", "%s", which);
    *creds_ok = true;
    return -1;
}

/* Options for the AWS settings chain: segtop's config file ranks below the environment. */
static struct seg_aws_config_opts chain_opts(const struct seg_options *o, bool aws,
                                             const char **region_src_fix)
{
    struct seg_aws_config_opts co = {
        .region = o->region, .endpoint = o->endpoint, .profile = o->profile};
    *region_src_fix = NULL;
    if (!co.region && !env("AWS_REGION") && !env("AWS_DEFAULT_REGION") && o->config_region) {
        co.region = o->config_region;
        *region_src_fix = "segtop config file";
    }
    if (!aws && !co.endpoint && !env_endpoint_set())
        co.endpoint = o->config_endpoint;
    if (!co.profile && !env("AWS_PROFILE") && !env("AWS_DEFAULT_PROFILE"))
        co.profile = o->config_profile;
    return co;
}

static bool loopback_host(const char *host)
{
    return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
           strncmp(host, "127.", 4) == 0;
}

static void creds_line(struct doc_target *t, struct doc_report *r, bool *creds_ok)
{
    struct seg_creds c;
    struct seg_errmsg err = {{0}};
    seg_creds_init(&c);
    time_t now = time(NULL);
    if (seg_creds_provider_get(t->provider, now, &c, &err) != SEG_OK) {
        doc_line(r, DOC_PROBLEM, "credentials", "%s", err.text);
        *creds_ok = false;
        return;
    }
    char extra[128] = "";
    if (c.expiration && c.expiration <= now) {
        doc_line(r, DOC_PROBLEM, "credentials",
                 "from %s expired %ld s ago" DOC_FIX "refresh them (aws sso login, or fix the "
                 "credential_process)",
                 c.source ? c.source : "?", (long)(now - c.expiration));
        *creds_ok = false;
    } else {
        if (c.expiration)
            snprintf(extra, sizeof extra, ", expire in %ld min", (long)(c.expiration - now) / 60);
        doc_line(r, DOC_OK, "credentials", "from %s%s%s", c.source ? c.source : "?",
                 c.session_token ? ", with a session token" : "", extra);
        *creds_ok = true;
    }
    seg_creds_release(&c);
}

static int setup_chain(struct doc_target *t, const struct seg_options *o, struct doc_report *r,
                       FILE *progress, bool *creds_ok)
{
    const char *fix;
    struct seg_aws_config_opts co = chain_opts(o, t->kind == DOC_TARGET_AWS, &fix);
    struct seg_errmsg err = {{0}};
    if (seg_aws_config_resolve(&t->acfg, &co, &err) != SEG_OK) {
        if (progress)
            fprintf(progress, "segtop doctor: %s\n", err.text);
        return SEG_DOCTOR_EXIT_USAGE;
    }
    t->region = seg_xstrdup(t->acfg.region);
    t->region_source = seg_xstrdup(fix ? fix : t->acfg.region_source);
    t->max_attempts = o->max_attempts > 0 ? o->max_attempts : (int)t->acfg.max_attempts;
    for (int s = 0; s < SEG_AWS__SERVICES; s++) {
        const struct seg_aws_endpoint *ep = &t->acfg.endpoints[s];
        t->url[s] = seg_xstrdup(ep->url);
        t->url_source[s] = seg_xstrdup(ep->source);
        t->is_aws[s] = ep->is_default;
    }
    doc_line(r, DOC_OK, "target", "%s (profile '%s' from %s)",
             t->kind == DOC_TARGET_AWS ? "AWS account (--aws)" : "AWS-compatible endpoint",
             t->acfg.profile, t->acfg.profile_source);
    t->provider = seg_creds_provider_new(NULL, &t->acfg, NULL);
    seg_creds_source_init(&t->source, t->provider);
    creds_line(t, r, creds_ok);
    return -1;
}

static void endpoint_lines(struct doc_target *t, struct doc_report *r)
{
    for (int s = 0; s < SEG_AWS__SERVICES; s++) {
        char what[32];
        snprintf(what, sizeof what, "endpoint %s", seg_aws_service_name((enum seg_aws_service)s));
        const struct seg_aws_endpoint *ep = &t->acfg.endpoints[s];
        bool tls = strncmp(t->url[s], "https://", 8) == 0;
        if (t->kind == DOC_TARGET_AWS && !tls) {
            doc_line(r, DOC_PROBLEM, what,
                     "%s (%s) is not TLS" DOC_FIX "--aws needs https: remove that override",
                     t->url[s], t->url_source[s]);
        } else if (t->kind == DOC_TARGET_ENDPOINT && !tls && ep->host && !loopback_host(ep->host)) {
            doc_line(r, DOC_WARN, what,
                     "%s (%s) is plain HTTP to another host: session tokens travel in "
                     "clear" DOC_FIX "use https",
                     t->url[s], t->url_source[s]);
        } else {
            doc_line(r, DOC_OK, what, "%s (%s)%s", t->url[s], t->url_source[s],
                     tls ? ", TLS with certificate verification" : "");
        }
    }
}

int doc_target_setup(struct doc_target *t, const struct seg_options *o,
                     const struct seg_sim_hooks *hooks, struct doc_report *r, FILE *progress,
                     bool *creds_ok)
{
    memset(t, 0, sizeof *t);
    t->hooks = hooks;
    seg_aws_config_init(&t->acfg);
    t->kind = pick_kind(o);
    int code = t->kind == DOC_TARGET_SIM ? setup_sim(t, o, r, progress, creds_ok)
                                         : setup_chain(t, o, r, progress, creds_ok);
    if (code >= 0)
        return code;
    doc_line(r, DOC_OK, "region", "%s (%s)", t->region, t->region_source);
    endpoint_lines(t, r);
    return -1;
}

void doc_target_client_config(struct doc_target *t, struct seg_http_client_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (int s = 0; s < SEG_AWS__SERVICES; s++)
        cfg->endpoints[s].base_url = t->url[s];
    cfg->region = t->region;
    if (t->kind == DOC_TARGET_SIM) {
        cfg->creds = sim_creds;
        cfg->creds_ud = t;
    } else {
        cfg->creds = seg_creds_source_get;
        cfg->creds_ud = &t->source;
    }
    cfg->max_attempts = t->max_attempts;
    cfg->default_timeout_ms = 10000; /* a silent endpoint should not hold doctor for long */
}

void doc_target_release(struct doc_target *t)
{
    if (t->sim)
        t->hooks->stop(t->sim);
    if (t->provider) {
        seg_creds_source_release(&t->source);
        seg_creds_provider_free(t->provider);
    }
    seg_aws_config_release(&t->acfg);
    free(t->region);
    free(t->region_source);
    for (int s = 0; s < SEG_AWS__SERVICES; s++) {
        free(t->url[s]);
        free(t->url_source[s]);
    }
    memset(t, 0, sizeof *t);
}
