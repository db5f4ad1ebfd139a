/* Latency distribution of one metric: every raw value (exact percentiles) plus log-scale
 * bucket counts for drawing. Values are whole milliseconds. Not thread-safe: the engine
 * thread owns it; snapshots carry a copied summary (struct seg_hist_summary). */
#ifndef SEGTOP_CORE_METRICS_HIST_H
#define SEGTOP_CORE_METRICS_HIST_H

#include <stddef.h>
#include <stdint.h>

/* Buckets 1-2-5 per decade: [0,1) [1,2) [2,5) [5,10) ... [500000,1000000) [1000000,inf).
 * Bucket i (i >= 1) starts at seg_hist_bucket_lo(i) ms; bucket 0 holds values below 1 ms. */
#define SEG_HIST_NBUCKETS 20

struct seg_hist {
    int32_t *vals; /* raw values; vals[0..n_sorted) is sorted ascending */
    size_t n;
    size_t n_sorted;
    size_t alloc;
    uint32_t buckets[SEG_HIST_NBUCKETS];
    int64_t sum;
};

/* What the panels draw. Percentiles are nearest-rank (see seg_hist_percentile); every
 * field is 0 when n == 0. */
struct seg_hist_summary {
    uint32_t n;
    int32_t min, p50, p90, p95, p99, max;
    double mean;
    uint32_t buckets[SEG_HIST_NBUCKETS];
};

void seg_hist_init(struct seg_hist *h);
void seg_hist_release(struct seg_hist *h);
void seg_hist_add(struct seg_hist *h, int32_t ms);

/* Nearest-rank percentile: the smallest recorded value v such that at least p % of the
 * values are <= v, i.e. the value of rank ceil(p/100 * n) (rank 1 for p <= 0) in ascending
 * order. p = 100 gives the maximum. Returns 0 for an empty histogram. Sorts lazily (only the
 * values added since the last call are sorted and merged), hence the non-const argument. */
int32_t seg_hist_percentile(struct seg_hist *h, double p);
void seg_hist_summarize(struct seg_hist *h, struct seg_hist_summary *out);

/* Lower edge of bucket i in ms (0 for bucket 0). */
int32_t seg_hist_bucket_lo(size_t i);
size_t seg_hist_bucket_of(int32_t ms);

#endif
