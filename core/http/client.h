/* The HTTP client of the engine thread: one libcurl multi handle owning every transfer,
 * SigV4 signing per attempt, AWS standard retries, per-request timeouts. Not thread-safe by
 * design: only the engine thread touches it (other threads go through struct seg_engine). */
#ifndef SEGTOP_CORE_HTTP_CLIENT_H
#define SEGTOP_CORE_HTTP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "aws/awsconfig.h"
#include "aws/error.h"
#include "aws/sigv4.h"
#include "http/request.h"
#include "http/retry.h"
#include "util/errmsg.h"
#include "util/seg.h"

/* Where one service lives. base_url is scheme://host[:port][/prefix] without trailing '/'. */
struct seg_http_endpoint {
    const char *base_url;
};

/* Hands out credentials for one signature (borrowed until the next call on this thread);
 * on failure says why in err (never quoting a secret). */
typedef enum seg_err seg_creds_fn(void *ud, time_t now, struct seg_sigv4_creds *out,
                                  struct seg_errmsg *err);

struct seg_http_client_config {
    struct seg_http_endpoint endpoints[SEG_AWS__SERVICES];
    const char *region;
    seg_creds_fn *creds;
    void *creds_ud;
    int max_attempts;       /* API calls, including the first; default 3 */
    double backoff_base_ms; /* default 1000 (AWS: 1 s) */
    double backoff_cap_ms;  /* default 20000 (AWS: 20 s) */
    int retry_quota;        /* default SEG_RETRY_QUOTA_INITIAL */
    uint64_t rng_seed;      /* 0 = random */
    int default_timeout_ms; /* per attempt; default 30000 */
    long max_connections;   /* connection cache; default 2048 */
    FILE *trace;            /* --trace: canonical requests and strings-to-sign; NULL = off */
};

enum seg_call_flags {
    /* A load trigger (PutObject / Invoke of a wave): retried only max_attempts-1 times, which
     * the caller sets from --trigger-retries (default: never). */
    SEG_CALL_TRIGGER = 1 << 0,
};

/* One request to make. The client takes ownership of req's contents. */
struct seg_http_call {
    uint64_t id;
    enum seg_aws_service service;
    struct seg_http_req req; /* method, path (below the endpoint's prefix), query, headers, body */
    unsigned flags;
    int max_attempts; /* 0 = client default */
    int timeout_ms;   /* per attempt; 0 = client default */
    void *ud;
};

enum seg_http_outcome {
    SEG_HTTP_OK = 0,      /* 2xx */
    SEG_HTTP_AWS_ERROR,   /* an HTTP error status: see error */
    SEG_HTTP_TRANSPORT,   /* no complete response: connection, reset, timeout */
    SEG_HTTP_NOT_STARTED, /* refused locally: credentials, bad request */
};

struct seg_http_result {
    uint64_t id;
    void *ud;
    enum seg_aws_service service;
    enum seg_http_outcome outcome;
    enum seg_failure failure; /* of the final attempt */
    int status;               /* HTTP status of the final attempt; 0 without a response */
    struct seg_aws_error error;
    char transport_error[512];
    int attempts;
    int throttled_attempts;
    /* Monotonic ms (seg_http_now_ms) of the final attempt: request on the wire, and first
     * response byte. */
    double sent_ms;
    double accepted_ms;
    double first_sent_ms;   /* of the first attempt */
    time_t server_date;     /* the response's Date header; 0 when absent */
    bool reused_connection; /* the final attempt went over a kept-alive connection */
    char request_id[96];
    struct seg_http_header *headers; /* response headers of the final attempt */
    size_t nheaders;
    char *body; /* NUL-terminated; capped */
    size_t body_len;
};

void seg_http_result_release(struct seg_http_result *r);
const char *seg_http_result_header(const struct seg_http_result *r, const char *name);

typedef void seg_http_done_fn(void *ud, struct seg_http_result *result);

struct seg_http_client;

enum seg_err seg_http_client_new(const struct seg_http_client_config *cfg, seg_http_done_fn *done,
                                 void *done_ud, struct seg_http_client **out,
                                 struct seg_errmsg *err) SEG_MUST_USE;
void seg_http_client_free(struct seg_http_client *c);

/* Starts a call (moves call->req; the call struct can be reused). Completion is reported
 * through the done callback from seg_http_client_run. */
void seg_http_client_submit(struct seg_http_client *c, struct seg_http_call *call);
/* Drives transfers for up to timeout_ms (returns early when woken or when something
 * completes). */
enum seg_err seg_http_client_run(struct seg_http_client *c, int timeout_ms) SEG_MUST_USE;
/* Wakes a thread blocked in seg_http_client_run; callable from any thread. */
void seg_http_client_wakeup(struct seg_http_client *c);
/* Transfers started and not yet reported, including ones waiting for a retry. */
size_t seg_http_client_pending(const struct seg_http_client *c);
int seg_http_client_quota_available(const struct seg_http_client *c);

double seg_http_now_ms(void);

/* One-time process setup (curl_global_init); call before starting any thread. */
enum seg_err seg_http_global_init(void) SEG_MUST_USE;
void seg_http_global_cleanup(void);

#endif
