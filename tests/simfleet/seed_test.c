/* simfleet.seed: the same seed gives a byte-identical truth file (request ids and times
 * included, the clock's T0 pinned); another seed differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_util.h"
#include "seg_test.h"
#include "util/xalloc.h"

#define NSITES 60
#define T0     1746745200000LL /* 2025-05-08T23:00:00Z */

static char *run(const char *dir, uint64_t seed, int n)
{
    char *truth = seg_xasprintf("%s/truth-%d.csv", dir, n);
    struct seg_site *sites = sf_sites(NSITES, "/segtop/shared");
    sites[3].json_logs = true;
    struct seg_sim_faults faults;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_faults_parse("error=0.2", &faults, &err), SEG_OK);
    /* Pinned T0: sim time starts at the same instant in both runs. */
    struct seg_sim_clock clock = {
        .speed = 5000, .t0_epoch_ms = T0, .t0_mono_ns = seg_sim_clock_mono_ns()};
    struct seg_sim_fleet_config cfg = {.sites = sites,
                                       .nsites = NSITES,
                                       .region = "us-west-1",
                                       .seed = seed,
                                       .faults = &faults,
                                       .truth_path = truth};
    struct seg_sim_fleet *f = NULL;
    assert_int_equal(seg_sim_fleet_new(&cfg, &clock, NULL, &f, &err), SEG_OK);
    /* Half an hour of simulated lead (90 ms wall, scaled) so every put is queued before the
     * clock reaches it: decisions then happen in the same order in every run. */
    int64_t lead = (int64_t)(1800000 * seg_test_time_scale());
    /* Two waves (sites 1..20, then 1..60) a minute apart, puts in reverse order the second
     * time: arrival order must not matter beyond the burst position. */
    for (int i = 0; i < 20; i++)
        seg_sim_fleet_s3_put_at(f, seg_sim_fleet_site(f, (size_t)i), "image_capture_a.jpg", 10,
                                "\"e\"", T0 + lead);
    for (int i = NSITES - 1; i >= 0; i--)
        seg_sim_fleet_s3_put_at(f, seg_sim_fleet_site(f, (size_t)i), "image_capture_b.jpg", 10,
                                "\"e\"", T0 + lead + 60000);
    assert_true(sf_wait_idle(f, 20000));
    seg_sim_fleet_free(f);
    sf_sites_free(sites, NSITES);
    char *csv = seg_test_read_file(truth, NULL);
    assert_non_null(csv);
    free(truth);
    return csv;
}

static void test_seed(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    char *a = run(dir, 7, 1), *b = run(dir, 7, 2), *c = run(dir, 8, 3);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    /* Retries happened (error=0.2), with more rows than the 80 events. */
    size_t rows = 0;
    for (const char *p = a; *p; p++)
        rows += *p == '\n';
    printf("%zu truth rows\n", rows - 1);
    assert_true(rows - 1 > 80);
    assert_non_null(strstr(a, ",2,"));
    free(a);
    free(b);
    free(c);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_seed)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
