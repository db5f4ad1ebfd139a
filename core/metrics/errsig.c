#include "metrics/errsig.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>

static const char *const status_names[SEG_INV__COUNT] = {
    [SEG_INV_PENDING] = "",
    [SEG_INV_OK] = "ok",
    [SEG_INV_ERROR] = "error",
    [SEG_INV_TIMEOUT] = "timeout",
    [SEG_INV_THROTTLED] = "throttled",
    [SEG_INV_TRIGGER_FAILED] = "trigger_failed",
    [SEG_INV_MISSING] = "missing",
};

static const char *const sig_names[SEG_ERRSIG__COUNT] = {
    [SEG_ERRSIG_TIMEOUT] = "timeout",           [SEG_ERRSIG_OOM] = "out of memory",
    [SEG_ERRSIG_HANDLER] = "handler exception", [SEG_ERRSIG_RUNTIME_EXIT] = "runtime exit",
    [SEG_ERRSIG_THROTTLED] = "throttled",       [SEG_ERRSIG_TRIGGER_FAILED] = "trigger failed",
    [SEG_ERRSIG_MISSING] = "REPORT missing",
};

const char *seg_inv_status_name(enum seg_inv_status s)
{
    return (unsigned)s < SEG_INV__COUNT ? status_names[s] : "";
}

const char *seg_errsig_name(enum seg_errsig s)
{
    return (unsigned)s < SEG_ERRSIG__COUNT ? sig_names[s] : "";
}

/* ASCII case-insensitive substring search (log text is untrusted: no locale). */
static bool has(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    for (; *hay; hay++) {
        size_t i = 0;
        while (needle[i] && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (!needle[i])
            return true;
    }
    return false;
}

enum seg_errsig seg_errsig_classify(enum seg_inv_status status, const char *error_type,
                                    const char *message)
{
    switch (status) {
    case SEG_INV_OK:
    case SEG_INV_PENDING:
    case SEG_INV__COUNT:
        return SEG_ERRSIG_NONE;
    case SEG_INV_TIMEOUT:
        return SEG_ERRSIG_TIMEOUT;
    case SEG_INV_THROTTLED:
        return SEG_ERRSIG_THROTTLED;
    case SEG_INV_TRIGGER_FAILED:
        return SEG_ERRSIG_TRIGGER_FAILED;
    case SEG_INV_MISSING:
        return SEG_ERRSIG_MISSING;
    case SEG_INV_ERROR:
        break;
    }
    if (has(error_type, "OutOfMemory") || has(message, "out of memory") ||
        has(message, "OutOfMemory") || has(message, "MemoryError"))
        return SEG_ERRSIG_OOM;
    if (has(error_type, "Timeout") || has(message, "Task timed out"))
        return SEG_ERRSIG_TIMEOUT;
    if (has(error_type, "Runtime.Exit") || has(message, "Runtime exited") ||
        has(message, "exit status"))
        return SEG_ERRSIG_RUNTIME_EXIT;
    return SEG_ERRSIG_HANDLER;
}
