/* Histogram percentiles against a brute-force nearest-rank on random data. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/hist.h"
#include "seg_test.h"

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank, written the textbook way: rank = ceil(p/100 * n), at least 1. */
static int32_t brute(const int32_t *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void test_random_against_brute_force(void **state)
{
    (void)state;
    static const double ps[] = {0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};
    for (int round = 0; round < 50; round++) {
        size_t n = 1 + next_rand() % 3000;
        struct seg_hist h;
        seg_hist_init(&h);
        int32_t *copy = malloc(n * sizeof *copy);
        for (size_t i = 0; i < n; i++) {
            /* log-ish spread, with duplicates */
            int32_t v = (int32_t)(next_rand() % (1u << (next_rand() % 21)));
            copy[i] = v;
            seg_hist_add(&h, v);
            /* Query mid-way too: exercises the sorted-prefix merge. */
            if (i % 97 == 0) {
                int32_t *tmp = malloc((i + 1) * sizeof *tmp);
                memcpy(tmp, copy, (i + 1) * sizeof *tmp);
                qsort(tmp, i + 1, sizeof *tmp, cmp_i32);
                assert_int_equal(seg_hist_percentile(&h, 50), brute(tmp, i + 1, 50));
                free(tmp);
            }
        }
        qsort(copy, n, sizeof *copy, cmp_i32);
        for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++)
            assert_int_equal(seg_hist_percentile(&h, ps[k]), brute(copy, n, ps[k]));
        struct seg_hist_summary s;
        seg_hist_summarize(&h, &s);
        assert_int_equal(s.n, n);
        assert_int_equal(s.max, copy[n - 1]);
        assert_int_equal(s.min, copy[0]);
        assert_int_equal(s.p99, brute(copy, n, 99));
        uint32_t total = 0;
        for (size_t b = 0; b < SEG_HIST_NBUCKETS; b++)
            total += s.buckets[b];
        assert_int_equal(total, n);
        free(copy);
        seg_hist_release(&h);
    }
}

static void test_known_small(void **state)
{
    (void)state;
    struct seg_hist h;
    seg_hist_init(&h);
    assert_int_equal(seg_hist_percentile(&h, 50), 0);
    /* 1..10: p50 = rank 5 = 5, p90 = rank 9 = 9, p95 = rank ceil(9.5) = 10. */
    for (int v = 10; v >= 1; v--)
        seg_hist_add(&h, v);
    assert_int_equal(seg_hist_percentile(&h, 50), 5);
    assert_int_equal(seg_hist_percentile(&h, 90), 9);
    assert_int_equal(seg_hist_percentile(&h, 95), 10);
    assert_int_equal(seg_hist_percentile(&h, 100), 10);
    assert_int_equal(seg_hist_percentile(&h, 0), 1);
    seg_hist_release(&h);
    seg_hist_release(&h); /* idempotent */
}

static void test_buckets(void **state)
{
    (void)state;
    assert_int_equal(seg_hist_bucket_of(0), 0);
    assert_int_equal(seg_hist_bucket_of(1), 1);
    assert_int_equal(seg_hist_bucket_of(4), 2);
    assert_int_equal(seg_hist_bucket_of(5), 3);
    assert_int_equal(seg_hist_bucket_of(999), 9);
    assert_int_equal(seg_hist_bucket_of(1000), 10);
    assert_int_equal(seg_hist_bucket_of(22215), 14);
    assert_int_equal(seg_hist_bucket_of(5000000), SEG_HIST_NBUCKETS - 1);
    assert_int_equal(seg_hist_bucket_of(-5), 0);
    assert_int_equal(seg_hist_bucket_lo(14), 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_against_brute_force),
        cmocka_unit_test(test_known_small),
        cmocka_unit_test(test_buckets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
