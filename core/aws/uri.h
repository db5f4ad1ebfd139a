/* URI pieces as SigV4 canonicalises them (aws-wire.md §1.2-1.4). Separate from the signer so
 * the simulator's router and the tests can use the same rules. */
#ifndef SEGTOP_CORE_AWS_URI_H
#define SEGTOP_CORE_AWS_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/seg.h"

/* True for the bytes UriEncode keeps: A-Z a-z 0-9 - . _ ~ */
bool seg_uri_is_unreserved(unsigned char c);
/* The value of a hex digit, or -1. */
int seg_uri_hexval(unsigned char c);

/* Appends AWS UriEncode(s): every byte but the unreserved ones becomes %XX (uppercase hex);
 * keep_slash leaves '/' alone (object key names, canonical paths). */
enum seg_err seg_uri_encode(struct seg_buf *out, const char *s, size_t len,
                            bool keep_slash) SEG_MUST_USE;

/* Appends the wire path as it already is, but percent-encodes any byte that is neither
 * unreserved, '/', nor part of a valid %XX escape ("/a b" -> "/a%20b"; "%3A" stays). */
enum seg_err seg_uri_encode_wire(struct seg_buf *out, const char *s, size_t len) SEG_MUST_USE;

/* Appends the percent-decoded bytes of s. A '%' not followed by two hex digits is kept as is
 * and '+' stays '+' (SigV4 query strings are not form-encoded). The output may hold NULs. */
enum seg_err seg_uri_decode(struct seg_buf *out, const char *s, size_t len) SEG_MUST_USE;

/* Appends the path with dot segments removed (RFC 3986 §5.2.4) and empty segments dropped,
 * the way botocore's remove_dot_segments does: a trailing '/' is kept when anything remains,
 * and an empty result becomes "/". Works on the encoded bytes ("%2E" is not a dot). */
enum seg_err seg_uri_normalize_path(struct seg_buf *out, const char *path, size_t len) SEG_MUST_USE;

#endif
