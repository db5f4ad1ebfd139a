/* The engine against a real loopback server (the simulator's HTTP core): every request is
 * signed and verified with the shared verifier; the server injects 429/503/resets and the
 * test asserts retry counts and final results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/creds.h"
#include "aws/sigv4.h"
#include "http/engine.h"
#include "seg_test.h"
#include "sim/httpd.h"

#define AKID   "AKIDENGINETEST000001"
#define SECRET "engine/test/secret/never+printed0000000"

/* ---- server side: runs on the daemon's thread ---- */

#define MAX_KEYS 64

struct server {
    pthread_mutex_t lock;
    char keys[MAX_KEYS][64];
    int hits[MAX_KEYS];
    int nkeys;
    int verified;
    int rejected;
};

static int bump(struct server *s, const char *key)
{
    pthread_mutex_lock(&s->lock);
    int i;
    for (i = 0; i < s->nkeys; i++)
        if (strcmp(s->keys[i], key) == 0)
            break;
    if (i == s->nkeys && s->nkeys < MAX_KEYS)
        snprintf(s->keys[s->nkeys++], sizeof s->keys[0], "%s", key);
    int n = i < MAX_KEYS ? ++s->hits[i] : 0;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static bool lookup(void *ud, const char *akid, char *secret, size_t size)
{
    (void)ud;
    if (strcmp(akid, AKID) != 0)
        return false;
    snprintf(secret, size, "%s", SECRET);
    return true;
}

static void json_error(struct seg_httpd_response *resp, int status, const char *type,
                       const char *msg)
{
    char body[256];
    int n = snprintf(body, sizeof body, "{\"__type\":\"%s\",\"message\":\"%s\"}", type, msg);
    resp->status = status;
    seg_httpd_response_set_header(resp, "Content-Type", "application/x-amz-json-1.1");
    seg_httpd_response_set_body(resp, body, (size_t)n);
}

static void handler(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    struct server *s = ud;
    struct seg_sigv4_verify_result vr;
    const char *auth = seg_http_req_header(req, "Authorization");
    unsigned flags =
        auth && strstr(auth, "/s3/aws4_request") ? SEG_SIGV4_FLAGS_S3 : SEG_SIGV4_FLAGS_LAMBDA;
    if (seg_sigv4_verify(req, flags, time(NULL), 300, lookup, NULL, &vr) != SEG_OK ||
        vr.verdict != SEG_SIGV4_VALID) {
        pthread_mutex_lock(&s->lock);
        s->rejected++;
        pthread_mutex_unlock(&s->lock);
        json_error(resp, 403, "InvalidSignatureException", "signature rejected");
        seg_sigv4_verify_result_release(&vr);
        return;
    }
    seg_sigv4_verify_result_release(&vr);
    pthread_mutex_lock(&s->lock);
    s->verified++;
    pthread_mutex_unlock(&s->lock);

    /* Paths: /<behaviour>/<key>; hits are counted per path. */
    const char *p = req->path;
    int hit = bump(s, p);
    seg_httpd_response_set_header(resp, "x-amzn-RequestId", "req-0001");
    if (strncmp(p, "/throttle2/", 11) == 0 && hit <= 2) {
        /* Lambda's REST-JSON throttle: the type travels in a header. */
        resp->status = 429;
        seg_httpd_response_set_header(resp, "x-amzn-ErrorType", "TooManyRequestsException");
        seg_httpd_response_set_header(resp, "Retry-After", "1");
        seg_httpd_response_set_body(resp, "{\"Reason\":\"ConcurrentInvocationLimitExceeded\"}", 46);
        return;
    }
    if (strncmp(p, "/logs-throttle1/", 16) == 0 && hit <= 1) {
        json_error(resp, 400, "ThrottlingException", "Rate exceeded");
        return;
    }
    if (strncmp(p, "/503/", 5) == 0) {
        static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                                  "ServiceUnavailable</Code><Message>Please reduce your request "
                                  "rate.</Message></Error>";
        resp->status = 503;
        seg_httpd_response_set_header(resp, "Content-Type", "application/xml");
        seg_httpd_response_set_body(resp, xml, sizeof xml - 1);
        return;
    }
    if (strncmp(p, "/reset1/", 8) == 0 && hit <= 1) {
        resp->action = SEG_HTTPD_RESET;
        return;
    }
    if (strncmp(p, "/truncate1/", 11) == 0 && hit <= 1) {
        resp->action = SEG_HTTPD_TRUNCATE;
        resp->truncate_at = 3;
        seg_httpd_response_set_body(resp, "0123456789", 10);
        return;
    }
    if (strncmp(p, "/invalid/", 9) == 0) {
        json_error(resp, 400, "InvalidParameterValueException", "bad value");
        return;
    }
    resp->status = 200;
    seg_httpd_response_set_header(resp, "Content-Type", "application/json");
    seg_httpd_response_set_body(resp, "{\"ok\":true}", 11);
}

/* ---- client side ---- */

static enum seg_err static_creds(void *ud, time_t now, struct seg_sigv4_creds *out,
                                 struct seg_errmsg *err)
{
    (void)ud;
    (void)now;
    (void)err;
    out->access_key_id = AKID;
    out->secret_access_key = SECRET;
    out->session_token = NULL;
    return SEG_OK;
}

struct fixture {
    struct server server;
    struct seg_httpd *httpd;
    struct seg_engine *engine;
    char url[64];
    FILE *trace;
};

static void start_engine_with(struct fixture *f, int quota, FILE *trace, seg_creds_fn *creds,
                              void *creds_ud)
{
    struct seg_http_client_config cfg = {
        .region = "us-west-1",
        .creds = creds,
        .creds_ud = creds_ud,
        .max_attempts = 3,
        .backoff_base_ms = 5, /* AWS uses 1 s; the rule is the same, the test is faster */
        .backoff_cap_ms = 40,
        .retry_quota = quota,
        .rng_seed = 7,
        .default_timeout_ms = (int)(5000 * seg_test_time_scale()),
        .trace = trace,
    };
    for (int s = 0; s < SEG_AWS__SERVICES; s++)
        cfg.endpoints[s].base_url = f->url;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_engine_start(&cfg, &f->engine, &err), SEG_OK);
}

static void start_engine(struct fixture *f, int quota, FILE *trace)
{
    start_engine_with(f, quota, trace, static_creds, NULL);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->server.lock, NULL);
    struct seg_httpd_config hc = {.handler = handler, .handler_ud = &f->server};
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_httpd_start(&hc, &f->httpd, &err), SEG_OK);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", seg_httpd_port(f->httpd));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    seg_engine_stop(f->engine);
    seg_httpd_free(f->httpd);
    if (f->trace)
        fclose(f->trace);
    pthread_mutex_destroy(&f->server.lock);
    free(f);
    return 0;
}

static void submit(struct fixture *f, uint64_t id, enum seg_aws_service svc, const char *method,
                   const char *target, unsigned flags, int max_attempts)
{
    struct seg_http_call call = {
        .id = id, .service = svc, .flags = flags, .max_attempts = max_attempts};
    seg_http_req_init(&call.req);
    assert_int_equal(seg_http_req_set_target(&call.req, method, target), SEG_OK);
    if (strcmp(method, "GET") != 0)
        seg_http_req_set_body(&call.req, "{\"x\":1}", 7);
    seg_engine_submit(f->engine, &call);
}

static void wait_one(struct fixture *f, struct seg_http_result *r)
{
    assert_true(seg_engine_wait_result(f->engine, r, (int)(20000 * seg_test_time_scale())));
}

static void test_retries(void **state)
{
    struct fixture *f = *state;
    start_engine(f, 0, NULL);

    submit(f, 1, SEG_AWS_LAMBDA, "POST", "/throttle2/a", 0, 0);
    submit(f, 2, SEG_AWS_S3, "PUT", "/503/b", 0, 0);
    submit(f, 3, SEG_AWS_LAMBDA, "GET", "/reset1/c", 0, 0);
    submit(f, 4, SEG_AWS_LOGS, "POST", "/invalid/d", 0, 0);
    submit(f, 5, SEG_AWS_LOGS, "POST", "/logs-throttle1/e", 0, 0);
    submit(f, 6, SEG_AWS_LAMBDA, "GET", "/truncate1/f", 0, 0);
    /* A load trigger is not retried by default ... */
    submit(f, 7, SEG_AWS_LAMBDA, "POST", "/throttle2/g", SEG_CALL_TRIGGER, 0);
    /* ... and with --trigger-retries 2 it gets three attempts. */
    submit(f, 8, SEG_AWS_LAMBDA, "POST", "/throttle2/h", SEG_CALL_TRIGGER, 3);

    bool seen[9] = {0};
    for (int i = 0; i < 8; i++) {
        struct seg_http_result r;
        wait_one(f, &r);
        assert_true(r.id >= 1 && r.id <= 8);
        seen[r.id] = true;
        switch (r.id) {
        case 1: /* two 429s then 200 */
            assert_int_equal(r.outcome, SEG_HTTP_OK);
            assert_int_equal(r.attempts, 3);
            assert_int_equal(r.throttled_attempts, 2);
            assert_string_equal(r.body, "{\"ok\":true}");
            assert_string_equal(r.request_id, "req-0001");
            assert_true(labs((long)(r.server_date - time(NULL))) <= 5);
            assert_true(r.sent_ms > 0 && r.accepted_ms >= r.sent_ms);
            break;
        case 2: /* 503 every time: all attempts spent, the error parsed from S3 XML */
            assert_int_equal(r.outcome, SEG_HTTP_AWS_ERROR);
            assert_int_equal(r.status, 503);
            assert_int_equal(r.attempts, 3);
            assert_int_equal(r.failure, SEG_FAIL_TRANSIENT);
            assert_string_equal(r.error.code, "ServiceUnavailable");
            assert_string_equal(r.error.message, "Please reduce your request rate.");
            break;
        case 3: /* a TCP reset, then success */
            assert_int_equal(r.outcome, SEG_HTTP_OK);
            assert_int_equal(r.attempts, 2);
            break;
        case 4: /* validation errors are never retried */
            assert_int_equal(r.outcome, SEG_HTTP_AWS_ERROR);
            assert_int_equal(r.attempts, 1);
            assert_int_equal(r.failure, SEG_FAIL_PERMANENT);
            assert_string_equal(r.error.code, "InvalidParameterValueException");
            break;
        case 5: /* Logs' JSON 1.1 throttle, then success */
            assert_int_equal(r.outcome, SEG_HTTP_OK);
            assert_int_equal(r.attempts, 2);
            assert_int_equal(r.throttled_attempts, 1);
            break;
        case 6: /* a truncated body is a connection failure, retried */
            assert_int_equal(r.outcome, SEG_HTTP_OK);
            assert_int_equal(r.attempts, 2);
            break;
        case 7:
            assert_int_equal(r.outcome, SEG_HTTP_AWS_ERROR);
            assert_int_equal(r.attempts, 1);
            assert_int_equal(r.failure, SEG_FAIL_THROTTLE);
            assert_string_equal(r.error.code, "TooManyRequestsException");
            assert_int_equal(r.status, 429);
            break;
        case 8:
            assert_int_equal(r.outcome, SEG_HTTP_OK);
            assert_int_equal(r.attempts, 3);
            break;
        }
        seg_http_result_release(&r);
    }
    for (int i = 1; i <= 8; i++)
        assert_true(seen[i]);
    /* Every attempt reached the server signed and verified: 3+3+2+1+2+2+1+3 = 17. */
    assert_int_equal(f->server.rejected, 0);
    assert_int_equal(f->server.verified, 17);
}

static void test_retry_quota_limits_storm(void **state)
{
    struct fixture *f = *state;
    start_engine(f, 10, NULL); /* room for exactly two retries of cost 5 */
    submit(f, 1, SEG_AWS_S3, "PUT", "/503/q1", 0, 0);
    struct seg_http_result r;
    wait_one(f, &r);
    assert_int_equal(r.attempts, 3);
    seg_http_result_release(&r);
    submit(f, 2, SEG_AWS_S3, "PUT", "/503/q2", 0, 0);
    wait_one(f, &r);
    assert_int_equal(r.attempts, 1); /* quota spent: no retry */
    assert_int_equal(r.status, 503);
    seg_http_result_release(&r);
}

static void test_thousand_in_flight_and_keepalive(void **state)
{
    struct fixture *f = *state;
    start_engine(f, 0, NULL);
    enum { N = 1200 };
    for (int i = 0; i < N; i++) {
        char target[64];
        snprintf(target, sizeof target, "/ok/%d", i % 50);
        submit(f, (uint64_t)i + 1, (enum seg_aws_service)(i % 3), "POST", target, 0, 0);
    }
    static bool seen[N + 1];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < N; i++) {
        struct seg_http_result r;
        wait_one(f, &r);
        assert_int_equal(r.outcome, SEG_HTTP_OK);
        assert_int_equal(r.attempts, 1);
        assert_false(seen[r.id]);
        seen[r.id] = true;
        seg_http_result_release(&r);
    }
    assert_int_equal(f->server.rejected, 0);
    /* Sequential calls afterwards reuse kept-alive connections. */
    int reused = 0;
    for (int i = 0; i < 20; i++) {
        submit(f, 5000 + (uint64_t)i, SEG_AWS_LAMBDA, "GET", "/ok/seq", 0, 0);
        struct seg_http_result r;
        wait_one(f, &r);
        reused += r.reused_connection;
        seg_http_result_release(&r);
    }
    assert_true(reused >= 19);
}

static void test_timeout_against_silent_server(void **state)
{
    struct fixture *f = *state;
    /* A socket that accepts connections (backlog) but never answers. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t len = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", ntohs(sa.sin_port));
    start_engine(f, 0, NULL);

    struct seg_http_call call = {
        .id = 1, .service = SEG_AWS_LOGS, .timeout_ms = 200, .max_attempts = 2};
    seg_http_req_init(&call.req);
    assert_int_equal(seg_http_req_set_target(&call.req, "POST", "/"), SEG_OK);
    double t0 = seg_test_now_ms();
    seg_engine_submit(f->engine, &call);
    struct seg_http_result r;
    wait_one(f, &r);
    double took = seg_test_now_ms() - t0;
    assert_int_equal(r.outcome, SEG_HTTP_TRANSPORT);
    assert_int_equal(r.failure, SEG_FAIL_TIMEOUT);
    assert_int_equal(r.attempts, 2);
    assert_true(took >= 400);
    assert_true(strlen(r.transport_error) > 0);
    seg_http_result_release(&r);
    close(fd);
}

static void test_trace_never_prints_secret(void **state)
{
    struct fixture *f = *state;
    f->trace = tmpfile();
    assert_non_null(f->trace);
    start_engine(f, 0, f->trace);
    submit(f, 1, SEG_AWS_LAMBDA, "POST", "/2015-03-31/functions/site1-fn%3Aprod/invocations", 0, 0);
    struct seg_http_result r;
    wait_one(f, &r);
    assert_int_equal(r.outcome, SEG_HTTP_OK);
    seg_http_result_release(&r);

    char buf[8192];
    rewind(f->trace);
    size_t n = fread(buf, 1, sizeof buf - 1, f->trace);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "--- canonical request ---"));
    assert_non_null(strstr(buf, "--- string to sign ---"));
    /* Lambda's canonical URI is double-encoded. */
    assert_non_null(strstr(buf, "site1-fn%253Aprod"));
    assert_non_null(strstr(buf, "AWS4-HMAC-SHA256\n"));
    assert_null(strstr(buf, SECRET));
    assert_null(strstr(buf, "Signature="));
}

static const char *tmp_home;

static const char *fake_getenv(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "HOME") == 0 ? tmp_home : NULL;
}

/* Credentials from ~/.aws/credentials through the provider, with a session token: the
 * token is signed and the server accepts the request. */
static void test_provider_credentials(void **state)
{
    struct fixture *f = *state;
    char *home = seg_test_tmpdir();
    char path[600];
    snprintf(path, sizeof path, "%s/.aws", home);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/.aws/credentials", home);
    seg_test_write_file(path,
                        "[default]\naws_access_key_id = " AKID "\naws_secret_access_key = " SECRET
                        "\naws_session_token = TOKEN123\n");
    tmp_home = home;
    struct seg_env env = {.get = fake_getenv};
    struct seg_aws_config_opts opts = {.env = &env};
    struct seg_aws_config acfg;
    struct seg_errmsg err = {{0}};
    seg_aws_config_init(&acfg);
    assert_int_equal(seg_aws_config_resolve(&acfg, &opts, &err), SEG_OK);
    struct seg_creds_opts copts = seg_creds_opts_default();
    struct seg_creds_provider *p = seg_creds_provider_new(&env, &acfg, &copts);
    struct seg_creds_source src;
    seg_creds_source_init(&src, p);
    start_engine_with(f, 0, NULL, seg_creds_source_get, &src);

    submit(f, 1, SEG_AWS_LOGS, "POST", "/ok/provider", 0, 0);
    struct seg_http_result r;
    wait_one(f, &r);
    assert_int_equal(r.outcome, SEG_HTTP_OK);
    assert_int_equal(f->server.verified, 1);
    assert_int_equal(f->server.rejected, 0);
    seg_http_result_release(&r);

    seg_engine_stop(f->engine); /* the source must outlive the engine */
    f->engine = NULL;
    seg_creds_source_release(&src);
    seg_creds_provider_free(p);
    seg_aws_config_release(&acfg);
    unlink(path);
    snprintf(path, sizeof path, "%s/.aws", home);
    rmdir(path);
    rmdir(home);
    free(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_quota_limits_storm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thousand_in_flight_and_keepalive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_against_silent_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_never_prints_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_provider_credentials, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
