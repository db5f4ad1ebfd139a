/* The calls of one wave's triggers (DESIGN §2, aws-wire.md §3.1, §5.1): PutObject of the
 * wave's key into the site's bucket (signed x-amz-content-sha256, Content-Type
 * image/jpeg), and Invoke (RequestResponse or Event) with the ObjectCreated:Put record S3
 * would send. */
#ifndef SEGTOP_CORE_ENGINE_WAVE_H
#define SEGTOP_CORE_ENGINE_WAVE_H

#include <stdbool.h>
#include <stddef.h>

#include "http/client.h"
#include "pipeline/sites.h"

/* Path-style /bucket/key, or (virtual_hosted, real AWS) Host bucket.s3.region.amazonaws.com
 * and /key. */
void seg_wave_put_call(struct seg_http_call *call, const struct seg_site *site, const char *key,
                       const unsigned char *body, size_t len, bool virtual_hosted,
                       const char *region);
/* HeadBucket of the site's bucket: sent before the first wave so that the connections the
 * wave needs are open already (traps.md: a cold wave pays a handshake per connection). */
void seg_wave_head_call(struct seg_http_call *call, const struct seg_site *site,
                        bool virtual_hosted, const char *region);

/* payload: the S3 event JSON (copied). */
void seg_wave_invoke_call(struct seg_http_call *call, const struct seg_site *site,
                          const char *payload, bool async);

#endif
