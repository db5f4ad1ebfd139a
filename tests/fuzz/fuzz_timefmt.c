/* libFuzzer target over the time parsers fed by outside bytes: HTTP Date headers (the clock
 * offset), ISO 8601 (credential_process Expiration), and the ms forms of S3 eventTime, log
 * lines and replayed CSVs. Any bytes parse or fail, never crash; what parses formats back to
 * text that parses to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The parsers take C strings (header values, JSON strings): an exact-size copy. */
    char *s = seg_xmalloc(size + 1);
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';

    time_t t, back;
    if (seg_time_parse_http(s, &t) == SEG_OK) {
        char out[SEG_HTTP_DATE_LEN + 1];
        seg_time_format_http(t, out);
        if (seg_time_parse_http(out, &back) != SEG_OK || back != t)
            __builtin_trap();
    }
    (void)seg_time_parse_iso8601(s, &t);

    int64_t ms, ms2;
    char text[32];
    if (seg_time_parse_iso_ms(s, &ms)) {
        seg_time_format_ms(ms, 'T', true, true, text);
        if (!seg_time_parse_iso_ms(text, &ms2) || ms2 != ms)
            __builtin_trap();
    }
    if (seg_time_parse_civil_ms(s, &ms)) {
        seg_time_format_ms(ms, ' ', true, false, text);
        if (!seg_time_parse_civil_ms(text, &ms2) || ms2 != ms)
            __builtin_trap();
    }
    free(s);
    return 0;
}
