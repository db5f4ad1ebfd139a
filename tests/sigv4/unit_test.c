/* SigV4 unit tests: AWS's published vectors (aws-wire.md §1.3, §1.9), the URI rules, and
 * every verifier verdict. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "aws/sigv4.h"
#include "aws/sigv4_internal.h"
#include "aws/uri.h"
#include "http/request.h"
#include "seg_test.h"
#include "util/buf.h"
#include "util/crypto.h"

#define SUITE_AKID   "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define S3_AKID      "AKIAIOSFODNN7EXAMPLE"
#define S3_SECRET    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EMPTY_SHA    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define T_SUITE      ((time_t)1440938160) /* 2015-08-30T12:36:00Z */
#define T_S3         ((time_t)1369353600) /* 2013-05-24T00:00:00Z */

/* ---- helpers ----------------------------------------------------------------------- */

static struct seg_http_req make_req(const char *method, const char *target, const char *host)
{
    struct seg_http_req r;
    seg_http_req_init(&r);
    assert_int_equal(seg_http_req_set_target(&r, method, target), SEG_OK);
    seg_http_req_add_header(&r, "Host", host);
    return r;
}

struct trace_got {
    char *cr, *sts;
};

static void trace_cb(void *ud, const char *cr, const char *sts)
{
    struct trace_got *t = ud;
    free(t->cr);
    free(t->sts);
    t->cr = strdup(cr);
    t->sts = strdup(sts);
}

static void trace_release(struct trace_got *t)
{
    free(t->cr);
    free(t->sts);
    t->cr = t->sts = NULL;
}

/* The Signature= hex of a signed request. */
static const char *sig_of(const struct seg_http_req *r)
{
    const char *auth = seg_http_req_header(r, "authorization");
    assert_non_null(auth);
    const char *s = strstr(auth, "Signature=");
    assert_non_null(s);
    return s + strlen("Signature=");
}

static char *canon_uri(const char *path, unsigned flags)
{
    struct seg_buf b;
    seg_buf_init(&b, 0);
    assert_int_equal(seg_sigv4_canonical_uri(&b, path, flags), SEG_OK);
    return seg_buf_detach(&b, NULL);
}

static char *canon_query(const char *q)
{
    struct seg_buf b;
    seg_buf_init(&b, 0);
    assert_int_equal(seg_sigv4_canonical_query(&b, q), SEG_OK);
    return seg_buf_detach(&b, NULL);
}

#define ASSERT_URI(path, flags, want)            \
    do {                                         \
        char *got_ = canon_uri((path), (flags)); \
        assert_string_equal(got_, (want));       \
        free(got_);                              \
    } while (0)

#define ASSERT_QUERY(q, want)              \
    do {                                   \
        char *got_ = canon_query(q);       \
        assert_string_equal(got_, (want)); \
        free(got_);                        \
    } while (0)

/* ---- published vectors ------------------------------------------------------------- */

static void test_vanilla_vector(void **state)
{
    (void)state;
    struct seg_http_req r = make_req("GET", "/", "example.amazonaws.com");
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, NULL};
    struct seg_sigv4_params params = {"us-east-1", "service", 0, T_SUITE};
    struct trace_got got = {0};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, trace_cb, &got), SEG_OK);
    assert_string_equal(got.cr, "GET\n/\n\nhost:example.amazonaws.com\n"
                                "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA);
    char h[65];
    seg_sha256_hex(got.cr, strlen(got.cr), h);
    assert_string_equal(h, "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    assert_string_equal(got.sts,
                        "AWS4-HMAC-SHA256\n20150830T123600Z\n"
                        "20150830/us-east-1/service/aws4_request\n"
                        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    assert_string_equal(
        seg_http_req_header(&r, "authorization"),
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    assert_string_equal(seg_http_req_header(&r, "x-amz-date"), "20150830T123600Z");
    trace_release(&got);
    seg_http_req_release(&r);
}

static void test_signing_key(void **state)
{
    (void)state;
    unsigned char key[SEG_SHA256_LEN];
    char hex[65];
    seg_sigv4_signing_key(SUITE_SECRET, "20150830", "us-east-1", "service", key);
    seg_hex_lower(key, sizeof key, hex);
    assert_string_equal(hex, "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75");
}

static void test_s3_put_object(void **state)
{
    (void)state;
    /* The S3 API reference example; '$' is sent raw or as %24, both canonicalise to %24. */
    const char *targets[] = {"/test$file.text", "/test%24file.text"};
    for (size_t i = 0; i < 2; i++) {
        struct seg_http_req r = make_req("PUT", targets[i], "examplebucket.s3.amazonaws.com");
        seg_http_req_add_header(&r, "Date", "Fri, 24 May 2013 00:00:00 GMT");
        seg_http_req_add_header(&r, "x-amz-storage-class", "REDUCED_REDUNDANCY");
        seg_http_req_set_body(&r, "Welcome to Amazon S3.", 21);
        struct seg_sigv4_creds creds = {S3_AKID, S3_SECRET, NULL};
        struct seg_sigv4_params params = {"us-east-1", "s3", SEG_SIGV4_FLAGS_S3, T_S3};
        struct trace_got got = {0};
        assert_int_equal(seg_sigv4_sign(&r, &creds, &params, trace_cb, &got), SEG_OK);
        assert_string_equal(seg_http_req_header(&r, "x-amz-content-sha256"),
                            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
        assert_non_null(strstr(got.cr, "PUT\n/test%24file.text\n\n"));
        assert_non_null(
            strstr(got.cr, "\ndate;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"));
        char h[65];
        seg_sha256_hex(got.cr, strlen(got.cr), h);
        assert_string_equal(h, "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
        assert_string_equal(sig_of(&r),
                            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
        trace_release(&got);
        seg_http_req_release(&r);
    }
}

static void test_s3_get_object(void **state)
{
    (void)state;
    struct seg_http_req r = make_req("GET", "/test.txt", "examplebucket.s3.amazonaws.com");
    seg_http_req_add_header(&r, "Range", "bytes=0-9");
    struct seg_sigv4_creds creds = {S3_AKID, S3_SECRET, NULL};
    struct seg_sigv4_params params = {"us-east-1", "s3", SEG_SIGV4_FLAGS_S3, T_S3};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    assert_string_equal(seg_http_req_header(&r, "x-amz-content-sha256"), EMPTY_SHA);
    assert_non_null(strstr(seg_http_req_header(&r, "authorization"),
                           "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"));
    assert_string_equal(sig_of(&r),
                        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    seg_http_req_release(&r);
}

static void test_lambda_double_encode(void **state)
{
    (void)state;
    struct seg_http_req r =
        make_req("POST",
                 "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A892717189312%3Afunction%3A"
                 "my-rusty-fun/invocations",
                 "lambda.us-east-2.amazonaws.com");
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, NULL};
    struct seg_sigv4_params params = {"us-east-2", "lambda", SEG_SIGV4_FLAGS_LAMBDA,
                                      (time_t)1620747645}; /* 2021-05-11T15:40:45Z */
    struct trace_got got = {0};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, trace_cb, &got), SEG_OK);
    assert_non_null(strstr(got.cr,
                           "\n/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-west-2"
                           "%253A892717189312%253Afunction%253Amy-rusty-fun/invocations\n"));
    assert_string_equal(sig_of(&r),
                        "4b93abbcc68be32bd64c18e2c71150660ab4c29bbd6c32a383a7517a88fc1804");
    trace_release(&got);
    seg_http_req_release(&r);
}

static void test_session_token(void **state)
{
    (void)state;
    const char *token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    struct seg_http_req r = make_req("GET", "/", "example.amazonaws.com");
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, token};
    struct seg_sigv4_params params = {"us-east-1", "service", 0, T_SUITE};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    assert_non_null(strstr(seg_http_req_header(&r, "authorization"),
                           "SignedHeaders=host;x-amz-date;x-amz-security-token, "));
    assert_string_equal(sig_of(&r),
                        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
    assert_string_equal(seg_http_req_header(&r, "x-amz-security-token"), token);
    /* Re-signing (a retry) replaces, never duplicates, what the signer added. */
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    size_t n = 0;
    for (size_t i = 0; i < r.nheaders; i++)
        n += strcasecmp(r.headers[i].name, "x-amz-security-token") == 0 ||
             strcasecmp(r.headers[i].name, "authorization") == 0 ||
             strcasecmp(r.headers[i].name, "x-amz-date") == 0;
    assert_int_equal(n, 3);
    assert_string_equal(sig_of(&r),
                        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
    seg_http_req_release(&r);
}

/* ---- URI rules --------------------------------------------------------------------- */

static void test_uri_encode_decode(void **state)
{
    (void)state;
    struct seg_buf b;
    seg_buf_init(&b, 0);
    const char all[] = "AZaz09-._~ /:%+\xe1\x88\xb4";
    assert_int_equal(seg_uri_encode(&b, all, strlen(all), false), SEG_OK);
    assert_string_equal(b.data, "AZaz09-._~%20%2F%3A%25%2B%E1%88%B4");
    seg_buf_reset(&b);
    assert_int_equal(seg_uri_encode(&b, all, strlen(all), true), SEG_OK);
    assert_string_equal(b.data, "AZaz09-._~%20/%3A%25%2B%E1%88%B4");
    seg_buf_reset(&b);
    assert_int_equal(seg_uri_encode(&b, "", 0, false), SEG_OK);
    assert_int_equal(b.len, 0);
    /* Decode: %XX in either case; a broken escape and '+' stay literal; NUL survives. */
    const char enc[] = "a%20b%2fc+%zz%4%e1%88%B4%00x%";
    assert_int_equal(seg_uri_decode(&b, enc, strlen(enc)), SEG_OK);
    assert_int_equal(b.len, 17);
    assert_memory_equal(b.data, "a b/c+%zz%4\xe1\x88\xb4\0x%", 17);
    seg_buf_reset(&b);
    /* Wire form: valid escapes kept as sent, anything else encoded. */
    const char wire[] = "/a b/%3a%3A%G1%/~\xc3\xa9";
    assert_int_equal(seg_uri_encode_wire(&b, wire, strlen(wire)), SEG_OK);
    assert_string_equal(b.data, "/a%20b/%3a%3A%25G1%25/~%C3%A9");
    seg_buf_release(&b);
    assert_true(seg_uri_is_unreserved('~'));
    assert_false(seg_uri_is_unreserved('/'));
    assert_false(seg_uri_is_unreserved(0x80));
}

static void test_uri_normalize(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"/", "/"},
        {"", "/"},
        {"//", "/"},
        {"//example//", "/example/"},
        {"/example/..", "/"},
        {"/example/../", "/"},
        {"/example1/example2/../..", "/"},
        {"/./", "/"},
        {"/./example", "/example"},
        {"/a/./b/../c/", "/a/c/"},
        {"/a/b/.", "/a/b"},
        {"/../../a", "/a"},
        {"/a/%2E%2E/b", "/a/%2E%2E/b"}, /* encoded dots are not dots */
        {"/a..b/.c/..d", "/a..b/.c/..d"},
        {"a/..", "/"},
    };
    struct seg_buf b;
    seg_buf_init(&b, 0);
    for (size_t i = 0; i < SEG_ARRAY_LEN(cases); i++) {
        seg_buf_reset(&b);
        assert_int_equal(seg_uri_normalize_path(&b, cases[i][0], strlen(cases[i][0])), SEG_OK);
        if (strcmp(b.data, cases[i][1]) != 0)
            fail_msg("normalize(%s) = %s, want %s", cases[i][0], b.data, cases[i][1]);
    }
    seg_buf_release(&b);
}

static void test_canonical_uri_flags(void **state)
{
    (void)state;
    ASSERT_URI(NULL, 0, "/");
    ASSERT_URI("", SEG_SIGV4_FLAGS_LAMBDA, "/");
    ASSERT_URI("//a/./b%3A/", 0, "//a/./b%3A/");
    ASSERT_URI("//a/./b%3A/", SEG_SIGV4_NORMALIZE_PATH, "/a/b%3A/");
    ASSERT_URI("//a/./b%3A/", SEG_SIGV4_DOUBLE_ENCODE, "//a/./b%253A/");
    ASSERT_URI("//a/./b%3A/", SEG_SIGV4_FLAGS_LAMBDA, "/a/b%253A/");
    ASSERT_URI("/my-fn%3Aprod", SEG_SIGV4_FLAGS_LOGS, "/my-fn%253Aprod");
    ASSERT_URI("/example space/", SEG_SIGV4_FLAGS_S3, "/example%20space/");
    ASSERT_URI("/example space/", SEG_SIGV4_FLAGS_LAMBDA, "/example%20space/");
    ASSERT_URI("/\xe1\x88\xb4", 0, "/%E1%88%B4");
    ASSERT_URI("/my-object//example//photo.user", SEG_SIGV4_FLAGS_S3,
               "/my-object//example//photo.user");
}

static void test_canonical_query(void **state)
{
    (void)state;
    ASSERT_QUERY(NULL, "");
    ASSERT_QUERY("", "");
    ASSERT_QUERY("Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
                 "%E1%88%B4=Value1&Param=Value2&Param-3=Value3");
    ASSERT_QUERY("Param2=value2&Param1=value1", "Param1=value1&Param2=value2");
    ASSERT_QUERY("b=2&a&a=&c=x=y", "a=&a=&b=2&c=x%3Dy");
    ASSERT_QUERY("k=b&k=a&K=c&k=", "K=c&k=&k=a&k=b"); /* key, then value, bytewise */
    ASSERT_QUERY("a+b=c d", "a%2Bb=c%20d");           /* '+' is a literal plus */
    ASSERT_QUERY("%e1%88%b4=%7e", "%E1%88%B4=~");     /* decoded, then re-encoded */
    ASSERT_QUERY("a-b=1&a=2", "a=2&a-b=1");           /* sorted by key, not "k=v" */
    ASSERT_QUERY("x=%zz", "x=%25zz");
    /* Ruby suite's post-vanilla-query-nonunreserved (aws-wire.md §1.2). */
    ASSERT_QUERY("@#$%^&+=/,?><`\";:\\|][{}",
                 "%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D&%40%23%24%25%5E=");
}

static void test_canonical_headers(void **state)
{
    (void)state;
    struct seg_http_req r = make_req("GET", "/", "h");
    seg_http_req_add_header(&r, "My-Header1", "  b  ");
    seg_http_req_add_header(&r, "User-Agent", "curl");
    seg_http_req_add_header(&r, "Expect", "100-continue");
    seg_http_req_add_header(&r, "my-header1", "a\t\t x  \"q   r\" ");
    seg_http_req_add_header(&r, "Transfer-Encoding", "chunked");
    seg_http_req_add_header(&r, "X-Empty", "   ");
    struct seg_buf h, n;
    seg_buf_init(&h, 0);
    seg_buf_init(&n, 0);
    assert_int_equal(seg_sigv4_canonical_headers(&h, &n, &r, NULL, 0, NULL), SEG_OK);
    assert_string_equal(h.data, "host:h\nmy-header1:b,a x \"q r\"\nx-empty:\n");
    assert_string_equal(n.data, "host;my-header1;x-empty");
    /* Verifier mode: exactly the listed names, even ones the signer would skip. */
    seg_buf_reset(&h);
    seg_buf_reset(&n);
    const char *only[] = {"host", "user-agent"};
    assert_int_equal(seg_sigv4_canonical_headers(&h, &n, &r, only, 2, NULL), SEG_OK);
    assert_string_equal(h.data, "host:h\nuser-agent:curl\n");
    assert_string_equal(n.data, "host;user-agent");
    const char *absent[] = {"host", "x-nope"};
    size_t missing = 99;
    seg_buf_reset(&h);
    assert_int_equal(seg_sigv4_canonical_headers(&h, NULL, &r, absent, 2, &missing),
                     SEG_ERR_NOTFOUND);
    assert_int_equal(missing, 1);
    assert_true(seg_sigv4_header_unsigned("x-amzn-trace-id"));
    assert_false(seg_sigv4_header_unsigned("x-amz-date"));
    seg_buf_release(&h);
    seg_buf_release(&n);
    seg_http_req_release(&r);
}

static void test_dates(void **state)
{
    (void)state;
    time_t t;
    char s[17];
    assert_int_equal(seg_sigv4_parse_date("20150830T123600Z", false, &t), SEG_OK);
    assert_int_equal(t, T_SUITE);
    assert_int_equal(seg_sigv4_parse_date("Sun, 30 Aug 2015 12:36:00 GMT", true, &t), SEG_OK);
    assert_int_equal(t, T_SUITE);
    assert_int_equal(seg_sigv4_parse_date("20160229T000000Z", false, &t), SEG_OK);
    assert_int_equal(seg_sigv4_format_amz_date(t, s), SEG_OK);
    assert_string_equal(s, "20160229T000000Z");
    static const char *const bad_amz[] = {"20150229T000000Z",
                                          "20151330T000000Z",
                                          "20150830T243600Z",
                                          "20150830 123600Z",
                                          "20150830T123600",
                                          "2015083OT123600Z",
                                          "",
                                          "20150830T123600Zx"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(bad_amz); i++)
        assert_int_equal(seg_sigv4_parse_date(bad_amz[i], false, &t), SEG_ERR_PARSE);
    assert_int_equal(seg_sigv4_parse_date("Sun, 30 Foo 2015 12:36:00 GMT", true, &t),
                     SEG_ERR_PARSE);
    assert_int_equal(seg_sigv4_parse_date("Sun, 30 Aug 2015 12:36:00 UTC", true, &t),
                     SEG_ERR_PARSE);
}

/* ---- verifier ---------------------------------------------------------------------- */

static bool lookup(void *ud, const char *akid, char *secret, size_t size)
{
    (void)ud;
    const char *s = strcmp(akid, SUITE_AKID) == 0 ? SUITE_SECRET
                    : strcmp(akid, S3_AKID) == 0  ? S3_SECRET
                                                  : NULL;
    if (!s || strlen(s) >= size)
        return false;
    strcpy(secret, s);
    return true;
}

static struct seg_http_req signed_req(unsigned flags, time_t when, const char *body)
{
    struct seg_http_req r = make_req("PUT", "/bucket/key%20x?b=2&a=1", "example.amazonaws.com");
    seg_http_req_add_header(&r, "Content-Type", "application/json");
    seg_http_req_add_header(&r, "User-Agent", "segtop/0.1");
    if (body)
        seg_http_req_set_body(&r, body, strlen(body));
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, "tok"};
    struct seg_sigv4_params params = {"us-east-1", "s3", flags, when};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    return r;
}

static enum seg_sigv4_verdict verdict(const struct seg_http_req *r, unsigned flags, time_t now,
                                      char *detail, size_t size)
{
    struct seg_sigv4_verify_result res;
    assert_int_equal(seg_sigv4_verify(r, flags, now, 300, lookup, NULL, &res), SEG_OK);
    if (detail)
        snprintf(detail, size, "%s", res.detail);
    /* The server's view is only handed out on a mismatch. */
    assert_true((res.canonical_request != NULL) == (res.verdict == SEG_SIGV4_MISMATCH));
    seg_sigv4_verify_result_release(&res);
    return res.verdict;
}

static void test_verify_valid_and_mismatch(void **state)
{
    (void)state;
    struct seg_http_req r = signed_req(SEG_SIGV4_FLAGS_S3, T_SUITE, "{\"a\":1}");
    struct seg_sigv4_verify_result res;
    assert_int_equal(seg_sigv4_verify(&r, SEG_SIGV4_FLAGS_S3, T_SUITE, 300, lookup, NULL, &res),
                     SEG_OK);
    assert_int_equal(res.verdict, SEG_SIGV4_VALID);
    assert_string_equal(res.access_key_id, SUITE_AKID);
    assert_string_equal(res.region, "us-east-1");
    assert_string_equal(res.service, "s3");
    assert_string_equal(res.amz_date, "20150830T123600Z");
    seg_sigv4_verify_result_release(&res);
    seg_sigv4_verify_result_release(&res); /* idempotent */

    /* Unsigned headers may change (the user-agent is not signed); signed ones may not. */
    struct seg_http_req x;
    seg_http_req_copy(&x, &r);
    seg_http_req_set_header(&x, "User-Agent", "other");
    seg_http_req_add_header(&x, "X-Added-Later", "1");
    assert_int_equal(verdict(&x, SEG_SIGV4_FLAGS_S3, T_SUITE, NULL, 0), SEG_SIGV4_VALID);
    seg_http_req_release(&x);
    seg_http_req_copy(&x, &r);
    seg_http_req_set_header(&x, "Content-Type", "application/jsoN");
    assert_int_equal(verdict(&x, SEG_SIGV4_FLAGS_S3, T_SUITE, NULL, 0), SEG_SIGV4_MISMATCH);
    seg_http_req_release(&x);
    seg_http_req_copy(&x, &r);
    free(x.query);
    x.query = strdup("a=1&b=3");
    struct seg_sigv4_verify_result mm;
    assert_int_equal(seg_sigv4_verify(&x, SEG_SIGV4_FLAGS_S3, T_SUITE, 300, lookup, NULL, &mm),
                     SEG_OK);
    assert_int_equal(mm.verdict, SEG_SIGV4_MISMATCH);
    assert_non_null(strstr(mm.canonical_request, "\na=1&b=3\n"));
    assert_non_null(strstr(mm.string_to_sign, "AWS4-HMAC-SHA256\n20150830T123600Z\n"));
    seg_sigv4_verify_result_release(&mm);
    assert_null(mm.canonical_request);
    seg_http_req_release(&x);
    /* Canonicalisation flags must agree: the S3 signature fails under Lambda's rules. */
    assert_int_equal(verdict(&r, SEG_SIGV4_FLAGS_LAMBDA, T_SUITE, NULL, 0), SEG_SIGV4_MISMATCH);
    seg_http_req_release(&r);
}

static void test_verify_missing_malformed(void **state)
{
    (void)state;
    char d[256];
    struct seg_http_req r = signed_req(0, T_SUITE, NULL);
    struct seg_http_req x;
    seg_http_req_copy(&x, &r);
    seg_http_req_remove_header(&x, "authorization");
    assert_int_equal(verdict(&x, 0, T_SUITE, NULL, 0), SEG_SIGV4_MISSING);
    seg_http_req_release(&x);

    const char *good = seg_http_req_header(&r, "authorization");
    const char *sig = strstr(good, "Signature=") + 10;
    char auth[5000];
    /* Spacing and field-order variations SDKs emit are accepted. */
    const char *names = "content-type;host;x-amz-date;x-amz-security-token";
    for (int form = 0; form < 3; form++) {
        seg_http_req_copy(&x, &r);
        if (form == 0)
            snprintf(auth, sizeof auth,
                     "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/s3/aws4_request,"
                     "SignedHeaders=%s,Signature=%s",
                     SUITE_AKID, names, sig);
        else if (form == 1)
            snprintf(auth, sizeof auth,
                     "AWS4-HMAC-SHA256  Credential=%s/20150830/us-east-1/s3/aws4_request ,  "
                     "SignedHeaders=%s, Signature=%s",
                     SUITE_AKID, names, sig);
        else
            snprintf(auth, sizeof auth,
                     "AWS4-HMAC-SHA256 Signature=%s, SignedHeaders=%s, "
                     "Credential=%s/20150830/us-east-1/s3/aws4_request",
                     sig, names, SUITE_AKID);
        seg_http_req_set_header(&x, "Authorization", auth);
        if (verdict(&x, 0, T_SUITE, d, sizeof d) != SEG_SIGV4_VALID)
            fail_msg("form %d: %s", form, d);
        seg_http_req_release(&x);
    }
    char longv[4200];
    memset(longv, 'a', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/s3/aws4_request, "
             "SignedHeaders=%s, Signature=%s",
             SUITE_AKID, longv, sig);
    static char many[64 * 8 + 32];
    many[0] = '\0';
    for (int i = 0; i < 65; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sh%02d", i ? ";" : "", i);
    char too_many[1200];
    snprintf(too_many, sizeof too_many,
             "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/s3/aws4_request, "
             "SignedHeaders=%s, Signature=%s",
             SUITE_AKID, many, sig);
    const char *bad[] = {
        "",
        "AWS4-HMAC-SHA1 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=x",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-date",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3, SignedHeaders=host;"
        "x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015083/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=x-amz-date;host, "
        "Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=000000000000000000000000000000000000000000000000000000000000000G",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=x-amz-date, "
        "Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, "
        "Signature=0000000000000000000000000000000000000000000000000000000000000000",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=00000000000000000000000000000000000000000000"
        "00000000000000000000, Signature=0000000000000000000000000000000000000000000000000000"
        "000000000000",
        auth,
        too_many,
    };
    for (size_t i = 0; i < SEG_ARRAY_LEN(bad); i++) {
        seg_http_req_copy(&x, &r);
        seg_http_req_set_header(&x, "Authorization", bad[i]);
        if (verdict(&x, 0, T_SUITE, d, sizeof d) != SEG_SIGV4_MALFORMED)
            fail_msg("bad Authorization #%zu was not MALFORMED", i);
        seg_http_req_release(&x);
    }
    /* A signed header that is absent is named in the detail. */
    seg_http_req_copy(&x, &r);
    seg_http_req_remove_header(&x, "content-type");
    assert_int_equal(verdict(&x, 0, T_SUITE, d, sizeof d), SEG_SIGV4_MALFORMED);
    assert_non_null(strstr(d, "content-type"));
    seg_http_req_release(&x);
    /* Unparseable X-Amz-Date. */
    seg_http_req_copy(&x, &r);
    seg_http_req_set_header(&x, "X-Amz-Date", "2015-08-30T12:36:00Z");
    assert_int_equal(verdict(&x, 0, T_SUITE, d, sizeof d), SEG_SIGV4_MALFORMED);
    seg_http_req_release(&x);
    seg_http_req_release(&r);
}

static void test_verify_date_header(void **state)
{
    (void)state;
    /* A client that signs Date instead of X-Amz-Date (the string-to-sign still uses the
     * ISO form). */
    struct seg_http_req r = make_req("GET", "/", "example.amazonaws.com");
    seg_http_req_add_header(&r, "Date", "Sun, 30 Aug 2015 12:36:00 GMT");
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, NULL};
    struct seg_sigv4_params params = {"us-east-1", "service", 0, T_SUITE};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    char auth[512];
    snprintf(auth, sizeof auth, "%s", seg_http_req_header(&r, "authorization"));
    seg_http_req_remove_header(&r, "x-amz-date");
    /* Rebuild the signature over date;host only. */
    struct seg_buf cr, sts;
    seg_buf_init(&cr, 0);
    seg_buf_init(&sts, 0);
    const char *only[] = {"date", "host"};
    assert_int_equal(seg_sigv4_canonical_request(&cr, NULL, &r, 0, EMPTY_SHA, only, 2, NULL),
                     SEG_OK);
    assert_int_equal(seg_sigv4_string_to_sign(&sts, "20150830T123600Z",
                                              "20150830/us-east-1/service/aws4_request", cr.data),
                     SEG_OK);
    unsigned char key[32];
    char sig[65];
    seg_sigv4_signing_key(SUITE_SECRET, "20150830", "us-east-1", "service", key);
    seg_sigv4_signature(key, sts.data, sig);
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
             "SignedHeaders=date;host, Signature=%s",
             sig);
    seg_http_req_set_header(&r, "Authorization", auth);
    struct seg_sigv4_verify_result res;
    assert_int_equal(seg_sigv4_verify(&r, 0, T_SUITE + 10, 300, lookup, NULL, &res), SEG_OK);
    assert_int_equal(res.verdict, SEG_SIGV4_VALID);
    assert_string_equal(res.amz_date, "20150830T123600Z");
    seg_sigv4_verify_result_release(&res);
    /* Date present but not signed (while X-Amz-Date is absent): malformed. */
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
             "SignedHeaders=host, Signature=%s",
             sig);
    seg_http_req_set_header(&r, "Authorization", auth);
    assert_int_equal(verdict(&r, 0, T_SUITE, NULL, 0), SEG_SIGV4_MALFORMED);
    seg_buf_release(&cr);
    seg_buf_release(&sts);
    seg_http_req_release(&r);
}

static void test_verify_unknown_key_scope(void **state)
{
    (void)state;
    struct seg_http_req r = make_req("GET", "/", "example.amazonaws.com");
    struct seg_sigv4_creds creds = {"AKIDNOBODY", SUITE_SECRET, NULL};
    struct seg_sigv4_params params = {"us-east-1", "service", 0, T_SUITE};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    assert_int_equal(verdict(&r, 0, T_SUITE, NULL, 0), SEG_SIGV4_UNKNOWN_KEY);
    seg_http_req_release(&r);

    r = make_req("GET", "/", "example.amazonaws.com");
    creds.access_key_id = SUITE_AKID;
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    /* Move the claimed date a day on (within skew of a "now" set there): scope mismatch. */
    seg_http_req_set_header(&r, "X-Amz-Date", "20150831T000100Z");
    char d[256];
    assert_int_equal(verdict(&r, 0, (time_t)1440979260, d, sizeof d), SEG_SIGV4_SCOPE);
    assert_non_null(strstr(d, "'20150830' != '20150831'"));
    seg_http_req_release(&r);
}

static void test_verify_skew(void **state)
{
    (void)state;
    char d[256];
    struct seg_http_req r = signed_req(0, T_SUITE, NULL);
    /* Exactly 5 minutes either way is still valid; one second more is not. */
    assert_int_equal(verdict(&r, 0, T_SUITE + 300, NULL, 0), SEG_SIGV4_VALID);
    assert_int_equal(verdict(&r, 0, T_SUITE - 300, NULL, 0), SEG_SIGV4_VALID);
    assert_int_equal(verdict(&r, 0, T_SUITE + 301, d, sizeof d), SEG_SIGV4_SKEWED);
    assert_string_equal(d, "Signature expired: 20150830T123600Z is now earlier than "
                           "20150830T123601Z (20150830T124101Z - 5 min.)");
    assert_int_equal(verdict(&r, 0, T_SUITE - 301, d, sizeof d), SEG_SIGV4_SKEWED);
    assert_string_equal(d, "Signature not yet current: 20150830T123600Z is still later than "
                           "20150830T123559Z (20150830T123059Z + 5 min.)");
    seg_http_req_release(&r);
    /* AWS's own example (botocore issue 149). */
    r = make_req("GET", "/", "example.amazonaws.com");
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, NULL};
    time_t t;
    assert_int_equal(seg_sigv4_parse_date("20131008T001036Z", false, &t), SEG_OK);
    struct seg_sigv4_params params = {"us-east-1", "service", 0, t};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_OK);
    assert_int_equal(verdict(&r, 0, t + 336, d, sizeof d), SEG_SIGV4_SKEWED);
    assert_string_equal(d, "Signature expired: 20131008T001036Z is now earlier than "
                           "20131008T001112Z (20131008T001612Z - 5 min.)");
    seg_http_req_release(&r);
}

static void test_verify_payload_hash(void **state)
{
    (void)state;
    char d[256];
    struct seg_http_req r = signed_req(SEG_SIGV4_FLAGS_S3, T_SUITE, "payload");
    struct seg_http_req x;
    /* Body changed after signing. */
    seg_http_req_copy(&x, &r);
    seg_http_req_set_body(&x, "Payload", 7);
    assert_int_equal(verdict(&x, SEG_SIGV4_FLAGS_S3, T_SUITE, NULL, 0), SEG_SIGV4_PAYLOAD_HASH);
    seg_http_req_release(&x);
    /* Header missing where S3 requires it. */
    struct seg_http_req plain = signed_req(0, T_SUITE, "payload");
    assert_int_equal(verdict(&plain, 0, T_SUITE, NULL, 0), SEG_SIGV4_VALID);
    assert_int_equal(verdict(&plain, SEG_SIGV4_FLAGS_S3, T_SUITE, d, sizeof d),
                     SEG_SIGV4_PAYLOAD_HASH);
    assert_non_null(strstr(d, "x-amz-content-sha256"));
    seg_http_req_release(&plain);
    /* Neither special value nor a hash. */
    seg_http_req_copy(&x, &r);
    seg_http_req_set_header(&x, "x-amz-content-sha256", "UNSIGNED");
    assert_int_equal(verdict(&x, SEG_SIGV4_FLAGS_S3, T_SUITE, d, sizeof d), SEG_SIGV4_PAYLOAD_HASH);
    assert_non_null(strstr(d, "must be UNSIGNED-PAYLOAD"));
    seg_http_req_release(&x);
    seg_http_req_release(&r);
    /* UNSIGNED-PAYLOAD: the body is not covered. */
    r = signed_req(SEG_SIGV4_FLAGS_S3 | SEG_SIGV4_UNSIGNED_PAYLOAD, T_SUITE, "payload");
    assert_string_equal(seg_http_req_header(&r, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
    seg_http_req_set_body(&r, "changed", 7);
    assert_int_equal(verdict(&r, SEG_SIGV4_FLAGS_S3, T_SUITE, NULL, 0), SEG_SIGV4_VALID);
    seg_http_req_release(&r);
    /* A caller-set value is honoured as the payload hash. */
    r = make_req("PUT", "/k", "b.s3.amazonaws.com");
    seg_http_req_add_header(&r, "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, NULL};
    struct seg_sigv4_params params = {"us-east-1", "s3", SEG_SIGV4_FLAGS_S3, T_SUITE};
    struct trace_got got = {0};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, trace_cb, &got), SEG_OK);
    size_t len = strlen(got.cr);
    assert_string_equal(got.cr + len - 34, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    assert_int_equal(verdict(&r, SEG_SIGV4_FLAGS_S3, T_SUITE, NULL, 0), SEG_SIGV4_VALID);
    trace_release(&got);
    seg_http_req_release(&r);
}

/* ---- secrets ----------------------------------------------------------------------- */

static void test_no_secret_in_output(void **state)
{
    (void)state;
    struct seg_http_req r = signed_req(SEG_SIGV4_FLAGS_S3, T_SUITE, "body");
    struct trace_got got = {0};
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, "tok"};
    struct seg_sigv4_params params = {"us-east-1", "s3", SEG_SIGV4_FLAGS_S3, T_SUITE};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, trace_cb, &got), SEG_OK);
    assert_null(strstr(got.cr, SUITE_SECRET));
    assert_null(strstr(got.sts, SUITE_SECRET));
    assert_null(strstr(got.cr, "bPxRfiCY")); /* not even a piece of it */
    for (size_t i = 0; i < r.nheaders; i++) {
        assert_null(strstr(r.headers[i].name, "bPxRfiCY"));
        assert_null(strstr(r.headers[i].value, "bPxRfiCY"));
    }
    /* Nor does a verifier result, even on a mismatch. */
    seg_http_req_set_header(&r, "Host", "other");
    struct seg_sigv4_verify_result res;
    assert_int_equal(seg_sigv4_verify(&r, SEG_SIGV4_FLAGS_S3, T_SUITE, 300, lookup, NULL, &res),
                     SEG_OK);
    assert_int_equal(res.verdict, SEG_SIGV4_MISMATCH);
    assert_null(strstr(res.canonical_request, "bPxRfiCY"));
    assert_null(strstr(res.string_to_sign, "bPxRfiCY"));
    assert_null(strstr(res.detail, "bPxRfiCY"));
    seg_sigv4_verify_result_release(&res);
    trace_release(&got);
    seg_http_req_release(&r);
}

static void test_sign_refuses_bad_input(void **state)
{
    (void)state;
    struct seg_sigv4_creds creds = {SUITE_AKID, SUITE_SECRET, NULL};
    struct seg_sigv4_params params = {"us-east-1", "s3", 0, T_SUITE};
    struct seg_http_req r;
    seg_http_req_init(&r);
    assert_int_equal(seg_http_req_set_target(&r, "GET", "/"), SEG_OK);
    assert_int_equal(seg_sigv4_sign(&r, &creds, &params, NULL, NULL), SEG_ERR_INVALID);
    assert_int_equal(r.nheaders, 0); /* untouched on refusal */
    seg_http_req_add_header(&r, "Host", "h");
    struct seg_sigv4_params bad_region = {"us/east", "s3", 0, T_SUITE};
    assert_int_equal(seg_sigv4_sign(&r, &creds, &bad_region, NULL, NULL), SEG_ERR_INVALID);
    struct seg_sigv4_creds no_key = {"", SUITE_SECRET, NULL};
    assert_int_equal(seg_sigv4_sign(&r, &no_key, &params, NULL, NULL), SEG_ERR_INVALID);
    assert_int_equal(r.nheaders, 1);
    seg_http_req_release(&r);
    assert_string_equal(seg_sigv4_verdict_name(SEG_SIGV4_SKEWED), "skewed");
    assert_string_equal(seg_sigv4_verdict_name((enum seg_sigv4_verdict)99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vanilla_vector),
        cmocka_unit_test(test_signing_key),
        cmocka_unit_test(test_s3_put_object),
        cmocka_unit_test(test_s3_get_object),
        cmocka_unit_test(test_lambda_double_encode),
        cmocka_unit_test(test_session_token),
        cmocka_unit_test(test_uri_encode_decode),
        cmocka_unit_test(test_uri_normalize),
        cmocka_unit_test(test_canonical_uri_flags),
        cmocka_unit_test(test_canonical_query),
        cmocka_unit_test(test_canonical_headers),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_verify_valid_and_mismatch),
        cmocka_unit_test(test_verify_missing_malformed),
        cmocka_unit_test(test_verify_date_header),
        cmocka_unit_test(test_verify_unknown_key_scope),
        cmocka_unit_test(test_verify_skew),
        cmocka_unit_test(test_verify_payload_hash),
        cmocka_unit_test(test_no_secret_in_output),
        cmocka_unit_test(test_sign_refuses_bad_input),
    };
    return cmocka_run_group_tests_name("sigv4.unit", tests, NULL, NULL);
}
