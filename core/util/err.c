#include "util/seg.h"

static const char *const messages[SEG_ERR__COUNT] = {
    [SEG_OK] = "success",
    [SEG_ERR_NOMEM] = "out of memory",
    [SEG_ERR_INVALID] = "invalid value",
    [SEG_ERR_PARSE] = "malformed input",
    [SEG_ERR_TOOBIG] = "input too large",
    [SEG_ERR_CRYPTO] = "cryptographic operation failed",
    [SEG_ERR_IO] = "I/O error",
    [SEG_ERR_NOTFOUND] = "not found",
    [SEG_ERR_STATE] = "operation not valid now",
    [SEG_ERR_HTTP] = "HTTP transport error",
    [SEG_ERR_TIMEOUT] = "timed out",
    [SEG_ERR_AUTH] = "authentication failed",
};

const char *seg_strerror(enum seg_err err)
{
    if ((unsigned)err >= SEG_ERR__COUNT || !messages[err])
        return "unknown error";
    return messages[err];
}
