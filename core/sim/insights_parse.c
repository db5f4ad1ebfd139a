/* Logs Insights subset: lexer and parser (DESIGN §6). */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <regex.h>
#include <strings.h>

#include "sim/filterpattern.h"
#include "sim/insights.h"
#include "sim/insights_internal.h"
#include "util/buf.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* ---- lexer ---- */

enum tok_kind {
    T_END,
    T_IDENT,
    T_STRING,
    T_REGEX,
    T_NUMBER,
    T_PIPE,
    T_COMMA,
    T_LP,
    T_RP,
    T_STAR,
    T_OP
};

struct tok {
    enum tok_kind k;
    size_t start, end;
    char *text; /* decoded: identifier, string, regex body, number or operator */
};

#define MAX_TOKENS 4096

struct parser {
    const char *src;
    size_t len;
    struct tok *t;
    size_t n, pos;
    struct seg_sim_insights_error *err;
};

SEG_PRINTF(4, 5)
static enum seg_err fail(struct parser *p, size_t start, size_t end, const char *fmt, ...)
{
    if (p->err) {
        p->err->start = start;
        p->err->end = end;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
        va_end(ap);
    }
    return SEG_ERR_PARSE;
}

static bool ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == '@';
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '@';
}

/* A quoted string or /regex/ body starting after the opening delimiter. */
static enum seg_err delimited(struct parser *p, size_t *i, char delim, struct tok *t)
{
    size_t start = *i - 1;
    struct seg_buf b;
    seg_buf_init(&b, SEG_SIM_INSIGHTS_MAX_QUERY);
    enum seg_err e = SEG_OK;
    while (*i < p->len && p->src[*i] != delim && !e) {
        char c = p->src[*i];
        if (c == '\\' && *i + 1 < p->len) {
            char n = p->src[*i + 1];
            if (n == delim || (delim != '/' && n == '\\')) {
                c = n;
                (*i)++;
            } else if (delim != '/') { /* \n, \t in strings */
                c = n == 'n' ? '\n' : n == 't' ? '\t' : n;
                (*i)++;
            } else { /* keep regex escapes for regcomp */
                e = seg_buf_addc(&b, c);
                c = n;
                (*i)++;
            }
        }
        if (!e)
            e = seg_buf_addc(&b, c);
        (*i)++;
    }
    if (e || *i >= p->len) {
        seg_buf_release(&b);
        return fail(p, start, p->len, "Unterminated %s", delim == '/' ? "regex" : "string");
    }
    (*i)++;
    size_t n;
    t->text = seg_buf_detach(&b, &n);
    return SEG_OK;
}

static enum seg_err lex(struct parser *p)
{
    size_t i = 0, alloc = 0;
    for (;;) {
        while (i < p->len && isspace((unsigned char)p->src[i]))
            i++;
        if (p->n == alloc) {
            alloc = alloc ? alloc * 2 : 32;
            p->t = seg_xrealloc(p->t, alloc * sizeof *p->t);
        }
        struct tok *t = &p->t[p->n];
        memset(t, 0, sizeof *t);
        t->start = i;
        if (i >= p->len) {
            t->k = T_END;
            t->end = i;
            p->n++;
            return SEG_OK;
        }
        if (p->n >= MAX_TOKENS)
            return fail(p, i, p->len, "Query is too complex");
        char c = p->src[i];
        enum seg_err e = SEG_OK;
        if (c == '#') { /* comment to end of line */
            while (i < p->len && p->src[i] != '\n')
                i++;
            continue;
        } else if (ident_start(c)) {
            while (i < p->len && ident_char(p->src[i]))
                i++;
            t->k = T_IDENT;
            t->text = seg_xstrndup(p->src + t->start, i - t->start);
        } else if (isdigit((unsigned char)c) ||
                   (c == '-' && i + 1 < p->len && isdigit((unsigned char)p->src[i + 1]))) {
            i++;
            while (i < p->len && (isdigit((unsigned char)p->src[i]) || p->src[i] == '.'))
                i++;
            /* a unit suffix (bin(5m)) stays part of the token */
            while (i < p->len && isalpha((unsigned char)p->src[i]))
                i++;
            t->k = T_NUMBER;
            t->text = seg_xstrndup(p->src + t->start, i - t->start);
        } else if (c == '"' || c == '\'' || c == '/') {
            i++;
            t->k = c == '/' ? T_REGEX : T_STRING;
            e = delimited(p, &i, c, t);
        } else if (c == '|' || c == ',' || c == '(' || c == ')' || c == '*') {
            t->k = c == '|'   ? T_PIPE
                   : c == ',' ? T_COMMA
                   : c == '(' ? T_LP
                   : c == ')' ? T_RP
                              : T_STAR;
            i++;
        } else if (strchr("=!<>", c)) {
            size_t n = 1;
            if (i + 1 < p->len && (p->src[i + 1] == '=' || (c == '=' && p->src[i + 1] == '~')))
                n = 2;
            if (c == '!' && n == 1)
                return fail(p, i, i + 1, "Unexpected character '!'");
            t->k = T_OP;
            t->text = seg_xstrndup(p->src + i, n);
            i += n;
        } else {
            return fail(p, i, i + 1, "Unexpected character '%c'",
                        isprint((unsigned char)c) ? c : '?');
        }
        if (e)
            return e;
        t->end = i;
        p->n++;
    }
}

static void expr_free(struct expr *e)
{
    if (!e)
        return;
    expr_free(e->a);
    expr_free(e->b);
    free(e->l.text);
    free(e->r.text);
    if (e->has_re)
        regfree(&e->re);
    free(e);
}

void seg_sim_insights_free(struct seg_sim_insights_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++) {
        struct cmd *c = &q->c[i];
        for (size_t j = 0; j < c->nfields; j++) {
            free(c->fields[j].field);
            free(c->fields[j].name);
        }
        free(c->fields);
        expr_free(c->expr);
        free(c->parse_src);
        for (size_t j = 0; j < c->npieces; j++)
            free(c->pieces[j]);
        free(c->pieces);
        for (size_t j = 0; j < c->nsk; j++)
            free(c->sk[j].field);
        free(c->sk);
        for (size_t j = 0; j < c->nag; j++) {
            free(c->ag[j].field);
            free(c->ag[j].name);
        }
        free(c->ag);
        for (size_t j = 0; j < c->nby; j++) {
            free(c->by[j].field);
            free(c->by[j].name);
        }
        free(c->by);
    }
    free(q->c);
    free(q);
}

/* ---- parser ---- */

static struct tok *peek(struct parser *p)
{
    return &p->t[p->pos];
}

static struct tok *next(struct parser *p)
{
    struct tok *t = &p->t[p->pos];
    if (t->k != T_END)
        p->pos++;
    return t;
}

static bool is_kw(const struct tok *t, const char *kw)
{
    return t->k == T_IDENT && strcasecmp(t->text, kw) == 0;
}

static enum seg_err expect(struct parser *p, enum tok_kind k, const char *what)
{
    struct tok *t = peek(p);
    if (t->k != k)
        return fail(p, t->start, t->end, "Expected %s", what);
    next(p);
    return SEG_OK;
}

static enum seg_err field_name(struct parser *p, char **out)
{
    struct tok *t = peek(p);
    if (t->k != T_IDENT || is_kw(t, "as") || is_kw(t, "by"))
        return fail(p, t->start, t->end, "Expected a field name");
    next(p);
    *out = seg_xstrdup(t->text);
    return SEG_OK;
}

/* POSIX ERE from an Insights regex: \d and \D translated, back-references refused. */
static enum seg_err compile_re(struct parser *p, const struct tok *t, regex_t *re)
{
    const char *s = t->text;
    size_t n = strlen(s);
    if (n > SEG_SIM_INSIGHTS_MAX_REGEX)
        return fail(p, t->start, t->end, "Regex is longer than %d characters",
                    SEG_SIM_INSIGHTS_MAX_REGEX);
    struct seg_buf b;
    seg_buf_init(&b, 8 * SEG_SIM_INSIGHTS_MAX_REGEX);
    enum seg_err e = SEG_OK;
    for (size_t i = 0; i < n && !e; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[i + 1];
            i++;
            if (isdigit((unsigned char)c)) {
                seg_buf_release(&b);
                return fail(p, t->start, t->end, "Back-references are not supported");
            }
            e = c == 'd'   ? seg_buf_adds(&b, "[0-9]")
                : c == 'D' ? seg_buf_adds(&b, "[^0-9]")
                           : seg_buf_add(&b, s + i - 1, 2);
        } else if (s[i] == '(' && i + 1 < n && s[i + 1] == '?') {
            seg_buf_release(&b);
            return fail(p, t->start, t->end, "Regex groups with (? are not supported");
        } else {
            e = seg_buf_addc(&b, s[i]);
        }
    }
    if (!e && !seg_sim_regex_size_ok(b.data ? b.data : "", b.len)) {
        seg_buf_release(&b);
        return fail(p, t->start, t->end, "Regex is too complex");
    }
    int rc = e ? -1 : regcomp(re, b.data ? b.data : "", REG_EXTENDED | REG_NOSUB);
    seg_buf_release(&b);
    if (rc != 0)
        return fail(p, t->start, t->end, "Invalid regex");
    return SEG_OK;
}

static enum seg_err operand(struct parser *p, struct operand *o)
{
    struct tok *t = peek(p);
    if (t->k == T_IDENT && !is_kw(t, "and") && !is_kw(t, "or") && !is_kw(t, "not")) {
        o->is_field = true;
    } else if (t->k != T_STRING && t->k != T_NUMBER) {
        return fail(p, t->start, t->end, "Expected a field, string or number");
    }
    next(p);
    o->text = seg_xstrdup(t->text);
    return SEG_OK;
}

static enum seg_err parse_or(struct parser *p, struct expr **out, int depth);

static enum seg_err parse_unary(struct parser *p, struct expr **out, int depth)
{
    struct tok *t = peek(p);
    if (depth > 32)
        return fail(p, t->start, t->end, "Expression nested too deeply");
    if (is_kw(t, "not")) {
        next(p);
        struct expr *e = seg_xcalloc(1, sizeof *e);
        e->k = E_NOT;
        *out = e;
        return parse_unary(p, &e->a, depth + 1);
    }
    if (t->k == T_LP) {
        next(p);
        enum seg_err err = parse_or(p, out, depth + 1);
        return err ? err : expect(p, T_RP, "')'");
    }
    struct expr *e = seg_xcalloc(1, sizeof *e);
    *out = e;
    enum seg_err err = operand(p, &e->l);
    if (err)
        return err;
    struct tok *op = peek(p);
    if (is_kw(op, "not") && is_kw(&p->t[p->pos + 1], "like")) {
        e->negate = true;
        next(p);
        op = peek(p);
    }
    if (is_kw(op, "like") || (op->k == T_OP && strcmp(op->text, "=~") == 0)) {
        if (!e->l.is_field)
            return fail(p, op->start, op->end, "like needs a field on its left");
        bool tilde = op->k == T_OP;
        next(p);
        struct tok *v = next(p);
        if (v->k == T_REGEX) {
            e->k = E_LIKE_RE;
            err = compile_re(p, v, &e->re);
            e->has_re = !err;
            return err;
        }
        if (v->k == T_STRING && !tilde) {
            e->k = E_LIKE_SUB;
            e->r.text = seg_xstrdup(v->text);
            return SEG_OK;
        }
        return fail(p, v->start, v->end, "Expected a /regex/ or a string after like");
    }
    if (op->k != T_OP)
        return fail(p, op->start, op->end, "Expected a comparison operator");
    static const char *const ops[] = {"=", "!=", "<", "<=", ">", ">="};
    size_t k = 0;
    while (k < SEG_ARRAY_LEN(ops) && strcmp(ops[k], op->text) != 0)
        k++;
    if (k == SEG_ARRAY_LEN(ops))
        return fail(p, op->start, op->end, "Unsupported operator '%s'", op->text);
    next(p);
    e->k = E_CMP;
    e->op = (enum cmp_op)k;
    return operand(p, &e->r);
}

static enum seg_err parse_and(struct parser *p, struct expr **out, int depth)
{
    enum seg_err err = parse_unary(p, out, depth);
    while (!err && is_kw(peek(p), "and")) {
        next(p);
        struct expr *e = seg_xcalloc(1, sizeof *e);
        e->k = E_AND;
        e->a = *out;
        *out = e;
        err = parse_unary(p, &e->b, depth);
    }
    return err;
}

static enum seg_err parse_or(struct parser *p, struct expr **out, int depth)
{
    enum seg_err err = parse_and(p, out, depth);
    while (!err && is_kw(peek(p), "or")) {
        next(p);
        struct expr *e = seg_xcalloc(1, sizeof *e);
        e->k = E_OR;
        e->a = *out;
        *out = e;
        err = parse_and(p, &e->b, depth);
    }
    return err;
}

static void add_named(struct cmd *c, char *field, char *name)
{
    c->fields = seg_xrealloc(c->fields, (c->nfields + 1) * sizeof *c->fields);
    c->fields[c->nfields++] = (struct named){field, name};
}

static enum seg_err parse_fields(struct parser *p, struct cmd *c)
{
    for (;;) {
        char *f = NULL;
        enum seg_err err = field_name(p, &f);
        if (err)
            return err;
        char *name = NULL;
        if (is_kw(peek(p), "as")) {
            next(p);
            err = field_name(p, &name);
            if (err) {
                free(f);
                return err;
            }
        }
        add_named(c, f, name ? name : seg_xstrdup(f));
        if (peek(p)->k != T_COMMA)
            return SEG_OK;
        next(p);
    }
}

static enum seg_err parse_parse(struct parser *p, struct cmd *c)
{
    enum seg_err err = field_name(p, &c->parse_src);
    if (err)
        return err;
    struct tok *g = next(p);
    if (g->k == T_REGEX)
        return fail(p, g->start, g->end, "parse with a regex is not supported; use a glob");
    if (g->k != T_STRING)
        return fail(p, g->start, g->end, "Expected a glob pattern string");
    size_t stars = 0;
    for (const char *s = g->text; *s; s++)
        stars += *s == '*';
    if (stars == 0)
        return fail(p, g->start, g->end, "The parse pattern has no *");
    c->pieces = seg_xcalloc(stars + 1, sizeof *c->pieces);
    c->npieces = stars + 1;
    const char *s = g->text;
    for (size_t i = 0; i <= stars; i++) {
        const char *star = strchr(s, '*');
        size_t n = star ? (size_t)(star - s) : strlen(s);
        c->pieces[i] = seg_xstrndup(s, n);
        s += n + (star ? 1 : 0);
    }
    struct tok *as = peek(p);
    if (!is_kw(as, "as"))
        return fail(p, as->start, as->end, "Expected as");
    next(p);
    for (;;) {
        char *f = NULL;
        struct tok *at = peek(p);
        err = field_name(p, &f);
        if (err)
            return err;
        if (c->nfields >= stars) {
            free(f);
            return fail(p, at->start, at->end, "More names than * in the parse pattern");
        }
        add_named(c, NULL, f);
        if (peek(p)->k != T_COMMA)
            break;
        next(p);
    }
    if (c->nfields != stars)
        return fail(p, as->start, as->end, "The parse pattern has %zu * but %zu names", stars,
                    c->nfields);
    return SEG_OK;
}

static enum seg_err parse_sort(struct parser *p, struct cmd *c)
{
    for (;;) {
        char *f = NULL;
        enum seg_err err = field_name(p, &f);
        if (err)
            return err;
        bool desc = false;
        if (is_kw(peek(p), "desc") || is_kw(peek(p), "asc"))
            desc = is_kw(next(p), "desc");
        c->sk = seg_xrealloc(c->sk, (c->nsk + 1) * sizeof *c->sk);
        c->sk[c->nsk++] = (struct sortkey){f, desc};
        if (peek(p)->k != T_COMMA)
            return SEG_OK;
        next(p);
    }
}

static bool parse_count(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v == 0 || v > SEG_SIM_INSIGHTS_MAX_LIMIT)
        return false;
    *out = (size_t)v;
    return true;
}

static enum seg_err parse_limit(struct parser *p, struct cmd *c)
{
    struct tok *t = next(p);
    if (t->k != T_NUMBER || !parse_count(t->text, &c->limit))
        return fail(p, t->start, t->end, "limit takes a number from 1 to %d",
                    SEG_SIM_INSIGHTS_MAX_LIMIT);
    return SEG_OK;
}

static enum seg_err parse_agg(struct parser *p, struct cmd *c)
{
    static const char *const fns[] = {"count", "avg", "sum", "min", "max", "pct"};
    static const enum agg_fn kinds[] = {A_COUNT, A_AVG, A_SUM, A_MIN, A_MAX, A_PCT};
    struct tok *f = next(p);
    size_t k = 0;
    while (f->k == T_IDENT && k < SEG_ARRAY_LEN(fns) && strcasecmp(fns[k], f->text) != 0)
        k++;
    if (f->k != T_IDENT || k == SEG_ARRAY_LEN(fns))
        return fail(p, f->start, f->end, "Unsupported stats function '%.*s'",
                    (int)(f->end - f->start), p->src + f->start);
    enum seg_err err = expect(p, T_LP, "'('");
    if (err)
        return err;
    struct agg a = {.fn = kinds[k]};
    if (a.fn == A_COUNT && (peek(p)->k == T_STAR || peek(p)->k == T_RP)) {
        if (peek(p)->k == T_STAR)
            next(p);
        a.fn = A_COUNT_STAR;
    } else {
        err = field_name(p, &a.field);
    }
    if (!err && a.fn == A_PCT) {
        err = expect(p, T_COMMA, "','");
        struct tok *n = next(p);
        char *end = NULL;
        if (!err && n->k == T_NUMBER)
            a.pct = strtod(n->text, &end);
        if (!err && (n->k != T_NUMBER || *end || a.pct < 0 || a.pct > 100))
            err = fail(p, n->start, n->end, "pct takes a percentile from 0 to 100");
    }
    if (!err)
        err = expect(p, T_RP, "')'");
    if (!err && is_kw(peek(p), "as")) {
        next(p);
        err = field_name(p, &a.name);
    }
    if (!err && !a.name) {
        a.name = a.fn == A_COUNT_STAR ? seg_xstrdup("count(*)")
                 : a.fn == A_PCT      ? seg_xasprintf("pct(%s, %g)", a.field, a.pct)
                                      : seg_xasprintf("%s(%s)", fns[k], a.field);
    }
    c->ag = seg_xrealloc(c->ag, (c->nag + 1) * sizeof *c->ag);
    c->ag[c->nag++] = a;
    return err;
}

static bool bin_width(const char *s, int64_t *ms)
{
    char *end;
    double v = strtod(s, &end);
    double unit = strcmp(end, "ms") == 0  ? 1
                  : strcmp(end, "s") == 0 ? 1000
                  : strcmp(end, "m") == 0 ? 60000
                  : strcmp(end, "h") == 0 ? 3600000
                  : strcmp(end, "d") == 0 ? 86400000
                                          : 0;
    if (unit == 0 || !(v > 0) || v * unit > 366.0 * 86400000 || v * unit < 1)
        return false;
    *ms = (int64_t)(v * unit);
    return true;
}

static enum seg_err parse_stats(struct parser *p, struct cmd *c)
{
    enum seg_err err;
    do {
        err = parse_agg(p, c);
        if (err)
            return err;
    } while (peek(p)->k == T_COMMA && next(p));
    if (!is_kw(peek(p), "by"))
        return SEG_OK;
    next(p);
    for (;;) {
        struct bykey b = {0};
        struct tok *t = peek(p);
        if (is_kw(t, "bin") && p->t[p->pos + 1].k == T_LP) {
            next(p);
            next(p);
            struct tok *w = next(p);
            if (w->k != T_NUMBER || !bin_width(w->text, &b.bin_ms))
                return fail(p, w->start, w->end, "bin takes a period such as 5m");
            err = expect(p, T_RP, "')'");
            b.name = seg_xasprintf("bin(%s)", w->text);
        } else {
            err = field_name(p, &b.field);
        }
        if (!err && is_kw(peek(p), "as")) {
            next(p);
            free(b.name);
            b.name = NULL;
            err = field_name(p, &b.name);
        }
        if (!b.name && b.field)
            b.name = seg_xstrdup(b.field);
        c->by = seg_xrealloc(c->by, (c->nby + 1) * sizeof *c->by);
        c->by[c->nby++] = b;
        if (err || peek(p)->k != T_COMMA)
            return err;
        next(p);
    }
}

static enum seg_err parse_command(struct parser *p, struct seg_sim_insights_query *q)
{
    static const char *const names[] = {"fields", "filter", "parse", "sort", "limit", "stats"};
    struct tok *t = next(p);
    size_t k = 0;
    while (t->k == T_IDENT && k < SEG_ARRAY_LEN(names) && strcasecmp(names[k], t->text) != 0)
        k++;
    if (t->k != T_IDENT || k == SEG_ARRAY_LEN(names))
        return fail(p, t->start, t->end ? t->end : t->start,
                    "Unexpected symbol: expected a command (fields, filter, parse, sort, limit, "
                    "stats) at '%.*s'",
                    (int)(t->end - t->start > 40 ? 40 : t->end - t->start), p->src + t->start);
    q->c = seg_xrealloc(q->c, (q->n + 1) * sizeof *q->c);
    struct cmd *c = &q->c[q->n++];
    memset(c, 0, sizeof *c);
    c->k = (enum cmd_kind)k;
    switch (c->k) {
    case C_FIELDS:
        return parse_fields(p, c);
    case C_FILTER:
        return parse_or(p, &c->expr, 0);
    case C_PARSE:
        return parse_parse(p, c);
    case C_SORT:
        return parse_sort(p, c);
    case C_LIMIT:
        return parse_limit(p, c);
    case C_STATS:
        return parse_stats(p, c);
    }
    return SEG_ERR_PARSE;
}

enum seg_err seg_sim_insights_compile(const char *query, size_t len,
                                      struct seg_sim_insights_query **out,
                                      struct seg_sim_insights_error *err)
{
    struct parser p = {.src = query, .len = len, .err = err};
    struct seg_sim_insights_query *q = seg_xcalloc(1, sizeof *q);
    enum seg_err e = SEG_OK;
    if (len > SEG_SIM_INSIGHTS_MAX_QUERY)
        e = fail(&p, 0, len, "Query is longer than %d characters", SEG_SIM_INSIGHTS_MAX_QUERY);
    else if (memchr(query, '\0', len))
        e = fail(&p, 0, len, "Query contains a NUL character");
    if (!e)
        e = lex(&p);
    while (!e) {
        e = parse_command(&p, q);
        struct tok *t = peek(&p);
        if (e || t->k == T_END)
            break;
        if (t->k != T_PIPE)
            e = fail(&p, t->start, t->end, "Unexpected symbol '%.*s': expected |",
                     (int)(t->end - t->start > 40 ? 40 : t->end - t->start), p.src + t->start);
        else
            next(&p);
    }
    bool stats_seen = false;
    for (size_t i = 0; !e && i < q->n; i++) {
        if (q->c[i].k == C_STATS && stats_seen)
            e = fail(&p, 0, len, "Only one stats command is supported");
        stats_seen |= q->c[i].k == C_STATS;
    }
    q->first_blocking = q->n;
    for (size_t i = 0; i < q->n; i++)
        if (q->c[i].k == C_SORT || q->c[i].k == C_LIMIT || q->c[i].k == C_STATS) {
            q->first_blocking = i;
            break;
        }
    for (size_t i = 0; i < p.n; i++)
        free(p.t[i].text);
    free(p.t);
    if (e) {
        seg_sim_insights_free(q);
        return e;
    }
    *out = q;
    return SEG_OK;
}
