/* Error responses as each simulated service sends them on the wire: awsJson1_1 for Logs
 * (HTTP 400 family, {"__type","message"}), restJson1 for Lambda (X-Amzn-ErrorType header,
 * {"Type","message"}), restXml for S3 (<Error><Code>…</Code>…<RequestId>…</Error>). */
#ifndef SEGTOP_CORE_SIM_ERRORS_H
#define SEGTOP_CORE_SIM_ERRORS_H

#include <stddef.h>

#include "aws/awsconfig.h"
#include "sim/httpd.h"

/* Lambda/Logs: a UUID (36 chars); S3: 16 uppercase hex digits. */
#define SEG_SIM_REQUEST_ID_SIZE 40
void seg_sim_request_id_new(enum seg_aws_service svc, char out[SEG_SIM_REQUEST_ID_SIZE]);

/* Adds the service's request id header (x-amzn-RequestId, or x-amz-request-id and
 * x-amz-id-2 for S3) when resp has none, and returns the id in force (owned by resp). */
const char *seg_sim_response_stamp(enum seg_aws_service svc, struct seg_httpd_response *resp);

/* An extra child of S3's <Error> (AWSAccessKeyId, StringToSign, ...), in order. */
struct seg_sim_error_field {
    const char *name;
    const char *value;
};

struct seg_sim_error {
    int status;
    const char *code;                         /* shape name, e.g. "InvalidSignatureException" */
    const char *message;                      /* may contain anything; it is escaped */
    const struct seg_sim_error_field *fields; /* S3 only; NULL when none */
    size_t nfields;
};

/* Replaces resp's status, Content-Type and body with the error as svc renders it, and
 * stamps the request id (the S3 body's <RequestId> matches its header). */
void seg_sim_error_render(enum seg_aws_service svc, const struct seg_sim_error *e,
                          struct seg_httpd_response *resp);

#endif
