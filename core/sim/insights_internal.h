/* Shared by the Insights parser (insights_parse.c) and runner (insights_run.c): the
 * compiled query's syntax tree. */
#ifndef SEGTOP_CORE_SIM_INSIGHTS_INTERNAL_H
#define SEGTOP_CORE_SIM_INSIGHTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <regex.h>

#include "sim/insights.h"

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

#endif
