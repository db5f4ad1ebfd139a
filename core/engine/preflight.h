/* The pre-flight: what a run reads before its first wave (DESIGN §2, §4, §7), on an engine
 * thread of its own (seg_engine_start_driven, stopped when done), so every HTTP transfer
 * stays on an engine thread:
 * - --discover PREFIX: ListFunctions, every page; the functions named PREFIX* become the
 *   site table (pipeline/discover.h), with their configuration from the listing;
 * - GetFunctionConfiguration for every site whose timeout or memory is not known yet:
 *   Timeout (an invocation without an outcome is declared missing after it plus a grace),
 *   MemorySize (cost), LoggingConfig. A failed lookup keeps the defaults (781 s, 6200 MB),
 *   is counted and never fatal;
 * - GetAccountSettings: AccountLimit.ConcurrentExecutions, the dashboard's limit line.
 * Lambda control-plane calls are paced on real AWS (10/s of its 15/s quota). */
#ifndef SEGTOP_CORE_ENGINE_PREFLIGHT_H
#define SEGTOP_CORE_ENGINE_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "http/client.h"
#include "pipeline/sites.h"
#include "util/errmsg.h"
#include "util/seg.h"

/* A ListFunctions page or a GetFunctionConfiguration body is capped at this. */
#define SEG_PREFLIGHT_BODY_MAX ((size_t)8 << 20)
/* ListFunctions pages read at most (50 functions each). */
#define SEG_PREFLIGHT_PAGES_MAX  4000
#define SEG_PREFLIGHT_MARKER_MAX 1024

struct seg_preflight_config {
    const struct seg_http_client_config *http; /* the run's client settings */
    const char *discover_prefix;               /* NULL: the sites are given */
    const struct seg_sites_config *sites_cfg;  /* patterns for discovered sites */
    bool paced;                                /* real AWS: control plane at 10 calls/s */
    const char *where;                         /* "region R at URL": names the target */
    FILE *progress; /* a line a second once it takes longer than that; NULL: quiet */
};

struct seg_preflight_result {
    /* --discover */
    size_t listed, list_pages, matched;
    bool renumbered; /* the names' numbers were not 1..N (pipeline/discover.h) */
    /* GetFunctionConfiguration */
    size_t config_asked, config_failed;
    char config_problem[300]; /* the first failure, "function: why"; "" when none */
    int timeout_min_s, timeout_max_s, memory_min_mb, memory_max_mb; /* over every site */
    size_t group_mismatch;   /* sites whose function logs elsewhere than segtop reads */
    char group_example[700]; /* the first of them */
    /* GetAccountSettings */
    int account_concurrency;   /* 0: unknown */
    char account_problem[300]; /* why unknown; "" when known */
    double elapsed_ms;
};

/* Runs the pre-flight. sites, nsites: the given table, updated in place; with --discover
 * (NULL on entry) the table found. Errors: SEG_ERR_INVALID for what the user must fix
 * (nothing matched the prefix, AccessDenied or refused credentials on ListFunctions,
 * invalid names): exit 2; SEG_ERR_HTTP when ListFunctions failed otherwise, SEG_ERR_STATE
 * when the engine could not start or a SIGINT/SIGTERM arrived: exit 1. */
enum seg_err seg_preflight_run(const struct seg_preflight_config *cfg, struct seg_site **sites,
                               size_t *nsites, struct seg_preflight_result *out,
                               struct seg_errmsg *err) SEG_MUST_USE;

/* ---- parsers of the answers (untrusted bytes; preflight_parse.c) ---- */

/* What segtop uses of one FunctionConfiguration. */
struct seg_preflight_fconfig {
    char function[65];   /* FunctionName; "" when absent or longer than AWS allows */
    int timeout_s;       /* 0: absent or out of range */
    int memory_mb;       /* 0: absent or out of range */
    bool has_logging;    /* a LoggingConfig object */
    bool json_logs;      /* LoggingConfig.LogFormat == "JSON" */
    char log_group[513]; /* LoggingConfig.LogGroup; "" when absent */
};

/* A GetFunctionConfiguration body. SEG_ERR_PARSE: not a JSON object; SEG_ERR_TOOBIG. */
enum seg_err seg_preflight_parse_config(const char *body, size_t len,
                                        struct seg_preflight_fconfig *out) SEG_MUST_USE;

/* One ListFunctions page: each(ud, fc) per function, in order; next: NextMarker ("" when
 * it is the last page; SEG_ERR_TOOBIG when longer than next_size - 1). */
typedef void seg_preflight_each_fn(void *ud, const struct seg_preflight_fconfig *fc);
enum seg_err seg_preflight_parse_list(const char *body, size_t len, seg_preflight_each_fn *each,
                                      void *ud, char *next, size_t next_size) SEG_MUST_USE;

/* A GetAccountSettings body: AccountLimit.ConcurrentExecutions (SEG_ERR_PARSE when absent
 * or not a positive count). */
enum seg_err seg_preflight_parse_account(const char *body, size_t len,
                                         int *concurrency) SEG_MUST_USE;

#endif
