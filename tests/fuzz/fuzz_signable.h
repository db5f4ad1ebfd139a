/* Shared by the SigV4 fuzz harnesses: which generated requests the signer and the verifier
 * can both handle, so a refused signature means a bug and not an unsignable input. */
#ifndef SEGTOP_TESTS_FUZZ_SIGNABLE_H
#define SEGTOP_TESTS_FUZZ_SIGNABLE_H

#include <stdbool.h>

#include "http/request.h"

/* Header names the verifier can read back from SignedHeaders: non-empty tokens. */
static inline bool fuzz_names_signable(const struct seg_http_req *req)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        const char *s = req->headers[i].name;
        if (!*s)
            return false;
        for (; *s; s++)
            if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == ';' || *s == ',' ||
                *s == ':')
                return false;
    }
    return req->nheaders < 48;
}

#endif
