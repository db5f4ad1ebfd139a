/* segtop's invocations CSV (DESIGN §8) back into a store. Each row becomes the calls that
 * produced it, in (wave, site, attempt) order:
 *   wave_begin (size = the wave's highest site; begin = its earliest trigger_sent),
 *   set_site (function), trigger_sent, trigger_accepted, bind (request_id), start, then the
 *   outcome: report (a row with an end), trigger_failed (throttled / trigger_failed) or
 *   declare_missing (missing); an empty status stays pending.
 * A later attempt of the same (wave, site) comes from bind (a new request id), else start or
 * report of the same id, as async retries do live. The CSV has no handler Event Time nor
 * clock offset: for s3 waves event time = end - exec_ms; the offset is end - e2e_ms -
 * trigger_sent (else, for invoke/event, end - exec_ms - trigger_accepted), set before each
 * report, so exec and e2e come out as exported. The database-write time is not in this CSV.
 * Wave numbers are mapped in ascending order onto new waves (a gap is closed up). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export/csv.h"
#include "export/exporters.h"
#include "metrics/strpool.h"
#include "replay/replay_internal.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define MAX_ROWS 5000000

#define N_COLUMNS 23

enum col {
    C_WAVE,
    C_SITE,
    C_FUNCTION,
    C_TRIGGER,
    C_ATTEMPT,
    C_RID,
    C_KEY,
    C_SENT,
    C_ACCEPTED,
    C_START,
    C_END,
    C_EXEC,
    C_DURATION,
    C_BILLED,
    C_INIT,
    C_MEMORY,
    C_MAX_MEMORY,
    C_COLD,
    C_STATUS,
    C_ERROR_TYPE,
    C_ERROR_MESSAGE,
    C_LAG,
    C_E2E,
};

static const char *const col_names[N_COLUMNS] = {
    "wave",          "site",          "function",     "trigger",          "attempt",
    "request_id",    "trigger_key",   "trigger_sent", "trigger_accepted", "start",
    "end",           "exec_ms",       "duration_ms",  "billed_ms",        "init_ms",
    "memory_mb",     "max_memory_mb", "cold",         "status",           "error_type",
    "error_message", "ingest_lag_ms", "e2e_ms",
};

struct row {
    size_t line;
    int64_t wave;
    int site, attempt;
    enum seg_trigger trigger;
    const char *function, *rid, *key, *err_type, *err_msg; /* NULL when empty */
    int64_t sent, accepted, start, end, exec, lag, e2e;    /* SEG_TIME_NONE when empty */
    double duration, billed, init;                         /* NAN when empty */
    int32_t memory, max_memory;                            /* -1 when empty */
    int cold;                                              /* -1 when empty */
    enum seg_inv_status status;
};

struct rows {
    struct row *v;
    size_t n, alloc;
    struct seg_strpool pool;
};

static const char *text(struct rows *rs, const char *cell)
{
    return *cell ? seg_strpool_add(&rs->pool, cell) : NULL;
}

/* Parses one data row; the failing column in *bad. */
static bool parse_row(struct rows *rs, char **cell, struct row *r, enum col *bad)
{
    int64_t v;
#define BAD(col)      \
    do {              \
        *bad = (col); \
        return false; \
    } while (0)
    if (!replay_parse_i64(cell[C_WAVE], 1, INT32_MAX, &r->wave))
        BAD(C_WAVE);
    if (!replay_parse_i64(cell[C_SITE], 1, REPLAY_MAX_SITE, &v))
        BAD(C_SITE);
    r->site = (int)v;
    if (!replay_parse_i64(cell[C_ATTEMPT], 1, UINT16_MAX, &v))
        BAD(C_ATTEMPT);
    r->attempt = (int)v;
    if (!replay_trigger_from_name(cell[C_TRIGGER], &r->trigger))
        BAD(C_TRIGGER);
    static const enum col times[] = {C_SENT, C_ACCEPTED, C_START, C_END};
    int64_t *tdst[] = {&r->sent, &r->accepted, &r->start, &r->end};
    for (size_t i = 0; i < SEG_ARRAY_LEN(times); i++) {
        *tdst[i] = SEG_TIME_NONE;
        if (*cell[times[i]] && !seg_time_parse_iso_ms(cell[times[i]], tdst[i]))
            BAD(times[i]);
    }
    static const enum col ints[] = {C_EXEC, C_LAG, C_E2E};
    int64_t *idst[] = {&r->exec, &r->lag, &r->e2e};
    for (size_t i = 0; i < SEG_ARRAY_LEN(ints); i++) {
        *idst[i] = SEG_TIME_NONE;
        if (*cell[ints[i]] && !replay_parse_i64(cell[ints[i]], -INT32_MAX, INT32_MAX, idst[i]))
            BAD(ints[i]);
    }
    static const enum col nums[] = {C_DURATION, C_BILLED, C_INIT};
    double *ddst[] = {&r->duration, &r->billed, &r->init};
    for (size_t i = 0; i < SEG_ARRAY_LEN(nums); i++) {
        *ddst[i] = NAN;
        if (*cell[nums[i]] && !replay_parse_double(cell[nums[i]], ddst[i]))
            BAD(nums[i]);
    }
    static const enum col mems[] = {C_MEMORY, C_MAX_MEMORY};
    int32_t *mdst[] = {&r->memory, &r->max_memory};
    for (size_t i = 0; i < SEG_ARRAY_LEN(mems); i++) {
        *mdst[i] = -1;
        if (*cell[mems[i]]) {
            if (!replay_parse_i64(cell[mems[i]], 0, INT32_MAX, &v))
                BAD(mems[i]);
            *mdst[i] = (int32_t)v;
        }
    }
    if (!*cell[C_COLD])
        r->cold = -1;
    else if (strcmp(cell[C_COLD], "true") == 0 || strcmp(cell[C_COLD], "false") == 0)
        r->cold = cell[C_COLD][0] == 't';
    else
        BAD(C_COLD);
    if (!replay_status_from_name(cell[C_STATUS], &r->status))
        BAD(C_STATUS);
#undef BAD
    r->function = text(rs, cell[C_FUNCTION]);
    r->rid = text(rs, cell[C_RID]);
    r->key = text(rs, cell[C_KEY]);
    r->err_type = text(rs, cell[C_ERROR_TYPE]);
    r->err_msg = text(rs, cell[C_ERROR_MESSAGE]);
    return true;
}

static int cmp_rows(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->wave != y->wave)
        return x->wave < y->wave ? -1 : 1;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    if (x->attempt != y->attempt)
        return x->attempt < y->attempt ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static bool same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

struct apply_state {
    struct replay_ctx *c;
    const char **names; /* [site] function last set, to set it only when it changes */
    int n_names;
    int64_t offset;
};

static enum seg_err misfit(struct apply_state *a, const struct row *r, const char *what,
                           enum seg_err rc)
{
    return replay_fail(a->c, r->line, rc == SEG_OK ? SEG_ERR_PARSE : rc,
                       "row does not fit the rows before it: %s (%s)", what,
                       rc == SEG_OK ? "inconsistent" : seg_strerror(rc));
}

static void name_site(struct apply_state *a, int site, const char *function)
{
    if (!function)
        return;
    if (site >= a->n_names) {
        int n = site + 1 > a->n_names * 2 ? site + 1 : a->n_names * 2;
        a->names = seg_xrealloc(a->names, (size_t)n * sizeof *a->names);
        memset(a->names + a->n_names, 0, (size_t)(n - a->n_names) * sizeof *a->names);
        a->n_names = n;
    }
    if (!same(a->names[site], function)) {
        seg_store_set_site(a->c->store, site, function);
        a->names[site] = function;
    }
}

/* The clock offset that reproduces the row's e2e (or, invoke/event, its exec). */
static void fit_offset(struct apply_state *a, const struct row *r)
{
    int64_t off;
    if (r->e2e != SEG_TIME_NONE && r->sent != SEG_TIME_NONE)
        off = r->end - r->e2e - r->sent;
    else if (r->trigger != SEG_TRIGGER_S3 && r->exec != SEG_TIME_NONE &&
             r->accepted != SEG_TIME_NONE)
        off = r->end - r->exec - r->accepted;
    else
        return;
    if (off != a->offset) {
        seg_store_set_clock_offset(a->c->store, off);
        a->offset = off;
    }
}

static enum seg_err apply_row(struct apply_state *a, int w, const struct row *r,
                              const struct row *prev)
{
    struct seg_store *s = a->c->store;
    enum seg_err rc;
    bool started = false;
    if (!replay_span_ok(a->c, r->start) || !replay_span_ok(a->c, r->end))
        return replay_fail(a->c, r->line, SEG_ERR_TOOBIG,
                           "times span more than %lld days; not a load test session",
                           REPLAY_MAX_SPAN_MS / 86400000);
    name_site(a, r->site, r->function);
    if (!prev) { /* the first attempt of (wave, site) in the file */
        if ((rc = seg_store_trigger_sent(s, w, r->site, r->sent)))
            return misfit(a, r, "trigger_sent", rc);
        if (r->accepted != SEG_TIME_NONE &&
            (rc = seg_store_trigger_accepted(s, w, r->site, r->accepted, NULL)))
            return misfit(a, r, "trigger_accepted", rc);
        if (r->rid && (rc = seg_store_bind(s, w, r->site, r->rid)))
            return misfit(a, r, "request_id", rc);
    } else if (!r->rid) {
        return misfit(a, r, "a later attempt without request_id", SEG_OK);
    } else if (!same(r->rid, prev->rid)) {
        if ((rc = seg_store_bind(s, w, r->site, r->rid)))
            return misfit(a, r, "request_id of a later attempt", rc);
    } else if (r->start != SEG_TIME_NONE) {
        if ((rc = seg_store_start(s, r->rid, r->start))) /* an async retry */
            return misfit(a, r, "start of a later attempt", rc);
        started = true;
    } else if (r->end == SEG_TIME_NONE) {
        return misfit(a, r, "a later attempt with neither start nor end", SEG_OK);
    }
    if (r->start != SEG_TIME_NONE && !started && r->rid &&
        (rc = seg_store_start(s, r->rid, r->start)))
        return misfit(a, r, "start", rc);

    switch (r->status) {
    case SEG_INV_OK:
    case SEG_INV_ERROR:
    case SEG_INV_TIMEOUT: {
        if (r->end == SEG_TIME_NONE || !r->rid)
            return misfit(a, r, "an outcome without end or request_id", SEG_OK);
        fit_offset(a, r);
        struct seg_report rep;
        seg_report_init(&rep);
        rep.ts_ms = r->end;
        rep.ingest_ms = r->lag != SEG_TIME_NONE ? r->end + r->lag : SEG_TIME_NONE;
        if (r->trigger == SEG_TRIGGER_S3 && r->exec != SEG_TIME_NONE)
            rep.event_time_ms = r->end - r->exec;
        rep.duration_ms = r->duration;
        rep.billed_ms = r->billed;
        rep.init_ms = r->init;
        rep.memory_mb = r->memory;
        rep.max_memory_mb = r->max_memory;
        rep.cold = r->cold == 1;
        rep.status = r->status;
        rep.error_type = r->err_type;
        rep.error_message = r->err_msg;
        if ((rc = seg_store_report(s, r->rid, &rep)))
            return misfit(a, r, "end (REPORT)", rc);
        break;
    }
    case SEG_INV_THROTTLED:
    case SEG_INV_TRIGGER_FAILED:
        rc = seg_store_trigger_failed(s, w, r->site, r->sent, r->status == SEG_INV_THROTTLED,
                                      r->err_msg);
        if (rc)
            return misfit(a, r, "status", rc);
        break;
    case SEG_INV_MISSING:
        if ((rc = seg_store_declare_missing(s, w, r->site, r->sent)))
            return misfit(a, r, "status missing", rc);
        break;
    case SEG_INV_PENDING:
    default:
        if (r->end != SEG_TIME_NONE)
            return misfit(a, r, "an end without a status", SEG_OK);
        break;
    }
    return SEG_OK;
}

static enum seg_err apply_all(struct replay_ctx *c, struct rows *rs)
{
    if (rs->n > 1) /* qsort(NULL, 0) is undefined */
        qsort(rs->v, rs->n, sizeof *rs->v, cmp_rows);
    struct apply_state a = {.c = c};
    enum seg_err rc = SEG_OK;
    for (size_t i = 0; i < rs->n && !rc;) {
        size_t j = i;
        int size = 0;
        int64_t begin = SEG_TIME_NONE;
        for (; j < rs->n && rs->v[j].wave == rs->v[i].wave; j++) {
            const struct row *r = &rs->v[j];
            size = r->site > size ? r->site : size;
            if (r->sent != SEG_TIME_NONE && (begin == SEG_TIME_NONE || r->sent < begin))
                begin = r->sent;
        }
        int w = 0;
        rc = seg_store_wave_begin(c->store, size, rs->v[i].trigger, rs->v[i].key, begin, &w);
        if (rc) {
            rc = misfit(&a, &rs->v[i], "wave", rc);
            break;
        }
        for (size_t k = i; k < j && !rc; k++) {
            const struct row *prev =
                k > i && rs->v[k - 1].site == rs->v[k].site ? &rs->v[k - 1] : NULL;
            rc = apply_row(&a, w, &rs->v[k], prev);
            if (!rc)
                c->info->records++;
        }
        i = j;
    }
    free(a.names);
    return rc;
}

enum seg_err replay_load_invocations(struct replay_ctx *c, const char *data, size_t len)
{
    struct rows rs = {0};
    seg_strpool_init(&rs.pool);
    struct replay_rows it;
    enum seg_err rc = replay_rows_open(c, &it, data, len, N_COLUMNS);
    size_t at = 0;
    while (!rc && !(rc = replay_rows_next(c, &it, &at))) {
        if (rs.n == MAX_ROWS) {
            rc = replay_fail(c, at, SEG_ERR_TOOBIG, "more than %d rows", MAX_ROWS);
            break;
        }
        if (rs.n == rs.alloc) {
            rs.alloc = rs.alloc ? rs.alloc * 2 : 256;
            rs.v = seg_xrealloc(rs.v, rs.alloc * sizeof *rs.v);
        }
        struct row *r = &rs.v[rs.n];
        memset(r, 0, sizeof *r);
        r->line = at;
        enum col bad = C_WAVE;
        if (!parse_row(&rs, it.rec.cells, r, &bad)) {
            rc = replay_fail(c, at, SEG_ERR_PARSE, "column %s: unexpected value \"%.60s\"",
                             col_names[bad], it.rec.cells[bad]);
            break;
        }
        rs.n++;
    }
    replay_rows_close(&it);
    if (rc == SEG_ERR_NOTFOUND)
        rc = SEG_OK; /* every row read */
    if (!rc)
        rc = apply_all(c, &rs);
    free(rs.v);
    seg_strpool_release(&rs.pool);
    return rc;
}
