/* The simulated clock of DESIGN §6: sim = T0 + speed * (wall - T0). Log timestamps,
 * ingestionTime, S3 event times, Logs time ranges and durations use it; SigV4 skew checks
 * and API rate limits use wall time. Immutable after init, so any thread may read it. */
#ifndef SEGTOP_CORE_SIM_CLOCK_H
#define SEGTOP_CORE_SIM_CLOCK_H

#include <stdint.h>

struct seg_sim_clock {
    double speed;
    int64_t t0_epoch_ms; /* wall clock (UTC epoch ms) at T0 */
    int64_t t0_mono_ns;  /* CLOCK_MONOTONIC at T0 */
};

void seg_sim_clock_init(struct seg_sim_clock *c, double speed);
/* Simulated UTC epoch milliseconds now. */
int64_t seg_sim_clock_now_ms(const struct seg_sim_clock *c);
/* Wall milliseconds from now until the simulated instant sim_ms (<= 0 when already past). */
int64_t seg_sim_clock_wall_until_ms(const struct seg_sim_clock *c, int64_t sim_ms);
/* Monotonic nanoseconds (wall time, for rate limits). */
int64_t seg_sim_clock_mono_ns(void);

#endif
