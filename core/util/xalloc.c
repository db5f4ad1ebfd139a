#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

static seg_fatal_hook_fn *fatal_hook;

void seg_set_fatal_hook(seg_fatal_hook_fn *hook)
{
    fatal_hook = hook;
}

void seg_fatal(const char *fmt, ...)
{
    /* Restore the terminal first so the message is readable. */
    if (fatal_hook)
        fatal_hook();
    va_list ap;
    va_start(ap, fmt);
    fputs("segtop: fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static void *check(void *p, size_t size)
{
    if (!p)
        seg_fatal("out of memory allocating %zu bytes", size);
    return p;
}

void *seg_xmalloc(size_t size)
{
    return check(malloc(size ? size : 1), size);
}

void *seg_xcalloc(size_t n, size_t size)
{
    return check(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *seg_xrealloc(void *p, size_t size)
{
    return check(realloc(p, size ? size : 1), size);
}

char *seg_xstrdup(const char *s)
{
    return seg_xstrndup(s, strlen(s));
}

char *seg_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *r = seg_xmalloc(len + 1);
    memcpy(r, s, len);
    r[len] = '\0';
    return r;
}

char *seg_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        seg_fatal("bad format string");
    char *r = seg_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return r;
}
