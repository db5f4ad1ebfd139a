#include "metrics/strpool.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CHUNK_SIZE ((size_t)64 * 1024)

struct seg_strpool_chunk {
    struct seg_strpool_chunk *next;
    size_t used, size;
    char data[];
};

void seg_strpool_init(struct seg_strpool *p)
{
    p->head = NULL;
    p->bytes = 0;
}

void seg_strpool_release(struct seg_strpool *p)
{
    if (!p)
        return;
    struct seg_strpool_chunk *c = p->head;
    while (c) {
        struct seg_strpool_chunk *next = c->next;
        free(c);
        c = next;
    }
    p->head = NULL;
    p->bytes = 0;
}

const char *seg_strpool_addn(struct seg_strpool *p, const char *s, size_t n)
{
    if (!s)
        return NULL;
    struct seg_strpool_chunk *c = p->head;
    if (!c || c->size - c->used < n + 1) {
        size_t size = n + 1 > CHUNK_SIZE / 4 ? n + 1 : CHUNK_SIZE;
        struct seg_strpool_chunk *nc = seg_xmalloc(sizeof *nc + size);
        nc->used = 0;
        nc->size = size;
        /* A big one-off string gets its own chunk behind the head, so the head's free
         * space is not abandoned. */
        if (c && size != CHUNK_SIZE) {
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            p->head = nc;
        }
        p->bytes += sizeof *nc + size;
        c = nc;
    }
    char *out = c->data + c->used;
    memcpy(out, s, n);
    out[n] = '\0';
    c->used += n + 1;
    return out;
}

const char *seg_strpool_add(struct seg_strpool *p, const char *s)
{
    return s ? seg_strpool_addn(p, s, strlen(s)) : NULL;
}
