/* awserror.unit: seg_aws_error_parse over each protocol's real error bodies (aws-wire.md
 * §2.7, §3.3, §5.1), header precedence, sanitising, XML entities, hostile input, and the
 * retry classes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/error.h"
#include "seg_test.h"

static struct seg_aws_error parse(int status, const char *ctype, const char *etype,
                                  const char *body)
{
    struct seg_aws_error e;
    assert_int_equal(seg_aws_error_parse(status, ctype, etype, body, body ? strlen(body) : 0, &e),
                     SEG_OK);
    return e;
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
        for (size_t i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
        }
        p += n;
    }
    return true;
}

/* ---- real bodies ---- */

static void test_logs_throttle(void **state)
{
    (void)state;
    /* aws-wire.md §2.7: the 58-byte body of a real Logs throttle. */
    struct seg_aws_error e = parse(400, "application/x-amz-json-1.1", NULL,
                                   "{\"__type\":\"ThrottlingException\",\"message\":\"Rate "
                                   "exceeded\"}");
    assert_int_equal(e.http_status, 400);
    assert_string_equal(e.code, "ThrottlingException");
    assert_string_equal(e.message, "Rate exceeded");
    assert_int_equal(e.cls, SEG_AWS_CLASS_THROTTLING);
    assert_true(seg_aws_error_is_retryable(&e));
    assert_string_equal(seg_aws_error_class_name(e.cls), "throttling");
}

static void test_logs_not_found(void **state)
{
    (void)state;
    struct seg_aws_error e = parse(400, "application/x-amz-json-1.1", NULL,
                                   "{\"__type\":\"ResourceNotFoundException\",\"message\":\"The "
                                   "specified log group does not exist.\"}");
    assert_string_equal(e.code, "ResourceNotFoundException");
    assert_string_equal(e.message, "The specified log group does not exist.");
    assert_int_equal(e.cls, SEG_AWS_CLASS_CLIENT);
    assert_false(seg_aws_error_is_retryable(&e));
}

static void test_lambda_429(void **state)
{
    (void)state;
    /* aws-wire.md §3.3: the observed TooManyRequestsException body. */
    struct seg_aws_error e =
        parse(429, "application/json", "TooManyRequestsException",
              "{\"Reason\":\"ConcurrentInvocationLimitExceeded\",\"Type\":\"User\",\"message\":"
              "\"Rate Exceeded.\"}");
    assert_string_equal(e.code, "TooManyRequestsException");
    assert_string_equal(e.message, "Rate Exceeded.");
    assert_int_equal(e.cls, SEG_AWS_CLASS_THROTTLING);
    assert_true(seg_aws_error_is_retryable(&e));
}

static void test_lambda_capital_message(void **state)
{
    (void)state;
    struct seg_aws_error e =
        parse(404, "application/json",
              "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.lambda/",
              "{\"Type\":\"User\",\"Message\":\"Function not found: "
              "arn:aws:lambda:us-west-1:123456789012:function:site1\"}");
    assert_string_equal(e.code, "ResourceNotFoundException");
    assert_string_equal(e.message,
                        "Function not found: arn:aws:lambda:us-west-1:123456789012:function:site1");
    assert_int_equal(e.cls, SEG_AWS_CLASS_CLIENT);
}

static void test_lambda_service_exception(void **state)
{
    (void)state;
    struct seg_aws_error e =
        parse(500, "application/json", "ServiceException",
              "{\"Type\":\"Service\",\"message\":\"The Lambda service encountered an internal "
              "error.\"}");
    assert_string_equal(e.code, "ServiceException");
    assert_int_equal(e.cls, SEG_AWS_CLASS_TRANSIENT);
    assert_true(seg_aws_error_is_retryable(&e));

    e = parse(502, "application/json", "EC2ThrottledException", "{}");
    assert_int_equal(e.cls, SEG_AWS_CLASS_THROTTLING);
    e = parse(502, "application/json", "KMSAccessDeniedException", "{}");
    assert_int_equal(e.cls, SEG_AWS_CLASS_TRANSIENT); /* botocore: 502 is transient */
}

static void test_s3_signature(void **state)
{
    (void)state;
    const char *body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated "
        "does not match the signature you provided. Check your key and signing "
        "method.</Message><AWSAccessKeyId>AKIDEXAMPLE</AWSAccessKeyId>"
        "<StringToSign>AWS4-HMAC-SHA256\n20150830T123600Z</StringToSign>"
        "<RequestId>4442587FB7D0A2F9</RequestId><HostId>abc/def+=</HostId></Error>";
    struct seg_aws_error e = parse(403, "application/xml", NULL, body);
    assert_string_equal(e.code, "SignatureDoesNotMatch");
    assert_string_equal(e.message, "The request signature we calculated does not match the "
                                   "signature you provided. Check your key and signing method.");
    assert_string_equal(e.request_id, "4442587FB7D0A2F9");
    assert_int_equal(e.cls, SEG_AWS_CLASS_AUTH);
    assert_false(seg_aws_error_is_retryable(&e));
    assert_false(seg_aws_error_is_clock_skew(&e));
}

static void test_s3_slowdown_and_timeout(void **state)
{
    (void)state;
    struct seg_aws_error e = parse(503, NULL, NULL,
                                   "<Error><Code>SlowDown</Code><Message>Please reduce your "
                                   "request rate.</Message><RequestId>X</RequestId></Error>");
    assert_string_equal(e.code, "SlowDown");
    assert_int_equal(e.cls, SEG_AWS_CLASS_THROTTLING);

    e = parse(400, "application/xml", NULL,
              "<Error><Code>RequestTimeout</Code><Message>Your socket connection to the server "
              "was not read from or written to within the timeout period.</Message></Error>");
    assert_int_equal(e.cls, SEG_AWS_CLASS_TRANSIENT);
    assert_true(seg_aws_error_is_retryable(&e));
}

static void test_sts_style_xml(void **state)
{
    (void)state;
    struct seg_aws_error e =
        parse(400, "text/xml", NULL,
              "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
              "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
              "</Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>"
              "</ErrorResponse>");
    assert_string_equal(e.code, "Throttling");
    assert_string_equal(e.message, "Rate exceeded");
    assert_string_equal(e.request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
    assert_int_equal(e.cls, SEG_AWS_CLASS_THROTTLING);
}

/* ---- precedence and sanitising ---- */

static void test_header_precedence(void **state)
{
    (void)state;
    struct seg_aws_error e = parse(
        403, "application/json",
        "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/",
        "{\"__type\":\"SomethingElse\",\"code\":\"Other\",\"message\":\"Signature expired: "
        "20131008T001036Z is now earlier than 20131008T001112Z (20131008T001612Z - 5 min.)\"}");
    assert_string_equal(e.code, "InvalidSignatureException");
    assert_int_equal(e.cls, SEG_AWS_CLASS_AUTH);
    assert_true(seg_aws_error_is_clock_skew(&e));

    /* An empty header does not count. */
    e = parse(400, NULL, "", "{\"__type\":\"ThrottlingException\"}");
    assert_string_equal(e.code, "ThrottlingException");
}

static void test_type_then_code(void **state)
{
    (void)state;
    struct seg_aws_error e = parse(400, NULL, NULL, "{\"code\":\"LimitExceededException\"}");
    assert_string_equal(e.code, "LimitExceededException");
    assert_int_equal(e.cls, SEG_AWS_CLASS_THROTTLING);
    e = parse(400, NULL, NULL, "{\"Code\":\"InvalidParameterException\",\"Message\":\"m\"}");
    assert_string_equal(e.code, "InvalidParameterException");
    assert_string_equal(e.message, "m");
    e = parse(400, NULL, NULL, "{\"__type\":\"A\",\"code\":\"B\",\"Code\":\"C\"}");
    assert_string_equal(e.code, "A");
    /* A non-string __type is skipped. */
    e = parse(400, NULL, NULL, "{\"__type\":7,\"code\":\"B\"}");
    assert_string_equal(e.code, "B");
}

static void test_prefix_and_suffix(void **state)
{
    (void)state;
    /* Smithy's own example (aws-wire.md §2.7). */
    struct seg_aws_error e =
        parse(400, NULL, NULL,
              "{\"__type\":\"aws.protocoltests.restjson#FooError:http://internal.amazon.com/"
              "coral/com.amazon.coral.validate/\"}");
    assert_string_equal(e.code, "FooError");
    e = parse(400, NULL, "com.amazonaws.logs#ThrottlingException:extra", NULL);
    assert_string_equal(e.code, "ThrottlingException");
    e = parse(400, NULL, NULL, "{\"__type\":\"com.amazonaws.logs.v20140328#ThrottlingException\"}");
    assert_string_equal(e.code, "ThrottlingException");
    e = parse(400, NULL, "  Throttling  ", NULL);
    assert_string_equal(e.code, "Throttling");
    /* Control bytes end a code: it is a token and may reach a terminal. */
    e = parse(400, NULL, "Thro\x1b[2Jttling", NULL);
    assert_string_equal(e.code, "Thro");
}

/* ---- XML text ---- */

static void test_entities(void **state)
{
    (void)state;
    struct seg_aws_error e =
        parse(400, NULL, NULL,
              "<Error><Code>A&amp;B</Code><Message>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; "
              "&#65;&#x42;&#x20AC;&#X1F600; &#0; &#xD800; &#99999999; &bogus; &amp &#x; &#;"
              " end &</Message></Error>");
    assert_string_equal(e.code, "A&B");
    assert_string_equal(e.message, "a & b <c> \"d\" 'e' AB\xE2\x82\xAC\xF0\x9F\x98\x80 "
                                   "\xEF\xBF\xBD \xEF\xBF\xBD &#99999999; &bogus; &amp &#x; &#;"
                                   " end &");
}

static void test_xml_tags(void **state)
{
    (void)state;
    struct seg_aws_error e =
        parse(400, NULL, NULL, "<Error><CodeX>Nope</CodeX><Code>Real</Code></Error>");
    assert_string_equal(e.code, "Real");
    e = parse(400, NULL, NULL, "<Error><Code/><Message>m</Message></Error>");
    assert_string_equal(e.code, "");
    assert_string_equal(e.message, "m");
    e = parse(400, NULL, NULL, "<Error><Code a=\"1\">WithAttr</Code></Error>");
    assert_string_equal(e.code, "WithAttr");
    /* NUL bytes inside are dropped; the body is length-delimited, not a C string. */
    static const char nul_body[] = "<Error><Code>SlowDown</Code><Message>a\0b</Message></Error>";
    assert_int_equal(seg_aws_error_parse(503, NULL, NULL, nul_body, sizeof nul_body - 1, &e),
                     SEG_OK);
    assert_string_equal(e.message, "ab");
    /* Content type decides when the first byte does not. */
    e = parse(400, "application/xml", NULL, "junk<Code>Throttling</Code>");
    assert_string_equal(e.code, "Throttling");
    e = parse(400, "application/json", NULL, "  {\"__type\":\"X\"}");
    assert_string_equal(e.code, "X");
}

/* ---- hostile input ---- */

static void test_truncated(void **state)
{
    (void)state;
    struct seg_aws_error e =
        parse(400, "application/x-amz-json-1.1", NULL, "{\"__type\":\"Throttl");
    assert_string_equal(e.code, "");
    assert_int_equal(e.cls, SEG_AWS_CLASS_CLIENT);
    e = parse(503, "application/xml", NULL, "<Error><Code>SlowDown</Code><Message>Please red");
    assert_string_equal(e.code, "SlowDown");
    assert_string_equal(e.message, "Please red");
    assert_int_equal(e.cls, SEG_AWS_CLASS_THROTTLING);
    const char *cuts[] = {"<",         "<Code",       "<Code>",        "<Code>&",
                          "<Code>&#x", "<Code>&#x41", "<Message>&amp", "{",
                          "{\"",       "&",           "<Code/"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(cuts); i++) {
        e = parse(502, NULL, NULL, cuts[i]);
        assert_int_equal(e.http_status, 502);
        assert_int_equal(e.cls, SEG_AWS_CLASS_TRANSIENT);
    }
    /* An unfinished entity stays literal; the code's "prefix#" rule then applies. */
    e = parse(400, NULL, NULL, "<Code>&#x41");
    assert_string_equal(e.code, "x41");
    e = parse(400, NULL, NULL, "<Code>A&amp");
    assert_string_equal(e.code, "A&amp");
}

static void test_status_only(void **state)
{
    (void)state;
    struct {
        int status;
        const char *body;
        enum seg_aws_error_class cls;
    } cases[] = {
        {200, NULL, SEG_AWS_CLASS_NONE},
        {204, "", SEG_AWS_CLASS_NONE},
        {404, NULL, SEG_AWS_CLASS_CLIENT}, /* S3 HEAD: no body */
        {418, "garbage", SEG_AWS_CLASS_CLIENT},
        {429, NULL, SEG_AWS_CLASS_THROTTLING},
        {500, NULL, SEG_AWS_CLASS_TRANSIENT},
        {501, NULL, SEG_AWS_CLASS_SERVER},
        {502, "<html><body>Bad Gateway</body></html>", SEG_AWS_CLASS_TRANSIENT},
        {503, NULL, SEG_AWS_CLASS_TRANSIENT},
        {504, NULL, SEG_AWS_CLASS_TRANSIENT},
        {505, NULL, SEG_AWS_CLASS_SERVER},
        {200, "<Error><Code>InternalError</Code></Error>", SEG_AWS_CLASS_SERVER},
    };
    for (size_t i = 0; i < SEG_ARRAY_LEN(cases); i++) {
        struct seg_aws_error e = parse(cases[i].status, NULL, NULL, cases[i].body);
        assert_int_equal(e.http_status, cases[i].status);
        assert_int_equal(e.cls, cases[i].cls);
    }
}

static void test_huge(void **state)
{
    (void)state;
    /* A message far over the field: cut at 511 bytes, on a UTF-8 boundary. */
    size_t n = 3 * 1000;
    char *msg = malloc(n + 1);
    for (size_t i = 0; i < n; i += 3)
        memcpy(msg + i, "\xE2\x82\xAC", 3);
    msg[n] = '\0';
    size_t blen = n + 64;
    char *body = malloc(blen);
    snprintf(body, blen, "{\"__type\":\"X\",\"message\":\"%s\"}", msg);
    struct seg_aws_error e = parse(400, NULL, NULL, body);
    assert_true(strlen(e.message) <= sizeof e.message - 1);
    assert_int_equal(strlen(e.message) % 3, 0);
    assert_true(valid_utf8(e.message));
    snprintf(body, blen, "<Error><Message>%s</Message></Error>", msg);
    e = parse(400, NULL, NULL, body);
    assert_int_equal(strlen(e.message) % 3, 0);
    assert_true(valid_utf8(e.message));
    free(body);
    free(msg);

    /* A long code is cut to the field; a 3 MiB body is cut at the parse cap. */
    char code[300];
    memset(code, 'A', sizeof code - 1);
    code[sizeof code - 1] = '\0';
    e = parse(400, NULL, code, NULL);
    assert_int_equal(strlen(e.code), sizeof e.code - 1);
    size_t big = 3u << 20;
    char *huge = malloc(big);
    memset(huge, '[', big);
    memcpy(huge, "{\"__type\":", 10);
    assert_int_equal(seg_aws_error_parse(503, "application/json", NULL, huge, big, &e), SEG_OK);
    assert_int_equal(e.cls, SEG_AWS_CLASS_TRANSIENT);
    memset(huge, 'x', big);
    memcpy(huge, "<Error><Code>", 13);
    assert_int_equal(seg_aws_error_parse(400, NULL, NULL, huge, big, &e), SEG_OK);
    assert_int_equal(strlen(e.code), sizeof e.code - 1);
    free(huge);
}

static void test_random_bytes(void **state)
{
    (void)state;
    /* Seeded noise biased towards the parser's syntax: must never crash or overflow. */
    static const char alphabet[] = "<>/&#;x0123456789{}\":,[]CodeMsagRqstI_ \xE2\x82\xAC\n";
    uint64_t s = 0x5eed;
    char buf[600];
    for (int round = 0; round < 20000; round++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t len = (size_t)(s >> 33) % sizeof buf;
        for (size_t i = 0; i < len; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned r = (unsigned)(s >> 40);
            buf[i] = (r & 7) == 0 ? (char)(r >> 8) : alphabet[(r >> 8) % (sizeof alphabet - 1)];
        }
        if (round % 3 == 0 && len > 8)
            memcpy(buf, "<Error><Code>", 8);
        struct seg_aws_error e;
        assert_int_equal(seg_aws_error_parse(400 + round % 200,
                                             round % 2 ? "application/xml" : NULL, NULL, buf, len,
                                             &e),
                         SEG_OK);
        for (const char *c = e.code; *c; c++)
            assert_true(*c > 0x20 && *c < 0x7F);
        assert_true(strlen(e.message) < sizeof e.message);
        assert_true(strlen(e.request_id) < sizeof e.request_id);
    }
}

/* ---- API edges ---- */

static void test_api_edges(void **state)
{
    (void)state;
    struct seg_aws_error e;
    assert_int_equal(seg_aws_error_parse(400, NULL, NULL, NULL, 0, NULL), SEG_ERR_INVALID);
    assert_int_equal(seg_aws_error_parse(400, NULL, NULL, NULL, 5, &e), SEG_ERR_INVALID);
    assert_int_equal(seg_aws_error_parse(400, NULL, NULL, NULL, 0, &e), SEG_OK);
    assert_int_equal(e.cls, SEG_AWS_CLASS_CLIENT);

    seg_aws_error_set_request_id(&e, "from-header");
    assert_string_equal(e.request_id, "from-header");
    seg_aws_error_set_request_id(&e, "second");
    assert_string_equal(e.request_id, "from-header");
    seg_aws_error_set_request_id(&e, NULL);
    seg_aws_error_set_request_id(NULL, "x");

    e = parse(400, NULL, NULL,
              "{\"__type\":\"X\",\"message\":\"m\",\"RequestId\":\"rid-in-body\"}");
    assert_string_equal(e.request_id, "rid-in-body");

    assert_false(seg_aws_error_is_retryable(NULL));
    assert_false(seg_aws_error_is_clock_skew(NULL));
    assert_string_equal(seg_aws_error_class_name(SEG_AWS_CLASS_NONE), "none");
    assert_string_equal(seg_aws_error_class_name(SEG_AWS_CLASS_TRANSIENT), "transient");
    assert_string_equal(seg_aws_error_class_name(SEG_AWS_CLASS_AUTH), "auth");
    assert_string_equal(seg_aws_error_class_name(SEG_AWS_CLASS_CLIENT), "client");
    assert_string_equal(seg_aws_error_class_name(SEG_AWS_CLASS_SERVER), "server");
    assert_string_equal(seg_aws_error_class_name((enum seg_aws_error_class)99), "unknown");
}

static void test_classes(void **state)
{
    (void)state;
    static const char *const throttles[] = {"Throttling",
                                            "ThrottlingException",
                                            "ThrottledException",
                                            "RequestThrottledException",
                                            "TooManyRequestsException",
                                            "ProvisionedThroughputExceededException",
                                            "TransactionInProgressException",
                                            "RequestLimitExceeded",
                                            "BandwidthLimitExceeded",
                                            "LimitExceededException",
                                            "RequestThrottled",
                                            "SlowDown",
                                            "EC2ThrottledException"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(throttles); i++)
        assert_int_equal(seg_aws_error_classify(400, throttles[i]), SEG_AWS_CLASS_THROTTLING);
    static const char *const transient[] = {"RequestTimeout", "RequestTimeoutException",
                                            "PriorRequestNotComplete"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(transient); i++)
        assert_int_equal(seg_aws_error_classify(400, transient[i]), SEG_AWS_CLASS_TRANSIENT);
    static const char *const auth[] = {
        "SignatureDoesNotMatch",       "InvalidSignatureException",
        "UnrecognizedClientException", "InvalidAccessKeyId",
        "RequestTimeTooSkewed",        "AccessDenied",
        "AccessDeniedException",       "ExpiredTokenException",
        "InvalidClientTokenId",        "MissingAuthenticationTokenException",
        "IncompleteSignatureException"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(auth); i++)
        assert_int_equal(seg_aws_error_classify(403, auth[i]), SEG_AWS_CLASS_AUTH);
    /* Exact names only: a lookalike is an ordinary client error. */
    assert_int_equal(seg_aws_error_classify(400, "throttlingexception"), SEG_AWS_CLASS_CLIENT);
    assert_int_equal(seg_aws_error_classify(400, "XAmzContentSHA256Mismatch"),
                     SEG_AWS_CLASS_CLIENT);
    assert_int_equal(seg_aws_error_classify(413, "RequestTooLargeException"), SEG_AWS_CLASS_CLIENT);

    struct seg_aws_error e = parse(403, NULL, NULL,
                                   "<Error><Code>RequestTimeTooSkewed</Code><Message>The "
                                   "difference between the request time and the current time "
                                   "is too large.</Message></Error>");
    assert_true(seg_aws_error_is_clock_skew(&e));
    assert_int_equal(e.cls, SEG_AWS_CLASS_AUTH);
    e = parse(400, NULL, NULL,
              "{\"__type\":\"InvalidSignatureException\",\"message\":\"Signature not yet "
              "current: 20131008T002036Z is still later than 20131008T001612Z\"}");
    assert_true(seg_aws_error_is_clock_skew(&e));
    e = parse(400, NULL, NULL,
              "{\"__type\":\"InvalidSignatureException\",\"message\":\"The request signature "
              "we calculated does not match\"}");
    assert_false(seg_aws_error_is_clock_skew(&e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logs_throttle),
        cmocka_unit_test(test_logs_not_found),
        cmocka_unit_test(test_lambda_429),
        cmocka_unit_test(test_lambda_capital_message),
        cmocka_unit_test(test_lambda_service_exception),
        cmocka_unit_test(test_s3_signature),
        cmocka_unit_test(test_s3_slowdown_and_timeout),
        cmocka_unit_test(test_sts_style_xml),
        cmocka_unit_test(test_header_precedence),
        cmocka_unit_test(test_type_then_code),
        cmocka_unit_test(test_prefix_and_suffix),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_xml_tags),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_status_only),
        cmocka_unit_test(test_huge),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_api_edges),
        cmocka_unit_test(test_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
