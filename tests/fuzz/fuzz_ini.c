/* libFuzzer target over the AWS shared-file parser (seg_ini_parse): any bytes must give
 * SEG_OK or an error with a file:line message, never a crash, a leak or a read past the
 * input. Every lookup helper is exercised on what parses. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/awsconfig.h"
#include "aws/ini.h"
#include "util/errmsg.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A heap copy of exactly size bytes, so ASan catches any read past the end. */
    char *text = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(text, data, size);
    struct seg_ini ini;
    struct seg_errmsg err = {{0}};
    if (seg_ini_parse(&ini, "~/.aws/config", text, size, &err) == SEG_OK) {
        for (size_t i = 0; i < ini.n_sections; i++) {
            const struct seg_ini_section *s = &ini.sections[i];
            if (seg_ini_find(&ini, s->name) != s)
                __builtin_trap(); /* duplicates are refused, so lookup finds this one */
            for (size_t j = 0; j < s->n_entries; j++) {
                const struct seg_ini_entry *e = &s->entries[j];
                const struct seg_ini_entry *f =
                    e->subkey ? seg_ini_get_nested(s, e->key, e->subkey) : seg_ini_get(s, e->key);
                if (f != e)
                    __builtin_trap();
            }
        }
        (void)seg_aws_config_profile_section(&ini, "default");
        (void)seg_aws_config_profile_section(&ini, "dev");
    } else if (strncmp(err.text, "~/.aws/config", 13) != 0) {
        __builtin_trap(); /* every error names the file */
    }
    seg_ini_release(&ini);
    free(text);
    return 0;
}
