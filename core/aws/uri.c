#include "aws/uri.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char hex_upper[] = "0123456789ABCDEF";

bool seg_uri_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int seg_uri_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static enum seg_err add_escape(struct seg_buf *out, unsigned char c)
{
    char e[3] = {'%', hex_upper[c >> 4], hex_upper[c & 15]};
    return seg_buf_add(out, e, sizeof e);
}

enum seg_err seg_uri_encode(struct seg_buf *out, const char *s, size_t len, bool keep_slash)
{
    enum seg_err err = SEG_OK;
    size_t run = 0; /* bytes kept verbatim are copied in runs, not one by one */
    for (size_t i = 0; i < len && !err; i++) {
        unsigned char c = (unsigned char)s[i];
        if (seg_uri_is_unreserved(c) || (keep_slash && c == '/')) {
            run++;
            continue;
        }
        err = seg_buf_add(out, s + i - run, run);
        run = 0;
        if (!err)
            err = add_escape(out, c);
    }
    if (!err)
        err = seg_buf_add(out, s + len - run, run);
    return err;
}

static bool is_escape(const char *s, size_t len, size_t i)
{
    return s[i] == '%' && i + 2 < len && seg_uri_hexval((unsigned char)s[i + 1]) >= 0 &&
           seg_uri_hexval((unsigned char)s[i + 2]) >= 0;
}

enum seg_err seg_uri_encode_wire(struct seg_buf *out, const char *s, size_t len)
{
    enum seg_err err = SEG_OK;
    for (size_t i = 0; i < len && !err; i++) {
        unsigned char c = (unsigned char)s[i];
        if (seg_uri_is_unreserved(c) || c == '/') {
            err = seg_buf_addc(out, (char)c);
        } else if (is_escape(s, len, i)) {
            err = seg_buf_add(out, s + i, 3);
            i += 2;
        } else {
            err = add_escape(out, c);
        }
    }
    return err;
}

enum seg_err seg_uri_decode(struct seg_buf *out, const char *s, size_t len)
{
    enum seg_err err = SEG_OK;
    for (size_t i = 0; i < len && !err; i++) {
        if (is_escape(s, len, i)) {
            char c = (char)(seg_uri_hexval((unsigned char)s[i + 1]) << 4 |
                            seg_uri_hexval((unsigned char)s[i + 2]));
            err = seg_buf_addc(out, c);
            i += 2;
        } else {
            err = seg_buf_addc(out, s[i]);
        }
    }
    return err;
}

/* One path segment as a slice of the input. */
struct seg_slice {
    size_t off;
    size_t len;
};

enum seg_err seg_uri_normalize_path(struct seg_buf *out, const char *path, size_t len)
{
    if (len == 0)
        return seg_buf_addc(out, '/');
    /* A stack of kept segments: ".." pops, "." and "" vanish (which collapses '//'). */
    struct seg_slice *keep = seg_xmalloc((len / 2 + 1) * sizeof *keep);
    size_t n = 0;
    for (size_t start = 0; start <= len;) {
        const char *slash = memchr(path + start, '/', len - start);
        size_t end = slash ? (size_t)(slash - path) : len;
        size_t seglen = end - start;
        const char *seg = path + start;
        if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
            if (n)
                n--;
        } else if (seglen && !(seglen == 1 && seg[0] == '.')) {
            keep[n].off = start;
            keep[n].len = seglen;
            n++;
        }
        start = end + 1;
    }
    enum seg_err err = SEG_OK;
    if (path[0] == '/')
        err = seg_buf_addc(out, '/');
    for (size_t i = 0; i < n && !err; i++) {
        if (i)
            err = seg_buf_addc(out, '/');
        if (!err)
            err = seg_buf_add(out, path + keep[i].off, keep[i].len);
    }
    if (!err && path[len - 1] == '/' && n)
        err = seg_buf_addc(out, '/');
    /* "a/.." has no leading slash and leaves nothing: the canonical URI is never empty. */
    if (!err && path[0] != '/' && n == 0)
        err = seg_buf_addc(out, '/');
    free(keep);
    return err;
}
