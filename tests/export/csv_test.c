/* RFC 4180 quoting, formula neutralisation and the reader that undoes both. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/csv.h"
#include "seg_test.h"

/* Writes cells with fn into a memory stream and returns the text (caller frees). */
static char *render(void (*fn)(struct seg_csv *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct seg_csv w;
    seg_csv_init(&w, f);
    fn(&w);
    assert_int_equal(seg_csv_status(&w), SEG_OK);
    fclose(f);
    return buf;
}

static const char *const texts[] = {
    "plain",    "with,comma",   "say \"hi\"", "two\nlines",
    "cr\r\nlf", "=SUM(A1:A9)",  "+1",         "-1",
    "@cmd",     "\tTAB",        "\rCR",       "'=already",
    "''+x",     "'plain quote", "=\"a,b\"",   "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80",
    "",
};
#define N_TEXTS (sizeof texts / sizeof texts[0])

static void row_texts(struct seg_csv *w)
{
    for (size_t i = 0; i < N_TEXTS; i++)
        seg_csv_text(w, texts[i]);
    seg_csv_end_row(w);
}

static void test_text_cells(void **state)
{
    (void)state;
    char *out = render(row_texts);
    assert_string_equal(out, "plain,\"with,comma\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\nlf\","
                             "'=SUM(A1:A9),'+1,'-1,'@cmd,'\tTAB,\"'\rCR\",''=already,'''+x,"
                             "'plain quote,\"'=\"\"a,b\"\"\","
                             "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80,\n");
    /* The reader gives back exactly what was written. */
    struct seg_csv_record rec;
    seg_csv_record_init(&rec);
    size_t pos = 0;
    assert_int_equal(seg_csv_read_record(out, strlen(out), &pos, true, 100, &rec), SEG_OK);
    assert_int_equal(rec.n, N_TEXTS);
    for (size_t i = 0; i < N_TEXTS; i++)
        assert_string_equal(rec.cells[i], texts[i]);
    assert_int_equal(pos, strlen(out));
    assert_int_equal(seg_csv_read_record(out, strlen(out), &pos, true, 100, &rec),
                     SEG_ERR_NOTFOUND);
    /* Without strip the ' stays. */
    pos = 0;
    assert_int_equal(seg_csv_read_record(out, strlen(out), &pos, false, 100, &rec), SEG_OK);
    assert_string_equal(rec.cells[5], "'=SUM(A1:A9)");
    seg_csv_record_release(&rec);
    free(out);
}

static void row_numbers(struct seg_csv *w)
{
    seg_csv_i64(w, -5);
    seg_csv_i64(w, 0);
    seg_csv_double(w, "%.1f", -22215.0);
    seg_csv_double(w, "%.1f", NAN);
    seg_csv_ms(w, 22215.0);
    seg_csv_ms(w, 234.5);
    seg_csv_ms(w, 12.345);
    seg_csv_ms(w, -0.001);
    seg_csv_ms(w, NAN);
    seg_csv_time(w, 1746745217123LL);
    seg_csv_time(w, INT64_MIN);
    seg_csv_raw(w, "true");
    seg_csv_empty(w);
    seg_csv_end_row(w);
    seg_csv_text(w, NULL);
    seg_csv_end_row(w);
}

static void test_numbers_never_neutralised(void **state)
{
    (void)state;
    char *out = render(row_numbers);
    assert_string_equal(out, "-5,0,-22215.0,,22215,234.5,12.35,0,,2025-05-08T23:00:17.123Z,,"
                             "true,\n\n");
    free(out);
}

static void test_neutralize_rule(void **state)
{
    (void)state;
    assert_true(seg_csv_needs_neutralize("-x", 2));
    assert_true(seg_csv_needs_neutralize("'''=", 4));
    assert_false(seg_csv_needs_neutralize("'x", 2));
    assert_false(seg_csv_needs_neutralize("'", 1));
    assert_false(seg_csv_needs_neutralize("x=", 2));
    assert_string_equal(seg_csv_unneutralize("'=1"), "=1");
    assert_string_equal(seg_csv_unneutralize("''=1"), "'=1");
    assert_string_equal(seg_csv_unneutralize("'abc"), "'abc");
    assert_string_equal(seg_csv_unneutralize("'"), "'");
    assert_string_equal(seg_csv_unneutralize("-5"), "-5");
}

static void test_reader_edges(void **state)
{
    (void)state;
    struct seg_csv_record rec;
    seg_csv_record_init(&rec);
    const char *data = "a,,\"\"\r\n\"x\"y\n";
    size_t pos = 0;
    assert_int_equal(seg_csv_read_record(data, strlen(data), &pos, true, 10, &rec), SEG_OK);
    assert_int_equal(rec.n, 3);
    assert_string_equal(rec.cells[1], "");
    assert_string_equal(rec.cells[2], "");
    assert_int_equal(seg_csv_read_record(data, strlen(data), &pos, true, 10, &rec), SEG_ERR_PARSE);
    pos = 0;
    assert_int_equal(seg_csv_read_record("\"open", 5, &pos, true, 10, &rec), SEG_ERR_PARSE);
    pos = 0;
    assert_int_equal(seg_csv_read_record("a,b,c", 5, &pos, true, 2, &rec), SEG_ERR_TOOBIG);
    pos = 0;
    assert_int_equal(seg_csv_read_record("last", 4, &pos, true, 2, &rec), SEG_OK);
    assert_string_equal(rec.cells[0], "last");
    seg_csv_record_release(&rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_cells),
        cmocka_unit_test(test_numbers_never_neutralised),
        cmocka_unit_test(test_neutralize_rule),
        cmocka_unit_test(test_reader_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
