/* Shared between creds.c and creds_process.c only. */
#ifndef SEGTOP_CORE_AWS_CREDS_INTERNAL_H
#define SEGTOP_CORE_AWS_CREDS_INTERNAL_H

#include "aws/creds.h"

/* Checks the three values (no spaces or control characters: they go into headers) and
 * copies them into out. where names their origin; names[] the three settings as the user
 * wrote them. Messages never quote a value. */
enum seg_err seg_creds_set(struct seg_creds *out, const char *id, const char *secret,
                           const char *token, const char *const names[3], const char *where,
                           struct seg_errmsg *err) SEG_MUST_USE;
/* Overwrites a NUL-terminated secret in place (NULL is fine). */
void seg_creds_wipe_str(char *s);

#endif
