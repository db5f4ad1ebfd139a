#include "http/client.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <strings.h>

#include "util/buf.h"
#include "util/crypto.h"
#include "util/rlimit.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define MAX_RESPONSE_BODY   ((size_t)16 << 20)
#define MAX_RESPONSE_HEADER 64
#define MAX_URL             8192

struct call_state {
    struct seg_http_call call; /* owns call.req: the unsigned request */
    struct seg_http_client *client;
    int attempt;      /* attempts started */
    int max_attempts; /* resolved */
    int cost_taken;   /* retry quota held by this call */
    int throttled;
    double first_sent_ms;
    double due_ms; /* when a scheduled retry starts */
    struct call_state *next_due;
    struct call_state *prev, *next; /* every call the client holds */

    /* The attempt in flight. */
    CURL *easy;
    struct curl_slist *hdrs;
    struct seg_http_req wire; /* signed copy */
    char url[MAX_URL];
    struct seg_buf body;
    struct seg_http_header resp_headers[MAX_RESPONSE_HEADER];
    size_t nresp_headers;
    double sent_ms;
    double accepted_ms;
    char errbuf[CURL_ERROR_SIZE];
};

struct seg_http_client {
    struct seg_http_client_config cfg;
    char *endpoint_prefix[SEG_AWS__SERVICES]; /* path prefix of each endpoint ("" or "/x") */
    char *endpoint_origin[SEG_AWS__SERVICES]; /* scheme://host[:port] */
    char *endpoint_host[SEG_AWS__SERVICES];   /* Host header value */
    char *region;
    CURLM *multi;
    seg_http_done_fn *done;
    void *done_ud;
    struct seg_retry_quota quota;
    struct seg_rng rng;
    struct call_state *due; /* retries waiting, sorted by due_ms */
    struct call_state *all; /* every call held, in flight or waiting */
    size_t pending;
};

double seg_http_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

enum seg_err seg_http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? SEG_OK : SEG_ERR_HTTP;
}

void seg_http_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ---- results ---------------------------------------------------------------------------- */

void seg_http_result_release(struct seg_http_result *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    r->headers = NULL;
    r->nheaders = 0;
    r->body = NULL;
    r->body_len = 0;
}

const char *seg_http_result_header(const struct seg_http_result *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* ---- endpoints ---------------------------------------------------------------------------- */

static enum seg_err split_endpoint(struct seg_http_client *c, enum seg_aws_service svc,
                                   struct seg_errmsg *err)
{
    struct seg_aws_endpoint ep = {0};
    const char *url = c->cfg.endpoints[svc].base_url;
    if (!url) {
        seg_errmsg_set(err, "no endpoint for %s", seg_aws_service_name(svc));
        return SEG_ERR_INVALID;
    }
    enum seg_err rc = seg_aws_endpoint_parse(&ep, url, seg_aws_service_name(svc), err);
    if (rc)
        return rc;
    bool v6 = strchr(ep.host, ':') != NULL;
    bool default_port = ep.port == (strcmp(ep.scheme, "https") == 0 ? 443u : 80u);
    /* Host carries the port only when it is not the scheme's default, as curl sends it. */
    if (default_port)
        c->endpoint_host[svc] = seg_xasprintf(v6 ? "[%s]" : "%s", ep.host);
    else
        c->endpoint_host[svc] = seg_xasprintf(v6 ? "[%s]:%u" : "%s:%u", ep.host, ep.port);
    c->endpoint_origin[svc] = seg_xasprintf("%s://%s", ep.scheme, c->endpoint_host[svc]);
    c->endpoint_prefix[svc] = seg_xstrdup(ep.path);
    seg_aws_endpoint_release(&ep);
    return SEG_OK;
}

enum seg_err seg_http_client_new(const struct seg_http_client_config *cfg, seg_http_done_fn *done,
                                 void *done_ud, struct seg_http_client **out,
                                 struct seg_errmsg *err)
{
    struct seg_http_client *c = seg_xcalloc(1, sizeof *c);
    enum seg_err rc = SEG_OK;

    c->cfg = *cfg;
    c->cfg.trace = cfg->trace;
    if (c->cfg.max_attempts <= 0)
        c->cfg.max_attempts = 3;
    if (c->cfg.backoff_base_ms <= 0)
        c->cfg.backoff_base_ms = 1000;
    if (c->cfg.backoff_cap_ms <= 0)
        c->cfg.backoff_cap_ms = 20000;
    if (c->cfg.default_timeout_ms <= 0)
        c->cfg.default_timeout_ms = 30000;
    if (c->cfg.max_connections <= 0)
        c->cfg.max_connections = 2048;
    if (!cfg->region || !*cfg->region || !cfg->creds) {
        seg_errmsg_set(err, "HTTP client needs a region and a credentials source");
        rc = SEG_ERR_INVALID;
        goto fail;
    }
    c->region = seg_xstrdup(cfg->region);
    c->cfg.region = c->region;
    for (int s = 0; s < SEG_AWS__SERVICES; s++) {
        rc = split_endpoint(c, (enum seg_aws_service)s, err);
        if (rc)
            goto fail;
        c->cfg.endpoints[s].base_url = NULL; /* borrowed from the caller: not kept */
    }
    seg_retry_quota_init(&c->quota,
                         cfg->retry_quota > 0 ? cfg->retry_quota : SEG_RETRY_QUOTA_INITIAL);
    uint64_t seed = cfg->rng_seed;
    if (!seed && seg_random_bytes(&seed, sizeof seed) != SEG_OK)
        seed = (uint64_t)time(NULL);
    seg_rng_seed(&c->rng, seed);

    seg_rlimit_raise_nofile();
    c->multi = curl_multi_init();
    if (!c->multi)
        seg_fatal("out of memory (curl_multi_init)");
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, c->cfg.max_connections);
    c->done = done;
    c->done_ud = done_ud;
    *out = c;
    return SEG_OK;
fail:
    seg_http_client_free(c);
    return rc;
}

/* ---- one attempt -------------------------------------------------------------------------- */

static void free_attempt(struct call_state *st)
{
    if (st->easy) {
        curl_multi_remove_handle(st->client->multi, st->easy);
        curl_easy_cleanup(st->easy);
        st->easy = NULL;
    }
    curl_slist_free_all(st->hdrs);
    st->hdrs = NULL;
    seg_http_req_release(&st->wire);
    seg_buf_release(&st->body);
    for (size_t i = 0; i < st->nresp_headers; i++) {
        free(st->resp_headers[i].name);
        free(st->resp_headers[i].value);
    }
    st->nresp_headers = 0;
}

static void free_state(struct call_state *st)
{
    struct seg_http_client *c = st->client;
    if (st->prev)
        st->prev->next = st->next;
    else
        c->all = st->next;
    if (st->next)
        st->next->prev = st->prev;
    free_attempt(st);
    seg_http_req_release(&st->call.req);
    free(st);
}

/* --trace prints the canonical request, but a session token is a credential (aws/creds.h):
 * its header's value is printed as <redacted> (the string-to-sign hashes the real one). */
static void trace_hook(void *ud, const char *canonical_request, const char *string_to_sign)
{
    static const char token[] = "\nx-amz-security-token:";
    struct call_state *st = ud;
    FILE *f = st->client->cfg.trace;
    const char *at = strstr(canonical_request, token), *rest = "";
    int head = (int)strlen(canonical_request);
    if (at) {
        head = (int)(at - canonical_request) + (int)sizeof token - 1;
        rest = strchr(canonical_request + head, '\n');
        rest = rest ? rest : "";
    }
    fprintf(f,
            "segtop trace: %s %s %s (attempt %d)\n--- canonical request ---\n%.*s%s%s\n"
            "--- string to sign ---\n%s\n---\n",
            seg_aws_service_name(st->call.service), st->wire.method, st->url, st->attempt, head,
            canonical_request, at ? "<redacted>" : "", rest, string_to_sign);
    fflush(f);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct call_state *st = ud;
    size_t n = size * nmemb;
    return seg_buf_add(&st->body, ptr, n) == SEG_OK ? n : 0; /* 0 aborts: body over its cap */
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct call_state *st = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
        /* A new response (e.g. after a 100 Continue): forget the previous one's headers. */
        if (st->accepted_ms == 0)
            st->accepted_ms = seg_http_now_ms();
        for (size_t i = 0; i < st->nresp_headers; i++) {
            free(st->resp_headers[i].name);
            free(st->resp_headers[i].value);
        }
        st->nresp_headers = 0;
        return n;
    }
    const char *colon = memchr(ptr, ':', n);
    if (!colon || st->nresp_headers == MAX_RESPONSE_HEADER)
        return n;
    size_t nlen = (size_t)(colon - ptr);
    const char *v = colon + 1, *end = ptr + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    st->resp_headers[st->nresp_headers].name = seg_xstrndup(ptr, nlen);
    st->resp_headers[st->nresp_headers].value = seg_xstrndup(v, (size_t)(end - v));
    st->nresp_headers++;
    return n;
}

static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    struct call_state *st = ud;
    st->sent_ms = seg_http_now_ms();
    return CURL_PREREQFUNC_OK;
}

static void set_error(struct seg_http_result *r, const char *msg)
{
    snprintf(r->transport_error, sizeof r->transport_error, "%s", msg);
}

/* Prepares, signs and adds one attempt; on failure fills r and returns false. */
static bool start_attempt(struct call_state *st, struct seg_http_result *r)
{
    struct seg_http_client *c = st->client;
    enum seg_aws_service svc = st->call.service;
    struct seg_sigv4_creds creds = {0};

    free_attempt(st);
    st->attempt++;
    st->sent_ms = st->accepted_ms = 0;
    st->errbuf[0] = '\0';
    seg_buf_init(&st->body, MAX_RESPONSE_BODY);
    seg_http_req_copy(&st->wire, &st->call.req);

    const char *q = st->wire.query;
    int n = snprintf(st->url, sizeof st->url, "%s%s%s%s%s", c->endpoint_origin[svc],
                     c->endpoint_prefix[svc], st->wire.path, q ? "?" : "", q ? q : "");
    if (n < 0 || (size_t)n >= sizeof st->url) {
        set_error(r, "request URL too long");
        return false;
    }
    /* The signed path is the full wire path, endpoint prefix included. */
    if (*c->endpoint_prefix[svc]) {
        char *full = seg_xasprintf("%s%s", c->endpoint_prefix[svc], st->wire.path);
        free(st->wire.path);
        st->wire.path = full;
    }
    if (!seg_http_req_header(&st->wire, "Host"))
        seg_http_req_add_header(&st->wire, "Host", c->endpoint_host[svc]);

    time_t now = time(NULL);
    struct seg_errmsg cerr = {{0}};
    if (c->cfg.creds(c->cfg.creds_ud, now, &creds, &cerr) != SEG_OK) {
        set_error(r, cerr.text[0] ? cerr.text : "no usable AWS credentials");
        return false;
    }
    struct seg_sigv4_params params = {
        .region = c->region,
        .service = seg_aws_service_name(svc),
        .flags = seg_aws_service_sigv4_flags(svc),
        .when = now,
    };
    if (seg_sigv4_sign(&st->wire, &creds, &params, c->cfg.trace ? trace_hook : NULL, st) !=
        SEG_OK) {
        set_error(r, "request could not be signed");
        return false;
    }

    CURL *e = curl_easy_init();
    if (!e)
        seg_fatal("out of memory (curl_easy_init)");
    st->easy = e;
    bool has_ctype = false;
    for (size_t i = 0; i < st->wire.nheaders; i++) {
        const struct seg_http_header *h = &st->wire.headers[i];
        char *line = *h->value ? seg_xasprintf("%s: %s", h->name, h->value)
                               : seg_xasprintf("%s;", h->name); /* curl's empty-value form */
        st->hdrs = curl_slist_append(st->hdrs, line);
        free(line);
        if (strcasecmp(h->name, "Content-Type") == 0)
            has_ctype = true;
    }
    /* No 100-continue round trip; no form content type curl would add on its own. */
    st->hdrs = curl_slist_append(st->hdrs, "Expect:");
    if (!has_ctype)
        st->hdrs = curl_slist_append(st->hdrs, "Content-Type:");
    if (!st->hdrs)
        seg_fatal("out of memory (curl_slist_append)");

    int timeout = st->call.timeout_ms > 0 ? st->call.timeout_ms : c->cfg.default_timeout_ms;
    curl_easy_setopt(e, CURLOPT_URL, st->url);
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L); /* what is signed is what is sent */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, st->hdrs);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout < 10000 ? timeout : 10000));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, st);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, st);
    curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(e, CURLOPT_PREREQDATA, st);
    curl_easy_setopt(e, CURLOPT_PRIVATE, st);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, st->errbuf);
    /* Keep idle connections between waves (curl's default drops them after 118 s). */
    curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, 600L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L); /* never off, against AWS or anything */
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    const char *ca = getenv("AWS_CA_BUNDLE");
    if (ca && *ca)
        curl_easy_setopt(e, CURLOPT_CAINFO, ca);
    if (strcmp(st->wire.method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(st->wire.method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, st->wire.method);
        if (st->wire.body_len || strcmp(st->wire.method, "DELETE") != 0) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)st->wire.body_len);
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, st->wire.body ? (char *)st->wire.body : "");
        }
    }
    if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
        set_error(r, "could not start the transfer");
        return false;
    }
    if (st->attempt == 1)
        st->first_sent_ms = seg_http_now_ms();
    return true;
}

static enum seg_failure classify_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return SEG_FAIL_TIMEOUT;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return SEG_FAIL_CONNECTION;
    default:
        return SEG_FAIL_PERMANENT; /* TLS verification, body over cap, bad URL: never retried */
    }
}

/* ---- scheduling ------------------------------------------------------------------------- */

static void schedule_retry(struct call_state *st, double due)
{
    struct seg_http_client *c = st->client;
    st->due_ms = due;
    struct call_state **pp = &c->due;
    while (*pp && (*pp)->due_ms <= due)
        pp = &(*pp)->next_due;
    st->next_due = *pp;
    *pp = st;
}

static void report(struct call_state *st, struct seg_http_result *r)
{
    struct seg_http_client *c = st->client;
    r->id = st->call.id;
    r->ud = st->call.ud;
    r->service = st->call.service;
    r->attempts = st->attempt;
    r->throttled_attempts = st->throttled;
    r->first_sent_ms = st->first_sent_ms;
    c->pending--;
    free_state(st);
    c->done(c->done_ud, r);
}

static void start_or_report(struct call_state *st)
{
    struct seg_http_result r = {0};
    if (start_attempt(st, &r))
        return;
    free_attempt(st);
    r.outcome = SEG_HTTP_NOT_STARTED;
    r.failure = SEG_FAIL_PERMANENT;
    report(st, &r);
}

void seg_http_client_submit(struct seg_http_client *c, struct seg_http_call *call)
{
    struct call_state *st = seg_xcalloc(1, sizeof *st);
    st->client = c;
    st->next = c->all;
    if (c->all)
        c->all->prev = st;
    c->all = st;
    st->call = *call;
    memset(&call->req, 0, sizeof call->req); /* moved */
    st->max_attempts = call->max_attempts > 0             ? call->max_attempts
                       : (call->flags & SEG_CALL_TRIGGER) ? 1
                                                          : c->cfg.max_attempts;
    c->pending++;
    start_or_report(st);
}

static void finish_attempt(struct call_state *st, CURLcode rc)
{
    struct seg_http_client *c = st->client;
    struct seg_http_result r = {0};
    long status = 0;

    long connects = 0;
    curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(st->easy, CURLINFO_NUM_CONNECTS, &connects);
    r.status = (int)status;
    r.reused_connection = rc == CURLE_OK && connects == 0;
    r.sent_ms = st->sent_ms;
    r.accepted_ms = st->accepted_ms;
    if (rc != CURLE_OK) {
        r.outcome = SEG_HTTP_TRANSPORT;
        r.failure = classify_curl(rc);
        int n = snprintf(r.transport_error, sizeof r.transport_error, "%.120s%s%.120s",
                         curl_easy_strerror(rc), st->errbuf[0] ? ": " : "", st->errbuf);
        (void)n;
    } else if (status >= 200 && status < 300) {
        r.outcome = SEG_HTTP_OK;
        r.failure = SEG_FAIL_NONE;
    } else {
        r.outcome = SEG_HTTP_AWS_ERROR;
        const char *ctype = NULL, *etype = NULL;
        for (size_t i = 0; i < st->nresp_headers; i++) {
            if (strcasecmp(st->resp_headers[i].name, "Content-Type") == 0)
                ctype = st->resp_headers[i].value;
            else if (strcasecmp(st->resp_headers[i].name, "X-Amzn-ErrorType") == 0)
                etype = st->resp_headers[i].value;
        }
        if (seg_aws_error_parse((int)status, ctype, etype, st->body.data, st->body.len, &r.error) !=
            SEG_OK)
            r.error.http_status = (int)status;
        switch (r.error.cls) {
        case SEG_AWS_CLASS_THROTTLING:
            r.failure = SEG_FAIL_THROTTLE;
            break;
        case SEG_AWS_CLASS_TRANSIENT:
            r.failure = SEG_FAIL_TRANSIENT;
            break;
        default:
            r.failure = SEG_FAIL_PERMANENT;
        }
    }
    if (r.failure == SEG_FAIL_THROTTLE)
        st->throttled++;

    if (seg_failure_retryable(r.failure) && st->attempt < st->max_attempts &&
        seg_retry_quota_acquire(&c->quota, r.failure, &st->cost_taken)) {
        double wait = seg_retry_backoff_ms(st->attempt, c->cfg.backoff_base_ms,
                                           c->cfg.backoff_cap_ms, seg_rng_unit(&c->rng));
        free_attempt(st);
        schedule_retry(st, seg_http_now_ms() + wait);
        return;
    }
    if (r.failure == SEG_FAIL_NONE)
        seg_retry_quota_release(&c->quota, st->cost_taken);

    /* Hand the final attempt's response over by value. */
    const char *rid = NULL;
    r.headers = seg_xcalloc(st->nresp_headers ? st->nresp_headers : 1, sizeof *r.headers);
    for (size_t i = 0; i < st->nresp_headers; i++) {
        r.headers[i] = st->resp_headers[i];
        const char *name = r.headers[i].name;
        if (strcasecmp(name, "x-amzn-RequestId") == 0 || strcasecmp(name, "x-amz-request-id") == 0)
            rid = r.headers[i].value;
        else if (strcasecmp(name, "Date") == 0)
            if (seg_time_parse_http(r.headers[i].value, &r.server_date) != SEG_OK)
                r.server_date = 0;
    }
    r.nheaders = st->nresp_headers;
    st->nresp_headers = 0;
    if (rid) {
        snprintf(r.request_id, sizeof r.request_id, "%s", rid);
        if (r.outcome == SEG_HTTP_AWS_ERROR)
            seg_aws_error_set_request_id(&r.error, rid);
    }
    r.body = seg_buf_detach(&st->body, &r.body_len);
    report(st, &r);
}

static void drain_done(struct seg_http_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct call_state *st = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&st);
        finish_attempt(st, msg->data.result);
    }
}

static void start_due(struct seg_http_client *c)
{
    double now = seg_http_now_ms();
    while (c->due && c->due->due_ms <= now) {
        struct call_state *st = c->due;
        c->due = st->next_due;
        st->next_due = NULL;
        start_or_report(st);
    }
}

enum seg_err seg_http_client_run(struct seg_http_client *c, int timeout_ms)
{
    int running;
    start_due(c);
    if (curl_multi_perform(c->multi, &running) != CURLM_OK)
        return SEG_ERR_HTTP;
    drain_done(c);
    int wait = timeout_ms;
    if (c->due) {
        double until = c->due->due_ms - seg_http_now_ms();
        if (until < wait)
            wait = until < 0 ? 0 : (int)until + 1;
    }
    if (curl_multi_poll(c->multi, NULL, 0, wait, NULL) != CURLM_OK)
        return SEG_ERR_HTTP;
    start_due(c);
    if (curl_multi_perform(c->multi, &running) != CURLM_OK)
        return SEG_ERR_HTTP;
    drain_done(c);
    return SEG_OK;
}

void seg_http_client_wakeup(struct seg_http_client *c)
{
    curl_multi_wakeup(c->multi);
}

size_t seg_http_client_pending(const struct seg_http_client *c)
{
    return c->pending;
}

int seg_http_client_quota_available(const struct seg_http_client *c)
{
    return c->quota.available;
}

void seg_http_client_free(struct seg_http_client *c)
{
    if (!c)
        return;
    /* Calls still in flight or waiting are dropped without a report: the owner is shutting
     * down. */
    while (c->all)
        free_state(c->all);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    for (int s = 0; s < SEG_AWS__SERVICES; s++) {
        free(c->endpoint_prefix[s]);
        free(c->endpoint_origin[s]);
        free(c->endpoint_host[s]);
    }
    free(c->region);
    free(c);
}
