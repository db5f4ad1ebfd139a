/* "Key: value unit" fields of the platform text lines (REPORT, START, END, INIT_START,
 * INIT_REPORT, RESTORE_*). Fields are separated by tabs, but older lines and copies use
 * runs of spaces or even one space ("Billed Duration: 3 ms Memory Size: 128 MB"), so the
 * scanner is key-driven: at each token it tries the known keys, takes a number and its
 * unit or a one-token value, and otherwise skips the token. This is the hot path: no
 * allocation, no strtod (locale, speed), one pass. */
#include <string.h>

#include "logs/parse_internal.h"

enum field {
    F_NONE,
    F_REQUEST_ID,
    F_DURATION,
    F_BILLED,
    F_BILLED_RESTORE,
    F_MEMORY,
    F_MAX_MEMORY,
    F_INIT,
    F_RESTORE,
    F_STATUS,
    F_ERROR_TYPE,
    F_PHASE,
    F_RUNTIME,
    F_SKIP_VALUE, /* a known key whose one-token value we do not keep */
};

struct key {
    const char *text;
    size_t len;
    enum field field;
};

#define KEY(s, f)           \
    {                       \
        s, sizeof(s) - 1, f \
    }

/* Keys by first letter; longer keys sharing a prefix come first. */
static const struct key keys_b[] = {KEY("Billed Duration:", F_BILLED),
                                    KEY("Billed Restore Duration:", F_BILLED_RESTORE)};
static const struct key keys_d[] = {KEY("Duration:", F_DURATION)};
static const struct key keys_e[] = {KEY("Error Type:", F_ERROR_TYPE)};
static const struct key keys_i[] = {KEY("Init Duration:", F_INIT)};
static const struct key keys_m[] = {KEY("Memory Size:", F_MEMORY),
                                    KEY("Max Memory Used:", F_MAX_MEMORY)};
static const struct key keys_p[] = {KEY("Phase:", F_PHASE)};
static const struct key keys_r[] = {
    KEY("RequestId:", F_REQUEST_ID), KEY("Restore Duration:", F_RESTORE),
    KEY("Runtime Version ARN:", F_SKIP_VALUE), KEY("Runtime Version:", F_RUNTIME)};
static const struct key keys_s[] = {KEY("Status:", F_STATUS)};
static const struct key keys_v[] = {KEY("Version:", F_SKIP_VALUE)};

static enum field match_key(const char *p, const char *end, const char **after)
{
    const struct key *ks;
    size_t n;
    if (p >= end)
        return F_NONE;
    switch (*p) {
#define CASE(c, arr)            \
    case c:                     \
        ks = arr;               \
        n = SEG_ARRAY_LEN(arr); \
        break
        CASE('B', keys_b);
        CASE('D', keys_d);
        CASE('E', keys_e);
        CASE('I', keys_i);
        CASE('M', keys_m);
        CASE('P', keys_p);
        CASE('R', keys_r);
        CASE('S', keys_s);
        CASE('V', keys_v);
#undef CASE
    default:
        return F_NONE;
    }
    for (size_t i = 0; i < n; i++) {
        if (seg_logp_has(p, end, ks[i].text, ks[i].len)) {
            *after = p + ks[i].len;
            return ks[i].field;
        }
    }
    return F_NONE;
}

static const char *token_end(const char *p, const char *end)
{
    while (p < end && !seg_logp_blank(*p))
        p++;
    return p;
}

/* A number ending at a blank or the end, then an optional unit token ("ms", "MB"). */
static bool number(const char **pp, const char *end, double *out)
{
    const char *q;
    if (!seg_logp_decimal(*pp, end, out, &q) || (q < end && !seg_logp_blank(*q)))
        return false;
    q = seg_logp_skip_blank(q, end);
    if (seg_logp_has(q, end, LIT("ms")) || seg_logp_has(q, end, LIT("MB"))) {
        if (q + 2 == end || seg_logp_blank(q[2]))
            q += 2;
    }
    *pp = q;
    return true;
}

static bool megabytes(const char **pp, const char *end, uint32_t *out)
{
    const char *start = *pp;
    double v;
    if (!number(pp, end, &v) || memchr(start, '.', (size_t)(*pp - start)) || v > UINT32_MAX) {
        *pp = start;
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* Reads one field's value at *pp; false when it is unusable. */
static bool value(enum field f, const char **pp, const char *end, struct seg_log_record *r)
{
    const char *p = *pp, *t = token_end(p, end);
    if (t == p) /* "Key:" at the end of the line */
        return false;
    switch (f) {
    case F_REQUEST_ID:
        return seg_logp_request_id(p, end, r->request_id, pp);
    case F_DURATION:
        return (r->has_duration = number(pp, end, &r->duration_ms));
    case F_BILLED:
        return (r->has_billed = number(pp, end, &r->billed_ms));
    case F_BILLED_RESTORE:
        return (r->has_billed_restore = number(pp, end, &r->billed_restore_ms));
    case F_INIT:
        return (r->has_init = number(pp, end, &r->init_ms));
    case F_RESTORE:
        return (r->has_restore = number(pp, end, &r->restore_ms));
    case F_MEMORY:
        return (r->has_memory = megabytes(pp, end, &r->memory_mb));
    case F_MAX_MEMORY:
        return (r->has_max_memory = megabytes(pp, end, &r->max_memory_mb));
    case F_STATUS:
        r->status = seg_logp_status(p, (size_t)(t - p));
        break;
    case F_ERROR_TYPE:
        seg_logp_copy(r->error_type, sizeof r->error_type, p, t, r, true);
        break;
    case F_PHASE:
        r->phase = seg_logp_has(p, t, LIT("init"))     ? SEG_LOG_PHASE_INIT
                   : seg_logp_has(p, t, LIT("invoke")) ? SEG_LOG_PHASE_INVOKE
                                                       : SEG_LOG_PHASE_NONE;
        break;
    case F_RUNTIME:
        seg_logp_copy(r->runtime_version, sizeof r->runtime_version, p, t, r, true);
        break;
    case F_SKIP_VALUE:
    case F_NONE:
        break;
    }
    *pp = t;
    return t > p;
}

void seg_logp_fields(const char *p, const char *end, struct seg_log_record *r)
{
    end = seg_logp_trim_end(p, end);
    for (;;) {
        p = seg_logp_skip_blank(p, end);
        if (p >= end)
            break;
        const char *after;
        enum field f = match_key(p, end, &after);
        if (f == F_NONE) {
            p = token_end(p, end);
            continue;
        }
        p = seg_logp_skip_blank(after, end);
        const char *start = p;
        if (!value(f, &p, end, r)) {
            r->malformed = true;
            /* Skip the bad value, unless it is the next key ("Duration:\tBilled ..."). */
            if (match_key(start, end, &after) == F_NONE)
                p = token_end(start, end);
            else
                p = start;
        }
    }
}
