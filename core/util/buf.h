/* Growable byte buffer with a hard cap (curl's dynbuf "toobig"): anything that holds bytes
 * from outside gets a cap, so a hostile peer cannot make us allocate without bound. */
#ifndef SEGTOP_CORE_UTIL_BUF_H
#define SEGTOP_CORE_UTIL_BUF_H

#include <stddef.h>

#include "util/seg.h"

struct seg_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len; 0 means SEG_BUF_DEFAULT_CAP */
};

#define SEG_BUF_DEFAULT_CAP ((size_t)64 << 20)

void seg_buf_init(struct seg_buf *b, size_t cap);
void seg_buf_release(struct seg_buf *b);
void seg_buf_reset(struct seg_buf *b); /* len = 0, keeps the allocation */
/* Wipes the contents before freeing: for buffers that held secrets. */
void seg_buf_release_secure(struct seg_buf *b);

enum seg_err seg_buf_add(struct seg_buf *b, const void *p, size_t n) SEG_MUST_USE;
enum seg_err seg_buf_adds(struct seg_buf *b, const char *s) SEG_MUST_USE;
enum seg_err seg_buf_addc(struct seg_buf *b, char c) SEG_MUST_USE;
enum seg_err seg_buf_addf(struct seg_buf *b, const char *fmt, ...) SEG_PRINTF(2, 3) SEG_MUST_USE;

/* Hands the data to the caller (who frees it) and resets the buffer. Never NULL. */
char *seg_buf_detach(struct seg_buf *b, size_t *len);

#endif
