/* The doctor's requests and what their answers mean. Each answer is classified (found, not
 * found, access denied, keys refused, elsewhere, failed) and per-site problems become
 * per-site lines at once; what needs several answers waits for sections.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/uri.h"
#include "doctor/checks_internal.h"
#include "http/engine.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define IAM_FIX "add it to segtop's IAM policy (README: \"IAM policy\")"

/* ---- requests ------------------------------------------------------------------------------ */

static char *encoded(const char *s)
{
    struct seg_buf b;
    seg_buf_init(&b, 0);
    if (seg_uri_encode(&b, s, strlen(s), false) != SEG_OK) {
        seg_buf_release(&b);
        return seg_xstrdup("");
    }
    char *out = seg_buf_detach(&b, NULL);
    return out ? out : seg_xstrdup("");
}

static enum seg_err logs_call(struct seg_http_req *req, const char *op, cJSON *body)
{
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    if (!json)
        return SEG_ERR_NOMEM;
    char target[64];
    snprintf(target, sizeof target, "Logs_20140328.%s", op);
    enum seg_err rc = seg_http_req_set_target(req, "POST", "/");
    if (!rc) {
        seg_http_req_set_header(req, "X-Amz-Target", target);
        seg_http_req_set_header(req, "Content-Type", "application/x-amz-json-1.1");
        seg_http_req_set_body(req, json, strlen(json));
    }
    free(json);
    return rc;
}

static enum seg_err build(struct doc_ctx *c, const struct doc_job *j, struct seg_http_call *call)
{
    const struct seg_site *s = &c->sites[j->site];
    char *fn = encoded(s->function);
    char *target = NULL;
    enum seg_err rc = SEG_OK;
    call->service = SEG_AWS_LAMBDA;
    switch (j->op) {
    case DOC_OP_ACCOUNT:
        rc = seg_http_req_set_target(&call->req, "GET", "/2016-08-19/account-settings/");
        break;
    case DOC_OP_FCONFIG:
        target = seg_xasprintf("/2015-03-31/functions/%s/configuration", fn);
        rc = seg_http_req_set_target(&call->req, "GET", target);
        break;
    case DOC_OP_FCONC:
        target = seg_xasprintf("/2019-09-30/functions/%s/concurrency", fn);
        rc = seg_http_req_set_target(&call->req, "GET", target);
        break;
    case DOC_OP_DRYRUN:
        target = seg_xasprintf("/2015-03-31/functions/%s/invocations", fn);
        rc = seg_http_req_set_target(&call->req, "POST", target);
        if (!rc) {
            seg_http_req_set_header(&call->req, "X-Amz-Invocation-Type", "DryRun");
            seg_http_req_set_body(&call->req, "{}", 2);
        }
        break;
    case DOC_OP_HEAD:
    case DOC_OP_NOTIF:
        call->service = SEG_AWS_S3; /* path-style: one endpoint serves every bucket */
        target = seg_xasprintf("/%s%s", s->bucket, j->op == DOC_OP_NOTIF ? "?notification=" : "");
        rc = seg_http_req_set_target(&call->req, j->op == DOC_OP_HEAD ? "HEAD" : "GET", target);
        break;
    case DOC_OP_GROUPS: {
        call->service = SEG_AWS_LOGS;
        cJSON *b = cJSON_CreateObject();
        if (c->group_prefix && *c->group_prefix)
            (void)cJSON_AddStringToObject(b, "logGroupNamePrefix", c->group_prefix);
        (void)cJSON_AddNumberToObject(b, "limit", 50);
        if (c->group_token)
            (void)cJSON_AddStringToObject(b, "nextToken", c->group_token);
        rc = logs_call(&call->req, "DescribeLogGroups", b);
        break;
    }
    case DOC_OP_FILTER: {
        /* An empty time range: proves the permission, reads nothing. */
        call->service = SEG_AWS_LOGS;
        cJSON *b = cJSON_CreateObject();
        double now = (double)time(NULL) * 1000.0;
        (void)cJSON_AddStringToObject(b, "logGroupName", s->log_group);
        (void)cJSON_AddNumberToObject(b, "startTime", now);
        (void)cJSON_AddNumberToObject(b, "endTime", now);
        (void)cJSON_AddNumberToObject(b, "limit", 1);
        rc = logs_call(&call->req, "FilterLogEvents", b);
        break;
    }
    default:
        rc = SEG_ERR_INVALID;
    }
    free(target);
    free(fn);
    return rc;
}

void doc_submit(struct doc_ctx *c, const struct doc_job *j)
{
    struct seg_http_call call = {.id = ((uint64_t)j->site << 4) | (uint64_t)j->op};
    seg_http_req_init(&call.req);
    if (build(c, j, &call) != SEG_OK) {
        seg_http_req_release(&call.req);
        c->st[j->site].res[j->op] = DOC_R_FAILED;
        c->done++;
        return;
    }
    seg_engine_submit(c->eng, &call);
    seg_http_req_release(&call.req); /* moved out by submit; releasing what is left is safe */
    c->inflight++;
}

/* ---- answers ------------------------------------------------------------------------------- */

static bool is_denied(const struct seg_aws_error *e)
{
    return strcmp(e->code, "AccessDenied") == 0 || strcmp(e->code, "AccessDeniedException") == 0;
}

/* Copies as much of src as fits (messages are cut on purpose). */
static void set_msg(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* What went wrong, quoted into lines (raw; the report sanitises). */
static void describe(const struct seg_http_result *res, char *out, size_t size)
{
    if (res->outcome == SEG_HTTP_TRANSPORT || res->outcome == SEG_HTTP_NOT_STARTED)
        set_msg(out, size, res->transport_error[0] ? res->transport_error : "no answer");
    else if (res->error.code[0] && res->error.message[0])
        snprintf(out, size, "HTTP %d %s: %.200s", res->status, res->error.code, res->error.message);
    else if (res->error.code[0])
        snprintf(out, size, "HTTP %d %s", res->status, res->error.code);
    else
        snprintf(out, size, "HTTP %d", res->status);
}

static enum doc_res classify(struct doc_ctx *c, const struct seg_http_result *res, char *detail,
                             size_t dsize)
{
    describe(res, detail, dsize);
    switch (res->outcome) {
    case SEG_HTTP_OK:
        return DOC_R_OK;
    case SEG_HTTP_TRANSPORT:
        return DOC_R_UNREACHABLE;
    case SEG_HTTP_NOT_STARTED:
        return DOC_R_AUTH; /* refused locally: the credentials could not be had */
    case SEG_HTTP_AWS_ERROR:
        break;
    }
    const struct seg_aws_error *e = &res->error;
    const char *region_hdr = seg_http_result_header(res, "x-amz-bucket-region");
    if (res->service == SEG_AWS_S3 && region_hdr && strcmp(region_hdr, c->t->region) != 0 &&
        res->status != 404)
        return DOC_R_REDIRECT;
    if (res->status == 301 || strcmp(e->code, "PermanentRedirect") == 0)
        return DOC_R_REDIRECT;
    if (res->status == 404 || strcmp(e->code, "ResourceNotFoundException") == 0 ||
        strcmp(e->code, "NoSuchBucket") == 0)
        return DOC_R_NOTFOUND;
    if (is_denied(e) || (res->status == 403 && !e->code[0]))
        return DOC_R_DENIED;
    if (e->cls == SEG_AWS_CLASS_AUTH)
        return DOC_R_AUTH;
    return DOC_R_FAILED;
}

/* Bounds of server − local from one Date header (1 s resolution) and when the request was
 * on the wire, intersected with what earlier answers said. */
static void clock_sample(struct doc_ctx *c, const struct seg_http_result *res)
{
    if (!res->server_date || !res->sent_ms || !res->accepted_ms)
        return;
    double sent = c->wall0 + (res->sent_ms - c->mono0);
    double got = c->wall0 + (res->accepted_ms - c->mono0);
    double d = (double)res->server_date * 1000.0;
    double lo = d - got, hi = d + 1000.0 - sent;
    if (c->nclock && (lo > c->clock_hi || hi < c->clock_lo)) {
        c->clock_lo = lo, c->clock_hi = hi; /* inconsistent: the latest wins */
    } else {
        if (lo > c->clock_lo)
            c->clock_lo = lo;
        if (hi < c->clock_hi)
            c->clock_hi = hi;
    }
    c->nclock++;
}

static cJSON *json_body(const struct seg_http_result *res)
{
    return res->body ? cJSON_ParseWithLength(res->body, res->body_len) : NULL;
}

/* A count from an untrusted answer: dflt unless a number in 0..1e8 (casting a larger double,
 * e.g. 1e300, to an integer is undefined behaviour; no Lambda setting comes near 1e8). */
static long num(const cJSON *o, const char *name, long dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e8 ? (long)v->valuedouble
                                                                             : dflt;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *name_fix(const struct doc_ctx *c, const char *option)
{
    return c->o->sites_file ? "fix its row in --sites-file" : option;
}

static char *function_arn(const struct doc_ctx *c, const char *fn)
{
    return seg_xasprintf("arn:aws:lambda:%s:%s:function:%s", c->t->region, c->account_id, fn);
}

static void learn_account(struct doc_ctx *c, const char *arn)
{
    /* arn:aws:lambda:REGION:ACCOUNT:function:NAME */
    const char *p = arn;
    for (int i = 0; p && i < 4; i++)
        p = (p = strchr(p, ':')) ? p + 1 : NULL;
    const char *e = p ? strchr(p, ':') : NULL;
    if (e && e > p && (size_t)(e - p) < sizeof c->account_id && strcmp(c->account_id, "*") == 0)
        snprintf(c->account_id, sizeof c->account_id, "%.*s", (int)(e - p), p);
}

static void site_failed(struct doc_ctx *c, enum doc_kind k, const struct seg_site *s,
                        const char *what, const char *detail)
{
    doc_site_line(c->r, k, DOC_PROBLEM, s->n,
                  "could not be checked" DOC_FIX "rerun segtop doctor; if it persists, check "
                  "the endpoint",
                  "could not check %s (%s)" DOC_FIX "rerun segtop doctor; if it persists, check "
                  "the endpoint",
                  what, detail);
}

static void site_denied(struct doc_ctx *c, enum doc_kind k, const struct seg_site *s,
                        const char *action, const char *resource)
{
    char fold[160];
    snprintf(fold, sizeof fold, "missing permission %s" DOC_FIX IAM_FIX, action);
    doc_site_line(c->r, k, DOC_PROBLEM, s->n, fold, "missing permission %s on %s" DOC_FIX IAM_FIX,
                  action, resource);
}

static void on_fconfig(struct doc_ctx *c, size_t i, enum doc_res res,
                       const struct seg_http_result *r, const char *detail)
{
    const struct seg_site *s = &c->sites[i];
    struct doc_site_state *st = &c->st[i];
    char *arn = function_arn(c, s->function);
    if (res == DOC_R_OK) {
        cJSON *root = json_body(r);
        const char *farn = str(root, "FunctionArn");
        if (farn)
            learn_account(c, farn);
        st->timeout_s = (int)num(root, "Timeout", 3);
        st->memory_mb = (int)num(root, "MemorySize", 128);
        const cJSON *lc = cJSON_GetObjectItemCaseSensitive(root, "LoggingConfig");
        const char *fmt = str(lc, "LogFormat"), *group = str(lc, "LogGroup");
        st->log_format = seg_xstrdup(fmt ? fmt : "Text");
        st->log_group = group ? seg_xstrdup(group) : seg_xasprintf("/aws/lambda/%s", s->function);
        if (!root)
            st->res[DOC_OP_FCONFIG] = DOC_R_FAILED;
        cJSON_Delete(root);
        if (st->timeout_s < 35)
            doc_site_line(c->r, DOC_K_FUNCTION, DOC_WARN, s->n,
                          "Timeout below the pipeline's slowest measured run (34.8 s)" DOC_FIX
                          "raise the function's timeout",
                          "function %s has Timeout %d s, below the pipeline's slowest measured "
                          "run (34.8 s)" DOC_FIX "raise the function's timeout",
                          s->function, st->timeout_s);
    } else if (res == DOC_R_NOTFOUND) {
        char fold[160];
        snprintf(fold, sizeof fold, "function not found" DOC_FIX "deploy them or %s",
                 name_fix(c, "fix --function-pattern"));
        doc_site_line(c->r, DOC_K_FUNCTION, DOC_PROBLEM, s->n, fold,
                      "function %s not found (%s)" DOC_FIX "deploy it or %s", s->function,
                      r->error.code[0] ? r->error.code : "HTTP 404",
                      name_fix(c, "fix --function-pattern"));
    } else if (res == DOC_R_DENIED) {
        site_denied(c, DOC_K_FUNCTION, s, "lambda:GetFunctionConfiguration", arn);
    } else if (res != DOC_R_AUTH) {
        site_failed(c, DOC_K_FUNCTION, s, "function", detail);
    }
    free(arn);
}

static void on_fconc(struct doc_ctx *c, size_t i, enum doc_res res, const struct seg_http_result *r,
                     const char *detail)
{
    const struct seg_site *s = &c->sites[i];
    if (res == DOC_R_OK) {
        cJSON *root = json_body(r);
        c->st[i].reserved = (int)num(root, "ReservedConcurrentExecutions", -1);
        cJSON_Delete(root);
        if (c->st[i].reserved == 0)
            doc_site_line(c->r, DOC_K_CONCURRENCY, DOC_PROBLEM, s->n,
                          "reserved concurrency 0: every invocation is throttled" DOC_FIX
                          "remove it (aws lambda delete-function-concurrency)",
                          "function %s has reserved concurrency 0: every invocation is "
                          "throttled" DOC_FIX
                          "remove it (aws lambda delete-function-concurrency --function-name %s)",
                          s->function, s->function);
    } else if (res == DOC_R_DENIED) {
        char *arn = function_arn(c, s->function);
        site_denied(c, DOC_K_CONCURRENCY, s, "lambda:GetFunctionConcurrency", arn);
        free(arn);
    } else if (res != DOC_R_NOTFOUND && res != DOC_R_AUTH) {
        site_failed(c, DOC_K_CONCURRENCY, s, "reserved concurrency", detail);
    }
}

static void on_head(struct doc_ctx *c, size_t i, enum doc_res res, const struct seg_http_result *r,
                    const char *detail)
{
    const struct seg_site *s = &c->sites[i];
    char *arn = seg_xasprintf("arn:aws:s3:::%s", s->bucket);
    if (res == DOC_R_NOTFOUND) {
        char fold[160];
        snprintf(fold, sizeof fold, "bucket not found" DOC_FIX "create them or %s",
                 name_fix(c, "fix --bucket-pattern"));
        doc_site_line(c->r, DOC_K_BUCKET, DOC_PROBLEM, s->n, fold,
                      "bucket %s not found (%s)" DOC_FIX "create it or %s", s->bucket,
                      r->error.code[0] ? r->error.code : "HTTP 404",
                      name_fix(c, "fix --bucket-pattern"));
    } else if (res == DOC_R_REDIRECT) {
        const char *where = seg_http_result_header(r, "x-amz-bucket-region");
        doc_site_line(c->r, DOC_K_BUCKET, DOC_PROBLEM, s->n,
                      "bucket in another region" DOC_FIX "pass --region with the buckets' region",
                      "bucket %s is in region %s, not %s" DOC_FIX "pass --region %s", s->bucket,
                      where ? where : "(another)", c->t->region, where ? where : "REGION");
    } else if (res == DOC_R_DENIED) {
        char fold[200];
        snprintf(fold, sizeof fold,
                 "missing permission s3:ListBucket (HeadBucket: 403; or another account owns "
                 "the bucket)" DOC_FIX IAM_FIX);
        doc_site_line(c->r, DOC_K_BUCKET, DOC_PROBLEM, s->n, fold,
                      "missing permission s3:ListBucket on %s (HeadBucket: 403; or another "
                      "account owns the bucket)" DOC_FIX IAM_FIX,
                      arn);
    } else if (res == DOC_R_FAILED) {
        site_failed(c, DOC_K_BUCKET, s, "bucket", detail);
    }
    free(arn);
}

static void on_notif(struct doc_ctx *c, size_t i, enum doc_res res, const struct seg_http_result *r,
                     const char *detail)
{
    const struct seg_site *s = &c->sites[i];
    if (res == DOC_R_DENIED) {
        char *arn = seg_xasprintf("arn:aws:s3:::%s", s->bucket);
        site_denied(c, DOC_K_NOTIFICATION, s, "s3:GetBucketNotification", arn);
        free(arn);
        return;
    }
    if (res == DOC_R_FAILED)
        site_failed(c, DOC_K_NOTIFICATION, s, "the bucket's notification", detail);
    if (res != DOC_R_OK)
        return; /* a missing bucket or another region is reported by HeadBucket */
    char found[256];
    enum doc_notif_verdict v = doc_notif_check(r->body ? r->body : "", r->body_len, s->function,
                                               c->t->region, c->sample_key, found, sizeof found);
    c->st[i].notif = v;
    if (c->o->trigger != SEG_TRIGGER_S3) {
        /* The run keeps the wave's own invocation and counts the other as extra. */
        if (v == DOC_NOTIF_OK)
            doc_site_line(c->r, DOC_K_NOTIFICATION, DOC_WARN, s->n,
                          "bucket also notifies the function: each wave runs it twice (the "
                          "notification's runs count as extra, not as the wave's)" DOC_FIX
                          "use --trigger s3, or remove the notification",
                          "bucket %s also notifies %s on s3:ObjectCreated: each wave runs it "
                          "twice (the notification's runs count as extra, not as the "
                          "wave's)" DOC_FIX "use --trigger s3, or remove the notification",
                          s->bucket, s->function);
        return;
    }
    const char *fix = "add an event notification (s3:ObjectCreated:*) to the function, or use "
                      "--trigger invoke";
    if (v == DOC_NOTIF_NONE)
        doc_site_line(c->r, DOC_K_NOTIFICATION, DOC_PROBLEM, s->n,
                      "bucket does not notify the site's function" DOC_FIX
                      "add an event notification (s3:ObjectCreated:*), or use --trigger invoke",
                      "bucket %s does not notify %s on s3:ObjectCreated" DOC_FIX "%s", s->bucket,
                      s->function, fix);
    else if (v == DOC_NOTIF_NO_CREATE)
        doc_site_line(c->r, DOC_K_NOTIFICATION, DOC_PROBLEM, s->n,
                      "bucket notifies the function, but not on s3:ObjectCreated" DOC_FIX
                      "add s3:ObjectCreated:* to the notification's events",
                      "bucket %s notifies %s, but not on s3:ObjectCreated:* or :Put" DOC_FIX
                      "add s3:ObjectCreated:* to the notification's events",
                      s->bucket, s->function);
    else if (v == DOC_NOTIF_FILTERED)
        doc_site_line(c->r, DOC_K_NOTIFICATION, DOC_PROBLEM, s->n,
                      "bucket's notification filters out segtop's keys" DOC_FIX
                      "widen the filter, or make --key-template match it",
                      "bucket %s notifies %s, but %s rejects segtop's keys (%s)" DOC_FIX
                      "widen the filter, or make --key-template match it",
                      s->bucket, s->function, found, c->sample_key);
}

static void add_group(struct doc_ctx *c, const char *name)
{
    if (c->ngroups == c->groups_alloc) {
        c->groups_alloc = c->groups_alloc ? c->groups_alloc * 2 : 64;
        c->groups = seg_xrealloc(c->groups, c->groups_alloc * sizeof *c->groups);
    }
    c->groups[c->ngroups++] = seg_xstrdup(name);
}

static void on_groups(struct doc_ctx *c, enum doc_res res, const struct seg_http_result *r,
                      const char *detail)
{
    c->group_pages++;
    free(c->group_token);
    c->group_token = NULL;
    if (res != DOC_R_OK) {
        c->groups_res = res;
        set_msg(c->groups_msg, sizeof c->groups_msg, detail);
        return;
    }
    cJSON *root = json_body(r);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "logGroups"), *g;
    cJSON_ArrayForEach(g, arr)
    {
        const char *name = str(g, "logGroupName");
        if (name)
            add_group(c, name);
    }
    const char *next = str(root, "nextToken");
    if (!root) {
        c->groups_res = DOC_R_FAILED;
        snprintf(c->groups_msg, sizeof c->groups_msg, "DescribeLogGroups: unreadable answer");
    } else if (next && *next && c->group_pages >= DOC_GROUP_PAGES_MAX) {
        c->groups_truncated = true;
        c->groups_res = DOC_R_OK;
    } else if (next && *next) {
        c->group_token = seg_xstrdup(next);
        doc_enqueue(c, DOC_OP_GROUPS, 0);
    } else {
        c->groups_res = DOC_R_OK;
    }
    cJSON_Delete(root);
}

void doc_handle(struct doc_ctx *c, const struct seg_http_result *r)
{
    enum doc_op op = (enum doc_op)(r->id & 0xf);
    size_t i = (size_t)(r->id >> 4);
    char detail[400];
    enum doc_res res = classify(c, r, detail, sizeof detail);
    clock_sample(c, r);
    int svc = (int)r->service;
    if (res == DOC_R_UNREACHABLE && !c->unreach[svc][0])
        set_msg(c->unreach[svc], sizeof c->unreach[svc], detail);
    if (res == DOC_R_AUTH && !c->auth[svc][0])
        set_msg(c->auth[svc], sizeof c->auth[svc], detail);
    if (res == DOC_R_UNREACHABLE)
        res = DOC_R_FAILED; /* past the first round, one lost answer is one unchecked item */
    if (i >= c->nsites || op >= DOC_OP__N)
        return;
    c->st[i].res[op] = res;
    switch (op) {
    case DOC_OP_ACCOUNT:
        c->account = res;
        if (res == DOC_R_OK) {
            cJSON *root = json_body(r);
            const cJSON *lim = cJSON_GetObjectItemCaseSensitive(root, "AccountLimit");
            c->limit = num(lim, "ConcurrentExecutions", -1);
            c->unreserved = num(lim, "UnreservedConcurrentExecutions", c->limit);
            if (c->limit < 0)
                c->account = DOC_R_FAILED;
            cJSON_Delete(root);
        }
        set_msg(c->account_msg, sizeof c->account_msg, detail);
        break;
    case DOC_OP_FCONFIG:
        on_fconfig(c, i, res, r, detail);
        break;
    case DOC_OP_FCONC:
        on_fconc(c, i, res, r, detail);
        break;
    case DOC_OP_HEAD:
        on_head(c, i, res, r, detail);
        break;
    case DOC_OP_NOTIF:
        on_notif(c, i, res, r, detail);
        break;
    case DOC_OP_GROUPS:
        on_groups(c, res, r, detail);
        break;
    case DOC_OP_DRYRUN:
    case DOC_OP_FILTER:
        set_msg(c->probe_msg[op], sizeof c->probe_msg[op], detail);
        break;
    default:
        break;
    }
}
