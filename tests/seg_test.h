/* Common preamble for cmocka tests: cmocka needs these headers first, in this order. */
#ifndef SEGTOP_TESTS_SEG_TEST_H
#define SEGTOP_TESTS_SEG_TEST_H

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <stdbool.h>

/* Exit code ctest reads as "skipped" (SKIP_RETURN_CODE 77): cmocka's skip() exits 0. */
#define SEG_TEST_SKIP 77

/* SEGTOP_TEST_TIME_SCALE (default 1): multiply every deadline by it. */
double seg_test_time_scale(void);
/* The ../shared reference folder (or $SEG_SHARED_DIR); NULL when absent. */
const char *seg_test_shared_dir(void);
/* The repository root. */
const char *seg_test_source_dir(void);
/* Reads a whole file; NULL when it cannot be read. Caller frees. */
char *seg_test_read_file(const char *path, size_t *len);
/* Creates a fresh temporary directory; caller frees the path (the tree is left for debugging
 * only when SEG_TEST_KEEP is set). */
char *seg_test_tmpdir(void);
/* Writes a file (creating it); asserts on failure. */
void seg_test_write_file(const char *path, const char *content);
/* Monotonic milliseconds. */
double seg_test_now_ms(void);

#endif
