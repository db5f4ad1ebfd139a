/* libFuzzer target over the --sim-faults grammar (seg_sim_faults_parse): any bytes must give
 * SEG_OK with sane values or an error with a message, never a crash or a read past the
 * input; on error the caller's struct is left untouched. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/faults.h"
#include "util/errmsg.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_set(const struct seg_sim_siteset *s)
{
    if (s->n < 0 || s->n > SEG_SIM_SITESET_MAX)
        __builtin_trap();
    for (int i = 0; i < s->n; i++)
        if (s->lo[i] < 1 || s->lo[i] > s->hi[i] || !seg_sim_siteset_has(s, s->lo[i]))
            __builtin_trap();
}

static bool prob(double p)
{
    return isfinite(p) && p >= 0 && p <= 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A NUL-terminated heap copy: the parser takes a C string. */
    char *spec = seg_xmalloc(size + 1);
    if (size)
        memcpy(spec, data, size);
    spec[size] = '\0';
    struct seg_sim_faults f;
    seg_sim_faults_init(&f);
    f.reorder = 0.125; /* marker: must survive a failed parse */
    struct seg_errmsg err = {{0}};
    if (seg_sim_faults_parse(spec, &f, &err) == SEG_OK) {
        for (int i = 0; i < SEG_SIM_SCOPES; i++)
            if (!prob(f.throttle[i]) || !prob(f.err5xx[i]))
                __builtin_trap();
        if (!prob(f.reset) || !prob(f.truncate) || !prob(f.slow_p) || !prob(f.error_p) ||
            !prob(f.duplicate_events) || !prob(f.reorder) || f.slow_ms < 0)
            __builtin_trap();
        if (f.ingest_set && (f.ingest_min_ms < 0 || f.ingest_min_ms > f.ingest_max_ms))
            __builtin_trap();
        check_set(&f.timeout);
        check_set(&f.oom);
        check_set(&f.evil_log);
    } else {
        if (!err.text[0] || f.reorder != 0.125)
            __builtin_trap();
    }
    free(spec);
    return 0;
}
