#include "http/retry.h"

#include <math.h>

void seg_retry_quota_init(struct seg_retry_quota *q, int capacity)
{
    q->capacity = capacity;
    q->available = capacity;
}

bool seg_retry_quota_acquire(struct seg_retry_quota *q, enum seg_failure f, int *cost_taken)
{
    int cost = f == SEG_FAIL_TIMEOUT ? SEG_RETRY_TIMEOUT_COST : SEG_RETRY_COST;
    if (q->available < cost)
        return false;
    q->available -= cost;
    *cost_taken += cost;
    return true;
}

void seg_retry_quota_release(struct seg_retry_quota *q, int cost_taken_by_call)
{
    q->available += cost_taken_by_call ? cost_taken_by_call : SEG_RETRY_NO_RETRY_GAIN;
    if (q->available > q->capacity)
        q->available = q->capacity;
}

bool seg_failure_retryable(enum seg_failure f)
{
    return f == SEG_FAIL_THROTTLE || f == SEG_FAIL_TRANSIENT || f == SEG_FAIL_CONNECTION ||
           f == SEG_FAIL_TIMEOUT;
}

const char *seg_failure_name(enum seg_failure f)
{
    switch (f) {
    case SEG_FAIL_NONE:
        return "none";
    case SEG_FAIL_THROTTLE:
        return "throttled";
    case SEG_FAIL_TRANSIENT:
        return "transient";
    case SEG_FAIL_CONNECTION:
        return "connection";
    case SEG_FAIL_TIMEOUT:
        return "timeout";
    case SEG_FAIL_PERMANENT:
        return "permanent";
    }
    return "unknown";
}

double seg_retry_backoff_ms(int attempt, double base_ms, double cap_ms, double unit01)
{
    if (attempt < 1)
        attempt = 1;
    double exp = attempt > 30 ? cap_ms : base_ms * ldexp(1.0, attempt - 1);
    return unit01 * (exp < cap_ms ? exp : cap_ms);
}

void seg_rng_seed(struct seg_rng *r, uint64_t seed)
{
    r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
}

double seg_rng_unit(struct seg_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}
