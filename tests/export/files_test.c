/* Atomic export files: names, clash suffixes, temp files never visible under the final
 * name, leftover cleanup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "export/files.h"
#include "seg_test.h"
#include "util/xalloc.h"

struct payload {
    const char *text;
    const char *dir; /* checked while writing */
    bool fail;
};

static size_t count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static enum seg_err write_payload(FILE *f, void *ud)
{
    const struct payload *p = ud;
    fputs(p->text, f);
    /* Mid-write, the only thing in the directory under the final name is the old file:
     * the new bytes live in a temp file. */
    assert_int_equal(count_entries(p->dir, SEG_EXPORT_TMP_PREFIX), 1);
    return p->fail ? SEG_ERR_IO : SEG_OK;
}

static void test_stamp(void **state)
{
    (void)state;
    char stamp[SEG_EXPORT_STAMP_LEN + 1];
    seg_export_stamp(1746745217123LL, stamp);
    assert_string_equal(stamp, "20250508T230017.123Z");
    seg_export_stamp(0, stamp);
    assert_string_equal(stamp, "19700101T000000.000Z");
}

static void test_write_and_clash(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    struct seg_errmsg err = {{0}};
    struct payload p = {"one\n", dir, false};
    char *path = NULL;
    assert_int_equal(
        seg_export_write_atomic(dir, "segtop-waves-X", false, write_payload, &p, &path, &err),
        SEG_OK);
    char *want = seg_xasprintf("%s/%s", dir, "segtop-waves-X.csv");
    assert_string_equal(path, want);
    free(want);
    free(path);
    p.text = "two\n";
    assert_int_equal(
        seg_export_write_atomic(dir, "segtop-waves-X", false, write_payload, &p, &path, &err),
        SEG_OK);
    want = seg_xasprintf("%s/%s", dir, "segtop-waves-X-2.csv");
    assert_string_equal(path, want);
    char *text = seg_test_read_file(path, NULL);
    assert_string_equal(text, "two\n");
    free(text);
    free(want);
    free(path);
    /* A fixed name is replaced whole. */
    p.text = "three\n";
    assert_int_equal(
        seg_export_write_atomic(dir, "segtop-waves-X", true, write_payload, &p, &path, &err),
        SEG_OK);
    text = seg_test_read_file(path, NULL);
    assert_string_equal(text, "three\n");
    free(text);
    free(path);
    /* A failed writer leaves the old file and no temp file. */
    p.fail = true;
    p.text = "partial";
    path = NULL;
    assert_int_equal(
        seg_export_write_atomic(dir, "segtop-waves-X", true, write_payload, &p, &path, &err),
        SEG_ERR_IO);
    assert_null(path);
    want = seg_xasprintf("%s/%s", dir, "segtop-waves-X.csv");
    text = seg_test_read_file(want, NULL);
    assert_string_equal(text, "three\n");
    free(text);
    free(want);
    assert_int_equal(count_entries(dir, SEG_EXPORT_TMP_PREFIX), 0);
    /* Unwritable directory: an error naming the path. */
    assert_int_equal(
        seg_export_write_atomic("/nonexistent-dir", "x", false, write_payload, &p, &path, &err),
        SEG_ERR_IO);
    assert_non_null(strstr(err.text, "/nonexistent-dir/"));
    free(dir);
}

static void test_cleanup(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    /* A dead process's leftover (999999999 is above Linux's largest pid_max, 2^22), a
     * malformed one, our own, and an unrelated file. */
    char *dead = seg_xasprintf("%s/%s", dir, SEG_EXPORT_TMP_PREFIX "999999999-0-segtop-x.csv");
    char *junk = seg_xasprintf("%s/%s", dir, SEG_EXPORT_TMP_PREFIX "junk.csv");
    char own_name[128];
    snprintf(own_name, sizeof own_name, SEG_EXPORT_TMP_PREFIX "%ld-7-segtop-y.csv", (long)getpid());
    char *own = seg_xasprintf("%s/%s", dir, own_name);
    char *other = seg_xasprintf("%s/%s", dir, "segtop-sites-1.csv");
    seg_test_write_file(dead, "partial");
    seg_test_write_file(junk, "partial");
    seg_test_write_file(own, "in progress");
    seg_test_write_file(other, "keep");
    size_t removed = 0;
    assert_int_equal(seg_export_cleanup(dir, &removed), SEG_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(access(dead, F_OK), -1);
    assert_int_equal(access(junk, F_OK), -1);
    assert_int_equal(access(own, F_OK), 0);
    assert_int_equal(access(other, F_OK), 0);
    assert_int_equal(seg_export_cleanup("/nonexistent-dir", &removed), SEG_ERR_IO);
    free(dead);
    free(junk);
    free(own);
    free(other);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stamp),
        cmocka_unit_test(test_write_and_clash),
        cmocka_unit_test(test_cleanup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
