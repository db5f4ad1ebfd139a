#include "engine/dedupe.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

uint64_t seg_dedupe_hash(const void *p, size_t len)
{
    /* FNV-1a, then a finaliser so the low bits index well. */
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

void seg_dedupe_init(struct seg_dedupe *d, size_t per_gen)
{
    size_t cap = 64;
    while (cap < per_gen * 2)
        cap <<= 1;
    *d = (struct seg_dedupe){.cap = cap};
    d->gen[0] = seg_xcalloc(cap, sizeof(uint64_t));
    d->gen[1] = seg_xcalloc(cap, sizeof(uint64_t));
}

void seg_dedupe_release(struct seg_dedupe *d)
{
    free(d->gen[0]);
    free(d->gen[1]);
    memset(d, 0, sizeof *d);
}

static bool has(const struct seg_dedupe *d, int g, uint64_t h)
{
    for (size_t i = h & (d->cap - 1);; i = (i + 1) & (d->cap - 1)) {
        if (d->gen[g][i] == h)
            return true;
        if (d->gen[g][i] == 0)
            return false;
    }
}

bool seg_dedupe_add(struct seg_dedupe *d, const void *id, size_t len)
{
    uint64_t h = seg_dedupe_hash(id, len);
    if (has(d, 0, h) || has(d, 1, h))
        return false;
    /* Half full: the young generation becomes the old one. */
    if (d->count[d->young] >= d->cap / 2) {
        d->young ^= 1;
        memset(d->gen[d->young], 0, d->cap * sizeof(uint64_t));
        d->count[d->young] = 0;
    }
    uint64_t *t = d->gen[d->young];
    size_t i = h & (d->cap - 1);
    while (t[i])
        i = (i + 1) & (d->cap - 1);
    t[i] = h;
    d->count[d->young]++;
    return true;
}
