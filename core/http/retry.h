/* AWS "standard" retry mode (aws-wire.md §6.3, botocore retries/standard.py): which failures
 * are retried, full-jitter backoff, and the retry quota that keeps a storm of failures from
 * multiplying load. Pure logic, so it is tested without a network. */
#ifndef SEGTOP_CORE_HTTP_RETRY_H
#define SEGTOP_CORE_HTTP_RETRY_H

#include <stdbool.h>
#include <stdint.h>

enum seg_failure {
    SEG_FAIL_NONE = 0,   /* 2xx */
    SEG_FAIL_THROTTLE,   /* throttling error codes */
    SEG_FAIL_TRANSIENT,  /* 500/502/503/504 and transient error codes */
    SEG_FAIL_CONNECTION, /* connect/send/receive errors, resets, truncated bodies */
    SEG_FAIL_TIMEOUT,    /* the transfer's own deadline passed */
    SEG_FAIL_PERMANENT,  /* everything else: 4xx validation, auth, ... */
};

#define SEG_RETRY_QUOTA_INITIAL 500
#define SEG_RETRY_COST          5
#define SEG_RETRY_TIMEOUT_COST  10
#define SEG_RETRY_NO_RETRY_GAIN 1

struct seg_retry_quota {
    int capacity;
    int available;
};

void seg_retry_quota_init(struct seg_retry_quota *q, int capacity);
/* Takes the cost of one retry of this failure; false (nothing taken) when the quota is spent. */
bool seg_retry_quota_acquire(struct seg_retry_quota *q, enum seg_failure f, int *cost_taken);
/* After a success: gives back what that call's retries took, or the small no-retry bonus. */
void seg_retry_quota_release(struct seg_retry_quota *q, int cost_taken_by_call);

bool seg_failure_retryable(enum seg_failure f);
const char *seg_failure_name(enum seg_failure f);

/* Full jitter: rand(0,1) * min(base * 2^(attempt-1), cap), in milliseconds, for the retry
 * after the attempt-th failed attempt (attempt >= 1). unit01 is a uniform draw in [0,1). */
double seg_retry_backoff_ms(int attempt, double base_ms, double cap_ms, double unit01);

/* Small deterministic generator (xorshift64*) for the jitter draws. */
struct seg_rng {
    uint64_t s;
};
void seg_rng_seed(struct seg_rng *r, uint64_t seed);
double seg_rng_unit(struct seg_rng *r);

#endif
