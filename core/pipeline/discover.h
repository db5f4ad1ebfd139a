/* The site table of --discover PREFIX (DESIGN §2): built from the functions ListFunctions
 * found. Pure: the pre-flight (engine/preflight.c) does the listing.
 *
 * Numbering: a wave of N fires sites 1..N, and the engine and the store key sites by that
 * number, so the table is always numbered 1..N. The functions are sorted by the first integer
 * in their name (names without one last, by name); when those integers are exactly 1..N they
 * are the site numbers, otherwise the sorted position is (*renumbered says so). The bucket
 * pattern's {n} is the name's integer when it has one (site10-lambdafunction keeps
 * site10-simulatedbucket), else the site number. */
#ifndef SEGTOP_CORE_PIPELINE_DISCOVER_H
#define SEGTOP_CORE_PIPELINE_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/sites.h"
#include "util/errmsg.h"
#include "util/seg.h"

/* One function ListFunctions returned (strings borrowed). */
struct seg_sites_found {
    const char *function;
    const char *log_group; /* LoggingConfig.LogGroup; NULL when the listing had none */
    int timeout_s;         /* 0: unknown (the pre-flight asks GetFunctionConfiguration) */
    int memory_mb;         /* 0: unknown */
    bool json_logs;        /* LoggingConfig.LogFormat JSON */
};

/* The first run of decimal digits in name (at most 8 of them), or 0 when there is none. */
int seg_sites_name_number(const char *name);

/* The table for found[0..n). Log group: --shared-log-group, else the function's
 * LoggingConfig.LogGroup, else cfg's pattern (default /aws/lambda/{function}). Unknown
 * timeouts and memory sizes stay 0. Names are checked as seg_sites_build does (duplicates
 * and invalid names: SEG_ERR_INVALID). n == 0 is SEG_ERR_NOTFOUND. */
enum seg_err seg_sites_from_found(const struct seg_sites_config *cfg,
                                  const struct seg_sites_found *found, size_t n,
                                  struct seg_site **out, size_t *nout, bool *renumbered,
                                  struct seg_errmsg *err) SEG_MUST_USE;

#endif
