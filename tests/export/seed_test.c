/* The seed export against the original: the first 100 rows of ../shared logsdata.csv are
 * loaded into a store as equivalent invocations, and the seed writer must reproduce them
 * byte for byte (header, index, time formats, %.1f, True/False, empty db timestamp).
 * Skips (77) when the shared data is absent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/csv.h"
#include "export/exporters.h"
#include "metrics/store.h"
#include "seg_test.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define ROWS 100

/* "YYYY-MM-DD HH:MM:SS[.fff]" to epoch ms; SEG_TIME_NONE for "". */
static int64_t parse_time(const char *s)
{
    if (!*s)
        return SEG_TIME_NONE;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
    assert_true(strlen(s) == 19 || strlen(s) == 23);
    assert_true(seg_time_digits(s, 4, &y) && seg_time_digits(s + 5, 2, &mo) &&
                seg_time_digits(s + 8, 2, &d) && seg_time_digits(s + 11, 2, &h) &&
                seg_time_digits(s + 14, 2, &mi) && seg_time_digits(s + 17, 2, &sec));
    if (strlen(s) == 23)
        assert_true(seg_time_digits(s + 20, 3, &ms));
    time_t t;
    assert_int_equal(seg_time_from_civil(y, mo, d, h, mi, sec, &t), SEG_OK);
    return (int64_t)t * 1000 + ms;
}

static void test_round_trip(void **state)
{
    (void)state;
    char *path = seg_xasprintf("%s/seed-data/logsdata.csv", seg_test_shared_dir());
    size_t len;
    char *data = seg_test_read_file(path, &len);
    free(path);
    assert_non_null(data);

    struct seg_store *s = seg_store_new(NULL);
    struct seg_csv_record rec;
    seg_csv_record_init(&rec);
    size_t pos = 0, expect_end = 0;
    assert_int_equal(seg_csv_read_record(data, len, &pos, true, 16, &rec), SEG_OK); /* header */
    for (int i = 0; i < ROWS; i++) {
        assert_int_equal(seg_csv_read_record(data, len, &pos, true, 16, &rec), SEG_OK);
        assert_int_equal(rec.n, 8);
        int site = atoi(rec.cells[2] + 4); /* site{N}-lambdafunction */
        assert_true(site >= 1);
        seg_store_set_site(s, site, rec.cells[2]);
        /* One wave per row: the seed writer must order them itself. */
        int w;
        assert_int_equal(seg_store_wave_begin(s, site, SEG_TRIGGER_S3, rec.cells[1], 0, &w),
                         SEG_OK);
        assert_int_equal(seg_store_trigger_sent(s, w, site, parse_time(rec.cells[3])), SEG_OK);
        char rid[32];
        snprintf(rid, sizeof rid, "req-%d", i);
        assert_int_equal(seg_store_bind(s, w, site, rid), SEG_OK);
        struct seg_report r;
        seg_report_init(&r);
        r.event_time_ms = parse_time(rec.cells[3]);
        r.db_write_ms = parse_time(rec.cells[4]);
        r.ts_ms = parse_time(rec.cells[5]);
        r.billed_ms = strtod(rec.cells[6], NULL);
        r.cold = strcmp(rec.cells[7], "True") == 0;
        r.memory_mb = 6200;
        assert_int_equal(seg_store_report(s, rid, &r), SEG_OK);
        expect_end = pos;
    }
    seg_csv_record_release(&rec);

    struct seg_inv_table *t = seg_store_table(s);
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    assert_int_equal(seg_export_write_seed(f, t), SEG_OK);
    fclose(f);
    if (out_len != expect_end || memcmp(out, data, out_len) != 0) {
        size_t k = 0;
        while (k < out_len && k < expect_end && out[k] == data[k])
            k++;
        fail_msg("seed export differs at byte %zu: got \"%.60s\" want \"%.60s\"", k, out + k,
                 data + k);
    }
    free(out);
    seg_inv_table_free(t);
    seg_store_free(s);
    free(data);
}

int main(void)
{
    const char *shared = seg_test_shared_dir();
    char *path = shared ? seg_xasprintf("%s/seed-data/logsdata.csv", shared) : NULL;
    FILE *f = path ? fopen(path, "r") : NULL;
    free(path);
    if (!f) {
        fprintf(stderr, "seed-data/logsdata.csv not found: skipped\n");
        return SEG_TEST_SKIP;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
