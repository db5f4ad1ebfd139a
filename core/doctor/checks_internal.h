/* The state of one doctor run's remote checks, shared by checks.c (scheduling), calls.c
 * (requests and their answers) and sections.c (what is printed at the end). */
#ifndef SEGTOP_CORE_DOCTOR_CHECKS_INTERNAL_H
#define SEGTOP_CORE_DOCTOR_CHECKS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "doctor/doctor_internal.h"
#include "engine/keys.h"
#include "http/client.h"

/* DescribeLogGroups pages read at most (50 groups each). */
#define DOC_GROUP_PAGES_MAX 200

enum doc_op {
    DOC_OP_ACCOUNT = 0, /* GetAccountSettings */
    DOC_OP_FCONFIG,     /* GetFunctionConfiguration */
    DOC_OP_FCONC,       /* GetFunctionConcurrency */
    DOC_OP_HEAD,        /* HeadBucket */
    DOC_OP_NOTIF,       /* GetBucketNotificationConfiguration */
    DOC_OP_GROUPS,      /* DescribeLogGroups, one page */
    DOC_OP_DRYRUN,      /* Invoke with InvocationType DryRun: lambda:InvokeFunction */
    DOC_OP_FILTER,      /* FilterLogEvents over an empty time range: logs:FilterLogEvents */
    DOC_OP__N
};

/* Queues by quota: calls in one queue are spaced by its interval. */
enum doc_pace { DOC_PACE_LAMBDA = 0, DOC_PACE_LOGS, DOC_PACE_FREE, DOC_PACE__N };

struct doc_job {
    enum doc_op op;
    size_t site; /* index into the site table */
};

struct doc_queue {
    struct doc_job *v;
    size_t n, head, alloc;
    double interval_ms, next_ms;
};

/* How a call ended, for the checks. */
enum doc_res {
    DOC_R_PENDING = 0,
    DOC_R_OK,
    DOC_R_NOTFOUND,
    DOC_R_DENIED,   /* AccessDenied: a missing permission */
    DOC_R_AUTH,     /* the keys or the signature were refused */
    DOC_R_REDIRECT, /* S3: the bucket lives in another region */
    DOC_R_FAILED,   /* anything else: throttled after retries, 5xx, bad answer */
    DOC_R_UNREACHABLE,
};

struct doc_site_state {
    enum doc_res res[DOC_OP__N];
    /* From GetFunctionConfiguration. */
    int timeout_s, memory_mb;
    char *log_format; /* "Text", "JSON" */
    char *log_group;  /* LoggingConfig.LogGroup, or the default /aws/lambda/<name> */
    int reserved;     /* -1: none */
    enum doc_notif_verdict notif;
};

struct doc_ctx {
    const struct seg_options *o;
    struct doc_target *t;
    const struct seg_site *sites;
    size_t nsites;
    struct doc_report *r;
    FILE *progress;
    bool tty;
    double last_progress;

    struct seg_engine *eng;
    struct doc_queue q[DOC_PACE__N];
    size_t inflight, done, total;
    struct doc_site_state *st;
    char sample_key[SEG_KEY_MAX + 1];
    char account_id[32]; /* "*" until a FunctionArn tells */

    /* Clock offset (server − local, ms) bounds, intersected over every Date header. */
    double wall0, mono0;
    double clock_lo, clock_hi;
    int nclock;

    enum doc_res account;
    long limit, unreserved;
    bool conc_all; /* GetFunctionConcurrency asked for every site */

    /* DescribeLogGroups over the sites' common prefix. */
    char *group_prefix;
    char *group_token;
    int group_pages;
    enum doc_res groups_res;
    bool groups_truncated;
    char **groups; /* sorted after the run */
    size_t ngroups, groups_alloc;

    /* Global outcomes, "" when none. */
    char unreach[SEG_AWS__SERVICES][256];
    char auth[SEG_AWS__SERVICES][256];
    char account_msg[512]; /* why GetAccountSettings failed */
    char groups_msg[512];
    char probe_msg[DOC_OP__N][512];
};

void doc_enqueue(struct doc_ctx *c, enum doc_op op, size_t site);
/* Builds and submits one call (calls.c). */
void doc_submit(struct doc_ctx *c, const struct doc_job *j);
/* Takes one answer in (calls.c). */
void doc_handle(struct doc_ctx *c, const struct seg_http_result *res);
/* Final cross-checks and every section's lines (sections.c). */
void doc_sections(struct doc_ctx *c);
/* Frees what the checks allocated in c (its queues, per-site state, group listing). */
void doc_ctx_release(struct doc_ctx *c);

#endif
