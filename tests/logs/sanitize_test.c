/* logs.sanitize: seg_sanitize_for_terminal against terminal attacks (DESIGN §5): CSI and OSC
 * sequences, 8-bit C1 (raw and UTF-8), bidi overrides, invalid UTF-8 and overlongs, NUL;
 * valid text preserved; the output cap never splits a character. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/sanitize.h"
#include "seg_test.h"

#define FFFD "\xEF\xBF\xBD"

static char out[512];

static const char *san_n(const char *in, size_t len)
{
    size_t n = seg_sanitize_for_terminal(in, len, out, sizeof out);
    assert_int_equal(n, strlen(out));
    return out;
}

#define SAN(lit) san_n(lit, sizeof(lit) - 1)

static void test_escape_sequences(void **state)
{
    (void)state;
    assert_string_equal(SAN("a\x1b[2Jb"), "a" FFFD "[2Jb");
    /* OSC 0 (window title) ended by BEL, OSC 52 (clipboard write) ended by ST. */
    assert_string_equal(SAN("\x1b]0;pwned\x07"), FFFD "]0;pwned" FFFD);
    assert_string_equal(SAN("\x1b]52;c;SGVsbG8=\x1b\\"), FFFD "]52;c;SGVsbG8=" FFFD "\\");
    /* 8-bit CSI: raw 0x9B (not UTF-8) and U+009B encoded in UTF-8 (C2 9B). */
    assert_string_equal(SAN("\x9b"
                            "31mred"),
                        FFFD "31mred");
    assert_string_equal(SAN("\xc2\x9b"
                            "2J"),
                        FFFD "2J");
    assert_string_equal(SAN("\xc2\x80\xc2\x9f"), FFFD FFFD);
    assert_string_equal(SAN("x\x7fy"), "x" FFFD "y");
    assert_string_equal(SAN("\x01\x08\x0b\x0c\x1f"), FFFD FFFD FFFD FFFD FFFD);
}

static void test_whitespace(void **state)
{
    (void)state;
    /* One row of text: tab, LF and CR become spaces (a bare CR could overwrite the row). */
    assert_string_equal(SAN("a\tb\nc\rd"), "a b c d");
}

static void test_bidi(void **state)
{
    (void)state;
    assert_string_equal(SAN("abc\xe2\x80\xae"
                            "fdp.exe"),
                        "abc" FFFD "fdp.exe"); /* U+202E RLO */
    const char *bidi[] = {"\xd8\x9c",     "\xe2\x80\x8e", "\xe2\x80\x8f", "\xe2\x80\xaa",
                          "\xe2\x80\xab", "\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x81\xa6",
                          "\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9", "\xe2\x80\xa8",
                          "\xe2\x80\xa9"};
    for (size_t i = 0; i < sizeof bidi / sizeof bidi[0]; i++)
        assert_string_equal(san_n(bidi[i], strlen(bidi[i])), FFFD);
    /* Neighbours that are fine: U+200D ZWJ (emoji sequences), U+2030 per mille. */
    assert_string_equal(SAN("\xe2\x80\x8d\xe2\x80\xb0"), "\xe2\x80\x8d\xe2\x80\xb0");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    assert_string_equal(SAN("a\xff"
                            "b"),
                        "a" FFFD "b");
    assert_string_equal(SAN("\x80"), FFFD);          /* stray continuation */
    assert_string_equal(SAN("ab\xc3"), "ab" FFFD);   /* truncated at the end */
    assert_string_equal(SAN("\xe2\x82x"), FFFD "x"); /* one U+FFFD per maximal subpart */
    assert_string_equal(SAN("\xf0\x9f\x98"), FFFD);  /* truncated 4-byte */
    assert_string_equal(SAN("\xc0\xaf"), FFFD FFFD); /* overlong '/' */
    assert_string_equal(SAN("\xc1\xbf"), FFFD FFFD); /* overlong */
    assert_string_equal(SAN("\xe0\x80\xaf"), FFFD FFFD FFFD);
    assert_string_equal(SAN("\xf0\x80\x80\xaf"), FFFD FFFD FFFD FFFD);
    assert_string_equal(SAN("\xe0\x82\x9b"), FFFD FFFD FFFD);          /* overlong 0x9B CSI */
    assert_string_equal(SAN("\xed\xa0\x80"), FFFD FFFD FFFD);          /* surrogate D800 */
    assert_string_equal(SAN("\xf4\x90\x80\x80"), FFFD FFFD FFFD FFFD); /* > U+10FFFF */
    assert_string_equal(SAN("\xf5\x80"), FFFD FFFD);
}

static void test_nul(void **state)
{
    (void)state;
    assert_string_equal(san_n("a\0b", 3), "a" FFFD "b");
}

static void test_valid_text_preserved(void **state)
{
    (void)state;
    const char *ok[] = {"plain ASCII ~!@#$%^&*()",
                        "caf\xc3\xa9",
                        "\xe6\xbc\xa2\xe5\xad\x97 \xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
                        "\xf0\x9f\x98\x80 \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",
                        "nbsp\xc2\xa0ok",
                        "\xef\xbf\xbd",
                        "\xf4\x8f\xbf\xbf",
                        "\xed\x9f\xbf"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_string_equal(san_n(ok[i], strlen(ok[i])), ok[i]);
}

static void test_cap(void **state)
{
    (void)state;
    char small[8];
    size_t used = 99;
    /* "ab" + U+6F22 (3 bytes): 6 bytes with the NUL; out_size 5 stops before the CJK. */
    assert_int_equal(seg_sanitize_for_terminal_ex("ab\xe6\xbc\xa2", 5, small, 5, &used), 2);
    assert_string_equal(small, "ab");
    assert_int_equal(used, 2);
    assert_int_equal(seg_sanitize_for_terminal_ex("ab\xe6\xbc\xa2", 5, small, 6, &used), 5);
    assert_string_equal(small, "ab\xe6\xbc\xa2");
    assert_int_equal(used, 5);
    /* A replacement is never split either. */
    assert_int_equal(seg_sanitize_for_terminal("a\x1b", 2, small, 4), 1);
    assert_string_equal(small, "a");
    assert_int_equal(seg_sanitize_for_terminal("a\x1b", 2, small, 5), 4);
    assert_int_equal(seg_sanitize_for_terminal("abc", 3, small, 1), 0);
    assert_string_equal(small, "");
    assert_int_equal(seg_sanitize_for_terminal("abc", 3, NULL, 0), 0);
    assert_int_equal(seg_sanitize_for_terminal(NULL, 0, small, sizeof small), 0);
    assert_string_equal(small, "");
}

static bool clean_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c < 0x20 || c == 0x7f)
            return false;
        size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (c >= 0x80 && c < 0xc2)
            return false;
        if (i + k > n)
            return false;
        for (size_t j = 1; j < k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return false;
        }
        if (c == 0xc2 && p[i + 1] < 0xa0) /* C1 */
            return false;
        i += k;
    }
    return true;
}

static void test_random_bytes(void **state)
{
    (void)state;
    srand(7);
    static char in[300], o1[1024], o2[1024];
    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)rand() % sizeof in;
        for (size_t i = 0; i < n; i++) {
            /* bias towards the interesting bytes */
            int r = rand() % 4;
            in[i] = (char)(r == 0 ? 0x80 + rand() % 0x40 : r == 1 ? 0xc0 + rand() % 0x40 : rand());
        }
        size_t a = seg_sanitize_for_terminal(in, n, o1, sizeof o1);
        assert_true(clean_utf8((unsigned char *)o1, a));
        /* Idempotent: clean output passes through unchanged. */
        size_t b = seg_sanitize_for_terminal(o1, a, o2, sizeof o2);
        assert_int_equal(a, b);
        assert_memory_equal(o1, o2, a);
        /* Any smaller cap gives a prefix of the full output. */
        size_t cap = (size_t)rand() % (a + 2) + 1, c = seg_sanitize_for_terminal(in, n, o2, cap);
        assert_true(c < cap && c <= a);
        assert_memory_equal(o1, o2, c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_sequences),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_bidi),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_valid_text_preserved),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_random_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
