/* Composition root: parses the command line, then hands over to the chosen mode. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "cli/options.h"
#include "doctor/doctor.h"
#include "engine/headless.h"
#include "live.h"
#include "replay/replay.h"
#include "sim/sim.h"
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

/* "127.0.0.1:PORT" or "[::1]:PORT" (the option parser has checked the shape). */
static void split_listen(const char *listen, const char **addr, uint16_t *port)
{
    *addr = "127.0.0.1";
    *port = 0;
    if (!listen)
        return;
    const char *colon = strrchr(listen, ':');
    if (strncmp(listen, "[::1]", 5) == 0)
        *addr = "::1";
    if (colon)
        *port = (uint16_t)strtoul(colon + 1, NULL, 10);
}

/* `segtop sim`: serve until SIGINT or SIGTERM, then exit 0 (DESIGN §4). */
static int run_sim(const struct seg_options *o)
{
    /* Blocked before the server's threads exist, so they inherit the mask and only
     * sigwait below sees the signals. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    struct seg_sim_config cfg;
    seg_sim_config_from_options(&cfg, o, seg_options_region(o, NULL));
    split_listen(o->listen, &cfg.listen_addr, &cfg.port);
    struct seg_errmsg err = {{0}};
    struct seg_sim *sim = NULL;
    enum seg_err rc = seg_sim_start(&cfg, &sim, &err);
    if (rc != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        return rc == SEG_ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME;
    }
    printf("endpoint=%s\n", seg_sim_endpoint(sim));
    printf("region=%s\n", seg_sim_region(sim));
    printf("access_key_id=%s\n", seg_sim_access_key_id(sim));
    if (seg_sim_test_secret(sim)) /* a key pair from the environment is never printed */
        printf("secret_access_key=%s\n", seg_sim_test_secret(sim));
    fflush(stdout);
    int sig = 0;
    while (sigwait(&set, &sig) != 0)
        ;
    seg_sim_stop(sim);
    return EXIT_OK;
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
        code = run_sim(&opts);
        break;
    case SEG_CMD_REPLAY: {
        code = opts.headless ? seg_replay_main(&opts, true) : seg_replay_dashboard_main(&opts);
        break;
    }
    case SEG_CMD_DOCTOR: {
        /* The in-process simulator is the default target, handed to core as hooks. */
        code = seg_doctor_main(&opts, &seg_sim_builtin_hooks);
        break;
    }
    case SEG_CMD_HEADLESS: {
        /* The in-process simulator, handed to core as hooks (core does not link it). */
        code = seg_headless_main(&opts, &seg_sim_builtin_hooks);
        break;
    }
    case SEG_CMD_DASHBOARD: {
        /* The in-process simulator, handed to core as hooks (core does not link it). */
        code = seg_dashboard_main(&opts, &seg_sim_builtin_hooks);
        break;
    }
    default:
        code = not_built("this command");
        break;
    }
out:
    seg_options_release(&opts);
    return code;
}
