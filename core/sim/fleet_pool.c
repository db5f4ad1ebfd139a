/* The fleet's bookkeeping of who runs where: per-site trigger keys (invocation indexes),
 * attempts and their request ids, and the execution-environment pool with the limits that
 * decide whether an execution may start (reserved and account concurrency, the scaling
 * rate). Called with the fleet's mutex held. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/draw.h"
#include "sim/fleet_internal.h"
#include "sim/loglines.h"
#include "sim/model.h"
#include "util/xalloc.h"

/* --- trigger keys: invocation indexes (per site; waves are numbered in fleet.c) --- */

struct site_key *seg_sim_fleet_site_key(struct site_state *ss, int wave)
{
    for (size_t i = ss->nkeys; i-- > 0;)
        if (ss->keys[i].wave == wave)
            return &ss->keys[i];
    if (ss->nkeys == ss->capkeys) {
        ss->capkeys = ss->capkeys ? ss->capkeys * 2 : 8;
        ss->keys = seg_xrealloc(ss->keys, ss->capkeys * sizeof *ss->keys);
    }
    struct site_key *k = &ss->keys[ss->nkeys++];
    *k = (struct site_key){.wave = wave, .inv = ++ss->ninv};
    return k;
}

/* --- attempts --- */

void seg_sim_fleet_format_uuid(const struct seg_sim_drawkey *k, char out[40])
{
    uint64_t a = seg_sim_draw_u64(k, SEG_SIM_P_REQID, 0);
    uint64_t b = seg_sim_draw_u64(k, SEG_SIM_P_REQID, 1);
    /* Version 4, variant 10xx, as Lambda's request ids. */
    snprintf(out, 40, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
             (unsigned)((b >> 48) & 0x3fff) | 0x8000, (unsigned long long)(b & 0xffffffffffffULL));
}

struct attempt *seg_sim_fleet_attempt_new(struct seg_sim_fleet *f, struct site_state *ss,
                                          const char *key, int wave, struct site_key *sk)
{
    struct attempt *a = seg_xcalloc(1, sizeof *a);
    a->si = (size_t)(ss - f->sites);
    a->key = seg_xstrdup(key);
    a->wave = wave;
    a->inv = sk->inv;
    a->event = ++sk->events;
    a->event_try = 1;
    a->event_time_ms = -1;
    struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)a->inv, EVENT_ORD + a->event};
    seg_sim_fleet_format_uuid(&k, a->request_id);
    return a;
}

void seg_sim_fleet_attempt_free(struct attempt *a)
{
    if (!a)
        return;
    free(a->key);
    free(a->payload_in);
    free(a->tail);
    free(a->payload_out);
    free(a);
}

/* --- the execution-environment pool and the limits --- */

static size_t inflight(const struct site_state *ss, int64_t t)
{
    size_t n = 0;
    for (size_t i = 0; i < ss->nenvs; i++)
        if (ss->envs[i].busy_from <= t && t < ss->envs[i].busy_until)
            n++;
    return n;
}

size_t seg_sim_fleet_idle_env(const struct site_state *ss, int64_t t)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < ss->nenvs; i++) {
        const struct env *e = &ss->envs[i];
        if (e->busy_until <= t && t < e->idle_deadline &&
            (best == SIZE_MAX || e->busy_until > ss->envs[best].busy_until))
            best = i; /* the most recently used, as Lambda tends to */
    }
    return best;
}

static void refill(struct site_state *ss, int64_t t)
{
    if (t > ss->tokens_at) {
        ss->tokens += (double)(t - ss->tokens_at) * SEG_SIM_SCALE_BURST / SEG_SIM_SCALE_WINDOW_MS;
        if (ss->tokens > SEG_SIM_SCALE_BURST)
            ss->tokens = SEG_SIM_SCALE_BURST;
        ss->tokens_at = t;
    }
}

/* NULL when an execution may start at t, else the TooManyRequestsException Reason. */
const char *seg_sim_fleet_admit(struct seg_sim_fleet *f, struct site_state *ss, int64_t t)
{
    int res = ss->s.reserved;
    if (res == 0 || (res > 0 && inflight(ss, t) >= (size_t)res))
        return "ReservedFunctionConcurrentInvocationLimitExceeded";
    if (res < 0) {
        size_t used = 0;
        for (size_t i = 0; i < f->nsites; i++)
            if (f->sites[i].s.reserved < 0)
                used += inflight(&f->sites[i], t);
        long pool = (long)f->account_conc - f->sum_reserved;
        if ((long)used >= pool)
            return "ConcurrentInvocationLimitExceeded";
    }
    if (seg_sim_fleet_idle_env(ss, t) == SIZE_MAX) {
        refill(ss, t);
        if (ss->tokens < 1.0)
            return "FunctionInvocationRateLimitExceeded";
    }
    return NULL;
}

size_t seg_sim_fleet_new_env(struct seg_sim_fleet *f, struct site_state *ss, int64_t t)
{
    refill(ss, t);
    ss->tokens -= 1.0;
    if (ss->nenvs == ss->capenvs) {
        ss->capenvs = ss->capenvs ? ss->capenvs * 2 : 4;
        ss->envs = seg_xrealloc(ss->envs, ss->capenvs * sizeof *ss->envs);
    }
    struct env *e = &ss->envs[ss->nenvs];
    memset(e, 0, sizeof *e);
    struct seg_sim_drawkey k = {f->seed, (uint32_t)ss->s.n, (uint32_t)ss->nenvs + 1, 0};
    snprintf(e->id, sizeof e->id, "%016llx%016llx",
             (unsigned long long)seg_sim_draw_u64(&k, SEG_SIM_P_ENV, 0),
             (unsigned long long)seg_sim_draw_u64(&k, SEG_SIM_P_ENV, 1));
    e->idle_ms = seg_sim_model_idle_ms(&k);
    char day[24];
    seg_sim_fmt_sec(t, day, sizeof day); /* "YYYY-MM-DD ..." -> "YYYY/MM/DD" */
    day[4] = day[7] = '/';
    day[10] = '\0';
    /* A custom (shared) group's streams carry the function name (aws-wire.md §4.1). */
    e->stream = ss->custom_group ? seg_xasprintf("%s/%s[$LATEST]%s", day, ss->s.function, e->id)
                                 : seg_xasprintf("%s/[$LATEST]%s", day, e->id);
    return ss->nenvs++;
}
