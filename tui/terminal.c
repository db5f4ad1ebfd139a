#include "terminal.h"

#include <signal.h>
#include <stdbool.h>

#include <unistd.h>

#include <termios.h>

#include "util/xalloc.h"

static struct termios saved_modes;
static volatile sig_atomic_t have_modes;
static volatile sig_atomic_t screen_active;

/* Leave the alternate screen, show the cursor, reset attributes: fixed bytes, so the restore
 * needs neither terminfo nor allocation. */
static const char restore_bytes[] = "\033[0m\033[?25h\033[?1049l";

void seg_terminal_guard_restore(void)
{
    if (screen_active) {
        ssize_t r = write(STDOUT_FILENO, restore_bytes, sizeof restore_bytes - 1);
        (void)r;
        screen_active = 0;
    }
    if (have_modes)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_modes);
}

void seg_terminal_guard_install(void)
{
    if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_modes) == 0)
        have_modes = 1;
    seg_set_fatal_hook(seg_terminal_guard_restore);
}

void seg_terminal_guard_set_active(bool active)
{
    screen_active = active;
}
