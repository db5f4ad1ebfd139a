/* The ObjectCreated:Put record S3 sends to Lambda (aws-wire.md §5.2). */
#ifndef SEGTOP_CORE_PIPELINE_S3_EVENT_H
#define SEGTOP_CORE_PIPELINE_S3_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct seg_s3_event {
    const char *region;
    const char *bucket;
    const char *key; /* raw (decoded) object key */
    size_t size;
    const char *etag; /* with or without quotes; NULL = none */
    int64_t event_time_ms;
    const char *sequencer;
    const char *request_id; /* S3's x-amz-request-id */
    int site;
};

/* {"Records":[{...}]} as S3 sends it. Caller frees. */
char *seg_s3_event_json(const struct seg_s3_event *e);
/* The key as S3 writes it into the record: form-URL-encoded ("red flower.jpg" ->
 * "red+flower.jpg"), unreserved characters and '/' kept. Caller frees. */
char *seg_s3_key_encode(const char *key);
/* Inverse (the handler's unquote_plus). Caller frees. */
char *seg_s3_key_decode(const char *key);
/* The decoded object key and eventTime of the first record of an S3 event payload; false
 * when the payload is not one. *key_out: caller frees. */
bool seg_s3_event_parse(const char *payload, size_t len, char **key_out, int64_t *event_time_ms);

#endif
