/* The doctor's report: one greppable line per check, status first. Per-site lines are held
 * until their section is printed so they come out sorted, and 300 sites with the same
 * problem read as a handful of lines plus one naming the rest as ranges. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "logs/sanitize.h"
#include "util/xalloc.h"

/* Lines of one fold shown in full before the rest are named as ranges. */
#define FOLD_SHOW 10

static const char *const sev_names[] = {
    [DOC_OK] = "ok",
    [DOC_INFO] = "info",
    [DOC_WARN] = "warn",
    [DOC_PROBLEM] = "PROBLEM",
};

void doc_report_init(struct doc_report *r, FILE *out)
{
    memset(r, 0, sizeof *r);
    r->out = out;
}

void doc_report_release(struct doc_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->lines[i].text);
        free(r->lines[i].fold);
    }
    free(r->lines);
    memset(r, 0, sizeof *r);
}

/* Every line goes through the sanitiser: details quote names and messages from the network. */
static void print_line(struct doc_report *r, enum doc_sev sev, const char *text)
{
    size_t len = strlen(text);
    size_t cap = len * 3 + 1; /* each byte becomes at most one U+FFFD */
    char *safe = seg_xmalloc(cap);
    seg_sanitize_for_terminal(text, len, safe, cap);
    fprintf(r->out, "%-7s %s\n", sev_names[sev], safe);
    free(safe);
    if (sev == DOC_PROBLEM)
        r->problems++;
    else if (sev == DOC_WARN)
        r->warnings++;
}

SEG_PRINTF(1, 0) static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return seg_xstrdup("(unprintable)");
    char *s = seg_xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void doc_line(struct doc_report *r, enum doc_sev sev, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = vformat(fmt, ap);
    va_end(ap);
    char *text = seg_xasprintf("%s: %s", what, detail);
    print_line(r, sev, text);
    free(text);
    free(detail);
    fflush(r->out);
}

void doc_site_line(struct doc_report *r, enum doc_kind kind, enum doc_sev sev, int site,
                   const char *fold, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *detail = vformat(fmt, ap);
    va_end(ap);
    if (r->n == r->alloc) {
        r->alloc = r->alloc ? r->alloc * 2 : 64;
        r->lines = seg_xrealloc(r->lines, r->alloc * sizeof *r->lines);
    }
    struct doc_site_line *l = &r->lines[r->n++];
    l->sev = sev;
    l->kind = kind;
    l->site = site;
    l->text = seg_xasprintf("site%d: %s", site, detail);
    l->fold = seg_xstrdup(fold);
    free(detail);
}

size_t doc_report_count(const struct doc_report *r, enum doc_kind kind, enum doc_sev sev)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->lines[i].kind == kind && r->lines[i].sev >= sev;
    return n;
}

static int by_site(const void *a, const void *b)
{
    const struct doc_site_line *x = *(const struct doc_site_line *const *)a;
    const struct doc_site_line *y = *(const struct doc_site_line *const *)b;
    if (x->sev != y->sev) /* problems first */
        return x->sev > y->sev ? -1 : 1;
    if (x->site != y->site)
        return x->site < y->site ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* "site11..site40,site45" from ascending site numbers. */
static char *ranges(const int *sites, size_t n)
{
    char *out = seg_xstrdup("");
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && sites[j + 1] == sites[j] + 1)
            j++;
        char *next =
            j > i ? seg_xasprintf("%s%ssite%d..site%d", out, *out ? "," : "", sites[i], sites[j])
                  : seg_xasprintf("%s%ssite%d", out, *out ? "," : "", sites[i]);
        free(out);
        out = next;
        i = j + 1;
    }
    return out;
}

void doc_report_flush(struct doc_report *r, enum doc_kind kind)
{
    size_t n = 0;
    struct doc_site_line **v = seg_xcalloc(r->n + 1, sizeof *v);
    for (size_t i = 0; i < r->n; i++)
        if (r->lines[i].kind == kind)
            v[n++] = &r->lines[i];
    qsort(v, n, sizeof *v, by_site);
    bool *done = seg_xcalloc(n + 1, sizeof *done);
    int *rest = seg_xcalloc(n + 1, sizeof *rest);
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        /* Lines sharing this one's fold: the first FOLD_SHOW in full, the rest as ranges. */
        size_t shown = 0, nrest = 0;
        for (size_t j = i; j < n; j++) {
            if (done[j] || v[j]->sev != v[i]->sev || strcmp(v[j]->fold, v[i]->fold) != 0)
                continue;
            done[j] = true;
            if (shown < FOLD_SHOW) {
                print_line(r, v[j]->sev, v[j]->text);
                shown++;
            } else {
                rest[nrest++] = v[j]->site;
            }
        }
        if (nrest) {
            char *sites = ranges(rest, nrest);
            char *text = seg_xasprintf("%s: %zu more sites: %s", sites, nrest, v[i]->fold);
            /* Counted once per site, as if printed one by one. */
            print_line(r, v[i]->sev, text);
            if (v[i]->sev == DOC_PROBLEM)
                r->problems += (int)nrest - 1;
            else if (v[i]->sev == DOC_WARN)
                r->warnings += (int)nrest - 1;
            free(text);
            free(sites);
        }
    }
    free(rest);
    free(done);
    free(v);
    fflush(r->out);
}
