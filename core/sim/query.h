/* Wire helpers for the simulator's API handlers: percent-decoding of raw paths and queries
 * as clients put them on the wire (the handlers get the raw form, for SigV4's sake). */
#ifndef SEGTOP_CORE_SIM_QUERY_H
#define SEGTOP_CORE_SIM_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/seg.h"

/* Decodes %XX in s[0..n) ('+' is kept: AWS clients encode a space as %20). A bad escape or
 * %00 is SEG_ERR_PARSE. *out is the caller's. */
enum seg_err seg_sim_pct_decode(const char *s, size_t n, char **out) SEG_MUST_USE;

/* The first value of parameter name in a raw query ("a=1&b&c=%2F"), decoded ("" for a bare
 * key); NULL when absent or undecodable. The caller frees. */
char *seg_sim_query_get(const char *query, const char *name);
/* True when the query has parameter name (with or without a value). */
bool seg_sim_query_has(const char *query, const char *name);

/* Standard base64 of len bytes (X-Amz-Log-Result, S3 checksums); the caller frees. */
char *seg_sim_base64(const void *data, size_t len);

#endif
