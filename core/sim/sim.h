/* The built-in simulator as one object: an AWS-compatible endpoint for Lambda, S3 and
 * CloudWatch Logs on loopback (DESIGN §6). segtop starts it in-process by default;
 * `segtop sim` runs it alone. */
#ifndef SEGTOP_CORE_SIM_SIM_H
#define SEGTOP_CORE_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "util/errmsg.h"
#include "util/seg.h"

struct seg_sim_config {
    const char *listen_addr; /* "127.0.0.1" (default) or "::1" */
    uint16_t port;           /* 0 = ephemeral */
    const char *region;      /* default "us-west-1" */
    /* Sites, as segtop names them (DESIGN §2). */
    int sites;                     /* default 300 */
    const char *function_pattern;  /* default "site{n}-lambdafunction" */
    const char *bucket_pattern;    /* default "site{n}-simulatedbucket" */
    const char *log_group_pattern; /* default "/aws/lambda/{function}" */
    const char *shared_log_group;  /* NULL: one group per function */
    const char *sites_file;        /* CSV site,function,bucket,log_group; overrides the above */
    double speed;                  /* --sim-speed, default 1 */
    uint64_t seed;                 /* --sim-seed, default 1 */
    const char *faults;            /* --sim-faults spec, NULL = none */
    const char *truth_path;        /* --sim-truth FILE, NULL = off */
    int account_concurrency;       /* default 1000 */
    /* Per-API rate limits (aws-wire.md §2.8) as calls per second; 0 = AWS's default. */
    double filter_log_events_tps;
    double get_log_events_tps;
    double describe_log_streams_tps;
    double start_query_tps;
};

struct seg_sim;
struct seg_options;

/* The simulator settings segtop's options give (sites, patterns, --sim-*), with region. */
void seg_sim_config_from_options(struct seg_sim_config *cfg, const struct seg_options *o,
                                 const char *region);

/* The simulator as a set of functions, so core (which does not link segtop_sim) can start
 * it in-process: tui/main.c hands seg_sim_builtin_hooks to the modes that need it. */
struct seg_sim_hooks {
    enum seg_err (*start)(const struct seg_sim_config *cfg, struct seg_sim **out,
                          struct seg_errmsg *err);
    const char *(*endpoint)(const struct seg_sim *sim);
    const char *(*access_key_id)(const struct seg_sim *sim);
    const char *(*test_secret)(const struct seg_sim *sim);
    int64_t (*now_ms)(const struct seg_sim *sim);
    void (*stop)(struct seg_sim *sim);
};
extern const struct seg_sim_hooks seg_sim_builtin_hooks;

/* Starts serving. Keys: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from the environment when
 * set, else the built-in test pair. */
enum seg_err seg_sim_start(const struct seg_sim_config *cfg, struct seg_sim **out,
                           struct seg_errmsg *err) SEG_MUST_USE;
/* "http://127.0.0.1:<port>" (never "localhost"). */
const char *seg_sim_endpoint(const struct seg_sim *sim);
const char *seg_sim_region(const struct seg_sim *sim);
/* The key pair clients should use; the secret only for the built-in test pair (NULL when
 * the pair came from the environment, which is never printed). */
const char *seg_sim_access_key_id(const struct seg_sim *sim);
const char *seg_sim_test_secret(const struct seg_sim *sim);
/* The simulated clock now (UTC epoch ms): for an in-process client that maps its own times
 * into the clock of the logs (DESIGN §6). Any thread. */
int64_t seg_sim_now_ms(const struct seg_sim *sim);
void seg_sim_stop(struct seg_sim *sim);

#endif
