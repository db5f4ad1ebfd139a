/* Composition root: parses the command line, then hands over to the chosen mode. */
#include <signal.h>
#include <stdio.h>

#include "cli/options.h"
#include "terminal.h"
#include "version.h"

/* Exit codes of DESIGN §4. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static int not_built(const char *what)
{
    fprintf(stderr,
            "segtop: %s is not built yet in this version (%s); see README.md, "
            "\"Status\".\n",
            what, SEGTOP_VERSION);
    return EXIT_RUNTIME;
}

int main(int argc, char **argv)
{
    struct seg_options opts;
    struct seg_errmsg err = {{0}};
    int code;

    /* libcurl runs with CURLOPT_NOSIGNAL, so a closed peer must not kill us. */
    signal(SIGPIPE, SIG_IGN);
    seg_terminal_guard_install();
    seg_options_init(&opts);
    if (seg_options_parse(&opts, argc - 1, argv + 1, &err) != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        code = EXIT_USAGE;
        goto out;
    }
    switch (opts.command) {
    case SEG_CMD_HELP:
        seg_options_print_help(stdout);
        code = EXIT_OK;
        break;
    case SEG_CMD_VERSION:
        printf("segtop %s\n", SEGTOP_VERSION);
        code = EXIT_OK;
        break;
    case SEG_CMD_SIM:
        code = not_built("the simulator ('segtop sim')");
        break;
    case SEG_CMD_REPLAY:
        code = not_built("replay");
        break;
    case SEG_CMD_DOCTOR:
        code = not_built("doctor");
        break;
    case SEG_CMD_HEADLESS:
        code = not_built("headless mode");
        break;
    case SEG_CMD_DASHBOARD:
    default:
        code = not_built("the dashboard");
        break;
    }
out:
    seg_options_release(&opts);
    return code;
}
