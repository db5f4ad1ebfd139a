#include "sim/query.h"

#include <stdlib.h>
#include <string.h>

#include "aws/uri.h"
#include "util/xalloc.h"

enum seg_err seg_sim_pct_decode(const char *s, size_t n, char **out)
{
    char *d = seg_xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0')
            break;
        if (s[i] != '%') {
            d[o++] = s[i];
            continue;
        }
        int hi = i + 2 < n ? seg_uri_hexval((unsigned char)s[i + 1]) : -1;
        int lo = hi >= 0 ? seg_uri_hexval((unsigned char)s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(d);
            return SEG_ERR_PARSE;
        }
        d[o++] = (char)(hi << 4 | lo);
        i += 2;
    }
    d[o] = '\0';
    *out = d;
    return SEG_OK;
}

/* Finds the first parameter named name (compared decoded); gives its raw value span. */
static bool find_param(const char *query, const char *name, const char **val, size_t *vlen)
{
    if (!query)
        return false;
    const char *p = query;
    while (*p) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char *key = NULL;
        if (seg_sim_pct_decode(p, klen, &key) == SEG_OK) {
            bool hit = strcmp(key, name) == 0;
            free(key);
            if (hit) {
                *val = eq ? eq + 1 : p + len;
                *vlen = eq ? len - klen - 1 : 0;
                return true;
            }
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return false;
}

char *seg_sim_query_get(const char *query, const char *name)
{
    const char *v;
    size_t n;
    char *out = NULL;
    if (!find_param(query, name, &v, &n) || seg_sim_pct_decode(v, n, &out) != SEG_OK)
        return NULL;
    return out;
}

bool seg_sim_query_has(const char *query, const char *name)
{
    const char *v;
    size_t n;
    return find_param(query, name, &v, &n);
}

char *seg_sim_base64(const void *data, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char *out = seg_xmalloc(4 * ((len + 2) / 3) + 1);
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = tab[v >> 6 & 63];
        out[o++] = tab[v & 63];
    }
    if (i < len) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0u);
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}
