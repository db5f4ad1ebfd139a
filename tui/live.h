/* The dashboard over a live session (live.c) and over a replayed store (live_replay.c):
 * each implements struct seg_tui_ops and runs seg_tui_run. Exit codes of DESIGN §4. */
#ifndef SEGTOP_TUI_LIVE_H
#define SEGTOP_TUI_LIVE_H

#include "cli/options.h"
#include "engine/headless.h"

/* `segtop [opts]`: the dashboard on the simulator (hooks), an endpoint or AWS. */
int seg_dashboard_main(const struct seg_options *o, const struct seg_sim_hooks *sim);
/* `segtop replay FILE...` without --headless: the same dashboard, read-only (REPLAY). */
int seg_replay_dashboard_main(const struct seg_options *o);
/* Both need a terminal: false (with a message on stderr) when stdin or stdout is not one. */
bool seg_dashboard_have_terminal(void);

#endif
