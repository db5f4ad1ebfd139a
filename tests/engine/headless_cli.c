/* segtop's headless mode without the curses front end: the same options and
 * seg_headless_main, so the engine's integration tests do not depend on the UI build. */
#include <signal.h>
#include <stdio.h>

#include "cli/options.h"
#include "engine/headless.h"
#include "sim/sim.h"

int main(int argc, char **argv)
{
    struct seg_options o;
    struct seg_errmsg err = {{0}};
    signal(SIGPIPE, SIG_IGN);
    seg_options_init(&o);
    if (seg_options_parse(&o, argc - 1, argv + 1, &err) != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        seg_options_release(&o);
        return 2;
    }
    int code = seg_headless_main(&o, &seg_sim_builtin_hooks);
    seg_options_release(&o);
    return code;
}
