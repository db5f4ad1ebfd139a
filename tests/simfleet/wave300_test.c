/* simfleet.wave300: one S3 wave to 300 sites at speed 40: exactly 300 REPORTs in the log store
 * and 300 truth rows, in a few wall seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_util.h"
#include "seg_test.h"
#include "sim/logstore.h"
#include "util/xalloc.h"

static enum seg_sim_scan_verdict count_report(void *ud, const struct seg_sim_log_event *ev)
{
    if (strncmp(ev->message, "REPORT RequestId: ", 18) == 0)
        (*(int *)ud)++;
    return SEG_SIM_SCAN_NEXT;
}

static void test_wave300(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    char *truth = seg_xasprintf("%s/truth.csv", dir);
    struct seg_site *sites = sf_sites(300, NULL);
    struct seg_sim_clock clock;
    seg_sim_clock_init(&clock, 40.0);
    struct seg_sim_logstore *ls = seg_sim_logstore_new(&clock);
    struct seg_sim_fleet_config cfg = {
        .sites = sites, .nsites = 300, .region = "us-west-1", .seed = 1, .truth_path = truth};
    struct seg_sim_fleet *f = NULL;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_fleet_new(&cfg, &clock, ls, &f, &err), SEG_OK);
    struct sf_tap tap;
    sf_tap_init(&tap);
    seg_sim_fleet_set_log_tap(f, sf_tap_fn, &tap);
    double t0 = seg_test_now_ms();
    for (size_t i = 0; i < 300; i++)
        seg_sim_fleet_s3_put(f, seg_sim_fleet_site(f, i), "image_capture_2025-05-08_17-00-00.jpg",
                             2048, "\"0123456789abcdef0123456789abcdef\"");
    assert_true(sf_wait_idle(f, 15000));
    double wall = seg_test_now_ms() - t0;
    printf("wave of 300 done in %.0f ms wall\n", wall);
    assert_true(wall < 10000 * seg_test_time_scale());
    assert_int_equal(sf_count_prefix(&tap, "REPORT RequestId: "), 300);
    assert_int_equal(sf_count_prefix(&tap, "INIT_START "), 300);
    assert_int_equal(sf_count_prefix(&tap, "Image Name: image_capture_2025-05-08_17-00-00.jpg"),
                     300);
    /* The store holds them (read past every ingestion time). */
    int reports = 0;
    for (size_t i = 0; i < 300; i++) {
        struct seg_sim_logstore_scan q = {.group = sites[i].log_group,
                                          .start_ms = 0,
                                          .end_ms = INT64_MAX,
                                          .now_ms = INT64_MAX / 2,
                                          .visit = count_report,
                                          .ud = &reports};
        struct seg_sim_logstore_scan_result r;
        assert_int_equal(seg_sim_logstore_scan(ls, &q, &r), SEG_OK);
    }
    assert_int_equal(reports, 300);
    seg_sim_fleet_free(f);
    assert_int_equal(sf_count_lines(truth), 301);
    char *csv = seg_test_read_file(truth, NULL);
    assert_non_null(csv);
    const char *hdr = "wave,site,request_id,trigger_key,attempt,cold,init_ms,duration_ms,"
                      "billed_ms,max_memory_mb,status,error_type,start,end\n";
    assert_true(strncmp(csv, hdr, strlen(hdr)) == 0);
    assert_null(strstr(csv, ",throttled,"));
    free(csv);
    sf_tap_release(&tap);
    seg_sim_logstore_free(ls);
    sf_sites_free(sites, 300);
    free(truth);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_wave300)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
