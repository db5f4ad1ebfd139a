/* `segtop --headless` (DESIGN §4): the ladder once, a progress line a second on stderr,
 * exports at the end, the waves CSV on stdout, --summary-json, --slo and the exit codes
 * 0 ok, 1 runtime failure, 2 usage, 3 an --slo broken, 4 a wave incomplete, 130 interrupted.
 *
 * stdout: the waves CSV, then one line `export: PATH` per file written.
 *
 * The simulator is reached through hooks, so core does not link it (tui/main.c passes
 * them; DESIGN §7 keeps core/sim a separate library). */
#ifndef SEGTOP_CORE_ENGINE_HEADLESS_H
#define SEGTOP_CORE_ENGINE_HEADLESS_H

#include <stdint.h>

#include "cli/options.h"
#include "sim/sim.h"

int seg_headless_main(const struct seg_options *o, const struct seg_sim_hooks *sim);

#endif
