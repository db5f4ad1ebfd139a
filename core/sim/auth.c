#include "sim/auth.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "util/crypto.h"
#include "util/xalloc.h"

struct seg_sim_auth {
    const struct seg_sim_keystore *keys;
    int max_skew_s;
    char *region;
    seg_httpd_handler_fn *next;
    void *next_ud;
    seg_sim_clock_fn *clock;
    void *clock_ud;
    atomic_uint_fast64_t accepted;
    atomic_uint_fast64_t rejected;
};

/* ---- which service ---- */

/* API versions in Lambda's REST paths (botocore's lambda model requestUris). */
static const char *const lambda_versions[] = {
    "2014-11-13", "2015-03-31", "2016-08-19", "2017-03-31", "2017-10-31", "2018-10-31",
    "2019-09-25", "2019-09-30", "2020-04-22", "2020-06-30", "2021-10-31", "2024-08-31",
};

enum seg_aws_service seg_sim_classify(const struct seg_http_req *req)
{
    if (seg_http_req_header(req, "X-Amz-Target"))
        return SEG_AWS_LOGS;
    const char *p = req->path ? req->path : "/";
    for (size_t i = 0; i < SEG_ARRAY_LEN(lambda_versions); i++) {
        if (p[0] == '/' && strncmp(p + 1, lambda_versions[i], 10) == 0 &&
            (p[11] == '/' || p[11] == '\0'))
            return SEG_AWS_LAMBDA;
    }
    return SEG_AWS_S3;
}

/* ---- lifecycle ---- */

enum seg_err seg_sim_auth_new(const struct seg_sim_auth_config *cfg, struct seg_sim_auth **out)
{
    if (!cfg || !out || !cfg->keys || !cfg->next || cfg->max_skew_s < 0)
        return SEG_ERR_INVALID;
    struct seg_sim_auth *a = seg_xcalloc(1, sizeof *a);
    a->keys = cfg->keys;
    a->max_skew_s = cfg->max_skew_s ? cfg->max_skew_s : SEG_SIM_AUTH_DEFAULT_SKEW_S;
    a->region = cfg->region ? seg_xstrdup(cfg->region) : NULL;
    a->next = cfg->next;
    a->next_ud = cfg->next_ud;
    a->clock = cfg->clock;
    a->clock_ud = cfg->clock_ud;
    *out = a;
    return SEG_OK;
}

void seg_sim_auth_free(struct seg_sim_auth *a)
{
    if (!a)
        return;
    free(a->region);
    free(a);
}

void seg_sim_auth_counters(const struct seg_sim_auth *a, struct seg_sim_auth_counters *out)
{
    memset(out, 0, sizeof *out);
    if (!a)
        return;
    struct seg_sim_auth *m = (struct seg_sim_auth *)(uintptr_t)a; /* atomics: loads only */
    out->accepted = atomic_load(&m->accepted);
    out->rejected = atomic_load(&m->rejected);
}

/* ---- rejections, worded as AWS words them ---- */

#define MSG_MISMATCH_S3                                                                     \
    "The request signature we calculated does not match the signature you provided. Check " \
    "your key and signing method."
#define MSG_MISMATCH_JSON                                                                   \
    "The request signature we calculated does not match the signature you provided. Check " \
    "your AWS Secret Access Key and signing method. Consult the service documentation for " \
    "details."

/* Lambda (restJson1) answers auth failures with 403; Logs (awsJson1_1) with 400. */
static int json_auth_status(enum seg_aws_service svc)
{
    return svc == SEG_AWS_LOGS ? 400 : 403;
}

static void render(enum seg_aws_service svc, int status, const char *code, const char *msg,
                   const struct seg_sim_error_field *fields, size_t n,
                   struct seg_httpd_response *resp)
{
    struct seg_sim_error e = {
        .status = status, .code = code, .message = msg, .fields = fields, .nfields = n};
    seg_sim_error_render(svc, &e, resp);
}

static void signature_provided(const struct seg_http_req *req, char out[129])
{
    out[0] = '\0';
    const char *auth = seg_http_req_header(req, "Authorization");
    const char *s = auth ? strstr(auth, "Signature=") : NULL;
    if (!s)
        return;
    s += 10;
    size_t n = strcspn(s, ", ");
    snprintf(out, 129, "%.*s", (int)(n < 128 ? n : 128), s);
}

static void reject_mismatch(enum seg_aws_service svc, const struct seg_http_req *req,
                            const struct seg_sigv4_verify_result *v,
                            struct seg_httpd_response *resp)
{
    const char *cr = v->canonical_request ? v->canonical_request : "";
    const char *sts = v->string_to_sign ? v->string_to_sign : "";
    if (svc == SEG_AWS_S3) {
        char sig[129];
        signature_provided(req, sig);
        const struct seg_sim_error_field f[] = {
            {"AWSAccessKeyId", v->access_key_id},
            {"StringToSign", sts},
            {"SignatureProvided", sig},
            {"CanonicalRequest", cr},
        };
        render(svc, 403, "SignatureDoesNotMatch", MSG_MISMATCH_S3, f, SEG_ARRAY_LEN(f), resp);
        return;
    }
    char *msg = seg_xasprintf("%s\n\nThe Canonical String for this request should have been\n"
                              "'%s'\n\nThe String-to-Sign should have been\n'%s'\n",
                              MSG_MISMATCH_JSON, cr, sts);
    render(svc, json_auth_status(svc), "InvalidSignatureException", msg, NULL, 0, resp);
    free(msg);
}

static void reject_payload(enum seg_aws_service svc, const struct seg_http_req *req,
                           const struct seg_sigv4_verify_result *v, struct seg_httpd_response *resp)
{
    if (svc != SEG_AWS_S3) { /* only S3 has a payload header of its own */
        render(svc, json_auth_status(svc), "InvalidSignatureException", v->detail, NULL, 0, resp);
        return;
    }
    const char *given = seg_http_req_header(req, "x-amz-content-sha256");
    if (!given) {
        render(svc, 400, "InvalidRequest",
               "Missing required header for this request: x-amz-content-sha256", NULL, 0, resp);
        return;
    }
    bool hex = strlen(given) == 64 && strspn(given, "0123456789abcdef") == 64;
    if (!hex) {
        const struct seg_sim_error_field f[] = {
            {"ArgumentName", "x-amz-content-sha256"},
            {"ArgumentValue", given},
        };
        render(svc, 400, "InvalidArgument",
               "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
               "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.",
               f, SEG_ARRAY_LEN(f), resp);
        return;
    }
    char computed[SEG_SHA256_HEX_LEN + 1];
    seg_sha256_hex(req->body ? (const void *)req->body : "", req->body_len, computed);
    const struct seg_sim_error_field f[] = {
        {"ClientComputedContentSHA256", given},
        {"S3ComputedContentSHA256", computed},
    };
    render(svc, 400, "XAmzContentSHA256Mismatch",
           "The provided 'x-amz-content-sha256' header does not match what was computed.", f,
           SEG_ARRAY_LEN(f), resp);
}

static void reject_skew(struct seg_sim_auth *a, enum seg_aws_service svc,
                        const struct seg_sigv4_verify_result *v, time_t now,
                        struct seg_httpd_response *resp)
{
    if (svc != SEG_AWS_S3) {
        render(svc, json_auth_status(svc), "InvalidSignatureException", v->detail, NULL, 0, resp);
        return;
    }
    char server[32], max_ms[32];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(server, sizeof server, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(max_ms, sizeof max_ms, "%lld", (long long)a->max_skew_s * 1000);
    const struct seg_sim_error_field f[] = {
        {"RequestTime", v->amz_date},
        {"ServerTime", server},
        {"MaxAllowedSkewMilliseconds", max_ms},
    };
    render(svc, 403, "RequestTimeTooSkewed",
           "The difference between the request time and the current time is too large.", f,
           SEG_ARRAY_LEN(f), resp);
}

static void reject(struct seg_sim_auth *a, enum seg_aws_service svc, const struct seg_http_req *req,
                   const struct seg_sigv4_verify_result *v, time_t now,
                   struct seg_httpd_response *resp)
{
    bool s3 = svc == SEG_AWS_S3;
    int js = json_auth_status(svc);
    switch (v->verdict) {
    case SEG_SIGV4_MISSING:
        if (s3)
            render(svc, 403, "AccessDenied", "Access Denied", NULL, 0, resp);
        else
            render(svc, js, "MissingAuthenticationTokenException", "Missing Authentication Token",
                   NULL, 0, resp);
        break;
    case SEG_SIGV4_UNKNOWN_KEY:
        if (s3) {
            const struct seg_sim_error_field f[] = {{"AWSAccessKeyId", v->access_key_id}};
            render(svc, 403, "InvalidAccessKeyId",
                   "The AWS Access Key Id you provided does not exist in our records.", f, 1, resp);
        } else {
            render(svc, js, "UnrecognizedClientException",
                   "The security token included in the request is invalid.", NULL, 0, resp);
        }
        break;
    case SEG_SIGV4_SKEWED:
        reject_skew(a, svc, v, now, resp);
        break;
    case SEG_SIGV4_MISMATCH:
        reject_mismatch(svc, req, v, resp);
        break;
    case SEG_SIGV4_PAYLOAD_HASH:
        reject_payload(svc, req, v, resp);
        break;
    case SEG_SIGV4_SCOPE:
        if (s3)
            render(svc, 400, "AuthorizationHeaderMalformed",
                   "The authorization header is malformed; Invalid credential date. Date is not "
                   "the same as X-Amz-Date.",
                   NULL, 0, resp);
        else
            render(svc, js, "InvalidSignatureException", v->detail, NULL, 0, resp);
        break;
    case SEG_SIGV4_MALFORMED:
    case SEG_SIGV4_VALID: /* not reached: kept so the switch is total */
    default:
        if (s3) {
            char *msg = seg_xasprintf("The authorization header is malformed; %s", v->detail);
            render(svc, 400, "AuthorizationHeaderMalformed", msg, NULL, 0, resp);
            free(msg);
        } else {
            render(svc, js, "IncompleteSignatureException", v->detail, NULL, 0, resp);
        }
        break;
    }
}

/* A valid signature scoped to another service or region is still refused, as AWS does. */
static bool scope_ok(struct seg_sim_auth *a, enum seg_aws_service svc,
                     const struct seg_sigv4_verify_result *v, struct seg_httpd_response *resp)
{
    const char *want = seg_aws_service_name(svc);
    char *msg = NULL;
    bool ok = true;
    if (strcmp(v->service, want) != 0) {
        ok = false;
        if (svc == SEG_AWS_S3)
            msg = seg_xasprintf("The authorization header is malformed; incorrect service "
                                "\"%s\". This endpoint belongs to \"%s\".",
                                v->service, want);
        else
            msg = seg_xasprintf("Credential should be scoped to correct service: '%s'. ", want);
    } else if (a->region && strcmp(v->region, a->region) != 0) {
        ok = false;
        if (svc == SEG_AWS_S3)
            msg = seg_xasprintf("The authorization header is malformed; the region '%s' is "
                                "wrong; expecting '%s'",
                                v->region, a->region);
        else
            msg = seg_xasprintf("Credential should be scoped to a valid region. ");
    }
    if (!ok) {
        if (svc == SEG_AWS_S3)
            render(svc, 400, "AuthorizationHeaderMalformed", msg, NULL, 0, resp);
        else
            render(svc, json_auth_status(svc), "InvalidSignatureException", msg, NULL, 0, resp);
    }
    free(msg);
    return ok;
}

static void internal_error(enum seg_aws_service svc, struct seg_httpd_response *resp)
{
    if (svc == SEG_AWS_S3)
        render(svc, 500, "InternalError", "We encountered an internal error. Please try again.",
               NULL, 0, resp);
    else if (svc == SEG_AWS_LAMBDA)
        render(svc, 500, "ServiceException", "The Lambda service encountered an internal error.",
               NULL, 0, resp);
    else
        render(svc, 500, "ServiceUnavailableException", "The service cannot complete the request.",
               NULL, 0, resp);
}

bool seg_sim_auth_check(struct seg_sim_auth *a, const struct seg_http_req *req,
                        enum seg_aws_service svc, struct seg_httpd_response *resp)
{
    time_t now = a->clock ? a->clock(a->clock_ud) : time(NULL);
    struct seg_sigv4_verify_result v;
    /* The keystore is read-only once serving; the lookup takes a non-const ud. */
    void *keys = (void *)(uintptr_t)a->keys;
    enum seg_err err = seg_sigv4_verify(req, seg_aws_service_sigv4_flags(svc), now, a->max_skew_s,
                                        seg_sim_keystore_lookup, keys, &v);
    bool ok = false;
    if (err)
        internal_error(svc, resp);
    else if (v.verdict != SEG_SIGV4_VALID)
        reject(a, svc, req, &v, now, resp);
    else
        ok = scope_ok(a, svc, &v, resp);
    seg_sigv4_verify_result_release(&v);
    atomic_fetch_add(ok ? &a->accepted : &a->rejected, 1);
    return ok;
}

void seg_sim_auth_handle(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    struct seg_sim_auth *a = ud;
    enum seg_aws_service svc = seg_sim_classify(req);
    if (seg_sim_auth_check(a, req, svc, resp))
        a->next(a->next_ud, req, resp);
    (void)seg_sim_response_stamp(svc, resp);
}

void seg_sim_auth_too_large(void *ud, const struct seg_http_req *req,
                            struct seg_httpd_response *resp)
{
    (void)ud;
    enum seg_aws_service svc = seg_sim_classify(req);
    const char *cl = seg_http_req_header(req, "Content-Length");
    const char *size = cl ? cl : "unknown";
    /* Start from a clean response: the default 413's body and type are replaced. */
    seg_httpd_response_release(resp);
    char *msg = NULL;
    switch (svc) {
    case SEG_AWS_LAMBDA:
        render(svc, 413, "RequestTooLargeException",
               "Request must be smaller than the simulator's body limit for the InvokeFunction "
               "operation",
               NULL, 0, resp);
        break;
    case SEG_AWS_LOGS:
        msg = seg_xasprintf("Upload too large: %s bytes exceeds the simulator's body limit", size);
        render(svc, 400, "InvalidParameterException", msg, NULL, 0, resp);
        break;
    case SEG_AWS_S3:
    default: {
        const struct seg_sim_error_field f[] = {{"ProposedSize", size}};
        render(svc, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
               f, 1, resp);
        break;
    }
    }
    free(msg);
}
