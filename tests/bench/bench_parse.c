/* bench_parse: text REPORT parsing throughput, the log poller's hot path. Generates
 * 1,000,000 realistic REPORT lines in memory (varying numbers, some cold with Init
 * Duration, a few failures, some with the XRAY sub-line), then times seg_log_parse over
 * them on one core: CLOCK_MONOTONIC, best of 5. Target: >= 1,000,000 lines/s. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logs/parse.h"

#define N_LINES 1000000
#define ROUNDS  5

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int make_line(char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    char id[37];
    for (int i = 0; i < 36; i++)
        id[i] = (i == 8 || i == 13 || i == 18 || i == 23) ? '-' : hex[next_rand() % 16];
    id[36] = '\0';
    /* Billed ≈ 19.9 s ± 3.4 s as in seed-data/logsdata.csv, 6200 MB functions. */
    unsigned dur_ms = 8800 + next_rand() % 26000, frac = next_rand() % 100;
    unsigned max_mem = 900 + next_rand() % 2400;
    int n = snprintf(out, size,
                     "REPORT RequestId: %s\tDuration: %u.%02u ms\tBilled Duration: %u ms\tMemory "
                     "Size: 6200 MB\tMax Memory Used: %u MB\t",
                     id, dur_ms, frac, dur_ms + 1, max_mem);
    unsigned kind = next_rand() % 100;
    if (kind < 30) /* cold */
        n += snprintf(out + n, size - (size_t)n, "Init Duration: %u.%02u ms\t",
                      300 + next_rand() % 3000, next_rand() % 100);
    if (kind == 99)
        n +=
            snprintf(out + n, size - (size_t)n, "Status: error\tError Type: Runtime.OutOfMemory\t");
    else if (kind == 98)
        n += snprintf(out + n, size - (size_t)n, "Status: timeout\t");
    n += snprintf(out + n, size - (size_t)n, "\n");
    if (kind % 10 == 5)
        n += snprintf(out + n, size - (size_t)n,
                      "XRAY TraceId: 1-5e34a66a-474a8c7c2534a87870b4370\tSegmentId: "
                      "073c3e442861\tSampled: true\n");
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    size_t cap = (size_t)N_LINES * 320, used = 0;
    char *text = malloc(cap);
    uint32_t *off = malloc(sizeof *off * (N_LINES + 1));
    if (!text || !off) {
        fprintf(stderr, "bench_parse: out of memory\n");
        return 1;
    }
    for (int i = 0; i < N_LINES; i++) {
        off[i] = (uint32_t)used;
        used += (size_t)make_line(text + used, cap - used);
    }
    off[N_LINES] = (uint32_t)used;

    struct seg_log_record r;
    double best = 1e30, checksum = 0;
    long cold = 0;
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = now_s();
        for (int i = 0; i < N_LINES; i++) {
            if (seg_log_parse(text + off[i], off[i + 1] - off[i], &r) != SEG_OK ||
                r.kind != SEG_LOG_REPORT || !r.has_duration) {
                fprintf(stderr, "bench_parse: line %d did not parse\n", i);
                return 1;
            }
            checksum += r.duration_ms + r.max_memory_mb;
            cold += r.has_init;
        }
        double dt = now_s() - t0;
        if (dt < best)
            best = dt;
    }
    printf("report-parse: %d lines in %.3f s = %.0f lines/s (%.1f MB/s; best of %d; %.1f%% "
           "cold; checksum %.0f)\n",
           N_LINES, best, N_LINES / best, (double)used / best / 1e6, ROUNDS,
           100.0 * (double)cold / ((double)N_LINES * ROUNDS), checksum);
    free(text);
    free(off);
    return 0;
}
