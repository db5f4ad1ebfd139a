/* The simulator's HTTP server: libmicrohttpd on loopback, handing each request to one
 * handler as the transport-free struct seg_http_req (raw wire path and query, headers in
 * arrival order, body), so the SigV4 verifier sees exactly what the client signed.
 *
 * Threads: the daemon runs one internal polling thread (epoll where available); the handler
 * and the too-large hook run on it, one request at a time, so they must not block. They
 * may read shared state only through their own synchronisation. */
#ifndef SEGTOP_CORE_SIM_HTTPD_H
#define SEGTOP_CORE_SIM_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "util/errmsg.h"
#include "util/seg.h"

#define SEG_HTTPD_DEFAULT_MAX_BODY         ((size_t)8 << 20)
#define SEG_HTTPD_DEFAULT_CONNECTION_LIMIT 4096u
#define SEG_HTTPD_DEFAULT_IDLE_TIMEOUT_S   120u

/* What the server does with a handler's response. */
enum seg_httpd_action {
    SEG_HTTPD_RESPOND = 0, /* send status, headers and body */
    SEG_HTTPD_RESET,       /* abort the connection with a TCP RST (SO_LINGER {1,0}) */
    SEG_HTTPD_TRUNCATE,    /* send headers with the full Content-Length, then only
                              truncate_at body bytes, then drop the connection */
};

struct seg_httpd_deferred;

/* Filled by the handler. Starts as 200, no headers, no body, RESPOND. The server adds
 * Date (when absent) and Content-Length; Connection and Transfer-Encoding are its own. */
struct seg_httpd_response {
    int status;
    struct seg_http_header *headers; /* owned */
    size_t nheaders;
    size_t headers_alloc;
    unsigned char *body; /* owned; NULL when empty */
    size_t body_len;
    enum seg_httpd_action action;
    size_t truncate_at;                  /* SEG_HTTPD_TRUNCATE: body bytes sent before the cut */
    struct seg_httpd_deferred *deferred; /* set by seg_httpd_defer; NULL otherwise */
};

void seg_httpd_response_init(struct seg_httpd_response *resp);
void seg_httpd_response_release(struct seg_httpd_response *resp);
/* Appends a header (names are kept as given; duplicates allowed). */
void seg_httpd_response_add_header(struct seg_httpd_response *resp, const char *name,
                                   const char *value);
/* Replaces every header of that name (case-insensitive) with one. */
void seg_httpd_response_set_header(struct seg_httpd_response *resp, const char *name,
                                   const char *value);
/* First header of that name, case-insensitive; NULL when absent. */
const char *seg_httpd_response_header(const struct seg_httpd_response *resp, const char *name);
/* Copies the body. */
void seg_httpd_response_set_body(struct seg_httpd_response *resp, const void *body, size_t len);

/* ---- deferred responses ----
 * A handler that cannot answer yet (a synchronous Invoke runs for simulated seconds, a
 * "slow" fault) defers: the connection is suspended (MHD_suspend_connection) without
 * holding a thread, and any thread answers it later with seg_httpd_deferred_finish. Hundreds
 * may be held at once. What resp holds when the handler returns is the fallback: it is sent
 * instead when the server stops first, so a shutdown never strands a client. */

typedef void seg_httpd_ud_free_fn(void *ud);

/* Called by a handler, on the daemon thread, at most once per response. ud (may be NULL) is
 * owned by the token and freed with ud_free when the token dies. The token stays valid until
 * seg_httpd_deferred_finish returns, or until seg_httpd_free for one never finished. */
struct seg_httpd_deferred *seg_httpd_defer(struct seg_httpd_response *resp, void *ud,
                                           seg_httpd_ud_free_fn *ud_free);
/* The ud given to seg_httpd_defer (valid until the finish call). */
void *seg_httpd_deferred_ud(struct seg_httpd_deferred *d);
/* Any thread, exactly once per token, never after seg_httpd_free: sends final (its contents
 * are moved out; final is left empty and initialised). It may run before the handler has
 * even returned. Once the connection is gone or the server stopped, it only frees. */
void seg_httpd_deferred_finish(struct seg_httpd_deferred *d, struct seg_httpd_response *final);

/* req and everything it points to are borrowed for the call; copy what you keep. Runs on the
 * daemon's thread. */
typedef void seg_httpd_handler_fn(void *ud, const struct seg_http_req *req,
                                  struct seg_httpd_response *resp);

/* One diagnostic line from libmicrohttpd (no trailing newline). Runs on MHD's thread. */
typedef void seg_httpd_log_fn(void *ud, const char *line);

struct seg_httpd_config {
    const char *bind_addr;         /* "127.0.0.1" (the default when NULL) or "::1" only */
    uint16_t port;                 /* 0: an ephemeral port (read it with seg_httpd_port) */
    size_t max_body;               /* request body cap; 0: SEG_HTTPD_DEFAULT_MAX_BODY */
    unsigned connection_limit;     /* 0: SEG_HTTPD_DEFAULT_CONNECTION_LIMIT */
    unsigned idle_timeout_s;       /* 0: SEG_HTTPD_DEFAULT_IDLE_TIMEOUT_S */
    seg_httpd_handler_fn *handler; /* required */
    void *handler_ud;
    /* Called instead of the handler when a body exceeds max_body (req->body is NULL); resp
     * starts as a plain 413. NULL keeps that plain 413. Shares handler_ud. */
    seg_httpd_handler_fn *too_large;
    seg_httpd_log_fn *log; /* NULL: stderr, prefixed "segtop sim: " */
    void *log_ud;
};

/* Monotonic counters, read atomically (tests and the status line). */
struct seg_httpd_counters {
    uint64_t requests;         /* requests that reached the handler or the too-large hook */
    uint64_t resets;           /* SEG_HTTPD_RESET actions */
    uint64_t truncated;        /* SEG_HTTPD_TRUNCATE actions */
    uint64_t too_large;        /* bodies refused for exceeding max_body */
    uint64_t open_connections; /* a gauge: connections open now */
    uint64_t peak_connections; /* the most open at once since start */
    uint64_t deferred;         /* responses deferred since start */
    uint64_t held;             /* a gauge: connections suspended now */
    uint64_t peak_held;        /* the most suspended at once since start */
};

struct seg_httpd;

/* Starts serving. Raises the RLIMIT_NOFILE soft limit to the hard limit first (a shell's
 * 1024 cannot hold thousands of connections). A non-loopback bind_addr is SEG_ERR_INVALID;
 * a busy port or a daemon that fails to start is SEG_ERR_IO; err says which. */
enum seg_err seg_httpd_start(const struct seg_httpd_config *cfg, struct seg_httpd **out,
                             struct seg_errmsg *err) SEG_MUST_USE;
/* The bound port (the real one when cfg->port was 0). */
uint16_t seg_httpd_port(const struct seg_httpd *h);
void seg_httpd_counters(const struct seg_httpd *h, struct seg_httpd_counters *out);
/* Answers every held connection with its fallback, waits (boundedly) for those answers to
 * go out, then stops the daemon: no handler runs after it returns. Unfinished tokens stay
 * valid (finishing one only frees it) until seg_httpd_free. Idempotent; NULL is fine. */
void seg_httpd_stop(struct seg_httpd *h);
/* Stops (as seg_httpd_stop) and frees, with any token never finished. NULL is fine. */
void seg_httpd_free(struct seg_httpd *h);

#endif
