/* libFuzzer target over the --slo parser: any bytes give SEG_OK with well-formed terms, or
 * SEG_ERR_PARSE with a message naming the term and its column; never a crash or a leak.
 * What parses is also checked against an empty snapshot. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/slo.h"
#include "metrics/store.h"
#include "util/errmsg.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = seg_xmalloc(size + 1);
    memcpy(spec, data, size);
    spec[size] = '\0'; /* the parser takes a C string, as argv gives it */
    struct seg_slo slo;
    struct seg_errmsg err = {{0}};
    if (seg_slo_parse(spec, &slo, &err) == SEG_OK) {
        if (slo.n == 0)
            __builtin_trap();
        for (size_t i = 0; i < slo.n; i++) {
            const struct seg_slo_term *t = &slo.terms[i];
            if (t->column < 1 || t->column > size || !(t->value >= 0) ||
                (t->kind == SEG_SLO_PCT && t->percentile != 50 && t->percentile != 90 &&
                 t->percentile != 95 && t->percentile != 99))
                __builtin_trap();
        }
        struct seg_store *s = seg_store_new(NULL);
        struct seg_snapshot *snap = seg_store_snapshot(s);
        struct seg_slo_result *res;
        size_t n;
        (void)seg_slo_check(&slo, snap, false, &res, &n);
        char line[256];
        for (size_t i = 0; i < n; i++)
            seg_slo_format(&res[i], line, sizeof line);
        free(res);
        seg_snapshot_release(snap);
        seg_store_free(s);
        seg_slo_release(&slo);
    } else if (strncmp(err.text, "--slo: ", 7) != 0) {
        __builtin_trap(); /* every error names the option */
    }
    free(spec);
    return 0;
}
