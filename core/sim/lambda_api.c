#include "sim/lambda_api.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "sim/errors.h"
#include "sim/query.h"
#include "util/crypto.h"
#include "util/xalloc.h"

#define DEFAULT_ACCOUNT "123456789012"
#define LOG_TAIL_MAX    4096 /* X-Amz-Log-Result: "the last 4 KB of the execution log" */

struct seg_sim_lambda_api {
    struct seg_sim_fleet *fleet;
    char *region;
    char *account;
    char last_modified[40]; /* the functions' LastModified: when the simulator started */
};

/* ---- small helpers ---- */

static void error(struct seg_httpd_response *resp, int status, const char *code, const char *msg)
{
    struct seg_sim_error e = {.status = status, .code = code, .message = msg};
    seg_sim_error_render(SEG_AWS_LAMBDA, &e, resp);
}

static void send_json(struct seg_httpd_response *resp, int status, cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!text) {
        error(resp, 500, "ServiceException", "The Lambda service encountered an internal error.");
        return;
    }
    resp->status = status;
    seg_httpd_response_set_header(resp, "Content-Type", "application/json");
    seg_httpd_response_set_body(resp, text, strlen(text));
    cJSON_free(text);
}

/* ---- routes ---- */

static bool has_prefix(const char *s, const char *p, const char **rest)
{
    size_t n = strlen(p);
    if (strncmp(s, p, n) != 0)
        return false;
    *rest = s + n;
    return true;
}

/* "{label}" or "{label}/suffix" at s: the label decoded, and what follows it. */
static enum seg_err take_label(const char *s, char **label, const char **after)
{
    size_t n = strcspn(s, "/");
    if (n == 0)
        return SEG_ERR_PARSE;
    enum seg_err rc = seg_sim_pct_decode(s, n, label);
    if (!rc)
        *after = s + n;
    return rc;
}

enum seg_err seg_sim_lambda_parse_route(const char *method, const char *path,
                                        struct seg_sim_lambda_route *out)
{
    memset(out, 0, sizeof *out);
    const char *rest, *after;
    bool get = strcmp(method, "GET") == 0;
    if (has_prefix(path, "/2016-08-19/account-settings", &rest)) {
        if (get && (strcmp(rest, "") == 0 || strcmp(rest, "/") == 0))
            out->op = SEG_SIM_LAMBDA_GET_ACCOUNT_SETTINGS;
        return SEG_OK;
    }
    if (has_prefix(path, "/2019-09-30/functions/", &rest)) {
        char *label = NULL;
        if (take_label(rest, &label, &after))
            return SEG_ERR_PARSE;
        if (get && strcmp(after, "/concurrency") == 0) {
            out->op = SEG_SIM_LAMBDA_GET_FUNCTION_CONCURRENCY;
            out->function = label;
        } else {
            free(label);
        }
        return SEG_OK;
    }
    if (!has_prefix(path, "/2015-03-31/functions", &rest))
        return SEG_OK;
    if (strcmp(rest, "") == 0 || strcmp(rest, "/") == 0) {
        if (get)
            out->op = SEG_SIM_LAMBDA_LIST_FUNCTIONS;
        return SEG_OK;
    }
    if (rest[0] != '/')
        return SEG_OK;
    char *label = NULL;
    if (take_label(rest + 1, &label, &after))
        return SEG_ERR_PARSE;
    if (strcmp(method, "POST") == 0 && strcmp(after, "/invocations") == 0)
        out->op = SEG_SIM_LAMBDA_INVOKE;
    else if (get && strcmp(after, "/configuration") == 0)
        out->op = SEG_SIM_LAMBDA_GET_FUNCTION_CONFIGURATION;
    else if (get && (strcmp(after, "") == 0 || strcmp(after, "/") == 0))
        out->op = SEG_SIM_LAMBDA_GET_FUNCTION;
    if (out->op == SEG_SIM_LAMBDA_UNKNOWN)
        free(label);
    else
        out->function = label;
    return SEG_OK;
}

void seg_sim_lambda_route_release(struct seg_sim_lambda_route *r)
{
    if (!r)
        return;
    free(r->function);
    memset(r, 0, sizeof *r);
}

/* ---- function names ---- */

static bool all_of(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++) {
        if (!s[i] || !strchr(set, s[i]))
            return false;
    }
    return true;
}

#define NAME_CHARS  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
#define QUAL_CHARS  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_$"
#define DIGITS      "0123456789"
#define REGION_CHAR "abcdefghijklmnopqrstuvwxyz0123456789-"

void seg_sim_lambda_name_release(struct seg_sim_lambda_name *n)
{
    if (!n)
        return;
    free(n->name);
    free(n->qualifier);
    free(n->region);
    free(n->account);
    memset(n, 0, sizeof *n);
}

enum seg_err seg_sim_lambda_split_name(const char *given, struct seg_sim_lambda_name *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(given);
    if (len == 0 || len > 256)
        return SEG_ERR_INVALID;
    /* Split on ':' into at most 8 parts. */
    const char *part[8];
    size_t plen[8];
    int np = 0;
    const char *p = given;
    for (;;) {
        if (np == 8)
            return SEG_ERR_INVALID;
        size_t n = strcspn(p, ":");
        part[np] = p;
        plen[np++] = n;
        if (!p[n])
            break;
        p += n + 1;
    }
    int name_at, qual_at = -1;
    if (np >= 7 && plen[0] == 3 && strncmp(part[0], "arn", 3) == 0) {
        /* arn:aws:lambda:region:account:function:name[:qualifier] */
        if (np > 8 || plen[2] != 6 || strncmp(part[2], "lambda", 6) != 0 || plen[5] != 8 ||
            strncmp(part[5], "function", 8) != 0 || plen[4] != 12 || !all_of(part[4], 12, DIGITS) ||
            plen[3] == 0 || !all_of(part[3], plen[3], REGION_CHAR))
            return SEG_ERR_INVALID;
        out->region = seg_xstrndup(part[3], plen[3]);
        out->account = seg_xstrndup(part[4], 12);
        name_at = 6;
        qual_at = np == 8 ? 7 : -1;
    } else if (np >= 3 && plen[1] == 8 && strncmp(part[1], "function", 8) == 0) {
        /* account:function:name[:qualifier] */
        if (np > 4 || plen[0] != 12 || !all_of(part[0], 12, DIGITS))
            return SEG_ERR_INVALID;
        out->account = seg_xstrndup(part[0], 12);
        name_at = 2;
        qual_at = np == 4 ? 3 : -1;
    } else if (np <= 2) {
        name_at = 0;
        qual_at = np == 2 ? 1 : -1;
    } else {
        seg_sim_lambda_name_release(out);
        return SEG_ERR_INVALID;
    }
    size_t nl = plen[name_at];
    if (nl == 0 || nl > 64 || !all_of(part[name_at], nl, NAME_CHARS) ||
        (qual_at >= 0 && (plen[qual_at] == 0 || plen[qual_at] > 128 ||
                          !all_of(part[qual_at], plen[qual_at], QUAL_CHARS)))) {
        seg_sim_lambda_name_release(out);
        return SEG_ERR_INVALID;
    }
    out->name = seg_xstrndup(part[name_at], nl);
    if (qual_at >= 0)
        out->qualifier = seg_xstrndup(part[qual_at], plen[qual_at]);
    return SEG_OK;
}

/* ---- lifecycle ---- */

struct seg_sim_lambda_api *seg_sim_lambda_api_new(const struct seg_sim_lambda_config *cfg)
{
    struct seg_sim_lambda_api *api = seg_xcalloc(1, sizeof *api);
    api->fleet = cfg->fleet;
    api->region = seg_xstrdup(cfg->region ? cfg->region : "us-west-1");
    api->account = seg_xstrdup(cfg->account_id ? cfg->account_id : DEFAULT_ACCOUNT);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(api->last_modified, sizeof api->last_modified, "%Y-%m-%dT%H:%M:%S.000+0000", &tm);
    return api;
}

void seg_sim_lambda_api_free(struct seg_sim_lambda_api *api)
{
    if (!api)
        return;
    free(api->region);
    free(api->account);
    free(api);
}

/* ---- resolving the addressed function ---- */

static char *function_arn(const struct seg_sim_lambda_api *api, const char *name,
                          const char *qualifier)
{
    return seg_xasprintf("arn:aws:lambda:%s:%s:function:%s%s%s", api->region, api->account, name,
                         qualifier ? ":" : "", qualifier ? qualifier : "");
}

/* The site, or false with resp holding Lambda's answer (400 ValidationException for a
 * malformed name, 404 ResourceNotFoundException for an unknown function or qualifier). */
static bool resolve(struct seg_sim_lambda_api *api, const struct seg_http_req *req,
                    const char *label, const struct seg_site **site,
                    struct seg_httpd_response *resp)
{
    struct seg_sim_lambda_name nm;
    if (seg_sim_lambda_split_name(label, &nm) != SEG_OK) {
        char *msg = seg_xasprintf(
            "1 validation error detected: Value '%.300s' at 'functionName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
            "(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
            label);
        error(resp, 400, "ValidationException", msg);
        free(msg);
        return false;
    }
    bool ok = true;
    char *q = seg_sim_query_get(req->query, "Qualifier");
    if (q && nm.qualifier && strcmp(q, nm.qualifier) != 0) {
        error(resp, 400, "InvalidParameterValueException",
              "The derived qualifier from the function name does not match the specified "
              "qualifier.");
        ok = false;
    }
    const char *qual = nm.qualifier ? nm.qualifier : q;
    const struct seg_site *s = NULL;
    if (ok) {
        bool ours = (!nm.region || strcmp(nm.region, api->region) == 0) &&
                    (!nm.account || strcmp(nm.account, api->account) == 0);
        s = ours ? seg_sim_fleet_find_function(api->fleet, nm.name) : NULL;
        /* Only $LATEST exists: no versions or aliases are published. */
        if (!s || (qual && strcmp(qual, "$LATEST") != 0)) {
            char *arn = function_arn(api, nm.name, qual);
            char *msg = seg_xasprintf("Function not found: %s", arn);
            error(resp, 404, "ResourceNotFoundException", msg);
            free(msg);
            free(arn);
            ok = false;
        }
    }
    free(q);
    seg_sim_lambda_name_release(&nm);
    if (ok)
        *site = s;
    return ok;
}

/* ---- configuration documents ---- */

static cJSON *function_config(const struct seg_sim_lambda_api *api, const struct seg_site *s)
{
    cJSON *o = cJSON_CreateObject();
    char *arn = function_arn(api, s->function, NULL);
    char *role = seg_xasprintf("arn:aws:iam::%s:role/segtop-sim-lambda-role", api->account);
    char sha[SEG_SHA256_HEX_LEN + 1];
    seg_sha256_hex(s->function, strlen(s->function), sha);
    char rev[SEG_SIM_REQUEST_ID_SIZE];
    seg_sim_request_id_new(SEG_AWS_LAMBDA, rev);
    (void)cJSON_AddStringToObject(o, "FunctionName", s->function);
    (void)cJSON_AddStringToObject(o, "FunctionArn", arn);
    (void)cJSON_AddStringToObject(o, "Role", role);
    (void)cJSON_AddNumberToObject(o, "CodeSize", 0);
    (void)cJSON_AddStringToObject(o, "Description", "");
    (void)cJSON_AddNumberToObject(o, "Timeout", s->timeout_s);
    (void)cJSON_AddNumberToObject(o, "MemorySize", s->memory_mb);
    (void)cJSON_AddStringToObject(o, "LastModified", api->last_modified);
    (void)cJSON_AddStringToObject(o, "CodeSha256", sha);
    (void)cJSON_AddStringToObject(o, "Version", "$LATEST");
    cJSON *tracing = cJSON_AddObjectToObject(o, "TracingConfig");
    (void)cJSON_AddStringToObject(tracing, "Mode", "PassThrough");
    (void)cJSON_AddStringToObject(o, "RevisionId", rev);
    (void)cJSON_AddStringToObject(o, "State", "Active");
    (void)cJSON_AddStringToObject(o, "LastUpdateStatus", "Successful");
    (void)cJSON_AddStringToObject(o, "PackageType", "Image"); /* container image: no Runtime */
    cJSON *arch = cJSON_AddArrayToObject(o, "Architectures");
    cJSON_AddItemToArray(arch, cJSON_CreateString("x86_64"));
    cJSON *eph = cJSON_AddObjectToObject(o, "EphemeralStorage");
    (void)cJSON_AddNumberToObject(eph, "Size", 512);
    cJSON *snap = cJSON_AddObjectToObject(o, "SnapStart");
    (void)cJSON_AddStringToObject(snap, "ApplyOn", "None");
    (void)cJSON_AddStringToObject(snap, "OptimizationStatus", "Off");
    cJSON *lc = cJSON_AddObjectToObject(o, "LoggingConfig");
    (void)cJSON_AddStringToObject(lc, "LogFormat", s->json_logs ? "JSON" : "Text");
    if (s->json_logs) { /* the log levels exist only for the JSON format */
        (void)cJSON_AddStringToObject(lc, "ApplicationLogLevel", "INFO");
        (void)cJSON_AddStringToObject(lc, "SystemLogLevel", "INFO");
    }
    (void)cJSON_AddStringToObject(lc, "LogGroup", s->log_group);
    free(arn);
    free(role);
    return o;
}

static void list_functions(struct seg_sim_lambda_api *api, const struct seg_http_req *req,
                           struct seg_httpd_response *resp)
{
    size_t n = seg_sim_fleet_nsites(api->fleet);
    size_t start = 0, max = SEG_SIM_LAMBDA_PAGE_MAX;
    char *marker = seg_sim_query_get(req->query, "Marker");
    char *maxs = seg_sim_query_get(req->query, "MaxItems");
    bool ok = true;
    if (maxs) {
        char *end;
        errno = 0;
        long v = strtol(maxs, &end, 10);
        if (!*maxs || *end || errno || v < 1 || v > 10000) {
            char *msg = seg_xasprintf("1 validation error detected: Value '%.40s' at 'maxItems' "
                                      "failed to satisfy constraint: Member must have value "
                                      "between 1 and 10000",
                                      maxs);
            error(resp, 400, "ValidationException", msg);
            free(msg);
            ok = false;
        } else if ((size_t)v < max) {
            max = (size_t)v;
        }
    }
    if (ok && marker) {
        /* Our markers are "segtop-sim-<index>"; AWS's are opaque too. */
        char *end;
        const char *num = strncmp(marker, "segtop-sim-", 11) == 0 ? marker + 11 : "";
        errno = 0;
        unsigned long v = strtoul(num, &end, 10);
        if (!*num || *end || errno || v > n) {
            error(resp, 400, "InvalidParameterValueException", "Invalid marker");
            ok = false;
        } else {
            start = v;
        }
    }
    if (ok) {
        cJSON *root = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(root, "Functions");
        size_t i;
        for (i = start; i < n && i - start < max; i++)
            cJSON_AddItemToArray(arr, function_config(api, seg_sim_fleet_site(api->fleet, i)));
        if (i < n) {
            char next[40];
            snprintf(next, sizeof next, "segtop-sim-%zu", i);
            (void)cJSON_AddStringToObject(root, "NextMarker", next);
        }
        send_json(resp, 200, root);
    }
    free(marker);
    free(maxs);
}

static void get_function(struct seg_sim_lambda_api *api, const struct seg_site *s,
                         struct seg_httpd_response *resp)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "Configuration", function_config(api, s));
    cJSON *code = cJSON_AddObjectToObject(root, "Code");
    char *uri =
        seg_xasprintf("%s.dkr.ecr.%s.amazonaws.com/segmentation:latest", api->account, api->region);
    (void)cJSON_AddStringToObject(code, "RepositoryType", "ECR");
    (void)cJSON_AddStringToObject(code, "ImageUri", uri);
    free(uri);
    if (s->reserved >= 0) {
        cJSON *c = cJSON_AddObjectToObject(root, "Concurrency");
        (void)cJSON_AddNumberToObject(c, "ReservedConcurrentExecutions", s->reserved);
    }
    send_json(resp, 200, root);
}

static void get_concurrency(const struct seg_site *s, struct seg_httpd_response *resp)
{
    cJSON *root = cJSON_CreateObject(); /* {} when no reserved concurrency is set */
    if (s->reserved >= 0)
        (void)cJSON_AddNumberToObject(root, "ReservedConcurrentExecutions", s->reserved);
    send_json(resp, 200, root);
}

static void get_account_settings(struct seg_sim_lambda_api *api, struct seg_httpd_response *resp)
{
    int limit = seg_sim_fleet_account_concurrency(api->fleet);
    size_t n = seg_sim_fleet_nsites(api->fleet);
    long reserved = 0;
    for (size_t i = 0; i < n; i++) {
        const struct seg_site *s = seg_sim_fleet_site(api->fleet, i);
        if (s->reserved > 0)
            reserved += s->reserved;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON *lim = cJSON_AddObjectToObject(root, "AccountLimit");
    (void)cJSON_AddNumberToObject(lim, "TotalCodeSize", 80530636800.0);
    (void)cJSON_AddNumberToObject(lim, "CodeSizeUnzipped", 262144000);
    (void)cJSON_AddNumberToObject(lim, "CodeSizeZipped", 52428800);
    (void)cJSON_AddNumberToObject(lim, "ConcurrentExecutions", limit);
    (void)cJSON_AddNumberToObject(lim, "UnreservedConcurrentExecutions",
                                  (double)(limit - reserved > 0 ? limit - reserved : 0));
    cJSON *use = cJSON_AddObjectToObject(root, "AccountUsage");
    (void)cJSON_AddNumberToObject(use, "TotalCodeSize", 0);
    (void)cJSON_AddNumberToObject(use, "FunctionCount", (double)n);
    send_json(resp, 200, root);
}

/* ---- Invoke ---- */

struct invoke_ctx {
    bool tail;
};

static void throttled(const struct seg_sim_invoke_result *r, struct seg_httpd_response *resp)
{
    char retry[24];
    snprintf(retry, sizeof retry, "%d", r->retry_after_s > 0 ? r->retry_after_s : 1);
    cJSON *o = cJSON_CreateObject();
    (void)cJSON_AddStringToObject(
        o, "Reason", r->throttle_reason ? r->throttle_reason : "ConcurrentInvocationLimitExceeded");
    (void)cJSON_AddStringToObject(o, "Type", "User");
    (void)cJSON_AddStringToObject(o, "message", "Rate Exceeded.");
    send_json(resp, 429, o);
    seg_httpd_response_set_header(resp, "X-Amzn-ErrorType", "TooManyRequestsException");
    seg_httpd_response_set_header(resp, "Retry-After", retry);
}

/* The fleet's end-of-execution callback (its timer thread): answer the held connection. */
static void invoke_done(void *ud, const char *request_id, const char *function_error,
                        const char *payload, const char *log_tail)
{
    struct seg_httpd_deferred *d = ud;
    const struct invoke_ctx *ctx = seg_httpd_deferred_ud(d);
    struct seg_httpd_response r;
    seg_httpd_response_init(&r);
    r.status = 200;
    seg_httpd_response_add_header(&r, "Content-Type", "application/json");
    seg_httpd_response_add_header(&r, "x-amzn-RequestId", request_id ? request_id : "");
    seg_httpd_response_add_header(&r, "X-Amz-Executed-Version", "$LATEST");
    if (function_error)
        seg_httpd_response_add_header(&r, "X-Amz-Function-Error", function_error);
    if (ctx && ctx->tail) {
        const char *t = log_tail ? log_tail : "";
        size_t n = strlen(t);
        const char *from = n > LOG_TAIL_MAX ? t + n - LOG_TAIL_MAX : t;
        char *b64 = seg_sim_base64(from, strlen(from));
        seg_httpd_response_add_header(&r, "X-Amz-Log-Result", b64);
        free(b64);
    }
    const char *body = payload ? payload : "null";
    seg_httpd_response_set_body(&r, body, strlen(body));
    seg_httpd_deferred_finish(d, &r);
    seg_httpd_response_release(&r);
}

static bool parse_invocation_type(const char *v, enum seg_sim_invoke_mode *mode)
{
    if (!v || strcmp(v, "RequestResponse") == 0)
        *mode = SEG_SIM_SYNC;
    else if (strcmp(v, "Event") == 0)
        *mode = SEG_SIM_ASYNC;
    else if (strcmp(v, "DryRun") == 0)
        *mode = SEG_SIM_DRYRUN;
    else
        return false;
    return true;
}

/* Header checks and the payload: false with resp holding Lambda's 400 or 413. */
static bool invoke_checks(const struct seg_http_req *req, enum seg_sim_invoke_mode *mode,
                          bool *tail, struct seg_httpd_response *resp)
{
    const char *it = seg_http_req_header(req, "X-Amz-Invocation-Type");
    const char *lt = seg_http_req_header(req, "X-Amz-Log-Type");
    if (!parse_invocation_type(it, mode)) {
        char *msg = seg_xasprintf("1 validation error detected: Value '%.60s' at "
                                  "'invocationType' failed to satisfy constraint: Member must "
                                  "satisfy enum value set: [Event, RequestResponse, DryRun]",
                                  it);
        error(resp, 400, "ValidationException", msg);
        free(msg);
        return false;
    }
    if (lt && strcmp(lt, "None") != 0 && strcmp(lt, "Tail") != 0) {
        char *msg = seg_xasprintf("1 validation error detected: Value '%.60s' at 'logType' failed "
                                  "to satisfy constraint: Member must satisfy enum value set: "
                                  "[None, Tail]",
                                  lt);
        error(resp, 400, "ValidationException", msg);
        free(msg);
        return false;
    }
    *tail = lt && strcmp(lt, "Tail") == 0 && *mode == SEG_SIM_SYNC;
    size_t cap =
        *mode == SEG_SIM_ASYNC ? SEG_SIM_LAMBDA_ASYNC_PAYLOAD_MAX : SEG_SIM_LAMBDA_SYNC_PAYLOAD_MAX;
    if (req->body_len > cap) {
        char *msg = seg_xasprintf("Request must be smaller than %zu bytes for the %s operation",
                                  cap, *mode == SEG_SIM_ASYNC ? "InvokeAsync" : "InvokeFunction");
        error(resp, 413, "RequestTooLargeException", msg);
        free(msg);
        return false;
    }
    if (req->body_len > 0) {
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts((const char *)req->body, req->body_len, &end, false);
        if (!j) {
            size_t off = end ? (size_t)(end - (const char *)req->body) : 0;
            char *msg = seg_xasprintf("Could not parse request body into json: Could not parse "
                                      "payload into json: Unexpected character at offset %zu",
                                      off);
            error(resp, 400, "InvalidRequestContentException", msg);
            free(msg);
            return false;
        }
        cJSON_Delete(j);
    }
    return true;
}

static void invoke(struct seg_sim_lambda_api *api, const struct seg_http_req *req,
                   const struct seg_site *site, struct seg_httpd_response *resp)
{
    enum seg_sim_invoke_mode mode;
    bool tail = false;
    if (!invoke_checks(req, &mode, &tail, resp))
        return;
    struct seg_sim_invoke inv = {
        .site = site,
        .mode = mode,
        .payload = (const char *)req->body,
        .payload_len = req->body_len,
    };
    struct seg_sim_invoke_result res;
    memset(&res, 0, sizeof res);
    struct seg_httpd_deferred *d = NULL;
    if (mode == SEG_SIM_SYNC) {
        /* Deferred before the call: the fleet may finish on its thread before we return. */
        struct invoke_ctx *ctx = seg_xcalloc(1, sizeof *ctx);
        ctx->tail = tail;
        d = seg_httpd_defer(resp, ctx, free);
    }
    enum seg_err rc =
        seg_sim_fleet_invoke(api->fleet, &inv, mode == SEG_SIM_SYNC ? invoke_done : NULL, d, &res);
    if (rc == SEG_OK && res.request_id[0])
        seg_httpd_response_set_header(resp, "x-amzn-RequestId", res.request_id);
    if (rc != SEG_OK || res.status == SEG_SIM_THROTTLED) {
        struct seg_httpd_response now;
        seg_httpd_response_init(&now);
        struct seg_httpd_response *target = d ? &now : resp;
        if (rc != SEG_OK)
            error(target, 500, "ServiceException",
                  "The Lambda service encountered an internal error.");
        else
            throttled(&res, target);
        if (d) { /* answered at once: the connection is never held */
            (void)seg_sim_response_stamp(SEG_AWS_LAMBDA, &now);
            seg_httpd_deferred_finish(d, &now);
        }
        seg_httpd_response_release(&now);
        return;
    }
    if (mode == SEG_SIM_SYNC) {
        /* The fallback, sent only if the simulator stops before the execution ends. */
        error(resp, 500, "ServiceException", "The Lambda service encountered an internal error.");
        return;
    }
    resp->status = mode == SEG_SIM_ASYNC ? 202 : 204;
    seg_httpd_response_set_header(resp, "Content-Type", "application/json");
}

/* ---- dispatch ---- */

void seg_sim_lambda_handle(struct seg_sim_lambda_api *api, const struct seg_http_req *req,
                           struct seg_httpd_response *resp)
{
    struct seg_sim_lambda_route route;
    if (seg_sim_lambda_parse_route(req->method, req->path, &route) != SEG_OK) {
        error(resp, 400, "ValidationException",
              "1 validation error detected: Value at 'functionName' failed to satisfy "
              "constraint: Member must not be a malformed percent-encoding");
        return;
    }
    const struct seg_site *site = NULL;
    if (route.function && !resolve(api, req, route.function, &site, resp)) {
        seg_sim_lambda_route_release(&route);
        return;
    }
    switch (route.op) {
    case SEG_SIM_LAMBDA_INVOKE:
        invoke(api, req, site, resp);
        break;
    case SEG_SIM_LAMBDA_LIST_FUNCTIONS:
        list_functions(api, req, resp);
        break;
    case SEG_SIM_LAMBDA_GET_FUNCTION:
        get_function(api, site, resp);
        break;
    case SEG_SIM_LAMBDA_GET_FUNCTION_CONFIGURATION:
        send_json(resp, 200, function_config(api, site));
        break;
    case SEG_SIM_LAMBDA_GET_FUNCTION_CONCURRENCY:
        get_concurrency(site, resp);
        break;
    case SEG_SIM_LAMBDA_GET_ACCOUNT_SETTINGS:
        get_account_settings(api, resp);
        break;
    case SEG_SIM_LAMBDA_UNKNOWN:
    default: {
        char *msg =
            seg_xasprintf("The simulator does not implement %s %.200s", req->method, req->path);
        error(resp, 404, "UnknownOperationException", msg);
        free(msg);
        break;
    }
    }
    seg_sim_lambda_route_release(&route);
}
