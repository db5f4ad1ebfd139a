/* Terminal safety net: saves the tty modes at start and restores them from a fatal path
 * (OOM, broken invariant, fatal signal) without calling curses, which is not signal-safe. */
#ifndef SEGTOP_TUI_TERMINAL_H
#define SEGTOP_TUI_TERMINAL_H

#include <stdbool.h>

/* Saves the current termios of stdin (if a tty) and installs the fatal hook. */
void seg_terminal_guard_install(void);
/* Marks whether curses owns the screen (alternate screen, hidden cursor) right now. */
void seg_terminal_guard_set_active(bool active);
/* Writes the precomputed restore bytes and resets tty modes; async-signal-safe. */
void seg_terminal_guard_restore(void);

#endif
