#include "sim/ratelimit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "util/xalloc.h"

struct bucket {
    char *api;
    double tps;
    double burst;
    double tokens;
    int64_t last_ns;
    bool primed; /* last_ns is meaningful */
};

struct seg_sim_ratelimit {
    pthread_mutex_t mu;
    struct bucket b[SEG_SIM_RATELIMIT_MAX_APIS];
    size_t n;
};

struct seg_sim_ratelimit *seg_sim_ratelimit_new(void)
{
    struct seg_sim_ratelimit *rl = seg_xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

void seg_sim_ratelimit_free(struct seg_sim_ratelimit *rl)
{
    if (!rl)
        return;
    for (size_t i = 0; i < rl->n; i++)
        free(rl->b[i].api);
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

static struct bucket *find(const struct seg_sim_ratelimit *rl, const char *api)
{
    for (size_t i = 0; i < rl->n; i++)
        if (strcmp(rl->b[i].api, api) == 0)
            return (struct bucket *)&rl->b[i];
    return NULL;
}

void seg_sim_ratelimit_set(struct seg_sim_ratelimit *rl, const char *api, double tps, double burst)
{
    pthread_mutex_lock(&rl->mu);
    struct bucket *b = find(rl, api);
    if (!b) {
        if (rl->n == SEG_SIM_RATELIMIT_MAX_APIS)
            SEG_BUG("too many rate-limited APIs");
        b = &rl->b[rl->n++];
        b->api = seg_xstrdup(api);
    }
    b->tps = tps > 0 ? tps : 0;
    b->burst = burst > 0 ? burst : (tps > 1 ? tps : 1);
    b->tokens = b->burst;
    b->primed = false;
    pthread_mutex_unlock(&rl->mu);
}

double seg_sim_ratelimit_tps(const struct seg_sim_ratelimit *rl, const char *api)
{
    pthread_mutex_lock((pthread_mutex_t *)&rl->mu);
    const struct bucket *b = find(rl, api);
    double tps = b ? b->tps : 0;
    pthread_mutex_unlock((pthread_mutex_t *)&rl->mu);
    return tps;
}

bool seg_sim_ratelimit_take_at(struct seg_sim_ratelimit *rl, const char *api, int64_t mono_ns)
{
    bool ok = true;
    pthread_mutex_lock(&rl->mu);
    struct bucket *b = find(rl, api);
    if (b && b->tps > 0) {
        if (b->primed && mono_ns > b->last_ns) {
            b->tokens += (double)(mono_ns - b->last_ns) * 1e-9 * b->tps;
            if (b->tokens > b->burst)
                b->tokens = b->burst;
        }
        if (!b->primed || mono_ns > b->last_ns)
            b->last_ns = mono_ns;
        b->primed = true;
        if (b->tokens >= 1.0)
            b->tokens -= 1.0;
        else
            ok = false;
    }
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

bool seg_sim_ratelimit_take(struct seg_sim_ratelimit *rl, const char *api)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return seg_sim_ratelimit_take_at(rl, api, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}
