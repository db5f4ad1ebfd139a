/* The command line and config file of DESIGN §2–§4: one option table serves both, so a
 * config file accepts exactly the long option names. Parsing only; no side effects. */
#ifndef SEGTOP_CORE_CLI_OPTIONS_H
#define SEGTOP_CORE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeline/trigger.h"
#include "util/errmsg.h"
#include "util/seg.h"

enum seg_command {
    SEG_CMD_DASHBOARD = 0,
    SEG_CMD_HEADLESS,
    SEG_CMD_SIM,
    SEG_CMD_REPLAY,
    SEG_CMD_DOCTOR,
    SEG_CMD_HELP,
    SEG_CMD_VERSION,
};

enum seg_export_format { SEG_EXPORT_FORMAT_CSV = 0, SEG_EXPORT_FORMAT_SEED };

#define SEG_MAX_SITES       100000
#define SEG_MAX_LADDER      64
#define SEG_MAX_REPLAY_FILE 64

struct seg_options {
    enum seg_command command;
    /* sites */
    int sites;
    char *sites_file;
    char *discover_prefix;
    char *function_pattern;
    char *bucket_pattern;
    char *log_group_pattern;
    char *shared_log_group;
    /* target */
    bool aws;
    bool yes;
    char *endpoint;
    char *region;
    char *profile;
    /* The same three from the config file: they rank below the environment (DESIGN §2), so
     * the AWS settings chain consults them after AWS_REGION, AWS_ENDPOINT_URL, AWS_PROFILE. */
    char *config_region;
    char *config_endpoint;
    char *config_profile;
    /* waves */
    enum seg_trigger trigger;
    int waves[SEG_MAX_LADDER];
    int nwaves;
    double gap_s;
    char *image;
    char *key_template;
    int trigger_retries;
    int max_attempts; /* API retries, including the first call; 0 = from AWS config */
    double log_tps;
    /* output */
    char *export_dir;
    char *export_file;
    enum seg_export_format export_format;
    bool headless; /* --headless: no dashboard (the dashboard command becomes HEADLESS) */
    char *summary_json;
    char *slo;
    bool trace;
    char *theme;
    char *config_file;
    /* simulator */
    char *listen;
    double sim_speed;
    unsigned long long sim_seed;
    char *sim_faults;
    char *sim_truth;
    /* replay */
    char *replay_files[SEG_MAX_REPLAY_FILE];
    int nreplay;
    bool replay_last;
};

/* Sets every default of DESIGN §2. */
void seg_options_init(struct seg_options *o);
void seg_options_release(struct seg_options *o);

/* Parses argv (after argv[0]). A config file named by --config, or the default
 * $XDG_CONFIG_HOME/segtop/config when present, is read first so the command line wins.
 * On error fills err with a one-line message and returns SEG_ERR_INVALID (exit 2). */
enum seg_err seg_options_parse(struct seg_options *o, int argc, char **argv,
                               struct seg_errmsg *err) SEG_MUST_USE;

/* Reads `key = value` lines (long option names, '#' comments) from path; errors name the
 * file and line. */
enum seg_err seg_options_load_file(struct seg_options *o, const char *path,
                                   struct seg_errmsg *err) SEG_MUST_USE;

void seg_options_print_help(FILE *out);

/* The region when no AWS profile is involved (the simulator, its clients): --region,
 * AWS_REGION, AWS_DEFAULT_REGION, the config file, then us-west-1 (DESIGN §2). source, when
 * not NULL, names where it came from. */
const char *seg_options_region(const struct seg_options *o, const char **source);

#endif
