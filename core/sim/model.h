/* The calibrated fleet model (DESIGN §6): distributions measured in
 * ../shared/seed-data/logsdata.csv plus documented assumptions (README.md, "The fleet model").
 * Recompute the measured constants with:
 *     python3 tests/simfleet/calibrate.py ../shared/seed-data/logsdata.csv
 * Every function is a pure function of its draw key. Times in simulated milliseconds. */
#ifndef SEGTOP_CORE_SIM_MODEL_H
#define SEGTOP_CORE_SIM_MODEL_H

#include <stdint.h>

#include "sim/draw.h"
#include "sim/faults.h"

/* Measured (waves after 2025-05-02 17:30, as the original analysis filters: 17,206 rows):
 * Billed Duration mean 20096 ms, sd 3236 ms; all 19,696 rows span 8756..34829 ms. Every run
 * was cold and container images bill Init, so this is Init + handler work. */
#define SEG_SIM_WORK_MEAN_MS 20096.0
#define SEG_SIM_WORK_SD_MS   3236.0
#define SEG_SIM_WORK_MIN_MS  8756.0
#define SEG_SIM_WORK_MAX_MS  34829.0
/* Measured exec - billed = 1.8 s (p5 1.17 s, p95 2.41 s) at every wave size; 0.5 s of it is
 * the handler's whole-second Event Time, the rest is the async queue lag. */
#define SEG_SIM_QUEUE_MEDIAN_MS 1300.0
#define SEG_SIM_QUEUE_SIGMA     0.18
/* Measured event_time spread within a wave: p95 offset ~17 ms per site (5.1 s at 300), and
 * stragglers beyond it from ~120 sites on (1.9 % of events at 300, max 10.3 s mean). */
#define SEG_SIM_DELIVERY_SLOT_MS  17.0
#define SEG_SIM_STRAGGLER_FROM    120
#define SEG_SIM_STRAGGLER_SPAN    180
#define SEG_SIM_STRAGGLER_P       0.06
#define SEG_SIM_STRAGGLER_MEAN_MS 2500.0
/* Measured "Writing to database..." -> REPORT: median 668 ms, p5 51 ms, p95 3170 ms. */
#define SEG_SIM_WRITE_GAP_MEDIAN_MS 650.0
#define SEG_SIM_WRITE_GAP_SIGMA     1.1
/* Assumptions (README.md, "The fleet model"). */
#define SEG_SIM_INIT_MEDIAN_MS          2200.0 /* 6200 MB Python container image */
#define SEG_SIM_INIT_SIGMA              0.30
#define SEG_SIM_INIT_MIN_MS             800.0
#define SEG_SIM_INIT_MAX_MS             9900.0 /* on-demand Init is capped at 10 s */
#define SEG_SIM_IDLE_MIN_MS             (5 * 60 * 1000)
#define SEG_SIM_IDLE_MAX_MS             (15 * 60 * 1000)
#define SEG_SIM_INGEST_MEDIAN_MS        700.0
#define SEG_SIM_INGEST_SIGMA            0.5
#define SEG_SIM_INGEST_MIN_MS           150.0
#define SEG_SIM_INGEST_MAX_MS           2500.0
#define SEG_SIM_MEMORY_MEAN_MB          2350.0
#define SEG_SIM_MEMORY_SD_MB            250.0
#define SEG_SIM_SCALE_BURST             1000 /* new environments per function per 10 s */
#define SEG_SIM_SCALE_WINDOW_MS         10000
#define SEG_SIM_RETRY1_MS               60000 /* async retry delays after a failed attempt */
#define SEG_SIM_RETRY2_MS               120000
#define SEG_SIM_THROTTLE_BACKOFF_MS     1000 /* first async-queue retry after a throttle */
#define SEG_SIM_THROTTLE_BACKOFF_MAX_MS 300000

/* Billed-equivalent work of one attempt (Init + handler when cold). */
double seg_sim_model_work_ms(const struct seg_sim_drawkey *k);
double seg_sim_model_init_ms(const struct seg_sim_drawkey *k);
double seg_sim_model_queue_ms(const struct seg_sim_drawkey *k);
/* S3 delivery offset of the pos-th event (1-based) of a burst of puts of one key. */
double seg_sim_model_delivery_ms(const struct seg_sim_drawkey *k, int pos);
double seg_sim_model_write_gap_ms(const struct seg_sim_drawkey *k);
int seg_sim_model_memory_mb(const struct seg_sim_drawkey *k, int memory_size_mb);
int64_t seg_sim_model_idle_ms(const struct seg_sim_drawkey *env_key);
/* Ingestion delay of the sub-th event of an attempt (faults->ingest_* when set). */
int64_t seg_sim_model_ingest_ms(const struct seg_sim_drawkey *k, uint32_t sub,
                                const struct seg_sim_faults *faults);

#endif
