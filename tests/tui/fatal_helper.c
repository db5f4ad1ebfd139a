/* Enters the state a curses screen leaves the terminal in (raw modes, alternate screen,
 * hidden cursor), then hits a fatal error: the guard must put everything back. */
#include <stdio.h>

#include <unistd.h>

#include <termios.h>

#include "terminal.h"
#include "util/xalloc.h"

int main(void)
{
    seg_terminal_guard_install();
    struct termios raw;
    if (tcgetattr(STDIN_FILENO, &raw) != 0) {
        perror("tcgetattr");
        return 1;
    }
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    fputs("\033[?1049h\033[?25l", stdout);
    fflush(stdout);
    seg_terminal_guard_set_active(true);
    SEG_BUG("deliberate fatal error for the test");
}
