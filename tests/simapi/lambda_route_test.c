/* simapi.lambda_route: which Lambda operation a method and raw path name, and the forms a
 * FunctionName takes (name, name:qualifier, partial ARN, full ARN). */
#include <stdlib.h>
#include <string.h>

#include "seg_test.h"
#include "sim/lambda_api.h"

static void expect_route(const char *method, const char *path, enum seg_sim_lambda_op op,
                         const char *function)
{
    struct seg_sim_lambda_route r;
    assert_int_equal(seg_sim_lambda_parse_route(method, path, &r), SEG_OK);
    if (r.op != op)
        fail_msg("%s %s: op %d, want %d", method, path, r.op, op);
    if (function)
        assert_string_equal(r.function, function);
    else
        assert_null(r.function);
    seg_sim_lambda_route_release(&r);
}

static void test_routes(void **state)
{
    (void)state;
    expect_route("POST", "/2015-03-31/functions/site1-lambdafunction/invocations",
                 SEG_SIM_LAMBDA_INVOKE, "site1-lambdafunction");
    /* botocore puts ':' on the wire as %3A */
    expect_route("POST",
                 "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-1%3A123456789012%3Afunction"
                 "%3Af1/invocations",
                 SEG_SIM_LAMBDA_INVOKE, "arn:aws:lambda:us-west-1:123456789012:function:f1");
    expect_route("GET", "/2015-03-31/functions/", SEG_SIM_LAMBDA_LIST_FUNCTIONS, NULL);
    expect_route("GET", "/2015-03-31/functions", SEG_SIM_LAMBDA_LIST_FUNCTIONS, NULL);
    expect_route("GET", "/2015-03-31/functions/f1", SEG_SIM_LAMBDA_GET_FUNCTION, "f1");
    expect_route("GET", "/2015-03-31/functions/f1/configuration",
                 SEG_SIM_LAMBDA_GET_FUNCTION_CONFIGURATION, "f1");
    expect_route("GET", "/2019-09-30/functions/f1/concurrency",
                 SEG_SIM_LAMBDA_GET_FUNCTION_CONCURRENCY, "f1");
    expect_route("GET", "/2016-08-19/account-settings/", SEG_SIM_LAMBDA_GET_ACCOUNT_SETTINGS, NULL);
    expect_route("GET", "/2016-08-19/account-settings", SEG_SIM_LAMBDA_GET_ACCOUNT_SETTINGS, NULL);
    /* wrong methods and unmodelled paths */
    expect_route("GET", "/2015-03-31/functions/f1/invocations", SEG_SIM_LAMBDA_UNKNOWN, NULL);
    expect_route("POST", "/2015-03-31/functions/", SEG_SIM_LAMBDA_UNKNOWN, NULL);
    expect_route("DELETE", "/2015-03-31/functions/f1", SEG_SIM_LAMBDA_UNKNOWN, NULL);
    expect_route("GET", "/2015-03-31/functions/f1/policy", SEG_SIM_LAMBDA_UNKNOWN, NULL);
    expect_route("GET", "/2015-03-31/functionsX", SEG_SIM_LAMBDA_UNKNOWN, NULL);
    expect_route("GET", "/2017-03-31/tags/x", SEG_SIM_LAMBDA_UNKNOWN, NULL);
    struct seg_sim_lambda_route r;
    assert_int_equal(seg_sim_lambda_parse_route("GET", "/2015-03-31/functions/f%zz", &r),
                     SEG_ERR_PARSE);
    assert_int_equal(seg_sim_lambda_parse_route("GET", "/2015-03-31/functions/f%00", &r),
                     SEG_ERR_PARSE);
}

static void expect_name(const char *given, const char *name, const char *qual, const char *region,
                        const char *account)
{
    struct seg_sim_lambda_name n;
    if (seg_sim_lambda_split_name(given, &n) != SEG_OK)
        fail_msg("'%s' refused", given);
    assert_string_equal(n.name, name);
#define OPT(field, want)                    \
    if (want)                               \
        assert_string_equal(n.field, want); \
    else                                    \
        assert_null(n.field);
    OPT(qualifier, qual)
    OPT(region, region)
    OPT(account, account)
#undef OPT
    seg_sim_lambda_name_release(&n);
}

static void test_names(void **state)
{
    (void)state;
    expect_name("site1-lambdafunction", "site1-lambdafunction", NULL, NULL, NULL);
    expect_name("f1:$LATEST", "f1", "$LATEST", NULL, NULL);
    expect_name("123456789012:function:f1", "f1", NULL, NULL, "123456789012");
    expect_name("123456789012:function:f1:prod", "f1", "prod", NULL, "123456789012");
    expect_name("arn:aws:lambda:us-west-1:123456789012:function:f1", "f1", NULL, "us-west-1",
                "123456789012");
    expect_name("arn:aws:lambda:us-west-1:123456789012:function:f1:7", "f1", "7", "us-west-1",
                "123456789012");
    const char *bad[] = {"",
                         "a b",
                         "f1:",
                         ":q",
                         "f1:q:r",
                         "12345:function:f1",
                         "arn:aws:s3:us-west-1:123456789012:function:f1",
                         "arn:aws:lambda:us-west-1:123456789012:layer:f1",
                         "arn:aws:lambda:us-west-1:123456789012:function:f1:q:extra",
                         "x12345678901234567890123456789012345678901234567890123456789012345"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct seg_sim_lambda_name n;
        if (seg_sim_lambda_split_name(bad[i], &n) != SEG_ERR_INVALID)
            fail_msg("'%s' accepted", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
