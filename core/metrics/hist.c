#include "metrics/hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const int32_t bucket_lo[SEG_HIST_NBUCKETS] = {
    0,    1,    2,    5,     10,    20,    50,     100,    200,    500,
    1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000};

void seg_hist_init(struct seg_hist *h)
{
    memset(h, 0, sizeof *h);
}

void seg_hist_release(struct seg_hist *h)
{
    if (!h)
        return;
    free(h->vals);
    memset(h, 0, sizeof *h);
}

int32_t seg_hist_bucket_lo(size_t i)
{
    return i < SEG_HIST_NBUCKETS ? bucket_lo[i] : INT32_MAX;
}

size_t seg_hist_bucket_of(int32_t ms)
{
    size_t i = SEG_HIST_NBUCKETS - 1;
    while (i > 0 && ms < bucket_lo[i])
        i--;
    return i;
}

void seg_hist_add(struct seg_hist *h, int32_t ms)
{
    if (h->n == h->alloc) {
        /* Grow by half: 100,000 values cost 400 kB, and no per-value overhead. */
        h->alloc = h->alloc ? h->alloc + h->alloc / 2 : 16;
        h->vals = seg_xrealloc(h->vals, h->alloc * sizeof *h->vals);
    }
    /* Appending in order keeps the prefix sorted for free (common: durations grow). */
    if (h->n_sorted == h->n && (h->n == 0 || h->vals[h->n - 1] <= ms))
        h->n_sorted++;
    h->vals[h->n++] = ms;
    h->buckets[seg_hist_bucket_of(ms)]++;
    h->sum += ms;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the unsorted tail and merges it into the sorted prefix: O(k log k + n) per call
 * instead of a full sort, so frequent snapshots stay cheap. */
static void settle(struct seg_hist *h)
{
    if (h->n_sorted == h->n)
        return;
    size_t k = h->n - h->n_sorted;
    int32_t *tail = h->vals + h->n_sorted;
    qsort(tail, k, sizeof *tail, cmp_i32);
    if (h->n_sorted > 0 && h->vals[h->n_sorted - 1] > tail[0]) {
        int32_t *tmp = seg_xmalloc(k * sizeof *tmp);
        memcpy(tmp, tail, k * sizeof *tmp);
        /* Merge from the back so the prefix can stay in place. */
        size_t i = h->n_sorted, j = k, o = h->n;
        while (j > 0) {
            if (i > 0 && h->vals[i - 1] > tmp[j - 1])
                h->vals[--o] = h->vals[--i];
            else
                h->vals[--o] = tmp[--j];
        }
        free(tmp);
    }
    h->n_sorted = h->n;
}

int32_t seg_hist_percentile(struct seg_hist *h, double p)
{
    if (h->n == 0)
        return 0;
    settle(h);
    double r = ceil(p / 100.0 * (double)h->n);
    size_t rank = r < 1.0 ? 1 : r > (double)h->n ? h->n : (size_t)r;
    return h->vals[rank - 1];
}

void seg_hist_summarize(struct seg_hist *h, struct seg_hist_summary *out)
{
    memset(out, 0, sizeof *out);
    if (h->n == 0)
        return;
    out->n = (uint32_t)h->n;
    out->min = seg_hist_percentile(h, 0);
    out->p50 = seg_hist_percentile(h, 50);
    out->p90 = seg_hist_percentile(h, 90);
    out->p95 = seg_hist_percentile(h, 95);
    out->p99 = seg_hist_percentile(h, 99);
    out->max = seg_hist_percentile(h, 100);
    out->mean = (double)h->sum / (double)h->n;
    memcpy(out->buckets, h->buckets, sizeof out->buckets);
}
