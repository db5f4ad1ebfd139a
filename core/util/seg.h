/* Project-wide basics: result codes, attributes, small macros. Every module includes this. */
#ifndef SEGTOP_CORE_UTIL_SEG_H
#define SEGTOP_CORE_UTIL_SEG_H

#include <stddef.h>

#define SEG_MUST_USE       __attribute__((warn_unused_result))
#define SEG_PRINTF(fmt, a) __attribute__((format(printf, fmt, a)))
#define SEG_NORETURN       __attribute__((noreturn))
#define SEG_ARRAY_LEN(a)   (sizeof(a) / sizeof((a)[0]))

/* Results of every fallible function. A failed HTTP request is not an error: it is data. */
enum seg_err {
    SEG_OK = 0,
    SEG_ERR_NOMEM,   /* allocation failed where the caller must not abort */
    SEG_ERR_INVALID, /* bad argument or configuration value */
    SEG_ERR_PARSE,   /* malformed input bytes */
    SEG_ERR_TOOBIG,  /* input exceeds its size cap */
    SEG_ERR_CRYPTO,  /* OpenSSL failed */
    SEG_ERR_IO,      /* file or socket I/O failed; errno is meaningful */
    SEG_ERR_NOTFOUND,
    SEG_ERR_STATE, /* call not valid in the object's current state */
    SEG_ERR_HTTP,  /* transport-level failure setting up a transfer */
    SEG_ERR_TIMEOUT,
    SEG_ERR_AUTH, /* credentials missing, expired or refused */
    SEG_ERR__COUNT
};

const char *seg_strerror(enum seg_err err);

#endif
