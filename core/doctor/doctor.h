/* `segtop doctor` (DESIGN §4): checks credentials, region, endpoints, clock offset, the
 * account's concurrency and, per site, function, reserved concurrency, log format and
 * group, bucket, S3 notification, log group and permissions; then prints the expected log
 * freshness for the polling mode that applies.
 *
 * Output: one line per check, `<status> <what>: <detail>[ — <fix>]`, status padded to 7
 * columns and one of `ok`, `info`, `warn`, `PROBLEM`; per-site lines name the site
 * (`PROBLEM site7: ...`). A last line `doctor: N problems, M warnings`. All text that came
 * from the network is sanitised before it is printed; secrets never are.
 *
 * The default target (neither --aws nor an endpoint) is the built-in simulator started
 * in-process, reached through hooks so core does not link it (tui/main.c passes them, as
 * for --headless; DESIGN §7). */
#ifndef SEGTOP_CORE_DOCTOR_DOCTOR_H
#define SEGTOP_CORE_DOCTOR_DOCTOR_H

#include <stdio.h>

#include "cli/options.h"
#include "sim/sim.h"

/* Exit codes of DESIGN §4 as doctor uses them. */
enum seg_doctor_exit {
    SEG_DOCTOR_EXIT_OK = 0,       /* every check ok (warnings allowed) */
    SEG_DOCTOR_EXIT_RUNTIME = 1,  /* the checks could not run (e.g. no endpoint reachable) */
    SEG_DOCTOR_EXIT_USAGE = 2,    /* bad options or configuration */
    SEG_DOCTOR_EXIT_PROBLEMS = 4, /* something is missing or misconfigured */
};

/* Runs every check, the report on stdout and a progress line on stderr; returns the exit
 * code. sim starts the built-in simulator when no endpoint is configured (NULL: that target
 * is unavailable and doctor says so). */
int seg_doctor_main(const struct seg_options *o, const struct seg_sim_hooks *sim);

/* The same with the report on out and progress (and fatal messages) on progress; progress
 * may be NULL to stay quiet. */
int seg_doctor_run(const struct seg_options *o, const struct seg_sim_hooks *sim, FILE *out,
                   FILE *progress);

#endif
