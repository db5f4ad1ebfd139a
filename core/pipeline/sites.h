/* The site table (DESIGN §2), shared by segtop and its simulator so both name sites alike:
 * from the name patterns (site{n}/{function}) or from a sites CSV (header
 * site,function,bucket,log_group). Errors name the pattern, or the file and line. */
#ifndef SEGTOP_CORE_PIPELINE_SITES_H
#define SEGTOP_CORE_PIPELINE_SITES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errmsg.h"
#include "util/seg.h"

/* One monitoring site: its function, input bucket and log group (DESIGN §2). */
struct seg_site {
    int n;           /* site number, 1-based */
    char *function;  /* function name */
    char *bucket;    /* input bucket */
    char *log_group; /* where its logs go (shared group or its own) */
    bool json_logs;  /* LoggingConfig.LogFormat JSON instead of Text */
    int memory_mb;   /* 6200 */
    int timeout_s;   /* 781 */
    int reserved;    /* reserved concurrency, -1 when none */
};

#define SEG_SITES_DEFAULT_FUNCTION  "site{n}-lambdafunction"
#define SEG_SITES_DEFAULT_BUCKET    "site{n}-simulatedbucket"
#define SEG_SITES_DEFAULT_LOG_GROUP "/aws/lambda/{function}"
#define SEG_SITES_MAX               100000
#define SEG_SITES_FILE_MAX          ((size_t)16 << 20)

struct seg_sites_config {
    int sites;                     /* 1..SEG_SITES_MAX; ignored with sites_file */
    const char *function_pattern;  /* NULL: the default */
    const char *bucket_pattern;    /* NULL: the default */
    const char *log_group_pattern; /* NULL: the default; may use {function} */
    const char *shared_log_group;  /* NULL: per-site groups; else every site logs here */
    const char *sites_file;        /* NULL: patterns */
};

/* Expands {n} (site number) and {function} (only when function is non-NULL) in pattern.
 * An unknown or unterminated placeholder is SEG_ERR_INVALID. *out is the caller's. */
enum seg_err seg_sites_pattern_expand(const char *pattern, int n, const char *function, char **out,
                                      struct seg_errmsg *err) SEG_MUST_USE;

/* Builds the table (memory_mb 6200, timeout_s 781, Text logs, no reserved concurrency).
 * Names are validated as AWS would (function 1-64 of [A-Za-z0-9_-]; bucket 3-63 of
 * [a-z0-9.-]; log group 1-512 of [A-Za-z0-9_./#-]) and must be unique. */
enum seg_err seg_sites_build(const struct seg_sites_config *cfg, struct seg_site **out,
                             size_t *nout, struct seg_errmsg *err) SEG_MUST_USE;

/* Parses a sites CSV held in memory; name is used in messages ("sites.csv:3: ..."). The site
 * column is N or siteN; an empty log_group means the pattern's group. */
enum seg_err seg_sites_parse_csv(const char *text, size_t len, const char *name,
                                 const struct seg_sites_config *cfg, struct seg_site **out,
                                 size_t *nout, struct seg_errmsg *err) SEG_MUST_USE;

void seg_sites_free(struct seg_site *sites, size_t n);

#endif
