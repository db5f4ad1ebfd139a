/* A timer for deferred responses (the "slow" fault): each is finished when its wall-clock
 * delay has passed, on one thread of its own. */
#ifndef SEGTOP_CORE_SIM_DELAY_H
#define SEGTOP_CORE_SIM_DELAY_H

#include <stdint.h>

#include "sim/httpd.h"
#include "util/seg.h"

struct seg_sim_delay;

enum seg_err seg_sim_delay_new(struct seg_sim_delay **out) SEG_MUST_USE;
/* Finishes d with final (moved out; final is left empty) after delay_ms of wall time. */
void seg_sim_delay_add(struct seg_sim_delay *dl, struct seg_httpd_deferred *d,
                       struct seg_httpd_response *final, int64_t delay_ms);
/* Finishes everything pending now and joins the thread; later adds finish at once.
 * Idempotent; NULL is fine. Call before seg_httpd_free. */
void seg_sim_delay_stop(struct seg_sim_delay *dl);
/* Stops, then frees. NULL is fine. */
void seg_sim_delay_free(struct seg_sim_delay *dl);

#endif
