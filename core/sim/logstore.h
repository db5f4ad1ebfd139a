/* The simulator's CloudWatch Logs data: groups, streams and events. The fleet appends events
 * with their (simulated) timestamp and ingestion time; the Logs API reads them, showing an
 * event only once the simulated clock has passed its ingestion time. Thread-safe: writers
 * (fleet) and readers (HTTP handlers) run on different threads. */
#ifndef SEGTOP_CORE_SIM_LOGSTORE_H
#define SEGTOP_CORE_SIM_LOGSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/clock.h"
#include "util/seg.h"

struct seg_sim_logstore;

struct seg_sim_logstore *seg_sim_logstore_new(const struct seg_sim_clock *clock);
void seg_sim_logstore_free(struct seg_sim_logstore *ls);

/* Creates the group if absent (creationTime = now). */
void seg_sim_logstore_create_group(struct seg_sim_logstore *ls, const char *group);
/* Appends one event to group/stream (both created when absent). message is copied as bytes
 * (it may hold any bytes but NUL). Events may arrive out of timestamp order. */
void seg_sim_logstore_put(struct seg_sim_logstore *ls, const char *group, const char *stream,
                          int64_t timestamp_ms, int64_t ingestion_ms, const char *message);

#endif
