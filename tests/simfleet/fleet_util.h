/* Helpers for the fleet tests: site tables, a log tap that records every event, waiting. */
#ifndef SEGTOP_TESTS_SIMFLEET_FLEET_UTIL_H
#define SEGTOP_TESTS_SIMFLEET_FLEET_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include "sim/fleet.h"

struct sf_ev {
    char *group, *stream, *msg;
    int64_t ts, ingest;
};

struct sf_tap {
    pthread_mutex_t mu;
    struct sf_ev *ev;
    size_t n, cap;
};

/* Sites site{n}-lambdafunction / site{n}-simulatedbucket, own or shared log group. */
struct seg_site *sf_sites(int n, const char *shared_group);
void sf_sites_free(struct seg_site *s, int n);
void sf_tap_init(struct sf_tap *t);
void sf_tap_release(struct sf_tap *t);
void sf_tap_fn(void *ud, const char *group, const char *stream, int64_t ts, int64_t ingest,
               const char *msg);
/* Waits until the fleet has no scheduled work; false after timeout_ms (wall, scaled). */
bool sf_wait_idle(struct seg_sim_fleet *f, double timeout_ms);
/* Events whose message starts with prefix. */
size_t sf_count_prefix(struct sf_tap *t, const char *prefix);
/* Lines of a file (header included); -1 when unreadable. */
long sf_count_lines(const char *path);

#endif
