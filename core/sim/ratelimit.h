/* Per-API token buckets in wall time (DESIGN §6: API rate limits use wall time, not the
 * simulated clock), keyed by API name for the whole account, as AWS's TPS quotas are
 * (aws-wire.md §2.8). Any service's handler can use one: set each API's rate once, then
 * take() a token per request and answer "throttled" when it returns false. Thread-safe. */
#ifndef SEGTOP_CORE_SIM_RATELIMIT_H
#define SEGTOP_CORE_SIM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define SEG_SIM_RATELIMIT_MAX_APIS 64

struct seg_sim_ratelimit;

struct seg_sim_ratelimit *seg_sim_ratelimit_new(void);
void seg_sim_ratelimit_free(struct seg_sim_ratelimit *rl);

/* Limits api to tps calls per second with a burst of burst calls (burst <= 0: max(1, tps)).
 * tps <= 0 removes the limit. The bucket starts full. api is copied. Setting more than
 * SEG_SIM_RATELIMIT_MAX_APIS distinct names is a bug. */
void seg_sim_ratelimit_set(struct seg_sim_ratelimit *rl, const char *api, double tps, double burst);
/* The configured rate of api (0 when unlimited). */
double seg_sim_ratelimit_tps(const struct seg_sim_ratelimit *rl, const char *api);

/* Takes one token for api now; false means the call is over the limit. An api that was never
 * set is unlimited. */
bool seg_sim_ratelimit_take(struct seg_sim_ratelimit *rl, const char *api);
/* The same at a given CLOCK_MONOTONIC time in ns (tests drive time themselves). */
bool seg_sim_ratelimit_take_at(struct seg_sim_ratelimit *rl, const char *api, int64_t mono_ns);

#endif
