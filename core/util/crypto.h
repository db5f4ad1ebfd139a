/* SHA-256, HMAC-SHA-256, hex and secret wiping over OpenSSL. The only module that includes
 * OpenSSL headers, so the rest of segtop does not depend on its API. */
#ifndef SEGTOP_CORE_UTIL_CRYPTO_H
#define SEGTOP_CORE_UTIL_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/seg.h"

#define SEG_SHA256_LEN     32
#define SEG_SHA256_HEX_LEN 64
#define SEG_MD5_LEN        16
#define SEG_MD5_HEX_LEN    32

void seg_sha256(const void *data, size_t len, unsigned char out[SEG_SHA256_LEN]);
/* Lowercase hex of SHA-256; out gets 64 characters and a NUL. */
void seg_sha256_hex(const void *data, size_t len, char out[SEG_SHA256_HEX_LEN + 1]);
/* MD5, for S3 ETags and Content-MD5 only (not for security). */
void seg_md5(const void *data, size_t len, unsigned char out[SEG_MD5_LEN]);
/* Lowercase hex of MD5; out gets 32 characters and a NUL. */
void seg_md5_hex(const void *data, size_t len, char out[SEG_MD5_HEX_LEN + 1]);
void seg_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                     unsigned char out[SEG_SHA256_LEN]);
void seg_hex_lower(const unsigned char *in, size_t len, char *out); /* out: 2*len + 1 */

/* Overwrites memory in a way the compiler may not optimise away. */
void seg_wipe(void *p, size_t len);
/* Compares in time independent of where the first difference is. */
bool seg_ct_equal(const void *a, const void *b, size_t len);
/* Fills with cryptographically strong random bytes. */
enum seg_err seg_random_bytes(void *out, size_t len) SEG_MUST_USE;

#endif
