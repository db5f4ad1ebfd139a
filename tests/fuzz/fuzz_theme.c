/* libFuzzer: theme files are user input (DESIGN §5): the parser must return errors, never
 * crash, and always produce a complete theme on success. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seg_theme t;
    struct seg_errmsg err = {{0}};
    if (seg_theme_parse((const char *)data, size, "fuzz.theme", "fuzz", &t, &err) == SEG_OK) {
        for (int r = 0; r < SEG_ROLE__COUNT; r++) {
            if (t.style[r].fg < -1 || t.style[r].fg > 255 || t.style[r].bg < -1 ||
                t.style[r].bg > 255)
                abort();
            if (seg_theme_color_to8(t.style[r].fg) > 7)
                abort();
        }
    }
    return 0;
}
