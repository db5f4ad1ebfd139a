/* Composition root: parses the command line, then hands over to the chosen mode. */
#include <stdio.h>

#include "cli/options.h"
#include "terminal.h"

int main(int argc, char **argv)
{
    seg_terminal_guard_install();
    return seg_cli_main(argc, argv);
}
