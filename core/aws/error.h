/* One error type for the three wire protocols segtop speaks: awsJson1_1 (Logs), restJson1
 * (Lambda) and restXml (S3). Error bodies are untrusted bytes: parsing is bounded, never
 * allocates beyond a cap, and always yields a result classified at least by HTTP status. */
#ifndef SEGTOP_CORE_AWS_ERROR_H
#define SEGTOP_CORE_AWS_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/seg.h"

/* Bodies longer than this are cut before parsing (an error body is a few hundred bytes). */
#define SEG_AWS_ERROR_MAX_BODY ((size_t)1 << 20)

/* What the engine should do about an error (botocore's standard retry mode lists). */
enum seg_aws_error_class {
    SEG_AWS_CLASS_NONE = 0,   /* not an error (2xx/3xx without an error code) */
    SEG_AWS_CLASS_THROTTLING, /* rate limited: retry with backoff, count as a throttle */
    SEG_AWS_CLASS_TRANSIENT,  /* timeouts and 500/502/503/504: retry */
    SEG_AWS_CLASS_AUTH,       /* signature, credentials, clock skew, access denied */
    SEG_AWS_CLASS_CLIENT,     /* any other 4xx: do not retry */
    SEG_AWS_CLASS_SERVER,     /* any other 5xx: do not retry */
};

struct seg_aws_error {
    int http_status;
    char code[96];       /* sanitised shape name ("ThrottlingException"); "" when unknown */
    char message[512];   /* decoded, NUL-free, truncated at a UTF-8 boundary */
    char request_id[96]; /* from the body (S3 <RequestId>) or seg_aws_error_set_request_id */
    enum seg_aws_error_class cls;
};

/* Parses an error response. x_amzn_errortype (the X-Amzn-ErrorType header) and content_type
 * may be NULL; body may be NULL when len is 0 and need not be NUL-terminated. The code comes
 * from the header first (the part before ':'), then JSON __type (after any "prefix#"), then
 * JSON code/Code, then XML <Code>. Always fills out and returns SEG_OK, even for bodies that
 * do not parse (out then holds the status and its class); SEG_ERR_INVALID only for bad
 * arguments. */
enum seg_err seg_aws_error_parse(int status, const char *content_type, const char *x_amzn_errortype,
                                 const char *body, size_t len,
                                 struct seg_aws_error *out) SEG_MUST_USE;

/* Copies a request id taken from a response header (x-amzn-RequestId, x-amz-request-id)
 * when the body carried none. NULL is ignored. */
void seg_aws_error_set_request_id(struct seg_aws_error *e, const char *request_id);

/* The class of a (status, code) pair; code may be NULL or empty. */
enum seg_aws_error_class seg_aws_error_classify(int status, const char *code);

/* True for THROTTLING and TRANSIENT. */
bool seg_aws_error_is_retryable(const struct seg_aws_error *e);

/* True when the error says the request's clock was off (RequestTimeTooSkewed,
 * RequestExpired, "Signature expired" / "Signature not yet current"): retryable once after
 * correcting the clock offset from the response's Date header. */
bool seg_aws_error_is_clock_skew(const struct seg_aws_error *e);

/* "none", "throttling", "transient", "auth", "client", "server". */
const char *seg_aws_error_class_name(enum seg_aws_error_class cls);

#endif
