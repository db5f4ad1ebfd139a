/* The simulator assembled: sites → clock, log store, fleet → Lambda, S3 and Logs APIs →
 * router (faults) → SigV4 front door → libmicrohttpd on loopback. */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "pipeline/sites.h"
#include "sim/auth.h"
#include "sim/clock.h"
#include "sim/faults.h"
#include "sim/fleet.h"
#include "sim/httpd.h"
#include "sim/keystore.h"
#include "sim/lambda_api.h"
#include "sim/logs_api.h"
#include "sim/logstore.h"
#include "sim/router.h"
#include "sim/s3_api.h"
#include "util/xalloc.h"

#define DEFAULT_REGION  "us-west-1"
#define DEFAULT_ACCOUNT "123456789012"

struct seg_sim {
    char *region;
    char *endpoint;
    struct seg_site *sites;
    size_t nsites;
    struct seg_sim_faults faults;
    struct seg_sim_faults logs_faults; /* borrowed by the Logs API */
    struct seg_sim_clock clock;
    struct seg_sim_keystore *keys;
    struct seg_sim_logstore *store;
    struct seg_sim_fleet *fleet;
    struct seg_sim_logs *logs;
    struct seg_sim_lambda_api *lambda;
    struct seg_sim_s3_api *s3;
    struct seg_sim_router *router;
    struct seg_sim_auth *auth;
    struct seg_httpd *httpd;
};

/* libmicrohttpd's diagnostics (our own reset/truncate faults make some) stay quiet unless
 * asked for: in the dashboard they would scribble over the screen. */
static void quiet_log(void *ud, const char *line)
{
    (void)ud;
    if (getenv("SEGTOP_SIM_DEBUG"))
        fprintf(stderr, "segtop sim: %s\n", line);
}

static enum seg_err start_apis(struct seg_sim *sim, const struct seg_sim_config *cfg,
                               struct seg_errmsg *err)
{
    /* Throttle and 5xx faults are the router's, for every service alike; the Logs API gets
     * the rest (duplicate-events, reorder). */
    sim->logs_faults = sim->faults;
    sim->logs_faults.throttle[SEG_SIM_SCOPE_LOGS] = 0;
    sim->logs_faults.err5xx[SEG_SIM_SCOPE_LOGS] = 0;
    struct seg_sim_logs_config lc = {
        .clock = &sim->clock,
        .store = sim->store,
        .region = sim->region,
        .account_id = DEFAULT_ACCOUNT,
        .faults = &sim->logs_faults,
        .seed = cfg->seed,
    };
    lc.tps.filter_log_events = cfg->filter_log_events_tps;
    lc.tps.get_log_events = cfg->get_log_events_tps;
    lc.tps.describe_log_streams = cfg->describe_log_streams_tps;
    lc.tps.start_query = cfg->start_query_tps;
    if (seg_sim_logs_new(&lc, &sim->logs) != SEG_OK) {
        seg_errmsg_set(err, "simulator: cannot start the Logs API");
        return SEG_ERR_STATE;
    }
    struct seg_sim_lambda_config lam = {
        .fleet = sim->fleet, .region = sim->region, .account_id = DEFAULT_ACCOUNT};
    sim->lambda = seg_sim_lambda_api_new(&lam);
    struct seg_sim_s3_config s3 = {
        .fleet = sim->fleet, .region = sim->region, .account_id = DEFAULT_ACCOUNT};
    sim->s3 = seg_sim_s3_api_new(&s3);
    struct seg_sim_router_config rc = {
        .faults = &sim->faults,
        .seed = cfg->seed,
        .lambda = sim->lambda,
        .s3 = sim->s3,
        .logs = sim->logs,
        .clock = &sim->clock,
    };
    if (seg_sim_router_new(&rc, &sim->router) != SEG_OK) {
        seg_errmsg_set(err, "simulator: cannot start the request router");
        return SEG_ERR_STATE;
    }
    return SEG_OK;
}

static enum seg_err start_server(struct seg_sim *sim, const struct seg_sim_config *cfg,
                                 struct seg_errmsg *err)
{
    struct seg_sim_auth_config ac = {
        .keys = sim->keys,
        .region = sim->region,
        .next = seg_sim_router_handle,
        .next_ud = sim->router,
    };
    if (seg_sim_auth_new(&ac, &sim->auth) != SEG_OK) {
        seg_errmsg_set(err, "simulator: cannot start the SigV4 verifier");
        return SEG_ERR_STATE;
    }
    struct seg_httpd_config hc = {
        .bind_addr = cfg->listen_addr,
        .port = cfg->port,
        .handler = seg_sim_auth_handle,
        .handler_ud = sim->auth,
        .too_large = seg_sim_auth_too_large,
        .log = quiet_log,
    };
    enum seg_err rc = seg_httpd_start(&hc, &sim->httpd, err);
    if (rc)
        return rc;
    bool v6 = cfg->listen_addr && strchr(cfg->listen_addr, ':');
    sim->endpoint = seg_xasprintf("http://%s:%u", v6 ? "[::1]" : "127.0.0.1",
                                  (unsigned)seg_httpd_port(sim->httpd));
    return SEG_OK;
}

enum seg_err seg_sim_start(const struct seg_sim_config *cfg, struct seg_sim **out,
                           struct seg_errmsg *err)
{
    if (!cfg || !out) {
        seg_errmsg_set(err, "simulator: no configuration");
        return SEG_ERR_INVALID;
    }
    struct seg_sim *sim = seg_xcalloc(1, sizeof *sim);
    sim->region = seg_xstrdup(cfg->region && *cfg->region ? cfg->region : DEFAULT_REGION);
    enum seg_err rc = seg_sim_faults_parse(cfg->faults, &sim->faults, err);
    struct seg_sites_config sc = {
        .sites = cfg->sites > 0 ? cfg->sites : 300,
        .function_pattern = cfg->function_pattern,
        .bucket_pattern = cfg->bucket_pattern,
        .log_group_pattern = cfg->log_group_pattern,
        .shared_log_group = cfg->shared_log_group,
        .sites_file = cfg->sites_file,
    };
    if (!rc)
        rc = seg_sites_build(&sc, &sim->sites, &sim->nsites, err);
    if (!rc)
        rc = seg_sim_keystore_new_default(&sim->keys, err);
    if (!rc) {
        seg_sim_clock_init(&sim->clock, cfg->speed > 0 ? cfg->speed : 1.0);
        sim->store = seg_sim_logstore_new(&sim->clock);
        for (size_t i = 0; i < sim->nsites; i++)
            seg_sim_logstore_create_group(sim->store, sim->sites[i].log_group);
        struct seg_sim_fleet_config fc = {
            .sites = sim->sites,
            .nsites = sim->nsites,
            .region = sim->region,
            .account_id = DEFAULT_ACCOUNT,
            .seed = cfg->seed,
            .account_concurrency = cfg->account_concurrency > 0 ? cfg->account_concurrency : 1000,
            .faults = &sim->faults,
            .truth_path = cfg->truth_path,
        };
        rc = seg_sim_fleet_new(&fc, &sim->clock, sim->store, &sim->fleet, err);
    }
    if (!rc)
        rc = start_apis(sim, cfg, err);
    if (!rc)
        rc = start_server(sim, cfg, err);
    if (rc) {
        seg_sim_stop(sim);
        return rc;
    }
    *out = sim;
    return SEG_OK;
}

const char *seg_sim_endpoint(const struct seg_sim *sim)
{
    return sim ? sim->endpoint : NULL;
}

const char *seg_sim_region(const struct seg_sim *sim)
{
    return sim ? sim->region : NULL;
}

const char *seg_sim_access_key_id(const struct seg_sim *sim)
{
    return sim ? seg_sim_keystore_access_key_id(sim->keys) : NULL;
}

const char *seg_sim_test_secret(const struct seg_sim *sim)
{
    return sim && seg_sim_keystore_is_builtin(sim->keys) ? SEG_SIM_TEST_SECRET_ACCESS_KEY : NULL;
}

void seg_sim_stop(struct seg_sim *sim)
{
    if (!sim)
        return;
    /* Order matters: no handler may run once the APIs go, and no fleet callback may finish
     * a held response once the server is freed. */
    seg_httpd_stop(sim->httpd);       /* held Invokes get their fallback; no more handlers */
    seg_sim_router_stop(sim->router); /* slowed answers flushed */
    seg_sim_fleet_free(sim->fleet);   /* its timer thread stops: no more finishes */
    seg_httpd_free(sim->httpd);
    seg_sim_auth_free(sim->auth);
    seg_sim_router_free(sim->router);
    seg_sim_lambda_api_free(sim->lambda);
    seg_sim_s3_api_free(sim->s3);
    seg_sim_logs_free(sim->logs);
    seg_sim_logstore_free(sim->store);
    seg_sim_keystore_free(sim->keys);
    seg_sites_free(sim->sites, sim->nsites);
    free(sim->endpoint);
    free(sim->region);
    free(sim);
}

int64_t seg_sim_now_ms(const struct seg_sim *sim)
{
    return seg_sim_clock_now_ms(&sim->clock);
}

void seg_sim_config_from_options(struct seg_sim_config *cfg, const struct seg_options *o,
                                 const char *region)
{
    *cfg = (struct seg_sim_config){
        .region = region,
        .sites = o->sites,
        .function_pattern = o->function_pattern,
        .bucket_pattern = o->bucket_pattern,
        .log_group_pattern = o->log_group_pattern,
        .shared_log_group = o->shared_log_group,
        .sites_file = o->sites_file,
        .speed = o->sim_speed,
        .seed = o->sim_seed,
        .faults = o->sim_faults,
        .truth_path = o->sim_truth,
    };
}

const struct seg_sim_hooks seg_sim_builtin_hooks = {
    .start = seg_sim_start,
    .endpoint = seg_sim_endpoint,
    .access_key_id = seg_sim_access_key_id,
    .test_secret = seg_sim_test_secret,
    .now_ms = seg_sim_now_ms,
    .stop = seg_sim_stop,
};
