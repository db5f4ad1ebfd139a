/* The log-API budget (DESIGN §7): at most max_tps calls per second, halved on every
 * ThrottlingException and recovered slowly (+5 % of the maximum per quiet second), so a
 * throttled account settles below its quota instead of oscillating. No bursts: calls are
 * spaced 1/rate apart, because FilterLogEvents' quota is account-wide. Pure: the caller
 * passes the time (monotonic ms). */
#ifndef SEGTOP_CORE_ENGINE_BUDGET_H
#define SEGTOP_CORE_ENGINE_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define SEG_BUDGET_MIN_TPS 0.2

struct seg_budget {
    double max_tps;
    double rate;           /* current allowance, calls/s */
    double next_ms;        /* earliest time of the next call */
    double last_change_ms; /* last throttle or recovery step */
    uint64_t calls, throttles;
    /* calls in the last few seconds, for the calls/s meter */
    double recent[16];
    unsigned nrecent, head;
};

void seg_budget_init(struct seg_budget *b, double max_tps, double now_ms);
/* True (and the call is counted) when a call may go now. */
bool seg_budget_take(struct seg_budget *b, double now_ms);
/* Milliseconds until seg_budget_take can succeed (0 when it can now). */
int seg_budget_wait_ms(const struct seg_budget *b, double now_ms);
/* A call was throttled: back off. */
void seg_budget_throttled(struct seg_budget *b, double now_ms);
/* Time passes without throttles: recover towards max_tps. */
void seg_budget_update(struct seg_budget *b, double now_ms);
/* Calls per second over the last 4 s. */
double seg_budget_calls_per_s(const struct seg_budget *b, double now_ms);

#endif
