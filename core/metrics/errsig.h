/* Error signatures: how the errors panel folds failures (DESIGN §5 panel 7). */
#ifndef SEGTOP_CORE_METRICS_ERRSIG_H
#define SEGTOP_CORE_METRICS_ERRSIG_H

enum seg_inv_status {
    SEG_INV_PENDING = 0, /* triggered or running: no outcome yet (exported empty) */
    SEG_INV_OK,
    SEG_INV_ERROR,
    SEG_INV_TIMEOUT,
    SEG_INV_THROTTLED,
    SEG_INV_TRIGGER_FAILED,
    SEG_INV_MISSING,
    SEG_INV__COUNT
};

enum seg_errsig {
    SEG_ERRSIG_NONE = -1,
    SEG_ERRSIG_TIMEOUT = 0,
    SEG_ERRSIG_OOM,
    SEG_ERRSIG_HANDLER,
    SEG_ERRSIG_RUNTIME_EXIT,
    SEG_ERRSIG_THROTTLED,
    SEG_ERRSIG_TRIGGER_FAILED,
    SEG_ERRSIG_MISSING,
    SEG_ERRSIG__COUNT
};

/* "ok", "error", ... as in the invocations export; "" for SEG_INV_PENDING. */
const char *seg_inv_status_name(enum seg_inv_status s);
/* "timeout", "out of memory", "handler exception", ... */
const char *seg_errsig_name(enum seg_errsig s);
/* Folds an outcome: the status decides first, then the REPORT's Error Type and the message
 * (Runtime.OutOfMemory / "out of memory", Runtime.ExitError / "Runtime exited"). Either
 * string may be NULL. */
enum seg_errsig seg_errsig_classify(enum seg_inv_status status, const char *error_type,
                                    const char *message);

#endif
