/* libFuzzer target over the FilterLogEvents filter-pattern compiler and matcher: any bytes
 * must compile or fail with a message, never crash or read past the input; what compiles is
 * matched against the input itself and a fixed REPORT line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/filterpattern.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = seg_xmalloc(size + 1); /* exact-size copy plus the NUL match() needs */
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    struct seg_sim_filterpattern *fp = NULL;
    struct seg_errmsg err = {{0}};
    if (seg_sim_filterpattern_compile(text, size, &fp, &err) == SEG_OK) {
        static const char report[] =
            "REPORT RequestId: 4ce9340a\tDuration: 26.73 ms\tBilled Duration: 27 ms\n";
        (void)seg_sim_filterpattern_match(fp, report, sizeof report - 1);
        size_t len = strlen(text);
        (void)seg_sim_filterpattern_match(fp, text, len);
        if (seg_sim_filterpattern_matches_all(fp) && !seg_sim_filterpattern_match(fp, "", 0))
            __builtin_trap();
        seg_sim_filterpattern_free(fp);
    } else if (err.text[0] == '\0') {
        __builtin_trap(); /* every refusal says why */
    }
    free(text);
    return 0;
}
