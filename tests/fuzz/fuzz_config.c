/* libFuzzer target over the segtop config file (`key = value` lines, DESIGN §2): any bytes
 * load or fail with a "<file>:<line>: " message, never a crash, a leak or an out-of-range
 * setting; then the same file through seg_options_parse, as `segtop --config FILE` reads it.
 * The parser reads a path, so each input is written to one scratch file (tmpfs when
 * TMPDIR points there). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli/options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static int fd = -1;

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/segtop-fuzz-config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    /* No default config file of the user's may leak into a run. */
    setenv("XDG_CONFIG_HOME", "/nonexistent-segtop-fuzz", 1);
}

static void cleanup(void)
{
    unlink(path);
}

static void check_ranges(const struct seg_options *o)
{
    if (o->sites < 1 || o->sites > SEG_MAX_SITES || o->nwaves < 1 || o->nwaves > SEG_MAX_LADDER ||
        !(o->gap_s >= 0 && o->gap_s <= 86400) || !(o->log_tps >= 0.1 && o->log_tps <= 100) ||
        !(o->sim_speed >= 0.01 && o->sim_speed <= 1000) || o->trigger_retries < 0 ||
        o->trigger_retries > 10)
        __builtin_trap();
    for (int i = 0; i < o->nwaves; i++)
        if (o->waves[i] < 1 || o->waves[i] > SEG_MAX_SITES)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        setup();
        atexit(cleanup);
    }
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();

    struct seg_options o;
    struct seg_errmsg err = {{0}};
    seg_options_init(&o);
    if (seg_options_load_file(&o, path, &err) == SEG_OK)
        check_ranges(&o);
    else if (strncmp(err.text, path, strlen(path)) != 0 || err.text[strlen(path)] != ':')
        __builtin_trap(); /* every error names the file (and the line, checked by seeds) */
    seg_options_release(&o);

    /* The whole command line over it: check() then sees the file's values. */
    char a_config[] = "--config", a_sim[] = "sim", a_headless[] = "--headless";
    char *argv[] = {a_config, path, size && (data[0] & 1) ? a_sim : a_headless, NULL};
    seg_options_init(&o);
    memset(&err, 0, sizeof err);
    if (seg_options_parse(&o, 3, argv, &err) == SEG_OK)
        check_ranges(&o);
    else if (!err.text[0])
        __builtin_trap();
    seg_options_release(&o);
    return 0;
}
