#include "sim/keystore.h"

#include <stdlib.h>
#include <string.h>

#include "util/crypto.h"
#include "util/xalloc.h"

struct key_pair {
    char id[129];
    char secret[256];
};

struct seg_sim_keystore {
    struct key_pair pairs[SEG_SIM_KEYSTORE_MAX];
    size_t n;
    bool builtin;
};

struct seg_sim_keystore *seg_sim_keystore_new(void)
{
    return seg_xcalloc(1, sizeof(struct seg_sim_keystore));
}

enum seg_err seg_sim_keystore_add(struct seg_sim_keystore *ks, const char *access_key_id,
                                  const char *secret)
{
    if (!ks || !access_key_id || !secret)
        return SEG_ERR_INVALID;
    size_t il = strlen(access_key_id), sl = strlen(secret);
    if (il == 0 || il >= sizeof ks->pairs[0].id || sl == 0 || sl >= sizeof ks->pairs[0].secret)
        return SEG_ERR_INVALID;
    if (ks->n == SEG_SIM_KEYSTORE_MAX)
        return SEG_ERR_TOOBIG;
    memcpy(ks->pairs[ks->n].id, access_key_id, il + 1);
    memcpy(ks->pairs[ks->n].secret, secret, sl + 1);
    ks->n++;
    return SEG_OK;
}

enum seg_err seg_sim_keystore_new_default(struct seg_sim_keystore **out, struct seg_errmsg *err)
{
    const char *id = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    bool have_id = id && *id, have_secret = secret && *secret;
    if (have_id != have_secret) {
        seg_errmsg_set(err,
                       "simulator: %s is set but %s is not: set both, or neither to use "
                       "the built-in test key",
                       have_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                       have_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return SEG_ERR_INVALID;
    }
    struct seg_sim_keystore *ks = seg_sim_keystore_new();
    ks->builtin = !have_id;
    enum seg_err rc = have_id ? seg_sim_keystore_add(ks, id, secret)
                              : seg_sim_keystore_add(ks, SEG_SIM_TEST_ACCESS_KEY_ID,
                                                     SEG_SIM_TEST_SECRET_ACCESS_KEY);
    if (rc) {
        seg_errmsg_set(err, "simulator: AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is too long");
        seg_sim_keystore_free(ks);
        return rc;
    }
    *out = ks;
    return SEG_OK;
}

bool seg_sim_keystore_is_builtin(const struct seg_sim_keystore *ks)
{
    return ks && ks->builtin;
}

const char *seg_sim_keystore_access_key_id(const struct seg_sim_keystore *ks)
{
    return ks && ks->n ? ks->pairs[0].id : NULL;
}

bool seg_sim_keystore_lookup(void *ud, const char *access_key_id, char *secret, size_t secret_size)
{
    const struct seg_sim_keystore *ks = ud;
    if (!ks || !access_key_id || !secret || secret_size == 0)
        return false;
    for (size_t i = 0; i < ks->n; i++) {
        if (strcmp(ks->pairs[i].id, access_key_id) != 0)
            continue;
        size_t sl = strlen(ks->pairs[i].secret);
        if (sl >= secret_size)
            return false;
        memcpy(secret, ks->pairs[i].secret, sl + 1);
        return true;
    }
    return false;
}

void seg_sim_keystore_free(struct seg_sim_keystore *ks)
{
    if (!ks)
        return;
    seg_wipe(ks, sizeof *ks);
    free(ks);
}
