/* simfleet.ladder: the ladder 1,20,50,...,300 at 25000x, waves 20 simulated minutes apart (all
 * cold, as measured), several waves per size; mean exec time and makespan per wave size
 * within 15 % of ../shared/seed-data/logsdata.csv, computed here as the original analysis
 * does (exec = REPORT time - whole-second Event Time; makespan = max end - min event). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_util.h"
#include "seg_test.h"
#include "sim/loglines.h"
#include "util/xalloc.h"

#define NSIZES 8
static const int sizes[NSIZES] = {1, 20, 50, 100, 150, 200, 250, 300};

struct agg {
    double exec_sum;
    long rows;
    double mk_sum;
    int waves;
};

struct wave {
    char key[64];
    int n;
    int64_t min_ev, max_end;
    double exec_sum;
};

static int size_index(int n)
{
    for (int i = 0; i < NSIZES; i++)
        if (sizes[i] == n)
            return i;
    return -1;
}

/* "YYYY-MM-DD HH:MM:SS[.fff]" -> epoch ms. */
static int64_t parse_time(const char *s)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.10sT%.*sZ", s, (int)strspn(s + 11, "0123456789:."), s + 11);
    int64_t v;
    assert_true(seg_sim_parse_iso_ms(buf, &v));
    return v;
}

static struct wave *find_wave(struct wave **ws, size_t *n, size_t *cap, const char *key)
{
    for (size_t i = *n; i-- > 0;)
        if (strcmp((*ws)[i].key, key) == 0)
            return &(*ws)[i];
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *ws = seg_xrealloc(*ws, *cap * sizeof **ws);
    }
    struct wave *w = &(*ws)[(*n)++];
    memset(w, 0, sizeof *w);
    snprintf(w->key, sizeof w->key, "%s", key);
    w->min_ev = INT64_MAX;
    w->max_end = INT64_MIN;
    return w;
}

static void aggregate(const struct wave *ws, size_t n, struct agg out[NSIZES])
{
    memset(out, 0, sizeof(struct agg) * NSIZES);
    for (size_t i = 0; i < n; i++) {
        int k = size_index(ws[i].n);
        if (k < 0)
            continue;
        out[k].exec_sum += ws[i].exec_sum;
        out[k].rows += ws[i].n;
        out[k].mk_sum += (double)(ws[i].max_end - ws[i].min_ev);
        out[k].waves++;
    }
}

static void measured(const char *path, struct agg out[NSIZES])
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char line[512];
    struct wave *ws = NULL;
    size_t n = 0, cap = 0;
    assert_non_null(fgets(line, sizeof line, fp)); /* header */
    while (fgets(line, sizeof line, fp)) {
        char *col[8];
        int c = 0;
        for (char *p = line; c < 8 && p; c++) { /* no quoted cells in this file */
            col[c] = p;
            p = strpbrk(p, ",\n");
            if (p)
                *p++ = '\0';
        }
        assert_true(c >= 8);
        /* The original analysis keeps images after 2025-05-02 17:30:00. */
        if (strcmp(col[1], "image_capture_2025-05-02_17-30-00.jpg") <= 0)
            continue;
        struct wave *w = find_wave(&ws, &n, &cap, col[1]);
        int64_t ev = parse_time(col[3]), end = parse_time(col[5]);
        w->n++;
        w->exec_sum += (double)(end - ev);
        if (ev < w->min_ev)
            w->min_ev = ev;
        if (end > w->max_end)
            w->max_end = end;
    }
    fclose(fp);
    aggregate(ws, n, out);
    free(ws);
}

static void simulated(struct agg out[NSIZES])
{
    struct seg_site *sites = sf_sites(300, NULL);
    struct seg_sim_clock clock;
    seg_sim_clock_init(&clock, 25000.0);
    struct seg_sim_fleet_config cfg = {
        .sites = sites, .nsites = 300, .region = "us-west-1", .seed = 1};
    struct seg_sim_fleet *f = NULL;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_fleet_new(&cfg, &clock, NULL, &f, &err), SEG_OK);
    struct sf_tap tap;
    sf_tap_init(&tap);
    seg_sim_fleet_set_log_tap(f, sf_tap_fn, &tap);
    /* Scheduled ahead of the clock (an hour, 0.14 s of wall time) so every decision is made at
     * its own simulated instant. */
    int64_t at = seg_sim_clock_now_ms(&clock) + (int64_t)(3600000 * seg_test_time_scale());
    for (int k = 0; k < NSIZES; k++) {
        int reps = sizes[k] >= 100 ? 4 : sizes[k] >= 20 ? 8 : 16;
        for (int r = 0; r < reps; r++, at += 20 * 60 * 1000) {
            char key[64];
            snprintf(key, sizeof key, "image_capture_ladder_%d_%d.jpg", sizes[k], r);
            for (int s = 0; s < sizes[k]; s++)
                seg_sim_fleet_s3_put_at(f, seg_sim_fleet_site(f, (size_t)s), key, 1000, "\"e\"",
                                        at);
        }
    }
    assert_true(sf_wait_idle(f, 30000));
    seg_sim_fleet_free(f);
    /* An attempt's events arrive together: Image Name, Event Time, ..., REPORT. */
    struct wave *ws = NULL;
    size_t n = 0, cap = 0;
    struct wave *cur = NULL;
    int64_t ev = 0;
    long cold = 0, reports = 0;
    for (size_t i = 0; i < tap.n; i++) {
        const char *m = tap.ev[i].msg;
        if (strncmp(m, "Image Name: ", 12) == 0) {
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)strcspn(m + 12, "\n"), m + 12);
            cur = find_wave(&ws, &n, &cap, key);
        } else if (strncmp(m, "Event Time: ", 12) == 0) {
            ev = parse_time(m + 12);
        } else if (strncmp(m, "REPORT ", 7) == 0) {
            assert_non_null(cur);
            reports++;
            cold += strstr(m, "Init Duration") != NULL;
            cur->n++;
            cur->exec_sum += (double)(tap.ev[i].ts - ev);
            if (ev < cur->min_ev)
                cur->min_ev = ev;
            if (tap.ev[i].ts > cur->max_end)
                cur->max_end = tap.ev[i].ts;
        }
    }
    assert_int_equal(cold, reports); /* 20 minutes apart: every run is cold, as measured */
    aggregate(ws, n, out);
    free(ws);
    sf_tap_release(&tap);
    sf_sites_free(sites, 300);
}

static void test_ladder(void **state)
{
    (void)state;
    const char *shared = seg_test_shared_dir();
    if (!shared) {
        printf("../shared not found: skipped\n");
        exit(SEG_TEST_SKIP);
    }
    char *path = seg_xasprintf("%s/seed-data/logsdata.csv", shared);
    struct agg m[NSIZES], s[NSIZES];
    measured(path, m);
    free(path);
    double t0 = seg_test_now_ms();
    simulated(s);
    printf("simulated ladder in %.0f ms wall\n", seg_test_now_ms() - t0);
    printf("%5s | %6s %6s | %10s %10s %6s | %10s %10s %6s\n", "size", "waves", "sim", "exec_meas",
           "exec_sim", "diff", "mksp_meas", "mksp_sim", "diff");
    bool ok = true;
    for (int k = 0; k < NSIZES; k++) {
        assert_true(m[k].waves > 0 && s[k].waves > 0);
        double em = m[k].exec_sum / (double)m[k].rows, es = s[k].exec_sum / (double)s[k].rows;
        double mm = m[k].mk_sum / m[k].waves, ms = s[k].mk_sum / s[k].waves;
        double de = (es - em) / em * 100, dm = (ms - mm) / mm * 100;
        printf("%5d | %6d %6d | %10.0f %10.0f %+5.1f%% | %10.0f %10.0f %+5.1f%%\n", sizes[k],
               m[k].waves, s[k].waves, em, es, de, mm, ms, dm);
        ok = ok && fabs(de) <= 15 && fabs(dm) <= 15;
    }
    assert_true(ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ladder)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
