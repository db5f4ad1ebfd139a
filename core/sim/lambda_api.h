/* The simulator's Lambda API (restJson1, DESIGN §6, aws-wire.md §3): Invoke (RequestResponse
 * held open until the simulated execution ends, Event 202, DryRun 204, LogType Tail),
 * ListFunctions, GetFunction, GetFunctionConfiguration, GetFunctionConcurrency and
 * GetAccountSettings. Requests arrive already authenticated. */
#ifndef SEGTOP_CORE_SIM_LAMBDA_API_H
#define SEGTOP_CORE_SIM_LAMBDA_API_H

#include <stdint.h>

#include "http/request.h"
#include "sim/fleet.h"
#include "sim/httpd.h"
#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_SIM_LAMBDA_SYNC_PAYLOAD_MAX  6291456u /* 6 MB, RequestResponse */
#define SEG_SIM_LAMBDA_ASYNC_PAYLOAD_MAX 1048576u /* 1 MB, Event (2026 model) */
#define SEG_SIM_LAMBDA_PAGE_MAX          50       /* ListFunctions: 50 a page at most */

enum seg_sim_lambda_op {
    SEG_SIM_LAMBDA_UNKNOWN = 0,
    SEG_SIM_LAMBDA_INVOKE,
    SEG_SIM_LAMBDA_LIST_FUNCTIONS,
    SEG_SIM_LAMBDA_GET_FUNCTION,
    SEG_SIM_LAMBDA_GET_FUNCTION_CONFIGURATION,
    SEG_SIM_LAMBDA_GET_FUNCTION_CONCURRENCY,
    SEG_SIM_LAMBDA_GET_ACCOUNT_SETTINGS,
};

/* Which operation a method and raw path name, and the function it addresses (the wire
 * label percent-decoded, qualifier and ARN parts still in it). */
struct seg_sim_lambda_route {
    enum seg_sim_lambda_op op;
    char *function; /* NULL for operations without {FunctionName} */
};

/* SEG_ERR_PARSE for a label that does not decode; UNKNOWN for anything not modelled. */
enum seg_err seg_sim_lambda_parse_route(const char *method, const char *path,
                                        struct seg_sim_lambda_route *out) SEG_MUST_USE;
void seg_sim_lambda_route_release(struct seg_sim_lambda_route *r);

/* A FunctionName in any of Lambda's forms: name, name:qualifier, ACCOUNT:function:name[:q],
 * arn:PARTITION:lambda:REGION:ACCOUNT:function:name[:q]. Empty parts are NULL. */
struct seg_sim_lambda_name {
    char *name;
    char *qualifier;
    char *region;
    char *account;
};
/* SEG_ERR_INVALID when it matches none of the forms (Lambda's ValidationException). */
enum seg_err seg_sim_lambda_split_name(const char *given,
                                       struct seg_sim_lambda_name *out) SEG_MUST_USE;
void seg_sim_lambda_name_release(struct seg_sim_lambda_name *n);

struct seg_sim_lambda_config {
    struct seg_sim_fleet *fleet; /* borrowed; must outlive the API */
    const char *region;          /* copied */
    const char *account_id;      /* copied; "123456789012" when NULL */
};

struct seg_sim_lambda_api;

struct seg_sim_lambda_api *seg_sim_lambda_api_new(const struct seg_sim_lambda_config *cfg);
void seg_sim_lambda_api_free(struct seg_sim_lambda_api *api);

/* Answers one authenticated Lambda request (on the server's thread). A synchronous Invoke
 * is deferred (seg_httpd_defer) and answered when the fleet reports the end. */
void seg_sim_lambda_handle(struct seg_sim_lambda_api *api, const struct seg_http_req *req,
                           struct seg_httpd_response *resp);

#endif
