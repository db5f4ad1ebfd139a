#include "sim/clock.h"

#include <time.h>

int64_t seg_sim_clock_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void seg_sim_clock_init(struct seg_sim_clock *c, double speed)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    c->speed = speed > 0 ? speed : 1.0;
    c->t0_epoch_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    c->t0_mono_ns = seg_sim_clock_mono_ns();
}

int64_t seg_sim_clock_now_ms(const struct seg_sim_clock *c)
{
    /* Monotonic-based so a wall-clock step (NTP) cannot move simulated time backwards. */
    double wall_ms = (double)(seg_sim_clock_mono_ns() - c->t0_mono_ns) / 1e6;
    return c->t0_epoch_ms + (int64_t)(c->speed * wall_ms);
}

int64_t seg_sim_clock_wall_until_ms(const struct seg_sim_clock *c, int64_t sim_ms)
{
    double sim_ahead = (double)(sim_ms - seg_sim_clock_now_ms(c));
    double wall = sim_ahead / c->speed;
    /* Round up so a sleeper never wakes just before its instant and spins. */
    int64_t w = (int64_t)wall;
    return (double)w < wall ? w + 1 : w;
}
