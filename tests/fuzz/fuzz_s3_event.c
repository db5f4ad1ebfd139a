/* libFuzzer target over the S3 event record: the simulator's functions parse whatever
 * payload a local client sends to Invoke (seg_s3_event_parse), so any bytes must give a key
 * or false, never a crash or a leak. The same bytes as an object key must survive the trip
 * through the record S3 would send (encode, JSON, parse, decode). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/s3_event.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    char *payload = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(payload, data, size);
    char *key = NULL;
    int64_t t = 0;
    if (seg_s3_event_parse(payload, size, &key, &t))
        free(key);
    free(payload);

    /* Round trip: keys are C strings (a NUL ends one), and S3 never sends an empty key. */
    char *raw = seg_xstrndup((const char *)data, size);
    if (raw[0]) {
        struct seg_s3_event ev = {.region = "us-west-1",
                                  .bucket = "site1-simulatedbucket",
                                  .key = raw,
                                  .size = size,
                                  .etag = "\"0123\"",
                                  .event_time_ms = 1788264000123,
                                  .sequencer = "0A1B",
                                  .request_id = "R1",
                                  .site = 1};
        char *json = seg_s3_event_json(&ev);
        key = NULL;
        if (!seg_s3_event_parse(json, strlen(json), &key, &t) || strcmp(key, raw) != 0 ||
            t != ev.event_time_ms)
            __builtin_trap();
        free(key);
        free(json);
    }
    free(raw);
    return 0;
}
