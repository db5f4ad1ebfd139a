/* --sim-truth: the ground-truth CSV, one row per attempt, written (and flushed) as each
 * attempt is decided. Not thread-safe: the fleet writes it under its lock. */
#ifndef SEGTOP_CORE_SIM_TRUTH_H
#define SEGTOP_CORE_SIM_TRUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_SIM_TRUTH_HEADER                                                       \
    "wave,site,request_id,trigger_key,attempt,cold,init_ms,duration_ms,billed_ms," \
    "max_memory_mb,status,error_type,start,end"

struct seg_sim_truth_row {
    int wave;
    int site;
    const char *request_id;
    const char *trigger_key;
    int attempt;
    bool ran; /* false for throttled rows: the numeric columns stay empty */
    bool cold;
    double init_ms;
    double duration_ms;
    long billed_ms;
    int max_memory_mb;
    const char *status;     /* ok|error|timeout|throttled */
    const char *error_type; /* NULL = empty */
    int64_t start_ms, end_ms;
};

enum seg_err seg_sim_truth_open(const char *path, FILE **out, struct seg_errmsg *err) SEG_MUST_USE;
void seg_sim_truth_write(FILE *f, const struct seg_sim_truth_row *r);

#endif
