/* Test helpers shared by the journal and replay tests: a random but valid session of store
 * mutations, and equality of two stores as every export and the snapshot show them. */
#ifndef SEGTOP_TESTS_JOURNAL_STORE_GEN_H
#define SEGTOP_TESTS_JOURNAL_STORE_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "metrics/store.h"

/* Drives s through `waves` waves of random size with every kind of outcome (failed and
 * throttled triggers, missing, running, errors, async retries, new-id retries, late
 * REPORTs, clock offsets, renamed sites), plus calls the store refuses. Deterministic for a
 * seed. */
void gen_session(struct seg_store *s, uint64_t seed, int waves);

/* The export of kind 0..3 (invocations, waves, sites, seed) of s, as a string. Caller frees. */
char *gen_export(struct seg_store *s, int kind);

/* Asserts that the invocations, waves and sites exports of a and b are the same text; with
 * full, also the seed export, every table field (event and database-write times included)
 * and the snapshot's totals, concurrency and error folds. Without full, the sites' last_error
 * is not compared: an invocations CSV cannot tell that a REPORT came after the attempt was
 * declared missing, which the live store still shows as the site's last error. */
void gen_assert_equal(struct seg_store *a, struct seg_store *b, bool full);

/* Removes a test directory tree (kept when SEG_TEST_KEEP is set) and frees dir. */
void gen_rm_tree(char *dir);

#endif
