/* Allocation that aborts on OOM through a hook, so the UI can restore the terminal first. */
#ifndef SEGTOP_CORE_UTIL_XALLOC_H
#define SEGTOP_CORE_UTIL_XALLOC_H

#include <stddef.h>

#include "util/seg.h"

/* Called before abort() on OOM or a broken invariant. Must be async-signal-safe-ish: it may
 * run on any thread, so it should only write precomputed bytes and restore tty modes. */
typedef void seg_fatal_hook_fn(void);
void seg_set_fatal_hook(seg_fatal_hook_fn *hook);

void *seg_xmalloc(size_t size);
void *seg_xcalloc(size_t n, size_t size);
void *seg_xrealloc(void *p, size_t size);
char *seg_xstrdup(const char *s);
char *seg_xstrndup(const char *s, size_t n);
char *seg_xasprintf(const char *fmt, ...) SEG_PRINTF(1, 2);

SEG_NORETURN void seg_fatal(const char *fmt, ...) SEG_PRINTF(1, 2);
#define SEG_BUG(msg) seg_fatal("BUG at %s:%d: %s", __FILE__, __LINE__, (msg))

#endif
