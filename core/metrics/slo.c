#include "metrics/slo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define MAX_TERMS 64

static const char *const op_names[] = {"<", "<=", ">", ">="};
static const struct {
    const char *name;
    enum seg_metric metric;
} pct_suffixes[] = {
    {"_duration", SEG_METRIC_EXEC},
    {"_billed", SEG_METRIC_BILLED},
    {"_e2e", SEG_METRIC_E2E},
    {"_init", SEG_METRIC_INIT},
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* Reports "--slo term N "<text>" at column C: <what>". */
static enum seg_err fail(struct seg_errmsg *err, size_t term_no, const struct seg_slo_term *t,
                         size_t column, const char *what, const char *detail)
{
    seg_errmsg_set(err, "--slo: term %zu \"%s\" at column %zu: %s%s", term_no, t->text, column,
                   what, detail ? detail : "");
    return SEG_ERR_PARSE;
}

static bool parse_metric(const char *s, size_t n, struct seg_slo_term *t)
{
    if (n == 6 && memcmp(s, "errors", 6) == 0) {
        t->kind = SEG_SLO_ERRORS;
        return true;
    }
    if (n == 8 && memcmp(s, "complete", 8) == 0) {
        t->kind = SEG_SLO_COMPLETE;
        return true;
    }
    if (n == 9 && memcmp(s, "throttles", 9) == 0) {
        t->kind = SEG_SLO_THROTTLES;
        return true;
    }
    if (n < 4 || s[0] != 'p')
        return false;
    int p = (s[1] - '0') * 10 + (s[2] - '0');
    if (!(memcmp(s, "p50", 3) == 0 || memcmp(s, "p90", 3) == 0 || memcmp(s, "p95", 3) == 0 ||
          memcmp(s, "p99", 3) == 0))
        return false;
    for (size_t i = 0; i < SEG_ARRAY_LEN(pct_suffixes); i++) {
        size_t len = strlen(pct_suffixes[i].name);
        if (n - 3 == len && memcmp(s + 3, pct_suffixes[i].name, len) == 0) {
            t->kind = SEG_SLO_PCT;
            t->metric = pct_suffixes[i].metric;
            t->percentile = p;
            return true;
        }
    }
    return false;
}

/* One term: s[0..n) of the spec, starting at 0-based offset base. */
static enum seg_err parse_term(const char *spec, size_t base, size_t n, size_t term_no,
                               struct seg_slo_term *t, struct seg_errmsg *err)
{
    const char *s = spec + base;
    size_t i = 0, end = n;
    while (i < end && is_space(s[i]))
        i++;
    while (end > i && is_space(s[end - 1]))
        end--;
    size_t tl = end - i < sizeof t->text - 1 ? end - i : sizeof t->text - 1;
    memcpy(t->text, s + i, tl);
    t->text[tl] = '\0';
    t->column = base + i + 1;
    if (i == end)
        return fail(err, term_no, t, base + 1, "empty term", " (expected metric op value)");
    if (end - i >= 4 && memcmp(s + i, "all:", 4) == 0) {
        t->all = true;
        i += 4;
        while (i < end && is_space(s[i]))
            i++;
    }
    size_t m0 = i;
    while (i < end && is_ident(s[i]))
        i++;
    if (i == m0 || !parse_metric(s + m0, i - m0, t))
        return fail(err, term_no, t, base + m0 + 1, "unknown metric",
                    " (expected p50|p90|p95|p99 with _duration|_billed|_e2e|_init, errors, "
                    "complete or throttles, optionally prefixed all:)");
    while (i < end && is_space(s[i]))
        i++;
    size_t op0 = i;
    if (i < end && (s[i] == '<' || s[i] == '>')) {
        bool lt = s[i] == '<';
        i++;
        bool eq = i < end && s[i] == '=';
        i += eq;
        t->op = lt ? (eq ? SEG_SLO_LE : SEG_SLO_LT) : (eq ? SEG_SLO_GE : SEG_SLO_GT);
    } else {
        return fail(err, term_no, t, base + op0 + 1, "expected an operator", " (<, <=, > or >=)");
    }
    while (i < end && is_space(s[i]))
        i++;
    size_t v0 = i;
    double v = 0;
    size_t digits = 0;
    while (i < end && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i++] - '0');
        digits++;
    }
    if (i < end && s[i] == '.') {
        i++;
        double scale = 0.1;
        size_t frac = 0;
        while (i < end && s[i] >= '0' && s[i] <= '9') {
            v += (s[i++] - '0') * scale;
            scale /= 10;
            frac++;
        }
        if (!frac)
            digits = 0;
    }
    if (!digits || v > 1e12)
        return fail(err, term_no, t, base + v0 + 1, "expected a number",
                    " (digits, optionally with a fraction: 20000, 1.5)");
    size_t u0 = i;
    while (i < end && !is_space(s[i]))
        i++;
    size_t ul = i - u0;
    const char *u = s + u0;
    while (i < end && is_space(s[i]))
        i++;
    if (i != end)
        return fail(err, term_no, t, base + i + 1, "unexpected text after the value", NULL);
    bool ms = ul == 2 && memcmp(u, "ms", 2) == 0, sec = ul == 1 && u[0] == 's',
         pc = ul == 1 && u[0] == '%';
    if (ul && !ms && !sec && !pc)
        return fail(err, term_no, t, base + u0 + 1, "unknown unit", " (ms, s or %)");
    switch (t->kind) {
    case SEG_SLO_PCT:
        if (pc)
            return fail(err, term_no, t, base + u0 + 1, "a percentile takes ms or s, not %", NULL);
        t->value = sec ? v * 1000.0 : v;
        break;
    case SEG_SLO_ERRORS:
    case SEG_SLO_COMPLETE:
        if (ms || sec)
            return fail(err, term_no, t, base + u0 + 1,
                        "errors and complete are a % of launched, not a time", NULL);
        if (v > 100)
            return fail(err, term_no, t, base + v0 + 1, "a percentage is at most 100", NULL);
        t->value = v;
        t->percent = true;
        break;
    case SEG_SLO_THROTTLES:
        if (ms || sec)
            return fail(err, term_no, t, base + u0 + 1,
                        "throttles is a count or a % of launched, not a time", NULL);
        if (pc && v > 100)
            return fail(err, term_no, t, base + v0 + 1, "a percentage is at most 100", NULL);
        t->value = v;
        t->percent = pc;
        break;
    }
    return SEG_OK;
}

enum seg_err seg_slo_parse(const char *spec, struct seg_slo *out, struct seg_errmsg *err)
{
    struct seg_slo slo = {0};
    enum seg_err rc = SEG_OK;
    if (!spec) {
        seg_errmsg_set(err, "--slo: empty specification (expected metric op value, ...)");
        return SEG_ERR_PARSE;
    }
    size_t len = strlen(spec), n_terms = 1;
    for (size_t i = 0; i < len; i++)
        n_terms += spec[i] == ',';
    if (n_terms > MAX_TERMS) {
        seg_errmsg_set(err, "--slo: %zu terms, at most %d", n_terms, MAX_TERMS);
        return SEG_ERR_PARSE;
    }
    slo.terms = seg_xcalloc(n_terms, sizeof *slo.terms);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && spec[i] != ',')
            continue;
        rc = parse_term(spec, start, i - start, slo.n + 1, &slo.terms[slo.n], err);
        if (rc)
            goto out;
        slo.n++;
        start = i + 1;
    }
out:
    if (rc) {
        seg_slo_release(&slo);
        return rc;
    }
    *out = slo;
    return SEG_OK;
}

void seg_slo_release(struct seg_slo *slo)
{
    if (!slo)
        return;
    free(slo->terms);
    slo->terms = NULL;
    slo->n = 0;
}

static int32_t pick(const struct seg_hist_summary *h, int p)
{
    return p == 50 ? h->p50 : p == 90 ? h->p90 : p == 95 ? h->p95 : h->p99;
}

/* Observed value of t over one wave (or all waves); false when there is no data. */
static bool observe(const struct seg_slo_term *t, const struct seg_counts *c,
                    const struct seg_hist_summary *dist, double *out)
{
    switch (t->kind) {
    case SEG_SLO_PCT:
        if (!dist[t->metric].n)
            return false;
        *out = pick(&dist[t->metric], t->percentile);
        return true;
    case SEG_SLO_ERRORS:
        if (!c->launched)
            return false;
        *out = 100.0 * c->errors / c->launched;
        return true;
    case SEG_SLO_COMPLETE:
        if (!c->launched)
            return false;
        *out = 100.0 * c->done / c->launched;
        return true;
    case SEG_SLO_THROTTLES:
        if (t->percent) {
            if (!c->launched)
                return false;
            *out = 100.0 * c->throttles / c->launched;
        } else {
            *out = c->throttles;
        }
        return true;
    }
    return false;
}

static bool holds(enum seg_slo_op op, double x, double v)
{
    switch (op) {
    case SEG_SLO_LT:
        return x < v;
    case SEG_SLO_LE:
        return x <= v;
    case SEG_SLO_GT:
        return x > v;
    case SEG_SLO_GE:
        return x >= v;
    }
    return false;
}

static void eval(const struct seg_slo_term *t, int wave, const struct seg_counts *c,
                 const struct seg_hist_summary *dist, struct seg_slo_result *r)
{
    r->term = t;
    r->wave = wave;
    r->observed = NAN;
    r->evaluated = observe(t, c, dist, &r->observed);
    r->ok = !r->evaluated || holds(t->op, r->observed, t->value);
}

size_t seg_slo_check(const struct seg_slo *slo, const struct seg_snapshot *snap, bool complete_only,
                     struct seg_slo_result **results, size_t *n_results)
{
    size_t cap = slo->n * (snap->n_waves + 1) + 1, n = 0, broken = 0;
    struct seg_slo_result *res = seg_xcalloc(cap, sizeof *res);
    for (size_t i = 0; i < slo->n; i++) {
        const struct seg_slo_term *t = &slo->terms[i];
        if (t->all) {
            eval(t, 0, &snap->total, snap->all, &res[n]);
            broken += !res[n++].ok;
            continue;
        }
        for (size_t w = 0; w < snap->n_waves; w++) {
            const struct seg_wave_row *row = &snap->waves[w];
            if (complete_only && !row->complete)
                continue;
            eval(t, row->wave, &row->c, row->dist, &res[n]);
            broken += !res[n++].ok;
        }
    }
    *results = res;
    *n_results = n;
    return broken;
}

void seg_slo_format(const struct seg_slo_result *r, char *buf, size_t size)
{
    const struct seg_slo_term *t = r->term;
    char scope[32];
    if (r->wave)
        snprintf(scope, sizeof scope, "wave %d", r->wave);
    else
        snprintf(scope, sizeof scope, "all waves");
    const char *unit = t->kind == SEG_SLO_PCT ? " ms" : t->percent ? " %" : "";
    if (!r->evaluated) {
        snprintf(buf, size, "%s: %s: no data", scope, t->text);
        return;
    }
    snprintf(buf, size, "%s: %s = %.6g%s, wanted %s %.6g%s: %s", scope, t->text, r->observed, unit,
             op_names[t->op], t->value, unit, r->ok ? "ok" : "BROKEN");
}
