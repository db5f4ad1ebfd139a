/* `segtop doctor`: the site table, the target, the remote checks, the freshness line and
 * the exit code (DESIGN §4). */
#include "doctor/doctor.h"

#include <stdio.h>
#include <string.h>

#include "doctor/doctor_internal.h"
#include "http/client.h"

static enum seg_err build_sites(const struct seg_options *o, struct seg_site **sites, size_t *n,
                                struct seg_errmsg *err)
{
    struct seg_sites_config sc = {
        .sites = o->sites,
        .function_pattern = o->function_pattern,
        .bucket_pattern = o->bucket_pattern,
        .log_group_pattern = o->log_group_pattern,
        .shared_log_group = o->shared_log_group,
        .sites_file = o->sites_file,
    };
    return seg_sites_build(&sc, sites, n, err);
}

int seg_doctor_run(const struct seg_options *o, const struct seg_sim_hooks *sim, FILE *out,
                   FILE *progress)
{
    struct doc_report r;
    struct doc_target t;
    struct seg_site *sites = NULL;
    size_t nsites = 0;
    struct seg_errmsg err = {{0}};
    bool creds_ok = false, target = false;
    int code;

    doc_report_init(&r, out);
    if (build_sites(o, &sites, &nsites, &err) != SEG_OK) {
        if (progress)
            fprintf(progress, "segtop doctor: %s\n", err.text);
        code = SEG_DOCTOR_EXIT_USAGE;
        goto out;
    }
    if (nsites == 0) {
        if (progress)
            fprintf(progress, "segtop doctor: no sites to check\n");
        code = SEG_DOCTOR_EXIT_USAGE;
        goto out;
    }
    if (seg_http_global_init() != SEG_OK) {
        if (progress)
            fprintf(progress, "segtop doctor: cannot initialise libcurl\n");
        code = SEG_DOCTOR_EXIT_RUNTIME;
        goto out;
    }
    target = true;
    code = doc_target_setup(&t, o, sim, &r, progress, &creds_ok);
    if (code >= 0)
        goto out;
    if (creds_ok)
        code = doc_checks_run(o, &t, sites, nsites, &r, progress);
    else
        doc_line(&r, DOC_INFO, "checks", "remote checks skipped: no usable credentials");
    if (code >= 0)
        goto out;
    char fresh[400];
    doc_freshness_text(o, sites, nsites, fresh, sizeof fresh);
    doc_line(&r, DOC_INFO, "freshness", "%s", fresh);
    fprintf(out, "doctor: %d problem%s, %d warning%s (%zu site%s, trigger %s)\n", r.problems,
            r.problems == 1 ? "" : "s", r.warnings, r.warnings == 1 ? "" : "s", nsites,
            nsites == 1 ? "" : "s", seg_trigger_name(o->trigger));
    code = r.problems ? SEG_DOCTOR_EXIT_PROBLEMS : SEG_DOCTOR_EXIT_OK;
out:
    fflush(out);
    if (target) {
        doc_target_release(&t);
        seg_http_global_cleanup();
    }
    seg_sites_free(sites, nsites);
    doc_report_release(&r);
    return code;
}

int seg_doctor_main(const struct seg_options *o, const struct seg_sim_hooks *sim)
{
    return seg_doctor_run(o, sim, stdout, stderr);
}
