/* libFuzzer: the simulator's S3 request parsers (untrusted bytes from any local client):
 * addressing from Host and path, aws-chunked bodies, query parameters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/query.h"
#include "sim/s3_api.h"

static bool known(void *ud, const char *bucket)
{
    (void)ud;
    return strcmp(bucket, "site1-simulatedbucket") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seg_sim_s3_chunked c;
    if (seg_sim_s3_decode_chunked(data, size, 1 << 16, &c) == SEG_OK)
        seg_sim_s3_chunked_release(&c);
    (void)seg_sim_crc32(data, size);

    /* "host\npath\nquery" as NUL-terminated strings */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    char *path = strchr(s, '\n');
    char *query = NULL;
    if (path) {
        *path++ = '\0';
        query = strchr(path, '\n');
        if (query)
            *query++ = '\0';
    }
    struct seg_sim_s3_target t;
    if (seg_sim_s3_parse_target(s, path ? path : s, known, NULL, &t) == SEG_OK)
        seg_sim_s3_target_release(&t);
    free(seg_sim_query_get(query ? query : s, "notification"));
    (void)seg_sim_query_has(query ? query : s, "x-id");
    free(s);
    return 0;
}
