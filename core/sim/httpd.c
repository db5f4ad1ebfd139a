#include "sim/httpd.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <strings.h>

#include "util/buf.h"
#include "util/rlimit.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* A body this far beyond the cap is not read to its end (the connection is closed instead):
 * reading it only to answer 413 cleanly is worth some bytes, not unbounded time. */
#define DISCARD_SLACK ((size_t)16 << 20)

struct seg_httpd {
    struct MHD_Daemon *daemon;
    uint16_t port;
    size_t max_body;
    seg_httpd_handler_fn *handler;
    seg_httpd_handler_fn *too_large;
    void *ud;
    seg_httpd_log_fn *log;
    void *log_ud;
    atomic_uint_fast64_t requests;
    atomic_uint_fast64_t resets;
    atomic_uint_fast64_t truncated;
    atomic_uint_fast64_t too_large_count;
    atomic_uint_fast64_t open_connections;
    atomic_uint_fast64_t peak_connections;
    atomic_uint_fast64_t deferred_count;
    atomic_uint_fast64_t held;
    atomic_uint_fast64_t peak_held;
    /* Every live token attached to a connection, so stop can answer the held ones. Lock
     * order: defer_mu, then a token's mu. */
    pthread_mutex_t defer_mu;
    struct seg_httpd_deferred *tokens;
    bool stopping;
};

/* A deferred response: shared by the connection (until its answer is queued or it closes)
 * and the finisher (until seg_httpd_deferred_finish), hence two references. */
struct seg_httpd_deferred {
    pthread_mutex_t mu;
    int refs;
    struct seg_httpd *h;                    /* set when attached to a connection */
    struct MHD_Connection *conn;            /* idem */
    struct seg_httpd_deferred *prev, *next; /* h->tokens, under h->defer_mu */
    bool suspended;                         /* MHD_suspend_connection was called */
    bool resumed;                           /* MHD_resume_connection was called */
    bool closed;                            /* answered or connection gone */
    bool final_ready;
    struct seg_httpd_response final;
    struct seg_httpd_response fallback;
    void *ud;
    seg_httpd_ud_free_fn *ud_free;
};

/* One per request, created by the URI log callback (the only place the raw target is
 * visible) and freed by the completion callback. */
struct conn_req {
    struct seg_httpd *h;
    char *raw_target;
    bool started;
    bool too_large;
    bool responded; /* a response was queued early, before the body */
    size_t discarded;
    struct seg_buf body;
    struct seg_httpd_deferred *deferred; /* held; answered when the handler runs again */
};

/* ---- response object ---- */

void seg_httpd_response_init(struct seg_httpd_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    resp->action = SEG_HTTPD_RESPOND;
}

void seg_httpd_response_release(struct seg_httpd_response *resp)
{
    if (!resp)
        return;
    for (size_t i = 0; i < resp->nheaders; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->headers);
    free(resp->body);
    seg_httpd_response_init(resp);
}

void seg_httpd_response_add_header(struct seg_httpd_response *resp, const char *name,
                                   const char *value)
{
    if (resp->nheaders == resp->headers_alloc) {
        resp->headers_alloc = resp->headers_alloc ? 2 * resp->headers_alloc : 8;
        resp->headers = seg_xrealloc(resp->headers, resp->headers_alloc * sizeof *resp->headers);
    }
    resp->headers[resp->nheaders].name = seg_xstrdup(name);
    resp->headers[resp->nheaders].value = seg_xstrdup(value ? value : "");
    resp->nheaders++;
}

void seg_httpd_response_set_header(struct seg_httpd_response *resp, const char *name,
                                   const char *value)
{
    size_t out = 0;
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0) {
            free(resp->headers[i].name);
            free(resp->headers[i].value);
            continue;
        }
        resp->headers[out++] = resp->headers[i];
    }
    resp->nheaders = out;
    seg_httpd_response_add_header(resp, name, value);
}

const char *seg_httpd_response_header(const struct seg_httpd_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    }
    return NULL;
}

void seg_httpd_response_set_body(struct seg_httpd_response *resp, const void *body, size_t len)
{
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
    if (len == 0)
        return;
    resp->body = seg_xmalloc(len);
    memcpy(resp->body, body, len);
    resp->body_len = len;
}

/* ---- deferred responses ---- */

/* Moves src's contents into dst (released by the caller beforehand); src ends up empty. */
static void response_move(struct seg_httpd_response *dst, struct seg_httpd_response *src)
{
    *dst = *src;
    dst->deferred = NULL;
    seg_httpd_response_init(src);
}

struct seg_httpd_deferred *seg_httpd_defer(struct seg_httpd_response *resp, void *ud,
                                           seg_httpd_ud_free_fn *ud_free)
{
    if (resp->deferred)
        SEG_BUG("a response deferred twice");
    struct seg_httpd_deferred *d = seg_xcalloc(1, sizeof *d);
    if (pthread_mutex_init(&d->mu, NULL) != 0)
        SEG_BUG("pthread_mutex_init failed");
    d->refs = 2; /* the connection's and the finisher's */
    d->ud = ud;
    d->ud_free = ud_free;
    seg_httpd_response_init(&d->final);
    seg_httpd_response_init(&d->fallback);
    resp->deferred = d;
    return d;
}

void *seg_httpd_deferred_ud(struct seg_httpd_deferred *d)
{
    return d ? d->ud : NULL;
}

static void token_destroy(struct seg_httpd_deferred *d)
{
    seg_httpd_response_release(&d->final);
    seg_httpd_response_release(&d->fallback);
    if (d->ud_free)
        d->ud_free(d->ud);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

static void token_unlink(struct seg_httpd *h, struct seg_httpd_deferred *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else if (h->tokens == d)
        h->tokens = d->next;
    if (d->next)
        d->next->prev = d->prev;
    d->prev = d->next = NULL;
}

static void token_unref(struct seg_httpd_deferred *d)
{
    pthread_mutex_lock(&d->mu);
    bool last = --d->refs == 0;
    struct seg_httpd *h = d->h;
    pthread_mutex_unlock(&d->mu);
    if (!last)
        return;
    if (h) {
        pthread_mutex_lock(&h->defer_mu);
        token_unlink(h, d);
        pthread_mutex_unlock(&h->defer_mu);
    }
    token_destroy(d);
}

void seg_httpd_deferred_finish(struct seg_httpd_deferred *d, struct seg_httpd_response *final)
{
    pthread_mutex_lock(&d->mu);
    if (!d->closed && !d->final_ready) {
        response_move(&d->final, final);
        d->final_ready = true;
        /* Resumed at most once: after that the daemon (or its shutdown) owns the rest. */
        if (d->suspended && !d->resumed) {
            d->resumed = true;
            MHD_resume_connection(d->conn);
        }
    } else {
        seg_httpd_response_release(final);
    }
    pthread_mutex_unlock(&d->mu);
    token_unref(d);
}

/* ---- MHD callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)conn;
    struct seg_httpd *h = cls;
    struct conn_req *r = seg_xcalloc(1, sizeof *r);
    r->h = h;
    r->raw_target = seg_xstrdup(uri ? uri : "/");
    seg_buf_init(&r->body, h->max_body);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    struct conn_req *r = *req_cls;
    if (!r)
        return;
    if (r->deferred) { /* still held: the daemon is shutting down */
        struct seg_httpd_deferred *d = r->deferred;
        pthread_mutex_lock(&d->mu);
        d->closed = true;
        pthread_mutex_unlock(&d->mu);
        atomic_fetch_sub(&r->h->held, 1);
        token_unref(d);
        r->deferred = NULL;
    }
    free(r->raw_target);
    seg_buf_release(&r->body);
    free(r);
    *req_cls = NULL;
}

/* Open and peak connection gauges: the peak shows a wave really was concurrent. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)conn;
    (void)socket_ctx;
    struct seg_httpd *h = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        uint_fast64_t now = atomic_fetch_add(&h->open_connections, 1) + 1;
        uint_fast64_t peak = atomic_load(&h->peak_connections);
        while (now > peak && !atomic_compare_exchange_weak(&h->peak_connections, &peak, now))
            ;
    } else {
        atomic_fetch_sub(&h->open_connections, 1);
    }
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    seg_http_req_add_header(cls, key, value ? value : "");
    return MHD_YES;
}

/* Sets path and query from the raw target; an absolute-form target ("http://h/p") keeps
 * its path, and anything else that is not origin-form becomes "/". */
static void set_target(struct seg_http_req *req, const char *method, const char *target)
{
    if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
        const char *p = strstr(target, "://") + 3;
        target = strchr(p, '/');
        if (!target)
            target = "/";
    }
    if (seg_http_req_set_target(req, method, target) != SEG_OK &&
        seg_http_req_set_target(req, method, "/") != SEG_OK)
        SEG_BUG("origin-form target refused");
}

static void build_req(struct conn_req *r, struct MHD_Connection *conn, const char *method,
                      struct seg_http_req *req)
{
    seg_http_req_init(req);
    set_target(req, method, r->raw_target);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, req);
    size_t len = 0;
    char *body = seg_buf_detach(&r->body, &len);
    if (len > 0) {
        req->body = (unsigned char *)body; /* moved, not copied */
        req->body_len = len;
    } else {
        free(body);
    }
}

/* IMF-fixdate by hand: strftime's %a/%b follow the locale, which the UI may have set. */
static void http_date(char out[40])
{
    seg_time_format_http(time(NULL), out);
}

struct trunc_body {
    unsigned char *data;
    size_t cut;
};

static ssize_t trunc_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct trunc_body *t = cls;
    if (pos >= t->cut)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* MHD drops the connection mid-body */
    size_t n = t->cut - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, t->data + pos, n);
    return (ssize_t)n;
}

static void trunc_free(void *cls)
{
    struct trunc_body *t = cls;
    free(t->data);
    free(t);
}

static struct MHD_Response *make_truncated(struct seg_httpd_response *resp)
{
    struct trunc_body *t = seg_xcalloc(1, sizeof *t);
    uint64_t size = resp->body_len ? resp->body_len : 1; /* something must be missing */
    t->cut = resp->truncate_at < size ? resp->truncate_at : (size_t)size - 1;
    t->data = resp->body; /* moved into the response */
    resp->body = NULL;
    resp->body_len = 0;
    struct MHD_Response *mr =
        MHD_create_response_from_callback(size, 16 * 1024, trunc_read, t, trunc_free);
    if (!mr)
        trunc_free(t);
    return mr;
}

static bool transport_header(const char *name)
{
    return strcasecmp(name, "Content-Length") == 0 || strcasecmp(name, "Transfer-Encoding") == 0 ||
           strcasecmp(name, "Connection") == 0;
}

static void reset_connection(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return;
    /* SO_LINGER {1,0}: close() sends RST instead of FIN. MHD shuts the write side down
     * (a FIN) before it closes, though, and a client reading that FIN first sees a clean
     * EOF; on Linux, connect(AF_UNSPEC) aborts the connection with RST right now. MHD still
     * owns and closes the fd once we return MHD_NO. */
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    (void)setsockopt(ci->connect_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
#ifdef __linux__
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    (void)connect(ci->connect_fd, &unspec, sizeof unspec);
#endif
}

static enum MHD_Result send_response(struct seg_httpd *h, struct MHD_Connection *conn,
                                     struct seg_httpd_response *resp)
{
    if (resp->action == SEG_HTTPD_RESET) {
        atomic_fetch_add(&h->resets, 1);
        reset_connection(conn);
        return MHD_NO;
    }
    struct MHD_Response *mr;
    if (resp->action == SEG_HTTPD_TRUNCATE) {
        atomic_fetch_add(&h->truncated, 1);
        mr = make_truncated(resp);
    } else {
        char empty[1] = {0};
        void *data = resp->body_len ? (void *)resp->body : (void *)empty;
        mr = MHD_create_response_from_buffer(resp->body_len, data, MHD_RESPMEM_MUST_COPY);
    }
    if (!mr)
        return MHD_NO;
    bool has_date = false;
    for (size_t i = 0; i < resp->nheaders; i++) {
        const struct seg_http_header *hd = &resp->headers[i];
        if (transport_header(hd->name))
            continue;
        has_date = has_date || strcasecmp(hd->name, "Date") == 0;
        (void)MHD_add_response_header(mr, hd->name, hd->value);
    }
    if (!has_date) {
        char date[40];
        http_date(date);
        (void)MHD_add_response_header(mr, "Date", date);
    }
    unsigned status = resp->status >= 100 && resp->status <= 599 ? (unsigned)resp->status : 500;
    enum MHD_Result ret = MHD_queue_response(conn, status, mr);
    MHD_destroy_response(mr);
    return ret;
}

/* Sends resp now, or holds the connection when the handler deferred it. */
static enum MHD_Result respond(struct seg_httpd *h, struct conn_req *r, struct MHD_Connection *conn,
                               struct seg_httpd_response *resp)
{
    struct seg_httpd_deferred *d = resp->deferred;
    if (!d)
        return send_response(h, conn, resp);
    resp->deferred = NULL;
    atomic_fetch_add(&h->deferred_count, 1);
    pthread_mutex_lock(&h->defer_mu);
    pthread_mutex_lock(&d->mu);
    response_move(&d->fallback, resp);
    d->h = h;
    d->conn = conn;
    d->next = h->tokens;
    if (h->tokens)
        h->tokens->prev = d;
    h->tokens = d;
    /* Finished already (on another thread, before we got here), or shutting down: answer
     * now. Otherwise suspend; the finisher resumes, and MHD calls on_request again. */
    bool now = d->final_ready || h->stopping;
    if (now) {
        d->closed = true;
        response_move(resp, d->final_ready ? &d->final : &d->fallback);
    } else {
        MHD_suspend_connection(conn);
        d->suspended = true;
        r->deferred = d;
        uint_fast64_t held = atomic_fetch_add(&h->held, 1) + 1;
        uint_fast64_t peak = atomic_load(&h->peak_held);
        while (held > peak && !atomic_compare_exchange_weak(&h->peak_held, &peak, held))
            ;
    }
    pthread_mutex_unlock(&d->mu);
    pthread_mutex_unlock(&h->defer_mu);
    if (!now)
        return MHD_YES;
    token_unref(d);
    return send_response(h, conn, resp);
}

/* The access handler runs again after a resume: send what the finisher left (or, when the
 * server is stopping, the fallback). */
static enum MHD_Result answer_resumed(struct seg_httpd *h, struct conn_req *r,
                                      struct MHD_Connection *conn)
{
    struct seg_httpd_deferred *d = r->deferred;
    r->deferred = NULL;
    struct seg_httpd_response resp;
    pthread_mutex_lock(&d->mu);
    d->closed = true;
    response_move(&resp, d->final_ready ? &d->final : &d->fallback);
    pthread_mutex_unlock(&d->mu);
    atomic_fetch_sub(&h->held, 1);
    token_unref(d);
    enum MHD_Result ret = send_response(h, conn, &resp);
    seg_httpd_response_release(&resp);
    return ret;
}

/* The 413 path: the hook (or a plain 413) sees the request without its body. */
static enum MHD_Result reply_too_large(struct conn_req *r, struct MHD_Connection *conn,
                                       const char *method)
{
    struct seg_httpd *h = r->h;
    atomic_fetch_add(&h->requests, 1);
    atomic_fetch_add(&h->too_large_count, 1);
    seg_buf_release(&r->body);
    struct seg_http_req req;
    build_req(r, conn, method, &req);
    struct seg_httpd_response resp;
    seg_httpd_response_init(&resp);
    resp.status = 413;
    seg_httpd_response_add_header(&resp, "Content-Type", "text/plain");
    seg_httpd_response_set_body(&resp, "Request Entity Too Large\n", 25);
    if (h->too_large)
        h->too_large(h->ud, &req, &resp);
    enum MHD_Result ret = respond(h, r, conn, &resp);
    seg_httpd_response_release(&resp);
    seg_http_req_release(&req);
    return ret;
}

static bool wants_continue(struct MHD_Connection *conn)
{
    const char *e = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
    return e && strcasecmp(e, "100-continue") == 0;
}

/* First call, headers only: a declared length over the cap is refused before any body byte
 * is read when the client waits for 100-continue (or would send too much to discard). */
static enum MHD_Result on_headers(struct conn_req *r, struct MHD_Connection *conn,
                                  const char *method)
{
    r->started = true;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (!cl)
        return MHD_YES;
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end == cl || n <= r->h->max_body)
        return MHD_YES;
    r->too_large = true;
    if (wants_continue(conn) || n - r->h->max_body > DISCARD_SLACK) {
        r->responded = true;
        return reply_too_large(r, conn, method);
    }
    return MHD_YES;
}

static enum MHD_Result on_body(struct conn_req *r, const char *data, size_t n)
{
    if (!r->too_large && seg_buf_add(&r->body, data, n) != SEG_OK) {
        r->too_large = true;
        seg_buf_release(&r->body);
    }
    if (r->too_large) {
        r->discarded += n;
        /* A response cannot be queued mid-body in MHD 0.9.75: close instead. */
        if (r->discarded > DISCARD_SLACK)
            return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    struct seg_httpd *h = cls;
    struct conn_req *r = *req_cls;
    if (!r) /* no URI callback ran (should not happen): fall back to the decoded URL */
        r = *req_cls = on_uri(h, url, conn);
    if (r->deferred)
        return answer_resumed(h, r, conn);
    if (!r->started)
        return on_headers(r, conn, method);
    if (r->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return on_body(r, upload_data, n);
    }
    if (r->too_large)
        return reply_too_large(r, conn, method);

    atomic_fetch_add(&h->requests, 1);
    struct seg_http_req req;
    build_req(r, conn, method, &req);
    struct seg_httpd_response resp;
    seg_httpd_response_init(&resp);
    h->handler(h->ud, &req, &resp);
    enum MHD_Result ret = respond(h, r, conn, &resp);
    seg_httpd_response_release(&resp);
    seg_http_req_release(&req);
    return ret;
}

/* MHD's diagnostics go to the configured sink (stderr would corrupt a curses screen). Our
 * own RESET and TRUNCATE actions also show up here as "closing connection" lines. */
__attribute__((format(printf, 2, 0))) static void on_log(void *cls, const char *fmt, va_list ap)
{
    struct seg_httpd *h = cls;
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (h->log)
        h->log(h->log_ud, line);
    else
        fprintf(stderr, "segtop sim: %s\n", line);
}

/* ---- lifecycle ---- */

union any_addr {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
};

static enum seg_err loopback_addr(const char *bind, uint16_t port, union any_addr *a, bool *v6,
                                  struct seg_errmsg *err)
{
    memset(a, 0, sizeof *a);
    if (!bind || strcmp(bind, "127.0.0.1") == 0) {
        a->in4.sin_family = AF_INET;
        a->in4.sin_port = htons(port);
        a->in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *v6 = false;
        return SEG_OK;
    }
    if (strcmp(bind, "::1") == 0 || strcmp(bind, "[::1]") == 0) {
        a->in6.sin6_family = AF_INET6;
        a->in6.sin6_port = htons(port);
        a->in6.sin6_addr = in6addr_loopback;
        *v6 = true;
        return SEG_OK;
    }
    seg_errmsg_set(err,
                   "simulator bind address '%s' refused: it serves loopback only "
                   "(127.0.0.1 or [::1])",
                   bind);
    return SEG_ERR_INVALID;
}

enum seg_err seg_httpd_start(const struct seg_httpd_config *cfg, struct seg_httpd **out,
                             struct seg_errmsg *err)
{
    if (!cfg || !out || !cfg->handler) {
        seg_errmsg_set(err, "simulator: no request handler given");
        return SEG_ERR_INVALID;
    }
    union any_addr addr;
    bool v6;
    enum seg_err rc = loopback_addr(cfg->bind_addr, cfg->port, &addr, &v6, err);
    if (rc)
        return rc;
    (void)seg_rlimit_raise_nofile(); /* a shell's 1024 cannot hold thousands of clients */

    struct seg_httpd *h = seg_xcalloc(1, sizeof *h);
    if (pthread_mutex_init(&h->defer_mu, NULL) != 0)
        SEG_BUG("pthread_mutex_init failed");
    h->max_body = cfg->max_body ? cfg->max_body : SEG_HTTPD_DEFAULT_MAX_BODY;
    h->handler = cfg->handler;
    h->too_large = cfg->too_large;
    h->ud = cfg->handler_ud;
    h->log = cfg->log;
    h->log_ud = cfg->log_ud;
    unsigned limit =
        cfg->connection_limit ? cfg->connection_limit : SEG_HTTPD_DEFAULT_CONNECTION_LIMIT;
    unsigned idle = cfg->idle_timeout_s ? cfg->idle_timeout_s : SEG_HTTPD_DEFAULT_IDLE_TIMEOUT_S;
    /* AUTO alone picks epoll; adding MHD_USE_EPOLL_INTERNAL_THREAD fails in 0.9.75. Date is
     * ours (send_response), so MHD must not add a second one. */
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                     MHD_USE_SUPPRESS_DATE_NO_CLOCK | (v6 ? MHD_USE_IPv6 : 0);
    /* The logger goes first, or MHD complains about the order on stderr. */
    h->daemon =
        MHD_start_daemon(flags, cfg->port, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
                         on_log, h, MHD_OPTION_SOCK_ADDR, &addr.sa, MHD_OPTION_CONNECTION_LIMIT,
                         limit, MHD_OPTION_CONNECTION_TIMEOUT, idle, MHD_OPTION_URI_LOG_CALLBACK,
                         on_uri, h, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                         MHD_OPTION_NOTIFY_CONNECTION, on_connection, h, MHD_OPTION_END);
    if (!h->daemon) {
        seg_errmsg_set(err, "simulator: cannot listen on %s:%u (port in use, or no %s loopback)",
                       v6 ? "[::1]" : "127.0.0.1", (unsigned)cfg->port, v6 ? "IPv6" : "IPv4");
        pthread_mutex_destroy(&h->defer_mu);
        free(h);
        return SEG_ERR_IO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : cfg->port;
    *out = h;
    return SEG_OK;
}

uint16_t seg_httpd_port(const struct seg_httpd *h)
{
    return h ? h->port : 0;
}

void seg_httpd_counters(const struct seg_httpd *h, struct seg_httpd_counters *out)
{
    memset(out, 0, sizeof *out);
    if (!h)
        return;
    /* The fields are atomics; loads from a const object are fine. */
    struct seg_httpd *m = (struct seg_httpd *)(uintptr_t)h;
    out->requests = atomic_load(&m->requests);
    out->resets = atomic_load(&m->resets);
    out->truncated = atomic_load(&m->truncated);
    out->too_large = atomic_load(&m->too_large_count);
    out->open_connections = atomic_load(&m->open_connections);
    out->peak_connections = atomic_load(&m->peak_connections);
    out->deferred = atomic_load(&m->deferred_count);
    out->held = atomic_load(&m->held);
    out->peak_held = atomic_load(&m->peak_held);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

void seg_httpd_stop(struct seg_httpd *h)
{
    if (!h || !h->daemon)
        return;
    /* MHD_stop_daemon panics on a connection still suspended: resume every held one (its
     * fallback answers it), and refuse new holds from here on. */
    bool resumed_any = false;
    pthread_mutex_lock(&h->defer_mu);
    h->stopping = true;
    for (struct seg_httpd_deferred *d = h->tokens; d; d = d->next) {
        pthread_mutex_lock(&d->mu);
        if (d->suspended && !d->resumed) {
            resumed_any = true;
            d->resumed = true;
            MHD_resume_connection(d->conn);
        }
        pthread_mutex_unlock(&d->mu);
    }
    pthread_mutex_unlock(&h->defer_mu);
    /* Give the daemon thread a bounded moment to write those answers out. */
    for (int i = 0; i < 400 && atomic_load(&h->held) > 0; i++)
        sleep_ms(5);
    if (resumed_any)
        sleep_ms(20);
    MHD_stop_daemon(h->daemon);
    h->daemon = NULL;
}

void seg_httpd_free(struct seg_httpd *h)
{
    if (!h)
        return;
    seg_httpd_stop(h);
    /* Tokens whose finisher never came (its owner was freed first) die with the server. */
    pthread_mutex_lock(&h->defer_mu);
    struct seg_httpd_deferred *d = h->tokens;
    h->tokens = NULL;
    pthread_mutex_unlock(&h->defer_mu);
    while (d) {
        struct seg_httpd_deferred *next = d->next;
        token_destroy(d);
        d = next;
    }
    pthread_mutex_destroy(&h->defer_mu);
    free(h);
}
