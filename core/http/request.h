/* An HTTP request as it goes on the wire, free of any transport types: the signer, the
 * verifier (simulator side) and the engine all work on this one shape. */
#ifndef SEGTOP_CORE_HTTP_REQUEST_H
#define SEGTOP_CORE_HTTP_REQUEST_H

#include <stddef.h>

#include "util/seg.h"

struct seg_http_header {
    char *name;
    char *value;
};

struct seg_http_req {
    char *method;
    char *path;  /* wire form (percent-encoded), starts with '/' */
    char *query; /* wire form without the '?'; NULL when the URL has none */
    struct seg_http_header *headers;
    size_t nheaders;
    size_t headers_alloc;
    unsigned char *body; /* owned; NULL when empty */
    size_t body_len;
};

void seg_http_req_init(struct seg_http_req *req);
void seg_http_req_release(struct seg_http_req *req);
/* Deep copy into an initialised, empty request. */
void seg_http_req_copy(struct seg_http_req *dst, const struct seg_http_req *src);

/* Sets method and request target ("/path?query"); the target must start with '/'. */
enum seg_err seg_http_req_set_target(struct seg_http_req *req, const char *method,
                                     const char *target) SEG_MUST_USE;
/* Appends a header (duplicates kept in order, as on the wire). */
void seg_http_req_add_header(struct seg_http_req *req, const char *name, const char *value);
/* Replaces every header of that name (case-insensitive) with one. */
void seg_http_req_set_header(struct seg_http_req *req, const char *name, const char *value);
void seg_http_req_remove_header(struct seg_http_req *req, const char *name);
/* First header of that name, case-insensitive; NULL when absent. */
const char *seg_http_req_header(const struct seg_http_req *req, const char *name);
void seg_http_req_set_body(struct seg_http_req *req, const void *body, size_t len);

#endif
