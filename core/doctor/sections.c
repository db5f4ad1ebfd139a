/* What doctor prints after the per-site calls: cross-checks that need several answers (the
 * function's log group against segtop's, log groups that exist), one summary line per
 * section followed by its per-site lines, the permission probes and the freshness line. */
#include <stdlib.h>
#include <string.h>

#include "doctor/checks_internal.h"
#include "engine/poller.h"
#include "util/xalloc.h"

#define IAM_FIX "add it to segtop's IAM policy (README: \"IAM policy\")"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool group_exists(const struct doc_ctx *c, const char *name)
{
    return c->ngroups && bsearch(&name, c->groups, c->ngroups, sizeof *c->groups, cmp_str);
}

static size_t count_res(const struct doc_ctx *c, enum doc_op op, enum doc_res res)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nsites; i++)
        n += c->st[i].res[op] == res;
    return n;
}

/* "ok" when a section has nothing to say, else "info" before its lines. */
static enum doc_sev head_sev(const struct doc_ctx *c, enum doc_kind k)
{
    return doc_report_count(c->r, k, DOC_WARN) ? DOC_INFO : DOC_OK;
}

static void cross_checks(struct doc_ctx *c)
{
    for (size_t i = 0; i < c->nsites; i++) {
        const struct seg_site *s = &c->sites[i];
        const struct doc_site_state *st = &c->st[i];
        if (st->res[DOC_OP_FCONFIG] == DOC_R_OK && strcmp(st->log_group, s->log_group) != 0)
            doc_site_line(c->r, DOC_K_LOGCONFIG, DOC_PROBLEM, s->n,
                          "function logs to another group than segtop reads" DOC_FIX
                          "make --log-group-pattern or --shared-log-group match LoggingConfig",
                          "function %s logs to %s (LoggingConfig.LogGroup), segtop reads "
                          "%s" DOC_FIX "%s",
                          s->function, st->log_group, s->log_group,
                          c->o->shared_log_group
                              ? "fix --shared-log-group or the function's LoggingConfig"
                              : "fix --log-group-pattern, pass --shared-log-group if every "
                                "function logs there, or change the function's LoggingConfig");
    }
    if (c->groups_res != DOC_R_OK || c->groups_truncated)
        return;
    for (size_t i = 0; i < c->nsites; i++) {
        const struct seg_site *s = &c->sites[i];
        bool first = true; /* a shared group is reported once, by its first site */
        for (size_t j = 0; j < i && first; j++)
            first = strcmp(c->sites[j].log_group, s->log_group) != 0;
        if (!first || group_exists(c, s->log_group) ||
            c->st[i].res[DOC_OP_FCONFIG] == DOC_R_NOTFOUND)
            continue;
        doc_site_line(c->r, DOC_K_LOGGROUP, DOC_WARN, s->n,
                      "log group does not exist yet" DOC_FIX
                      "Lambda creates it at the first invocation; or aws logs create-log-group",
                      "log group %s does not exist yet" DOC_FIX
                      "Lambda creates it at the first invocation; or aws logs create-log-group "
                      "--log-group-name %s",
                      s->log_group, s->log_group);
    }
}

static void functions_section(struct doc_ctx *c)
{
    size_t found = 0, json = 0;
    int tmin = 0, tmax = 0, mmin = 0, mmax = 0;
    for (size_t i = 0; i < c->nsites; i++) {
        const struct doc_site_state *st = &c->st[i];
        if (st->res[DOC_OP_FCONFIG] != DOC_R_OK)
            continue;
        if (!found++) {
            tmin = tmax = st->timeout_s;
            mmin = mmax = st->memory_mb;
        }
        tmin = st->timeout_s < tmin ? st->timeout_s : tmin;
        tmax = st->timeout_s > tmax ? st->timeout_s : tmax;
        mmin = st->memory_mb < mmin ? st->memory_mb : mmin;
        mmax = st->memory_mb > mmax ? st->memory_mb : mmax;
        json += strcmp(st->log_format, "JSON") == 0;
    }
    char stats[200] = "";
    if (found) {
        char t[40], m[40], f[60];
        snprintf(t, sizeof t, tmin == tmax ? "%d s" : "%d..%d s", tmin, tmax);
        snprintf(m, sizeof m, mmin == mmax ? "%d MB" : "%d..%d MB", mmin, mmax);
        if (json == 0 || json == found)
            snprintf(f, sizeof f, "%s", json ? "JSON" : "Text");
        else
            snprintf(f, sizeof f, "Text (%zu), JSON (%zu)", found - json, json);
        snprintf(stats, sizeof stats, "; Timeout %s, MemorySize %s, LogFormat %s", t, m, f);
    }
    doc_line(c->r, found == c->nsites ? head_sev(c, DOC_K_FUNCTION) : DOC_INFO, "functions",
             "%zu/%zu found%s", found, c->nsites, stats);
    doc_report_flush(c->r, DOC_K_FUNCTION);
}

static int largest_wave(const struct doc_ctx *c)
{
    int w = 0;
    for (int i = 0; i < c->o->nwaves; i++)
        if (c->o->waves[i] > w)
            w = c->o->waves[i];
    return w > (int)c->nsites ? (int)c->nsites : w; /* steps above --sites are dropped */
}

static void account_line(struct doc_ctx *c)
{
    if (c->account == DOC_R_DENIED) {
        doc_line(c->r, DOC_PROBLEM, "account",
                 "missing permission lambda:GetAccountSettings on *" DOC_FIX IAM_FIX);
        return;
    }
    if (c->account != DOC_R_OK) {
        if (c->account != DOC_R_AUTH)
            doc_line(c->r, DOC_WARN, "account",
                     "could not read the concurrency limit (%s)" DOC_FIX "rerun segtop doctor",
                     c->account_msg);
        return;
    }
    int wave = largest_wave(c);
    long need = 0; /* sites with a reservation draw on it, not on the unreserved pool */
    for (int i = 0; i < wave; i++)
        need += c->st[i].reserved < 0;
    if (need > c->unreserved)
        doc_line(c->r, DOC_PROBLEM, "account",
                 "the largest wave (%d sites) needs %ld concurrent executions, the account "
                 "allows %ld unreserved (limit %ld)" DOC_FIX
                 "request a quota increase (Service Quotas: Lambda, Concurrent executions) or "
                 "keep --waves at most %ld",
                 wave, need, c->unreserved, c->limit, c->unreserved);
    else if (need * 10 > c->unreserved * 8)
        doc_line(c->r, DOC_WARN, "account",
                 "the largest wave (%d sites) takes %ld of %ld unreserved concurrent executions "
                 "(limit %ld): other functions share the rest" DOC_FIX
                 "request a quota increase if they run during tests",
                 wave, need, c->unreserved, c->limit);
    else
        doc_line(c->r, DOC_OK, "account",
                 "concurrency limit %ld (%ld unreserved), largest wave %d sites", c->limit,
                 c->unreserved, wave);
}

static void concurrency_section(struct doc_ctx *c)
{
    size_t reserving = 0;
    int rmin = 0, rmax = 0;
    for (size_t i = 0; i < c->nsites; i++) {
        int r = c->st[i].reserved;
        if (r < 0)
            continue;
        if (!reserving++)
            rmin = rmax = r;
        rmin = r < rmin ? r : rmin;
        rmax = r > rmax ? r : rmax;
    }
    if (!c->conc_all)
        doc_line(c->r, head_sev(c, DOC_K_CONCURRENCY), "reserved concurrency",
                 "none in the account (GetAccountSettings: unreserved = limit)");
    else if (!reserving)
        doc_line(c->r, head_sev(c, DOC_K_CONCURRENCY), "reserved concurrency", "none");
    else
        doc_line(c->r, head_sev(c, DOC_K_CONCURRENCY), "reserved concurrency",
                 rmin == rmax ? "%zu sites reserve %d (a wave needs 1 per site), the rest none"
                              : "%zu sites reserve %d..%d, the rest none",
                 reserving, rmin, rmax);
    doc_report_flush(c->r, DOC_K_CONCURRENCY);
    account_line(c);
}

static void simple_section(struct doc_ctx *c, enum doc_kind k, const char *what, size_t ok,
                           const char *tail)
{
    doc_line(c->r, ok == c->nsites ? head_sev(c, k) : DOC_INFO, what, "%zu/%zu %s", ok, c->nsites,
             tail);
    doc_report_flush(c->r, k);
}

static void loggroups_section(struct doc_ctx *c)
{
    char *arn = seg_xasprintf("arn:aws:logs:%s:%s:log-group:*", c->t->region, c->account_id);
    if (c->groups_res == DOC_R_DENIED)
        doc_line(c->r, DOC_PROBLEM, "log groups",
                 "missing permission logs:DescribeLogGroups on %s" DOC_FIX IAM_FIX, arn);
    else if (c->groups_res == DOC_R_FAILED)
        doc_line(c->r, DOC_WARN, "log groups",
                 "could not list them (%s)" DOC_FIX "rerun segtop doctor", c->groups_msg);
    else if (c->groups_truncated)
        doc_line(c->r, DOC_WARN, "log groups",
                 "listing under '%s' stopped after %d pages: existence not checked",
                 c->group_prefix, c->group_pages);
    else if (c->groups_res == DOC_R_OK) {
        size_t distinct = 0, exist = 0;
        for (size_t i = 0; i < c->nsites; i++) {
            bool first = true;
            for (size_t j = 0; j < i && first; j++)
                first = strcmp(c->sites[j].log_group, c->sites[i].log_group) != 0;
            if (first) {
                distinct++;
                exist += group_exists(c, c->sites[i].log_group);
            }
        }
        doc_line(c->r, exist == distinct ? head_sev(c, DOC_K_LOGGROUP) : DOC_INFO, "log groups",
                 "%zu/%zu exist (DescribeLogGroups, prefix '%s', %d page%s)", exist, distinct,
                 c->group_prefix, c->group_pages, c->group_pages == 1 ? "" : "s");
        doc_report_flush(c->r, DOC_K_LOGGROUP);
    }
    free(arn);
}

static void probe_line(struct doc_ctx *c, enum doc_op op, const char *action, const char *on,
                       const char *arn, const char *how)
{
    enum doc_res res = c->st[0].res[op];
    if (res == DOC_R_OK || (res == DOC_R_NOTFOUND && op == DOC_OP_FILTER))
        doc_line(c->r, DOC_OK, "permission", "%s granted on %s (%s)", action, on, how);
    else if (res == DOC_R_DENIED)
        doc_line(c->r, DOC_PROBLEM, "permission", "missing permission %s on %s" DOC_FIX IAM_FIX,
                 action, arn);
    else if (res == DOC_R_NOTFOUND)
        doc_line(c->r, DOC_INFO, "permission", "%s not probed: %s does not exist", action, on);
    else if (res != DOC_R_AUTH)
        doc_line(c->r, DOC_WARN, "permission",
                 "%s could not be probed (%s)" DOC_FIX "rerun segtop doctor", action,
                 c->probe_msg[op]);
}

static void permissions_section(struct doc_ctx *c)
{
    const struct seg_site *s = &c->sites[0];
    char *garn = seg_xasprintf("arn:aws:logs:%s:%s:log-group:%s:*", c->t->region, c->account_id,
                               s->log_group);
    char *farn =
        seg_xasprintf("arn:aws:lambda:%s:%s:function:%s", c->t->region, c->account_id, s->function);
    probe_line(c, DOC_OP_FILTER, "logs:FilterLogEvents", s->log_group, garn,
               "FilterLogEvents over an empty time range");
    if (c->o->trigger != SEG_TRIGGER_S3)
        probe_line(c, DOC_OP_DRYRUN, "lambda:InvokeFunction", s->function, farn,
                   "Invoke with InvocationType DryRun");
    doc_line(c->r, DOC_INFO, "permission",
             "not probed: s3:PutObject (an upload fires the pipeline), logs:StartQuery "
             "(Insights queries are billed); the first wave shows them");
    free(garn);
    free(farn);
}

void doc_sections(struct doc_ctx *c)
{
    if (c->ngroups)
        qsort(c->groups, c->ngroups, sizeof *c->groups, cmp_str);
    cross_checks(c);
    functions_section(c);
    concurrency_section(c);
    doc_line(c->r, head_sev(c, DOC_K_LOGCONFIG), "log config", "%zu/%zu functions log where %s",
             count_res(c, DOC_OP_FCONFIG, DOC_R_OK) -
                 doc_report_count(c->r, DOC_K_LOGCONFIG, DOC_PROBLEM),
             count_res(c, DOC_OP_FCONFIG, DOC_R_OK),
             c->o->shared_log_group ? "segtop reads (--shared-log-group)"
                                    : "segtop reads (--log-group-pattern)");
    doc_report_flush(c->r, DOC_K_LOGCONFIG);
    simple_section(c, DOC_K_BUCKET, "buckets", count_res(c, DOC_OP_HEAD, DOC_R_OK), "found");
    if (c->o->trigger == SEG_TRIGGER_S3) {
        size_t ok = 0;
        for (size_t i = 0; i < c->nsites; i++)
            ok += c->st[i].res[DOC_OP_NOTIF] == DOC_R_OK && c->st[i].notif == DOC_NOTIF_OK;
        simple_section(c, DOC_K_NOTIFICATION, "notifications", ok,
                       "buckets send s3:ObjectCreated to their site's function");
    } else {
        doc_line(c->r, head_sev(c, DOC_K_NOTIFICATION), "notifications",
                 "not needed with --trigger %s", seg_trigger_name(c->o->trigger));
        doc_report_flush(c->r, DOC_K_NOTIFICATION);
    }
    loggroups_section(c);
    permissions_section(c);
}

void doc_freshness_text(const struct seg_options *o, const struct seg_site *sites, size_t nsites,
                        char *out, size_t size)
{
    if (o->shared_log_group) {
        snprintf(out, size, "shared group: one FilterLogEvents call per poll, about 1 s");
        return;
    }
    const char **names = seg_xcalloc(nsites + 1, sizeof *names);
    for (size_t i = 0; i < nsites; i++)
        names[i] = sites[i].log_group;
    qsort(names, nsites, sizeof *names, cmp_str);
    size_t groups = 0;
    for (size_t i = 0; i < nsites; i++)
        groups += i == 0 || strcmp(names[i], names[i - 1]) != 0;
    free(names);
    double tps = o->log_tps > 0 ? o->log_tps : 4;
    double sweep = (double)groups / tps;
    int n = snprintf(out, size, "%zu group%s, %g calls/s: a sweep takes %.3g s", groups,
                     groups == 1 ? "" : "s", tps, sweep);
    /* What the poller does instead when that is slow (queries take 1-3 s on AWS). */
    if (seg_poller_prefers_insights(groups, tps, 2000) && n > 0 && (size_t)n < size) {
        size_t batches = (groups + SEG_POLLER_BATCH - 1) / SEG_POLLER_BATCH;
        int m = snprintf(out + n, size - (size_t)n,
                         "; segtop reads them with Logs Insights, %zu quer%s of up to %d "
                         "groups: about %.2g s",
                         batches, batches == 1 ? "y" : "ies", SEG_POLLER_BATCH,
                         seg_poller_insights_sweep_s(groups, tps, 2000));
        if (m > 0)
            n += m;
    }
    if (sweep > 10 && n > 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n,
                 DOC_FIX "for about 1 s, send every function's logs to one group "
                         "(LoggingConfig.LogGroup) and pass --shared-log-group NAME");
}
