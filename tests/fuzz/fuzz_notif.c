/* libFuzzer target over doctor's reading of GetBucketNotificationConfiguration (restXml from
 * S3 or any endpoint): any bytes give a verdict and a bounded, NUL-terminated detail, never a
 * crash or a read past the body. Byte 0 picks the key segtop would upload. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"image_capture_2026-09-01_12-00-00.jpg",
                                       "site7/image_capture_2026-09-01_12-00-00-w2.jpg", "k", ""};
    if (size == 0)
        return 0;
    const char *key = keys[data[0] & 3];
    data++;
    size--;
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    char *xml = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(xml, data, size);
    char detail[64]; /* smaller than any real detail, so truncation is exercised */
    memset(detail, 'X', sizeof detail);
    enum doc_notif_verdict v =
        doc_notif_check(xml, size, "site1-lambdafunction", "us-west-1", key, detail, sizeof detail);
    if (v != DOC_NOTIF_OK && v != DOC_NOTIF_NONE && v != DOC_NOTIF_NO_CREATE &&
        v != DOC_NOTIF_FILTERED)
        __builtin_trap();
    if (memchr(detail, '\0', sizeof detail) == NULL)
        __builtin_trap();
    (void)doc_notif_check(xml, size, "site1-lambdafunction", "us-west-1", key, NULL, 0);
    free(xml);
    return 0;
}
