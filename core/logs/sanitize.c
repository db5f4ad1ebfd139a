#include "logs/sanitize.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Decodes one well-formed UTF-8 sequence at p (Unicode table 3-7) and returns its length;
 * on ill-formed input returns 0 with *bad = the length of the maximal invalid subpart, so
 * overlongs, surrogates and values above U+10FFFF are rejected by the byte ranges. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp, size_t *bad)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t v;
    if (c < 0xC2 || c > 0xF4) { /* continuation byte, overlong C0/C1 lead, F5..FF */
        *bad = 1;
        return 0;
    }
    if (c < 0xE0) {
        need = 1;
        v = c & 0x1F;
    } else if (c < 0xF0) {
        need = 2;
        v = c & 0x0F;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* E0 80..9F would be overlong */
        hi = c == 0xED ? 0x9F : 0xBF; /* ED A0..BF are surrogates */
    } else {
        need = 3;
        v = c & 0x07;
        lo = c == 0xF0 ? 0x90 : 0x80; /* F0 80..8F would be overlong */
        hi = c == 0xF4 ? 0x8F : 0xBF; /* F4 90.. is above U+10FFFF */
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || p[i] < lo || p[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    *cp = v;
    return need + 1;
}

/* Valid code points that still must not reach a terminal: C1 controls and bidi controls. */
static bool forbidden(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t seg_sanitize_for_terminal_ex(const char *in, size_t len, char *out, size_t out_size,
                                    size_t *in_used)
{
    const unsigned char *u = (const unsigned char *)in;
    size_t i = 0, o = 0;
    if (!in)
        len = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c >= 0x20 && c < 0x7F) { /* the common case: printable ASCII */
            if (o + 1 >= out_size)
                break;
            out[o++] = (char)c;
            i++;
            continue;
        }
        const char *emit = replacement;
        size_t elen = 3, adv = 1;
        if (c == '\t' || c == '\n' || c == '\r') {
            emit = " ";
            elen = 1;
        } else if (c >= 0x80) {
            uint32_t cp = 0;
            size_t bad = 1, k = utf8_decode(u + i, len - i, &cp, &bad);
            adv = k ? k : bad;
            if (k && !forbidden(cp)) {
                emit = in + i;
                elen = k;
            }
        }
        if (o + elen >= out_size) /* keep room for the NUL; never split a character */
            break;
        memcpy(out + o, emit, elen);
        o += elen;
        i += adv;
    }
    if (out_size)
        out[o] = '\0';
    if (in_used)
        *in_used = i;
    return o;
}

size_t seg_sanitize_for_terminal(const char *in, size_t len, char *out, size_t out_size)
{
    return seg_sanitize_for_terminal_ex(in, len, out, out_size, NULL);
}
