/* After SigV4: sends each request to the Lambda, S3 or Logs API, and applies the HTTP-level
 * --sim-faults (DESIGN §6): before the operation a throttle (Lambda 429
 * TooManyRequestsException, S3 503 SlowDown, Logs 400 ThrottlingException) or a 5xx (Lambda
 * 500 ServiceException, S3 503 ServiceUnavailable or 500 InternalError, Logs 500
 * ServiceUnavailableException); after it (so the operation did happen, as when a real
 * network fails) a reset, a truncated body, or a slow answer (a deferred response). */
#ifndef SEGTOP_CORE_SIM_ROUTER_H
#define SEGTOP_CORE_SIM_ROUTER_H

#include <stdbool.h>
#include <stdint.h>

#include "aws/awsconfig.h"
#include "http/request.h"
#include "sim/clock.h"
#include "sim/faults.h"
#include "sim/httpd.h"
#include "sim/lambda_api.h"
#include "sim/logs_api.h"
#include "sim/s3_api.h"
#include "util/seg.h"

enum seg_sim_fault {
    SEG_SIM_FAULT_NONE = 0,
    SEG_SIM_FAULT_THROTTLE,
    SEG_SIM_FAULT_5XX,
    SEG_SIM_FAULT_RESET,
    SEG_SIM_FAULT_TRUNCATE,
    SEG_SIM_FAULT_SLOW,
};

/* Before the operation, from one uniform draw u in [0,1): THROTTLE with probability
 * throttle[scope], 5XX with err5xx[scope], else NONE. */
enum seg_sim_fault seg_sim_router_pre_fault(const struct seg_sim_faults *f,
                                            enum seg_sim_scope scope, double u);
/* After it, from one draw: RESET (reset), TRUNCATE (truncate), SLOW (slow_p), else NONE. */
enum seg_sim_fault seg_sim_router_post_fault(const struct seg_sim_faults *f, double u);
/* The service's answer to a THROTTLE or 5XX fault. invoke: the request is a Lambda Invoke
 * (its throttle Reason differs); alt picks S3's second 5xx (500 InternalError). */
void seg_sim_router_fault_response(enum seg_aws_service svc, enum seg_sim_fault fault, bool invoke,
                                   bool alt, struct seg_httpd_response *resp);
enum seg_sim_scope seg_sim_router_scope(enum seg_aws_service svc);

struct seg_sim_router_config {
    const struct seg_sim_faults *faults; /* copied; NULL: none */
    uint64_t seed;                       /* fault draws */
    struct seg_sim_lambda_api *lambda;   /* borrowed, each required */
    struct seg_sim_s3_api *s3;
    struct seg_sim_logs *logs;
    /* Stamps SEG_SIM_TIME_HEADER (engine/logclock.h) on every response; NULL: none. */
    const struct seg_sim_clock *clock;
};

/* Counters of injected faults (tests, status line). */
struct seg_sim_router_counters {
    uint64_t throttles, errors, resets, truncated, slowed;
};

struct seg_sim_router;

enum seg_err seg_sim_router_new(const struct seg_sim_router_config *cfg,
                                struct seg_sim_router **out) SEG_MUST_USE;
/* Sends every slowed response still waiting now. Call before seg_httpd_free. */
void seg_sim_router_stop(struct seg_sim_router *r);
void seg_sim_router_free(struct seg_sim_router *r);
void seg_sim_router_counters(struct seg_sim_router *r, struct seg_sim_router_counters *out);

/* A seg_httpd_handler_fn for seg_sim_auth_config.next (ud: the router). */
void seg_sim_router_handle(void *ud, const struct seg_http_req *req,
                           struct seg_httpd_response *resp);

#endif
