/* The simulator's access keys: the caller's pair from the environment when set, else the
 * built-in TEST pair below. Secrets are wiped on free and never logged; the built-in one is
 * printed by `segtop sim` because it protects nothing. */
#ifndef SEGTOP_CORE_SIM_KEYSTORE_H
#define SEGTOP_CORE_SIM_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errmsg.h"
#include "util/seg.h"

/* TEST KEY PAIR, public on purpose: it only opens the loopback simulator. */
#define SEG_SIM_TEST_ACCESS_KEY_ID     "SEGTOPSIMACCESSKEY01"
#define SEG_SIM_TEST_SECRET_ACCESS_KEY "segtopSimulatorTestKey/NotASecret/000001"

#define SEG_SIM_KEYSTORE_MAX 8

struct seg_sim_keystore;

/* An empty store (tests add their own pairs). */
struct seg_sim_keystore *seg_sim_keystore_new(void);
/* The pair from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when both are set, else the
 * built-in test pair. Only one of the two set is SEG_ERR_INVALID (err says which). */
enum seg_err seg_sim_keystore_new_default(struct seg_sim_keystore **out,
                                          struct seg_errmsg *err) SEG_MUST_USE;
/* Adds a pair (copied). SEG_ERR_INVALID for an empty or over-long id (128) or secret (255);
 * SEG_ERR_TOOBIG when the store is full. Not thread-safe: add before serving. */
enum seg_err seg_sim_keystore_add(struct seg_sim_keystore *ks, const char *access_key_id,
                                  const char *secret) SEG_MUST_USE;
/* True when the store holds the built-in test pair (from seg_sim_keystore_new_default). */
bool seg_sim_keystore_is_builtin(const struct seg_sim_keystore *ks);
/* The first pair's access key id (to print or configure a client); NULL when empty. */
const char *seg_sim_keystore_access_key_id(const struct seg_sim_keystore *ks);
/* A seg_sigv4_secret_fn: ud is the store. Safe from any thread once serving. */
bool seg_sim_keystore_lookup(void *ud, const char *access_key_id, char *secret, size_t secret_size);
/* Wipes every secret, then frees. NULL is fine. */
void seg_sim_keystore_free(struct seg_sim_keystore *ks);

#endif
