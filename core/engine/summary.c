#include "engine/summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cjson/cJSON.h>

#include "util/xalloc.h"

static void num_or_null(cJSON *o, const char *k, double v)
{
    if (isnan(v) || isinf(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, v);
}

static void pct(cJSON *o, const char *k, const struct seg_hist_summary *h, int which)
{
    if (!h->n) {
        cJSON_AddNullToObject(o, k);
        return;
    }
    cJSON_AddNumberToObject(o, k, which == 50 ? h->p50 : h->p95);
}

static void counts(cJSON *o, const struct seg_counts *c)
{
    cJSON_AddNumberToObject(o, "launched", c->launched);
    cJSON_AddNumberToObject(o, "accepted", c->accepted);
    cJSON_AddNumberToObject(o, "started", c->started);
    cJSON_AddNumberToObject(o, "done", c->done);
    cJSON_AddNumberToObject(o, "missing", c->missing);
    cJSON_AddNumberToObject(o, "errors", c->errors);
    cJSON_AddNumberToObject(o, "throttles", c->throttles);
    cJSON_AddNumberToObject(o, "reports", c->reports);
    cJSON_AddNumberToObject(o, "cold", c->cold);
    cJSON_AddNumberToObject(o, "cost_usd", c->cost_usd);
}

static void ci(cJSON *o, const char *k, const struct seg_stats_ci *c)
{
    cJSON *x = cJSON_AddObjectToObject(o, k);
    cJSON_AddNumberToObject(x, "n", (double)c->n);
    num_or_null(x, "mean", c->n ? c->mean : NAN);
    num_or_null(x, "sd", c->n > 1 ? c->sd : NAN);
    num_or_null(x, "ci95_lo", c->valid ? c->lo : NAN);
    num_or_null(x, "ci95_hi", c->valid ? c->hi : NAN);
}

static void welch(cJSON *arr, const struct seg_scaling_cmp *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "size_a", c[i].size_a);
        cJSON_AddNumberToObject(o, "size_b", c[i].size_b);
        num_or_null(o, "exec_t", c[i].exec.valid ? c[i].exec.t : NAN);
        num_or_null(o, "exec_df", c[i].exec.valid ? c[i].exec.df : NAN);
        num_or_null(o, "exec_p_bonferroni", c[i].exec.valid ? c[i].exec_p_adj : NAN);
        num_or_null(o, "cost_p_bonferroni", c[i].cost.valid ? c[i].cost_p_adj : NAN);
        cJSON_AddItemToArray(arr, o);
    }
}

/* Per wave size: mean, sd and 95 % CI of exec and cost per invocation, makespan, and Welch
 * tests on wave means between sizes (Bonferroni-corrected) — the original analysis. */
static void scaling(cJSON *root, const struct seg_snapshot *snap)
{
    cJSON *rows = cJSON_AddArrayToObject(root, "scaling");
    for (size_t i = 0; i < snap->n_scaling; i++) {
        const struct seg_scaling_row *r = &snap->scaling[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "size", r->size);
        cJSON_AddNumberToObject(o, "waves", (double)r->n_waves);
        ci(o, "exec_ms", &r->exec);
        ci(o, "cost_usd", &r->cost);
        ci(o, "makespan_ms", &r->makespan);
        cJSON_AddItemToArray(rows, o);
    }
    welch(cJSON_AddArrayToObject(root, "welch_consecutive"), snap->cmp_consecutive,
          snap->n_cmp_consecutive);
    welch(cJSON_AddArrayToObject(root, "welch_all"), snap->cmp_all, snap->n_cmp_all);
}

enum seg_err seg_summary_write(const char *path, const struct seg_snapshot *snap,
                               const struct seg_run_status *st, const struct seg_slo_result *slo,
                               size_t nslo, bool interrupted, struct seg_errmsg *err)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "version", 1);
    cJSON_AddBoolToObject(root, "interrupted", interrupted);
    cJSON_AddNumberToObject(root, "elapsed_s", st->t_s);
    cJSON_AddNumberToObject(root, "log_calls", (double)st->log_calls);
    cJSON_AddNumberToObject(root, "log_throttles", (double)st->throttles);
    cJSON_AddNumberToObject(root, "log_insights_queries", (double)st->log_queries);
    cJSON_AddNumberToObject(root, "log_errors", (double)st->log_errors);
    cJSON_AddBoolToObject(root, "logs_unread", st->logs_unread);
    num_or_null(root, "lag_p95_ms", st->lag_p95_s * 1000.0);
    cJSON *fr = cJSON_AddObjectToObject(root, "freshness");
    cJSON_AddNumberToObject(fr, "n", st->fresh_n);
    num_or_null(fr, "p50_ms", st->fresh_p50_s * 1000.0);
    num_or_null(fr, "p95_ms", st->fresh_p95_s * 1000.0);
    num_or_null(fr, "max_ms", st->fresh_max_s * 1000.0);
    num_or_null(fr, "wall_p50_ms", st->fresh_wall_p50_s * 1000.0);
    num_or_null(fr, "wall_p95_ms", st->fresh_wall_p95_s * 1000.0);
    num_or_null(fr, "wall_max_ms", st->fresh_wall_max_s * 1000.0);
    num_or_null(root, "last_wave_reports_s", st->last_reports_s);
    cJSON_AddNumberToObject(root, "last_wave_reports_log_calls",
                            (double)st->last_reports_log_calls);
    cJSON_AddStringToObject(root, "trigger", seg_trigger_name(st->trigger));
    cJSON_AddNumberToObject(root, "notification_runs", (double)st->notif_runs);
    num_or_null(root, "account_concurrency",
                st->account_concurrency > 0 ? (double)st->account_concurrency : NAN);
    cJSON_AddNumberToObject(root, "function_config_failed", st->config_failed);
    counts(cJSON_AddObjectToObject(root, "totals"), &snap->total);
    cJSON *waves = cJSON_AddArrayToObject(root, "waves");
    for (size_t i = 0; i < snap->n_waves; i++) {
        const struct seg_wave_row *w = &snap->waves[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "wave", w->wave);
        cJSON_AddNumberToObject(o, "size", w->size);
        cJSON_AddStringToObject(o, "trigger", seg_trigger_name(w->trigger));
        cJSON_AddStringToObject(o, "key", w->trigger_key ? w->trigger_key : "");
        cJSON_AddBoolToObject(o, "complete", w->complete);
        counts(o, &w->c);
        num_or_null(o, "cold_pct", w->cold_pct);
        num_or_null(o, "mean_exec_ms", w->mean_exec_ms);
        num_or_null(o, "sd_exec_ms", w->sd_exec_ms);
        pct(o, "p50_exec_ms", &w->dist[SEG_METRIC_EXEC], 50);
        pct(o, "p95_exec_ms", &w->dist[SEG_METRIC_EXEC], 95);
        pct(o, "p95_e2e_ms", &w->dist[SEG_METRIC_E2E], 95);
        pct(o, "p95_billed_ms", &w->dist[SEG_METRIC_BILLED], 95);
        pct(o, "p95_init_ms", &w->dist[SEG_METRIC_INIT], 95);
        num_or_null(o, "makespan_ms", w->makespan_ms < 0 ? NAN : (double)w->makespan_ms);
        cJSON_AddItemToArray(waves, o);
    }
    scaling(root, snap);
    cJSON *sl = cJSON_AddArrayToObject(root, "slo");
    size_t broken = 0;
    for (size_t i = 0; i < nslo; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "term", slo[i].term->text);
        cJSON_AddNumberToObject(o, "wave", slo[i].wave);
        cJSON_AddBoolToObject(o, "evaluated", slo[i].evaluated);
        cJSON_AddBoolToObject(o, "ok", slo[i].ok);
        num_or_null(o, "observed", slo[i].evaluated ? slo[i].observed : NAN);
        broken += slo[i].evaluated && !slo[i].ok;
        cJSON_AddItemToArray(sl, o);
    }
    cJSON_AddNumberToObject(root, "slo_broken", (double)broken);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        seg_fatal("out of memory (cJSON)");
    char *tmp = seg_xasprintf("%s.tmp%ld", path, (long)getpid());
    enum seg_err rc = SEG_OK;
    FILE *f = fopen(tmp, "w");
    if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0) {
        seg_errmsg_set(err, "%s: %s", tmp, strerror(errno));
        rc = SEG_ERR_IO;
    }
    if (f && fclose(f) != 0 && rc == SEG_OK) {
        seg_errmsg_set(err, "%s: %s", tmp, strerror(errno));
        rc = SEG_ERR_IO;
    }
    if (rc == SEG_OK && rename(tmp, path) != 0) {
        seg_errmsg_set(err, "%s: %s", path, strerror(errno));
        rc = SEG_ERR_IO;
    }
    if (rc != SEG_OK)
        remove(tmp);
    free(tmp);
    free(text);
    return rc;
}
