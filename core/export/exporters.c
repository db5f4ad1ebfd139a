#include "export/exporters.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export/csv.h"
#include "export/files.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

static const char *const kind_names[SEG_EXPORT__COUNT] = {
    [SEG_EXPORT_INVOCATIONS] = "invocations",
    [SEG_EXPORT_WAVES] = "waves",
    [SEG_EXPORT_SITES] = "sites",
    [SEG_EXPORT_SEED] = "logsdata",
};

static const char *const headers[SEG_EXPORT__COUNT] = {
    [SEG_EXPORT_INVOCATIONS] =
        "wave,site,function,trigger,attempt,request_id,trigger_key,trigger_sent,"
        "trigger_accepted,start,end,exec_ms,duration_ms,billed_ms,init_ms,memory_mb,"
        "max_memory_mb,cold,status,error_type,error_message,ingest_lag_ms,e2e_ms",
    [SEG_EXPORT_WAVES] = "wave,size,launched,done,missing,cold_pct,p50_exec_ms,p95_exec_ms,"
                         "mean_exec_ms,sd_exec_ms,p95_e2e_ms,makespan_ms,errors,throttles,"
                         "cost_usd",
    [SEG_EXPORT_SITES] = "site,function,invocations,cold_pct,p50_exec_ms,p95_exec_ms,"
                         "p50_init_ms,max_memory_mb,errors,last_error,state",
    [SEG_EXPORT_SEED] = ",id,lambda_function_name,event_time,write_to_database_timestamp,"
                        "function_end_timestamp,billed_duration_ms,cold_start",
};

const char *seg_export_kind_name(enum seg_export_kind k)
{
    return (unsigned)k < SEG_EXPORT__COUNT ? kind_names[k] : "";
}

const char *seg_export_header(enum seg_export_kind k)
{
    return (unsigned)k < SEG_EXPORT__COUNT ? headers[k] : "";
}

static void header(FILE *f, enum seg_export_kind k)
{
    fputs(headers[k], f);
    fputc('\n', f);
}

static void opt_i64(struct seg_csv *w, int64_t v)
{
    if (v == SEG_TIME_NONE)
        seg_csv_empty(w);
    else
        seg_csv_i64(w, v);
}

static void opt_i32(struct seg_csv *w, int32_t v) /* -1 unknown */
{
    if (v < 0)
        seg_csv_empty(w);
    else
        seg_csv_i64(w, v);
}

enum seg_err seg_export_write_invocations(FILE *f, const struct seg_inv_table *t)
{
    struct seg_csv w;
    seg_csv_init(&w, f);
    header(f, SEG_EXPORT_INVOCATIONS);
    for (size_t i = 0; i < t->n; i++) {
        const struct seg_inv_row *r = &t->rows[i];
        seg_csv_i64(&w, r->wave);
        seg_csv_i64(&w, r->site);
        seg_csv_text(&w, r->function);
        seg_csv_text(&w, r->trigger);
        seg_csv_i64(&w, r->attempt);
        seg_csv_text(&w, r->request_id);
        seg_csv_text(&w, r->trigger_key);
        seg_csv_time(&w, r->trigger_sent);
        seg_csv_time(&w, r->trigger_accepted);
        seg_csv_time(&w, r->start);
        seg_csv_time(&w, r->end);
        opt_i64(&w, r->exec_ms);
        seg_csv_ms(&w, r->duration_ms);
        seg_csv_ms(&w, r->billed_ms);
        seg_csv_ms(&w, r->init_ms);
        opt_i32(&w, r->memory_mb);
        opt_i32(&w, r->max_memory_mb);
        if (r->cold < 0)
            seg_csv_empty(&w);
        else
            seg_csv_raw(&w, r->cold ? "true" : "false");
        seg_csv_raw(&w, seg_inv_status_name(r->status));
        seg_csv_text(&w, r->error_type);
        seg_csv_text(&w, r->error_message);
        opt_i64(&w, r->ingest_lag_ms);
        opt_i64(&w, r->e2e_ms);
        seg_csv_end_row(&w);
    }
    return seg_csv_status(&w);
}

enum seg_err seg_export_write_waves(FILE *f, const struct seg_snapshot *snap)
{
    struct seg_csv w;
    seg_csv_init(&w, f);
    header(f, SEG_EXPORT_WAVES);
    for (size_t i = 0; i < snap->n_waves; i++) {
        const struct seg_wave_row *r = &snap->waves[i];
        const struct seg_hist_summary *exec = &r->dist[SEG_METRIC_EXEC];
        const struct seg_hist_summary *e2e = &r->dist[SEG_METRIC_E2E];
        seg_csv_i64(&w, r->wave);
        seg_csv_i64(&w, r->size);
        seg_csv_i64(&w, r->c.launched);
        seg_csv_i64(&w, r->c.done);
        seg_csv_i64(&w, r->c.missing);
        seg_csv_double(&w, "%.1f", r->cold_pct);
        opt_i32(&w, exec->n ? exec->p50 : -1);
        opt_i32(&w, exec->n ? exec->p95 : -1);
        seg_csv_double(&w, "%.1f", exec->n ? r->mean_exec_ms : NAN);
        seg_csv_double(&w, "%.1f", exec->n >= 2 ? r->sd_exec_ms : NAN);
        opt_i32(&w, e2e->n ? e2e->p95 : -1);
        opt_i64(&w, r->makespan_ms < 0 ? SEG_TIME_NONE : r->makespan_ms);
        seg_csv_i64(&w, r->c.errors);
        seg_csv_i64(&w, r->c.throttles);
        seg_csv_double(&w, "%.6f", r->c.cost_usd);
        seg_csv_end_row(&w);
    }
    return seg_csv_status(&w);
}

enum seg_err seg_export_write_sites(FILE *f, const struct seg_snapshot *snap)
{
    struct seg_csv w;
    seg_csv_init(&w, f);
    header(f, SEG_EXPORT_SITES);
    for (size_t i = 0; i < snap->n_sites; i++) {
        const struct seg_site_row *r = &snap->sites[i];
        seg_csv_i64(&w, r->site);
        seg_csv_text(&w, r->function);
        seg_csv_i64(&w, r->invocations);
        seg_csv_double(&w, "%.1f", r->cold_pct);
        opt_i32(&w, r->p50_exec_ms);
        opt_i32(&w, r->p95_exec_ms);
        opt_i32(&w, r->p50_init_ms);
        opt_i32(&w, r->max_memory_mb);
        seg_csv_i64(&w, r->errors);
        seg_csv_text(&w, r->last_error);
        seg_csv_raw(&w, seg_site_state_name(r->state));
        seg_csv_end_row(&w);
    }
    return seg_csv_status(&w);
}

static int64_t seed_time(const struct seg_inv_row *r)
{
    return r->event_time != SEG_TIME_NONE ? r->event_time : r->end;
}

static int cmp_seed(const void *a, const void *b)
{
    const struct seg_inv_row *x = *(const struct seg_inv_row *const *)a;
    const struct seg_inv_row *y = *(const struct seg_inv_row *const *)b;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    int64_t tx = seed_time(x), ty = seed_time(y);
    if (tx != ty)
        return tx > ty ? -1 : 1; /* newest first */
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    if (x->wave != y->wave)
        return x->wave > y->wave ? -1 : 1;
    return (x->attempt < y->attempt) - (x->attempt > y->attempt);
}

enum seg_err seg_export_write_seed(FILE *f, const struct seg_inv_table *t)
{
    struct seg_csv w;
    seg_csv_init(&w, f);
    header(f, SEG_EXPORT_SEED);
    const struct seg_inv_row **rows = seg_xmalloc((t->n ? t->n : 1) * sizeof *rows);
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->rows[i].end != SEG_TIME_NONE)
            rows[n++] = &t->rows[i];
    qsort(rows, n, sizeof *rows, cmp_seed);
    char ts[32];
    for (size_t i = 0; i < n; i++) {
        const struct seg_inv_row *r = rows[i];
        seg_csv_i64(&w, (int64_t)i);
        seg_csv_text(&w, r->trigger_key);
        seg_csv_text(&w, r->function);
        if (r->event_time == SEG_TIME_NONE) {
            seg_csv_empty(&w);
        } else {
            seg_time_format_ms(r->event_time, ' ', false, false, ts);
            seg_csv_raw(&w, ts);
        }
        if (r->db_write == SEG_TIME_NONE) {
            seg_csv_empty(&w);
        } else {
            seg_time_format_ms(r->db_write, ' ', true, false, ts);
            seg_csv_raw(&w, ts);
        }
        seg_time_format_ms(r->end, ' ', true, false, ts);
        seg_csv_raw(&w, ts);
        seg_csv_double(&w, "%.1f", r->billed_ms);
        seg_csv_raw(&w, r->cold > 0 ? "True" : "False");
        seg_csv_end_row(&w);
    }
    free(rows);
    return seg_csv_status(&w);
}

/* ---- running an export ------------------------------------------------------------------ */

struct job {
    enum seg_export_kind kind;
    const struct seg_export_request *req;
};

static enum seg_err write_job(FILE *f, void *ud)
{
    const struct job *j = ud;
    switch (j->kind) {
    case SEG_EXPORT_INVOCATIONS:
        return seg_export_write_invocations(f, j->req->table);
    case SEG_EXPORT_WAVES:
        return seg_export_write_waves(f, j->req->snap);
    case SEG_EXPORT_SITES:
        return seg_export_write_sites(f, j->req->snap);
    case SEG_EXPORT_SEED:
        return seg_export_write_seed(f, j->req->table);
    case SEG_EXPORT__COUNT:
        break;
    }
    return SEG_ERR_INVALID;
}

/* dir and stem of a --export-file prefix ("out/run1.csv" -> "out", "run1"). */
static void split_prefix(const char *prefix, char **dir, char **stem)
{
    const char *slash = strrchr(prefix, '/');
    *dir = slash ? (slash == prefix ? seg_xstrdup("/")
                                    : seg_xstrndup(prefix, (size_t)(slash - prefix)))
                 : seg_xstrdup(".");
    const char *base = slash ? slash + 1 : prefix;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".csv") == 0)
        n -= 4;
    *stem = seg_xstrndup(base, n);
}

size_t seg_export_cleanup_at_start(const char *dir, const char *file_prefix)
{
    char *d = NULL, *stem = NULL;
    if (file_prefix && *file_prefix)
        split_prefix(file_prefix, &d, &stem);
    else
        d = seg_xstrdup(dir && *dir ? dir : ".");
    size_t removed = 0;
    if (seg_export_cleanup(d, &removed) != SEG_OK)
        removed = 0;
    free(d);
    free(stem);
    return removed;
}

enum seg_err seg_export_run(const struct seg_export_request *req, struct seg_export_paths *out,
                            struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    char *dir = NULL, *prefix_stem = NULL;
    memset(out, 0, sizeof *out);
    if (!req->table || !req->snap || (req->file_prefix && !*req->file_prefix)) {
        seg_errmsg_set(err, "export: nothing to export");
        return SEG_ERR_INVALID;
    }
    if (req->file_prefix)
        split_prefix(req->file_prefix, &dir, &prefix_stem);
    else
        dir = seg_xstrdup(req->dir && *req->dir ? req->dir : ".");
    size_t removed;
    if (seg_export_cleanup(dir, &removed) != SEG_OK) {
        seg_errmsg_set(err,
                       "export: cannot read directory %s: %s (create it, or pass another "
                       "--export-dir)",
                       dir, strerror(errno));
        rc = SEG_ERR_IO;
        goto out;
    }
    char stamp[SEG_EXPORT_STAMP_LEN + 1];
    seg_export_stamp(req->stamp_ms, stamp);
    for (int k = 0; k < SEG_EXPORT__COUNT; k++) {
        if (k == SEG_EXPORT_SEED && !req->seed)
            continue;
        struct job j = {(enum seg_export_kind)k, req};
        char *stem;
        if (prefix_stem)
            stem = seg_xasprintf("%s-%s", prefix_stem, kind_names[k]);
        else if (k == SEG_EXPORT_SEED)
            stem = seg_xasprintf("logsdata-%s", stamp);
        else
            stem = seg_xasprintf("segtop-%s-%s", kind_names[k], stamp);
        char *path = NULL;
        rc = seg_export_write_atomic(dir, stem, prefix_stem != NULL, write_job, &j, &path, err);
        free(stem);
        if (rc)
            goto out;
        out->paths[out->n++] = path;
    }
out:
    free(dir);
    free(prefix_stem);
    return rc;
}

void seg_export_paths_release(struct seg_export_paths *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->paths[i]);
    p->n = 0;
}
