/* The standard retry mode's rules: what is retried, the backoff bounds, the quota. */
#include "http/retry.h"
#include "seg_test.h"

static void test_retryable(void **state)
{
    (void)state;
    assert_true(seg_failure_retryable(SEG_FAIL_THROTTLE));
    assert_true(seg_failure_retryable(SEG_FAIL_TRANSIENT));
    assert_true(seg_failure_retryable(SEG_FAIL_CONNECTION));
    assert_true(seg_failure_retryable(SEG_FAIL_TIMEOUT));
    assert_false(seg_failure_retryable(SEG_FAIL_PERMANENT));
    assert_false(seg_failure_retryable(SEG_FAIL_NONE));
}

static void test_backoff_full_jitter(void **state)
{
    (void)state;
    /* rand(0,1) * min(2^(n-1), 20) seconds */
    assert_true(seg_retry_backoff_ms(1, 1000, 20000, 0.5) == 500);
    assert_true(seg_retry_backoff_ms(2, 1000, 20000, 0.5) == 1000);
    assert_true(seg_retry_backoff_ms(5, 1000, 20000, 1.0) == 16000);
    assert_true(seg_retry_backoff_ms(6, 1000, 20000, 1.0) == 20000); /* capped */
    assert_true(seg_retry_backoff_ms(60, 1000, 20000, 0.25) == 5000);
    assert_true(seg_retry_backoff_ms(3, 1000, 20000, 0.0) == 0);
    struct seg_rng r;
    seg_rng_seed(&r, 42);
    double sum = 0;
    for (int i = 0; i < 10000; i++) {
        double u = seg_rng_unit(&r);
        assert_true(u >= 0 && u < 1);
        sum += u;
    }
    assert_true(sum / 10000 > 0.45 && sum / 10000 < 0.55); /* uniform enough for jitter */
}

static void test_quota(void **state)
{
    (void)state;
    struct seg_retry_quota q;
    int taken = 0;
    seg_retry_quota_init(&q, 500);
    /* 100 retries of 5 drain it; the 101st is refused and takes nothing. */
    for (int i = 0; i < 100; i++)
        assert_true(seg_retry_quota_acquire(&q, SEG_FAIL_TRANSIENT, &taken));
    assert_int_equal(q.available, 0);
    assert_int_equal(taken, 500);
    assert_false(seg_retry_quota_acquire(&q, SEG_FAIL_TRANSIENT, &taken));
    assert_int_equal(taken, 500);
    /* A success after retries gives back what it took; a plain success adds 1. */
    seg_retry_quota_release(&q, 15);
    assert_int_equal(q.available, 15);
    seg_retry_quota_release(&q, 0);
    assert_int_equal(q.available, 16);
    /* Timeouts cost 10. */
    taken = 0;
    assert_true(seg_retry_quota_acquire(&q, SEG_FAIL_TIMEOUT, &taken));
    assert_int_equal(taken, 10);
    assert_int_equal(q.available, 6);
    /* Never above capacity. */
    seg_retry_quota_release(&q, 10000);
    assert_int_equal(q.available, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retryable),
        cmocka_unit_test(test_backoff_full_jitter),
        cmocka_unit_test(test_quota),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
