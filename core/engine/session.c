#include "engine/session.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/image.h"
#include "engine/session_internal.h"
#include "export/exporters.h"
#include "util/xalloc.h"

static enum seg_err static_creds_get(void *ud, time_t now, struct seg_sigv4_creds *out,
                                     struct seg_errmsg *err)
{
    (void)now;
    (void)err;
    const struct seg_session_static_creds *s = ud;
    *out = (struct seg_sigv4_creds){s->akid, s->secret, NULL};
    return SEG_OK;
}

static int64_t sim_now(void *ud)
{
    const struct seg_session_sim_clock *s = ud;
    return s->hooks->now_ms(s->sim);
}

static bool env_endpoint(void)
{
    static const char *const names[] = {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA",
                                        "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(names); i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return true;
    }
    return false;
}

static enum seg_err read_file(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return SEG_ERR_IO;
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = seg_xmalloc(cap);
    size_t k;
    while ((k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            if (cap >= ((size_t)64 << 20))
                break;
            cap *= 2;
            b = seg_xrealloc(b, cap);
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return SEG_ERR_IO;
    }
    *out = b;
    *len = n;
    return SEG_OK;
}

/* Rough cost of the ladder for the --aws confirmation: every site cold, the measured mean
 * billed time, the default memory (DESIGN §1). */
static double estimate_cost(const int *ladder, size_t n)
{
    double inv = 0;
    for (size_t i = 0; i < n; i++)
        inv += ladder[i];
    return inv * (6200.0 / 1024.0 * 20.1 * 0.0000166667 + 0.20 / 1e6);
}

static struct seg_sites_config sites_config(const struct seg_options *o)
{
    return (struct seg_sites_config){.sites = o->sites,
                                     .function_pattern = o->function_pattern,
                                     .bucket_pattern = o->bucket_pattern,
                                     .log_group_pattern = o->log_group_pattern,
                                     .shared_log_group = o->shared_log_group,
                                     .sites_file = o->sites_file};
}

/* The ladder without the steps above the site count. */
static void build_ladder(struct seg_session *s)
{
    const struct seg_options *o = s->o;
    s->nladder = 0;
    for (int i = 0; i < o->nwaves; i++) {
        if ((size_t)o->waves[i] > s->nsites)
            fprintf(stderr, "segtop: warning: wave of %d dropped: only %zu sites\n", o->waves[i],
                    s->nsites);
        else
            s->ladder[s->nladder++] = o->waves[i];
    }
}

enum seg_err seg_session_new(const struct seg_options *o, const struct seg_sim_hooks *hooks,
                             bool interactive, struct seg_session **out, struct seg_errmsg *err)
{
    enum seg_err rc = SEG_ERR_INVALID;
    struct seg_session *s = seg_xcalloc(1, sizeof *s);
    s->o = o;
    s->hooks = hooks;
    s->interactive = interactive;
    s->pipe[0] = s->pipe[1] = -1;
    s->jobs_tail = &s->jobs;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cond, NULL);
    seg_aws_config_init(&s->awscfg);
    seg_creds_source_init(&s->source, NULL);
    s->region = seg_options_region(o, NULL);

    if (o->discover_prefix && o->sites_file) {
        seg_errmsg_set(err, "--discover and --sites-file both name the sites: pass one of them");
        goto out;
    }
    if (o->discover_prefix && !*o->discover_prefix) {
        seg_errmsg_set(err, "--discover needs a prefix (every function of the account would "
                            "become a site)");
        goto out;
    }
    /* --discover: the sites, and so the ladder, come from the pre-flight (seg_session_start). */
    if (!o->discover_prefix) {
        struct seg_sites_config sc = sites_config(o);
        if (seg_sites_build(&sc, &s->sites, &s->nsites, err) != SEG_OK)
            goto out;
        build_ladder(s);
    }
    if (o->aws && !o->image) {
        seg_errmsg_set(err, "--aws uploads into your buckets: pass the image to upload "
                            "with --image FILE (the built-in test image is refused)");
        goto out;
    }
    if (o->image) {
        if (read_file(o->image, &s->image, &s->image_len) != SEG_OK) {
            seg_errmsg_set(err, "--image %s: %s", o->image, strerror(errno));
            goto out;
        }
    } else {
        const unsigned char *b = seg_builtin_image(&s->image_len);
        s->image = seg_xmalloc(s->image_len);
        memcpy(s->image, b, s->image_len);
    }
    rc = SEG_OK;
out:
    if (rc != SEG_OK) {
        seg_session_free(s);
        s = NULL;
    }
    *out = s;
    return rc;
}

void seg_session_plan(const struct seg_session *s, char *buf, size_t size)
{
    const struct seg_options *o = s->o;
    /* --discover: the sites are listed at start; the ladder is the whole one until then. */
    const int *ladder = o->discover_prefix ? o->waves : s->ladder;
    size_t nladder = o->discover_prefix ? (size_t)o->nwaves : s->nladder;
    size_t ninv = 0;
    for (size_t i = 0; i < nladder; i++)
        ninv += (size_t)ladder[i];
    char over[200];
    if (o->discover_prefix)
        snprintf(over, sizeof over, "the functions named %.100s* (listed before the first wave)",
                 o->discover_prefix);
    else
        snprintf(over, sizeof over, "%zu sites", s->nsites);
    snprintf(buf, size,
             "on AWS (%s): %zu waves (%zu invocations, trigger %s%s) over %s; "
             "estimated Lambda cost %.2f USD (every run cold, 20 s billed, 6200 MB)",
             s->region, nladder, ninv, seg_trigger_name(o->trigger),
             o->trigger != SEG_TRIGGER_S3 ? "; a bucket that also notifies the function runs it "
                                            "again"
                                          : "",
             over, estimate_cost(ladder, nladder));
}

/* The in-process simulator: its endpoint, its key pair, its clock. */
static enum seg_err start_sim(struct seg_session *s, struct seg_http_client_config *hc,
                              struct seg_run_config *rc, struct seg_errmsg *err)
{
    const struct seg_options *o = s->o;
    struct seg_sim_config simcfg;
    seg_sim_config_from_options(&simcfg, o, s->region);
    struct seg_errmsg e2 = {{0}};
    enum seg_err e = s->hooks ? s->hooks->start(&simcfg, &s->sim, &e2) : SEG_ERR_STATE;
    if (e != SEG_OK) {
        seg_errmsg_set(err, "simulator: %s", s->hooks ? e2.text : "not available");
        return e == SEG_ERR_INVALID ? SEG_ERR_INVALID : SEG_ERR_STATE;
    }
    const char *ep = s->hooks->endpoint(s->sim);
    snprintf(s->target, sizeof s->target, "sim:%s", strncmp(ep, "http://", 7) == 0 ? ep + 7 : ep);
    for (int i = 0; i < SEG_AWS__SERVICES; i++)
        hc->endpoints[i].base_url = ep;
    s->creds.akid = s->hooks->access_key_id(s->sim);
    s->creds.secret = s->hooks->test_secret(s->sim);
    if (!s->creds.secret) /* the pair came from the environment */
        s->creds.secret = getenv("AWS_SECRET_ACCESS_KEY");
    hc->creds = static_creds_get;
    hc->creds_ud = &s->creds;
    rc->region = s->region;
    s->sim_clock = (struct seg_session_sim_clock){s->hooks, s->sim};
    seg_logclock_init(&rc->clock, o->sim_speed, sim_now, &s->sim_clock);
    return SEG_OK;
}

/* AWS, or any AWS-compatible endpoint: the settings chain and the credentials chain. */
static enum seg_err start_remote(struct seg_session *s, struct seg_http_client_config *hc,
                                 struct seg_run_config *rc, struct seg_errmsg *err)
{
    const struct seg_options *o = s->o;
    struct seg_aws_config_opts ao = {
        .region = o->region ? o->region : NULL,
        .endpoint = o->aws ? NULL : o->endpoint,
        .profile = o->profile,
    };
    if (seg_aws_config_resolve(&s->awscfg, &ao, err) != SEG_OK)
        return SEG_ERR_INVALID;
    for (int i = 0; i < SEG_AWS__SERVICES; i++)
        hc->endpoints[i].base_url = s->awscfg.endpoints[i].url;
    struct seg_env env = seg_env_process();
    s->provider = seg_creds_provider_new(&env, &s->awscfg, NULL);
    seg_creds_source_init(&s->source, s->provider);
    hc->creds = seg_creds_source_get;
    hc->creds_ud = &s->source;
    rc->region = s->awscfg.region;
    s->region = s->awscfg.region;
    rc->virtual_hosted = o->aws && s->awscfg.endpoints[SEG_AWS_S3].is_default;
    rc->use_date_offset = o->aws;
    /* A standalone simulator runs its own clock: estimated from what it reports. */
    seg_logclock_init(&rc->clock, o->aws ? 1.0 : o->sim_speed, NULL, NULL);
    if (o->aws)
        snprintf(s->target, sizeof s->target, "aws");
    else
        snprintf(s->target, sizeof s->target, "endpoint:%s",
                 s->awscfg.endpoints[SEG_AWS_LAMBDA].url ? s->awscfg.endpoints[SEG_AWS_LAMBDA].url
                                                         : "?");
    return SEG_OK;
}

/* "781 s", or "30..900 s" when the sites differ. */
static void range_text(char *buf, size_t size, int lo, int hi, const char *unit)
{
    if (lo == hi)
        snprintf(buf, size, "%d %s", lo, unit);
    else
        snprintf(buf, size, "%d..%d %s", lo, hi, unit);
}

/* What the pre-flight found: lines on stderr (headless), the status line (dashboard). Its
 * warnings are given once, here; none is fatal. */
static void preflight_report(struct seg_session *s)
{
    const struct seg_options *o = s->o;
    const struct seg_preflight_result *r = &s->pf;
    char lines[5][800];
    size_t n = 0;
    char tmo[48], mem[48], acc[48];
    range_text(tmo, sizeof tmo, r->timeout_min_s, r->timeout_max_s, "s");
    range_text(mem, sizeof mem, r->memory_min_mb, r->memory_max_mb, "MB");
    if (r->account_concurrency > 0)
        snprintf(acc, sizeof acc, "%d", r->account_concurrency);
    else
        snprintf(acc, sizeof acc, "unknown");
    if (o->discover_prefix)
        snprintf(lines[n++], sizeof lines[0],
                 "discover: %zu of %zu functions are named %.100s* (%zu ListFunctions "
                 "page%s)%s",
                 r->matched, r->listed, o->discover_prefix, r->list_pages,
                 r->list_pages == 1 ? "" : "s",
                 r->renumbered ? "; their numbers are not 1..N, so sites are numbered 1..N in "
                                 "that order (a wave of N fires sites 1..N)"
                               : "");
    snprintf(lines[n++], sizeof lines[0],
             "pre-flight: %zu sites, timeout %s, memory %s, account concurrency %s (%.1f s)",
             s->nsites, tmo, mem, acc, r->elapsed_ms / 1000.0);
    if (r->config_failed)
        snprintf(lines[n++], sizeof lines[0],
                 "warning: GetFunctionConfiguration failed for %zu of %zu sites (first: %.300s): "
                 "they keep the defaults, timeout 781 s and memory 6200 MB",
                 r->config_failed, r->config_asked, r->config_problem);
    if (r->group_mismatch)
        snprintf(lines[n++], sizeof lines[0],
                 "warning: %zu site%s log elsewhere than segtop reads (%.400s): fix "
                 "--log-group-pattern or the sites file (segtop doctor checks it)",
                 r->group_mismatch, r->group_mismatch == 1 ? "" : "s", r->group_example);
    if (r->account_problem[0])
        snprintf(lines[n++], sizeof lines[0],
                 "warning: GetAccountSettings failed (%.300s): the account's concurrency limit is "
                 "unknown",
                 r->account_problem);
    if (!s->interactive) {
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "segtop: %s\n", lines[i]);
    } else {
        seg_session_set_message(s, "%s", lines[n - 1]); /* the last: a warning if any */
    }
}

/* Discovery, function configurations and the account limit, before the run exists. */
static enum seg_err preflight(struct seg_session *s, const struct seg_http_client_config *hc,
                              struct seg_errmsg *err)
{
    const struct seg_options *o = s->o;
    struct seg_sites_config sc = sites_config(o);
    const char *url = hc->endpoints[SEG_AWS_LAMBDA].base_url;
    char where[400];
    snprintf(where, sizeof where, "region %s at %s", s->region, url ? url : "the default endpoint");
    struct seg_preflight_config pc = {.http = hc,
                                      .discover_prefix = o->discover_prefix,
                                      .sites_cfg = &sc,
                                      .paced = o->aws,
                                      .where = where,
                                      /* the dashboard has not taken the terminal yet */
                                      .progress = stderr};
    enum seg_err rc = seg_preflight_run(&pc, &s->sites, &s->nsites, &s->pf, err);
    if (rc != SEG_OK)
        return rc == SEG_ERR_INVALID ? SEG_ERR_INVALID : SEG_ERR_STATE;
    if (o->discover_prefix)
        build_ladder(s);
    preflight_report(s);
    return SEG_OK;
}

/* Every session is journaled; a journal that cannot open is reported, never fatal. */
static void open_journal(struct seg_session *s)
{
    struct seg_errmsg jerr = {{0}};
    if (seg_journal_open(NULL, &s->journal, &jerr) != SEG_OK) {
        s->journal = NULL;
        seg_session_set_message(s, "journal: %s (the session goes on unrecorded)", jerr.text);
        return;
    }
    struct seg_store *store = seg_run_store(s->run);
    seg_journal_attach(s->journal, store);
    /* The run named the sites before the journal existed: name them again for replay. */
    for (size_t i = 0; i < s->nsites; i++)
        seg_store_set_site(store, s->sites[i].n, s->sites[i].function);
}

enum seg_err seg_session_start(struct seg_session *s, struct seg_errmsg *err)
{
    enum seg_err rc = SEG_ERR_STATE;
    const struct seg_options *o = s->o;
    /* Every thread created below (simulator, engine, export worker) inherits this mask, so
     * the signals reach the caller's thread only. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    /* Temp files a killed run left where this one exports: removed now (DESIGN §8). */
    (void)seg_export_cleanup_at_start(o->export_dir, o->export_file);
    if (s->started) {
        seg_errmsg_set(err, "session already started");
        goto out;
    }
    s->started = true;
    if (seg_http_global_init() != SEG_OK) {
        seg_errmsg_set(err, "cannot initialise libcurl");
        goto out;
    }
    if (s->interactive && (rc = seg_session_live_init(s, err)) != SEG_OK)
        goto out;
    struct seg_http_client_config hc = {0};
    struct seg_run_config runcfg = {.sites = s->sites,
                                    .nsites = s->nsites,
                                    .shared_log_group = o->shared_log_group,
                                    .trigger = o->trigger,
                                    .image = s->image,
                                    .image_len = s->image_len,
                                    .key_template = o->key_template,
                                    .trigger_retries = o->trigger_retries,
                                    .log_tps = o->log_tps,
                                    .ladder = s->ladder,
                                    .nladder = s->nladder,
                                    .autorun = !s->interactive,
                                    .interactive = s->interactive,
                                    .on_snapshot = s->interactive ? seg_session_on_snapshot : NULL,
                                    .on_message = seg_session_on_message,
                                    .on_tick = seg_session_on_tick,
                                    .hook_ud = s};
    bool custom = !o->aws && (o->endpoint || o->config_endpoint || env_endpoint());
    rc = !o->aws && !custom ? start_sim(s, &hc, &runcfg, err) : start_remote(s, &hc, &runcfg, err);
    if (rc != SEG_OK)
        goto out;
    rc = SEG_ERR_STATE;
    hc.region = runcfg.region;
    hc.max_attempts = o->max_attempts > 0 ? o->max_attempts : 3;
    hc.trace = o->trace ? stderr : NULL;
    if ((rc = preflight(s, &hc, err)) != SEG_OK)
        goto out;
    rc = SEG_ERR_STATE;
    runcfg.sites = s->sites;
    runcfg.nsites = s->nsites;
    runcfg.ladder = s->ladder;
    runcfg.nladder = s->nladder;
    runcfg.account_concurrency = s->pf.account_concurrency;
    runcfg.config_failed = s->pf.config_failed;
    runcfg.gap_ms = o->gap_s * 1000.0;
    s->run = seg_run_new(&runcfg);
    open_journal(s);
    struct seg_engine_driver drv = seg_run_driver(s->run);
    if (seg_engine_start_driven(&hc, &drv, &s->engine, err) != SEG_OK) {
        s->engine = NULL;
        goto out;
    }
    rc = SEG_OK;
out:
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void seg_session_stop(struct seg_session *s)
{
    if (!s || s->stopped)
        return;
    s->stopped = true;
    /* Commands posted before this (an export asked for at the quit prompt) still run. */
    seg_engine_stop(s->engine);
    s->engine = NULL;
    seg_session_worker_stop(s);
    if (s->journal) {
        enum seg_err e = seg_journal_close(s->journal);
        if (e != SEG_OK && !s->interactive)
            fprintf(stderr, "segtop: journal: %s\n", seg_strerror(e));
        s->journal = NULL;
    }
    if (s->sim)
        s->hooks->stop(s->sim);
    s->sim = NULL;
}

void seg_session_free(struct seg_session *s)
{
    if (!s)
        return;
    seg_session_stop(s);
    seg_run_free(s->run);
    seg_session_live_release(s);
    seg_creds_source_release(&s->source);
    seg_creds_provider_free(s->provider);
    seg_aws_config_release(&s->awscfg);
    seg_sites_free(s->sites, s->nsites);
    free(s->image);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

struct seg_run *seg_session_run(struct seg_session *s)
{
    return s->run;
}

struct seg_engine *seg_session_engine(struct seg_session *s)
{
    return s->engine;
}

struct seg_store *seg_session_store(struct seg_session *s)
{
    return s->run ? seg_run_store(s->run) : NULL;
}

const char *seg_session_target(const struct seg_session *s)
{
    return s->target[0] ? s->target : "sim";
}

const char *seg_session_region(const struct seg_session *s)
{
    return s->region;
}

const int *seg_session_ladder(const struct seg_session *s, size_t *n)
{
    *n = s->nladder;
    return s->ladder;
}

size_t seg_session_nsites(const struct seg_session *s)
{
    return s->nsites;
}

int seg_session_account_concurrency(const struct seg_session *s)
{
    return s->pf.account_concurrency;
}

const char *seg_session_trigger(const struct seg_session *s)
{
    return seg_trigger_name(s->o->trigger);
}
