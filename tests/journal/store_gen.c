#include "store_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "export/csv.h"
#include "export/exporters.h"
#include "metrics/snapshot.h"
#include "seg_test.h"

#define T0 1746745200000LL /* 2025-05-08T23:00:00Z */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n) /* 0..n-1, splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return n ? (uint32_t)(z % n) : 0;
}

static void ok(enum seg_err e)
{
    assert_int_equal(e, SEG_OK);
}

static struct seg_report random_report(int64_t ts, int64_t event_time)
{
    static const char *const types[] = {NULL, "Runtime.ExitError", "Runtime.OutOfMemory",
                                        "=HYPERLINK(\"x\")"};
    static const char *const msgs[] = {NULL, "Task timed out after 781.00 seconds",
                                       "error: \"quoted\", with comma\nand newline",
                                       "-starts with minus", "caf\xc3\xa9 \xe2\x9c\x93"};
    struct seg_report r;
    seg_report_init(&r);
    r.ts_ms = ts;
    r.ingest_ms = rnd(4) ? ts + 200 + rnd(9000) : SEG_TIME_NONE;
    r.event_time_ms = event_time;
    r.db_write_ms = rnd(5) ? ts - 300 - rnd(500) : SEG_TIME_NONE;
    r.duration_ms = 500 + rnd(30000) + rnd(100) / 100.0;
    r.billed_ms = rnd(10) ? ceil(r.duration_ms) : NAN;
    r.cold = rnd(2);
    r.init_ms = r.cold && rnd(4) ? 800 + rnd(9000) + rnd(100) / 100.0 : NAN;
    r.memory_mb = rnd(6) ? 6200 : -1;
    r.max_memory_mb = rnd(6) ? 2000 + (int32_t)rnd(600) : -1;
    uint32_t st = rnd(10);
    r.status = st < 7 ? SEG_INV_OK : st < 9 ? SEG_INV_ERROR : SEG_INV_TIMEOUT;
    if (r.status != SEG_INV_OK) {
        r.error_type = types[rnd(4)];
        r.error_message = msgs[rnd(5)];
    }
    return r;
}

void gen_session(struct seg_store *s, uint64_t seed, int waves)
{
    rng_state = seed;
    for (int w = 1; w <= waves; w++) {
        int size = 1 + (int)rnd(12);
        enum seg_trigger trig = (enum seg_trigger)rnd(3);
        char key[64];
        snprintf(key, sizeof key, rnd(4) ? "image_capture-w%d.jpg" : "=key,\"w%d\"", w);
        int64_t t = T0 + (int64_t)w * 3600000;
        if (rnd(3) == 0)
            seg_store_set_clock_offset(s, (int64_t)rnd(2000) - 1000);
        int got = 0;
        ok(seg_store_wave_begin(s, size, trig, key, t, &got));
        assert_int_equal(got, w);
        for (int site = 1; site <= size; site++) {
            if (rnd(3) == 0) {
                char fn[48];
                snprintf(fn, sizeof fn, rnd(5) ? "site%d-lambdafunction" : "@fn-%d", site);
                seg_store_set_site(s, site, fn);
            }
        }
        /* Refused calls: they must leave no trace in a journal. */
        assert_int_equal(seg_store_trigger_sent(s, w + 1, 1, t), SEG_ERR_INVALID);
        assert_int_equal(seg_store_start(s, "no-such-id", t), SEG_ERR_NOTFOUND);
        int missing_late = 0;
        for (int site = 1; site <= size; site++) {
            int64_t ts = t + site * 7;
            char rid[48], rid2[48];
            snprintf(rid, sizeof rid, "rid-%d-%d", w, site);
            snprintf(rid2, sizeof rid2, "rid-%d-%d-b", w, site);
            int64_t event = trig == SEG_TRIGGER_S3 && rnd(8) ? ts + 300 + rnd(900) : SEG_TIME_NONE;
            uint32_t kind = rnd(12);
            ok(seg_store_trigger_sent(s, w, site, ts));
            assert_int_equal(seg_store_trigger_sent(s, w, site, ts), SEG_ERR_STATE);
            bool bound = false;
            if (trig != SEG_TRIGGER_S3 && rnd(5)) {
                bound = rnd(2);
                ok(seg_store_trigger_accepted(s, w, site, ts + 40 + rnd(60), bound ? rid : NULL));
            }
            if (kind == 0) {
                ok(seg_store_trigger_failed(s, w, site, ts + 50, rnd(2),
                                            rnd(2) ? "Rate exceeded" : NULL));
                continue;
            }
            if (kind == 1)
                continue; /* triggered, nothing else */
            if (!bound)
                ok(seg_store_bind(s, w, site, rid));
            int64_t start = ts + 1000 + rnd(2000);
            ok(seg_store_start(s, rid, start));
            if (kind == 2) {
                ok(seg_store_declare_missing(s, w, site, t + 900000));
                if (rnd(2))
                    missing_late = site;
                continue;
            }
            if (kind == 3)
                continue; /* still running */
            int64_t end = start + 15000 + rnd(15000);
            struct seg_report r = random_report(end, event);
            ok(seg_store_report(s, rid, &r));
            assert_int_equal(seg_store_report(s, rid, &r), SEG_ERR_STATE); /* duplicate */
            if (kind == 4) { /* async retry, same id */
                ok(seg_store_start(s, rid, end + 60000));
                r = random_report(end + 80000, SEG_TIME_NONE);
                ok(seg_store_report(s, rid, &r));
            } else if (kind == 5) { /* a new id for the same (wave, site) */
                ok(seg_store_bind(s, w, site, rid2));
                ok(seg_store_start(s, rid2, end + 5000));
                if (rnd(2)) {
                    r = random_report(end + 25000, event);
                    ok(seg_store_report(s, rid2, &r));
                }
            } else if (kind == 6) { /* a retry whose START was not seen */
                r = random_report(end + 120000, SEG_TIME_NONE);
                ok(seg_store_report(s, rid, &r));
            }
        }
        if (missing_late) { /* a REPORT after the wave gave up on it */
            char rid[48];
            snprintf(rid, sizeof rid, "rid-%d-%d", w, missing_late);
            struct seg_report r = random_report(t + 950000, SEG_TIME_NONE);
            ok(seg_store_report(s, rid, &r));
        }
        seg_store_set_now(s, t + 1000000);
    }
}

char *gen_export(struct seg_store *s, int kind)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_non_null(f);
    struct seg_inv_table *t = seg_store_table(s);
    struct seg_snapshot *snap = seg_store_snapshot(s);
    enum seg_err rc = SEG_OK;
    switch (kind) {
    case 0:
        rc = seg_export_write_invocations(f, t);
        break;
    case 1:
        rc = seg_export_write_waves(f, snap);
        break;
    case 2:
        rc = seg_export_write_sites(f, snap);
        break;
    default:
        rc = seg_export_write_seed(f, t);
        break;
    }
    assert_int_equal(rc, SEG_OK);
    fclose(f);
    seg_snapshot_release(snap);
    seg_inv_table_free(t);
    return out;
}

static void str_eq(const char *a, const char *b)
{
    if (!a || !b)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void dbl_eq(double a, double b)
{
    if (isnan(a) || isnan(b))
        assert_true(isnan(a) && isnan(b));
    else
        assert_true(a == b);
}

static void tables_equal(struct seg_store *a, struct seg_store *b)
{
    struct seg_inv_table *x = seg_store_table(a), *y = seg_store_table(b);
    assert_int_equal(x->n, y->n);
    for (size_t i = 0; i < x->n; i++) {
        const struct seg_inv_row *p = &x->rows[i], *q = &y->rows[i];
        assert_int_equal(p->wave, q->wave);
        assert_int_equal(p->site, q->site);
        assert_int_equal(p->attempt, q->attempt);
        str_eq(p->function, q->function);
        str_eq(p->trigger, q->trigger);
        str_eq(p->request_id, q->request_id);
        str_eq(p->trigger_key, q->trigger_key);
        assert_true(p->trigger_sent == q->trigger_sent);
        assert_true(p->trigger_accepted == q->trigger_accepted);
        assert_true(p->start == q->start);
        assert_true(p->end == q->end);
        assert_true(p->event_time == q->event_time);
        assert_true(p->db_write == q->db_write);
        assert_true(p->exec_ms == q->exec_ms);
        assert_true(p->e2e_ms == q->e2e_ms);
        assert_true(p->ingest_lag_ms == q->ingest_lag_ms);
        dbl_eq(p->duration_ms, q->duration_ms);
        dbl_eq(p->billed_ms, q->billed_ms);
        dbl_eq(p->init_ms, q->init_ms);
        assert_int_equal(p->memory_mb, q->memory_mb);
        assert_int_equal(p->max_memory_mb, q->max_memory_mb);
        assert_int_equal(p->cold, q->cold);
        assert_int_equal(p->status, q->status);
        str_eq(p->error_type, q->error_type);
        str_eq(p->error_message, q->error_message);
    }
    seg_inv_table_free(x);
    seg_inv_table_free(y);
}

static void snapshots_equal(struct seg_store *a, struct seg_store *b)
{
    struct seg_snapshot *x = seg_store_snapshot(a), *y = seg_store_snapshot(b);
    assert_int_equal(x->now_ms, y->now_ms);
    assert_int_equal(x->current_wave, y->current_wave);
    assert_memory_equal(&x->total, &y->total, offsetof(struct seg_counts, cost_usd));
    dbl_eq(x->total.cost_usd, y->total.cost_usd);
    assert_int_equal(x->n_waves, y->n_waves);
    for (size_t i = 0; i < x->n_waves; i++) {
        assert_int_equal(x->waves[i].begin_ms, y->waves[i].begin_ms);
        assert_int_equal(x->waves[i].makespan_ms, y->waves[i].makespan_ms);
        assert_int_equal(x->waves[i].complete, y->waves[i].complete);
        dbl_eq(x->waves[i].mean_exec_ms, y->waves[i].mean_exec_ms);
    }
    assert_int_equal(x->n_sites, y->n_sites);
    assert_int_equal(x->conc_first_s, y->conc_first_s);
    assert_int_equal(x->n_conc, y->n_conc);
    if (x->n_conc)
        assert_memory_equal(x->conc, y->conc, x->n_conc * sizeof *x->conc);
    assert_int_equal(x->conc_peak, y->conc_peak);
    assert_int_equal(x->n_errors, y->n_errors);
    for (size_t i = 0; i < x->n_errors; i++) {
        assert_int_equal(x->errors[i].site, y->errors[i].site);
        assert_int_equal(x->errors[i].sig, y->errors[i].sig);
        assert_int_equal(x->errors[i].count, y->errors[i].count);
        assert_int_equal(x->errors[i].last_ms, y->errors[i].last_ms);
        str_eq(x->errors[i].last_message, y->errors[i].last_message);
    }
    assert_int_equal(x->n_scaling, y->n_scaling);
    seg_snapshot_release(x);
    seg_snapshot_release(y);
}

/* The sites export cell by cell, except last_error (column 9). */
static void sites_equal_but_last_error(struct seg_store *a, struct seg_store *b)
{
    char *x = gen_export(a, 2), *y = gen_export(b, 2);
    size_t px = 0, py = 0, lx = strlen(x), ly = strlen(y);
    struct seg_csv_record rx, ry;
    seg_csv_record_init(&rx);
    seg_csv_record_init(&ry);
    for (;;) {
        enum seg_err ex = seg_csv_read_record(x, lx, &px, false, 64, &rx);
        enum seg_err ey = seg_csv_read_record(y, ly, &py, false, 64, &ry);
        assert_int_equal(ex, ey);
        if (ex)
            break;
        assert_int_equal(rx.n, ry.n);
        for (size_t i = 0; i < rx.n; i++)
            if (i != 9)
                assert_string_equal(rx.cells[i], ry.cells[i]);
    }
    seg_csv_record_release(&rx);
    seg_csv_record_release(&ry);
    free(x);
    free(y);
}

void gen_assert_equal(struct seg_store *a, struct seg_store *b, bool full)
{
    if (!full)
        sites_equal_but_last_error(a, b);
    for (int k = 0; k < 4; k++) {
        if (!full && k >= 2)
            continue; /* sites: above; seed: needs the db-write time */
        char *x = gen_export(a, k), *y = gen_export(b, k);
        if (strcmp(x, y) != 0)
            fprintf(stderr, "export %d differs:\n--- a\n%s\n--- b\n%s\n", k, x, y);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    if (full) {
        tables_equal(a, b);
        snapshots_equal(a, b);
    }
}

void gen_rm_tree(char *dir)
{
    if (getenv("SEG_TEST_KEEP")) {
        free(dir);
        return;
    }
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(n);
        assert_non_null(p);
        snprintf(p, n, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            gen_rm_tree(p); /* frees p */
        else {
            unlink(p);
            free(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
    free(dir);
}
