/* Shared between the doctor's files: the report (lines, folding), the target (simulator,
 * endpoint or AWS; credentials) and the checks run through the engine. */
#ifndef SEGTOP_CORE_DOCTOR_DOCTOR_INTERNAL_H
#define SEGTOP_CORE_DOCTOR_DOCTOR_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "aws/awsconfig.h"
#include "aws/creds.h"
#include "cli/options.h"
#include "http/client.h"
#include "pipeline/sites.h"
#include "util/seg.h"

/* ---- report ---------------------------------------------------------------------------- */

enum doc_sev { DOC_OK = 0, DOC_INFO, DOC_WARN, DOC_PROBLEM };

/* Per-site checks, in the order their sections are printed. */
enum doc_kind {
    DOC_K_FUNCTION = 0,
    DOC_K_CONCURRENCY,
    DOC_K_LOGCONFIG,
    DOC_K_BUCKET,
    DOC_K_NOTIFICATION,
    DOC_K_LOGGROUP,
    DOC_K__N
};

/* A per-site line, held until its section is printed (sorted by site, folded). */
struct doc_site_line {
    enum doc_sev sev;
    enum doc_kind kind;
    int site;
    char *text; /* "site7: detail — fix" */
    char *fold; /* "detail — fix" with the names left out: what folded lines share */
};

struct doc_report {
    FILE *out;
    struct doc_site_line *lines;
    size_t n, alloc;
    int problems, warnings;
};

void doc_report_init(struct doc_report *r, FILE *out);
void doc_report_release(struct doc_report *r);
/* Prints `<status> <what>: <detail>` now (sanitised). */
void doc_line(struct doc_report *r, enum doc_sev sev, const char *what, const char *fmt, ...)
    SEG_PRINTF(4, 5);
/* Holds a per-site line; fold is the site-free text shared by folded lines. */
void doc_site_line(struct doc_report *r, enum doc_kind kind, enum doc_sev sev, int site,
                   const char *fold, const char *fmt, ...) SEG_PRINTF(6, 7);
/* How many held lines of this kind have at least sev. */
size_t doc_report_count(const struct doc_report *r, enum doc_kind kind, enum doc_sev sev);
/* Prints the held lines of one kind: by site, and beyond a few of the same fold, one line
 * naming the remaining sites as ranges. */
void doc_report_flush(struct doc_report *r, enum doc_kind kind);

/* The em dash between a detail and its fix. */
#define DOC_FIX " \xe2\x80\x94 "

/* ---- target ---------------------------------------------------------------------------- */

enum doc_target_kind { DOC_TARGET_SIM = 0, DOC_TARGET_ENDPOINT, DOC_TARGET_AWS };

struct seg_sim;
struct seg_sim_hooks;

struct doc_target {
    enum doc_target_kind kind;
    const struct seg_sim_hooks *hooks;
    struct seg_sim *sim;
    struct seg_aws_config acfg;
    struct seg_creds_provider *provider;
    struct seg_creds_source source;
    /* Simulator keys (borrowed from the simulator or the environment). */
    const char *sim_key_id;
    const char *sim_secret;
    char *region;
    char *region_source;
    char *url[SEG_AWS__SERVICES];
    char *url_source[SEG_AWS__SERVICES];
    bool is_aws[SEG_AWS__SERVICES]; /* the real AWS endpoint: pace the control plane */
    int max_attempts;
};

/* Resolves the target and prints credentials, region and endpoint lines. Returns an exit
 * code when doctor must stop (usage/runtime), or -1 to go on; *creds_ok says whether
 * credentials were found. */
int doc_target_setup(struct doc_target *t, const struct seg_options *o,
                     const struct seg_sim_hooks *hooks, struct doc_report *r, FILE *progress,
                     bool *creds_ok);
void doc_target_release(struct doc_target *t);
/* Fills the HTTP client configuration (strings borrowed from t). */
void doc_target_client_config(struct doc_target *t, struct seg_http_client_config *cfg);

/* ---- checks ---------------------------------------------------------------------------- */

/* Runs the remote checks and prints their lines; returns an exit code to stop with (1),
 * or -1 when the report is complete. */
int doc_checks_run(const struct seg_options *o, struct doc_target *t, const struct seg_site *sites,
                   size_t nsites, struct doc_report *r, FILE *progress);

/* The freshness line of DESIGN §7 for these sites (exposed for tests). */
void doc_freshness_text(const struct seg_options *o, const struct seg_site *sites, size_t nsites,
                        char *out, size_t size);

/* ---- S3 notification XML ---------------------------------------------------------------- */

enum doc_notif_verdict {
    DOC_NOTIF_OK = 0,    /* an ObjectCreated configuration for the function, key matches */
    DOC_NOTIF_NONE,      /* no configuration for the function */
    DOC_NOTIF_NO_CREATE, /* one for the function, but not on ObjectCreated / Put */
    DOC_NOTIF_FILTERED,  /* one for the function whose prefix/suffix filter rejects the key */
};

/* Looks through a GetBucketNotificationConfiguration body for a Lambda configuration that
 * sends ObjectCreated events for key to the function (name, region). detail (may be NULL)
 * gets what was found instead (raw; the caller sanitises). */
enum doc_notif_verdict doc_notif_check(const char *xml, size_t len, const char *function,
                                       const char *region, const char *key, char *detail,
                                       size_t detail_size);

#endif
