/* libFuzzer target over --sites-file (seg_sites_parse_csv): any bytes give a site table whose
 * names are valid and unique, or an error naming the file, never a crash, a leak or a read
 * past the input. Byte 0 picks the log-group setting, which the rows may leave empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/sites.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct seg_sites_config cfg = {.sites = 1};
    if (data[0] & 1)
        cfg.shared_log_group = "/segtop/shared";
    else if (data[0] & 2)
        cfg.log_group_pattern = "/custom/{function}";
    data++;
    size--;
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    char *text = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(text, data, size);
    struct seg_site *sites = NULL;
    size_t n = 0;
    struct seg_errmsg err = {{0}};
    if (seg_sites_parse_csv(text, size, "sites.csv", &cfg, &sites, &n, &err) == SEG_OK) {
        if (n == 0 || n > SEG_SITES_MAX)
            __builtin_trap();
        for (size_t i = 0; i < n; i++) {
            const struct seg_site *s = &sites[i];
            if (s->n < 1 || !s->function[0] || strlen(s->bucket) < 3 || !s->log_group[0])
                __builtin_trap();
            if (cfg.shared_log_group && strcmp(s->log_group, cfg.shared_log_group) != 0)
                __builtin_trap();
            for (size_t j = 0; j < i; j++)
                if (sites[j].n == s->n || strcmp(sites[j].function, s->function) == 0 ||
                    strcmp(sites[j].bucket, s->bucket) == 0)
                    __builtin_trap(); /* lookups by number or name must be unambiguous */
        }
        seg_sites_free(sites, n);
    } else if (strncmp(err.text, "sites.csv", 9) != 0) {
        __builtin_trap(); /* every error names the file */
    }
    free(text);
    return 0;
}
