#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crypto.h"
#include "util/xalloc.h"

void seg_buf_init(struct seg_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap ? cap : SEG_BUF_DEFAULT_CAP;
}

void seg_buf_release(struct seg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void seg_buf_release_secure(struct seg_buf *b)
{
    if (b->data)
        seg_wipe(b->data, b->alloc);
    seg_buf_release(b);
}

void seg_buf_reset(struct seg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static enum seg_err grow(struct seg_buf *b, size_t extra)
{
    size_t cap = b->cap ? b->cap : SEG_BUF_DEFAULT_CAP;
    if (extra > cap - b->len)
        return SEG_ERR_TOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return SEG_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n *= 2;
    b->data = seg_xrealloc(b->data, n);
    b->alloc = n;
    return SEG_OK;
}

enum seg_err seg_buf_add(struct seg_buf *b, const void *p, size_t n)
{
    enum seg_err err = grow(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SEG_OK;
}

enum seg_err seg_buf_adds(struct seg_buf *b, const char *s)
{
    return seg_buf_add(b, s, strlen(s));
}

enum seg_err seg_buf_addc(struct seg_buf *b, char c)
{
    return seg_buf_add(b, &c, 1);
}

enum seg_err seg_buf_addf(struct seg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SEG_ERR_INVALID;
    enum seg_err err = grow(b, (size_t)n);
    if (err)
        return err;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SEG_OK;
}

char *seg_buf_detach(struct seg_buf *b, size_t *len)
{
    char *d = b->data ? b->data : seg_xstrdup("");
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->alloc = 0;
    return d;
}
