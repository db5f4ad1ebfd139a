#include "sim/filterpattern.h"

#include <stdlib.h>
#include <string.h>

#include <regex.h>

#include "util/xalloc.h"

enum term_kind { TERM_ALL, TERM_ANY, TERM_NOT };

struct term {
    enum term_kind kind;
    char *text; /* substring; NULL for a regex term */
    size_t len;
    bool is_regex;
    regex_t re;
};

struct seg_sim_filterpattern {
    struct term *terms;
    size_t n;
    size_t alloc;
    bool has_any;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* AWS's regex alphabet: alphanumerics, : _ # = @ / ; , - and the operators below; no ( ). */
static bool regex_char_ok(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr(":_#=@/;,-^$?[]{}|\\*+. ", c) != NULL;
}

static const char *find_sub(const char *h, size_t hlen, const char *n, size_t nlen)
{
    if (nlen == 0)
        return h;
    if (nlen > hlen)
        return NULL;
    const char *end = h + (hlen - nlen);
    for (const char *p = h; p <= end; p++) {
        p = memchr(p, n[0], (size_t)(end - p) + 1);
        if (!p)
            return NULL;
        if (memcmp(p, n, nlen) == 0)
            return p;
    }
    return NULL;
}

static void term_free(struct term *t)
{
    if (t->is_regex)
        regfree(&t->re);
    free(t->text);
}

void seg_sim_filterpattern_free(struct seg_sim_filterpattern *fp)
{
    if (!fp)
        return;
    for (size_t i = 0; i < fp->n; i++)
        term_free(&fp->terms[i]);
    free(fp->terms);
    free(fp);
}

static struct term *add_term(struct seg_sim_filterpattern *fp, enum term_kind kind)
{
    if (fp->n == fp->alloc) {
        fp->alloc = fp->alloc ? fp->alloc * 2 : 8;
        fp->terms = seg_xrealloc(fp->terms, fp->alloc * sizeof *fp->terms);
    }
    struct term *t = &fp->terms[fp->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    if (kind == TERM_ANY)
        fp->has_any = true;
    return t;
}

/* A quoted phrase starting at p[0] == '"'; *used gets its length with quotes. */
static enum seg_err quoted(const char *p, const char *end, char **text, size_t *len, size_t *used)
{
    char *out = seg_xmalloc((size_t)(end - p) + 1);
    size_t n = 0;
    const char *q = p + 1;
    for (; q < end && *q != '"'; q++) {
        if (*q == '\\' && q + 1 < end && (q[1] == '"' || q[1] == '\\'))
            q++;
        out[n++] = *q;
    }
    if (q >= end) {
        free(out);
        return SEG_ERR_PARSE;
    }
    out[n] = '\0';
    *text = out;
    *len = n;
    *used = (size_t)(q + 1 - p);
    return SEG_OK;
}

bool seg_sim_regex_size_ok(const char *re, size_t len)
{
    bool after_rep = false;
    unsigned long product = 1;
    for (size_t i = 0; i < len; i++) {
        char c = re[i];
        if (c == '\\') {
            i++;
            after_rep = false;
        } else if (c == '[') { /* a bracket expression: "]" first is a member */
            size_t j = i + 1;
            if (j < len && re[j] == '^')
                j++;
            if (j < len && re[j] == ']')
                j++;
            while (j < len && re[j] != ']')
                j++;
            i = j;
            after_rep = false;
        } else if (c == '*' || c == '+' || c == '?') {
            if (after_rep)
                return false;
            after_rep = true;
        } else if (c == '{') {
            if (after_rep)
                return false;
            unsigned long hi = 0, v = 0;
            size_t j = i + 1;
            bool open = false;
            for (; j < len && re[j] != '}'; j++) {
                if (re[j] >= '0' && re[j] <= '9') {
                    v = v * 10 + (unsigned long)(re[j] - '0');
                    if (v > 255)
                        return false;
                } else if (re[j] == ',') {
                    hi = v;
                    v = 0;
                    open = true;
                } else {
                    return false;
                }
            }
            if (open && j > 0 && re[j - 1] == ',')
                v = hi + 1; /* {m,}: count m + 1 copies */
            hi = v > hi ? v : hi;
            product *= hi ? hi : 1;
            if (product > 10000)
                return false;
            i = j;
            after_rep = true;
        } else {
            after_rep = false;
        }
    }
    return true;
}

static enum seg_err compile_regex(struct term *t, const char *body, size_t len,
                                  struct seg_errmsg *err)
{
    for (size_t i = 0; i < len; i++) {
        if (!regex_char_ok((unsigned char)body[i])) {
            seg_errmsg_set(err, "Invalid character(s) in regex term '%.*s'", (int)len, body);
            return SEG_ERR_PARSE;
        }
        /* Back-references make regexec exponential; AWS has none either. */
        if (body[i] == '\\' && i + 1 < len && body[i + 1] >= '0' && body[i + 1] <= '9') {
            seg_errmsg_set(err, "Invalid regex term '%.*s'", (int)len, body);
            return SEG_ERR_PARSE;
        }
    }
    if (!seg_sim_regex_size_ok(body, len)) {
        seg_errmsg_set(err, "Regex term '%.*s' is too complex", (int)len, body);
        return SEG_ERR_PARSE;
    }
    char *src = seg_xstrndup(body, len);
    int rc = regcomp(&t->re, src, REG_EXTENDED | REG_NOSUB);
    free(src);
    if (rc != 0) {
        seg_errmsg_set(err, "Invalid regex term '%.*s'", (int)len, body);
        return SEG_ERR_PARSE;
    }
    t->is_regex = true;
    return SEG_OK;
}

static enum seg_err parse(struct seg_sim_filterpattern *fp, const char *s, size_t len,
                          struct seg_errmsg *err)
{
    const char *p = s, *end = s + len;
    int nregex = 0;
    while (p < end && is_blank(*p))
        p++;
    if (p < end && (*p == '{' || *p == '[')) {
        seg_errmsg_set(err, "%s filter patterns are not supported by the simulator",
                       *p == '{' ? "JSON" : "Space-delimited");
        return SEG_ERR_INVALID;
    }
    while (p < end) {
        if (is_blank(*p)) {
            p++;
            continue;
        }
        enum term_kind kind = TERM_ALL;
        if ((*p == '?' || *p == '-') && p + 1 < end && !is_blank(p[1])) {
            kind = *p == '?' ? TERM_ANY : TERM_NOT;
            p++;
        }
        char *text = NULL;
        size_t tlen = 0, used = 0;
        if (*p == '"') {
            if (quoted(p, end, &text, &tlen, &used)) {
                seg_errmsg_set(err, "Invalid filter pattern: unterminated quote in '%.*s'",
                               (int)(end - p > 64 ? 64 : end - p), p);
                return SEG_ERR_PARSE;
            }
            p += used;
            if (p < end && !is_blank(*p)) {
                free(text);
                seg_errmsg_set(err, "Invalid character(s) in term '%.*s'",
                               (int)(end - p > 64 ? 64 : end - p), p);
                return SEG_ERR_PARSE;
            }
            size_t k = 0;
            while (k < tlen && is_blank(text[k]))
                k++;
            if (k == tlen && kind == TERM_ALL) { /* " " matches everything */
                free(text);
                continue;
            }
        } else if (*p == '%') {
            const char *close = memchr(p + 1, '%', (size_t)(end - p - 1));
            if (!close || close == p + 1) {
                seg_errmsg_set(err, "Invalid regex term: missing closing %%");
                return SEG_ERR_PARSE;
            }
            if (++nregex > SEG_SIM_FILTERPATTERN_MAX_REGEX) {
                seg_errmsg_set(err, "A filter pattern can contain at most %d regex terms",
                               SEG_SIM_FILTERPATTERN_MAX_REGEX);
                return SEG_ERR_INVALID;
            }
            struct term *t = add_term(fp, kind);
            enum seg_err e = compile_regex(t, p + 1, (size_t)(close - p - 1), err);
            if (e) {
                fp->n--; /* nothing to free: the regex did not compile */
                return e;
            }
            p = close + 1;
            continue;
        } else {
            const char *q = p;
            while (q < end && !is_blank(*q))
                q++;
            if (memchr(p, '"', (size_t)(q - p))) {
                seg_errmsg_set(err, "Invalid character(s) in term '%.*s'", (int)(q - p), p);
                return SEG_ERR_PARSE;
            }
            text = seg_xstrndup(p, (size_t)(q - p));
            tlen = (size_t)(q - p);
            p = q;
        }
        struct term *t = add_term(fp, kind);
        t->text = text;
        t->len = tlen;
    }
    return SEG_OK;
}

enum seg_err seg_sim_filterpattern_compile(const char *pattern, size_t len,
                                           struct seg_sim_filterpattern **out,
                                           struct seg_errmsg *err)
{
    if (len > SEG_SIM_FILTERPATTERN_MAX_LEN) {
        seg_errmsg_set(err,
                       "1 validation error detected: Value at 'filterPattern' failed to "
                       "satisfy constraint: Member must have length less than or equal to %d",
                       SEG_SIM_FILTERPATTERN_MAX_LEN);
        return SEG_ERR_TOOBIG;
    }
    if (pattern && memchr(pattern, '\0', len)) {
        seg_errmsg_set(err, "Invalid character(s) in filter pattern");
        return SEG_ERR_PARSE;
    }
    struct seg_sim_filterpattern *fp = seg_xcalloc(1, sizeof *fp);
    enum seg_err e = pattern ? parse(fp, pattern, len, err) : SEG_OK;
    if (e) {
        seg_sim_filterpattern_free(fp);
        return e;
    }
    *out = fp;
    return SEG_OK;
}

static bool term_hit(const struct term *t, const char *msg, size_t len)
{
    if (t->is_regex)
        return regexec(&t->re, msg, 0, NULL, 0) == 0;
    return find_sub(msg, len, t->text, t->len) != NULL;
}

bool seg_sim_filterpattern_match(const struct seg_sim_filterpattern *fp, const char *msg,
                                 size_t len)
{
    bool any = !fp->has_any;
    for (size_t i = 0; i < fp->n; i++) {
        const struct term *t = &fp->terms[i];
        switch (t->kind) {
        case TERM_ALL:
            if (!term_hit(t, msg, len))
                return false;
            break;
        case TERM_NOT:
            if (term_hit(t, msg, len))
                return false;
            break;
        case TERM_ANY:
            if (!any && term_hit(t, msg, len))
                any = true;
            break;
        }
    }
    return any;
}

bool seg_sim_filterpattern_matches_all(const struct seg_sim_filterpattern *fp)
{
    return fp->n == 0;
}
