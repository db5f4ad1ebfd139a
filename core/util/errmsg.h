/* A human-readable error for the user: what went wrong, where, and what to do. Fixed size so
 * it can travel by value between threads and be filled on paths that must not allocate. */
#ifndef SEGTOP_CORE_UTIL_ERRMSG_H
#define SEGTOP_CORE_UTIL_ERRMSG_H

#include "util/seg.h"

struct seg_errmsg {
    char text[512];
};

/* Sets the message (truncating if needed); a NULL errmsg is allowed and ignored. */
void seg_errmsg_set(struct seg_errmsg *e, const char *fmt, ...) SEG_PRINTF(2, 3);

#endif
