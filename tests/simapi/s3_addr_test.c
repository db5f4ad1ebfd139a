/* simapi.s3_addr: path-style and virtual-hosted addressing, aws-chunked bodies, and the
 * CRC checksums S3's flexible checksums use. */
#include <stdlib.h>
#include <string.h>

#include "seg_test.h"
#include "sim/query.h"
#include "sim/s3_api.h"

static bool known(void *ud, const char *bucket)
{
    (void)ud;
    return strcmp(bucket, "site1-simulatedbucket") == 0 || strcmp(bucket, "my.dotted.bucket") == 0;
}

static void expect_target(const char *host, const char *path, enum seg_sim_s3_style style,
                          const char *bucket, const char *key)
{
    struct seg_sim_s3_target t;
    assert_int_equal(seg_sim_s3_parse_target(host, path, known, NULL, &t), SEG_OK);
    assert_int_equal(t.style, style);
    if (bucket)
        assert_string_equal(t.bucket, bucket);
    else
        assert_null(t.bucket);
    if (key)
        assert_string_equal(t.key, key);
    else
        assert_null(t.key);
    seg_sim_s3_target_release(&t);
}

static void test_addressing(void **state)
{
    (void)state;
    expect_target("127.0.0.1:4566", "/", SEG_SIM_S3_PATH, NULL, NULL);
    expect_target("127.0.0.1:4566", "/site1-simulatedbucket", SEG_SIM_S3_PATH,
                  "site1-simulatedbucket", NULL);
    expect_target("127.0.0.1:4566", "/site1-simulatedbucket/", SEG_SIM_S3_PATH,
                  "site1-simulatedbucket", NULL);
    expect_target("127.0.0.1:4566", "/site1-simulatedbucket/a/b%20c.jpg", SEG_SIM_S3_PATH,
                  "site1-simulatedbucket", "a/b c.jpg");
    expect_target("[::1]:80", "/b/k", SEG_SIM_S3_PATH, "b", "k");
    expect_target("s3.us-west-1.amazonaws.com", "/b/k+1", SEG_SIM_S3_PATH, "b", "k+1");
    /* virtual-hosted: a known bucket, any case, with or without a port */
    expect_target("site1-simulatedbucket.127.0.0.1:4566", "/img.jpg", SEG_SIM_S3_VIRTUAL,
                  "site1-simulatedbucket", "img.jpg");
    expect_target("SITE1-simulatedbucket.s3.us-west-1.amazonaws.com", "/", SEG_SIM_S3_VIRTUAL,
                  "site1-simulatedbucket", NULL);
    expect_target("my.dotted.bucket.s3.amazonaws.com", "/k", SEG_SIM_S3_VIRTUAL, "my.dotted.bucket",
                  "k");
    /* an unknown bucket addressed virtual-hosted style is still a bucket */
    expect_target("nosuch.s3.us-west-1.amazonaws.com", "/k", SEG_SIM_S3_VIRTUAL, "nosuch", "k");
    expect_target("nosuch.localhost:9000", "/", SEG_SIM_S3_VIRTUAL, "nosuch", NULL);
    expect_target(NULL, "/b/k", SEG_SIM_S3_PATH, "b", "k");
    struct seg_sim_s3_target t;
    assert_int_equal(seg_sim_s3_parse_target("h", "/b/%G0", known, NULL, &t), SEG_ERR_PARSE);
    assert_int_equal(seg_sim_s3_parse_target("h", "nopath", known, NULL, &t), SEG_ERR_PARSE);
}

static void test_chunked(void **state)
{
    (void)state;
    const char *signed_body =
        "5;chunk-signature=aaaa\r\nhello\r\n6;chunk-signature=bbbb\r\n world\r\n"
        "0;chunk-signature=cccc\r\n\r\n";
    struct seg_sim_s3_chunked c;
    assert_int_equal(seg_sim_s3_decode_chunked((const unsigned char *)signed_body,
                                               strlen(signed_body), 1024, &c),
                     SEG_OK);
    assert_int_equal(c.len, 11);
    assert_memory_equal(c.data, "hello world", 11);
    assert_null(c.trailer_name);
    seg_sim_s3_chunked_release(&c);

    const char *trailer = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    assert_int_equal(
        seg_sim_s3_decode_chunked((const unsigned char *)trailer, strlen(trailer), 1024, &c),
        SEG_OK);
    assert_string_equal(c.trailer_name, "x-amz-checksum-crc32");
    assert_string_equal(c.trailer_value, "DUoRhQ==");
    seg_sim_s3_chunked_release(&c);

    const char *bad[] = {"",
                         "zz\r\nhello\r\n0\r\n\r\n",
                         "5\r\nhel",
                         "5\r\nhelloXX0\r\n\r\n",
                         "5;x\r\nhello\r\n0\r\nnocolon\r\n\r\n",
                         "123456789\r\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (seg_sim_s3_decode_chunked((const unsigned char *)bad[i], strlen(bad[i]), 1024, &c) ==
            SEG_OK)
            fail_msg("accepted malformed body %zu", i);
    }
    assert_int_equal(
        seg_sim_s3_decode_chunked((const unsigned char *)signed_body, strlen(signed_body), 4, &c),
        SEG_ERR_TOOBIG);
}

static void test_checksums(void **state)
{
    (void)state;
    /* The CRC catalogue's check values for "123456789". */
    assert_int_equal(seg_sim_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(seg_sim_crc32c("123456789", 9), 0xE3069283u);
    char *b = seg_sim_base64("hello world", 11);
    assert_string_equal(b, "aGVsbG8gd29ybGQ=");
    free(b);
    b = seg_sim_base64("", 0);
    assert_string_equal(b, "");
    free(b);
}

static void test_query(void **state)
{
    (void)state;
    char *v = seg_sim_query_get("Marker=a%2Fb&MaxItems=5&notification", "MaxItems");
    assert_string_equal(v, "5");
    free(v);
    v = seg_sim_query_get("Marker=a%2Fb&MaxItems=5", "Marker");
    assert_string_equal(v, "a/b");
    free(v);
    v = seg_sim_query_get("notification", "notification");
    assert_string_equal(v, "");
    free(v);
    assert_null(seg_sim_query_get("a=1", "b"));
    assert_null(seg_sim_query_get(NULL, "b"));
    assert_true(seg_sim_query_has("x-id=PutObject&location", "location"));
    assert_false(seg_sim_query_has("locations", "location"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addressing),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_checksums),
        cmocka_unit_test(test_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
