#include "journal/jsonw.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "metrics/store.h"

static void put(struct seg_jsonw *w, const char *p, size_t n)
{
    if (!w->failed && seg_buf_add(w->b, p, n) != SEG_OK)
        w->failed = true;
}

static void puts_(struct seg_jsonw *w, const char *s)
{
    put(w, s, strlen(s));
}

static void key(struct seg_jsonw *w, const char *k)
{
    put(w, ",\"", 2);
    puts_(w, k);
    put(w, "\":", 2);
}

void seg_jsonw_begin(struct seg_jsonw *w, struct seg_buf *b, const char *op)
{
    w->b = b;
    w->failed = false;
    puts_(w, "{\"op\":\"");
    puts_(w, op);
    put(w, "\"", 1);
}

void seg_jsonw_header(struct seg_jsonw *w, struct seg_buf *b, int version)
{
    w->b = b;
    w->failed = false;
    char tmp[48];
    snprintf(tmp, sizeof tmp, "{\"segtop_journal\":%d", version);
    puts_(w, tmp);
}

void seg_jsonw_int(struct seg_jsonw *w, const char *k, int64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    key(w, k);
    puts_(w, tmp);
}

void seg_jsonw_time(struct seg_jsonw *w, const char *k, int64_t v)
{
    if (v == SEG_TIME_NONE) {
        key(w, k);
        puts_(w, "null");
        return;
    }
    seg_jsonw_int(w, k, v);
}

void seg_jsonw_num(struct seg_jsonw *w, const char *k, double v)
{
    key(w, k);
    if (!isfinite(v)) {
        puts_(w, "null");
        return;
    }
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", v); /* shortest form that reads back the same */
    if (strtod(tmp, NULL) != v)
        snprintf(tmp, sizeof tmp, "%.17g", v);
    puts_(w, tmp);
}

void seg_jsonw_bool(struct seg_jsonw *w, const char *k, bool v)
{
    key(w, k);
    puts_(w, v ? "true" : "false");
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3f >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0; /* also stops at the NUL */
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static void str_body(struct seg_jsonw *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(w, esc, 2);
            p++;
        } else if (c < 0x20 || c == 0x7f) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            puts_(w, esc);
            p++;
        } else {
            size_t k = c < 0x80 ? 1 : utf8_len(p);
            if (k == 0 || p + k > end) {
                puts_(w, "\\ufffd");
                p++;
            } else {
                put(w, (const char *)p, k);
                p += k;
            }
        }
    }
}

void seg_jsonw_str(struct seg_jsonw *w, const char *k, const char *s)
{
    key(w, k);
    if (!s) {
        puts_(w, "null");
        return;
    }
    put(w, "\"", 1);
    str_body(w, s, strlen(s));
    put(w, "\"", 1);
}

static const char *const secret_names[] = {"signature", "credential", "security-token",
                                           "secret_access_key", "secretaccesskey"};

/* Length of the secret name that starts at s, or 0. */
static size_t secret_at(const char *s)
{
    for (size_t i = 0; i < sizeof secret_names / sizeof secret_names[0]; i++) {
        size_t n = strlen(secret_names[i]);
        if (strncasecmp(s, secret_names[i], n) == 0)
            return n;
    }
    return 0;
}

void seg_jsonw_text(struct seg_jsonw *w, const char *k, const char *s)
{
    key(w, k);
    if (!s) {
        puts_(w, "null");
        return;
    }
    put(w, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p;) {
        size_t n = secret_at(p);
        if (!n) {
            p++;
            continue;
        }
        const char *q = p + n;
        bool sep = false;
        for (; *q == '=' || *q == ':' || *q == '"' || *q == ' '; q++)
            sep = sep || *q == '=' || *q == ':';
        const char *v = q;
        while (*q && !isspace((unsigned char)*q) && !strchr("&,;\"'", *q))
            q++;
        if (!sep || q == v) { /* a word, not a parameter with a value */
            p += n;
            continue;
        }
        str_body(w, run, (size_t)(v - run));
        puts_(w, "***");
        run = p = q;
    }
    str_body(w, run, strlen(run));
    put(w, "\"", 1);
}

void seg_jsonw_end(struct seg_jsonw *w)
{
    put(w, "}\n", 2);
}
