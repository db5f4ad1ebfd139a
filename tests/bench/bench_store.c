/* bench_store: inserts 100,000 invocations (waves of 300 sites, each with trigger, START
 * and REPORT) and reports the time per insert, the time of a snapshot, and resident memory
 * from /proc/self/statm. Target: segtop <= 64 MiB resident with 100,000 invocations.
 * Usage: bench_store [N]. Exits 1 when over the budget. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <unistd.h>

#include "metrics/snapshot.h"
#include "metrics/store.h"

#define BUDGET_MIB 64.0

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double resident_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f)
        return NAN;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    const int sites = 300;
    double rss0 = resident_mib();
    struct seg_store *s = seg_store_new(NULL);
    for (int i = 1; i <= sites; i++) {
        char fn[64];
        snprintf(fn, sizeof fn, "site%d-lambdafunction", i);
        seg_store_set_site(s, i, fn);
    }
    unsigned seed = 12345;
    double t0 = now_ms();
    long done = 0;
    int64_t base = 1746745200000LL;
    while (done < n) {
        int w;
        int64_t wt = base + (int64_t)done / sites * 3600000;
        if (seg_store_wave_begin(s, sites, SEG_TRIGGER_S3, "image_capture_x.jpg", wt, &w))
            return 1;
        for (int site = 1; site <= sites && done < n; site++, done++) {
            char rid[40];
            snprintf(rid, sizeof rid, "%08lx-1f2e-4d3c-8b7a-%012lx", (unsigned long)done,
                     (unsigned long)done * 2654435761UL);
            seed = seed * 1103515245u + 12345u;
            int64_t exec = 8800 + (int64_t)(seed >> 8) % 26000;
            struct seg_report r;
            seg_report_init(&r);
            r.ts_ms = wt + 1500 + exec;
            r.ingest_ms = r.ts_ms + 2000;
            r.event_time_ms = wt + 1000;
            r.db_write_ms = r.ts_ms - 60;
            r.duration_ms = (double)exec - 0.5;
            r.billed_ms = (double)exec;
            r.init_ms = 800.25;
            r.cold = true;
            r.memory_mb = 6200;
            r.max_memory_mb = 1400;
            if (seg_store_trigger_sent(s, w, site, wt) ||
                seg_store_trigger_accepted(s, w, site, wt + 80, NULL) ||
                seg_store_bind(s, w, site, rid) || seg_store_start(s, rid, wt + 1500) ||
                seg_store_report(s, rid, &r))
                return 1;
        }
    }
    double t1 = now_ms();
    seg_store_set_now(s, base + (int64_t)(n / sites + 1) * 3600000);
    struct seg_snapshot *snap = seg_store_snapshot(s);
    double t2 = now_ms();
    seg_snapshot_release(snap);
    snap = seg_store_snapshot(s); /* steady state: everything already sorted */
    double t3 = now_ms();
    seg_snapshot_release(snap);
    double rss = resident_mib();
    printf("invocations=%ld insert_us=%.3f (trigger+accept+bind+start+report) "
           "snapshot_first_ms=%.2f snapshot_ms=%.2f store_bytes=%zu rss_mib=%.1f "
           "rss_growth_mib=%.1f budget_mib=%.0f\n",
           n, (t1 - t0) * 1000.0 / (double)n, t2 - t1, t3 - t2, seg_store_memory(s), rss,
           rss - rss0, BUDGET_MIB);
    seg_store_free(s);
    return rss <= BUDGET_MIB ? 0 : 1;
}
