#include "pipeline/discover.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/sites_internal.h"
#include "util/xalloc.h"

int seg_sites_name_number(const char *name)
{
    const char *p = name;
    while (*p && (*p < '0' || *p > '9'))
        p++;
    int v = 0, digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 8)
            return 0; /* not a site number: a date, an account id */
        v = v * 10 + (*p - '0');
    }
    return v;
}

struct ranked {
    const struct seg_sites_found *f;
    int number; /* from the name; INT_MAX when none */
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return strcmp(x->f->function, y->f->function);
}

enum seg_err seg_sites_from_found(const struct seg_sites_config *cfg,
                                  const struct seg_sites_found *found, size_t n,
                                  struct seg_site **out, size_t *nout, bool *renumbered,
                                  struct seg_errmsg *err)
{
    if (n == 0)
        return SEG_ERR_NOTFOUND;
    if (n > SEG_SITES_MAX) {
        seg_errmsg_set(err, "%zu functions found, more than %d sites", n, SEG_SITES_MAX);
        return SEG_ERR_INVALID;
    }
    struct ranked *rk = seg_xcalloc(n, sizeof *rk);
    for (size_t i = 0; i < n; i++) {
        int v = seg_sites_name_number(found[i].function);
        rk[i] = (struct ranked){&found[i], v > 0 ? v : INT_MAX};
    }
    qsort(rk, n, sizeof *rk, cmp_ranked);
    /* Sorted, the names' numbers are 1..N exactly when the i-th is i + 1. */
    bool exact = true;
    for (size_t i = 0; i < n && exact; i++)
        exact = rk[i].number == (int)i + 1;
    *renumbered = !exact;

    const char *bp = cfg->bucket_pattern ? cfg->bucket_pattern : SEG_SITES_DEFAULT_BUCKET;
    const char *lp = cfg->log_group_pattern ? cfg->log_group_pattern : SEG_SITES_DEFAULT_LOG_GROUP;
    struct seg_site *sites = seg_xcalloc(n, sizeof *sites);
    enum seg_err rc = SEG_OK;
    size_t i;
    for (i = 0; i < n && !rc; i++) {
        const struct seg_sites_found *f = rk[i].f;
        struct seg_site *s = &sites[i];
        seg_sites_defaults(s, (int)i + 1);
        s->timeout_s = f->timeout_s > 0 ? f->timeout_s : 0;
        s->memory_mb = f->memory_mb > 0 ? f->memory_mb : 0;
        s->json_logs = f->json_logs;
        s->function = seg_xstrdup(f->function);
        int pn = rk[i].number != INT_MAX ? rk[i].number : s->n;
        rc = seg_sites_pattern_expand(bp, pn, NULL, &s->bucket, err);
        if (!rc && cfg->shared_log_group) /* DESIGN §2: it wins over everything */
            s->log_group = seg_xstrdup(cfg->shared_log_group);
        else if (!rc && f->log_group && *f->log_group)
            s->log_group = seg_xstrdup(f->log_group);
        else if (!rc)
            rc = seg_sites_pattern_expand(lp, pn, s->function, &s->log_group, err);
        if (!rc)
            rc = seg_sites_check(s, "", err);
    }
    if (!rc)
        rc = seg_sites_check_unique(sites, n, err);
    free(rk);
    if (rc) {
        seg_sites_free(sites, i);
        return rc;
    }
    *out = sites;
    *nout = n;
    return SEG_OK;
}
