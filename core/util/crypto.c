#include "util/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "util/xalloc.h"

void seg_sha256(const void *data, size_t len, unsigned char out[SEG_SHA256_LEN])
{
    if (!SHA256(data, len, out))
        SEG_BUG("SHA256 failed");
}

void seg_hex_lower(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void seg_sha256_hex(const void *data, size_t len, char out[SEG_SHA256_HEX_LEN + 1])
{
    unsigned char md[SEG_SHA256_LEN];
    seg_sha256(data, len, md);
    seg_hex_lower(md, sizeof md, out);
}

void seg_md5(const void *data, size_t len, unsigned char out[SEG_MD5_LEN])
{
    /* EVP, because OpenSSL 3 deprecates MD5(). */
    unsigned int n = SEG_MD5_LEN;
    if (!EVP_Digest(data, len, out, &n, EVP_md5(), NULL) || n != SEG_MD5_LEN)
        SEG_BUG("MD5 failed");
}

void seg_md5_hex(const void *data, size_t len, char out[SEG_MD5_HEX_LEN + 1])
{
    unsigned char md[SEG_MD5_LEN];
    seg_md5(data, len, md);
    seg_hex_lower(md, sizeof md, out);
}

void seg_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                     unsigned char out[SEG_SHA256_LEN])
{
    unsigned int out_len = SEG_SHA256_LEN;
    if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len))
        SEG_BUG("HMAC-SHA256 failed");
}

void seg_wipe(void *p, size_t len)
{
    if (p && len)
        OPENSSL_cleanse(p, len);
}

bool seg_ct_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

enum seg_err seg_random_bytes(void *out, size_t len)
{
    return RAND_bytes(out, (int)len) == 1 ? SEG_OK : SEG_ERR_CRYPTO;
}
