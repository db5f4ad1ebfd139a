/* sim.auth: the simulator's SigV4 front door over real sockets. Requests signed with
 * seg_sigv4_sign reach the handler; a wrong secret, an unknown key, a stale date, a tampered
 * body or a missing signature get each service's real error, checked by parsing the response
 * with seg_aws_error_parse. Also unit checks of classification, keystore and rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include <curl/curl.h>
#include <strings.h>

#include "aws/error.h"
#include "aws/sigv4.h"
#include "seg_test.h"
#include "sim/auth.h"
#include "sim/errors.h"
#include "sim/httpd.h"
#include "sim/keystore.h"
#include "util/buf.h"

#define REGION "us-west-1"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int next_calls;

static void next_handler(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    (void)ud;
    pthread_mutex_lock(&mu);
    next_calls++;
    pthread_mutex_unlock(&mu);
    char body[64];
    int n = snprintf(body, sizeof body, "authed %s", seg_aws_service_name(seg_sim_classify(req)));
    seg_httpd_response_set_body(resp, body, (size_t)n);
}

static int calls(void)
{
    pthread_mutex_lock(&mu);
    int n = next_calls;
    pthread_mutex_unlock(&mu);
    return n;
}

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

struct fixture {
    struct seg_sim_keystore *keys;
    struct seg_sim_auth *auth;
    struct seg_httpd *httpd;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->keys = seg_sim_keystore_new();
    if (seg_sim_keystore_add(f->keys, SEG_SIM_TEST_ACCESS_KEY_ID, SEG_SIM_TEST_SECRET_ACCESS_KEY))
        return -1;
    struct seg_sim_auth_config ac = {
        .keys = f->keys, .region = REGION, .next = next_handler, .next_ud = NULL};
    if (seg_sim_auth_new(&ac, &f->auth))
        return -1;
    struct seg_httpd_config hc = {.max_body = 4096,
                                  .handler = seg_sim_auth_handle,
                                  .too_large = seg_sim_auth_too_large,
                                  .handler_ud = f->auth,
                                  .log = quiet};
    struct seg_errmsg err;
    if (seg_httpd_start(&hc, &f->httpd, &err)) {
        fprintf(stderr, "%s\n", err.text);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    seg_httpd_free(f->httpd);
    seg_sim_auth_free(f->auth);
    seg_sim_keystore_free(f->keys);
    free(f);
    return 0;
}

/* ---- building, signing and sending requests ---- */

struct call {
    enum seg_aws_service svc;
    const char *secret;  /* NULL: the right one */
    const char *akid;    /* NULL: the right one */
    const char *service; /* signing name; NULL: the service's own */
    const char *region;  /* NULL: REGION */
    time_t skew;         /* added to now for the signature date */
    bool unsigned_req;   /* send without Authorization */
    bool tamper;         /* change the body after signing */
    bool bogus_auth;     /* replace Authorization with an unparseable one */
    size_t body_len;     /* 0: a small default body */
};

struct answer {
    long status;
    struct seg_buf body;
    char ctype[128];
    char etype[256];
    char rid_json[128]; /* x-amzn-RequestId */
    char rid_s3[128];   /* x-amz-request-id */
    bool date;
    struct seg_aws_error err;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    return seg_buf_add(&a->body, p, size * n) == SEG_OK ? size * n : 0;
}

static void header_value(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t'))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(out, cap, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;
    size_t len = size * n;
    header_value(p, len, "Content-Type", a->ctype, sizeof a->ctype);
    header_value(p, len, "X-Amzn-ErrorType", a->etype, sizeof a->etype);
    header_value(p, len, "x-amzn-RequestId", a->rid_json, sizeof a->rid_json);
    header_value(p, len, "x-amz-request-id", a->rid_s3, sizeof a->rid_s3);
    if (len > 5 && strncasecmp(p, "Date:", 5) == 0)
        a->date = true;
    return len;
}

static void build(struct seg_http_req *req, const struct call *c, uint16_t port)
{
    seg_http_req_init(req);
    char host[64];
    snprintf(host, sizeof host, "127.0.0.1:%u", port);
    const char *body = NULL;
    switch (c->svc) {
    case SEG_AWS_S3:
        assert_int_equal(seg_http_req_set_target(req, "PUT",
                                                 "/site1-simulatedbucket/image_capture_"
                                                 "2026-09-01_12-00-00.jpg"),
                         SEG_OK);
        body = "\xff\xd8\xff\xe0 not really a jpeg";
        break;
    case SEG_AWS_LAMBDA:
        /* A partial ARN: %3A is double-encoded in Lambda's canonical URI. */
        assert_int_equal(
            seg_http_req_set_target(req, "POST",
                                    "/2015-03-31/functions/123456789012%3Afunction%3Asite1/"
                                    "invocations?Qualifier=%24LATEST"),
            SEG_OK);
        seg_http_req_add_header(req, "X-Amz-Invocation-Type", "RequestResponse");
        body = "{\"Records\":[]}";
        break;
    case SEG_AWS_LOGS:
        assert_int_equal(seg_http_req_set_target(req, "POST", "/"), SEG_OK);
        seg_http_req_add_header(req, "Content-Type", "application/x-amz-json-1.1");
        seg_http_req_add_header(req, "X-Amz-Target", "Logs_20140328.FilterLogEvents");
        body = "{\"logGroupName\":\"/aws/lambda/site1-lambdafunction\",\"limit\":100}";
        break;
    case SEG_AWS__SERVICES:
        fail();
    }
    seg_http_req_add_header(req, "Host", host);
    if (c->body_len) {
        char *big = malloc(c->body_len);
        memset(big, '{', c->body_len);
        seg_http_req_set_body(req, big, c->body_len);
        free(big);
    } else {
        seg_http_req_set_body(req, body, strlen(body));
    }
}

static void sign(struct seg_http_req *req, const struct call *c)
{
    struct seg_sigv4_creds creds = {
        .access_key_id = c->akid ? c->akid : SEG_SIM_TEST_ACCESS_KEY_ID,
        .secret_access_key = c->secret ? c->secret : SEG_SIM_TEST_SECRET_ACCESS_KEY,
    };
    struct seg_sigv4_params p = {
        .region = c->region ? c->region : REGION,
        .service = c->service ? c->service : seg_aws_service_name(c->svc),
        .flags = seg_aws_service_sigv4_flags(c->svc),
        .when = time(NULL) + c->skew,
    };
    assert_int_equal(seg_sigv4_sign(req, &creds, &p, NULL, NULL), SEG_OK);
}

static void send_req(struct fixture *f, const struct seg_http_req *req, struct answer *a)
{
    memset(a, 0, sizeof *a);
    seg_buf_init(&a->body, 0);
    char url[1024];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s%s%s", seg_httpd_port(f->httpd), req->path,
             req->query ? "?" : "", req->query ? req->query : "");
    CURL *c = curl_easy_init();
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    hl = curl_slist_append(hl, "Accept:");
    hl = curl_slist_append(hl, "Content-Type:");
    for (size_t i = 0; i < req->nheaders; i++) {
        char line[2048];
        snprintf(line, sizeof line, "%s: %s", req->headers[i].name, req->headers[i].value);
        hl = curl_slist_append(hl, line);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(10000 * seg_test_time_scale()));
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    assert_int_equal(
        seg_aws_error_parse((int)a->status, a->ctype, a->etype, a->body.data, a->body.len, &a->err),
        SEG_OK);
    /* Every answer carries its service's request id header and a Date. */
    assert_true(a->date);
}

static void do_call(struct fixture *f, const struct call *c, struct answer *a)
{
    struct seg_http_req req;
    build(&req, c, seg_httpd_port(f->httpd));
    if (!c->unsigned_req)
        sign(&req, c);
    if (c->tamper)
        req.body[0] ^= 0x01;
    if (c->bogus_auth)
        seg_http_req_set_header(&req, "Authorization", "AWS4-HMAC-SHA256 Credential=broken");
    send_req(f, &req, a);
    seg_http_req_release(&req);
    const char *rid = c->svc == SEG_AWS_S3 ? a->rid_s3 : a->rid_json;
    assert_true(strlen(rid) > 0);
    if (c->svc == SEG_AWS_S3 && a->status >= 400)
        assert_string_equal(a->err.request_id, a->rid_s3); /* body and header agree */
}

static void answer_release(struct answer *a)
{
    seg_buf_release(&a->body);
}

static void expect_error(struct fixture *f, const struct call *c, long status, const char *code,
                         const char *message_prefix)
{
    struct answer a;
    int before = calls();
    do_call(f, c, &a);
    if (a.status != status || strcmp(a.err.code, code) != 0)
        fprintf(stderr, "svc %s: got %ld %s (%s)\n", seg_aws_service_name(c->svc), a.status,
                a.err.code, a.err.message);
    assert_int_equal(a.status, status);
    assert_string_equal(a.err.code, code);
    if (message_prefix)
        assert_int_equal(strncmp(a.err.message, message_prefix, strlen(message_prefix)), 0);
    assert_int_equal(calls(), before); /* the handler never saw it */
    if (c->svc == SEG_AWS_LAMBDA)
        assert_string_equal(a.etype, code);
    if (c->svc == SEG_AWS_LOGS)
        assert_string_equal(a.ctype, "application/x-amz-json-1.1");
    if (c->svc == SEG_AWS_S3)
        assert_string_equal(a.ctype, "application/xml");
    answer_release(&a);
}

/* ---- integration ---- */

static void test_valid(void **state)
{
    struct fixture *f = *state;
    for (int s = 0; s < SEG_AWS__SERVICES; s++) {
        struct call c = {.svc = (enum seg_aws_service)s};
        struct answer a;
        int before = calls();
        do_call(f, &c, &a);
        assert_int_equal(a.status, 200);
        assert_int_equal(calls(), before + 1);
        char want[32];
        snprintf(want, sizeof want, "authed %s", seg_aws_service_name(c.svc));
        assert_string_equal(a.body.data, want);
        assert_int_equal(a.err.cls, SEG_AWS_CLASS_NONE);
        answer_release(&a);
    }
    /* The same within the allowed skew, either way. */
    struct call early = {.svc = SEG_AWS_LOGS, .skew = -240};
    struct call late = {.svc = SEG_AWS_S3, .skew = 240};
    struct answer a;
    do_call(f, &early, &a);
    assert_int_equal(a.status, 200);
    answer_release(&a);
    do_call(f, &late, &a);
    assert_int_equal(a.status, 200);
    answer_release(&a);
}

static void test_wrong_secret(void **state)
{
    struct fixture *f = *state;
    const char *bad = "wrongwrongwrongwrongwrongwrongwrongwrong";
    struct call s3 = {.svc = SEG_AWS_S3, .secret = bad};
    struct call lambda = {.svc = SEG_AWS_LAMBDA, .secret = bad};
    struct call logs = {.svc = SEG_AWS_LOGS, .secret = bad};
    expect_error(f, &s3, 403, "SignatureDoesNotMatch",
                 "The request signature we calculated does not match the signature you "
                 "provided. Check your key and signing method.");
    expect_error(f, &lambda, 403, "InvalidSignatureException",
                 "The request signature we calculated does not match");
    expect_error(f, &logs, 400, "InvalidSignatureException",
                 "The request signature we calculated does not match");

    /* The JSON services explain with the canonical request, S3 with its own elements. */
    struct answer a;
    do_call(f, &lambda, &a);
    assert_non_null(strstr(a.body.data, "Canonical String for this request"));
    assert_non_null(strstr(a.body.data, "%253A")); /* double-encoded ARN colons */
    assert_null(strstr(a.body.data, SEG_SIM_TEST_SECRET_ACCESS_KEY));
    assert_int_equal(a.err.cls, SEG_AWS_CLASS_AUTH);
    answer_release(&a);
    do_call(f, &s3, &a);
    assert_non_null(strstr(a.body.data, "<CanonicalRequest>PUT\n/site1-simulatedbucket/"));
    assert_non_null(strstr(a.body.data, "<AWSAccessKeyId>" SEG_SIM_TEST_ACCESS_KEY_ID));
    assert_non_null(strstr(a.body.data, "<SignatureProvided>"));
    assert_null(strstr(a.body.data, SEG_SIM_TEST_SECRET_ACCESS_KEY));
    answer_release(&a);
}

static void test_unknown_key(void **state)
{
    struct fixture *f = *state;
    const char *id = "AKIAUNKNOWNKEY000000";
    struct call s3 = {.svc = SEG_AWS_S3, .akid = id};
    struct call lambda = {.svc = SEG_AWS_LAMBDA, .akid = id};
    struct call logs = {.svc = SEG_AWS_LOGS, .akid = id};
    expect_error(f, &s3, 403, "InvalidAccessKeyId",
                 "The AWS Access Key Id you provided does not exist in our records.");
    expect_error(f, &lambda, 403, "UnrecognizedClientException",
                 "The security token included in the request is invalid.");
    expect_error(f, &logs, 400, "UnrecognizedClientException",
                 "The security token included in the request is invalid.");
}

static void test_stale_date(void **state)
{
    struct fixture *f = *state;
    struct call s3 = {.svc = SEG_AWS_S3, .skew = -600};
    struct call lambda = {.svc = SEG_AWS_LAMBDA, .skew = -600};
    struct call logs = {.svc = SEG_AWS_LOGS, .skew = -600};
    struct call future = {.svc = SEG_AWS_LOGS, .skew = 600};
    expect_error(f, &s3, 403, "RequestTimeTooSkewed",
                 "The difference between the request time and the current time is too large.");
    expect_error(f, &lambda, 403, "InvalidSignatureException", "Signature expired: ");
    expect_error(f, &logs, 400, "InvalidSignatureException", "Signature expired: ");
    expect_error(f, &future, 400, "InvalidSignatureException", "Signature not yet current: ");
    struct answer a;
    do_call(f, &logs, &a);
    assert_true(seg_aws_error_is_clock_skew(&a.err));
    assert_non_null(strstr(a.err.message, " - 5 min.)"));
    answer_release(&a);
    do_call(f, &s3, &a);
    assert_true(seg_aws_error_is_clock_skew(&a.err));
    assert_non_null(strstr(a.body.data, "<MaxAllowedSkewMilliseconds>300000<"));
    answer_release(&a);
}

static void test_tampered_body(void **state)
{
    struct fixture *f = *state;
    struct call s3 = {.svc = SEG_AWS_S3, .tamper = true};
    struct call lambda = {.svc = SEG_AWS_LAMBDA, .tamper = true};
    struct call logs = {.svc = SEG_AWS_LOGS, .tamper = true};
    expect_error(f, &s3, 400, "XAmzContentSHA256Mismatch",
                 "The provided 'x-amz-content-sha256' header does not match what was computed.");
    expect_error(f, &lambda, 403, "InvalidSignatureException",
                 "The request signature we calculated does not match");
    expect_error(f, &logs, 400, "InvalidSignatureException",
                 "The request signature we calculated does not match");
}

static void test_unsigned_and_scope(void **state)
{
    struct fixture *f = *state;
    struct call s3 = {.svc = SEG_AWS_S3, .unsigned_req = true};
    struct call lambda = {.svc = SEG_AWS_LAMBDA, .unsigned_req = true};
    struct call logs = {.svc = SEG_AWS_LOGS, .unsigned_req = true};
    expect_error(f, &s3, 403, "AccessDenied", "Access Denied");
    expect_error(f, &lambda, 403, "MissingAuthenticationTokenException",
                 "Missing Authentication Token");
    expect_error(f, &logs, 400, "MissingAuthenticationTokenException",
                 "Missing Authentication Token");

    struct call bad_s3 = {.svc = SEG_AWS_S3, .bogus_auth = true};
    struct call bad_logs = {.svc = SEG_AWS_LOGS, .bogus_auth = true};
    struct call bad_lambda = {.svc = SEG_AWS_LAMBDA, .bogus_auth = true};
    expect_error(f, &bad_s3, 400, "AuthorizationHeaderMalformed",
                 "The authorization header is malformed; ");
    expect_error(f, &bad_logs, 400, "IncompleteSignatureException", NULL);
    expect_error(f, &bad_lambda, 403, "IncompleteSignatureException", NULL);

    /* A valid signature for another service or region is still refused. */
    struct call svc = {.svc = SEG_AWS_S3, .service = "lambda"};
    expect_error(f, &svc, 400, "AuthorizationHeaderMalformed",
                 "The authorization header is malformed; incorrect service");
    struct call region = {.svc = SEG_AWS_LAMBDA, .region = "us-east-1"};
    expect_error(f, &region, 403, "InvalidSignatureException",
                 "Credential should be scoped to a valid region.");
    struct call region_s3 = {.svc = SEG_AWS_S3, .region = "us-east-1"};
    expect_error(f, &region_s3, 400, "AuthorizationHeaderMalformed",
                 "The authorization header is malformed; the region 'us-east-1' is wrong");
}

static void test_too_large(void **state)
{
    struct fixture *f = *state;
    struct call s3 = {.svc = SEG_AWS_S3, .body_len = 5000};
    struct call lambda = {.svc = SEG_AWS_LAMBDA, .body_len = 5000};
    struct call logs = {.svc = SEG_AWS_LOGS, .body_len = 5000};
    expect_error(f, &s3, 400, "EntityTooLarge", NULL);
    expect_error(f, &lambda, 413, "RequestTooLargeException", NULL);
    expect_error(f, &logs, 400, "InvalidParameterException", "Upload too large: 5000 bytes");
}

static void test_counters(void **state)
{
    struct fixture *f = *state;
    struct seg_sim_auth_counters k;
    seg_sim_auth_counters(f->auth, &k);
    /* Whatever ran before: at least the valid ones were accepted and the rest refused. */
    assert_true(k.accepted >= 5);
    assert_true(k.rejected >= 20);
    assert_int_equal(k.accepted, (uint64_t)calls());
}

/* ---- units ---- */

static void test_classify(void **state)
{
    (void)state;
    struct {
        const char *target;
        const char *amz_target;
        enum seg_aws_service want;
    } cases[] = {
        {"/", "Logs_20140328.FilterLogEvents", SEG_AWS_LOGS},
        {"/2015-03-31/functions/f/invocations", "Logs_20140328.X", SEG_AWS_LOGS},
        {"/2015-03-31/functions/f/invocations", NULL, SEG_AWS_LAMBDA},
        {"/2016-08-19/account-settings/", NULL, SEG_AWS_LAMBDA},
        {"/2017-10-31/functions/f/concurrency", NULL, SEG_AWS_LAMBDA},
        {"/2019-09-30/functions/f/concurrency", NULL, SEG_AWS_LAMBDA},
        {"/2015-03-31", NULL, SEG_AWS_LAMBDA},
        {"/2015-03-311/x", NULL, SEG_AWS_S3},
        {"/site1-simulatedbucket/key.jpg", NULL, SEG_AWS_S3},
        {"/", NULL, SEG_AWS_S3},
        {"/?list-type=2", NULL, SEG_AWS_S3},
    };
    for (size_t i = 0; i < SEG_ARRAY_LEN(cases); i++) {
        struct seg_http_req req;
        seg_http_req_init(&req);
        assert_int_equal(seg_http_req_set_target(&req, "POST", cases[i].target), SEG_OK);
        if (cases[i].amz_target)
            seg_http_req_add_header(&req, "x-amz-target", cases[i].amz_target);
        assert_int_equal(seg_sim_classify(&req), cases[i].want);
        seg_http_req_release(&req);
    }
    assert_int_equal(seg_aws_service_sigv4_flags(SEG_AWS_S3), SEG_SIGV4_FLAGS_S3);
    assert_int_equal(seg_aws_service_sigv4_flags(SEG_AWS_LAMBDA), SEG_SIGV4_FLAGS_LAMBDA);
    assert_int_equal(seg_aws_service_sigv4_flags(SEG_AWS_LOGS), SEG_SIGV4_FLAGS_LOGS);
}

static void test_keystore(void **state)
{
    (void)state;
    assert_int_equal(strlen(SEG_SIM_TEST_SECRET_ACCESS_KEY), 40);
    char secret[256];
    struct seg_sim_keystore *ks = NULL;
    struct seg_errmsg err = {{0}};

    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    assert_int_equal(seg_sim_keystore_new_default(&ks, &err), SEG_OK);
    assert_true(seg_sim_keystore_is_builtin(ks));
    assert_string_equal(seg_sim_keystore_access_key_id(ks), SEG_SIM_TEST_ACCESS_KEY_ID);
    assert_true(seg_sim_keystore_lookup(ks, SEG_SIM_TEST_ACCESS_KEY_ID, secret, sizeof secret));
    assert_string_equal(secret, SEG_SIM_TEST_SECRET_ACCESS_KEY);
    assert_false(seg_sim_keystore_lookup(ks, "nope", secret, sizeof secret));
    assert_false(seg_sim_keystore_lookup(ks, SEG_SIM_TEST_ACCESS_KEY_ID, secret, 10));
    seg_sim_keystore_free(ks);

    setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    assert_int_equal(seg_sim_keystore_new_default(&ks, &err), SEG_OK);
    assert_false(seg_sim_keystore_is_builtin(ks));
    assert_string_equal(seg_sim_keystore_access_key_id(ks), "AKIDFROMENVIRONMENT1");
    assert_false(seg_sim_keystore_lookup(ks, SEG_SIM_TEST_ACCESS_KEY_ID, secret, sizeof secret));
    assert_true(seg_sim_keystore_lookup(ks, "AKIDFROMENVIRONMENT1", secret, sizeof secret));
    assert_string_equal(secret, "envsecret");
    seg_sim_keystore_free(ks);

    unsetenv("AWS_SECRET_ACCESS_KEY");
    ks = NULL;
    assert_int_equal(seg_sim_keystore_new_default(&ks, &err), SEG_ERR_INVALID);
    assert_null(ks);
    assert_non_null(strstr(err.text, "AWS_SECRET_ACCESS_KEY"));
    unsetenv("AWS_ACCESS_KEY_ID");

    ks = seg_sim_keystore_new();
    assert_null(seg_sim_keystore_access_key_id(ks));
    assert_int_equal(seg_sim_keystore_add(ks, "", "x"), SEG_ERR_INVALID);
    assert_int_equal(seg_sim_keystore_add(ks, "a", ""), SEG_ERR_INVALID);
    char longid[200];
    memset(longid, 'A', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    assert_int_equal(seg_sim_keystore_add(ks, longid, "x"), SEG_ERR_INVALID);
    for (int i = 0; i < SEG_SIM_KEYSTORE_MAX; i++) {
        char id[16];
        snprintf(id, sizeof id, "K%d", i);
        assert_int_equal(seg_sim_keystore_add(ks, id, "s"), SEG_OK);
    }
    assert_int_equal(seg_sim_keystore_add(ks, "more", "s"), SEG_ERR_TOOBIG);
    assert_true(seg_sim_keystore_lookup(ks, "K7", secret, sizeof secret));
    seg_sim_keystore_free(ks);
    seg_sim_keystore_free(NULL);
}

static void test_render(void **state)
{
    (void)state;
    struct seg_httpd_response resp;
    seg_httpd_response_init(&resp);
    const struct seg_sim_error_field fields[] = {{"Key", "a<b>&\"c'\x01"}};
    struct seg_sim_error e = {.status = 404,
                              .code = "NoSuchKey",
                              .message = "The specified key does not exist.",
                              .fields = fields,
                              .nfields = 1};
    seg_sim_error_render(SEG_AWS_S3, &e, &resp);
    assert_int_equal(resp.status, 404);
    const char *rid = seg_httpd_response_header(&resp, "x-amz-request-id");
    assert_non_null(rid);
    assert_int_equal(strlen(rid), 16);
    assert_non_null(seg_httpd_response_header(&resp, "x-amz-id-2"));
    char *body = calloc(1, resp.body_len + 1);
    memcpy(body, resp.body, resp.body_len);
    assert_non_null(strstr(body, "<Key>a&lt;b&gt;&amp;&quot;c&apos;</Key>"));
    struct seg_aws_error pe;
    assert_int_equal(seg_aws_error_parse(404, "application/xml", NULL, body, strlen(body), &pe),
                     SEG_OK);
    assert_string_equal(pe.code, "NoSuchKey");
    assert_string_equal(pe.request_id, rid);
    free(body);
    seg_httpd_response_release(&resp);

    /* Lambda: type header, {"Type","message"}; a 5xx is a "Service" fault. */
    seg_httpd_response_init(&resp);
    e = (struct seg_sim_error){.status = 500, .code = "ServiceException", .message = "q\"\n"};
    seg_sim_error_render(SEG_AWS_LAMBDA, &e, &resp);
    assert_string_equal(seg_httpd_response_header(&resp, "X-Amzn-ErrorType"), "ServiceException");
    assert_int_equal(strlen(seg_httpd_response_header(&resp, "x-amzn-RequestId")), 36);
    assert_int_equal(resp.body_len, strlen("{\"Type\":\"Service\",\"message\":\"q\\\"\\n\"}"));
    assert_memory_equal(resp.body, "{\"Type\":\"Service\",\"message\":\"q\\\"\\n\"}",
                        resp.body_len);
    seg_httpd_response_release(&resp);

    /* Logs: exactly the 58-byte throttle body of aws-wire.md §2.7. */
    seg_httpd_response_init(&resp);
    seg_httpd_response_add_header(&resp, "x-amzn-RequestId", "fixed-id");
    e = (struct seg_sim_error){
        .status = 400, .code = "ThrottlingException", .message = "Rate exceeded"};
    seg_sim_error_render(SEG_AWS_LOGS, &e, &resp);
    assert_int_equal(resp.body_len, 58);
    assert_memory_equal(resp.body,
                        "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}", 58);
    assert_string_equal(seg_httpd_response_header(&resp, "x-amzn-RequestId"), "fixed-id");
    seg_httpd_response_release(&resp);

    char a[SEG_SIM_REQUEST_ID_SIZE], b[SEG_SIM_REQUEST_ID_SIZE];
    seg_sim_request_id_new(SEG_AWS_LOGS, a);
    seg_sim_request_id_new(SEG_AWS_LOGS, b);
    assert_string_not_equal(a, b);
    assert_int_equal(a[14], '4');
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest units[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_keystore),
        cmocka_unit_test(test_render),
    };
    const struct CMUnitTest wire[] = {
        cmocka_unit_test(test_valid),         cmocka_unit_test(test_wrong_secret),
        cmocka_unit_test(test_unknown_key),   cmocka_unit_test(test_stale_date),
        cmocka_unit_test(test_tampered_body), cmocka_unit_test(test_unsigned_and_scope),
        cmocka_unit_test(test_too_large),     cmocka_unit_test(test_counters),
    };
    int rc = cmocka_run_group_tests_name("sim.auth units", units, NULL, NULL);
    rc |= cmocka_run_group_tests_name("sim.auth wire", wire, setup, teardown);
    curl_global_cleanup();
    return rc;
}
