/* GetBucketNotificationConfiguration answers (restXml): is there a Lambda configuration that
 * sends ObjectCreated events for segtop's keys to the site's function? The wire names the
 * model's LambdaFunctionConfiguration "CloudFunctionConfiguration" and its ARN
 * "CloudFunction"; both spellings are accepted. The body is untrusted: every scan is
 * bounded by its length and nothing is allocated. */
#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"

struct span {
    const char *p, *end;
};

/* The next <tag>…</tag> (attributes allowed) inside s at or after s.p; its content in *in
 * and s advanced past it. False when there is none. */
static bool next_elem(struct span *s, const char *tag, struct span *in)
{
    size_t tl = strlen(tag);
    for (const char *p = s->p; p + tl + 2 <= s->end; p++) {
        if (p[0] != '<' || memcmp(p + 1, tag, tl) != 0 || (p[1 + tl] != '>' && p[1 + tl] != ' '))
            continue;
        const char *gt = memchr(p, '>', (size_t)(s->end - p));
        if (!gt)
            return false;
        if (gt[-1] == '/') { /* <tag/> is empty */
            in->p = in->end = gt;
            s->p = gt + 1;
            return true;
        }
        for (const char *q = gt + 1; q + tl + 3 <= s->end; q++) {
            if (q[0] == '<' && q[1] == '/' && memcmp(q + 2, tag, tl) == 0 && q[2 + tl] == '>') {
                in->p = gt + 1;
                in->end = q;
                s->p = q + tl + 3;
                return true;
            }
        }
        return false;
    }
    return false;
}

static bool span_eq(struct span s, const char *str)
{
    size_t n = strlen(str);
    while (s.p < s.end && (*s.p == ' ' || *s.p == '\n' || *s.p == '\t' || *s.p == '\r'))
        s.p++;
    while (s.end > s.p && (s.end[-1] == ' ' || s.end[-1] == '\n' || s.end[-1] == '\t'))
        s.end--;
    return (size_t)(s.end - s.p) == n && memcmp(s.p, str, n) == 0;
}

static bool first_text(struct span within, const char *tag, const char *alt, struct span *out)
{
    struct span s = within;
    if (next_elem(&s, tag, out))
        return true;
    s = within;
    return alt && next_elem(&s, alt, out);
}

/* arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] names this function? */
static bool arn_is(struct span arn, const char *function, const char *region)
{
    char buf[512];
    size_t n = (size_t)(arn.end - arn.p);
    if (n >= sizeof buf)
        return false;
    memcpy(buf, arn.p, n);
    buf[n] = '\0';
    char *f[8] = {0};
    int nf = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ":", &save); tok && nf < 8; tok = strtok_r(NULL, ":", &save))
        f[nf++] = tok;
    if (nf < 7 || strcmp(f[0], "arn") != 0 || strcmp(f[2], "lambda") != 0 ||
        strcmp(f[5], "function") != 0)
        return false;
    return strcmp(f[6], function) == 0 && strcmp(f[3], region) == 0;
}

static bool creates(struct span cfg)
{
    struct span s = cfg, ev;
    while (next_elem(&s, "Event", &ev))
        if (span_eq(ev, "s3:ObjectCreated:*") || span_eq(ev, "s3:ObjectCreated:Put"))
            return true;
    return false;
}

/* The configuration's prefix/suffix rules accept key? (S3 compares them case-sensitively.) */
static bool key_passes(struct span cfg, const char *key, char *detail, size_t dsize)
{
    struct span s = cfg, rule;
    size_t klen = strlen(key);
    while (next_elem(&s, "FilterRule", &rule)) {
        struct span name, value;
        if (!first_text(rule, "Name", NULL, &name) || !first_text(rule, "Value", NULL, &value))
            continue;
        size_t vl = (size_t)(value.end - value.p);
        bool prefix = span_eq(name, "prefix") || span_eq(name, "Prefix");
        bool suffix = span_eq(name, "suffix") || span_eq(name, "Suffix");
        bool ok = true;
        if (prefix)
            ok = vl <= klen && memcmp(key, value.p, vl) == 0;
        else if (suffix)
            ok = vl <= klen && memcmp(key + klen - vl, value.p, vl) == 0;
        if (!ok) {
            if (detail)
                snprintf(detail, dsize, "its %s filter '%.*s'", prefix ? "prefix" : "suffix",
                         (int)(vl > 200 ? 200 : vl), value.p);
            return false;
        }
    }
    return true;
}

enum doc_notif_verdict doc_notif_check(const char *xml, size_t len, const char *function,
                                       const char *region, const char *key, char *detail,
                                       size_t detail_size)
{
    static const char *const tags[] = {"CloudFunctionConfiguration", "LambdaFunctionConfiguration"};
    enum doc_notif_verdict best = DOC_NOTIF_NONE;
    if (detail && detail_size)
        detail[0] = '\0';
    for (size_t t = 0; t < 2; t++) {
        struct span s = {xml, xml + len}, cfg;
        while (next_elem(&s, tags[t], &cfg)) {
            struct span arn;
            if (!first_text(cfg, "CloudFunction", "LambdaFunctionArn", &arn) ||
                !arn_is(arn, function, region))
                continue;
            if (!creates(cfg)) {
                if (best == DOC_NOTIF_NONE)
                    best = DOC_NOTIF_NO_CREATE;
                continue;
            }
            if (!key_passes(cfg, key, best == DOC_NOTIF_FILTERED ? NULL : detail, detail_size)) {
                best = DOC_NOTIF_FILTERED;
                continue;
            }
            return DOC_NOTIF_OK;
        }
    }
    return best;
}
