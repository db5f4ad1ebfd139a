/* Shared by the site table's builders: sites.c (patterns, CSV) and discover.c (functions
 * found by ListFunctions). */
#ifndef SEGTOP_CORE_PIPELINE_SITES_INTERNAL_H
#define SEGTOP_CORE_PIPELINE_SITES_INTERNAL_H

#include "pipeline/sites.h"

/* Zeroes s and sets number n, memory 6200 MB, timeout 781 s, no reserved concurrency. */
void seg_sites_defaults(struct seg_site *s, int n);
/* Names valid as AWS would have them; where prefixes the message ("sites.csv:3: "). */
enum seg_err seg_sites_check(const struct seg_site *s, const char *where,
                             struct seg_errmsg *err) SEG_MUST_USE;
/* No two sites with one function or bucket. */
enum seg_err seg_sites_check_unique(const struct seg_site *sites, size_t n,
                                    struct seg_errmsg *err) SEG_MUST_USE;

#endif
