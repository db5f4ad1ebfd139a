/* The journal: a random session written through the store observer and replayed into a fresh
 * store gives the same tables, exports and snapshot; a cut last line is tolerated; the size
 * cap stops it cleanly; `last` points at the newest file; secrets are masked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "cli/options.h"
#include "journal/journal.h"
#include "replay/replay.h"
#include "seg_test.h"
#include "store_gen.h"
#include "util/xalloc.h"

static void ok(enum seg_err e)
{
    assert_int_equal(e, SEG_OK);
}

/* A journal of gen_session(seed, waves) in dir; the live store in *live. Caller frees. */
static char *journal_session(const char *dir, uint64_t seed, int waves, struct seg_store **live)
{
    struct seg_journal *j = NULL;
    struct seg_errmsg err = {{0}};
    ok(seg_journal_open(dir, &j, &err));
    char *path = seg_xstrdup(seg_journal_path(j));
    struct seg_store *s = seg_store_new(NULL);
    seg_journal_attach(j, s);
    gen_session(s, seed, waves);
    ok(seg_journal_close(j));
    *live = s;
    return path;
}

static struct seg_store *replay(const char *path, struct seg_replay_info *info)
{
    struct seg_store *s = seg_store_new(NULL);
    struct seg_errmsg err = {{0}};
    enum seg_err rc = seg_replay_load_file(s, path, info, &err);
    if (rc)
        fprintf(stderr, "replay: %s\n", err.text);
    ok(rc);
    return s;
}

static void test_round_trip(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    for (uint64_t seed = 1; seed <= 12; seed++) {
        struct seg_store *live = NULL;
        char *path = journal_session(dir, seed, 1 + (int)(seed % 7), &live);
        struct seg_replay_info info;
        struct seg_store *back = replay(path, &info);
        assert_int_equal(info.format, SEG_REPLAY_JOURNAL);
        assert_false(info.truncated);
        assert_false(info.stopped);
        assert_int_equal(info.waves, seg_store_wave_count(live));
        gen_assert_equal(live, back, true);
        seg_store_free(back);
        seg_store_free(live);
        free(path);
    }
    gen_rm_tree(dir);
}

static void test_format_and_last(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    struct seg_store *live = NULL;
    char *path = journal_session(dir, 7, 2, &live);
    size_t len = 0;
    char *data = seg_test_read_file(path, &len);
    assert_non_null(data);
    assert_memory_equal(data, "{\"segtop_journal\":1,", 20);
    assert_non_null(strstr(data, "\n{\"op\":\"wave\",\"wave\":1,"));
    assert_int_equal(data[len - 1], '\n');
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    const char *base = strrchr(path, '/') + 1;
    assert_memory_equal(base, "journal-", 8);
    assert_non_null(strstr(base, ".jsonl"));
    char *last = seg_xasprintf("%s/last", dir);
    char target[512] = "";
    ssize_t n = readlink(last, target, sizeof target - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, base);
    /* A second session moves `last`. */
    struct seg_store *live2 = NULL;
    char *path2 = journal_session(dir, 8, 1, &live2);
    n = readlink(last, target, sizeof target - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, strrchr(path2, '/') + 1);
    seg_store_free(live);
    seg_store_free(live2);
    free(last);
    free(data);
    free(path);
    free(path2);
    gen_rm_tree(dir);
}

static void test_truncated_last_line(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    struct seg_store *live = NULL;
    char *path = journal_session(dir, 3, 4, &live);
    size_t len = 0;
    char *data = seg_test_read_file(path, &len);
    /* Cut in the middle of the last line, and separately right before it. */
    size_t last_start = len - 1;
    while (last_start > 0 && data[last_start - 1] != '\n')
        last_start--;
    size_t cut = last_start + (len - last_start) / 2;
    struct seg_replay_info info;
    struct seg_errmsg err = {{0}};
    struct seg_store *a = seg_store_new(NULL), *b = seg_store_new(NULL);
    ok(seg_replay_load_buffer(a, "cut.jsonl", data, cut, &info, &err));
    assert_true(info.truncated);
    size_t records = info.records;
    ok(seg_replay_load_buffer(b, "whole-lines.jsonl", data, last_start, &info, &err));
    assert_false(info.truncated);
    assert_int_equal(info.records, records);
    gen_assert_equal(a, b, true);
    /* A broken line that is not the last is an error naming file and line. */
    char *bad = seg_xstrdup(data);
    size_t second = strchr(bad, '\n') - bad + 1;
    bad[second + 3] = '#';
    struct seg_store *c = seg_store_new(NULL);
    assert_int_equal(seg_replay_load_buffer(c, "bad.jsonl", bad, len, &info, &err), SEG_ERR_PARSE);
    assert_non_null(strstr(err.text, "bad.jsonl:2: "));
    seg_store_free(a);
    seg_store_free(b);
    seg_store_free(c);
    seg_store_free(live);
    free(bad);
    free(data);
    free(path);
    gen_rm_tree(dir);
}

static void test_size_cap(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    struct seg_journal *j = NULL;
    struct seg_errmsg err = {{0}};
    ok(seg_journal_open(dir, &j, &err));
    seg_journal_set_max_bytes(j, 8192);
    char *path = seg_xstrdup(seg_journal_path(j));
    struct seg_store *s = seg_store_new(NULL);
    seg_journal_attach(j, s);
    assert_null(seg_journal_problem(j));
    gen_session(s, 5, 6);
    assert_int_equal(seg_journal_flush(j), SEG_ERR_TOOBIG);
    assert_non_null(seg_journal_problem(j));
    assert_non_null(strstr(seg_journal_problem(j), "size cap"));
    ok(seg_journal_close(j));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size <= 8192);
    struct seg_replay_info info;
    struct seg_store *back = replay(path, &info);
    assert_true(info.stopped);
    assert_true(info.records > 10);
    seg_store_free(back);
    seg_store_free(s);
    free(path);
    gen_rm_tree(dir);
}

static void test_flush_and_masking(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    struct seg_journal *j = NULL;
    struct seg_errmsg err = {{0}};
    ok(seg_journal_open(dir, &j, &err));
    struct seg_store *s = seg_store_new(NULL);
    seg_journal_attach(j, s);
    int w = 0;
    ok(seg_store_wave_begin(s, 2, SEG_TRIGGER_INVOKE, "k", 1000, &w));
    ok(seg_store_trigger_sent(s, w, 1, 1000));
    ok(seg_store_trigger_failed(s, w, 2, 1001, false,
                                "403 for https://b.s3/k?X-Amz-Credential=AKIDEXAMPLE%2F2025&"
                                "X-Amz-Signature=deadbeefcafe&x=1 signature mismatch"));
    seg_store_set_now(s, 5000);
    ok(seg_journal_flush(j));
    size_t len = 0;
    char *data = seg_test_read_file(seg_journal_path(j), &len);
    assert_non_null(strstr(data, "\"op\":\"sent\""));
    assert_non_null(strstr(data, "{\"op\":\"now\",\"ms\":5000}"));
    assert_null(strstr(data, "deadbeefcafe"));
    assert_null(strstr(data, "AKIDEXAMPLE"));
    assert_non_null(strstr(data, "X-Amz-Signature=***&x=1 signature mismatch"));
    free(data);
    /* Once closed the store no longer reports to the journal. */
    ok(seg_journal_close(j));
    seg_store_set_now(s, 6000);
    seg_store_free(s);
    gen_rm_tree(dir);
}

static void test_default_dir_and_last(void **state)
{
    (void)state;
    char *dir = seg_test_tmpdir();
    setenv("XDG_STATE_HOME", dir, 1);
    char *d = NULL;
    struct seg_errmsg err = {{0}};
    ok(seg_journal_default_dir(&d, &err));
    char *want = seg_xasprintf("%s/segtop", dir);
    assert_string_equal(d, want);
    free(d);
    setenv("XDG_STATE_HOME", "relative/path", 1); /* ignored, as the XDG spec says */
    setenv("HOME", dir, 1);
    ok(seg_journal_default_dir(&d, &err));
    char *want2 = seg_xasprintf("%s/.local/state/segtop", dir);
    assert_string_equal(d, want2);
    free(d);
    setenv("XDG_STATE_HOME", dir, 1);

    char *last = NULL;
    assert_int_equal(seg_replay_last_path(&last, &err), SEG_ERR_NOTFOUND);
    assert_non_null(strstr(err.text, "last"));

    struct seg_journal *j = NULL;
    ok(seg_journal_open(NULL, &j, &err)); /* creates <dir>/segtop */
    struct seg_store *s = seg_store_new(NULL);
    seg_journal_attach(j, s);
    gen_session(s, 11, 3);
    ok(seg_journal_close(j));
    ok(seg_replay_last_path(&last, &err));

    /* The command: --last prints the same waves CSV as the live store's. */
    struct seg_options o;
    seg_options_init(&o);
    o.command = SEG_CMD_REPLAY;
    o.replay_last = true;
    char *out = NULL, *errs = NULL;
    size_t out_len = 0, err_len = 0;
    FILE *fo = open_memstream(&out, &out_len), *fe = open_memstream(&errs, &err_len);
    assert_int_equal(seg_replay_run(&o, true, fo, fe), 0);
    fclose(fo);
    fclose(fe);
    char *want_csv = gen_export(s, 1);
    assert_string_equal(out, want_csv);
    assert_string_equal(errs, "");
    seg_options_release(&o);
    free(want_csv);
    free(out);
    free(errs);
    free(last);
    seg_store_free(s);
    free(want);
    free(want2);
    gen_rm_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),          cmocka_unit_test(test_format_and_last),
        cmocka_unit_test(test_truncated_last_line), cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_flush_and_masking),   cmocka_unit_test(test_default_dir_and_last),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
