/* Append-only string arena: strings live until the pool is released, pointers never move.
 * Saves malloc's per-allocation overhead on 100,000 request ids. */
#ifndef SEGTOP_CORE_METRICS_STRPOOL_H
#define SEGTOP_CORE_METRICS_STRPOOL_H

#include <stddef.h>

struct seg_strpool_chunk;

struct seg_strpool {
    struct seg_strpool_chunk *head;
    size_t bytes; /* total allocated, for memory reports */
};

void seg_strpool_init(struct seg_strpool *p);
void seg_strpool_release(struct seg_strpool *p);
/* Copies n bytes of s and NUL-terminates; NULL s gives NULL. Aborts on OOM. */
const char *seg_strpool_addn(struct seg_strpool *p, const char *s, size_t n);
const char *seg_strpool_add(struct seg_strpool *p, const char *s);

#endif
