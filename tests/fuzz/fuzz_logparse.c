/* libFuzzer target over the Lambda log parsers and the terminal sanitiser: any bytes must
 * give SEG_OK and a record whose strings are bounded, NUL-terminated and terminal-clean,
 * never a crash, a leak or a read past the input. The REPORT fast path must agree with
 * the general parser, and sanitising is idempotent with prefix-stable truncation. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/parse.h"
#include "logs/sanitize.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap + 1);
    if (n > cap)
        __builtin_trap();
    char again[SEG_LOG_IMAGE_NAME_MAX + 1];
    /* Already sanitised: passing it through again changes nothing. */
    size_t m = seg_sanitize_for_terminal(s, n, again, sizeof again);
    if (m != n || memcmp(again, s, n) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    char *text = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(text, data, size);

    struct seg_log_record r, fast;
    if (seg_log_parse(text, size, &r) != SEG_OK)
        __builtin_trap();
    if ((unsigned)r.kind >= SEG_LOG_KIND__COUNT || (unsigned)r.status >= SEG_LOG_STATUS__COUNT)
        __builtin_trap();
    check_string(r.request_id, SEG_LOG_REQUEST_ID_MAX);
    check_string(r.error_type, SEG_LOG_ERROR_TYPE_MAX);
    check_string(r.runtime_version, SEG_LOG_RUNTIME_MAX);
    check_string(r.site_id, SEG_LOG_SITE_ID_MAX);
    check_string(r.image_name, SEG_LOG_IMAGE_NAME_MAX);
    check_string(r.excerpt, SEG_LOG_EXCERPT_MAX);
    (void)seg_log_kind_name(r.kind);
    if (seg_log_parse_report(text, size, &fast) == SEG_OK && memcmp(&fast, &r, sizeof r) != 0)
        __builtin_trap();

    /* Sanitiser: idempotent, and a smaller cap gives a prefix of the full output. */
    size_t cap = size * 3 + 1;
    char *o1 = seg_xmalloc(cap), *o2 = seg_xmalloc(cap);
    size_t used = 0, a = seg_sanitize_for_terminal_ex(text, size, o1, cap, &used);
    if (used != size || o1[a] != '\0')
        __builtin_trap();
    for (size_t i = 0; i < a; i++) {
        unsigned char c = (unsigned char)o1[i];
        if (c < 0x20 || c == 0x7f)
            __builtin_trap();
    }
    if (seg_sanitize_for_terminal(o1, a, o2, cap) != a || memcmp(o1, o2, a) != 0)
        __builtin_trap();
    size_t small = size ? (size_t)data[0] % (a + 1) + 1 : 1;
    size_t b = seg_sanitize_for_terminal(text, size, o2, small);
    if (b >= small || memcmp(o1, o2, b) != 0)
        __builtin_trap();
    free(o1);
    free(o2);
    free(text);
    return 0;
}
