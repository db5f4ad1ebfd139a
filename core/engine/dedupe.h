/* A bounded set of log event ids (DESIGN §7: events are de-duplicated by eventId; the
 * trailing window is re-read, so each event arrives several times). Two generations of
 * 64-bit hashes: when the young one fills, the old one is dropped. Ids are only needed for
 * as long as the re-read window can return them, which the generation size covers with a
 * wide margin. Pure; one writer. */
#ifndef SEGTOP_CORE_ENGINE_DEDUPE_H
#define SEGTOP_CORE_ENGINE_DEDUPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct seg_dedupe {
    uint64_t *gen[2]; /* open addressing; 0 = empty */
    size_t count[2];
    size_t cap; /* slots per generation (a power of two) */
    int young;
};

/* per_gen: ids kept per generation (at least; rounded up). */
void seg_dedupe_init(struct seg_dedupe *d, size_t per_gen);
void seg_dedupe_release(struct seg_dedupe *d);
/* True when id (len bytes) is new, and remembers it; false for a repeat. */
bool seg_dedupe_add(struct seg_dedupe *d, const void *id, size_t len);
uint64_t seg_dedupe_hash(const void *p, size_t len);

#endif
