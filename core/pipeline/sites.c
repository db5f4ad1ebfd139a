#include "pipeline/sites.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "pipeline/sites_internal.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define SITE_MEMORY_MB 6200 /* the pipeline's functions (DESIGN §1) */
#define SITE_TIMEOUT_S 781

enum seg_err seg_sites_pattern_expand(const char *pattern, int n, const char *function, char **out,
                                      struct seg_errmsg *err)
{
    struct seg_buf b;
    seg_buf_init(&b, 4096);
    enum seg_err rc = SEG_OK;
    for (const char *p = pattern; *p && !rc; p++) {
        if (*p != '{') {
            rc = seg_buf_addc(&b, *p);
            continue;
        }
        const char *end = strchr(p, '}');
        if (!end) {
            seg_errmsg_set(err, "pattern '%s': '{' without a closing '}'", pattern);
            rc = SEG_ERR_INVALID;
            break;
        }
        size_t len = (size_t)(end - p - 1);
        if (len == 1 && p[1] == 'n') {
            rc = seg_buf_addf(&b, "%d", n);
        } else if (len == 8 && strncmp(p + 1, "function", 8) == 0 && function) {
            rc = seg_buf_adds(&b, function);
        } else {
            seg_errmsg_set(err, "pattern '%s': unknown placeholder '%.*s' (use {n}%s)", pattern,
                           (int)(len + 2), p, function ? " or {function}" : "");
            rc = SEG_ERR_INVALID;
            break;
        }
        p = end;
    }
    if (rc == SEG_ERR_TOOBIG)
        seg_errmsg_set(err, "pattern '%s' expands to a name too long", pattern);
    if (rc) {
        seg_buf_release(&b);
        return rc == SEG_ERR_TOOBIG ? SEG_ERR_INVALID : rc;
    }
    *out = seg_buf_detach(&b, NULL);
    return SEG_OK;
}

/* ---- validation, as AWS names things ---- */

static bool valid_function(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 64 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static bool valid_bucket(const char *s)
{
    size_t n = strlen(s);
    return n >= 3 && n <= 63 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n &&
           s[0] != '.' && s[0] != '-' && s[n - 1] != '.' && s[n - 1] != '-' && !strstr(s, "..");
}

static bool valid_log_group(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 512 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./#") == n;
}

enum seg_err seg_sites_check(const struct seg_site *s, const char *where, struct seg_errmsg *err)
{
    if (!valid_function(s->function)) {
        seg_errmsg_set(err, "%sfunction name '%s' is not valid (1-64 letters, digits, '-' or '_')",
                       where, s->function);
        return SEG_ERR_INVALID;
    }
    if (!valid_bucket(s->bucket)) {
        seg_errmsg_set(err,
                       "%sbucket name '%s' is not valid (3-63 lowercase letters, digits, '.' "
                       "or '-')",
                       where, s->bucket);
        return SEG_ERR_INVALID;
    }
    if (!valid_log_group(s->log_group)) {
        seg_errmsg_set(err, "%slog group '%s' is not valid (1-512 of letters, digits, '_-./#')",
                       where, s->log_group);
        return SEG_ERR_INVALID;
    }
    return SEG_OK;
}

void seg_sites_defaults(struct seg_site *s, int n)
{
    memset(s, 0, sizeof *s);
    s->n = n;
    s->memory_mb = SITE_MEMORY_MB;
    s->timeout_s = SITE_TIMEOUT_S;
    s->reserved = -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Two sites with one function, bucket or number would make lookups ambiguous. */
enum seg_err seg_sites_check_unique(const struct seg_site *sites, size_t n, struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    const char **names = seg_xcalloc(n ? n : 1, sizeof *names);
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < n; i++)
            names[i] = pass == 0 ? sites[i].function : sites[i].bucket;
        qsort(names, n, sizeof *names, cmp_str);
        for (size_t i = 1; i < n; i++) {
            if (strcmp(names[i - 1], names[i]) == 0) {
                seg_errmsg_set(err, "%s '%s' is used by two sites", pass ? "bucket" : "function",
                               names[i]);
                rc = SEG_ERR_INVALID;
                break;
            }
        }
    }
    free(names);
    return rc;
}

static enum seg_err fill_log_group(struct seg_site *s, const struct seg_sites_config *cfg,
                                   const char *given, struct seg_errmsg *err)
{
    if (cfg->shared_log_group) { /* DESIGN §2: every site logs to the one group */
        s->log_group = seg_xstrdup(cfg->shared_log_group);
        return SEG_OK;
    }
    if (given && *given) {
        s->log_group = seg_xstrdup(given);
        return SEG_OK;
    }
    const char *pat = cfg->log_group_pattern ? cfg->log_group_pattern : SEG_SITES_DEFAULT_LOG_GROUP;
    return seg_sites_pattern_expand(pat, s->n, s->function, &s->log_group, err);
}

void seg_sites_free(struct seg_site *sites, size_t n)
{
    if (!sites)
        return;
    for (size_t i = 0; i < n; i++) {
        free(sites[i].function);
        free(sites[i].bucket);
        free(sites[i].log_group);
    }
    free(sites);
}

static enum seg_err build_patterns(const struct seg_sites_config *cfg, struct seg_site **out,
                                   size_t *nout, struct seg_errmsg *err)
{
    if (cfg->sites < 1 || cfg->sites > SEG_SITES_MAX) {
        seg_errmsg_set(err, "--sites %d: must be 1..%d", cfg->sites, SEG_SITES_MAX);
        return SEG_ERR_INVALID;
    }
    const char *fp = cfg->function_pattern ? cfg->function_pattern : SEG_SITES_DEFAULT_FUNCTION;
    const char *bp = cfg->bucket_pattern ? cfg->bucket_pattern : SEG_SITES_DEFAULT_BUCKET;
    size_t n = (size_t)cfg->sites;
    struct seg_site *sites = seg_xcalloc(n, sizeof *sites);
    enum seg_err rc = SEG_OK;
    size_t i;
    for (i = 0; i < n && !rc; i++) {
        struct seg_site *s = &sites[i];
        seg_sites_defaults(s, (int)i + 1);
        rc = seg_sites_pattern_expand(fp, s->n, NULL, &s->function, err);
        if (!rc)
            rc = seg_sites_pattern_expand(bp, s->n, NULL, &s->bucket, err);
        if (!rc)
            rc = fill_log_group(s, cfg, NULL, err);
        if (!rc)
            rc = seg_sites_check(s, "", err);
    }
    if (!rc)
        rc = seg_sites_check_unique(sites, n, err);
    if (rc) {
        seg_sites_free(sites, i);
        return rc;
    }
    *out = sites;
    *nout = n;
    return SEG_OK;
}

/* ---- CSV ---- */

#define CSV_FIELDS 4

/* Splits one line (no newline) into fields, RFC 4180 quotes allowed. The fields point into
 * line, which is modified. */
static enum seg_err split_csv(char *line, char **fields, int *nfields)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == CSV_FIELDS + 1)
            return SEG_ERR_PARSE;
        char *start = p, *w = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    return SEG_ERR_PARSE; /* unterminated quote */
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            if (*p != ',' && *p != '\0')
                return SEG_ERR_PARSE;
        } else {
            while (*p && *p != ',') {
                if (*p == '"')
                    return SEG_ERR_PARSE;
                *w++ = *p++;
            }
        }
        char sep = *p;
        *w = '\0';
        fields[n++] = start;
        if (sep == '\0')
            break;
        p++;
    }
    *nfields = n;
    return SEG_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

static bool parse_site_number(const char *s, int *out)
{
    if (strncasecmp(s, "site", 4) == 0)
        s += 4;
    if (*s < '0' || *s > '9')
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno || v < 1 || v > 100000000)
        return false;
    *out = (int)v;
    return true;
}

struct csv_state {
    const char *name;
    const struct seg_sites_config *cfg;
    struct seg_site *sites;
    size_t n, alloc;
    bool header_seen;
};

static enum seg_err csv_line(struct csv_state *st, char *line, int lineno, struct seg_errmsg *err)
{
    char *f[CSV_FIELDS + 1];
    int nf = 0;
    if (split_csv(line, f, &nf) != SEG_OK) {
        seg_errmsg_set(err, "%s:%d: malformed CSV line (quotes, or more than %d fields)", st->name,
                       lineno, CSV_FIELDS);
        return SEG_ERR_PARSE;
    }
    for (int i = 0; i < nf; i++)
        f[i] = trim(f[i]);
    if (!st->header_seen) {
        static const char *const want[CSV_FIELDS] = {"site", "function", "bucket", "log_group"};
        bool ok = nf == CSV_FIELDS;
        for (int i = 0; ok && i < CSV_FIELDS; i++)
            ok = strcasecmp(f[i], want[i]) == 0;
        if (!ok) {
            seg_errmsg_set(err, "%s:%d: the header must be 'site,function,bucket,log_group'",
                           st->name, lineno);
            return SEG_ERR_PARSE;
        }
        st->header_seen = true;
        return SEG_OK;
    }
    if (nf != CSV_FIELDS) {
        seg_errmsg_set(err, "%s:%d: %d fields, want 4 (site,function,bucket,log_group)", st->name,
                       lineno, nf);
        return SEG_ERR_PARSE;
    }
    int num;
    if (!parse_site_number(f[0], &num)) {
        seg_errmsg_set(err, "%s:%d: site '%s' is not a site number (N or siteN)", st->name, lineno,
                       f[0]);
        return SEG_ERR_PARSE;
    }
    if (st->n == SEG_SITES_MAX) {
        seg_errmsg_set(err, "%s:%d: more than %d sites", st->name, lineno, SEG_SITES_MAX);
        return SEG_ERR_TOOBIG;
    }
    for (size_t i = 0; i < st->n; i++) {
        if (st->sites[i].n == num) {
            seg_errmsg_set(err, "%s:%d: site %d is listed twice", st->name, lineno, num);
            return SEG_ERR_PARSE;
        }
    }
    if (st->n == st->alloc) {
        st->alloc = st->alloc ? 2 * st->alloc : 64;
        st->sites = seg_xrealloc(st->sites, st->alloc * sizeof *st->sites);
    }
    struct seg_site *s = &st->sites[st->n];
    seg_sites_defaults(s, num);
    s->function = seg_xstrdup(f[1]);
    s->bucket = seg_xstrdup(f[2]);
    st->n++;
    char where[300];
    snprintf(where, sizeof where, "%s:%d: ", st->name, lineno);
    struct seg_errmsg inner = {{0}};
    enum seg_err rc = fill_log_group(s, st->cfg, f[3], &inner);
    if (rc) {
        seg_errmsg_set(err, "%s%s", where, inner.text);
        return rc;
    }
    return seg_sites_check(s, where, err);
}

enum seg_err seg_sites_parse_csv(const char *text, size_t len, const char *name,
                                 const struct seg_sites_config *cfg, struct seg_site **out,
                                 size_t *nout, struct seg_errmsg *err)
{
    struct csv_state st = {.name = name ? name : "sites file", .cfg = cfg};
    enum seg_err rc = SEG_OK;
    size_t pos = 0;
    int lineno = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a spreadsheet's BOM */
    while (pos < len && !rc) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (memchr(text + pos, '\0', end - pos)) {
            seg_errmsg_set(err, "%s:%d: a NUL byte: not a CSV text file", st.name, lineno);
            rc = SEG_ERR_PARSE;
            break;
        }
        char *line = seg_xstrndup(text + pos, end - pos);
        pos = nl ? end + 1 : len;
        size_t ll = strlen(line);
        if (ll > 0 && line[ll - 1] == '\r')
            line[--ll] = '\0';
        char *t = trim(line);
        if (*t)
            rc = csv_line(&st, t, lineno, err);
        free(line);
    }
    if (!rc && !st.header_seen) {
        seg_errmsg_set(err, "%s: empty (want the header 'site,function,bucket,log_group')",
                       st.name);
        rc = SEG_ERR_PARSE;
    }
    if (!rc && st.n == 0) {
        seg_errmsg_set(err, "%s: no sites after the header", st.name);
        rc = SEG_ERR_PARSE;
    }
    if (!rc) {
        struct seg_errmsg inner = {{0}};
        rc = seg_sites_check_unique(st.sites, st.n, &inner);
        if (rc)
            seg_errmsg_set(err, "%s: %s", st.name, inner.text);
    }
    if (rc) {
        seg_sites_free(st.sites, st.n);
        return SEG_ERR_INVALID; /* a configuration error: exit 2 */
    }
    *out = st.sites;
    *nout = st.n;
    return SEG_OK;
}

static enum seg_err read_file(const char *path, char **data, size_t *len, struct seg_errmsg *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        seg_errmsg_set(err, "%s: cannot open: %s", path, strerror(errno));
        return SEG_ERR_INVALID;
    }
    struct seg_buf b;
    seg_buf_init(&b, SEG_SITES_FILE_MAX);
    char chunk[8192];
    size_t n;
    enum seg_err rc = SEG_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = seg_buf_add(&b, chunk, n);
    bool ioerr = ferror(f);
    fclose(f);
    if (rc || ioerr) {
        seg_errmsg_set(err, "%s: %s", path, rc ? "larger than 16 MB" : "read error");
        seg_buf_release(&b);
        return SEG_ERR_INVALID;
    }
    *data = seg_buf_detach(&b, len);
    return SEG_OK;
}

enum seg_err seg_sites_build(const struct seg_sites_config *cfg, struct seg_site **out,
                             size_t *nout, struct seg_errmsg *err)
{
    if (!cfg->sites_file)
        return build_patterns(cfg, out, nout, err);
    char *data = NULL;
    size_t len = 0;
    enum seg_err rc = read_file(cfg->sites_file, &data, &len, err);
    if (!rc)
        rc = seg_sites_parse_csv(data, len, cfg->sites_file, cfg, out, nout, err);
    free(data);
    return rc;
}
