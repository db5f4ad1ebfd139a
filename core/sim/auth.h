/* The simulator's front door: tells which service a request is for, verifies its SigV4
 * signature with the client's own verifier (aws/sigv4.h), and answers failures with that
 * service's real error (403 SignatureDoesNotMatch, UnrecognizedClientException, ...).
 * Every response that passes through gets the service's request id header. */
#ifndef SEGTOP_CORE_SIM_AUTH_H
#define SEGTOP_CORE_SIM_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "http/request.h"
#include "sim/errors.h"
#include "sim/httpd.h"
#include "sim/keystore.h"
#include "util/seg.h"

#define SEG_SIM_AUTH_DEFAULT_SKEW_S 300

/* X-Amz-Target present: Logs (awsJson1_1); a Lambda API version path ("/2015-03-31/...");
 * anything else: S3. */
enum seg_aws_service seg_sim_classify(const struct seg_http_req *req);

typedef time_t seg_sim_clock_fn(void *ud);

struct seg_sim_auth_config {
    const struct seg_sim_keystore *keys; /* borrowed; must outlive the auth */
    int max_skew_s;                      /* 0: SEG_SIM_AUTH_DEFAULT_SKEW_S (wall time) */
    const char *region;                  /* copied; NULL accepts any region in the scope */
    seg_httpd_handler_fn *next;          /* called for authenticated requests */
    void *next_ud;
    seg_sim_clock_fn *clock; /* NULL: time(NULL). Skew is checked against wall time. */
    void *clock_ud;
};

struct seg_sim_auth_counters {
    uint64_t accepted;
    uint64_t rejected;
};

struct seg_sim_auth;

enum seg_err seg_sim_auth_new(const struct seg_sim_auth_config *cfg,
                              struct seg_sim_auth **out) SEG_MUST_USE;
void seg_sim_auth_free(struct seg_sim_auth *a);

/* Verifies req for svc. Returns true when it is authentic; otherwise resp holds the
 * service's error (an internal verifier failure renders a 500). */
bool seg_sim_auth_check(struct seg_sim_auth *a, const struct seg_http_req *req,
                        enum seg_aws_service svc, struct seg_httpd_response *resp);

/* A seg_httpd_handler_fn (ud: the struct seg_sim_auth): classify, verify, then call next,
 * then stamp the request id. */
void seg_sim_auth_handle(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp);
/* A too-large hook for seg_httpd_config (same ud): the service's "request too large" error
 * (Lambda 413 RequestTooLargeException, S3 400 EntityTooLarge, Logs 400
 * InvalidParameterException "Upload too large"), as AWS answers it. */
void seg_sim_auth_too_large(void *ud, const struct seg_http_req *req,
                            struct seg_httpd_response *resp);

void seg_sim_auth_counters(const struct seg_sim_auth *a, struct seg_sim_auth_counters *out);

#endif
