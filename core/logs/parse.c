/* Dispatch, names and the small scanners every log parser shares. */
#include "logs/parse.h"

#include <string.h>

#include "logs/parse_internal.h"
#include "logs/sanitize.h"
#include "util/timefmt.h"

static void reset(struct seg_log_record *r)
{
    memset(r, 0, sizeof *r);
}

/* Caps the input at the CloudWatch event size; true when it had to. */
static size_t cap_len(size_t len, bool *truncated)
{
    *truncated = len > SEG_LOG_MAX_MESSAGE;
    return *truncated ? SEG_LOG_MAX_MESSAGE : len;
}

static bool is_report(const char *p, const char *end)
{
    return seg_logp_has(p, end, LIT("REPORT RequestId:"));
}

/* The REPORT line proper: the XRAY sub-line after '\n' is not ours. */
static void parse_report_text(const char *p, const char *end, struct seg_log_record *r)
{
    r->kind = SEG_LOG_REPORT;
    r->status = SEG_LOG_STATUS_SUCCESS; /* Status: appears only on failures */
    seg_logp_fields(p + 7, seg_logp_line_end(p, end), r);
}

/* The message's start, whatever its kind: the site detail shows a site's last lines. */
static void keep_line(struct seg_log_record *r, const char *msg, const char *end)
{
    seg_logp_copy(r->line, sizeof r->line, msg, seg_logp_trim_end(msg, end), r, false);
}

enum seg_err seg_log_parse_report(const char *msg, size_t len, struct seg_log_record *out)
{
    if (!out || (!msg && len))
        return SEG_ERR_INVALID;
    if (!len || !is_report(msg, msg + len))
        return SEG_ERR_PARSE;
    bool truncated;
    len = cap_len(len, &truncated);
    reset(out);
    out->truncated = truncated;
    parse_report_text(msg, msg + len, out);
    keep_line(out, msg, msg + len);
    return SEG_OK;
}

enum seg_err seg_log_parse(const char *msg, size_t len, struct seg_log_record *out)
{
    if (!out || (!msg && len))
        return SEG_ERR_INVALID;
    reset(out);
    if (!len)
        return SEG_OK;
    bool truncated;
    len = cap_len(len, &truncated);
    const char *end = msg + len;
    if (is_report(msg, end)) {
        out->truncated = truncated;
        parse_report_text(msg, end, out);
        keep_line(out, msg, end);
        return SEG_OK;
    }
    const char *p = msg;
    while (p < end && (seg_logp_blank(*p) || *p == '\r' || *p == '\n'))
        p++;
    if (p < end && *p == '{') {
        if (seg_logp_json(p, (size_t)(end - p), out)) {
            out->truncated = out->truncated || truncated;
            keep_line(out, msg, end);
            return SEG_OK;
        }
        /* Broken or cut JSON: scanning it for error phrases would misfile a record. */
        reset(out);
        out->truncated = truncated;
        keep_line(out, msg, end);
        return SEG_OK;
    }
    out->truncated = truncated;
    seg_logp_text(msg, end, out);
    keep_line(out, msg, end);
    return SEG_OK;
}

/* ---- names ---- */

const char *seg_log_kind_name(enum seg_log_kind kind)
{
    static const char *const names[SEG_LOG_KIND__COUNT] = {
        [SEG_LOG_OTHER] = "other",
        [SEG_LOG_INIT_START] = "init_start",
        [SEG_LOG_START] = "start",
        [SEG_LOG_END] = "end",
        [SEG_LOG_REPORT] = "report",
        [SEG_LOG_INIT_REPORT] = "init_report",
        [SEG_LOG_RESTORE_START] = "restore_start",
        [SEG_LOG_RESTORE_REPORT] = "restore_report",
        [SEG_LOG_RUNTIME_DONE] = "runtime_done",
        [SEG_LOG_TIMEOUT] = "timeout",
        [SEG_LOG_RUNTIME_EXIT] = "runtime_exit",
        [SEG_LOG_OOM] = "oom",
        [SEG_LOG_TRACEBACK] = "traceback",
        [SEG_LOG_APP_ERROR] = "app_error",
        [SEG_LOG_IMAGE_NAME] = "image_name",
        [SEG_LOG_EVENT_TIME] = "event_time",
        [SEG_LOG_DB_WRITE] = "db_write",
    };
    return (unsigned)kind < SEG_LOG_KIND__COUNT ? names[kind] : "?";
}

const char *seg_log_status_name(enum seg_log_status status)
{
    static const char *const names[SEG_LOG_STATUS__COUNT] = {
        [SEG_LOG_STATUS_NONE] = "",           [SEG_LOG_STATUS_SUCCESS] = "success",
        [SEG_LOG_STATUS_ERROR] = "error",     [SEG_LOG_STATUS_FAILURE] = "failure",
        [SEG_LOG_STATUS_TIMEOUT] = "timeout", [SEG_LOG_STATUS_OTHER] = "other",
    };
    return (unsigned)status < SEG_LOG_STATUS__COUNT ? names[status] : "?";
}

const char *seg_log_level_name(enum seg_log_level level)
{
    static const char *const names[SEG_LOG_LEVEL__COUNT] = {
        [SEG_LOG_LEVEL_NONE] = "",       [SEG_LOG_LEVEL_TRACE] = "trace",
        [SEG_LOG_LEVEL_DEBUG] = "debug", [SEG_LOG_LEVEL_INFO] = "info",
        [SEG_LOG_LEVEL_WARN] = "warn",   [SEG_LOG_LEVEL_ERROR] = "error",
        [SEG_LOG_LEVEL_FATAL] = "fatal",
    };
    return (unsigned)level < SEG_LOG_LEVEL__COUNT ? names[level] : "?";
}

bool seg_log_kind_is_error(enum seg_log_kind kind)
{
    return kind == SEG_LOG_TIMEOUT || kind == SEG_LOG_RUNTIME_EXIT || kind == SEG_LOG_OOM ||
           kind == SEG_LOG_TRACEBACK || kind == SEG_LOG_APP_ERROR;
}

bool seg_log_record_failed(const struct seg_log_record *r)
{
    return r->status != SEG_LOG_STATUS_NONE && r->status != SEG_LOG_STATUS_SUCCESS;
}

bool seg_log_record_cold(const struct seg_log_record *r)
{
    return r->kind == SEG_LOG_REPORT && (r->has_init || r->has_restore);
}

/* ---- shared scanners ---- */

const char *seg_logp_trim_end(const char *p, const char *end)
{
    while (end > p && (seg_logp_blank(end[-1]) || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    return end;
}

const char *seg_logp_find(const char *p, const char *end, const char *needle, size_t n)
{
    if (!n)
        return p;
    while ((size_t)(end - p) >= n) {
        const char *c = memchr(p, needle[0], (size_t)(end - p) - n + 1);
        if (!c)
            return NULL;
        if (memcmp(c, needle, n) == 0)
            return c;
        p = c + 1;
    }
    return NULL;
}

void seg_logp_copy(char *dst, size_t size, const char *p, const char *end, struct seg_log_record *r,
                   bool flag_trunc)
{
    size_t used = 0, n = (size_t)(end - p);
    seg_sanitize_for_terminal_ex(p, n, dst, size, &used);
    if (used < n && flag_trunc)
        r->truncated = true;
}

bool seg_logp_request_id(const char *p, const char *end, char *dst, const char **next)
{
    const char *q = p;
    while (q < end && (unsigned char)*q > 0x20 && (unsigned char)*q < 0x7F)
        q++;
    /* It must end at a blank or the line's end, not mid-token on a control byte. */
    size_t n = (size_t)(q - p);
    bool ok = n >= 1 && n <= SEG_LOG_REQUEST_ID_MAX &&
              (q == end || seg_logp_blank(*q) || *q == '\n' || *q == '\r');
    if (ok) {
        memcpy(dst, p, n);
        dst[n] = '\0';
    }
    if (next)
        *next = q;
    return ok;
}

static bool alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool seg_logp_uuid_like(const char *p, const char *end)
{
    if (end - p < 36 || (end - p > 36 && !seg_logp_blank(p[36])))
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? p[i] != '-' : !alnum(p[i]))
            return false;
    }
    return true;
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

bool seg_logp_decimal(const char *p, const char *end, double *out, const char **next)
{
    /* Integer part up to 12 significant digits (1e12 ms is 31 years); up to 6 fraction
     * digits kept, the rest read and dropped. Exact for what Lambda prints. */
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    uint64_t ip = 0, fp = 0;
    int sig = 0, fd = 0;
    const char *q = p;
    if (q >= end || !digit(*q))
        return false;
    for (; q < end && digit(*q); q++) {
        ip = ip * 10 + (uint64_t)(*q - '0');
        if (ip && ++sig > 12)
            return false;
    }
    if (q < end && *q == '.') {
        q++;
        if (q >= end || !digit(*q))
            return false;
        for (; q < end && digit(*q); q++) {
            if (fd < 6) {
                fp = fp * 10 + (uint64_t)(*q - '0');
                fd++;
            }
        }
    }
    *out = (double)(ip * (uint64_t)pow10[fd] + fp) / pow10[fd];
    *next = q;
    return true;
}

bool seg_logp_time_ms(const char *p, const char *end, int64_t *ms, const char **next)
{
    int y, mo, d, h, mi, s, frac = 0;
    if (end - p < 19 || !seg_time_digits(p, 4, &y) || p[4] != '-' ||
        !seg_time_digits(p + 5, 2, &mo) || p[7] != '-' || !seg_time_digits(p + 8, 2, &d) ||
        (p[10] != 'T' && p[10] != ' ') || !seg_time_digits(p + 11, 2, &h) || p[13] != ':' ||
        !seg_time_digits(p + 14, 2, &mi) || p[16] != ':' || !seg_time_digits(p + 17, 2, &s))
        return false;
    time_t t;
    if (seg_time_from_civil(y, mo, d, h, mi, s, &t) != SEG_OK)
        return false;
    const char *q = p + 19;
    if (q < end && *q == '.') {
        q++;
        int nd = 0;
        for (; q < end && digit(*q); q++, nd++) {
            if (nd < 3)
                frac = frac * 10 + (*q - '0');
        }
        if (!nd)
            return false;
        for (; nd < 3; nd++)
            frac *= 10;
    }
    if (q < end && *q == 'Z')
        q++;
    *ms = (int64_t)t * 1000 + frac;
    *next = q;
    return true;
}

/* Case-insensitive equality with an uppercase literal. */
static bool word_eq(const char *s, size_t n, const char *upper)
{
    size_t i = 0;
    for (; i < n && upper[i]; i++) {
        char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i];
        if (c != upper[i])
            return false;
    }
    return i == n && !upper[i];
}

enum seg_log_status seg_logp_status(const char *s, size_t n)
{
    if (word_eq(s, n, "SUCCESS"))
        return SEG_LOG_STATUS_SUCCESS;
    if (word_eq(s, n, "ERROR"))
        return SEG_LOG_STATUS_ERROR;
    if (word_eq(s, n, "FAILURE"))
        return SEG_LOG_STATUS_FAILURE;
    if (word_eq(s, n, "TIMEOUT"))
        return SEG_LOG_STATUS_TIMEOUT;
    return SEG_LOG_STATUS_OTHER;
}

enum seg_log_level seg_logp_level(const char *s, size_t n)
{
    static const struct {
        const char *word;
        enum seg_log_level level;
    } words[] = {
        {"TRACE", SEG_LOG_LEVEL_TRACE},  {"DEBUG", SEG_LOG_LEVEL_DEBUG},
        {"INFO", SEG_LOG_LEVEL_INFO},    {"WARN", SEG_LOG_LEVEL_WARN},
        {"WARNING", SEG_LOG_LEVEL_WARN}, {"ERROR", SEG_LOG_LEVEL_ERROR},
        {"FATAL", SEG_LOG_LEVEL_FATAL},  {"CRITICAL", SEG_LOG_LEVEL_FATAL},
    };
    for (size_t i = 0; i < SEG_ARRAY_LEN(words); i++) {
        if (word_eq(s, n, words[i].word))
            return words[i].level;
    }
    return SEG_LOG_LEVEL_NONE;
}
