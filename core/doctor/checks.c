/* The remote checks, run concurrently through the engine: a first round that proves each
 * service answers (GetAccountSettings, HeadBucket of site 1, DescribeLogGroups) and reads the
 * clock offset, then per site GetFunctionConfiguration, GetFunctionConcurrency, HeadBucket
 * and GetBucketNotificationConfiguration, and one probe per permission segtop needs that
 * can be tested without side effects. Calls are bounded in flight and paced where AWS's
 * quotas are low (Lambda control plane 15/s, DescribeLogGroups 5/s; aws-wire.md §2.8, §3.4). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unistd.h>

#include <cjson/cJSON.h>

#include "doctor/checks_internal.h"
#include "engine/keys.h"
#include "http/engine.h"
#include "util/xalloc.h"

#define MAX_INFLIGHT      32
#define LAMBDA_CP_RPS     10.0 /* of AWS's 15/s control-plane quota, leaving room for others */
#define LOGS_DESCRIBE_RPS 4.0  /* of DescribeLogGroups' 5/s */

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- queueing ------------------------------------------------------------------------------ */

static enum doc_pace pace_of(const struct doc_ctx *c, enum doc_op op)
{
    switch (op) {
    case DOC_OP_ACCOUNT:
    case DOC_OP_FCONFIG:
    case DOC_OP_FCONC:
        return c->t->is_aws[SEG_AWS_LAMBDA] ? DOC_PACE_LAMBDA : DOC_PACE_FREE;
    case DOC_OP_GROUPS:
        return DOC_PACE_LOGS;
    default:
        return DOC_PACE_FREE;
    }
}

void doc_enqueue(struct doc_ctx *c, enum doc_op op, size_t site)
{
    struct doc_queue *q = &c->q[pace_of(c, op)];
    if (q->n == q->alloc) {
        q->alloc = q->alloc ? q->alloc * 2 : 256;
        q->v = seg_xrealloc(q->v, q->alloc * sizeof *q->v);
    }
    q->v[q->n++] = (struct doc_job){op, site};
    c->total++;
}

static void progress(struct doc_ctx *c, bool last)
{
    double now = seg_http_now_ms();
    if (!c->progress || (!last && now - c->last_progress < 1000) || c->total < 20)
        return;
    c->last_progress = now;
    if (c->tty)
        fprintf(c->progress, "\rdoctor: %zu/%zu checks done%s", c->done, c->total,
                last ? "\n" : "   ");
    else if (!last)
        fprintf(c->progress, "doctor: %zu/%zu checks done\n", c->done, c->total);
    fflush(c->progress);
}

/* Runs until every queued call, and every call its results queue, is answered. */
static void run(struct doc_ctx *c)
{
    for (;;) {
        double now = seg_http_now_ms();
        bool queued = false;
        double wait = 200;
        for (int p = 0; p < DOC_PACE__N; p++) {
            struct doc_queue *q = &c->q[p];
            while (q->head < q->n && c->inflight < MAX_INFLIGHT && now >= q->next_ms) {
                doc_submit(c, &q->v[q->head++]);
                if (q->interval_ms > 0)
                    q->next_ms = now + q->interval_ms;
            }
            if (q->head < q->n) {
                queued = true;
                if (c->inflight < MAX_INFLIGHT && q->next_ms - now < wait)
                    wait = q->next_ms - now;
            }
        }
        if (!c->inflight && !queued)
            break;
        if (!c->inflight) { /* only paced calls wait: sleep until the next slot */
            double ms = wait > 1 ? wait : 1;
            struct timespec ts = {(time_t)(ms / 1000), (long)(fmod(ms, 1000) * 1e6)};
            nanosleep(&ts, NULL);
            continue;
        }
        struct seg_http_result res;
        int ms = wait < 1 ? 1 : (int)wait;
        while (seg_engine_wait_result(c->eng, &res, ms)) {
            c->inflight--;
            c->done++;
            doc_handle(c, &res);
            seg_http_result_release(&res);
            ms = 0;
        }
        progress(c, false);
    }
}

/* ---- lines after the run -------------------------------------------------------------------- */

static void clock_line(struct doc_ctx *c)
{
    if (!c->nclock) {
        doc_line(c->r, DOC_WARN, "clock", "no Date header in any answer: offset unknown");
        return;
    }
    double est = (c->clock_lo + c->clock_hi) / 2000.0;
    double unc = (c->clock_hi - c->clock_lo) / 2000.0;
    if (fabs(est) > 240) {
        doc_line(c->r, DOC_PROBLEM, "clock",
                 "local clock is %.0f s %s the endpoints' (Date headers); SigV4 refuses requests "
                 "more than 5 min off" DOC_FIX "synchronise it (NTP)",
                 fabs(est), est > 0 ? "behind" : "ahead of");
    } else if (c->clock_lo > 1000 || c->clock_hi < -1000) {
        doc_line(c->r, DOC_WARN, "clock",
                 "local clock is %.1f s %s the endpoints' (Date headers, \xc2\xb1%.1f s); segtop "
                 "corrects end-to-end times by it" DOC_FIX "synchronise it (NTP)",
                 fabs(est), est > 0 ? "behind" : "ahead of", unc);
    } else {
        doc_line(c->r, DOC_OK, "clock", "offset %+.1f s (\xc2\xb1%.1f s) from %d Date headers", est,
                 unc, c->nclock);
    }
}

static void unreachable_exit(struct doc_ctx *c, int s)
{
    const char *svc = seg_aws_service_name((enum seg_aws_service)s);
    if (c->progress)
        fprintf(c->progress,
                "segtop doctor: cannot reach the %s endpoint %s (%s): %s; checks cannot run. "
                "Is it up? Check --endpoint, AWS_ENDPOINT_URL*, the network or HTTPS_PROXY.\n",
                svc, c->t->url[s], c->t->url_source[s], c->unreach[s]);
    doc_line(c->r, DOC_PROBLEM, "endpoint", "%s %s unreachable: %s", svc, c->t->url[s],
             c->unreach[s]);
}

static void auth_lines(struct doc_ctx *c)
{
    for (int s = 0; s < SEG_AWS__SERVICES; s++)
        if (c->auth[s][0])
            doc_line(c->r, DOC_PROBLEM, "credentials",
                     "refused by %s (%s)" DOC_FIX "check the key pair, profile or session token "
                     "(and the clock)",
                     seg_aws_service_name((enum seg_aws_service)s), c->auth[s]);
}

/* The sites' log groups' longest common prefix: one paged listing, instead of one
 * DescribeLogGroups (5/s) per site. */
static char *common_prefix(const struct seg_site *sites, size_t n)
{
    size_t len = n ? strlen(sites[0].log_group) : 0;
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < len && sites[i].log_group[k] == sites[0].log_group[k])
            k++;
        len = k;
    }
    return seg_xstrndup(n ? sites[0].log_group : "", len);
}

static int run_first_round(struct doc_ctx *c)
{
    c->group_prefix = common_prefix(c->sites, c->nsites);
    doc_enqueue(c, DOC_OP_ACCOUNT, 0);
    doc_enqueue(c, DOC_OP_HEAD, 0);
    doc_enqueue(c, DOC_OP_GROUPS, 0);
    run(c);
    for (int s = 0; s < SEG_AWS__SERVICES; s++)
        if (c->unreach[s][0]) {
            progress(c, true);
            unreachable_exit(c, s);
            return 1;
        }
    clock_line(c);
    return -1;
}

static void queue_sites(struct doc_ctx *c)
{
    /* Unreserved == limit: nothing in the account reserves concurrency, so one call checks
     * the permission and the others can be spared (600 control-plane calls at 15/s is 40 s). */
    bool all_conc = !(c->account == DOC_R_OK && c->unreserved >= c->limit);
    c->conc_all = all_conc;
    for (size_t i = 0; i < c->nsites; i++) {
        doc_enqueue(c, DOC_OP_FCONFIG, i);
        if (all_conc || i == 0)
            doc_enqueue(c, DOC_OP_FCONC, i);
        if (i > 0)
            doc_enqueue(c, DOC_OP_HEAD, i);
        doc_enqueue(c, DOC_OP_NOTIF, i);
    }
    if (c->o->trigger != SEG_TRIGGER_S3)
        doc_enqueue(c, DOC_OP_DRYRUN, 0);
    doc_enqueue(c, DOC_OP_FILTER, 0);
}

int doc_checks_run(const struct seg_options *o, struct doc_target *t, const struct seg_site *sites,
                   size_t nsites, struct doc_report *r, FILE *progress_out)
{
    struct doc_ctx c = {
        .o = o,
        .t = t,
        .sites = sites,
        .nsites = nsites,
        .r = r,
        .progress = progress_out,
        .tty = progress_out && isatty(fileno(progress_out)),
        .clock_lo = -1e18,
        .clock_hi = 1e18,
    };
    int code = -1;
    snprintf(c.account_id, sizeof c.account_id, "*");
    c.q[DOC_PACE_LAMBDA].interval_ms = 1000.0 / LAMBDA_CP_RPS;
    c.q[DOC_PACE_LOGS].interval_ms = 1000.0 / LOGS_DESCRIBE_RPS;
    c.st = seg_xcalloc(nsites, sizeof *c.st);
    for (size_t i = 0; i < nsites; i++)
        c.st[i].reserved = -1;
    const char *tpl = o->key_template ? o->key_template : SEG_KEY_DEFAULT_TEMPLATE;
    if (seg_key_render(tpl, (int64_t)wall_ms(), 1, 1, NULL, 0, c.sample_key) != SEG_OK)
        snprintf(c.sample_key, sizeof c.sample_key, "image_capture_2000-01-01_00-00-00.jpg");
    c.wall0 = wall_ms();
    c.mono0 = seg_http_now_ms();
    c.last_progress = c.mono0; /* the first progress line after a second, if ever */

    struct seg_http_client_config cfg;
    doc_target_client_config(t, &cfg);
    struct seg_errmsg err = {{0}};
    if (seg_engine_start(&cfg, &c.eng, &err) != SEG_OK) {
        if (progress_out)
            fprintf(progress_out, "segtop doctor: cannot start the HTTP engine: %s\n", err.text);
        code = 1;
        goto out;
    }
    code = run_first_round(&c);
    if (code >= 0)
        goto out;
    if (c.auth[0][0] && c.auth[1][0] && c.auth[2][0]) {
        auth_lines(&c); /* every service refused the keys: per-site checks would only repeat it */
        goto out;
    }
    queue_sites(&c);
    run(&c);
    progress(&c, true);
    auth_lines(&c);
    doc_sections(&c);
out:
    if (c.eng)
        seg_engine_stop(c.eng);
    doc_ctx_release(&c);
    return code;
}

void doc_ctx_release(struct doc_ctx *c)
{
    for (int p = 0; p < DOC_PACE__N; p++)
        free(c->q[p].v);
    for (size_t i = 0; c->st && i < c->nsites; i++) {
        free(c->st[i].log_group);
        free(c->st[i].log_format);
    }
    free(c->st);
    for (size_t i = 0; i < c->ngroups; i++)
        free(c->groups[i]);
    free(c->groups);
    free(c->group_prefix);
    free(c->group_token);
}
