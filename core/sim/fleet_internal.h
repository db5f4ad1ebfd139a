/* Shared by the fleet's files only: fleet.c (the public calls, triggers and lifecycle),
 * fleet_pool.c (trigger keys, attempts, the execution-environment pool and its limits) and
 * fleet_run.c (the job heap, running an attempt, the timer thread). Everything here is
 * called with the fleet's mutex held, except seg_sim_fleet_timer_main, which takes it. */
#ifndef SEGTOP_CORE_SIM_FLEET_INTERNAL_H
#define SEGTOP_CORE_SIM_FLEET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <pthread.h>

#include "sim/draw.h"
#include "sim/faults.h"
#include "sim/fleet.h"
#include "sim/loglines.h"

/* The draw-key attempt field's ranges, kept together so that they stay apart. */
#define EVENT_ORD    0x10000u /* draw-key attempt field for event-level draws */
#define THROTTLE_ORD 0x20000u
#define DRYRUN_ORD   0x30000u

struct env {
    char id[33];
    char *stream;
    int64_t busy_from, busy_until; /* the current or last execution (simulated ms) */
    int64_t idle_deadline;         /* reusable (warm) until then */
    int64_t idle_ms;               /* this environment's idle timeout */
    int max_mem;
};

/* One trigger key at one site. */
struct site_key {
    int wave;
    int inv;      /* invocation index: distinct keys at this site so far, 1-based */
    int attempts; /* attempts run so far (all events of this key) */
    int events;   /* events (S3 notifications / invokes) of this key */
};

struct site_state {
    struct seg_site s; /* owned copies of the strings */
    bool custom_group;
    struct env *envs;
    size_t nenvs, capenvs;
    struct site_key *keys;
    size_t nkeys, capkeys;
    int ninv;
    double tokens; /* scaling-rate bucket: new environments */
    int64_t tokens_at;
};

struct keyinfo {
    char *key;
    int wave;
    int puts; /* S3 puts of this key so far: the position in the burst */
};

struct attempt {
    size_t si;
    char *key; /* trigger key, decoded; "" when none */
    int wave, inv, event;
    int attempt;   /* truth attempt number, per (site, key), set when it runs */
    int event_try; /* 1..3 for this event */
    int64_t event_time_ms;
    char *payload_in; /* the event the function receives */
    char request_id[40];
    int backoff_ms;
    seg_sim_invoke_done_fn *done;
    void *done_ud;
    enum seg_sim_outcome outcome;
    int64_t end_ms;
    char *tail, *payload_out;
    const char *fn_error;
};

enum job_kind { JOB_END = 0, JOB_START = 1 }; /* an end frees its environment first */

struct job {
    int64_t t;
    enum job_kind kind;
    uint64_t seq;
    struct attempt *a;
};

struct seg_sim_fleet {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool stop, started;
    const struct seg_sim_clock *clock;
    struct seg_sim_logstore *logs;
    char *region, *account;
    uint64_t seed;
    int account_conc;
    long sum_reserved;
    struct seg_sim_faults faults;
    FILE *truth;
    struct site_state *sites;
    size_t nsites;
    struct keyinfo *keys;
    size_t nkeys, capkeys;
    int nwaves;
    struct job *heap;
    size_t nheap, capheap;
    uint64_t seq;
    uint32_t ndryrun, nthrottled;
    seg_sim_fleet_log_tap_fn *tap;
    void *tap_ud;
};

/* ---- fleet_pool.c ---- */

struct site_key *seg_sim_fleet_site_key(struct site_state *ss, int wave);
/* A Lambda-style request id (UUID v4) drawn from k. */
void seg_sim_fleet_format_uuid(const struct seg_sim_drawkey *k, char out[40]);
struct attempt *seg_sim_fleet_attempt_new(struct seg_sim_fleet *f, struct site_state *ss,
                                          const char *key, int wave, struct site_key *sk);
void seg_sim_fleet_attempt_free(struct attempt *a);
/* The warm environment to reuse at t, or SIZE_MAX when there is none. */
size_t seg_sim_fleet_idle_env(const struct site_state *ss, int64_t t);
size_t seg_sim_fleet_new_env(struct seg_sim_fleet *f, struct site_state *ss, int64_t t);
const char *seg_sim_fleet_admit(struct seg_sim_fleet *f, struct site_state *ss, int64_t t);

/* ---- fleet_run.c ---- */

void seg_sim_fleet_heap_push(struct seg_sim_fleet *f, int64_t t, enum job_kind kind,
                             struct attempt *a);
void seg_sim_fleet_throttle_row(struct seg_sim_fleet *f, struct attempt *a, int attempt_no,
                                const char *reason, int64_t t);
void seg_sim_fleet_run_attempt(struct seg_sim_fleet *f, struct attempt *a, int64_t t);
/* The timer thread's body (arg: the fleet). */
void *seg_sim_fleet_timer_main(void *arg);

#endif
