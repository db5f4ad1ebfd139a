/* The original pipeline's logsdata.csv (../shared/seed-data/README.md) into a store.
 *  - Rows sharing an id form one wave (trigger s3, key = the id), in the order of the image
 *    time in the id (image_capture_YYYY-MM-DD_HH-MM-SS.jpg); an id without one sorts by its
 *    earliest event time. Ties by id.
 *  - Site number: the digits after "site" in lambda_function_name (site12-lambdafunction),
 *    else the name's last run of digits; the name becomes the site's function.
 *  - Wave size = rows per id, as the original analysis counts concurrency; the store needs
 *    every site of a wave within 1..size, so when a site number is higher (an early partial
 *    wave, or a wave with a lost row) the size is that site number and `launched` still
 *    counts the rows.
 *  - Per row: trigger_sent at event_time (the data has no trigger time: the S3 event time
 *    stands in for it, so e2e = exec and makespan = last REPORT - first Event Time), a
 *    synthetic request id "logsdata-w<wave>-L<line>", then a REPORT at
 *    function_end_timestamp with event time, database-write time, billed_duration_ms and
 *    cold_start; exec = function_end_timestamp - event_time, as the analysis measured.
 *  - Status ok when write_to_database_timestamp is present, else error ("no database write"):
 *    the handler writes to the database last, so a run without that line failed.
 *  - No START, Duration, Init Duration or memory: those stay unknown (cost uses the store's
 *    default memory, 6200 MB as deployed). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export/csv.h"
#include "metrics/strpool.h"
#include "replay/replay_internal.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define MAX_ROWS 5000000

#define N_COLUMNS 8

#define NO_DB_WRITE "no \"Writing to database...\" line before the REPORT (logsdata.csv)"

struct lrow {
    size_t line;
    const char *id, *function;
    int site;
    int64_t event, db, end;
    double billed;
    bool cold;
};

struct group {
    const char *id;
    size_t first, n; /* into the sorted rows */
    int64_t order;   /* image time, else earliest event time */
    int max_site;
};

/* "YYYY-MM-DD HH:MM:SS[.f...]" (or with T, with Z) to epoch ms. */
static bool parse_time(const char *s, int64_t *out)
{
    return seg_time_parse_civil_ms(s, out);
}

/* The image time in an id: the first "YYYY-MM-DD_HH-MM-SS". */
static bool image_time(const char *id, int64_t *out)
{
    for (const char *p = id; strlen(p) >= 19; p++) {
        int y, mo, d, h, mi, se;
        time_t t;
        if (seg_time_digits(p, 4, &y) && p[4] == '-' && seg_time_digits(p + 5, 2, &mo) &&
            p[7] == '-' && seg_time_digits(p + 8, 2, &d) && p[10] == '_' &&
            seg_time_digits(p + 11, 2, &h) && p[13] == '-' && seg_time_digits(p + 14, 2, &mi) &&
            p[16] == '-' && seg_time_digits(p + 17, 2, &se) &&
            seg_time_from_civil(y, mo, d, h, mi, se, &t) == SEG_OK) {
            *out = (int64_t)t * 1000;
            return true;
        }
    }
    return false;
}

/* site12-lambdafunction -> 12; else the last run of digits; 0 when none fits. */
static int site_of(const char *name)
{
    const char *digits = NULL;
    const char *s = strstr(name, "site");
    if (s && s[4] >= '0' && s[4] <= '9') {
        digits = s + 4;
    } else {
        for (const char *p = name; *p; p++)
            if (*p >= '0' && *p <= '9' && (p == name || p[-1] < '0' || p[-1] > '9'))
                digits = p;
    }
    if (!digits)
        return 0;
    long v = 0;
    for (const char *p = digits; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > REPLAY_MAX_SITE)
            return 0;
    }
    return (int)v;
}

static int cmp_lrows(const void *a, const void *b)
{
    const struct lrow *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int cmp_groups(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->id, y->id);
}

static bool parse_lrow(struct seg_strpool *pool, char **cell, struct lrow *r, const char **bad)
{
    if (!*cell[1]) {
        *bad = "id";
        return false;
    }
    r->id = seg_strpool_add(pool, cell[1]);
    r->site = site_of(cell[2]);
    if (r->site < 1) {
        *bad = "lambda_function_name";
        return false;
    }
    r->function = seg_strpool_add(pool, cell[2]);
    r->event = r->db = SEG_TIME_NONE;
    if (*cell[3] && !parse_time(cell[3], &r->event)) {
        *bad = "event_time";
        return false;
    }
    if (*cell[4] && !parse_time(cell[4], &r->db)) {
        *bad = "write_to_database_timestamp";
        return false;
    }
    if (!parse_time(cell[5], &r->end)) {
        *bad = "function_end_timestamp";
        return false;
    }
    r->billed = NAN;
    if (*cell[6] && !replay_parse_double(cell[6], &r->billed)) {
        *bad = "billed_duration_ms";
        return false;
    }
    if (strcmp(cell[7], "True") == 0 || strcmp(cell[7], "true") == 0)
        r->cold = true;
    else if (strcmp(cell[7], "False") == 0 || strcmp(cell[7], "false") == 0 || !*cell[7])
        r->cold = false;
    else {
        *bad = "cold_start";
        return false;
    }
    return true;
}

static enum seg_err apply_group(struct replay_ctx *c, const struct lrow *rows,
                                const struct group *g, const char **names, int max_site)
{
    struct seg_store *s = c->store;
    int size = (int)g->n > g->max_site ? (int)g->n : g->max_site;
    int64_t begin = SEG_TIME_NONE;
    for (size_t k = g->first; k < g->first + g->n; k++)
        if (rows[k].event != SEG_TIME_NONE && (begin == SEG_TIME_NONE || rows[k].event < begin))
            begin = rows[k].event;
    int w = 0;
    const struct lrow *r = &rows[g->first];
    enum seg_err rc = seg_store_wave_begin(s, size, SEG_TRIGGER_S3, r->id, begin, &w);
    if (rc)
        return replay_fail(c, r->line, rc, "wave of id %.80s: %s", r->id, seg_strerror(rc));
    for (size_t k = g->first; k < g->first + g->n; k++) {
        r = &rows[k];
        if (!replay_span_ok(c, r->end))
            return replay_fail(c, r->line, SEG_ERR_TOOBIG,
                               "times span more than %lld days; not a load test session",
                               REPLAY_MAX_SPAN_MS / 86400000);
        if (r->site <= max_site && (!names[r->site] || strcmp(names[r->site], r->function))) {
            seg_store_set_site(s, r->site, r->function);
            names[r->site] = r->function;
        }
        const char *what = "trigger_sent";
        if (k == g->first || rows[k - 1].site != r->site)
            rc = seg_store_trigger_sent(s, w, r->site, r->event);
        char rid[64];
        snprintf(rid, sizeof rid, "logsdata-w%d-L%zu", w, r->line);
        if (!rc) {
            what = "request id";
            rc = seg_store_bind(s, w, r->site, rid);
        }
        if (!rc) {
            struct seg_report rep;
            seg_report_init(&rep);
            rep.ts_ms = r->end;
            rep.event_time_ms = r->event;
            rep.db_write_ms = r->db;
            rep.billed_ms = r->billed;
            rep.cold = r->cold;
            rep.status = r->db != SEG_TIME_NONE ? SEG_INV_OK : SEG_INV_ERROR;
            rep.error_message = r->db != SEG_TIME_NONE ? NULL : NO_DB_WRITE;
            what = "function_end_timestamp";
            rc = seg_store_report(s, rid, &rep);
        }
        if (rc)
            return replay_fail(c, r->line, rc, "row does not fit the store: %s (%s)", what,
                               seg_strerror(rc));
        c->info->records++;
    }
    return SEG_OK;
}

static enum seg_err apply_all(struct replay_ctx *c, struct lrow *rows, size_t n)
{
    if (n > 1) /* qsort(NULL, 0) is undefined */
        qsort(rows, n, sizeof *rows, cmp_lrows);
    struct group *groups = seg_xmalloc((n ? n : 1) * sizeof *groups);
    size_t ng = 0;
    int max_site = 0;
    for (size_t i = 0; i < n;) {
        struct group *g = &groups[ng++];
        g->first = i;
        g->id = rows[i].id;
        g->max_site = 0;
        int64_t first_event = SEG_TIME_NONE;
        for (; i < n && strcmp(rows[i].id, rows[g->first].id) == 0; i++) {
            g->max_site = rows[i].site > g->max_site ? rows[i].site : g->max_site;
            if (rows[i].event != SEG_TIME_NONE &&
                (first_event == SEG_TIME_NONE || rows[i].event < first_event))
                first_event = rows[i].event;
        }
        g->n = i - g->first;
        if (!image_time(rows[g->first].id, &g->order))
            g->order = first_event != SEG_TIME_NONE ? first_event : rows[g->first].end;
        max_site = g->max_site > max_site ? g->max_site : max_site;
    }
    if (ng > 1)
        qsort(groups, ng, sizeof *groups, cmp_groups);
    const char **names = seg_xcalloc((size_t)max_site + 1, sizeof *names);
    enum seg_err rc = SEG_OK;
    for (size_t k = 0; k < ng && !rc; k++)
        rc = apply_group(c, rows, &groups[k], names, max_site);
    free(names);
    free(groups);
    return rc;
}

enum seg_err replay_load_logsdata(struct replay_ctx *c, const char *data, size_t len)
{
    struct lrow *rows = NULL;
    size_t n = 0, alloc = 0;
    struct seg_strpool pool;
    seg_strpool_init(&pool);
    struct replay_rows it;
    enum seg_err rc = replay_rows_open(c, &it, data, len, N_COLUMNS);
    size_t at = 0;
    while (!rc && !(rc = replay_rows_next(c, &it, &at))) {
        if (n == MAX_ROWS) {
            rc = replay_fail(c, at, SEG_ERR_TOOBIG, "more than %d rows", MAX_ROWS);
            break;
        }
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            rows = seg_xrealloc(rows, alloc * sizeof *rows);
        }
        const char *bad = NULL;
        rows[n].line = at;
        if (!parse_lrow(&pool, it.rec.cells, &rows[n], &bad)) {
            rc = replay_fail(c, at, SEG_ERR_PARSE, "column %s: unexpected value", bad);
            break;
        }
        n++;
    }
    replay_rows_close(&it);
    if (rc == SEG_ERR_NOTFOUND)
        rc = SEG_OK; /* every row read */
    if (!rc)
        rc = apply_all(c, rows, n);
    free(rows);
    seg_strpool_release(&pool);
    return rc;
}
