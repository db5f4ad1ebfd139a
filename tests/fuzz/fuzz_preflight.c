/* libFuzzer target over the pre-flight's parsers of Lambda answers (GetFunctionConfiguration,
 * ListFunctions pages, GetAccountSettings) and the --discover site table built from a page:
 * any bytes give bounded, NUL-terminated fields with in-range numbers and a valid table or
 * an error, never a crash, a leak or a read past the body. Byte 0 picks the answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/preflight.h"
#include "pipeline/discover.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FOUND_MAX 256

struct page {
    struct seg_preflight_fconfig fc[FOUND_MAX];
    size_t n, seen;
};

static void check_fconfig(const struct seg_preflight_fconfig *fc)
{
    if (!memchr(fc->function, '\0', sizeof fc->function) ||
        !memchr(fc->log_group, '\0', sizeof fc->log_group) || fc->timeout_s < 0 ||
        fc->memory_mb < 0 || (fc->json_logs && !fc->has_logging))
        __builtin_trap();
}

static void each(void *ud, const struct seg_preflight_fconfig *fc)
{
    struct page *p = ud;
    check_fconfig(fc);
    p->seen++;
    if (p->n < FOUND_MAX && fc->function[0])
        p->fc[p->n++] = *fc;
}

/* The functions of a page as --discover would number them. */
static void discover(const struct page *p, uint8_t mode)
{
    struct seg_sites_found found[FOUND_MAX];
    for (size_t i = 0; i < p->n; i++)
        found[i] =
            (struct seg_sites_found){.function = p->fc[i].function,
                                     .log_group = p->fc[i].log_group[0] ? p->fc[i].log_group : NULL,
                                     .timeout_s = p->fc[i].timeout_s,
                                     .memory_mb = p->fc[i].memory_mb,
                                     .json_logs = p->fc[i].json_logs};
    struct seg_sites_config cfg = {.sites = 1,
                                   .shared_log_group = (mode & 8) ? "/segtop/shared" : NULL};
    struct seg_site *sites = NULL;
    size_t n = 0;
    bool renumbered = false;
    struct seg_errmsg err = {{0}};
    if (seg_sites_from_found(&cfg, found, p->n, &sites, &n, &renumbered, &err) == SEG_OK) {
        if (n != p->n)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if (sites[i].n != (int)i + 1 || !sites[i].function[0] || !sites[i].bucket[0] ||
                !sites[i].log_group[0])
                __builtin_trap(); /* a wave of N fires sites 1..N */
        seg_sites_free(sites, n);
    } else if (!err.text[0]) {
        __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    char *body = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(body, data, size);
    switch (mode & 3) {
    case 0: {
        struct seg_preflight_fconfig fc;
        (void)seg_preflight_parse_config(body, size, &fc);
        check_fconfig(&fc);
        break;
    }
    case 1: {
        int c = -1;
        if (seg_preflight_parse_account(body, size, &c) == SEG_OK ? c <= 0 : c != 0)
            __builtin_trap();
        break;
    }
    default: {
        static struct page p;
        char next[64]; /* small, so an over-long NextMarker is exercised */
        memset(next, 'X', sizeof next);
        p.n = p.seen = 0;
        enum seg_err rc = seg_preflight_parse_list(body, size, each, &p, next, sizeof next);
        if (!memchr(next, '\0', sizeof next))
            __builtin_trap();
        if (rc == SEG_OK && p.n > 0) /* none found is SEG_ERR_NOTFOUND, by contract */
            discover(&p, mode);
        break;
    }
    }
    free(body);
    return 0;
}
