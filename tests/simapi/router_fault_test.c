/* simapi.router_fault: which HTTP-level fault a draw picks, per scope, and each service's
 * answer to a throttle or a 5xx fault. */
#include <stdlib.h>
#include <string.h>

#include "seg_test.h"
#include "sim/router.h"

static void test_pre_fault(void **state)
{
    (void)state;
    struct seg_sim_faults f;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_faults_parse("throttle=0.25:lambda,5xx=0.5:lambda", &f, &err), SEG_OK);
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_LAMBDA, 0.0),
                     SEG_SIM_FAULT_THROTTLE);
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_LAMBDA, 0.2499),
                     SEG_SIM_FAULT_THROTTLE);
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_LAMBDA, 0.25), SEG_SIM_FAULT_5XX);
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_LAMBDA, 0.7499), SEG_SIM_FAULT_5XX);
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_LAMBDA, 0.75), SEG_SIM_FAULT_NONE);
    /* scoped to Lambda: S3 and Logs untouched */
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_S3, 0.0), SEG_SIM_FAULT_NONE);
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_LOGS, 0.0), SEG_SIM_FAULT_NONE);
    /* unscoped: every service */
    assert_int_equal(seg_sim_faults_parse("throttle=1", &f, &err), SEG_OK);
    for (int s = 0; s < SEG_SIM_SCOPES; s++)
        assert_int_equal(seg_sim_router_pre_fault(&f, (enum seg_sim_scope)s, 0.999),
                         SEG_SIM_FAULT_THROTTLE);
    seg_sim_faults_init(&f);
    assert_int_equal(seg_sim_router_pre_fault(&f, SEG_SIM_SCOPE_S3, 0.0), SEG_SIM_FAULT_NONE);
    assert_int_equal(seg_sim_router_pre_fault(NULL, SEG_SIM_SCOPE_S3, 0.0), SEG_SIM_FAULT_NONE);
}

static void test_post_fault(void **state)
{
    (void)state;
    struct seg_sim_faults f;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_faults_parse("reset=0.1,truncate=0.2,slow=0.3:250ms", &f, &err),
                     SEG_OK);
    assert_int_equal(f.slow_ms, 250);
    assert_int_equal(seg_sim_router_post_fault(&f, 0.05), SEG_SIM_FAULT_RESET);
    assert_int_equal(seg_sim_router_post_fault(&f, 0.15), SEG_SIM_FAULT_TRUNCATE);
    assert_int_equal(seg_sim_router_post_fault(&f, 0.45), SEG_SIM_FAULT_SLOW);
    assert_int_equal(seg_sim_router_post_fault(&f, 0.65), SEG_SIM_FAULT_NONE);
    seg_sim_faults_init(&f);
    assert_int_equal(seg_sim_router_post_fault(&f, 0.0), SEG_SIM_FAULT_NONE);
}

static const char *body(const struct seg_httpd_response *r)
{
    static char buf[1024];
    size_t n = r->body_len < sizeof buf - 1 ? r->body_len : sizeof buf - 1;
    memcpy(buf, r->body ? (const char *)r->body : "", n);
    buf[n] = '\0';
    return buf;
}

static void expect(enum seg_aws_service svc, enum seg_sim_fault fault, bool invoke, bool alt,
                   int status, const char *code)
{
    struct seg_httpd_response r;
    seg_httpd_response_init(&r);
    seg_sim_router_fault_response(svc, fault, invoke, alt, &r);
    assert_int_equal(r.status, status);
    const char *type = seg_httpd_response_header(&r, "X-Amzn-ErrorType");
    if (svc == SEG_AWS_LAMBDA)
        assert_string_equal(type, code);
    else if (!strstr(body(&r), code))
        fail_msg("body '%s' lacks %s", body(&r), code);
    seg_httpd_response_release(&r);
}

static void test_fault_responses(void **state)
{
    (void)state;
    expect(SEG_AWS_LAMBDA, SEG_SIM_FAULT_THROTTLE, true, false, 429, "TooManyRequestsException");
    expect(SEG_AWS_LAMBDA, SEG_SIM_FAULT_5XX, false, false, 500, "ServiceException");
    expect(SEG_AWS_S3, SEG_SIM_FAULT_THROTTLE, false, false, 503, "<Code>SlowDown</Code>");
    expect(SEG_AWS_S3, SEG_SIM_FAULT_5XX, false, false, 503, "<Code>ServiceUnavailable</Code>");
    expect(SEG_AWS_S3, SEG_SIM_FAULT_5XX, false, true, 500, "<Code>InternalError</Code>");
    expect(SEG_AWS_LOGS, SEG_SIM_FAULT_THROTTLE, false, false, 400,
           "\"__type\":\"ThrottlingException\"");
    expect(SEG_AWS_LOGS, SEG_SIM_FAULT_5XX, false, false, 500, "ServiceUnavailableException");

    /* Lambda's 429 carries Reason and Retry-After, as the real one does */
    struct seg_httpd_response r;
    seg_httpd_response_init(&r);
    seg_sim_router_fault_response(SEG_AWS_LAMBDA, SEG_SIM_FAULT_THROTTLE, true, false, &r);
    assert_non_null(strstr(body(&r), "\"Reason\":\"ConcurrentInvocationLimitExceeded\""));
    assert_non_null(strstr(body(&r), "\"message\":\"Rate Exceeded.\""));
    assert_string_equal(seg_httpd_response_header(&r, "Retry-After"), "1");
    assert_non_null(seg_httpd_response_header(&r, "x-amzn-RequestId"));
    seg_httpd_response_release(&r);
    seg_httpd_response_init(&r);
    seg_sim_router_fault_response(SEG_AWS_LAMBDA, SEG_SIM_FAULT_THROTTLE, false, false, &r);
    assert_non_null(strstr(body(&r), "CallerRateLimitExceeded"));
    seg_httpd_response_release(&r);
}

static void test_scope(void **state)
{
    (void)state;
    assert_int_equal(seg_sim_router_scope(SEG_AWS_LAMBDA), SEG_SIM_SCOPE_LAMBDA);
    assert_int_equal(seg_sim_router_scope(SEG_AWS_S3), SEG_SIM_SCOPE_S3);
    assert_int_equal(seg_sim_router_scope(SEG_AWS_LOGS), SEG_SIM_SCOPE_LOGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pre_fault),
        cmocka_unit_test(test_post_fault),
        cmocka_unit_test(test_fault_responses),
        cmocka_unit_test(test_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
