/* Replay loaders: an invocations CSV written by seg_export_write_invocations from a random
 * store reads back into the same invocations, waves and sites exports; format detection;
 * malformed input of every format fails with "<file>:<line>: ..." and never crashes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../journal/store_gen.h"
#include "export/exporters.h"
#include "replay/replay.h"
#include "seg_test.h"

static void test_invocations_round_trip(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 16; seed++) {
        struct seg_store *live = seg_store_new(NULL);
        gen_session(live, seed * 7919, 1 + (int)(seed % 6));
        char *csv = gen_export(live, 0);
        struct seg_store *back = seg_store_new(NULL);
        struct seg_replay_info info;
        struct seg_errmsg err = {{0}};
        enum seg_err rc = seg_replay_load_buffer(back, "inv.csv", csv, strlen(csv), &info, &err);
        if (rc)
            fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, err.text);
        assert_int_equal(rc, SEG_OK);
        assert_int_equal(info.format, SEG_REPLAY_INVOCATIONS);
        assert_int_equal(info.records, seg_store_count(live));
        assert_int_equal(info.waves, seg_store_wave_count(live));
        gen_assert_equal(live, back, false);
        /* A second file appends its waves after the first's. */
        assert_int_equal(seg_replay_load_buffer(back, "again.csv", csv, strlen(csv), &info, &err),
                         SEG_OK);
        assert_int_equal(seg_store_wave_count(back), 2 * seg_store_wave_count(live));
        free(csv);
        seg_store_free(back);
        seg_store_free(live);
    }
}

static void test_detect(void **state)
{
    (void)state;
    const char *inv = seg_export_header(SEG_EXPORT_INVOCATIONS);
    const char *seed = seg_export_header(SEG_EXPORT_SEED);
    assert_int_equal(seg_replay_detect(inv, strlen(inv)), SEG_REPLAY_INVOCATIONS);
    assert_int_equal(seg_replay_detect(seed, strlen(seed)), SEG_REPLAY_LOGSDATA);
    const char *j = "{\"segtop_journal\":1}\n";
    assert_int_equal(seg_replay_detect(j, strlen(j)), SEG_REPLAY_JOURNAL);
    assert_int_equal(seg_replay_detect("a,b\n", 4), SEG_REPLAY_UNKNOWN);
    assert_int_equal(seg_replay_detect("", 0), SEG_REPLAY_UNKNOWN);
}

struct bad_case {
    const char *body; /* after the header line given by kind */
    int kind;         /* 0 invocations, 1 logsdata, 2 journal, 3 raw */
    const char *where;
};

#define INV_OK                                                                  \
    "1,1,fn,s3,1,rid-1,key,2025-05-08T23:00:00.000Z,,2025-05-08T23:00:01.000Z," \
    "2025-05-08T23:00:20.000Z,19000,18000.5,18001,,6200,2000,true,ok,,,,20000\n"
#define LOG_OK                                                                          \
    "0,image_capture_2025-05-08_17-00-00.jpg,site1-lambdafunction,2025-05-08 23:00:17," \
    "2025-05-08 23:00:40.448,2025-05-08 23:00:40.504,22215.0,True\n"

static const struct bad_case bad_cases[] = {
    {"garbage,header\n1,2\n", 3, "x:1: "},
    {"", 3, "x:1: "},
    {INV_OK "1,2,fn\n", 0, "x:3: "},
    {INV_OK INV_OK, 0, "x:3: "}, /* the same attempt twice */
    {"1,1,fn,s3,1,rid,key,yesterday,,,,,,,,,,,,,,,\n", 0, "x:2: "},
    {"1,1,fn,ftp,1,rid,key,,,,,,,,,,,,,,,,\n", 0, "x:2: "},
    {"1,1,fn,s3,1,rid,key,,,,,,,,,,,,maybe,,,,\n", 0, "x:2: "},
    {"0,1,fn,s3,1,rid,key,,,,,,,,,,,,,,,,\n", 0, "x:2: "},
    {"1,1,fn,s3,1,,key,,,,2025-05-08T23:00:20.000Z,,,,,,,,ok,,,,\n", 0, "x:2: "},
    {INV_OK "1,1,\"fn,s3,1\n", 0, "x:3: "},
    {"1,1,fn,s3,1,rid,key,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"
     ",,,,,,,,,,,,,,,,\n",
     0, "x:2: "},
    {LOG_OK "1,id,lambda,2025-05-08 23:00:17,,2025-05-08 23:00:40.504,1,True\n", 1, "x:3: "},
    {LOG_OK "1,id,site2-f,2025-05-08 25:00:17,,2025-05-08 23:00:40.504,1,True\n", 1, "x:3: "},
    {LOG_OK "1,id,site2-f,,,,1,True\n", 1, "x:3: "},
    {LOG_OK "1,id,site2-f,,,2025-05-08 23:00:40.504,1,Maybe\n", 1, "x:3: "},
    {LOG_OK "1,,site2-f,,,2025-05-08 23:00:40.504,1,True\n", 1, "x:3: "},
    {LOG_OK "1,id,site2-f,,,2025-05-08 23:00:40.504,abc,True\n", 1, "x:3: "},
    {LOG_OK "1,id,site99999999999-f,,,2025-05-08 23:00:40.504,1,True\n", 1, "x:3: "},
    {"{\"op\":\"wave\",\"wave\":1,\"size\":2,\"trigger\":\"s3\",\"key\":\"k\",\"now\":null}\n"
     "[1,2]\n{}\n",
     2, "x:3: "},
    {"{\"op\":\"teleport\"}\n{}\n", 2, "x:2: "},
    {"{\"op\":\"sent\",\"wave\":1,\"site\":1,\"ts\":5}\n{}\n", 2, "x:2: "},
    {"{\"op\":\"wave\",\"wave\":2,\"size\":2,\"trigger\":\"s3\",\"key\":\"k\",\"now\":null}\n", 2,
     "x:2: "},
    {"{\"op\":\"wave\",\"wave\":1,\"size\":\"2\",\"trigger\":\"s3\",\"key\":\"k\",\"now\":1}\n", 2,
     "x:2: "},
    {"{\"op\":\"wave\",\"wave\":1,\"size\":2,\"trigger\":\"tcp\",\"key\":\"k\",\"now\":1}\n", 2,
     "x:2: "},
    {"{\"op\":\"wave\",\"wave\":1,\"size\":2.5,\"trigger\":\"s3\",\"key\":\"k\",\"now\":1}\n", 2,
     "x:2: "},
    {"{\"op\":\"start\",\"rid\":\"nope\",\"ts\":1}\n", 2, "x:2: "},
    {"{\"op\":\"report\",\"rid\":\"nope\",\"ts\":1}\n", 2, "x:2: "},
    {"{\"op\":\"offset\",\"ms\":1e300}\n", 2, "x:2: "},
    {"{\"op\":\"site\",\"site\":-4,\"function\":null}\n", 2, "x:2: "},
    {"\n{\"no_op\":1}\n", 2, "x:3: "},
};

static void test_malformed(void **state)
{
    (void)state;
    const char *heads[] = {seg_export_header(SEG_EXPORT_INVOCATIONS),
                           seg_export_header(SEG_EXPORT_SEED), "{\"segtop_journal\":1}", NULL};
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *c = &bad_cases[i];
        char buf[4096];
        if (heads[c->kind])
            snprintf(buf, sizeof buf, "%s\n%s", heads[c->kind], c->body);
        else
            snprintf(buf, sizeof buf, "%s", c->body);
        struct seg_store *s = seg_store_new(NULL);
        struct seg_errmsg err = {{0}};
        struct seg_replay_info info;
        enum seg_err rc = seg_replay_load_buffer(s, "x", buf, strlen(buf), &info, &err);
        if (rc == SEG_OK || strncmp(err.text, c->where, strlen(c->where)) != 0)
            fprintf(stderr, "case %zu: rc %d, message \"%s\", want \"%s...\"\n", i, rc, err.text,
                    c->where);
        assert_int_not_equal(rc, SEG_OK);
        assert_memory_equal(err.text, c->where, strlen(c->where));
        seg_store_free(s);
    }
    /* A journal newer than this reader. */
    const char *newer = "{\"segtop_journal\":99}\n";
    struct seg_store *s = seg_store_new(NULL);
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_replay_load_buffer(s, "n", newer, strlen(newer), NULL, &err),
                     SEG_ERR_PARSE);
    assert_non_null(strstr(err.text, "newer"));
    /* Unreadable files. */
    assert_int_equal(seg_replay_load_file(s, "/nonexistent/segtop.csv", NULL, &err), SEG_ERR_IO);
    assert_non_null(strstr(err.text, "/nonexistent/segtop.csv: cannot open"));
    assert_int_equal(seg_replay_load_file(s, "/", NULL, &err), SEG_ERR_IO);
    seg_store_free(s);
}

static void test_logsdata_small(void **state)
{
    (void)state;
    /* Two ids out of image-time order, a failed run (no database write), a CRLF file with a
     * BOM, site numbers higher than the row count. */
    const char *csv =
        "\xef\xbb\xbf,id,lambda_function_name,event_time,write_to_database_timestamp,"
        "function_end_timestamp,billed_duration_ms,cold_start\r\n"
        "0,image_capture_2025-05-08_18-00-00.jpg,site1-lambdafunction,2025-05-09 00:00:02,"
        "2025-05-09 00:00:20.100,2025-05-09 00:00:20.200,17000.0,True\r\n"
        "1,image_capture_2025-05-08_17-00-00.jpg,site1-lambdafunction,2025-05-08 23:00:01,,"
        "2025-05-08 23:00:21.500,19000.0,False\r\n"
        "2,image_capture_2025-05-08_17-00-00.jpg,site3-lambdafunction,2025-05-08 23:00:02,"
        "2025-05-08 23:00:21.000,2025-05-08 23:00:22.000,19500.0,True\r\n";
    struct seg_store *s = seg_store_new(NULL);
    struct seg_errmsg err = {{0}};
    struct seg_replay_info info;
    assert_int_equal(seg_replay_load_buffer(s, "l.csv", csv, strlen(csv), &info, &err), SEG_OK);
    assert_int_equal(info.format, SEG_REPLAY_LOGSDATA);
    assert_int_equal(info.records, 3);
    assert_int_equal(info.waves, 2);
    struct seg_snapshot *snap = seg_store_snapshot(s);
    const struct seg_wave_row *w1 = seg_snapshot_wave(snap, 1), *w2 = seg_snapshot_wave(snap, 2);
    assert_string_equal(w1->trigger_key, "image_capture_2025-05-08_17-00-00.jpg");
    assert_int_equal(w1->size, 3); /* site 3 with 2 rows */
    assert_int_equal(w1->c.launched, 2);
    assert_int_equal(w1->c.errors, 1);
    assert_int_equal(w1->c.cold, 1);
    assert_true(w1->mean_exec_ms == (20500.0 + 20000.0) / 2);
    assert_int_equal(w1->makespan_ms, 21000); /* last REPORT - first Event Time */
    assert_int_equal(w2->size, 1);
    assert_true(w2->mean_exec_ms == 18200.0);
    seg_snapshot_release(snap);
    seg_store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invocations_round_trip),
        cmocka_unit_test(test_detect),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_logsdata_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
