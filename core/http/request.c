#include "http/request.h"

#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "util/xalloc.h"

void seg_http_req_init(struct seg_http_req *req)
{
    memset(req, 0, sizeof *req);
}

void seg_http_req_release(struct seg_http_req *req)
{
    free(req->method);
    free(req->path);
    free(req->query);
    for (size_t i = 0; i < req->nheaders; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->headers);
    free(req->body);
    memset(req, 0, sizeof *req);
}

void seg_http_req_copy(struct seg_http_req *dst, const struct seg_http_req *src)
{
    seg_http_req_init(dst);
    dst->method = src->method ? seg_xstrdup(src->method) : NULL;
    dst->path = src->path ? seg_xstrdup(src->path) : NULL;
    dst->query = src->query ? seg_xstrdup(src->query) : NULL;
    for (size_t i = 0; i < src->nheaders; i++)
        seg_http_req_add_header(dst, src->headers[i].name, src->headers[i].value);
    seg_http_req_set_body(dst, src->body, src->body_len);
}

enum seg_err seg_http_req_set_target(struct seg_http_req *req, const char *method,
                                     const char *target)
{
    if (!method || !*method || !target || target[0] != '/')
        return SEG_ERR_INVALID;
    free(req->method);
    free(req->path);
    free(req->query);
    req->method = seg_xstrdup(method);
    const char *q = strchr(target, '?');
    if (q) {
        req->path = seg_xstrndup(target, (size_t)(q - target));
        req->query = seg_xstrdup(q + 1);
    } else {
        req->path = seg_xstrdup(target);
        req->query = NULL;
    }
    return SEG_OK;
}

void seg_http_req_add_header(struct seg_http_req *req, const char *name, const char *value)
{
    if (req->nheaders == req->headers_alloc) {
        req->headers_alloc = req->headers_alloc ? 2 * req->headers_alloc : 8;
        req->headers = seg_xrealloc(req->headers, req->headers_alloc * sizeof *req->headers);
    }
    req->headers[req->nheaders].name = seg_xstrdup(name);
    req->headers[req->nheaders].value = seg_xstrdup(value);
    req->nheaders++;
}

void seg_http_req_remove_header(struct seg_http_req *req, const char *name)
{
    size_t out = 0;
    for (size_t i = 0; i < req->nheaders; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            free(req->headers[i].name);
            free(req->headers[i].value);
            continue;
        }
        req->headers[out++] = req->headers[i];
    }
    req->nheaders = out;
}

void seg_http_req_set_header(struct seg_http_req *req, const char *name, const char *value)
{
    seg_http_req_remove_header(req, name);
    seg_http_req_add_header(req, name, value);
}

const char *seg_http_req_header(const struct seg_http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

void seg_http_req_set_body(struct seg_http_req *req, const void *body, size_t len)
{
    free(req->body);
    req->body = NULL;
    req->body_len = 0;
    if (body && len) {
        req->body = seg_xmalloc(len);
        memcpy(req->body, body, len);
        req->body_len = len;
    }
}
