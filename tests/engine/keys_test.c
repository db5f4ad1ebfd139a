/* Wave object keys: the default template, placeholders, and -w{wave} on a reused key. */
#include <string.h>

#include "engine/image.h"
#include "engine/keys.h"
#include "seg_test.h"

/* 2025-05-08 17:00:00 UTC, the first wave of the measured data. */
#define T0 1746723600000LL

static void test_default_template(void **state)
{
    (void)state;
    char key[SEG_KEY_MAX + 1];
    assert_int_equal(seg_key_render(SEG_KEY_DEFAULT_TEMPLATE, T0, 1, 300, NULL, 0, key), SEG_OK);
    assert_string_equal(key, "image_capture_2025-05-08_17-00-00.jpg");
}

static void test_clash_gets_wave_suffix(void **state)
{
    (void)state;
    char key[SEG_KEY_MAX + 1];
    const char *used[] = {"image_capture_2025-05-08_17-00-00.jpg"};
    assert_int_equal(seg_key_render(SEG_KEY_DEFAULT_TEMPLATE, T0 + 400, 2, 20, used, 1, key),
                     SEG_OK);
    assert_string_equal(key, "image_capture_2025-05-08_17-00-00-w2.jpg");
    /* Without an extension the suffix goes last; a '.' in a folder name does not count. */
    const char *used2[] = {"v1.0/run"};
    assert_int_equal(seg_key_render("v1.0/run", T0, 3, 1, used2, 1, key), SEG_OK);
    assert_string_equal(key, "v1.0/run-w3");
}

static void test_placeholders(void **state)
{
    (void)state;
    char key[SEG_KEY_MAX + 1];
    assert_int_equal(seg_key_render("w{wave}/n{n}/{stamp}.jpg", T0, 4, 150, NULL, 0, key), SEG_OK);
    assert_string_equal(key, "w4/n150/2025-05-08_17-00-00.jpg");
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_key_template_check("x{site}.jpg", &err), SEG_ERR_INVALID);
    assert_non_null(strstr(err.text, "unknown placeholder"));
    assert_int_equal(seg_key_template_check("x{stamp", &err), SEG_ERR_INVALID);
    assert_int_equal(seg_key_template_check("", &err), SEG_ERR_INVALID);
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(seg_key_template_check(big, &err), SEG_ERR_INVALID);
    assert_int_equal(seg_key_template_check(SEG_KEY_DEFAULT_TEMPLATE, &err), SEG_OK);
}

static void test_builtin_image_is_jpeg(void **state)
{
    (void)state;
    size_t len;
    const unsigned char *img = seg_builtin_image(&len);
    assert_true(len > 100 && len < 4096);
    assert_int_equal(img[0], 0xff); /* SOI */
    assert_int_equal(img[1], 0xd8);
    assert_int_equal(img[len - 2], 0xff); /* EOI */
    assert_int_equal(img[len - 1], 0xd9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_template),
        cmocka_unit_test(test_clash_gets_wave_suffix),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_builtin_image_is_jpeg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
