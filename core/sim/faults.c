/* The --sim-faults grammar (faults.h). Parses into a copy so the caller's struct is
 * written only on success; every error names the key and what it accepts. */
#include "sim/faults.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_HELP                                                               \
    "throttle, 5xx, reset, truncate, slow, timeout, oom, error, ingest-delay, " \
    "duplicate-events, reorder, evil-log"
#define SPEC_MAX 4096

void seg_sim_faults_init(struct seg_sim_faults *f)
{
    memset(f, 0, sizeof *f);
}

bool seg_sim_siteset_has(const struct seg_sim_siteset *s, int site)
{
    for (int i = 0; i < s->n; i++)
        if (site >= s->lo[i] && site <= s->hi[i])
            return true;
    return false;
}

static bool parse_prob(const char *s, double *out)
{
    if (!*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < 0 || v > 1)
        return false;
    *out = v;
    return true;
}

/* "250ms", "1.5s": a unit is required so "5" cannot mean two things. */
static bool parse_duration(const char *s, int64_t *out_ms)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !isfinite(v) || v < 0)
        return false;
    double scale;
    if (strcmp(end, "ms") == 0)
        scale = 1;
    else if (strcmp(end, "s") == 0)
        scale = 1000;
    else
        return false;
    double ms = v * scale;
    if (ms > 86400000.0) /* a day is plenty, and keeps the cast defined */
        return false;
    *out_ms = (int64_t)llround(ms);
    return true;
}

static bool parse_site(const char *s, size_t n, int *out)
{
    if (n > 4 && strncmp(s, "site", 4) == 0) {
        s += 4;
        n -= 4;
    }
    if (n == 0 || n > 9)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1)
        return false;
    *out = (int)v;
    return true;
}

/* "site7|site9|3..9": appends to set. */
static bool parse_siteset(const char *s, struct seg_sim_siteset *set)
{
    while (1) {
        const char *bar = strchr(s, '|');
        size_t n = bar ? (size_t)(bar - s) : strlen(s);
        const char *dots = NULL;
        for (size_t i = 0; i + 1 < n; i++)
            if (s[i] == '.' && s[i + 1] == '.') {
                dots = s + i;
                break;
            }
        int lo, hi;
        if (dots) {
            if (!parse_site(s, (size_t)(dots - s), &lo) ||
                !parse_site(dots + 2, n - (size_t)(dots - s) - 2, &hi) || lo > hi)
                return false;
        } else {
            if (!parse_site(s, n, &lo))
                return false;
            hi = lo;
        }
        if (set->n == SEG_SIM_SITESET_MAX)
            return false;
        set->lo[set->n] = lo;
        set->hi[set->n] = hi;
        set->n++;
        if (!bar)
            return true;
        s = bar + 1;
    }
}

static bool parse_scope(const char *s, int *out)
{
    static const char *const names[SEG_SIM_SCOPES] = {"lambda", "s3", "logs"};
    for (int i = 0; i < SEG_SIM_SCOPES; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

/* P or P:scope into v[scope] (every scope when none). */
static bool parse_scoped(char *val, double v[SEG_SIM_SCOPES])
{
    char *colon = strchr(val, ':');
    int scope = -1;
    if (colon) {
        *colon = '\0';
        if (!parse_scope(colon + 1, &scope))
            return false;
    }
    double p;
    if (!parse_prob(val, &p))
        return false;
    for (int i = 0; i < SEG_SIM_SCOPES; i++)
        if (scope < 0 || scope == i)
            v[i] = p;
    return true;
}

static bool parse_slow(char *val, struct seg_sim_faults *f)
{
    char *colon = strchr(val, ':');
    if (!colon)
        return false;
    *colon = '\0';
    return parse_prob(val, &f->slow_p) && parse_duration(colon + 1, &f->slow_ms);
}

static bool parse_range(char *val, struct seg_sim_faults *f)
{
    char *dots = strstr(val, "..");
    if (!dots)
        return false;
    *dots = '\0';
    if (!parse_duration(val, &f->ingest_min_ms) || !parse_duration(dots + 2, &f->ingest_max_ms) ||
        f->ingest_min_ms > f->ingest_max_ms)
        return false;
    f->ingest_set = true;
    return true;
}

/* One key=value. Returns the usage text for the key on a bad value, "" on success, NULL for an
 * unknown key. */
static const char *apply(const char *key, char *val, struct seg_sim_faults *f)
{
    bool ok;
    const char *usage;
    if (strcmp(key, "throttle") == 0) {
        ok = parse_scoped(val, f->throttle);
        usage = "P[:lambda|:s3|:logs], P a probability in [0,1]";
    } else if (strcmp(key, "5xx") == 0) {
        ok = parse_scoped(val, f->err5xx);
        usage = "P[:lambda|:s3|:logs], P a probability in [0,1]";
    } else if (strcmp(key, "reset") == 0) {
        ok = parse_prob(val, &f->reset);
        usage = "a probability in [0,1]";
    } else if (strcmp(key, "truncate") == 0) {
        ok = parse_prob(val, &f->truncate);
        usage = "a probability in [0,1]";
    } else if (strcmp(key, "slow") == 0) {
        ok = parse_slow(val, f);
        usage = "P:D, P a probability in [0,1], D a duration such as 500ms or 2s";
    } else if (strcmp(key, "timeout") == 0) {
        ok = parse_siteset(val, &f->timeout);
        usage = "sites such as site7|site9 or 3..9 (at most 32 items)";
    } else if (strcmp(key, "oom") == 0) {
        ok = parse_siteset(val, &f->oom);
        usage = "sites such as site7|site9 or 3..9 (at most 32 items)";
    } else if (strcmp(key, "error") == 0) {
        ok = parse_prob(val, &f->error_p);
        usage = "a probability in [0,1]";
    } else if (strcmp(key, "ingest-delay") == 0) {
        ok = parse_range(val, f);
        usage = "A..B, durations such as 200ms..2s with A <= B";
    } else if (strcmp(key, "duplicate-events") == 0) {
        ok = parse_prob(val, &f->duplicate_events);
        usage = "a probability in [0,1]";
    } else if (strcmp(key, "reorder") == 0) {
        ok = parse_prob(val, &f->reorder);
        usage = "a probability in [0,1]";
    } else if (strcmp(key, "evil-log") == 0) {
        ok = parse_siteset(val, &f->evil_log);
        usage = "sites such as site7|site9 or 3..9 (at most 32 items)";
    } else {
        return NULL;
    }
    return ok ? "" : usage;
}

enum seg_err seg_sim_faults_parse(const char *spec, struct seg_sim_faults *f,
                                  struct seg_errmsg *err)
{
    struct seg_sim_faults tmp;
    seg_sim_faults_init(&tmp);
    if (!spec || !*spec) {
        *f = tmp;
        return SEG_OK;
    }
    size_t len = strlen(spec);
    if (len > SPEC_MAX) {
        seg_errmsg_set(err, "--sim-faults: the spec is longer than %d bytes", SPEC_MAX);
        return SEG_ERR_TOOBIG;
    }
    char buf[SPEC_MAX + 1];
    memcpy(buf, spec, len + 1);
    enum seg_err rc = SEG_OK;
    char *item = buf;
    while (item) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        char *eq = strchr(item, '=');
        if (!eq) {
            seg_errmsg_set(err, "--sim-faults: '%.60s' is not key=value (keys: " KEYS_HELP ")",
                           item);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        *eq = '\0';
        const char *usage = apply(item, eq + 1, &tmp);
        if (!usage) {
            seg_errmsg_set(err, "--sim-faults: unknown key '%.60s' (keys: " KEYS_HELP ")", item);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        if (*usage) {
            /* apply() may have cut the value at ':' or '..': quote it from the spec. */
            const char *orig = spec + (eq + 1 - buf);
            int olen = (int)strcspn(orig, ",");
            seg_errmsg_set(err, "--sim-faults: %s: bad value '%.*s': expected %s", item,
                           olen > 60 ? 60 : olen, orig, usage);
            rc = SEG_ERR_INVALID;
            goto out;
        }
        item = comma ? comma + 1 : NULL;
    }
    *f = tmp;
out:
    return rc;
}
