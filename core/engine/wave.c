#include "engine/wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/uri.h"
#include "util/buf.h"
#include "util/xalloc.h"

static void set_target(struct seg_http_req *req, const char *method, const char *target)
{
    if (seg_http_req_set_target(req, method, target) != SEG_OK)
        SEG_BUG("trigger target refused");
}

/* A request to a site's bucket (key NULL: the bucket itself), path-style or virtual-hosted. */
static void bucket_call(struct seg_http_call *call, const char *method, const struct seg_site *site,
                        const char *key, bool virtual_hosted, const char *region)
{
    struct seg_buf path;
    seg_buf_init(&path, 4096);
    bool ok = true;
    if (!virtual_hosted) {
        ok = seg_buf_addc(&path, '/') == SEG_OK &&
             seg_uri_encode(&path, site->bucket, strlen(site->bucket), false) == SEG_OK;
    }
    if (key || virtual_hosted)
        ok = ok && seg_buf_addc(&path, '/') == SEG_OK;
    if (key)
        ok = ok && seg_uri_encode(&path, key, strlen(key), true) == SEG_OK;
    if (!ok)
        SEG_BUG("object path too long");
    call->service = SEG_AWS_S3;
    seg_http_req_init(&call->req);
    set_target(&call->req, method, path.data);
    seg_buf_release(&path);
    if (virtual_hosted) {
        /* The bucket travels in Host (and so in the signature); the connection goes to the
         * regional endpoint, which serves every bucket of the region. */
        char *host = seg_xasprintf("%s.s3.%s.amazonaws.com", site->bucket, region);
        seg_http_req_add_header(&call->req, "Host", host);
        free(host);
    }
}

void seg_wave_put_call(struct seg_http_call *call, const struct seg_site *site, const char *key,
                       const unsigned char *body, size_t len, bool virtual_hosted,
                       const char *region)
{
    bucket_call(call, "PUT", site, key, virtual_hosted, region);
    seg_http_req_add_header(&call->req, "Content-Type", "image/jpeg");
    seg_http_req_set_body(&call->req, body, len);
}

void seg_wave_head_call(struct seg_http_call *call, const struct seg_site *site,
                        bool virtual_hosted, const char *region)
{
    bucket_call(call, "HEAD", site, NULL, virtual_hosted, region);
}

void seg_wave_invoke_call(struct seg_http_call *call, const struct seg_site *site,
                          const char *payload, bool async)
{
    char target[256];
    snprintf(target, sizeof target, "/2015-03-31/functions/%s/invocations", site->function);
    call->service = SEG_AWS_LAMBDA;
    seg_http_req_init(&call->req);
    set_target(&call->req, "POST", target);
    seg_http_req_add_header(&call->req, "X-Amz-Invocation-Type",
                            async ? "Event" : "RequestResponse");
    seg_http_req_set_body(&call->req, payload, strlen(payload));
}
