/* AWS Signature Version 4: signing (client side) and verification (the simulator's side),
 * sharing one canonicalisation so both agree byte for byte. Stages are exposed for tests in
 * aws/sigv4_internal.h. */
#ifndef SEGTOP_CORE_AWS_SIGV4_H
#define SEGTOP_CORE_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "http/request.h"
#include "util/seg.h"

/* Independent per-service switches (as in aws-c-auth's signing config). */
enum seg_sigv4_flags {
    /* Remove dot segments and collapse repeated slashes in the canonical URI. */
    SEG_SIGV4_NORMALIZE_PATH = 1 << 0,
    /* Encode the (already encoded) wire path once more in the canonical URI. */
    SEG_SIGV4_DOUBLE_ENCODE = 1 << 1,
    /* Add and sign x-amz-content-sha256 (S3 requires it). */
    SEG_SIGV4_CONTENT_SHA256 = 1 << 2,
    /* Use UNSIGNED-PAYLOAD as the payload hash (with SEG_SIGV4_CONTENT_SHA256). */
    SEG_SIGV4_UNSIGNED_PAYLOAD = 1 << 3,
    /* Add X-Amz-Security-Token after signing instead of signing it (suite's sts-after). */
    SEG_SIGV4_TOKEN_AFTER = 1 << 4,
};

/* Flags for the three services segtop talks to (aws-wire.md §1.3). */
#define SEG_SIGV4_FLAGS_S3     (SEG_SIGV4_CONTENT_SHA256)
#define SEG_SIGV4_FLAGS_LAMBDA (SEG_SIGV4_NORMALIZE_PATH | SEG_SIGV4_DOUBLE_ENCODE)
#define SEG_SIGV4_FLAGS_LOGS   (SEG_SIGV4_NORMALIZE_PATH | SEG_SIGV4_DOUBLE_ENCODE)

/* Borrowed credentials: the signer never copies the secret beyond the call, and wipes the
 * derived key material it computes. */
struct seg_sigv4_creds {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token; /* NULL or empty when none */
};

struct seg_sigv4_params {
    const char *region;
    const char *service; /* signing name: "s3", "lambda", "logs" */
    unsigned flags;      /* enum seg_sigv4_flags */
    time_t when;         /* UTC epoch seconds of the signature */
};

/* --trace hook: receives the canonical request and the string-to-sign (never a secret). */
typedef void seg_sigv4_trace_fn(void *ud, const char *canonical_request,
                                const char *string_to_sign);

/* Signs req in place: sets X-Amz-Date, X-Amz-Security-Token (when a token is given),
 * x-amz-content-sha256 (SEG_SIGV4_CONTENT_SHA256) and Authorization. The Host header must
 * already be present. Every other header present is signed except the ones AWS SDKs never
 * sign (user-agent, expect, connection, transfer-encoding, ...). */
enum seg_err seg_sigv4_sign(struct seg_http_req *req, const struct seg_sigv4_creds *creds,
                            const struct seg_sigv4_params *params, seg_sigv4_trace_fn *trace,
                            void *trace_ud) SEG_MUST_USE;

enum seg_sigv4_verdict {
    SEG_SIGV4_VALID = 0,
    SEG_SIGV4_MISSING,      /* no Authorization header */
    SEG_SIGV4_MALFORMED,    /* Authorization or date header cannot be parsed */
    SEG_SIGV4_UNKNOWN_KEY,  /* access key id not known to the lookup */
    SEG_SIGV4_SKEWED,       /* request date too far from now */
    SEG_SIGV4_MISMATCH,     /* signature differs */
    SEG_SIGV4_PAYLOAD_HASH, /* x-amz-content-sha256 invalid or not the body's hash */
    SEG_SIGV4_SCOPE,        /* credential scope date does not match the request date */
};

struct seg_sigv4_verify_result {
    enum seg_sigv4_verdict verdict;
    char access_key_id[129];
    char region[64];
    char service[64];
    char amz_date[17]; /* YYYYMMDDTHHMMSSZ as the request claimed */
    /* For SEG_SIGV4_MISMATCH: the canonical request and string-to-sign the server computed
     * (AWS returns these in SignatureDoesNotMatch). Owned by the result; release it. */
    char *canonical_request;
    char *string_to_sign;
    char detail[256]; /* a human message; never contains a secret */
};

void seg_sigv4_verify_result_release(struct seg_sigv4_verify_result *r);

/* Looks up the secret for an access key id: copies it into secret (NUL-terminated) and
 * returns true, or returns false when the key is unknown. The verifier wipes the copy. */
typedef bool seg_sigv4_secret_fn(void *ud, const char *access_key_id, char *secret,
                                 size_t secret_size);

/* Verifies a request as received (raw wire path and query, headers, body) against the
 * signature it carries: rebuilds the canonical request from the headers it names, compares
 * in constant time, rejects dates more than max_skew_s seconds from now. flags are the
 * service's canonicalisation flags (SEG_SIGV4_FLAGS_*). Returns SEG_OK with the verdict in
 * out (out must be released), or an error for internal failures only. */
enum seg_err seg_sigv4_verify(const struct seg_http_req *req, unsigned flags, time_t now,
                              int max_skew_s, seg_sigv4_secret_fn *lookup, void *lookup_ud,
                              struct seg_sigv4_verify_result *out) SEG_MUST_USE;

const char *seg_sigv4_verdict_name(enum seg_sigv4_verdict v);

#endif
