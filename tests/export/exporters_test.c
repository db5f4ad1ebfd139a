/* The export kinds: exact header lines, value formats, file names, the paths returned. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>

#include "export/exporters.h"
#include "export/files.h"
#include "metrics/snapshot.h"
#include "metrics/store.h"
#include "seg_test.h"
#include "util/xalloc.h"

#define T0 1746745200000LL /* 2025-05-08T23:00:00.000Z */

static struct seg_store *scenario(void)
{
    struct seg_store *s = seg_store_new(NULL);
    seg_store_set_site(s, 1, "site1-lambdafunction");
    seg_store_set_site(s, 2, "site2-lambdafunction");
    int w;
    assert_int_equal(
        seg_store_wave_begin(s, 2, SEG_TRIGGER_S3, "image_capture_2025-05-08_17-00-00.jpg", T0, &w),
        SEG_OK);
    for (int site = 1; site <= 2; site++) {
        assert_int_equal(seg_store_trigger_sent(s, w, site, T0 + 5), SEG_OK);
        assert_int_equal(seg_store_trigger_accepted(s, w, site, T0 + 105, NULL), SEG_OK);
    }
    assert_int_equal(seg_store_bind(s, w, 1, "11111111-aaaa"), SEG_OK);
    assert_int_equal(seg_store_start(s, "11111111-aaaa", T0 + 1200), SEG_OK);
    struct seg_report r;
    seg_report_init(&r);
    r.ts_ms = T0 + 23504;
    r.ingest_ms = T0 + 24504;
    r.event_time_ms = T0 + 1000; /* whole seconds, as the handler prints it */
    r.db_write_ms = T0 + 23448;
    r.duration_ms = 22214.53;
    r.billed_ms = 22215;
    r.init_ms = 1234.5;
    r.memory_mb = 6200;
    r.max_memory_mb = 1500;
    r.cold = true;
    assert_int_equal(seg_store_report(s, "11111111-aaaa", &r), SEG_OK);
    assert_int_equal(seg_store_bind(s, w, 2, "22222222-bbbb"), SEG_OK);
    seg_report_init(&r);
    r.ts_ms = T0 + 9000;
    r.event_time_ms = T0 + 2000;
    r.duration_ms = 6000;
    r.billed_ms = 6000;
    r.memory_mb = 6200;
    r.max_memory_mb = 6200;
    r.status = SEG_INV_ERROR;
    r.error_type = "Runtime.OutOfMemory";
    r.error_message = "=cmd|' /C calc'!A0, \"boom\"";
    assert_int_equal(seg_store_report(s, "22222222-bbbb", &r), SEG_OK);
    return s;
}

static char *line(const char *text, int n) /* the n-th line (0-based), caller frees */
{
    for (int i = 0; i < n && text; i++) {
        text = strchr(text, '\n');
        if (text)
            text++;
    }
    assert_non_null(text);
    const char *e = strchr(text, '\n');
    return seg_xstrndup(text, e ? (size_t)(e - text) : strlen(text));
}

static void check_line(const char *text, int n, const char *want)
{
    char *got = line(text, n);
    assert_string_equal(got, want);
    free(got);
}

static void test_run(void **state)
{
    (void)state;
    struct seg_store *s = scenario();
    struct seg_snapshot *snap = seg_store_snapshot(s);
    struct seg_inv_table *t = seg_store_table(s);
    char *dir = seg_test_tmpdir();
    struct seg_export_request req = {
        .dir = dir, .seed = true, .stamp_ms = T0 + 60000 + 7, .table = t, .snap = snap};
    struct seg_export_paths paths;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_export_run(&req, &paths, &err), SEG_OK);
    assert_int_equal(paths.n, 4);
    static const char *const names[] = {
        "segtop-invocations-20250508T230100.007Z.csv", "segtop-waves-20250508T230100.007Z.csv",
        "segtop-sites-20250508T230100.007Z.csv", "logsdata-20250508T230100.007Z.csv"};
    for (int i = 0; i < 4; i++) {
        char *want = seg_xasprintf("%s/%s", dir, names[i]);
        assert_string_equal(paths.paths[i], want);
        free(want);
    }
    char *inv = seg_test_read_file(paths.paths[0], NULL);
    check_line(inv, 0,
               "wave,site,function,trigger,attempt,request_id,trigger_key,trigger_sent,"
               "trigger_accepted,start,end,exec_ms,duration_ms,billed_ms,init_ms,memory_mb,"
               "max_memory_mb,cold,status,error_type,error_message,ingest_lag_ms,e2e_ms");
    check_line(inv, 1,
               "1,1,site1-lambdafunction,s3,1,11111111-aaaa,image_capture_2025-05-08_17-00-00.jpg,"
               "2025-05-08T23:00:00.005Z,2025-05-08T23:00:00.105Z,2025-05-08T23:00:01.200Z,"
               "2025-05-08T23:00:23.504Z,22504,22214.53,22215,1234.5,6200,1500,true,ok,,,1000,"
               "23499");
    check_line(inv, 2,
               "1,2,site2-lambdafunction,s3,1,22222222-bbbb,image_capture_2025-05-08_17-00-00.jpg,"
               "2025-05-08T23:00:00.005Z,2025-05-08T23:00:00.105Z,,2025-05-08T23:00:09.000Z,"
               "7000,6000,6000,,6200,6200,false,error,Runtime.OutOfMemory,"
               "\"'=cmd|' /C calc'!A0, \"\"boom\"\"\",,8995");
    free(inv);

    char *waves = seg_test_read_file(paths.paths[1], NULL);
    check_line(waves, 0,
               "wave,size,launched,done,missing,cold_pct,p50_exec_ms,p95_exec_ms,mean_exec_ms,"
               "sd_exec_ms,p95_e2e_ms,makespan_ms,errors,throttles,cost_usd");
    /* cost: (6200/1024) GB x (22.215 + 6) s x 0.0000166667 + 2 x 0.0000002 */
    double cost = 6200 / 1024.0 * (22.215 + 6.0) * 0.0000166667 + 2 * 0.2e-6;
    char want[256];
    snprintf(want, sizeof want, "1,2,2,2,0,50.0,7000,22504,14752.0,10963.0,23499,23499,1,0,%.6f",
             cost);
    check_line(waves, 1, want);
    free(waves);

    char *sites = seg_test_read_file(paths.paths[2], NULL);
    check_line(sites, 0,
               "site,function,invocations,cold_pct,p50_exec_ms,p95_exec_ms,p50_init_ms,"
               "max_memory_mb,errors,last_error,state");
    check_line(sites, 1, "1,site1-lambdafunction,1,100.0,22504,22504,1235,1500,0,,ok-cold");
    check_line(sites, 2,
               "2,site2-lambdafunction,1,0.0,7000,7000,,6200,1,"
               "\"'=cmd|' /C calc'!A0, \"\"boom\"\"\",error");
    free(sites);

    char *seed = seg_test_read_file(paths.paths[3], NULL);
    assert_string_equal(seed, ",id,lambda_function_name,event_time,write_to_database_timestamp,"
                              "function_end_timestamp,billed_duration_ms,cold_start\n"
                              "0,image_capture_2025-05-08_17-00-00.jpg,site1-lambdafunction,"
                              "2025-05-08 23:00:01,2025-05-08 23:00:23.448,2025-05-08 23:00:23.504,"
                              "22215.0,True\n"
                              "1,image_capture_2025-05-08_17-00-00.jpg,site2-lambdafunction,"
                              "2025-05-08 23:00:02,,2025-05-08 23:00:09.000,6000.0,False\n");
    free(seed);
    seg_export_paths_release(&paths);

    /* Same stamp again: every name gets -2. */
    req.seed = false;
    assert_int_equal(seg_export_run(&req, &paths, &err), SEG_OK);
    assert_int_equal(paths.n, 3);
    assert_non_null(strstr(paths.paths[0], "segtop-invocations-20250508T230100.007Z-2.csv"));
    seg_export_paths_release(&paths);

    /* A fixed --export-file prefix: replaced each time. */
    char *prefix = seg_xasprintf("%s/run1.csv", dir);
    req.file_prefix = prefix;
    req.seed = true;
    for (int k = 0; k < 2; k++) {
        assert_int_equal(seg_export_run(&req, &paths, &err), SEG_OK);
        assert_int_equal(paths.n, 4);
        char *w0 = seg_xasprintf("%s/run1-invocations.csv", dir);
        char *w3 = seg_xasprintf("%s/run1-logsdata.csv", dir);
        assert_string_equal(paths.paths[0], w0);
        assert_string_equal(paths.paths[3], w3);
        free(w0);
        free(w3);
        seg_export_paths_release(&paths);
    }
    free(prefix);

    /* Nothing left behind in temp files. */
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && strncmp(e->d_name, SEG_EXPORT_TMP_PREFIX, 12) == 0)
            fail_msg("temp file left: %s", e->d_name);
        files += e->d_name[0] != '.';
    }
    closedir(d);
    assert_int_equal(files, 4 + 3 + 4);

    req.file_prefix = NULL;
    req.dir = "/nonexistent-dir";
    assert_int_equal(seg_export_run(&req, &paths, &err), SEG_ERR_IO);
    assert_int_equal(paths.n, 0);
    free(dir);
    seg_inv_table_free(t);
    seg_snapshot_release(snap);
    seg_store_free(s);
}

static void test_headers(void **state)
{
    (void)state;
    assert_string_equal(seg_export_kind_name(SEG_EXPORT_SEED), "logsdata");
    assert_string_equal(seg_export_header(SEG_EXPORT_WAVES),
                        "wave,size,launched,done,missing,cold_pct,p50_exec_ms,p95_exec_ms,"
                        "mean_exec_ms,sd_exec_ms,p95_e2e_ms,makespan_ms,errors,throttles,"
                        "cost_usd");
    assert_string_equal(seg_export_header(SEG_EXPORT__COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
