#include "sim/router.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "engine/logclock.h"
#include "sim/auth.h"
#include "sim/delay.h"
#include "sim/errors.h"
#include "util/xalloc.h"

struct seg_sim_router {
    struct seg_sim_faults faults;
    bool any_pre, any_post;
    struct seg_sim_lambda_api *lambda;
    struct seg_sim_s3_api *s3;
    struct seg_sim_logs *logs;
    struct seg_sim_delay *delay; /* NULL unless the slow fault is on */
    const struct seg_sim_clock *clock;
    pthread_mutex_t mu; /* the draws and the counters */
    uint64_t rng;
    struct seg_sim_router_counters counters;
};

/* ---- fault choice (pure) ---- */

enum seg_sim_scope seg_sim_router_scope(enum seg_aws_service svc)
{
    switch (svc) {
    case SEG_AWS_LAMBDA:
        return SEG_SIM_SCOPE_LAMBDA;
    case SEG_AWS_LOGS:
        return SEG_SIM_SCOPE_LOGS;
    case SEG_AWS_S3:
    default:
        return SEG_SIM_SCOPE_S3;
    }
}

enum seg_sim_fault seg_sim_router_pre_fault(const struct seg_sim_faults *f,
                                            enum seg_sim_scope scope, double u)
{
    if (!f || scope < 0 || scope >= SEG_SIM_SCOPES)
        return SEG_SIM_FAULT_NONE;
    double t = f->throttle[scope], e = f->err5xx[scope];
    if (u < t)
        return SEG_SIM_FAULT_THROTTLE;
    if (u < t + e)
        return SEG_SIM_FAULT_5XX;
    return SEG_SIM_FAULT_NONE;
}

enum seg_sim_fault seg_sim_router_post_fault(const struct seg_sim_faults *f, double u)
{
    if (!f)
        return SEG_SIM_FAULT_NONE;
    if (u < f->reset)
        return SEG_SIM_FAULT_RESET;
    if (u < f->reset + f->truncate)
        return SEG_SIM_FAULT_TRUNCATE;
    if (f->slow_ms > 0 && u < f->reset + f->truncate + f->slow_p)
        return SEG_SIM_FAULT_SLOW;
    return SEG_SIM_FAULT_NONE;
}

static void render(enum seg_aws_service svc, int status, const char *code, const char *msg,
                   struct seg_httpd_response *resp)
{
    struct seg_sim_error e = {.status = status, .code = code, .message = msg};
    seg_sim_error_render(svc, &e, resp);
}

static void lambda_throttle(bool invoke, struct seg_httpd_response *resp)
{
    /* Not the fleet's concurrency verdict, so the Reason is the request-rate one. */
    const char *body = invoke ? "{\"Reason\":\"ConcurrentInvocationLimitExceeded\",\"Type\":"
                                "\"User\",\"message\":\"Rate Exceeded.\"}"
                              : "{\"Reason\":\"CallerRateLimitExceeded\",\"Type\":\"User\","
                                "\"message\":\"Rate exceeded\"}";
    render(SEG_AWS_LAMBDA, 429, "TooManyRequestsException", "", resp);
    seg_httpd_response_set_body(resp, body, strlen(body));
    seg_httpd_response_set_header(resp, "Retry-After", "1");
}

void seg_sim_router_fault_response(enum seg_aws_service svc, enum seg_sim_fault fault, bool invoke,
                                   bool alt, struct seg_httpd_response *resp)
{
    bool thr = fault == SEG_SIM_FAULT_THROTTLE;
    switch (svc) {
    case SEG_AWS_LAMBDA:
        if (thr)
            lambda_throttle(invoke, resp);
        else
            render(svc, 500, "ServiceException",
                   "The Lambda service encountered an internal error.", resp);
        break;
    case SEG_AWS_LOGS:
        if (thr)
            render(svc, 400, "ThrottlingException", "Rate exceeded", resp);
        else
            render(svc, 500, "ServiceUnavailableException",
                   "The service cannot complete the request.", resp);
        break;
    case SEG_AWS_S3:
    default:
        if (thr)
            render(svc, 503, "SlowDown", "Please reduce your request rate.", resp);
        else if (alt)
            render(svc, 500, "InternalError", "We encountered an internal error. Please try again.",
                   resp);
        else
            render(svc, 503, "ServiceUnavailable", "Service is unable to handle request.", resp);
        break;
    }
}

/* ---- lifecycle ---- */

enum seg_err seg_sim_router_new(const struct seg_sim_router_config *cfg,
                                struct seg_sim_router **out)
{
    if (!cfg || !cfg->lambda || !cfg->s3 || !cfg->logs)
        return SEG_ERR_INVALID;
    struct seg_sim_router *r = seg_xcalloc(1, sizeof *r);
    if (cfg->faults)
        r->faults = *cfg->faults;
    else
        seg_sim_faults_init(&r->faults);
    for (int s = 0; s < SEG_SIM_SCOPES; s++)
        r->any_pre = r->any_pre || r->faults.throttle[s] > 0 || r->faults.err5xx[s] > 0;
    r->any_post = r->faults.reset > 0 || r->faults.truncate > 0 ||
                  (r->faults.slow_p > 0 && r->faults.slow_ms > 0);
    r->lambda = cfg->lambda;
    r->s3 = cfg->s3;
    r->clock = cfg->clock;
    r->logs = cfg->logs;
    r->rng = cfg->seed ^ 0x9E3779B97F4A7C15ull;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        free(r);
        return SEG_ERR_STATE;
    }
    if (r->faults.slow_p > 0 && r->faults.slow_ms > 0 && seg_sim_delay_new(&r->delay) != SEG_OK) {
        pthread_mutex_destroy(&r->mu);
        free(r);
        return SEG_ERR_STATE;
    }
    *out = r;
    return SEG_OK;
}

void seg_sim_router_stop(struct seg_sim_router *r)
{
    if (r)
        seg_sim_delay_stop(r->delay);
}

void seg_sim_router_free(struct seg_sim_router *r)
{
    if (!r)
        return;
    seg_sim_delay_free(r->delay);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

void seg_sim_router_counters(struct seg_sim_router *r, struct seg_sim_router_counters *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->counters;
    pthread_mutex_unlock(&r->mu);
}

/* ---- dispatch ---- */

/* splitmix64: per-request draws; request order decides them, which is fine for faults that
 * model the network rather than the fleet. */
static double draw(struct seg_sim_router *r)
{
    pthread_mutex_lock(&r->mu);
    uint64_t z = (r->rng += 0x9E3779B97F4A7C15ull);
    pthread_mutex_unlock(&r->mu);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void count(struct seg_sim_router *r, enum seg_sim_fault f)
{
    pthread_mutex_lock(&r->mu);
    switch (f) {
    case SEG_SIM_FAULT_THROTTLE:
        r->counters.throttles++;
        break;
    case SEG_SIM_FAULT_5XX:
        r->counters.errors++;
        break;
    case SEG_SIM_FAULT_RESET:
        r->counters.resets++;
        break;
    case SEG_SIM_FAULT_TRUNCATE:
        r->counters.truncated++;
        break;
    case SEG_SIM_FAULT_SLOW:
        r->counters.slowed++;
        break;
    case SEG_SIM_FAULT_NONE:
    default:
        break;
    }
    pthread_mutex_unlock(&r->mu);
}

static bool is_invoke(const struct seg_http_req *req)
{
    size_t n = strlen(req->path);
    return strcmp(req->method, "POST") == 0 && n > 12 &&
           strcmp(req->path + n - 12, "/invocations") == 0;
}

static void dispatch(struct seg_sim_router *r, enum seg_aws_service svc,
                     const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    switch (svc) {
    case SEG_AWS_LAMBDA:
        seg_sim_lambda_handle(r->lambda, req, resp);
        break;
    case SEG_AWS_LOGS:
        seg_sim_logs_handle(r->logs, req, resp);
        break;
    case SEG_AWS_S3:
    default:
        seg_sim_s3_handle(r->s3, req, resp);
        break;
    }
}

/* Holds a finished response back for the slow fault's delay. */
static void slow_down(struct seg_sim_router *r, enum seg_aws_service svc,
                      struct seg_httpd_response *resp)
{
    /* The request id goes on both the delayed answer and the fallback. */
    (void)seg_sim_response_stamp(svc, resp);
    struct seg_httpd_response late;
    seg_httpd_response_init(&late);
    late.status = resp->status;
    late.action = resp->action;
    late.truncate_at = resp->truncate_at;
    for (size_t i = 0; i < resp->nheaders; i++)
        seg_httpd_response_add_header(&late, resp->headers[i].name, resp->headers[i].value);
    seg_httpd_response_set_body(&late, resp->body, resp->body_len);
    struct seg_httpd_deferred *d = seg_httpd_defer(resp, NULL, NULL);
    seg_sim_delay_add(r->delay, d, &late, r->faults.slow_ms);
    seg_httpd_response_release(&late);
}

void seg_sim_router_handle(void *ud, const struct seg_http_req *req,
                           struct seg_httpd_response *resp)
{
    struct seg_sim_router *r = ud;
    enum seg_aws_service svc = seg_sim_classify(req);
    if (r->clock) {
        char now[24];
        snprintf(now, sizeof now, "%" PRId64, seg_sim_clock_now_ms(r->clock));
        seg_httpd_response_set_header(resp, SEG_SIM_TIME_HEADER, now);
    }
    if (r->any_pre) {
        enum seg_sim_fault f =
            seg_sim_router_pre_fault(&r->faults, seg_sim_router_scope(svc), draw(r));
        if (f != SEG_SIM_FAULT_NONE) {
            count(r, f);
            seg_sim_router_fault_response(svc, f, is_invoke(req), draw(r) < 0.5, resp);
            return;
        }
    }
    dispatch(r, svc, req, resp);
    /* A held (synchronous Invoke) answer is left alone: it is not ours to cut. */
    if (!r->any_post || resp->deferred)
        return;
    enum seg_sim_fault f = seg_sim_router_post_fault(&r->faults, draw(r));
    if (f == SEG_SIM_FAULT_NONE)
        return;
    count(r, f);
    if (f == SEG_SIM_FAULT_RESET) {
        resp->action = SEG_HTTPD_RESET;
    } else if (f == SEG_SIM_FAULT_TRUNCATE) {
        resp->action = SEG_HTTPD_TRUNCATE;
        resp->truncate_at = resp->body_len / 2;
    } else if (r->delay) {
        slow_down(r, svc, resp);
    }
}
