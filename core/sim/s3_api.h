/* The simulator's S3 API (restXml, DESIGN §6, aws-wire.md §5): PutObject (path-style and
 * virtual-hosted; signed, UNSIGNED-PAYLOAD or aws-chunked bodies; Content-MD5 and
 * x-amz-checksum-* verified), HeadBucket, ListBuckets, GetBucketLocation and
 * GetBucketNotificationConfiguration. A PutObject into a site bucket fires the site's
 * function through the fleet. Requests arrive already authenticated. */
#ifndef SEGTOP_CORE_SIM_S3_API_H
#define SEGTOP_CORE_SIM_S3_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "sim/fleet.h"
#include "sim/httpd.h"
#include "util/seg.h"

#define SEG_SIM_S3_KEY_MAX 1024 /* bytes of UTF-8 */

/* ---- addressing ---- */

enum seg_sim_s3_style { SEG_SIM_S3_PATH = 0, SEG_SIM_S3_VIRTUAL };

struct seg_sim_s3_target {
    enum seg_sim_s3_style style;
    char *bucket; /* NULL: the service (ListBuckets) */
    char *key;    /* decoded; NULL when the request names no object */
};

/* Whether a bucket exists (for virtual-hosted Host headers). */
typedef bool seg_sim_s3_known_fn(void *ud, const char *bucket);

/* Virtual-hosted when the Host (port stripped, case-insensitive) starts with a known
 * bucket and a '.', or has the shape "<bucket>.s3.*" / "<bucket>.localhost"; path-style
 * otherwise. SEG_ERR_PARSE for a path that does not percent-decode. */
enum seg_err seg_sim_s3_parse_target(const char *host, const char *path, seg_sim_s3_known_fn *known,
                                     void *known_ud, struct seg_sim_s3_target *out) SEG_MUST_USE;
void seg_sim_s3_target_release(struct seg_sim_s3_target *t);

/* ---- aws-chunked bodies (x-amz-content-sha256: STREAMING-*) ---- */

struct seg_sim_s3_chunked {
    unsigned char *data; /* decoded payload, owned */
    size_t len;
    char *trailer_name;  /* first trailing header (e.g. x-amz-checksum-crc32), or NULL */
    char *trailer_value; /* its value */
};

/* Decodes "<hex>[;chunk-signature=…]\r\n<data>\r\n…0…\r\n[trailers]\r\n". Chunk signatures
 * are not checked. SEG_ERR_PARSE when malformed, SEG_ERR_TOOBIG past cap decoded bytes. */
enum seg_err seg_sim_s3_decode_chunked(const unsigned char *body, size_t len, size_t cap,
                                       struct seg_sim_s3_chunked *out) SEG_MUST_USE;
void seg_sim_s3_chunked_release(struct seg_sim_s3_chunked *c);

/* CRC-32 (IEEE) and CRC-32C (Castagnoli), as S3's flexible checksums use them. */
uint32_t seg_sim_crc32(const void *data, size_t len);
uint32_t seg_sim_crc32c(const void *data, size_t len);

/* ---- the API ---- */

struct seg_sim_s3_config {
    struct seg_sim_fleet *fleet; /* borrowed; must outlive the API */
    const char *region;          /* copied */
    const char *account_id;      /* copied; "123456789012" when NULL */
    size_t max_object;           /* decoded PutObject cap; 0: 8 MB */
};

struct seg_sim_s3_api;

struct seg_sim_s3_api *seg_sim_s3_api_new(const struct seg_sim_s3_config *cfg);
void seg_sim_s3_api_free(struct seg_sim_s3_api *api);

/* Answers one authenticated S3 request (on the server's thread). */
void seg_sim_s3_handle(struct seg_sim_s3_api *api, const struct seg_http_req *req,
                       struct seg_httpd_response *resp);

#endif
