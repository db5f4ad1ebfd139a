/* sim.httpd: the simulator's HTTP core over real loopback sockets, driven by libcurl: raw
 * request targets, header order, body cap, RESET and TRUNCATE actions, loopback-only binds,
 * and 300 concurrent connections. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <strings.h>

#include "seg_test.h"
#include "sim/httpd.h"
#include "util/buf.h"

/* What the handler saw, shared with the test thread (the handler runs on MHD's thread). */
struct seen {
    pthread_mutex_t mu;
    struct seg_http_req last;
    int calls;
    int too_large_calls;
    size_t too_large_body_len;
};

static struct seen seen = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void remember(const struct seg_http_req *req)
{
    pthread_mutex_lock(&seen.mu);
    seg_http_req_release(&seen.last);
    seg_http_req_copy(&seen.last, req);
    seen.calls++;
    pthread_mutex_unlock(&seen.mu);
}

static void handler(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    (void)ud;
    remember(req);
    if (strcmp(req->path, "/reset") == 0) {
        resp->action = SEG_HTTPD_RESET;
        return;
    }
    if (strncmp(req->path, "/trunc", 6) == 0) {
        static char big[10000];
        memset(big, 'x', sizeof big);
        seg_httpd_response_set_body(resp, big, sizeof big);
        resp->action = SEG_HTTPD_TRUNCATE;
        resp->truncate_at = strcmp(req->path, "/trunc0") == 0 ? 0 : 100;
        return;
    }
    char len[32];
    snprintf(len, sizeof len, "%zu", req->body_len);
    resp->status = strcmp(req->path, "/teapot") == 0 ? 418 : 200;
    seg_httpd_response_add_header(resp, "X-Body-Len", len);
    seg_httpd_response_add_header(resp, "Content-Type", "application/octet-stream");
    if (req->body_len)
        seg_httpd_response_set_body(resp, req->body, req->body_len);
    else
        seg_httpd_response_set_body(resp, "hello", 5);
}

static void too_large(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    (void)ud;
    pthread_mutex_lock(&seen.mu);
    seen.too_large_calls++;
    seen.too_large_body_len = req->body_len;
    pthread_mutex_unlock(&seen.mu);
    seg_httpd_response_set_header(resp, "X-Too-Large", "yes");
}

/* MHD's lines (our RESET/TRUNCATE produce some) stay out of the test output. */
static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static struct seg_httpd *start(size_t max_body, seg_httpd_handler_fn *tl)
{
    struct seg_httpd_config cfg = {.bind_addr = "127.0.0.1",
                                   .max_body = max_body,
                                   .handler = handler,
                                   .too_large = tl,
                                   .log = quiet};
    struct seg_httpd *h = NULL;
    struct seg_errmsg err = {{0}};
    enum seg_err rc = seg_httpd_start(&cfg, &h, &err);
    if (rc)
        fprintf(stderr, "start: %s\n", err.text);
    assert_int_equal(rc, SEG_OK);
    assert_true(seg_httpd_port(h) > 0);
    return h;
}

/* ---- a small curl client ---- */

struct reply {
    long status;
    struct seg_buf body;
    struct seg_buf headers;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;
    return seg_buf_add(&r->body, p, size * n) == SEG_OK ? size * n : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;
    return seg_buf_add(&r->headers, p, size * n) == SEG_OK ? size * n : 0;
}

static CURL *easy(struct seg_httpd *h, const char *target, struct reply *r)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)seg_httpd_port(h), target);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* keep "/../" on the wire */
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(10000 * seg_test_time_scale()));
    seg_buf_init(&r->body, 0);
    seg_buf_init(&r->headers, 0);
    r->status = 0;
    return c;
}

static void reply_release(struct reply *r)
{
    seg_buf_release(&r->body);
    seg_buf_release(&r->headers);
}

static CURLcode fetch(CURL *c, struct reply *r)
{
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    return rc;
}

static int count_header(const struct reply *r, const char *name)
{
    int n = 0;
    size_t nl = strlen(name);
    for (const char *p = r->headers.data; p && *p;) {
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
            n++;
        const char *eol = strchr(p, '\n');
        p = eol ? eol + 1 : p + strlen(p);
    }
    return n;
}

/* ---- tests ---- */

static void test_raw_target_and_headers(void **state)
{
    (void)state;
    struct seg_httpd *h = start(0, NULL);
    struct reply r;
    CURL *c = easy(h, "/a%2Fb/../c?x=%20y&x=1", &r);
    struct curl_slist *hl = NULL;
    hl = curl_slist_append(hl, "X-B: 2");
    hl = curl_slist_append(hl, "X-A: 1");
    hl = curl_slist_append(hl, "x-b: 3");
    hl = curl_slist_append(hl, "X-Spaced:   padded value");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    assert_int_equal(fetch(c, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "hello");
    assert_int_equal(count_header(&r, "Date"), 1);

    pthread_mutex_lock(&seen.mu);
    assert_string_equal(seen.last.method, "GET");
    assert_string_equal(seen.last.path, "/a%2Fb/../c");
    assert_string_equal(seen.last.query, "x=%20y&x=1");
    /* Our four headers arrive after curl's own (Host, Accept), in the order sent. */
    const char *want[][2] = {
        {"X-B", "2"}, {"X-A", "1"}, {"x-b", "3"}, {"X-Spaced", "padded value"}};
    size_t k = 0;
    for (size_t i = 0; i < seen.last.nheaders && k < 4; i++) {
        if (strcasecmp(seen.last.headers[i].name, want[k][0]) == 0 &&
            strcmp(seen.last.headers[i].value, want[k][1]) == 0)
            k++;
    }
    assert_int_equal(k, 4);
    assert_string_equal(seen.last.headers[0].name, "Host");
    pthread_mutex_unlock(&seen.mu);

    /* A second request on the same kept-alive connection gets its own raw target. */
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/second/./x?%%41=%%2B", seg_httpd_port(h));
    curl_easy_setopt(c, CURLOPT_URL, url);
    assert_int_equal(fetch(c, &r), CURLE_OK);
    long reused = 0;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &reused);
    assert_int_equal(reused, 0);
    pthread_mutex_lock(&seen.mu);
    assert_string_equal(seen.last.path, "/second/./x");
    assert_string_equal(seen.last.query, "%41=%2B");
    pthread_mutex_unlock(&seen.mu);

    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    reply_release(&r);
    seg_httpd_free(h);
}

static void test_body_and_status(void **state)
{
    (void)state;
    struct seg_httpd *h = start(0, NULL);
    size_t n = 100 * 1000;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)(i * 7);
    struct reply r;
    CURL *c = easy(h, "/teapot", &r);
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    assert_int_equal(fetch(c, &r), CURLE_OK);
    assert_int_equal(r.status, 418);
    assert_int_equal(r.body.len, n);
    assert_memory_equal(r.body.data, body, n);
    pthread_mutex_lock(&seen.mu);
    assert_string_equal(seen.last.method, "PUT");
    assert_int_equal(seen.last.body_len, n);
    assert_memory_equal(seen.last.body, body, n);
    pthread_mutex_unlock(&seen.mu);

    /* HEAD: headers only, Content-Length of what GET would send. */
    curl_easy_cleanup(c);
    reply_release(&r);
    c = easy(h, "/head", &r);
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    assert_int_equal(fetch(c, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    assert_non_null(strstr(r.headers.data, "Content-Length: 5"));

    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    reply_release(&r);
    free(body);
    seg_httpd_free(h);
}

struct src {
    const char *p;
    size_t n, off;
};

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    struct src *s = ud;
    size_t k = size * n < s->n - s->off ? size * n : s->n - s->off;
    memcpy(buf, s->p + s->off, k);
    s->off += k;
    return k;
}

/* POSTs n bytes: with a Content-Length, or chunked (no length declared). */
static CURLcode post_n(struct seg_httpd *h, size_t n, const char *expect, bool chunked,
                       struct reply *r)
{
    char *body = malloc(n);
    memset(body, 'b', n);
    struct src src = {body, n, 0};
    CURL *c = easy(h, "/upload", r);
    struct curl_slist *hl = curl_slist_append(NULL, expect);
    if (chunked)
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    if (chunked) {
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &src);
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    }
    CURLcode rc = fetch(c, r);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    free(body);
    return rc;
}

static void test_body_cap(void **state)
{
    (void)state;
    struct seg_httpd *h = start(1024, too_large);
    struct reply r;
    int before = seen.too_large_calls;

    /* At the cap: accepted. */
    assert_int_equal(post_n(h, 1024, "Expect:", false, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 1024);
    reply_release(&r);

    /* Over it, no 100-continue: the body is read and dropped, then 413 from the hook. */
    assert_int_equal(post_n(h, 2000, "Expect:", false, &r), CURLE_OK);
    assert_int_equal(r.status, 413);
    assert_int_equal(count_header(&r, "X-Too-Large"), 1);
    reply_release(&r);

    /* Over it with 100-continue: refused before a body byte is sent. */
    assert_int_equal(post_n(h, 5000, "Expect: 100-continue", false, &r), CURLE_OK);
    assert_int_equal(r.status, 413);
    reply_release(&r);

    /* Chunked (no length declared): counted as it arrives. */
    assert_int_equal(post_n(h, 3000, "Expect:", true, &r), CURLE_OK);
    assert_int_equal(r.status, 413);
    reply_release(&r);

    pthread_mutex_lock(&seen.mu);
    assert_int_equal(seen.too_large_calls - before, 3);
    assert_int_equal(seen.too_large_body_len, 0);
    pthread_mutex_unlock(&seen.mu);
    struct seg_httpd_counters k;
    seg_httpd_counters(h, &k);
    assert_int_equal(k.too_large, 3);
    assert_int_equal(k.requests, 4);
    seg_httpd_free(h);

    /* The default cap is 8 MiB, and without a hook the answer is a plain 413. */
    h = start(0, NULL);
    assert_int_equal(post_n(h, 9u << 20, "Expect: 100-continue", false, &r), CURLE_OK);
    assert_int_equal(r.status, 413);
    assert_non_null(strstr(r.body.data, "Too Large"));
    reply_release(&r);
    assert_int_equal(post_n(h, 8u << 20, "Expect:", false, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    seg_httpd_free(h);
}

static void test_reset_and_truncate(void **state)
{
    (void)state;
    struct seg_httpd *h = start(0, NULL);
    struct reply r;
    CURL *c = easy(h, "/reset", &r);
    CURLcode rc = fetch(c, &r);
#ifdef __linux__
    assert_int_equal(rc, CURLE_RECV_ERROR); /* "Connection reset by peer", not a clean EOF */
#else
    assert_true(rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING);
#endif
    curl_easy_cleanup(c);
    reply_release(&r);

    c = easy(h, "/trunc", &r);
    assert_int_equal(fetch(c, &r), CURLE_PARTIAL_FILE);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 100);
    curl_off_t cl = 0;
    curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    assert_int_equal(cl, 10000);
    curl_easy_cleanup(c);
    reply_release(&r);

    c = easy(h, "/trunc0", &r);
    rc = fetch(c, &r);
    assert_int_equal(rc, CURLE_PARTIAL_FILE);
    assert_int_equal(r.body.len, 0);
    curl_easy_cleanup(c);
    reply_release(&r);

    /* The server is still fine afterwards. */
    c = easy(h, "/after", &r);
    assert_int_equal(fetch(c, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    curl_easy_cleanup(c);
    reply_release(&r);

    struct seg_httpd_counters k;
    seg_httpd_counters(h, &k);
    assert_int_equal(k.resets, 1);
    assert_int_equal(k.truncated, 2);
    assert_int_equal(k.requests, 4);
    seg_httpd_free(h);
}

/* The same reset seen from a plain socket: recv() fails with ECONNRESET. */
static void test_reset_raw_socket(void **state)
{
    (void)state;
    struct seg_httpd *h = start(0, NULL);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(seg_httpd_port(h))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = (time_t)(10 * seg_test_time_scale())};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static const char req[] = "GET /reset HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    assert_int_equal(send(fd, req, sizeof req - 1, 0), (ssize_t)(sizeof req - 1));
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
#ifdef __linux__
    assert_int_equal(n, -1);
    assert_int_equal(errno, ECONNRESET);
#else
    assert_true(n <= 0);
#endif
    close(fd);
    seg_httpd_free(h);
}

static void test_loopback_only(void **state)
{
    (void)state;
    const char *bad[] = {"0.0.0.0", "192.168.1.10", "::", "localhost", "127.0.0.2", "", "10.0.0.1"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(bad); i++) {
        struct seg_httpd_config cfg = {.bind_addr = bad[i], .handler = handler};
        struct seg_httpd *h = NULL;
        struct seg_errmsg err = {{0}};
        assert_int_equal(seg_httpd_start(&cfg, &h, &err), SEG_ERR_INVALID);
        assert_null(h);
        assert_non_null(strstr(err.text, "loopback"));
    }
    struct seg_httpd_config none = {.bind_addr = "127.0.0.1"};
    struct seg_httpd *h = NULL;
    assert_int_equal(seg_httpd_start(&none, &h, NULL), SEG_ERR_INVALID);

    /* ::1 works where the host has IPv6 loopback. */
    struct seg_httpd_config v6 = {.bind_addr = "::1", .handler = handler};
    struct seg_errmsg err = {{0}};
    enum seg_err rc = seg_httpd_start(&v6, &h, &err);
    if (rc == SEG_OK) {
        assert_true(seg_httpd_port(h) > 0);
        char url[128];
        snprintf(url, sizeof url, "http://[::1]:%u/v6", seg_httpd_port(h));
        struct reply r;
        CURL *c = easy(h, "/", &r);
        curl_easy_setopt(c, CURLOPT_URL, url);
        assert_int_equal(fetch(c, &r), CURLE_OK);
        assert_int_equal(r.status, 200);
        curl_easy_cleanup(c);
        reply_release(&r);
        seg_httpd_free(h);
    } else {
        assert_int_equal(rc, SEG_ERR_IO);
    }

    /* A busy port is an I/O error with a message. */
    struct seg_httpd *a = start(0, NULL);
    struct seg_httpd_config same = {.port = seg_httpd_port(a), .handler = handler};
    h = NULL;
    assert_int_equal(seg_httpd_start(&same, &h, &err), SEG_ERR_IO);
    assert_non_null(strstr(err.text, "cannot listen"));
    seg_httpd_free(a);
    seg_httpd_free(NULL);
}

static void test_300_concurrent(void **state)
{
    (void)state;
    enum { N = 300 };
    struct seg_httpd *h = start(0, NULL);
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)N + 10);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    static struct reply r[N];
    CURL *c[N];
    for (int i = 0; i < N; i++) {
        char target[64];
        snprintf(target, sizeof target, "/c/%d", i);
        c[i] = easy(h, target, &r[i]);
        curl_multi_add_handle(m, c[i]);
    }
    int running = 1;
    double deadline = seg_test_now_ms() + 30000 * seg_test_time_scale();
    while (running && seg_test_now_ms() < deadline) {
        assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    assert_int_equal(running, 0);
    int ok = 0;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE && msg->data.result == CURLE_OK)
            ok++;
    }
    assert_int_equal(ok, N);
    long connects = 0;
    for (int i = 0; i < N; i++) {
        long st = 0, nc = 0;
        curl_easy_getinfo(c[i], CURLINFO_RESPONSE_CODE, &st);
        curl_easy_getinfo(c[i], CURLINFO_NUM_CONNECTS, &nc);
        assert_int_equal(st, 200);
        connects += nc;
    }
    struct seg_httpd_counters k;
    seg_httpd_counters(h, &k);
    assert_int_equal(k.requests, N);
    /* Every transfer opened its own connection and all were open together. */
    assert_int_equal(connects, N);
    assert_true(k.peak_connections >= N);
    for (int i = 0; i < N; i++) {
        curl_multi_remove_handle(m, c[i]);
        curl_easy_cleanup(c[i]);
        reply_release(&r[i]);
    }
    curl_multi_cleanup(m);
    seg_httpd_free(h);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw_target_and_headers),
        cmocka_unit_test(test_body_and_status),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_reset_and_truncate),
        cmocka_unit_test(test_reset_raw_socket),
        cmocka_unit_test(test_loopback_only),
        cmocka_unit_test(test_300_concurrent),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    seg_http_req_release(&seen.last);
    curl_global_cleanup();
    return rc;
}
