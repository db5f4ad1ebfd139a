#include "engine/preflight.h"

#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "aws/uri.h"
#include "http/engine.h"
#include "pipeline/discover.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define MAX_INFLIGHT    32
#define PACED_GAP_MS    100.0 /* 10 calls/s of the Lambda control plane's 15/s */
#define DEFAULT_TIMEOUT 781   /* pipeline/sites.c: the pipeline's functions */
#define DEFAULT_MEMORY  6200
#define IAM_HINT        "README: \"The IAM policy segtop needs\""

enum op { OP_LIST = 1, OP_CONFIG, OP_ACCOUNT };

struct found {
    char *function, *log_group; /* log_group NULL: none listed */
    int timeout_s, memory_mb;
    bool json_logs;
};

struct preflight {
    const struct seg_preflight_config *cfg;
    /* Engine thread only, until done (the caller reads them after the join). */
    struct seg_site *sites;
    size_t nsites;
    bool *asked; /* [nsites]: GetFunctionConfiguration needed */
    struct found *found;
    size_t nfound, capfound;
    char marker[SEG_PREFLIGHT_MARKER_MAX];
    bool list_done, list_inflight, sites_ready, account_sent, account_done;
    size_t next_config, inflight;
    double next_call_ms;
    enum seg_err fatal;
    struct seg_errmsg fatal_msg;
    /* Shared with the waiting thread: guarded by mu. */
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct seg_preflight_result res;
    size_t config_done;
    bool done;
};

static uint64_t call_id(enum op op, size_t i)
{
    return ((uint64_t)op << 40) | (uint64_t)i;
}

/* Every call goes through here: Lambda's control plane, paced on real AWS. */
static bool may_call(struct preflight *p)
{
    double now = seg_http_now_ms();
    if (p->inflight >= MAX_INFLIGHT || (p->cfg->paced && now < p->next_call_ms))
        return false;
    p->next_call_ms = now + PACED_GAP_MS;
    return true;
}

static void submit(struct preflight *p, struct seg_http_client *c, enum op op, size_t i,
                   const char *target)
{
    struct seg_http_call call = {.id = call_id(op, i), .service = SEG_AWS_LAMBDA};
    seg_http_req_init(&call.req);
    if (seg_http_req_set_target(&call.req, "GET", target) != SEG_OK)
        SEG_BUG("pre-flight target refused");
    seg_http_client_submit(c, &call);
    p->inflight++;
}

static void send_list(struct preflight *p, struct seg_http_client *c)
{
    struct seg_buf t;
    seg_buf_init(&t, 4096);
    bool ok = seg_buf_adds(&t, "/2015-03-31/functions/?MaxItems=50") == SEG_OK;
    if (p->marker[0])
        ok = ok && seg_buf_adds(&t, "&Marker=") == SEG_OK &&
             seg_uri_encode(&t, p->marker, strlen(p->marker), false) == SEG_OK;
    if (!ok)
        SEG_BUG("ListFunctions target too long");
    submit(p, c, OP_LIST, 0, t.data);
    seg_buf_release(&t);
    p->list_inflight = true;
}

static void send_config(struct preflight *p, struct seg_http_client *c, size_t i)
{
    struct seg_buf t;
    seg_buf_init(&t, 4096);
    const char *fn = p->sites[i].function;
    if (seg_buf_adds(&t, "/2015-03-31/functions/") != SEG_OK ||
        seg_uri_encode(&t, fn, strlen(fn), false) != SEG_OK ||
        seg_buf_adds(&t, "/configuration") != SEG_OK)
        SEG_BUG("GetFunctionConfiguration target too long");
    submit(p, c, OP_CONFIG, i, t.data);
    seg_buf_release(&t);
}

/* "HTTP 404 ResourceNotFoundException: Function not found: ..." or the transport error. */
static void describe(const struct seg_http_result *r, char *out, size_t size)
{
    if (r->outcome == SEG_HTTP_TRANSPORT || r->outcome == SEG_HTTP_NOT_STARTED)
        snprintf(out, size, "%.200s", r->transport_error[0] ? r->transport_error : "no answer");
    else if (r->error.code[0])
        snprintf(out, size, "HTTP %d %s%s%.160s", r->status, r->error.code,
                 r->error.message[0] ? ": " : "", r->error.message);
    else
        snprintf(out, size, "HTTP %d", r->status);
}

static bool denied(const struct seg_http_result *r)
{
    return strcmp(r->error.code, "AccessDeniedException") == 0 ||
           strcmp(r->error.code, "AccessDenied") == 0 || (r->status == 403 && !r->error.code[0]);
}

static void set_fatal(struct preflight *p, enum seg_err e, const char *fmt, ...) SEG_PRINTF(3, 4);
static void set_fatal(struct preflight *p, enum seg_err e, const char *fmt, ...)
{
    if (p->fatal)
        return;
    p->fatal = e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->fatal_msg.text, sizeof p->fatal_msg.text, fmt, ap);
    va_end(ap);
}

/* ---- --discover ---- */

static void on_listed(void *ud, const struct seg_preflight_fconfig *fc)
{
    struct preflight *p = ud;
    p->res.listed++;
    const char *prefix = p->cfg->discover_prefix;
    if (!fc->function[0] || strncmp(fc->function, prefix, strlen(prefix)) != 0)
        return;
    if (p->nfound == SEG_SITES_MAX) {
        set_fatal(p, SEG_ERR_INVALID, "--discover %s: more than %d functions match", prefix,
                  SEG_SITES_MAX);
        return;
    }
    if (p->nfound == p->capfound) {
        p->capfound = p->capfound ? 2 * p->capfound : 64;
        p->found = seg_xrealloc(p->found, p->capfound * sizeof *p->found);
    }
    /* A listing without LoggingConfig (older endpoints) is asked again, one by one. */
    bool whole = fc->has_logging && fc->timeout_s && fc->memory_mb;
    p->found[p->nfound++] = (struct found){
        .function = seg_xstrdup(fc->function),
        .log_group = fc->log_group[0] ? seg_xstrdup(fc->log_group) : NULL,
        .timeout_s = whole ? fc->timeout_s : 0,
        .memory_mb = whole ? fc->memory_mb : 0,
        .json_logs = fc->json_logs,
    };
}

static void on_list(struct preflight *p, const struct seg_http_result *r)
{
    const char *prefix = p->cfg->discover_prefix;
    char why[400];
    p->list_inflight = false;
    if (r->outcome != SEG_HTTP_OK) {
        describe(r, why, sizeof why);
        if (denied(r))
            set_fatal(p, SEG_ERR_INVALID,
                      "--discover %s: ListFunctions was refused in %s (%s): segtop needs the "
                      "permission lambda:ListFunctions on \"*\" (" IAM_HINT ")",
                      prefix, p->cfg->where, why);
        else if (r->error.cls == SEG_AWS_CLASS_AUTH)
            set_fatal(p, SEG_ERR_INVALID,
                      "--discover %s: ListFunctions: the credentials were refused in %s (%s)",
                      prefix, p->cfg->where, why);
        else
            set_fatal(p, SEG_ERR_HTTP, "--discover %s: ListFunctions failed in %s: %s", prefix,
                      p->cfg->where, why);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->res.list_pages++;
    enum seg_err e =
        seg_preflight_parse_list(r->body, r->body_len, on_listed, p, p->marker, sizeof p->marker);
    p->res.matched = p->nfound;
    pthread_mutex_unlock(&p->mu);
    if (e != SEG_OK)
        set_fatal(p, SEG_ERR_HTTP, "--discover %s: ListFunctions page %zu from %s: %s", prefix,
                  p->res.list_pages, p->cfg->where,
                  e == SEG_ERR_TOOBIG ? "too large" : "not a ListFunctions answer");
    else if (!p->marker[0])
        p->list_done = true;
    else if (p->res.list_pages >= SEG_PREFLIGHT_PAGES_MAX)
        set_fatal(p, SEG_ERR_INVALID, "--discover %s: more than %d ListFunctions pages", prefix,
                  SEG_PREFLIGHT_PAGES_MAX);
}

static void build_sites(struct preflight *p)
{
    const char *prefix = p->cfg->discover_prefix;
    struct seg_sites_found *f = seg_xcalloc(p->nfound ? p->nfound : 1, sizeof *f);
    for (size_t i = 0; i < p->nfound; i++)
        f[i] = (struct seg_sites_found){p->found[i].function, p->found[i].log_group,
                                        p->found[i].timeout_s, p->found[i].memory_mb,
                                        p->found[i].json_logs};
    struct seg_errmsg inner = {{0}};
    enum seg_err e = seg_sites_from_found(p->cfg->sites_cfg, f, p->nfound, &p->sites, &p->nsites,
                                          &p->res.renumbered, &inner);
    free(f);
    if (e == SEG_ERR_NOTFOUND)
        set_fatal(p, SEG_ERR_INVALID,
                  "--discover %s: no function name starts with '%s' in %s (%zu function%s "
                  "listed)",
                  prefix, prefix, p->cfg->where, p->res.listed, p->res.listed == 1 ? "" : "s");
    else if (e != SEG_OK)
        set_fatal(p, SEG_ERR_INVALID, "--discover %s: %s", prefix, inner.text);
    else if (p->res.renumbered && p->cfg->sites_cfg->shared_log_group)
        /* A shared group names sites by the handler's Site ID line, which follows the names;
         * renumbered sites would be attributed to the wrong ones. */
        set_fatal(p, SEG_ERR_INVALID,
                  "--discover %s with --shared-log-group: the functions' numbers are not "
                  "1..%zu, so the handler's Site ID lines would name other sites; name them "
                  "1..N or use --sites-file",
                  prefix, p->nsites);
}

/* ---- per-site configuration ---- */

static void config_failed(struct preflight *p, size_t i, const char *why)
{
    if (!p->res.config_problem[0])
        snprintf(p->res.config_problem, sizeof p->res.config_problem, "%.64s: %.220s",
                 p->sites[i].function, why);
    p->res.config_failed++;
}

static void on_config(struct preflight *p, size_t i, const struct seg_http_result *r)
{
    if (i >= p->nsites)
        return;
    struct seg_site *s = &p->sites[i];
    char why[300];
    struct seg_preflight_fconfig fc;
    pthread_mutex_lock(&p->mu);
    p->config_done++;
    if (r->outcome != SEG_HTTP_OK) {
        describe(r, why, sizeof why);
        config_failed(p, i, why);
    } else if (seg_preflight_parse_config(r->body, r->body_len, &fc) != SEG_OK || !fc.timeout_s ||
               !fc.memory_mb) {
        config_failed(p, i, "no Timeout or MemorySize in the answer");
    } else {
        s->timeout_s = fc.timeout_s;
        s->memory_mb = fc.memory_mb;
        s->json_logs = fc.json_logs;
        if (fc.log_group[0] && strcmp(fc.log_group, s->log_group) != 0 && !p->res.group_mismatch++)
            snprintf(p->res.group_example, sizeof p->res.group_example, "%s logs to %s, not %s",
                     s->function, fc.log_group, s->log_group);
    }
    pthread_mutex_unlock(&p->mu);
}

static void on_account(struct preflight *p, const struct seg_http_result *r)
{
    char why[300];
    int n = 0;
    p->account_done = true;
    pthread_mutex_lock(&p->mu);
    if (r->outcome != SEG_HTTP_OK) {
        describe(r, why, sizeof why);
        snprintf(p->res.account_problem, sizeof p->res.account_problem, "%.240s%s", why,
                 denied(r) ? " (missing permission lambda:GetAccountSettings)" : "");
    } else if (seg_preflight_parse_account(r->body, r->body_len, &n) != SEG_OK) {
        snprintf(p->res.account_problem, sizeof p->res.account_problem,
                 "no AccountLimit.ConcurrentExecutions in the answer");
    } else {
        p->res.account_concurrency = n;
    }
    pthread_mutex_unlock(&p->mu);
}

/* ---- the driver (engine thread) ---- */

static void on_result(void *ud, struct seg_http_client *c, struct seg_http_result *r)
{
    (void)c;
    struct preflight *p = ud;
    p->inflight--;
    enum op op = (enum op)(r->id >> 40);
    size_t i = (size_t)(r->id & 0xffffffffffu);
    if (op == OP_LIST)
        on_list(p, r);
    else if (op == OP_CONFIG)
        on_config(p, i, r);
    else if (op == OP_ACCOUNT)
        on_account(p, r);
    seg_http_result_release(r);
}

/* The sites whose timeout or memory is still unknown are asked for. */
static void sites_ready(struct preflight *p)
{
    p->sites_ready = true;
    p->asked = seg_xcalloc(p->nsites ? p->nsites : 1, sizeof *p->asked);
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->nsites; i++) {
        p->asked[i] = p->sites[i].timeout_s <= 0 || p->sites[i].memory_mb <= 0;
        p->res.config_asked += p->asked[i];
    }
    pthread_mutex_unlock(&p->mu);
}

static void finish(struct preflight *p)
{
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

static int tick(void *ud, struct seg_http_client *c)
{
    struct preflight *p = ud;
    if (p->done)
        return 1000;
    if (!p->account_sent && may_call(p)) {
        submit(p, c, OP_ACCOUNT, 0, "/2016-08-19/account-settings/");
        p->account_sent = true;
    }
    if (!p->fatal && !p->sites_ready) {
        if (!p->cfg->discover_prefix) {
            sites_ready(p);
        } else if (p->list_done) {
            build_sites(p);
            if (!p->fatal)
                sites_ready(p);
        } else if (!p->list_inflight && may_call(p)) {
            send_list(p, c);
        }
    }
    while (!p->fatal && p->sites_ready && p->next_config < p->nsites) {
        if (!p->asked[p->next_config]) {
            p->next_config++;
        } else if (may_call(p)) {
            send_config(p, c, p->next_config++);
        } else {
            break;
        }
    }
    bool configs = p->sites_ready && p->next_config == p->nsites;
    if (p->fatal || (configs && p->account_done && !p->inflight))
        finish(p);
    return p->cfg->paced ? (int)PACED_GAP_MS : 50;
}

/* ---- the waiting side ---- */

static bool interrupted(void)
{
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) == 0 &&
           (sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1);
}

static void progress_line(struct preflight *p)
{
    FILE *f = p->cfg->progress;
    if (!f)
        return;
    if (p->cfg->discover_prefix && !p->res.config_asked) /* still listing */
        fprintf(f, "segtop: pre-flight: %zu functions listed (%zu pages), %zu named %s*\n",
                p->res.listed, p->res.list_pages, p->res.matched, p->cfg->discover_prefix);
    else
        fprintf(f, "segtop: pre-flight: %zu/%zu function configurations read\n", p->config_done,
                p->res.config_asked);
    fflush(f);
}

/* Defaults for what could not be read, and the ranges over every site. */
static void summarise(struct preflight *p)
{
    struct seg_preflight_result *r = &p->res;
    for (size_t i = 0; i < p->nsites; i++) {
        struct seg_site *s = &p->sites[i];
        if (s->timeout_s <= 0)
            s->timeout_s = DEFAULT_TIMEOUT;
        if (s->memory_mb <= 0)
            s->memory_mb = DEFAULT_MEMORY;
        if (!i || s->timeout_s < r->timeout_min_s)
            r->timeout_min_s = s->timeout_s;
        if (!i || s->timeout_s > r->timeout_max_s)
            r->timeout_max_s = s->timeout_s;
        if (!i || s->memory_mb < r->memory_min_mb)
            r->memory_min_mb = s->memory_mb;
        if (!i || s->memory_mb > r->memory_max_mb)
            r->memory_max_mb = s->memory_mb;
    }
}

enum seg_err seg_preflight_run(const struct seg_preflight_config *cfg, struct seg_site **sites,
                               size_t *nsites, struct seg_preflight_result *out,
                               struct seg_errmsg *err)
{
    struct preflight *p = seg_xcalloc(1, sizeof *p);
    p->cfg = cfg;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    double t0 = seg_http_now_ms();
    if (!cfg->discover_prefix) {
        p->sites = *sites;
        p->nsites = *nsites;
        /* Every site is asked: what the table holds is only the defaults. */
        for (size_t i = 0; i < p->nsites; i++)
            p->sites[i].timeout_s = p->sites[i].memory_mb = 0;
    }
    struct seg_engine_driver drv = {.ud = p, .on_result = on_result, .tick = tick};
    struct seg_engine *e = NULL;
    enum seg_err rc = seg_engine_start_driven(cfg->http, &drv, &e, err);
    if (rc != SEG_OK) {
        rc = SEG_ERR_STATE;
        goto out;
    }
    double next_line = t0 + 1000;
    bool intr = false;
    pthread_mutex_lock(&p->mu);
    while (!p->done) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cond, &p->mu, &ts);
        if (p->done)
            break;
        if ((intr = interrupted()))
            break;
        if (seg_http_now_ms() >= next_line) {
            progress_line(p);
            next_line += 1000;
        }
    }
    pthread_mutex_unlock(&p->mu);
    /* Joined: everything the engine thread wrote is ours now. */
    seg_engine_stop(e);
    summarise(p); /* the given table stays usable whatever happened */
    if (intr)
        set_fatal(p, SEG_ERR_STATE, "interrupted during the pre-flight");
    if (p->fatal) {
        seg_errmsg_set(err, "%s", p->fatal_msg.text);
        rc = p->fatal;
        goto out;
    }
    if (cfg->discover_prefix) {
        seg_sites_free(*sites, *nsites);
        *sites = p->sites;
        *nsites = p->nsites;
        p->sites = NULL;
    }
    rc = SEG_OK;
out:
    p->res.elapsed_ms = seg_http_now_ms() - t0;
    *out = p->res;
    if (cfg->discover_prefix)
        seg_sites_free(p->sites, p->nsites);
    for (size_t i = 0; i < p->nfound; i++) {
        free(p->found[i].function);
        free(p->found[i].log_group);
    }
    free(p->found);
    free(p->asked);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return rc;
}
