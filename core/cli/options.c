#include "cli/options.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum opt_kind {
    OPT_FLAG,
    OPT_INT,
    OPT_DOUBLE,
    OPT_U64,
    OPT_STR,
    OPT_DURATION,
    OPT_TRIGGER,
    OPT_EXPORT_FORMAT,
    OPT_LADDER,
};

struct opt {
    const char *name;
    enum opt_kind kind;
    size_t offset;
    double min, max;
    const char *arg; /* shown in --help */
    const char *help;
};

#define O(field) offsetof(struct seg_options, field)

/* The order here is the order of --help. */
static const struct opt opts[] = {
    {"sites", OPT_INT, O(sites), 1, SEG_MAX_SITES, "N", "number of sites (default 300)"},
    {"sites-file", OPT_STR, O(sites_file), 0, 0, "FILE",
     "sites from a CSV: site,function,bucket,log_group"},
    {"discover", OPT_STR, O(discover_prefix), 0, 0, "PREFIX",
     "sites from the functions named PREFIX* (ListFunctions)"},
    {"function-pattern", OPT_STR, O(function_pattern), 0, 0, "PAT",
     "function name (default site{n}-lambdafunction)"},
    {"bucket-pattern", OPT_STR, O(bucket_pattern), 0, 0, "PAT",
     "input bucket (default site{n}-simulatedbucket)"},
    {"log-group-pattern", OPT_STR, O(log_group_pattern), 0, 0, "PAT",
     "log group (default /aws/lambda/{function})"},
    {"shared-log-group", OPT_STR, O(shared_log_group), 0, 0, "NAME", "all sites log to one group"},
    {"aws", OPT_FLAG, O(aws), 0, 0, NULL, "target the real AWS account"},
    {"yes", OPT_FLAG, O(yes), 0, 0, NULL, "skip the confirmation before the first wave"},
    {"endpoint", OPT_STR, O(endpoint), 0, 0, "URL", "any AWS-compatible endpoint"},
    {"region", OPT_STR, O(region), 0, 0, "REGION", "AWS region (default us-west-1)"},
    {"profile", OPT_STR, O(profile), 0, 0, "NAME", "AWS profile (default $AWS_PROFILE)"},
    {"trigger", OPT_TRIGGER, O(trigger), 0, 0, "s3|invoke|event", "how a wave fires (default s3)"},
    {"waves", OPT_LADDER, O(waves), 1, SEG_MAX_SITES, "LIST",
     "wave ladder (default 1,20,50,100,150,200,250,300)"},
    {"gap", OPT_DURATION, O(gap_s), 0, 86400, "DURATION",
     "headless: pause after a wave completes (default 30s)"},
    {"image", OPT_STR, O(image), 0, 0, "FILE", "object to upload (required with --aws)"},
    {"key-template", OPT_STR, O(key_template), 0, 0, "TPL",
     "object key (default image_capture_{stamp}.jpg)"},
    {"trigger-retries", OPT_INT, O(trigger_retries), 0, 10, "N",
     "retry failed triggers N times (default 0)"},
    {"max-attempts", OPT_INT, O(max_attempts), 1, 20, "N",
     "attempts per API call incl. the first (default 3)"},
    {"log-tps", OPT_DOUBLE, O(log_tps), 0.1, 100, "N",
     "log API budget, calls per second (default 4)"},
    {"export-dir", OPT_STR, O(export_dir), 0, 0, "DIR", "where exports go (default .)"},
    {"export-file", OPT_STR, O(export_file), 0, 0, "PATH", "fixed export path prefix"},
    {"export-format", OPT_EXPORT_FORMAT, O(export_format), 0, 0, "csv|seed",
     "seed: also write the original logsdata layout"},
    {"headless", OPT_FLAG, O(headless), 0, 0, NULL, "no dashboard: run the ladder once"},
    {"summary-json", OPT_STR, O(summary_json), 0, 0, "FILE", "headless: write a JSON summary"},
    {"slo", OPT_STR, O(slo), 0, 0, "SPEC", "headless: objectives, e.g. p95_e2e<40s,errors<=1%"},
    {"trace", OPT_FLAG, O(trace), 0, 0, NULL,
     "print canonical requests and strings-to-sign (never secrets)"},
    {"theme", OPT_STR, O(theme), 0, 0, "NAME", "colour theme (default default)"},
    {"config", OPT_STR, O(config_file), 0, 0, "FILE",
     "config file (default $XDG_CONFIG_HOME/segtop/config)"},
    {"listen", OPT_STR, O(listen), 0, 0, "ADDR:PORT",
     "sim: 127.0.0.1:PORT or [::1]:PORT (default 127.0.0.1:0)"},
    {"sim-speed", OPT_DOUBLE, O(sim_speed), 0.01, 1000, "X", "simulated clock speed (default 1)"},
    {"sim-seed", OPT_U64, O(sim_seed), 0, 0, "N", "simulator random seed (default 1)"},
    {"sim-faults", OPT_STR, O(sim_faults), 0, 0, "SPEC", "simulator fault injection"},
    {"sim-truth", OPT_STR, O(sim_truth), 0, 0, "FILE", "simulator ground truth CSV"},
    {"last", OPT_FLAG, O(replay_last), 0, 0, NULL, "replay: reopen the last session's journal"},
};

static const char *const trigger_names[] = {
    [SEG_TRIGGER_S3] = "s3", [SEG_TRIGGER_INVOKE] = "invoke", [SEG_TRIGGER_EVENT] = "event"};
static const char *const export_names[] = {
    [SEG_EXPORT_FORMAT_CSV] = "csv", [SEG_EXPORT_FORMAT_SEED] = "seed"};

static const int default_ladder[] = {1, 20, 50, 100, 150, 200, 250, 300};

void seg_options_init(struct seg_options *o)
{
    memset(o, 0, sizeof *o);
    o->command = SEG_CMD_DASHBOARD;
    o->sites = 300;
    o->trigger = SEG_TRIGGER_S3;
    memcpy(o->waves, default_ladder, sizeof default_ladder);
    o->nwaves = (int)SEG_ARRAY_LEN(default_ladder);
    o->gap_s = 30;
    o->log_tps = 4;
    o->sim_speed = 1;
    o->sim_seed = 1;
}

void seg_options_release(struct seg_options *o)
{
    for (size_t i = 0; i < SEG_ARRAY_LEN(opts); i++)
        if (opts[i].kind == OPT_STR) {
            char **p = (char **)((char *)o + opts[i].offset);
            free(*p);
            *p = NULL;
        }
    free(o->config_region);
    free(o->config_endpoint);
    free(o->config_profile);
    o->config_region = o->config_endpoint = o->config_profile = NULL;
    for (int i = 0; i < o->nreplay; i++)
        free(o->replay_files[i]);
    o->nreplay = 0;
}

static const struct opt *find_opt(const char *name, size_t len)
{
    for (size_t i = 0; i < SEG_ARRAY_LEN(opts); i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

static bool parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v != v)
        return false;
    *out = v;
    return true;
}

static bool parse_long(const char *s, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

/* "30", "30s", "500ms", "2m", "1h" -> seconds. */
static bool parse_duration(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v != v || v < 0)
        return false;
    double mult = 1;
    if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
        mult = 1;
    else if (strcmp(end, "ms") == 0)
        mult = 1e-3;
    else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
        mult = 60;
    else if (strcmp(end, "h") == 0)
        mult = 3600;
    else
        return false;
    *out = v * mult;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < SEG_ARRAY_LEN(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

/* where prefixes errors, as in apply(): a config file's errors name the file and line. */
static enum seg_err parse_ladder(struct seg_options *o, const struct opt *op, const char *v,
                                 const char *where, struct seg_errmsg *err)
{
    int n = 0;
    const char *p = v;
    while (*p) {
        char *end;
        errno = 0;
        long step = strtol(p, &end, 10);
        if (errno || end == p || (*end && *end != ',') || step < op->min || step > op->max) {
            seg_errmsg_set(err, "%s: '%s' is not a list of sizes %g..%g, e.g. 1,20,50", where, v,
                           op->min, op->max);
            return SEG_ERR_INVALID;
        }
        if (n == SEG_MAX_LADDER) {
            seg_errmsg_set(err, "%s: at most %d steps", where, SEG_MAX_LADDER);
            return SEG_ERR_INVALID;
        }
        o->waves[n++] = (int)step;
        p = *end ? end + 1 : end;
    }
    if (n == 0) {
        seg_errmsg_set(err, "%s: empty list; give sizes such as 1,20,50", where);
        return SEG_ERR_INVALID;
    }
    o->nwaves = n;
    return SEG_OK;
}

/* Index of value in names, the enum's values in order. */
static enum seg_err parse_enum(const char *value, const char *const *names, size_t n,
                               const char *choices, const char *where, int *out,
                               struct seg_errmsg *err)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(value, names[i]) == 0) {
            *out = (int)i;
            return SEG_OK;
        }
    seg_errmsg_set(err, "%s: '%s' is not one of %s", where, value, choices);
    return SEG_ERR_INVALID;
}

/* Applies one option; `where` prefixes errors ("--sites" or "FILE:LINE: sites"). */
static enum seg_err apply(struct seg_options *o, const struct opt *op, const char *value,
                          const char *where, struct seg_errmsg *err)
{
    void *field = (char *)o + op->offset;
    long long ll;
    double d;
    bool b;

    switch (op->kind) {
    case OPT_FLAG:
        b = true;
        if (value && !parse_bool(value, &b)) {
            seg_errmsg_set(err, "%s: '%s' is not true or false", where, value);
            return SEG_ERR_INVALID;
        }
        *(bool *)field = b;
        return SEG_OK;
    case OPT_INT:
        if (!parse_long(value, &ll) || ll < op->min || ll > op->max) {
            seg_errmsg_set(err, "%s: '%s' is not a whole number in %g..%g", where, value, op->min,
                           op->max);
            return SEG_ERR_INVALID;
        }
        *(int *)field = (int)ll;
        return SEG_OK;
    case OPT_U64: {
        char *end;
        errno = 0;
        unsigned long long u = strtoull(value, &end, 10);
        if (errno || end == value || *end || value[0] == '-') {
            seg_errmsg_set(err, "%s: '%s' is not a non-negative whole number", where, value);
            return SEG_ERR_INVALID;
        }
        *(unsigned long long *)field = u;
        return SEG_OK;
    }
    case OPT_DOUBLE:
        if (!parse_double(value, &d) || d < op->min || d > op->max) {
            seg_errmsg_set(err, "%s: '%s' is not a number in %g..%g", where, value, op->min,
                           op->max);
            return SEG_ERR_INVALID;
        }
        *(double *)field = d;
        return SEG_OK;
    case OPT_DURATION:
        if (!parse_duration(value, &d) || d < op->min || d > op->max) {
            seg_errmsg_set(err, "%s: '%s' is not a duration such as 30s, 500ms or 2m", where,
                           value);
            return SEG_ERR_INVALID;
        }
        *(double *)field = d;
        return SEG_OK;
    case OPT_STR:
        if (!*value) {
            seg_errmsg_set(err, "%s: empty value", where);
            return SEG_ERR_INVALID;
        }
        free(*(char **)field);
        *(char **)field = seg_xstrdup(value);
        return SEG_OK;
    case OPT_TRIGGER:
        return parse_enum(value, trigger_names, SEG_ARRAY_LEN(trigger_names), "s3, invoke, event",
                          where, (int *)&o->trigger, err);
    case OPT_EXPORT_FORMAT:
        return parse_enum(value, export_names, SEG_ARRAY_LEN(export_names), "csv, seed", where,
                          (int *)&o->export_format, err);
    case OPT_LADDER:
        return parse_ladder(o, op, value, where, err);
    }
    return SEG_ERR_INVALID;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

enum seg_err seg_options_load_file(struct seg_options *o, const char *path, struct seg_errmsg *err)
{
    enum seg_err rc = SEG_OK;
    FILE *f = fopen(path, "r");
    if (!f) {
        seg_errmsg_set(err, "%s: cannot open config file: %s", path, strerror(errno));
        return SEG_ERR_IO;
    }
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            seg_errmsg_set(err, "%s:%d: line longer than %zu bytes", path, lineno, sizeof line - 2);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        char *key = s, *value = NULL;
        if (eq) {
            *eq = '\0';
            key = trim(s);
            value = trim(eq + 1);
        }
        const struct opt *op = find_opt(key, strlen(key));
        if (!op || op->offset == O(config_file)) {
            seg_errmsg_set(err,
                           "%s:%d: unknown setting '%s' (settings are long option names; "
                           "see segtop --help)",
                           path, lineno, key);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        if (!value && op->kind != OPT_FLAG) {
            seg_errmsg_set(err, "%s:%d: expected '%s = value'", path, lineno, key);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        char where[4200];
        snprintf(where, sizeof where, "%s:%d: %s", path, lineno, key);
        rc = apply(o, op, value, where, err);
        if (rc)
            goto out;
    }
    if (ferror(f)) {
        seg_errmsg_set(err, "%s: read error", path);
        rc = SEG_ERR_IO;
    }
out:
    fclose(f);
    return rc;
}

/* The config file comes first so the command line overrides it. */
static enum seg_err load_config(struct seg_options *o, int argc, char **argv,
                                struct seg_errmsg *err)
{
    const char *explicit_path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            explicit_path = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            explicit_path = argv[i] + 9;
    }
    if (explicit_path)
        return seg_options_load_file(o, explicit_path, err);

    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char path[4096];
    if (xdg && *xdg)
        snprintf(path, sizeof path, "%s/segtop/config", xdg);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.config/segtop/config", home);
    else
        return SEG_OK;
    FILE *f = fopen(path, "r");
    if (!f)
        return SEG_OK; /* the default file is optional */
    fclose(f);
    return seg_options_load_file(o, path, err);
}

static bool is_loopback_listen(const char *s)
{
    const char *port;
    if (strncmp(s, "127.0.0.1:", 10) == 0)
        port = s + 10;
    else if (strncmp(s, "[::1]:", 6) == 0)
        port = s + 6;
    else
        return false;
    long long p;
    return parse_long(port, &p) && p >= 0 && p <= 65535;
}

static enum seg_err check(struct seg_options *o, struct seg_errmsg *err)
{
    if (o->listen && !is_loopback_listen(o->listen)) {
        seg_errmsg_set(err,
                       "--listen: '%s' is not a loopback address; the simulator only listens "
                       "on 127.0.0.1:PORT or [::1]:PORT",
                       o->listen);
        return SEG_ERR_INVALID;
    }
    if (o->listen && o->command != SEG_CMD_SIM) {
        seg_errmsg_set(err, "--listen applies to 'segtop sim' only");
        return SEG_ERR_INVALID;
    }
    if (o->command == SEG_CMD_REPLAY && o->nreplay == 0 && !o->replay_last) {
        seg_errmsg_set(err, "replay: give FILE... or --last");
        return SEG_ERR_INVALID;
    }
    if (o->aws && o->endpoint) {
        seg_errmsg_set(err, "--aws and --endpoint exclude each other: pick one target");
        return SEG_ERR_INVALID;
    }
    return SEG_OK;
}

enum seg_err seg_options_parse(struct seg_options *o, int argc, char **argv, struct seg_errmsg *err)
{
    enum seg_err rc;
    bool have_command = false, only_args = false;

    /* --help and --version win over everything, even a broken config file. */
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            o->command = SEG_CMD_HELP;
            return SEG_OK;
        }
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
            o->command = SEG_CMD_VERSION;
            return SEG_OK;
        }
    }
    rc = load_config(o, argc, argv, err);
    if (rc)
        return SEG_ERR_INVALID;
    o->config_region = o->region;
    o->config_endpoint = o->endpoint;
    o->config_profile = o->profile;
    o->region = o->endpoint = o->profile = NULL;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_args && strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (!only_args && a[0] == '-' && a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const struct opt *op = find_opt(name, len);
            if (!op) {
                seg_errmsg_set(err, "unknown option '%.*s' (see segtop --help)", (int)len + 2, a);
                return SEG_ERR_INVALID;
            }
            const char *value = eq ? eq + 1 : NULL;
            if (op->kind != OPT_FLAG && !value) {
                if (i + 1 >= argc) {
                    seg_errmsg_set(err, "--%s needs a value (%s)", op->name, op->arg);
                    return SEG_ERR_INVALID;
                }
                value = argv[++i];
            }
            char where[128];
            snprintf(where, sizeof where, "--%s", op->name);
            rc = apply(o, op, value, where, err);
            if (rc)
                return rc;
            continue;
        }
        if (!only_args && a[0] == '-' && a[1]) {
            seg_errmsg_set(err, "unknown option '%s' (see segtop --help)", a);
            return SEG_ERR_INVALID;
        }
        if (!have_command && o->command == SEG_CMD_DASHBOARD) {
            if (strcmp(a, "sim") == 0)
                o->command = SEG_CMD_SIM;
            else if (strcmp(a, "replay") == 0)
                o->command = SEG_CMD_REPLAY;
            else if (strcmp(a, "doctor") == 0)
                o->command = SEG_CMD_DOCTOR;
            else {
                seg_errmsg_set(err,
                               "unknown command '%s': commands are sim, replay, doctor "
                               "(see segtop --help)",
                               a);
                return SEG_ERR_INVALID;
            }
            have_command = true;
            continue;
        }
        if (o->command == SEG_CMD_REPLAY) {
            if (o->nreplay == SEG_MAX_REPLAY_FILE) {
                seg_errmsg_set(err, "replay: at most %d files", SEG_MAX_REPLAY_FILE);
                return SEG_ERR_INVALID;
            }
            o->replay_files[o->nreplay++] = seg_xstrdup(a);
            continue;
        }
        seg_errmsg_set(err, "unexpected argument '%s' (see segtop --help)", a);
        return SEG_ERR_INVALID;
    }
    if (o->headless && o->command == SEG_CMD_DASHBOARD)
        o->command = SEG_CMD_HEADLESS;
    else if (o->headless && o->command != SEG_CMD_REPLAY) {
        seg_errmsg_set(err, "--headless applies to the dashboard and replay only");
        return SEG_ERR_INVALID;
    }
    return check(o, err);
}

void seg_options_print_help(FILE *out)
{
    fputs("Usage: segtop [OPTIONS]              dashboard (built-in simulator unless --aws or "
          "--endpoint)\n"
          "       segtop --headless [OPTIONS]   run the wave ladder once, waves CSV on stdout\n"
          "       segtop replay FILE... | --last\n"
          "       segtop sim [--listen 127.0.0.1:PORT]\n"
          "       segtop doctor [OPTIONS]\n"
          "\n"
          "Live scalability testing of a serverless pipeline: fires waves of S3 uploads or\n"
          "Lambda invocations and watches CloudWatch Logs as they complete.\n"
          "\nOptions:\n",
          out);
    for (size_t i = 0; i < SEG_ARRAY_LEN(opts); i++) {
        char left[64];
        if (opts[i].arg)
            snprintf(left, sizeof left, "--%s %s", opts[i].name, opts[i].arg);
        else
            snprintf(left, sizeof left, "--%s", opts[i].name);
        fprintf(out, "  %-32s %s\n", left, opts[i].help);
    }
    fputs("  -h, --help                       show this help\n"
          "  -V, --version                    show the version\n"
          "\n"
          "Settings come from the command line, then the environment (AWS_*), then the config\n"
          "file (long option names as 'key = value'), then the defaults.\n"
          "Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error, 3 an --slo\n"
          "broken, 4 doctor found problems or a headless wave ended incomplete, 130 "
          "interrupted.\n"
          "See segtop(1) for the keys, panels and export formats.\n",
          out);
}

const char *seg_options_region(const struct seg_options *o, const char **source)
{
    const char *v, *src, *val;
    if (o->region)
        val = o->region, src = "--region";
    else if ((v = getenv("AWS_REGION")) && *v)
        val = v, src = "AWS_REGION";
    else if ((v = getenv("AWS_DEFAULT_REGION")) && *v)
        val = v, src = "AWS_DEFAULT_REGION";
    else if (o->config_region)
        val = o->config_region, src = "segtop config file";
    else
        val = "us-west-1", src = "default";
    if (source)
        *source = src;
    return val;
}
