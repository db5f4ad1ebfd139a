#include "engine/headless.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "engine/image.h"
#include "engine/outputs.h"
#include "engine/run.h"
#include "metrics/slo.h"
#include "pipeline/sites.h"
#include "util/xalloc.h"

enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    EXIT_SLO = 3,
    EXIT_INCOMPLETE = 4,
    EXIT_INTERRUPTED = 130
};

/* The simulator's fixed key pair, handed to the signer. */
struct static_creds {
    const char *akid, *secret;
};

static enum seg_err static_creds_get(void *ud, time_t now, struct seg_sigv4_creds *out,
                                     struct seg_errmsg *err)
{
    (void)now;
    (void)err;
    const struct static_creds *s = ud;
    *out = (struct seg_sigv4_creds){s->akid, s->secret, NULL};
    return SEG_OK;
}

struct sim_clock_ud {
    const struct seg_sim_hooks *hooks;
    const struct seg_sim *sim;
};

static int64_t sim_now(void *ud)
{
    const struct sim_clock_ud *s = ud;
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

static const char *region_of(const struct seg_options *o)
{
    const char *env;
    if (o->region)
        return o->region;
    if ((env = getenv("AWS_REGION")) && *env)
        return env;
    if ((env = getenv("AWS_DEFAULT_REGION")) && *env)
        return env;
    return o->config_region ? o->config_region : "us-west-1";
}

static void progress(const struct seg_run_status *st)
{
    char lag[32];
    if (isnan(st->lag_p95_s))
        snprintf(lag, sizeof lag, "-");
    else
        snprintf(lag, sizeof lag, "%.1fs", st->lag_p95_s);
    fprintf(stderr,
            "[t+%.0fs] wave %d/%d n=%d sent=%u acc=%u start=%u done=%u fail=%u miss=%u "
            "logs=%.1f/s thr=%llu lag_p95=%s\n",
            floor(st->t_s), st->ladder_pos, st->nladder, st->size, st->sent, st->accepted,
            st->started, st->done, st->failed, st->missing, st->logs_per_s,
            (unsigned long long)st->throttles, lag);
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

int seg_headless_main(const struct seg_options *o, const struct seg_sim_hooks *hooks)
{
    int code = EXIT_RUNTIME;
    struct seg_errmsg err = {{0}};
    struct seg_site *sites = NULL;
    size_t nsites = 0;
    unsigned char *image = NULL;
    size_t image_len = 0;
    struct seg_sim *sim = NULL;
    struct seg_engine *engine = NULL;
    struct seg_run *run = NULL;
    struct seg_aws_config awscfg;
    struct seg_creds_provider *provider = NULL;
    struct seg_creds_source source;
    struct seg_slo slo = {0};
    int ladder[SEG_MAX_LADDER];
    size_t nladder = 0;
    seg_aws_config_init(&awscfg);
    seg_creds_source_init(&source, NULL);

    if (o->slo && seg_slo_parse(o->slo, &slo, &err) != SEG_OK) {
        fprintf(stderr, "segtop: --slo: %s\n", err.text);
        code = EXIT_USAGE;
        goto out;
    }
    if (o->discover_prefix) {
        fprintf(stderr, "segtop: --discover is not built yet in this version\n");
        code = EXIT_USAGE;
        goto out;
    }
    struct seg_sites_config sc = {.sites = o->sites,
                                  .function_pattern = o->function_pattern,
                                  .bucket_pattern = o->bucket_pattern,
                                  .log_group_pattern = o->log_group_pattern,
                                  .shared_log_group = o->shared_log_group,
                                  .sites_file = o->sites_file};
    if (seg_sites_build(&sc, &sites, &nsites, &err) != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        code = EXIT_USAGE;
        goto out;
    }
    for (int i = 0; i < o->nwaves; i++) {
        if ((size_t)o->waves[i] > nsites)
            fprintf(stderr, "segtop: warning: wave of %d dropped: only %zu sites\n", o->waves[i],
                    nsites);
        else
            ladder[nladder++] = o->waves[i];
    }
    if (o->aws && !o->image) {
        fprintf(stderr, "segtop: --aws uploads into your buckets: pass the image to upload "
                        "with --image FILE (the built-in test image is refused)\n");
        code = EXIT_USAGE;
        goto out;
    }
    if (o->image) {
        if (read_file(o->image, &image, &image_len) != SEG_OK) {
            fprintf(stderr, "segtop: --image %s: %s\n", o->image, strerror(errno));
            code = EXIT_USAGE;
            goto out;
        }
    } else {
        const unsigned char *b = seg_builtin_image(&image_len);
        image = seg_xmalloc(image_len);
        memcpy(image, b, image_len);
    }
    if (o->aws) {
        size_t ninv = 0;
        for (size_t i = 0; i < nladder; i++)
            ninv += (size_t)ladder[i];
        fprintf(stderr,
                "segtop: on AWS (%s): %zu waves (%zu invocations, trigger %s) over %zu sites; "
                "estimated Lambda cost %.2f USD (every run cold, 20 s billed, 6200 MB)\n",
                region_of(o), nladder, ninv, seg_trigger_name(o->trigger), nsites,
                estimate_cost(ladder, nladder));
        if (!o->yes) {
            fprintf(stderr, "segtop: headless mode on AWS needs --yes to go ahead\n");
            code = EXIT_USAGE;
            goto out;
        }
    }

    /* Signals reach only this thread (sigtimedwait below): blocked before any thread. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    if (seg_http_global_init() != SEG_OK) {
        fprintf(stderr, "segtop: cannot initialise libcurl\n");
        goto out;
    }

    struct seg_http_client_config hc = {0};
    struct static_creds sc_creds = {0};
    struct sim_clock_ud sim_ud = {0};
    struct seg_run_config rc = {.sites = sites,
                                .nsites = nsites,
                                .shared_log_group = o->shared_log_group,
                                .trigger = o->trigger,
                                .image = image,
                                .image_len = image_len,
                                .key_template = o->key_template,
                                .trigger_retries = o->trigger_retries,
                                .log_tps = o->log_tps,
                                .ladder = ladder,
                                .nladder = nladder,
                                .autorun = true};
    bool custom = !o->aws && (o->endpoint || o->config_endpoint || env_endpoint());
    if (!o->aws && !custom) {
        struct seg_sim_config simcfg = {.region = region_of(o),
                                        .sites = o->sites,
                                        .function_pattern = o->function_pattern,
                                        .bucket_pattern = o->bucket_pattern,
                                        .log_group_pattern = o->log_group_pattern,
                                        .shared_log_group = o->shared_log_group,
                                        .sites_file = o->sites_file,
                                        .speed = o->sim_speed,
                                        .seed = o->sim_seed,
                                        .faults = o->sim_faults,
                                        .truth_path = o->sim_truth};
        enum seg_err e = hooks ? hooks->start(&simcfg, &sim, &err) : SEG_ERR_STATE;
        if (e != SEG_OK) {
            fprintf(stderr, "segtop: simulator: %s\n", hooks ? err.text : "not available");
            code = e == SEG_ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME;
            goto out;
        }
        const char *ep = hooks->endpoint(sim);
        for (int s = 0; s < SEG_AWS__SERVICES; s++)
            hc.endpoints[s].base_url = ep;
        sc_creds.akid = hooks->access_key_id(sim);
        sc_creds.secret = hooks->test_secret(sim);
        if (!sc_creds.secret) /* the pair came from the environment */
            sc_creds.secret = getenv("AWS_SECRET_ACCESS_KEY");
        hc.creds = static_creds_get;
        hc.creds_ud = &sc_creds;
        rc.region = region_of(o);
        sim_ud = (struct sim_clock_ud){hooks, sim};
        seg_logclock_init(&rc.clock, o->sim_speed, sim_now, &sim_ud);
    } else {
        struct seg_aws_config_opts ao = {
            .region = o->region ? o->region : NULL,
            .endpoint = o->aws ? NULL : o->endpoint,
            .profile = o->profile,
        };
        if (seg_aws_config_resolve(&awscfg, &ao, &err) != SEG_OK) {
            fprintf(stderr, "segtop: %s\n", err.text);
            code = EXIT_USAGE;
            goto out;
        }
        for (int s = 0; s < SEG_AWS__SERVICES; s++)
            hc.endpoints[s].base_url = awscfg.endpoints[s].url;
        struct seg_env env = seg_env_process();
        provider = seg_creds_provider_new(&env, &awscfg, NULL);
        seg_creds_source_init(&source, provider);
        hc.creds = seg_creds_source_get;
        hc.creds_ud = &source;
        rc.region = awscfg.region;
        rc.virtual_hosted = o->aws && awscfg.endpoints[SEG_AWS_S3].is_default;
        rc.use_date_offset = o->aws;
        /* A standalone simulator runs its own clock: estimated from what it reports. */
        seg_logclock_init(&rc.clock, o->aws ? 1.0 : o->sim_speed, NULL, NULL);
    }
    hc.region = rc.region;
    hc.max_attempts = o->max_attempts > 0 ? o->max_attempts : 3;
    hc.trace = o->trace ? stderr : NULL;
    rc.gap_ms = o->gap_s * 1000.0;
    run = seg_run_new(&rc);
    struct seg_engine_driver drv = seg_run_driver(run);
    if (seg_engine_start_driven(&hc, &drv, &engine, &err) != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        goto out;
    }

    bool interrupted = false;
    double next_line = 1.0;
    struct seg_run_status st;
    for (;;) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if ((sig == SIGINT || sig == SIGTERM) && !interrupted) {
            interrupted = true;
            fprintf(stderr, "segtop: interrupted: stopping the waves, exporting what exists\n");
            seg_run_request_stop(engine);
        }
        seg_run_get_status(run, &st);
        if (st.t_s >= next_line) {
            progress(&st);
            next_line = floor(st.t_s) + 1.0;
        }
        if (st.finished)
            break;
    }
    seg_engine_stop(engine);
    engine = NULL;
    progress(&st);
    if (!isnan(st.last_trigger_on_wire_ms))
        fprintf(stderr, "segtop: last wave: %d triggers on the wire %.1f ms after the command\n",
                st.size, st.last_trigger_on_wire_ms);

    /* The engine thread is gone: this thread now owns the store. */
    seg_run_get_status(run, &st);
    struct seg_outputs_request oq = {.store = seg_run_store(run),
                                     .export_dir = o->export_dir,
                                     .export_file = o->export_file,
                                     .seed = o->export_format == SEG_EXPORT_FORMAT_SEED,
                                     .summary_json = o->summary_json,
                                     .slo = &slo,
                                     .status = &st,
                                     .interrupted = interrupted,
                                     .out = stdout};
    struct seg_outputs_result ores;
    seg_outputs_write(&oq, &ores);
    code = interrupted       ? EXIT_INTERRUPTED
           : ores.io_failed  ? EXIT_RUNTIME
           : ores.broken     ? EXIT_SLO
           : ores.incomplete ? EXIT_INCOMPLETE
                             : EXIT_OK;
out:
    seg_engine_stop(engine);
    seg_run_free(run);
    if (sim)
        hooks->stop(sim);
    seg_creds_source_release(&source);
    seg_creds_provider_free(provider);
    seg_aws_config_release(&awscfg);
    seg_slo_release(&slo);
    seg_sites_free(sites, nsites);
    free(image);
    return code;
}
