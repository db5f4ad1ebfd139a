#include "engine/headless.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "engine/outputs.h"
#include "engine/run.h"
#include "engine/session.h"
#include "metrics/slo.h"
#include "pipeline/sites.h"
#include "util/xalloc.h"

enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,
    EXIT_USAGE = 2,
    EXIT_SLO = 3,
    EXIT_INCOMPLETE = 4,
    EXIT_INTERRUPTED = 130
};

static void progress(const struct seg_run_status *st)
{
    char lag[32], extra[48] = "";
    if (isnan(st->lag_p95_s))
        snprintf(lag, sizeof lag, "-");
    else
        snprintf(lag, sizeof lag, "%.1fs", st->lag_p95_s);
    if (st->trigger != SEG_TRIGGER_S3) /* runs the bucket's notification started */
        snprintf(extra, sizeof extra, " extra=%llu", (unsigned long long)st->notif_runs);
    fprintf(stderr,
            "[t+%.0fs] wave %d/%d n=%d sent=%u acc=%u start=%u done=%u fail=%u miss=%u "
            "logs=%.1f/s thr=%llu lag_p95=%s%s\n",
            floor(st->t_s), st->ladder_pos, st->nladder, st->size, st->sent, st->accepted,
            st->started, st->done, st->failed, st->missing, st->logs_per_s,
            (unsigned long long)st->throttles, lag, extra);
}

/* Once, when the first one is seen, and in the closing lines. */
static void extra_note(const struct seg_run_status *st, bool warning)
{
    if (warning)
        fprintf(stderr, "segtop: warning: the buckets also notify the functions: each upload "
                        "runs the function once more (segtop doctor); those runs are counted "
                        "as extra, not as the waves'\n");
    else
        fprintf(stderr,
                "segtop: extra runs from the bucket notification: %llu (real load and cost, "
                "not in the waves' figures)\n",
                (unsigned long long)st->notif_runs);
}

/* REPORT ingestion -> its arrival in the store: wall seconds, then the log clock's. */
static void freshness(const struct seg_run_status *st)
{
    if (!st->fresh_n) {
        fprintf(stderr, "segtop: freshness - (no REPORT), log calls %llu, throttles %llu\n",
                (unsigned long long)st->log_calls, (unsigned long long)st->throttles);
        return;
    }
    fprintf(stderr,
            "segtop: freshness p50 %.2f s p95 %.2f s max %.2f s (wall), log calls %llu, "
            "throttles %llu; log clock p50 %.2f s p95 %.2f s max %.2f s; %u REPORTs; %llu "
            "Insights queries\n",
            st->fresh_wall_p50_s, st->fresh_wall_p95_s, st->fresh_wall_max_s,
            (unsigned long long)st->log_calls, (unsigned long long)st->throttles, st->fresh_p50_s,
            st->fresh_p95_s, st->fresh_max_s, st->fresh_n, (unsigned long long)st->log_queries);
}

int seg_headless_main(const struct seg_options *o, const struct seg_sim_hooks *hooks)
{
    int code = EXIT_RUNTIME;
    struct seg_errmsg err = {{0}};
    struct seg_session *session = NULL;
    struct seg_slo slo = {0};

    if (o->slo && seg_slo_parse(o->slo, &slo, &err) != SEG_OK) {
        fprintf(stderr, "segtop: --slo: %s\n", err.text);
        code = EXIT_USAGE;
        goto out;
    }
    if (seg_session_new(o, hooks, false, &session, &err) != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        code = EXIT_USAGE;
        goto out;
    }
    if (o->aws) {
        char plan[512];
        seg_session_plan(session, plan, sizeof plan);
        fprintf(stderr, "segtop: %s\n", plan);
        if (!o->yes) {
            fprintf(stderr, "segtop: headless mode on AWS needs --yes to go ahead\n");
            code = EXIT_USAGE;
            goto out;
        }
    }

    /* Signals reach only this thread (sigtimedwait below): blocked before any thread. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    enum seg_err rc = seg_session_start(session, &err);
    if (rc != SEG_OK) {
        fprintf(stderr, "segtop: %s\n", err.text);
        code = rc == SEG_ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME;
        goto out;
    }
    struct seg_session_status sst;
    seg_session_status(session, &sst);
    if (sst.message[0]) /* a journal that could not open */
        fprintf(stderr, "segtop: %s\n", sst.message);
    struct seg_run *run = seg_session_run(session);
    struct seg_engine *engine = seg_session_engine(session);

    bool interrupted = false, extra_warned = false;
    double next_line = 1.0;
    struct seg_run_status st;
    for (;;) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        int sig = sigtimedwait(&sigs, NULL, &ts);
        if ((sig == SIGINT || sig == SIGTERM) && !interrupted) {
            interrupted = true;
            fprintf(stderr, "segtop: interrupted: stopping the waves, exporting what exists\n");
            seg_run_request_stop(engine);
        }
        seg_run_get_status(run, &st);
        if (st.notif_runs && !extra_warned) {
            extra_note(&st, true);
            extra_warned = true;
        }
        if (st.t_s >= next_line) {
            progress(&st);
            next_line = floor(st.t_s) + 1.0;
        }
        if (st.finished)
            break;
    }
    /* Engine, journal and simulator stop; the store stays for the outputs. */
    seg_session_stop(session);
    progress(&st);
    if (!isnan(st.last_trigger_on_wire_ms))
        fprintf(stderr, "segtop: last wave: %d triggers on the wire %.1f ms after the command\n",
                st.size, st.last_trigger_on_wire_ms);

    /* The engine thread is gone: this thread now owns the store. */
    seg_run_get_status(run, &st);
    if (!isnan(st.last_reports_s))
        fprintf(stderr,
                "segtop: last wave: all %d REPORTs in the store %.2f s after the command, "
                "%llu log calls by then\n",
                st.size, st.last_reports_s, (unsigned long long)st.last_reports_log_calls);
    freshness(&st);
    if (st.logs_unread)
        fprintf(stderr,
                "segtop: warning: the logs could not be read past the last outcome (%llu log "
                "calls failed): late REPORTs and async retries may be missing; check "
                "logs:FilterLogEvents and logs:StartQuery permissions (segtop doctor)\n",
                (unsigned long long)st.log_errors);
    if (st.trigger != SEG_TRIGGER_S3)
        extra_note(&st, false);
    struct seg_outputs_request oq = {.store = seg_session_store(session),
                                     .export_dir = o->export_dir,
                                     .export_file = o->export_file,
                                     .seed = o->export_format == SEG_EXPORT_FORMAT_SEED,
                                     .summary_json = o->summary_json,
                                     .slo = &slo,
                                     .status = &st,
                                     .interrupted = interrupted,
                                     .out = stdout};
    struct seg_outputs_result ores;
    seg_outputs_write(&oq, &ores);
    code = interrupted       ? EXIT_INTERRUPTED
           : ores.io_failed  ? EXIT_RUNTIME
           : ores.broken     ? EXIT_SLO
           : ores.incomplete ? EXIT_INCOMPLETE
                             : EXIT_OK;
out:
    seg_session_free(session);
    seg_slo_release(&slo);
    return code;
}
