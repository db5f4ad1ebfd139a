/* libFuzzer target over seg_aws_error_parse: any bytes, as a JSON (awsJson1_1/restJson1) or
 * XML (restXml) error body, with or without an X-Amzn-ErrorType header, must give SEG_OK and
 * a bounded, NUL-terminated result: never a crash, a leak or a read past the input.
 * Input layout: byte 0 picks the content type and status; if bit 2 is set, the bytes up to
 * the first '\n' are the header value; the rest is the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/error.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(const char *s, size_t cap)
{
    if (strnlen(s, cap) >= cap)
        __builtin_trap(); /* every field stays NUL-terminated */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ctypes[] = {NULL, "application/x-amz-json-1.1", "application/json",
                                         "application/xml"};
    static const int statuses[] = {400, 403, 404, 413, 429, 500, 502, 503};
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    char *header = NULL;
    if (mode & 4) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t hl = nl ? (size_t)(nl - data) : size;
        header = seg_xstrndup((const char *)data, hl);
        data += nl ? hl + 1 : hl;
        size -= nl ? hl + 1 : hl;
    }
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    char *body = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(body, data, size);
    struct seg_aws_error e;
    if (seg_aws_error_parse(statuses[(mode >> 3) & 7], ctypes[mode & 3], header, body, size, &e) !=
        SEG_OK)
        __builtin_trap(); /* valid arguments always give a result */
    check_field(e.code, sizeof e.code);
    check_field(e.message, sizeof e.message);
    check_field(e.request_id, sizeof e.request_id);
    for (const char *c = e.code; *c; c++) {
        if (*c <= 0x20 || *c >= 0x7F)
            __builtin_trap(); /* codes are printable tokens */
    }
    (void)seg_aws_error_is_retryable(&e);
    (void)seg_aws_error_is_clock_skew(&e);
    (void)seg_aws_error_class_name(e.cls);
    seg_aws_error_set_request_id(&e, header);
    free(body);
    free(header);
    return 0;
}
