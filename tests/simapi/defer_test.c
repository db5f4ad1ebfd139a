/* simapi.defer: deferred responses in the simulator's HTTP server: 300 connections held at
 * once and answered from another thread, an answer given before the handler even returns,
 * and a shutdown with held connections (each gets its fallback; nothing hangs or leaks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <curl/curl.h>

#include "seg_test.h"
#include "sim/httpd.h"

#define NHOLD 300

struct held {
    pthread_mutex_t mu;
    struct seg_httpd_deferred *tokens[NHOLD];
    int n;
};

static struct held held = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void handler(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    (void)ud;
    if (strcmp(req->path, "/now") == 0) { /* finished before the handler returns */
        struct seg_httpd_deferred *d = seg_httpd_defer(resp, NULL, NULL);
        struct seg_httpd_response fin;
        seg_httpd_response_init(&fin);
        fin.status = 201;
        seg_httpd_response_set_body(&fin, "early", 5);
        seg_httpd_deferred_finish(d, &fin);
        seg_httpd_response_release(&fin);
        resp->status = 500; /* the fallback, which must not be what is sent */
        return;
    }
    char *ctx = malloc(16); /* owned by the token: freed with it even if never finished */
    snprintf(ctx, 16, "ctx");
    struct seg_httpd_deferred *d = seg_httpd_defer(resp, ctx, free);
    pthread_mutex_lock(&held.mu);
    if (held.n < NHOLD)
        held.tokens[held.n++] = d;
    pthread_mutex_unlock(&held.mu);
    resp->status = 503;
    seg_httpd_response_add_header(resp, "Content-Type", "text/plain");
    seg_httpd_response_set_body(resp, "fallback", 8);
}

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static struct seg_httpd *start(void)
{
    struct seg_httpd_config cfg = {.handler = handler, .log = quiet};
    struct seg_httpd *h = NULL;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_httpd_start(&cfg, &h, &err), SEG_OK);
    pthread_mutex_lock(&held.mu);
    held.n = 0;
    pthread_mutex_unlock(&held.mu);
    return h;
}

struct client {
    CURLM *multi;
    CURL *easy[NHOLD];
    char body[NHOLD][32];
    size_t len[NHOLD];
    long status[NHOLD];
    int n;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    char *dst = ud;
    size_t have = strlen(dst), add = sz * n;
    if (have + add < 31)
        memcpy(dst + have, p, add), dst[have + add] = '\0';
    return sz * n;
}

static void client_start(struct client *c, uint16_t port, const char *path, int n)
{
    memset(c, 0, sizeof *c);
    c->multi = curl_multi_init();
    curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    c->n = n;
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    for (int i = 0; i < n; i++) {
        CURL *e = c->easy[i] = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, c->body[i]);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(20000 * seg_test_time_scale()));
        curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
        curl_multi_add_handle(c->multi, e);
    }
}

/* Drives the transfers until done or the deadline; returns how many finished. */
static int client_run(struct client *c, double deadline_ms, bool (*until)(void))
{
    int running = 1;
    double end = seg_test_now_ms() + deadline_ms * seg_test_time_scale();
    while (running && seg_test_now_ms() < end) {
        curl_multi_perform(c->multi, &running);
        if (until && until())
            break;
        curl_multi_poll(c->multi, NULL, 0, 10, NULL);
    }
    int done = 0;
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(c->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        for (int i = 0; i < c->n; i++) {
            if (c->easy[i] == m->easy_handle && m->data.result == CURLE_OK) {
                curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &c->status[i]);
                done++;
            }
        }
    }
    return done;
}

static void client_free(struct client *c)
{
    for (int i = 0; i < c->n; i++) {
        curl_multi_remove_handle(c->multi, c->easy[i]);
        curl_easy_cleanup(c->easy[i]);
    }
    curl_multi_cleanup(c->multi);
}

static int want_held;
static bool all_held(void)
{
    pthread_mutex_lock(&held.mu);
    bool ok = held.n >= want_held;
    pthread_mutex_unlock(&held.mu);
    return ok;
}

static void *finisher(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&held.mu);
    int n = held.n;
    pthread_mutex_unlock(&held.mu);
    for (int i = n - 1; i >= 0; i--) {
        struct seg_httpd_response r;
        seg_httpd_response_init(&r);
        assert_string_equal(seg_httpd_deferred_ud(held.tokens[i]), "ctx");
        seg_httpd_response_set_body(&r, "done", 4);
        seg_httpd_deferred_finish(held.tokens[i], &r);
        seg_httpd_response_release(&r);
    }
    return NULL;
}

static void test_hold_300(void **state)
{
    (void)state;
    struct seg_httpd *h = start();
    struct client c;
    client_start(&c, seg_httpd_port(h), "/hold", NHOLD);
    want_held = NHOLD;
    client_run(&c, 20000, all_held);
    assert_true(all_held());
    struct seg_httpd_counters k;
    seg_httpd_counters(h, &k);
    assert_int_equal(k.held, NHOLD);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, finisher, NULL), 0);
    int done = client_run(&c, 20000, NULL);
    pthread_join(t, NULL);
    assert_int_equal(done, NHOLD);
    for (int i = 0; i < NHOLD; i++) {
        assert_int_equal(c.status[i], 200);
        assert_string_equal(c.body[i], "done");
    }
    seg_httpd_counters(h, &k);
    assert_int_equal(k.held, 0);
    assert_int_equal(k.peak_held, NHOLD);
    client_free(&c);
    seg_httpd_free(h);
}

static void test_finish_before_return(void **state)
{
    (void)state;
    struct seg_httpd *h = start();
    struct client c;
    client_start(&c, seg_httpd_port(h), "/now", 5);
    assert_int_equal(client_run(&c, 10000, NULL), 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(c.status[i], 201);
        assert_string_equal(c.body[i], "early");
    }
    client_free(&c);
    seg_httpd_free(h);
}

struct stopper {
    struct seg_httpd *h;
};

static void *stop_server(void *arg)
{
    struct stopper *s = arg;
    seg_httpd_stop(s->h);
    return NULL;
}

static void test_stop_with_held(void **state)
{
    (void)state;
    struct seg_httpd *h = start();
    struct client c;
    client_start(&c, seg_httpd_port(h), "/hold", 50);
    want_held = 50;
    client_run(&c, 20000, all_held);
    assert_true(all_held());
    /* Stop on another thread while the client keeps reading: every held one gets its
     * fallback, and stop returns in bounded time. */
    double t0 = seg_test_now_ms();
    struct stopper s = {h};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, stop_server, &s), 0);
    int done = client_run(&c, 10000, NULL);
    pthread_join(t, NULL);
    assert_true(seg_test_now_ms() - t0 < 5000 * seg_test_time_scale());
    assert_int_equal(done, 50);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(c.status[i], 503);
        assert_string_equal(c.body[i], "fallback");
    }
    /* A finisher that comes after the stop only frees; the rest die with the server. */
    struct seg_httpd_response r;
    seg_httpd_response_init(&r);
    seg_httpd_deferred_finish(held.tokens[0], &r);
    client_free(&c);
    seg_httpd_free(h);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_300),
        cmocka_unit_test(test_finish_before_return),
        cmocka_unit_test(test_stop_with_held),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
