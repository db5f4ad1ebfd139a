#include "sim/insights.h"

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

/* ---- AST ---- */

enum cmd_kind { C_FIELDS, C_FILTER, C_PARSE, C_SORT, C_LIMIT, C_STATS };
enum expr_kind { E_AND, E_OR, E_NOT, E_CMP, E_LIKE_SUB, E_LIKE_RE };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
enum agg_fn { A_COUNT, A_COUNT_STAR, A_AVG, A_SUM, A_MIN, A_MAX, A_PCT };

struct operand {
    bool is_field;
    char *text;
};

struct expr {
    enum expr_kind k;
    struct expr *a, *b;
    struct operand l, r;
    enum cmp_op op;
    bool negate; /* not like */
    regex_t re;
    bool has_re;
};

struct named {
    char *field; /* the source field */
    char *name;  /* output name (alias or field) */
};

struct agg {
    enum agg_fn fn;
    char *field;
    double pct;
    char *name;
};

struct bykey {
    char *field;    /* NULL for bin() */
    int64_t bin_ms; /* bin() width */
    char *name;
};

struct sortkey {
    char *field;
    bool desc;
};

struct cmd {
    enum cmd_kind k;
    struct named *fields; /* C_FIELDS, C_PARSE names */
    size_t nfields;
    struct expr *expr; /* C_FILTER */
    char *parse_src;   /* C_PARSE */
    char **pieces;     /* C_PARSE literals between the *s */
    size_t npieces;
    struct sortkey *sk; /* C_SORT */
    size_t nsk;
    size_t limit;   /* C_LIMIT */
    struct agg *ag; /* C_STATS */
    size_t nag;
    struct bykey *by;
    size_t nby;
};

struct seg_sim_insights_query {
    struct cmd *c;
    size_t n;
    size_t first_blocking; /* commands before it run per event */
};

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

/* ---- running ---- */

struct kv {
    char *k;
    char *v;
};

/* One record: an event (with the fields the per-event stages added) or, after stats, one
 * aggregated row that has only kv. */
struct rec {
    size_t log; /* index into run->logs */
    char *stream;
    int64_t ts, ingest;
    uint64_t seq;
    char *msg;
    size_t len;
    struct kv *kv;
    size_t nkv;
    bool agg;
};

struct seg_sim_insights_run {
    const struct seg_sim_insights_query *q;
    size_t limit;
    char **logs;
    size_t nlogs;
    struct rec *r;
    size_t n, alloc;
    double matched, scanned, bytes;
};

#define SCRATCH 64

static void fmt_time(int64_t ms, char out[SCRATCH])
{
    char buf[32];
    seg_time_format_ms(ms, ' ', true, false, buf);
    snprintf(out, SCRATCH, "%s", buf);
}

static void fmt_num(double v, char out[SCRATCH])
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, SCRATCH, "%.0f", v);
        return;
    }
    snprintf(out, SCRATCH, "%.4f", v);
    char *e = out + strlen(out);
    while (e > out && e[-1] == '0')
        *--e = '\0';
    if (e > out && e[-1] == '.')
        e[-1] = '\0';
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void kv_set(struct rec *x, const char *k, char *v_owned)
{
    for (size_t i = 0; i < x->nkv; i++)
        if (strcmp(x->kv[i].k, k) == 0) {
            free(x->kv[i].v);
            x->kv[i].v = v_owned;
            return;
        }
    x->kv = seg_xrealloc(x->kv, (x->nkv + 1) * sizeof *x->kv);
    x->kv[x->nkv++] = (struct kv){seg_xstrdup(k), v_owned};
}

static void rec_release(struct rec *x, bool owns_event)
{
    for (size_t i = 0; i < x->nkv; i++) {
        free(x->kv[i].k);
        free(x->kv[i].v);
    }
    free(x->kv);
    if (owns_event) {
        free(x->stream);
        free(x->msg);
    }
}

static const char *rec_get(const struct seg_sim_insights_run *run, const struct rec *x,
                           const char *name, char scratch[SCRATCH])
{
    for (size_t i = x->nkv; i-- > 0;)
        if (strcmp(x->kv[i].k, name) == 0)
            return x->kv[i].v;
    if (x->agg || name[0] != '@')
        return NULL;
    if (strcmp(name, "@timestamp") == 0 || strcmp(name, "@ingestionTime") == 0) {
        fmt_time(name[1] == 't' ? x->ts : x->ingest, scratch);
        return scratch;
    }
    if (strcmp(name, "@message") == 0)
        return x->msg;
    if (strcmp(name, "@logStream") == 0)
        return x->stream;
    if (strcmp(name, "@log") == 0)
        return run->logs[x->log];
    if (strcmp(name, "@ptr") == 0) { /* opaque, unique per event, like AWS's */
        snprintf(scratch, SCRATCH, "Cm%016" PRIx64 "%016" PRIx64, fnv(run->logs[x->log]), x->seq);
        return scratch;
    }
    return NULL;
}

/* Lambda's discovered fields for a text REPORT line (aws-wire.md §4.2, §2.11). */
static void discover_report(struct rec *x)
{
    static const char head[] = "REPORT RequestId: ";
    if (x->len < sizeof head - 1 || memcmp(x->msg, head, sizeof head - 1) != 0)
        return;
    kv_set(x, "@type", seg_xstrdup("REPORT"));
    const char *p = x->msg + sizeof head - 1;
    const char *eol = strchr(p, '\n');
    if (!eol)
        eol = x->msg + x->len;
    size_t idn = strcspn(p, "\t \n");
    kv_set(x, "@requestId", seg_xstrndup(p, idn));
    p += idn;
    static const struct {
        const char *key, *field;
        bool bytes; /* MB -> bytes, as Insights reports memory */
    } keys[] = {{"Duration", "@duration", false},
                {"Billed Duration", "@billedDuration", false},
                {"Memory Size", "@memorySize", true},
                {"Max Memory Used", "@maxMemoryUsed", true},
                {"Init Duration", "@initDuration", false}};
    while (p < eol) {
        while (p < eol && (*p == '\t' || *p == ' '))
            p++;
        const char *seg_end = memchr(p, '\t', (size_t)(eol - p));
        if (!seg_end)
            seg_end = eol;
        const char *colon = memchr(p, ':', (size_t)(seg_end - p));
        for (size_t k = 0; colon && k < SEG_ARRAY_LEN(keys); k++) {
            size_t kl = strlen(keys[k].key);
            if ((size_t)(colon - p) != kl || memcmp(p, keys[k].key, kl) != 0)
                continue;
            const char *v = colon + 1;
            while (v < seg_end && *v == ' ')
                v++;
            size_t vl = 0;
            while (v + vl < seg_end && (isdigit((unsigned char)v[vl]) || v[vl] == '.'))
                vl++;
            if (vl == 0)
                break;
            char *val = seg_xstrndup(v, vl);
            if (keys[k].bytes) {
                char num[SCRATCH];
                fmt_num(strtod(val, NULL) * 1000 * 1000, num);
                free(val);
                val = seg_xstrdup(num);
            }
            kv_set(x, keys[k].field, val);
            break;
        }
        p = seg_end;
    }
}

static bool as_num(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    *out = strtod(s, &end);
    return *end == '\0' && isfinite(*out);
}

static int cmp_values(const char *a, const char *b)
{
    double x, y;
    if (as_num(a, &x) && as_num(b, &y))
        return x < y ? -1 : x > y ? 1 : 0;
    return strcmp(a, b);
}

static const char *operand_value(const struct seg_sim_insights_run *run, const struct rec *x,
                                 const struct operand *o, char scratch[SCRATCH])
{
    return o->is_field ? rec_get(run, x, o->text, scratch) : o->text;
}

static bool eval(const struct seg_sim_insights_run *run, const struct rec *x, const struct expr *e)
{
    char s1[SCRATCH], s2[SCRATCH];
    switch (e->k) {
    case E_AND:
        return eval(run, x, e->a) && eval(run, x, e->b);
    case E_OR:
        return eval(run, x, e->a) || eval(run, x, e->b);
    case E_NOT:
        return !eval(run, x, e->a);
    case E_LIKE_SUB:
    case E_LIKE_RE: {
        const char *v = operand_value(run, x, &e->l, s1);
        if (!v)
            return false;
        bool hit =
            e->k == E_LIKE_SUB ? strstr(v, e->r.text) != NULL : regexec(&e->re, v, 0, NULL, 0) == 0;
        return hit != e->negate;
    }
    case E_CMP: {
        const char *a = operand_value(run, x, &e->l, s1);
        const char *b = operand_value(run, x, &e->r, s2);
        if (!a || !b)
            return false;
        int c = cmp_values(a, b);
        switch (e->op) {
        case OP_EQ:
            return c == 0;
        case OP_NE:
            return c != 0;
        case OP_LT:
            return c < 0;
        case OP_LE:
            return c <= 0;
        case OP_GT:
            return c > 0;
        case OP_GE:
            return c >= 0;
        }
    }
    }
    return false;
}

/* parse: literal pieces in order; each * captures up to the next piece (the last to the end
 * of the line). No match leaves the record without the fields, as Insights does. */
static void run_parse(const struct seg_sim_insights_run *run, struct rec *x, const struct cmd *c)
{
    char scratch[SCRATCH];
    const char *s = rec_get(run, x, c->parse_src, scratch);
    if (!s)
        return;
    char **caps = seg_xcalloc(c->nfields ? c->nfields : 1, sizeof *caps);
    const char *p = s;
    bool ok = true;
    if (c->pieces[0][0]) {
        p = strstr(s, c->pieces[0]);
        ok = p != NULL;
        if (ok)
            p += strlen(c->pieces[0]);
    }
    for (size_t i = 1; ok && i < c->npieces; i++) {
        const char *lit = c->pieces[i];
        const char *e;
        if (*lit)
            e = strstr(p, lit);
        else if (i == c->npieces - 1) {
            e = p + strcspn(p, "\n");
        } else
            e = p;
        if (!e) {
            ok = false;
            break;
        }
        caps[i - 1] = seg_xstrndup(p, (size_t)(e - p));
        p = e + strlen(lit);
    }
    for (size_t i = 0; i < c->nfields; i++) {
        if (ok)
            kv_set(x, c->fields[i].name, caps[i]);
        else
            free(caps[i]);
    }
    free(caps);
}

/* The per-event commands; false when a filter drops the record. */
static bool run_streaming(const struct seg_sim_insights_run *run, struct rec *x)
{
    const struct seg_sim_insights_query *q = run->q;
    for (size_t i = 0; i < q->first_blocking; i++) {
        const struct cmd *c = &q->c[i];
        char scratch[SCRATCH];
        switch (c->k) {
        case C_FIELDS:
            for (size_t j = 0; j < c->nfields; j++) {
                if (strcmp(c->fields[j].field, c->fields[j].name) == 0)
                    continue;
                const char *v = rec_get(run, x, c->fields[j].field, scratch);
                if (v)
                    kv_set(x, c->fields[j].name, seg_xstrdup(v));
            }
            break;
        case C_FILTER:
            if (!eval(run, x, c->expr))
                return false;
            break;
        case C_PARSE:
            run_parse(run, x, c);
            break;
        default:
            break;
        }
    }
    return true;
}

struct seg_sim_insights_run *seg_sim_insights_run_new(const struct seg_sim_insights_query *q,
                                                      size_t limit)
{
    struct seg_sim_insights_run *run = seg_xcalloc(1, sizeof *run);
    run->q = q;
    run->limit = limit ? limit : SEG_SIM_INSIGHTS_MAX_LIMIT;
    return run;
}

void seg_sim_insights_run_feed(struct seg_sim_insights_run *run, const char *log,
                               const struct seg_sim_log_event *ev)
{
    run->scanned += 1;
    run->bytes += (double)ev->message_len;
    if (run->nlogs == 0 || strcmp(run->logs[run->nlogs - 1], log) != 0) {
        run->logs = seg_xrealloc(run->logs, (run->nlogs + 1) * sizeof *run->logs);
        run->logs[run->nlogs++] = seg_xstrdup(log);
    }
    struct rec x = {.log = run->nlogs - 1,
                    .stream = (char *)ev->stream, /* borrowed until kept */
                    .ts = ev->timestamp_ms,
                    .ingest = ev->ingestion_ms,
                    .seq = ev->seq,
                    .msg = (char *)ev->message,
                    .len = ev->message_len};
    discover_report(&x);
    if (!run_streaming(run, &x) || run->n >= SEG_SIM_INSIGHTS_MAX_RECORDS) {
        rec_release(&x, false);
        return;
    }
    run->matched += 1;
    x.stream = seg_xstrdup(ev->stream);
    x.msg = seg_xstrndup(ev->message, ev->message_len);
    if (run->n == run->alloc) {
        run->alloc = run->alloc ? run->alloc * 2 : 64;
        run->r = seg_xrealloc(run->r, run->alloc * sizeof *run->r);
    }
    run->r[run->n++] = x;
}

/* ---- blocking stages ---- */

struct sort_ctx {
    const struct seg_sim_insights_run *run;
    const struct sortkey *sk; /* NULL: by (timestamp, seq) */
    size_t nsk;
};

static int rec_cmp(const struct sort_ctx *c, const struct rec *a, const struct rec *b)
{
    if (!c->sk) {
        if (a->ts != b->ts)
            return a->ts < b->ts ? -1 : 1;
        return a->seq < b->seq ? -1 : a->seq > b->seq;
    }
    for (size_t i = 0; i < c->nsk; i++) {
        const char *f = c->sk[i].field;
        int r;
        if (!a->agg && !b->agg && strcmp(f, "@timestamp") == 0) {
            r = a->ts < b->ts ? -1 : a->ts > b->ts;
        } else {
            char s1[SCRATCH], s2[SCRATCH];
            const char *x = rec_get(c->run, a, f, s1), *y = rec_get(c->run, b, f, s2);
            if (!x || !y) { /* missing values sort last either way */
                if (x != y)
                    return x ? -1 : 1;
                continue;
            }
            r = cmp_values(x, y);
        }
        if (r)
            return c->sk[i].desc ? -r : r;
    }
    return 0;
}

/* A stable merge sort (qsort_r is not POSIX and qsort is not stable). */
static void msort(struct rec *v, struct rec *tmp, size_t n, const struct sort_ctx *c)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    msort(v, tmp, h, c);
    msort(v + h, tmp, n - h, c);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = rec_cmp(c, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static void sort_recs(struct seg_sim_insights_run *run, const struct sortkey *sk, size_t nsk)
{
    struct sort_ctx c = {run, sk, nsk};
    struct rec *tmp = seg_xmalloc((run->n ? run->n : 1) * sizeof *tmp);
    msort(run->r, tmp, run->n, &c);
    free(tmp);
}

static void truncate_recs(struct seg_sim_insights_run *run, size_t n)
{
    for (size_t i = n; i < run->n; i++)
        rec_release(&run->r[i], !run->r[i].agg);
    if (n < run->n)
        run->n = n;
}

struct keyed {
    char *key;
    size_t i;
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void agg_value(struct seg_sim_insights_run *run, const struct agg *a,
                      const struct keyed *grp, size_t n, struct rec *out)
{
    char num[SCRATCH];
    if (a->fn == A_COUNT_STAR) {
        fmt_num((double)n, num);
        kv_set(out, a->name, seg_xstrdup(num));
        return;
    }
    double *vals = seg_xmalloc((n ? n : 1) * sizeof *vals);
    size_t nv = 0, present = 0;
    for (size_t i = 0; i < n; i++) {
        char scratch[SCRATCH];
        const char *v = rec_get(run, &run->r[grp[i].i], a->field, scratch);
        present += v != NULL;
        if (v && as_num(v, &vals[nv]))
            nv++;
    }
    bool have = true;
    double r = 0;
    switch (a->fn) {
    case A_COUNT:
        r = (double)present;
        break;
    case A_SUM:
    case A_AVG:
        for (size_t i = 0; i < nv; i++)
            r += vals[i];
        if (a->fn == A_AVG)
            r = nv ? r / (double)nv : 0;
        have = nv > 0;
        break;
    case A_MIN:
    case A_MAX:
        for (size_t i = 0; i < nv; i++)
            if (i == 0 || (a->fn == A_MIN ? vals[i] < r : vals[i] > r))
                r = vals[i];
        have = nv > 0;
        break;
    case A_PCT:
        if ((have = nv > 0)) { /* nearest rank */
            qsort(vals, nv, sizeof *vals, dbl_cmp);
            double rank = ceil(a->pct / 100.0 * (double)nv);
            size_t idx = rank < 1 ? 0 : (size_t)rank - 1;
            r = vals[idx < nv ? idx : nv - 1];
        }
        break;
    case A_COUNT_STAR:
        break;
    }
    free(vals);
    if (have) {
        fmt_num(r, num);
        kv_set(out, a->name, seg_xstrdup(num));
    }
}

static void run_stats(struct seg_sim_insights_run *run, const struct cmd *c)
{
    struct keyed *k = seg_xmalloc((run->n ? run->n : 1) * sizeof *k);
    for (size_t i = 0; i < run->n; i++) {
        struct seg_buf b;
        seg_buf_init(&b, 0);
        for (size_t j = 0; j < c->nby; j++) {
            char scratch[SCRATCH];
            const char *v;
            if (c->by[j].field) {
                v = rec_get(run, &run->r[i], c->by[j].field, scratch);
            } else {
                int64_t w = c->by[j].bin_ms, ts = run->r[i].ts;
                int64_t start = ts >= 0 ? ts - ts % w : ts - (w + ts % w) % w;
                fmt_time(start, scratch);
                v = run->r[i].agg ? NULL : scratch;
            }
            if (seg_buf_adds(&b, v ? v : "\x1e") || seg_buf_addc(&b, '\x1f'))
                seg_buf_reset(&b); /* past the cap: group such records together */
        }
        size_t len;
        k[i] = (struct keyed){seg_buf_detach(&b, &len), i};
    }
    qsort(k, run->n, sizeof *k, keyed_cmp);
    struct rec *out = NULL;
    size_t nout = 0;
    for (size_t i = 0; i < run->n || (run->n == 0 && c->nby == 0 && nout == 0);) {
        size_t j = i;
        while (j < run->n && strcmp(k[j].key, k[i].key) == 0)
            j++;
        out = seg_xrealloc(out, (nout + 1) * sizeof *out);
        struct rec *o = &out[nout++];
        memset(o, 0, sizeof *o);
        o->agg = true;
        for (size_t b = 0; b < c->nby && j > i; b++) {
            char scratch[SCRATCH];
            const struct rec *first = &run->r[k[i].i];
            const char *v;
            if (c->by[b].field) {
                v = rec_get(run, first, c->by[b].field, scratch);
            } else {
                int64_t w = c->by[b].bin_ms, ts = first->ts;
                fmt_time(ts >= 0 ? ts - ts % w : ts - (w + ts % w) % w, scratch);
                v = first->agg ? NULL : scratch;
            }
            if (v)
                kv_set(o, c->by[b].name, seg_xstrdup(v));
        }
        for (size_t a = 0; a < c->nag; a++)
            agg_value(run, &c->ag[a], k + i, j - i, o);
        if (j == i)
            break; /* the single row of an empty, ungrouped stats */
        i = j;
    }
    for (size_t i = 0; i < run->n; i++)
        free(k[i].key);
    free(k);
    truncate_recs(run, 0);
    free(run->r);
    run->r = out;
    run->n = run->alloc = nout;
}

static void add_col(const char ***cols, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*cols)[i], name) == 0)
            return;
    *cols = seg_xrealloc(*cols, (*n + 1) * sizeof **cols);
    (*cols)[(*n)++] = name;
}

void seg_sim_insights_run_finish(struct seg_sim_insights_run *run,
                                 struct seg_sim_insights_result *out)
{
    const struct seg_sim_insights_query *q = run->q;
    memset(out, 0, sizeof *out);
    sort_recs(run, NULL, 0); /* groups arrive one after another: merge them by time */
    const char **cols = NULL;
    size_t ncols = 0;
    bool defaults = true;
    for (size_t i = 0; i < q->n; i++) {
        const struct cmd *c = &q->c[i];
        if (c->k == C_FIELDS) {
            defaults = false;
            for (size_t j = 0; j < c->nfields; j++)
                add_col(&cols, &ncols, c->fields[j].name);
        }
        if (c->k == C_STATS) {
            defaults = false;
            ncols = 0;
            for (size_t j = 0; j < c->nby; j++)
                add_col(&cols, &ncols, c->by[j].name);
            for (size_t j = 0; j < c->nag; j++)
                add_col(&cols, &ncols, c->ag[j].name);
        }
        if (i < q->first_blocking)
            continue;
        if (c->k == C_SORT)
            sort_recs(run, c->sk, c->nsk);
        else if (c->k == C_LIMIT)
            truncate_recs(run, c->limit);
        else if (c->k == C_STATS)
            run_stats(run, c);
        else if (c->k == C_FIELDS || c->k == C_FILTER || c->k == C_PARSE) {
            size_t kept = 0; /* per-record stages after a blocking one */
            for (size_t r = 0; r < run->n; r++) {
                struct seg_sim_insights_run one = *run;
                one.q = &(struct seg_sim_insights_query){
                    .c = (struct cmd *)c, .n = 1, .first_blocking = 1};
                if (run_streaming(&one, &run->r[r]))
                    run->r[kept++] = run->r[r];
                else
                    rec_release(&run->r[r], !run->r[r].agg);
            }
            run->n = kept;
        }
    }
    if (defaults) {
        static const char *const dflt[] = {"@timestamp", "@message", "@logStream", "@log"};
        for (size_t i = 0; i < SEG_ARRAY_LEN(dflt); i++)
            add_col(&cols, &ncols, dflt[i]);
    }
    truncate_recs(run, run->limit);
    out->rows = seg_xcalloc(run->n ? run->n : 1, sizeof *out->rows);
    for (size_t i = 0; i < run->n; i++) {
        const struct rec *x = &run->r[i];
        struct seg_sim_insights_row *row = &out->rows[out->nrows++];
        row->fields = seg_xcalloc(ncols + 1, sizeof *row->fields);
        for (size_t j = 0; j <= ncols; j++) {
            const char *name = j < ncols ? cols[j] : "@ptr";
            if (j == ncols && x->agg)
                break;
            char scratch[SCRATCH];
            const char *v = rec_get(run, x, name, scratch);
            if (v)
                row->fields[row->n++] =
                    (struct seg_sim_insights_field){seg_xstrdup(name), seg_xstrdup(v)};
        }
    }
    out->records_matched = run->matched;
    out->records_scanned = run->scanned;
    out->bytes_scanned = run->bytes;
    free(cols);
    truncate_recs(run, 0);
    free(run->r);
    for (size_t i = 0; i < run->nlogs; i++)
        free(run->logs[i]);
    free(run->logs);
    free(run);
}

void seg_sim_insights_result_release(struct seg_sim_insights_result *r)
{
    for (size_t i = 0; r && i < r->nrows; i++) {
        for (size_t j = 0; j < r->rows[i].n; j++) {
            free(r->rows[i].fields[j].field);
            free(r->rows[i].fields[j].value);
        }
        free(r->rows[i].fields);
    }
    if (r) {
        free(r->rows);
        memset(r, 0, sizeof *r);
    }
}
