/* The SigV4 stages, exposed so tests can check each one against the AWS suite and botocore.
 * Not for use outside core/aws and tests: callers use aws/sigv4.h. */
#ifndef SEGTOP_CORE_AWS_SIGV4_INTERNAL_H
#define SEGTOP_CORE_AWS_SIGV4_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/sigv4.h"
#include "util/buf.h"
#include "util/crypto.h"

#define SEG_SIGV4_ALGORITHM        "AWS4-HMAC-SHA256"
#define SEG_SIGV4_UNSIGNED         "UNSIGNED-PAYLOAD"
#define SEG_SIGV4_STREAMING        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
#define SEG_SIGV4_AMZ_DATE_LEN     16 /* YYYYMMDDTHHMMSSZ */
#define SEG_SIGV4_MAX_SIGNED       64
#define SEG_SIGV4_MAX_AUTH_LEN     4096
#define SEG_SIGV4_CANONICAL_CAP    ((size_t)1 << 20) /* canonical request bytes */
#define SEG_SIGV4_MAX_QUERY_PARAMS 4096

/* Headers AWS SDKs never sign (botocore SIGNED_HEADERS_BLACKLIST plus authorization).
 * lname must be lowercase. */
bool seg_sigv4_header_unsigned(const char *lname);

/* Appends the canonical URI of a wire path (NULL or "" is "/") under the flags
 * SEG_SIGV4_NORMALIZE_PATH and SEG_SIGV4_DOUBLE_ENCODE. */
enum seg_err seg_sigv4_canonical_uri(struct seg_buf *out, const char *path,
                                     unsigned flags) SEG_MUST_USE;

/* Appends the canonical query string of a wire query (NULL or "" gives ""). */
enum seg_err seg_sigv4_canonical_query(struct seg_buf *out, const char *query) SEG_MUST_USE;

/* Appends the canonical headers block (each line ends in '\n') to headers and the
 * ';'-joined signed-header names to signed_names. With only == NULL every header except the
 * never-signed ones is included; otherwise exactly the names in only (lowercase, sorted,
 * unique, n_only of them), and a name absent from the request gives SEG_ERR_NOTFOUND with
 * its index in *missing (when missing is not NULL). */
enum seg_err seg_sigv4_canonical_headers(struct seg_buf *headers, struct seg_buf *signed_names,
                                         const struct seg_http_req *req, const char *const *only,
                                         size_t n_only, size_t *missing) SEG_MUST_USE;

/* Appends the canonical request: method, URI, query, headers, signed names, payload hash.
 * only/n_only/missing as for seg_sigv4_canonical_headers. signed_names (may be NULL)
 * receives the signed-header list. */
enum seg_err seg_sigv4_canonical_request(struct seg_buf *out, struct seg_buf *signed_names,
                                         const struct seg_http_req *req, unsigned flags,
                                         const char *payload_hash, const char *const *only,
                                         size_t n_only, size_t *missing) SEG_MUST_USE;

/* Appends the string-to-sign for amz_date (YYYYMMDDTHHMMSSZ) and the scope
 * "YYYYMMDD/region/service/aws4_request". */
enum seg_err seg_sigv4_string_to_sign(struct seg_buf *out, const char *amz_date, const char *scope,
                                      const char *canonical_request) SEG_MUST_USE;

/* kSigning from the secret and the scope parts; wipes every intermediate key. The caller
 * wipes key when done. */
void seg_sigv4_signing_key(const char *secret, const char *date8, const char *region,
                           const char *service, unsigned char key[SEG_SHA256_LEN]);

/* Lowercase hex HMAC-SHA256(key, string_to_sign). */
void seg_sigv4_signature(const unsigned char key[SEG_SHA256_LEN], const char *string_to_sign,
                         char out[SEG_SHA256_HEX_LEN + 1]);

/* The payload hash the signer uses: the caller's x-amz-content-sha256 value when present,
 * UNSIGNED-PAYLOAD under SEG_SIGV4_UNSIGNED_PAYLOAD, else hex sha256 of the body. Returns
 * SEG_ERR_TOOBIG when a caller's header value does not fit. */
enum seg_err seg_sigv4_payload_hash(const struct seg_http_req *req, unsigned flags,
                                    char out[SEG_SHA256_HEX_LEN + 1]) SEG_MUST_USE;

/* Formats t as YYYYMMDDTHHMMSSZ (UTC). */
enum seg_err seg_sigv4_format_amz_date(time_t t, char out[SEG_SIGV4_AMZ_DATE_LEN + 1]) SEG_MUST_USE;
/* Parses YYYYMMDDTHHMMSSZ, or with rfc1123 "Sun, 30 Aug 2015 12:36:00 GMT", strictly. */
enum seg_err seg_sigv4_parse_date(const char *s, bool rfc1123, time_t *out) SEG_MUST_USE;

/* A credential-scope part (access key id, region, service) that is safe to put in a
 * '/'-separated scope and a header: 1..max printable bytes without '/', ',' or '='. */
bool seg_sigv4_scope_part_ok(const char *s, size_t max);

#endif
