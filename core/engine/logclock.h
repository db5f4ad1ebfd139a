/* The log clock (DESIGN §6, §8): every time segtop stores is in the clock of the logs.
 * On AWS that is wall time (plus the Date-header offset, applied by the store). On the
 * simulator it is simulated time, T0 + speed x (wall - T0):
 * - in-process: read exactly from the simulator (seg_sim_now_ms, via now_fn);
 * - standalone (--endpoint with --sim-speed != 1): estimated as speed x monotonic + anchor,
 *   the anchor raised to the largest ingestionTime seen minus the time since it arrived.
 *   An ingestionTime is never ahead of the server's clock, so the estimate never runs
 *   ahead of it: deadlines come late rather than early, query windows start early rather
 *   than late. */
#ifndef SEGTOP_CORE_ENGINE_LOGCLOCK_H
#define SEGTOP_CORE_ENGINE_LOGCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* segtop's simulator stamps its simulated clock (epoch ms) on every response, so a client of
 * a standalone simulator reads the log clock exactly instead of estimating it. AWS never
 * sends it. */
#define SEG_SIM_TIME_HEADER "x-segtop-sim-time"

typedef int64_t seg_logclock_now_fn(void *ud);

struct seg_logclock {
    double speed;
    seg_logclock_now_fn *now_fn; /* exact source, or NULL */
    void *now_ud;
    double anchor; /* estimate: log ms = speed * mono ms + anchor */
};

/* speed 1 without now_fn: wall time. */
void seg_logclock_init(struct seg_logclock *c, double speed, seg_logclock_now_fn *fn, void *ud);
int64_t seg_logclock_now(const struct seg_logclock *c);
/* The log time of a past monotonic instant (seg_http_now_ms). */
int64_t seg_logclock_at(const struct seg_logclock *c, double mono_ms);
/* An event's ingestionTime, seen at monotonic mono_ms (estimate mode only). */
void seg_logclock_observe(struct seg_logclock *c, int64_t ingest_ms, double mono_ms);
/* The server's clock read from SEG_SIM_TIME_HEADER of a response that was sent and answered
 * at the given monotonic instants: sets the estimate exactly (estimate mode only). */
void seg_logclock_sync(struct seg_logclock *c, int64_t server_ms, double sent_mono,
                       double answered_mono);

#endif
