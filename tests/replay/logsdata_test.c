/* The whole original logsdata.csv (19,696 rows) replayed, checked wave by wave against
 * figures python3's csv module computes from the same file at test time (rows per id,
 * highest site, mean exec = function_end_timestamp - event_time), and against the measured
 * table of README.md, "The fleet model" for the 131 waves of the analysis window (images after
 * 2025-05-02 17:30:00). The seed export of the replayed store must then give back the
 * file's rows. Skips (77) without ../shared. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "export/exporters.h"
#include "metrics/snapshot.h"
#include "replay/replay.h"
#include "seg_test.h"
#include "util/xalloc.h"

#define PYTHON "/usr/bin/python3"

/* Per id: "<id> <rows> <max site> <sum exec ms> <in window 0|1>". */
static const char script[] =
    "import csv, re, sys, datetime as dt\n"
    "def t(s):\n"
    "    f = '%Y-%m-%d %H:%M:%S.%f' if '.' in s else '%Y-%m-%d %H:%M:%S'\n"
    "    return dt.datetime.strptime(s, f)\n"
    "waves = {}\n"
    "with open(sys.argv[1], newline='') as f:\n"
    "    r = csv.reader(f)\n"
    "    next(r)\n"
    "    for row in r:\n"
    "        w = waves.setdefault(row[1], [0, 0, 0])\n"
    "        w[0] += 1\n"
    "        w[1] = max(w[1], int(re.match(r'site(\\d+)-', row[2]).group(1)))\n"
    "        w[2] += (t(row[5]) - t(row[3])) // dt.timedelta(milliseconds=1)\n"
    "cut = dt.datetime(2025, 5, 2, 17, 30)\n"
    "for k, w in waves.items():\n"
    "    img = dt.datetime.strptime(k, 'image_capture_%Y-%m-%d_%H-%M-%S.jpg')\n"
    "    print(k, w[0], w[1], w[2], int(img > cut))\n";

struct expect {
    char id[64];
    long rows, max_site, in_window;
    long long sum_exec;
};

static struct expect *python_figures(const char *csv, size_t *n)
{
    if (access(PYTHON, X_OK) != 0)
        return NULL;
    char *dir = seg_test_tmpdir();
    char *py = seg_xasprintf("%s/figures.py", dir);
    seg_test_write_file(py, script);
    char *cmd = seg_xasprintf("%s %s '%s'", PYTHON, py, csv);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1024;
    struct expect *e = seg_xmalloc(cap * sizeof *e);
    *n = 0;
    struct expect x;
    while (fscanf(p, "%63s %ld %ld %lld %ld", x.id, &x.rows, &x.max_site, &x.sum_exec,
                  &x.in_window) == 5) {
        if (*n == cap)
            e = seg_xrealloc(e, (cap *= 2) * sizeof *e);
        e[(*n)++] = x;
    }
    assert_int_equal(pclose(p), 0);
    unlink(py);
    rmdir(dir);
    free(cmd);
    free(py);
    free(dir);
    return e;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of data (modified in place) after their first comma, sorted. Caller frees. */
static char **rows_without_index(char *data, size_t *n)
{
    size_t cap = 1024;
    char **v = seg_xmalloc(cap * sizeof *v);
    *n = 0;
    for (char *save = NULL, *line = strtok_r(data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (*n == cap)
            v = seg_xrealloc(v, (cap *= 2) * sizeof *v);
        char *comma = strchr(line, ',');
        v[(*n)++] = comma ? comma + 1 : line;
    }
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void test_logsdata(void **state)
{
    (void)state;
    const char *shared = seg_test_shared_dir();
    char *path = shared ? seg_xasprintf("%s/seed-data/logsdata.csv", shared) : NULL;
    if (!path || access(path, R_OK) != 0) {
        free(path);
        exit(SEG_TEST_SKIP);
    }
    struct seg_store *s = seg_store_new(NULL);
    struct seg_replay_info info;
    struct seg_errmsg err = {{0}};
    enum seg_err rc = seg_replay_load_file(s, path, &info, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.text);
    assert_int_equal(rc, SEG_OK);
    assert_int_equal(info.format, SEG_REPLAY_LOGSDATA);
    assert_int_equal(info.records, 19696);
    struct seg_snapshot *snap = seg_store_snapshot(s);
    assert_int_equal(snap->total.reports, 19696);
    assert_int_equal(snap->total.cold, 19696);
    assert_int_equal(snap->total.errors, 2); /* the two rows without a database write */

    /* Waves are in image-time order: keys ascend as their names do. */
    for (size_t i = 1; i < snap->n_waves; i++)
        assert_true(strcmp(snap->waves[i - 1].trigger_key, snap->waves[i].trigger_key) < 0);

    /* the measured table of README.md's fleet model (analysis window), by rows per id: waves, mean
     * exec. */
    static const struct {
        int size, waves, mean_exec;
    } model[] = {{1, 17, 21856},   {20, 17, 20825},  {50, 17, 21358},  {100, 16, 21215},
                 {150, 16, 21918}, {200, 16, 21473}, {250, 15, 22045}, {300, 16, 22398}};
    int window = 0;
    for (size_t m = 0; m < SEG_ARRAY_LEN(model); m++) {
        int n = 0;
        double sum = 0;
        for (size_t i = 0; i < snap->n_waves; i++) {
            const struct seg_wave_row *w = &snap->waves[i];
            if (strcmp(w->trigger_key, "image_capture_2025-05-02_17-30-00.jpg") > 0 &&
                (int)w->c.launched == model[m].size) {
                n++;
                sum += w->mean_exec_ms;
            }
        }
        assert_int_equal(n, model[m].waves);
        assert_int_equal(lround(sum / n), model[m].mean_exec);
        window += n;
    }
    assert_int_equal(window, 130); /* + one wave of 249 rows (one row of 250 lost) = 131 */

    size_t n = 0;
    struct expect *e = python_figures(path, &n);
    if (!e) {
        fprintf(stderr, "note: %s not found; checked against the README table only\n", PYTHON);
    } else {
        assert_int_equal(n, snap->n_waves); /* every id is a wave */
        assert_int_equal(n, 443);
        int in_window = 0;
        for (size_t k = 0; k < n; k++) {
            const struct seg_wave_row *w = NULL;
            for (size_t i = 0; i < snap->n_waves && !w; i++)
                if (strcmp(snap->waves[i].trigger_key, e[k].id) == 0)
                    w = &snap->waves[i];
            assert_non_null(w);
            assert_int_equal(w->c.launched, e[k].rows);
            assert_int_equal(w->c.reports, e[k].rows);
            assert_int_equal(w->size, e[k].rows > e[k].max_site ? e[k].rows : e[k].max_site);
            assert_true(fabs(w->mean_exec_ms - (double)e[k].sum_exec / (double)e[k].rows) < 1e-6);
            in_window += (int)e[k].in_window;
        }
        assert_int_equal(in_window, 131);
        free(e);
    }
    seg_snapshot_release(snap);

    /* Back out in the original layout: the same rows. Compared without the index column and
     * order: the seed writer orders a site's rows by event time, and the original has one
     * pair of rows (site 1, ids 16-00-00 and 16-00-01 of 2025-05-02) the other way round. */
    size_t len = 0;
    char *orig = seg_test_read_file(path, &len);
    char *out = NULL;
    size_t out_len = 0;
    FILE *f = open_memstream(&out, &out_len);
    struct seg_inv_table *t = seg_store_table(s);
    assert_int_equal(seg_export_write_seed(f, t), SEG_OK);
    fclose(f);
    assert_int_equal(out_len, len);
    size_t na = 0, nb = 0;
    char **la = rows_without_index(orig, &na), **lb = rows_without_index(out, &nb);
    assert_int_equal(na, 19697);
    assert_int_equal(nb, na);
    for (size_t i = 0; i < na; i++)
        assert_string_equal(la[i], lb[i]);
    free(la);
    free(lb);
    seg_inv_table_free(t);
    free(out);
    free(orig);
    seg_store_free(s);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logsdata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
