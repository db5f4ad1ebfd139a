/* Text lines other than REPORT: the platform's START, END, INIT_* and RESTORE_* lines, and
 * application lines (bare print() output, Python "[LEVEL]\t<time>\t<id>\t<msg>", Node
 * "<time>\t<id>\t<LEVEL>\t<msg>", "<time> <id> Task timed out ...", "RequestId: <id>
 * Error: Runtime exited ...") whose body is classified: handler lines, timeouts, runtime
 * exits, out-of-memory kills, tracebacks, error-level lines. */
#include <string.h>

#include "logs/parse_internal.h"

static const struct {
    const char *prefix;
    size_t len;
    enum seg_log_kind kind;
    bool has_status; /* a missing Status: means success */
} platform_lines[] = {
    {LIT("START RequestId:"), SEG_LOG_START, false},
    {LIT("END RequestId:"), SEG_LOG_END, false},
    {LIT("INIT_START "), SEG_LOG_INIT_START, false},
    {LIT("INIT_REPORT "), SEG_LOG_INIT_REPORT, true},
    {LIT("RESTORE_START "), SEG_LOG_RESTORE_START, false},
    {LIT("RESTORE_REPORT "), SEG_LOG_RESTORE_REPORT, true},
};

static bool ident_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '.';
}

/* An exception name ending in ':' at p ("ValueError: ...", "Runtime.ExitError: ..."). */
static const char *exception_name(const char *p, const char *end)
{
    const char *q = p;
    while (q < end && ident_char(*q))
        q++;
    return q > p && q < end && *q == ':' ? q : NULL;
}

/* Strips the application-line prefix, filling level, time and request id; returns the
 * start of the message body. */
static const char *app_prefix(const char *p, const char *end, struct seg_log_record *r)
{
    if (p < end && *p == '[') {
        size_t room = (size_t)(end - p) < 12 ? (size_t)(end - p) : 12;
        const char *close = memchr(p, ']', room);
        enum seg_log_level lv = close ? seg_logp_level(p + 1, (size_t)(close - p - 1)) : 0;
        if (lv) {
            r->level = lv;
            p = seg_logp_skip_blank(close + 1, end);
        }
    }
    int64_t ms;
    const char *q;
    if (seg_logp_time_ms(p, end, &ms, &q) && (q == end || seg_logp_blank(*q))) {
        r->time_ms = ms;
        r->has_time = true;
        p = seg_logp_skip_blank(q, end);
        if (seg_logp_uuid_like(p, end)) {
            memcpy(r->request_id, p, 36);
            r->request_id[36] = '\0';
            p = seg_logp_skip_blank(p + 36, end);
        }
        if (!r->level) { /* Node puts the level after the id */
            q = p;
            while (q < end && *q >= 'A' && *q <= 'Z')
                q++;
            enum seg_log_level lv = seg_logp_level(p, (size_t)(q - p));
            if (lv && q < end && seg_logp_blank(*q)) {
                r->level = lv;
                p = seg_logp_skip_blank(q, end);
            }
        }
    } else if (seg_logp_has(p, end, LIT("RequestId:"))) {
        q = seg_logp_skip_blank(p + 10, end);
        if (seg_logp_request_id(q, end, r->request_id, &q))
            p = seg_logp_skip_blank(q, end);
    }
    return p;
}

void seg_logp_text(const char *p, const char *end, struct seg_log_record *r)
{
    for (size_t i = 0; i < SEG_ARRAY_LEN(platform_lines); i++) {
        if (seg_logp_has(p, end, platform_lines[i].prefix, platform_lines[i].len)) {
            r->kind = platform_lines[i].kind;
            if (platform_lines[i].has_status)
                r->status = SEG_LOG_STATUS_SUCCESS;
            /* Skip the first word: "Version:"-like keys must not match inside it. */
            const char *q = memchr(p, ' ', (size_t)(end - p));
            seg_logp_fields(q, seg_logp_line_end(p, end), r);
            return;
        }
    }
    seg_logp_body(app_prefix(p, end, r), end, r);
}

/* ---- message bodies ---- */

static void excerpt(const char *p, const char *end, struct seg_log_record *r)
{
    seg_logp_copy(r->excerpt, sizeof r->excerpt, p, seg_logp_trim_end(p, end), r, false);
}

/* The "Runtime.Xxx" error type named in a runtime message, if any. */
static void runtime_error_type(const char *p, const char *end, struct seg_log_record *r)
{
    const char *q = seg_logp_find(p, end, LIT("Runtime.")), *t = q;
    if (!q)
        return;
    while (t < end && ident_char(*t))
        t++;
    seg_logp_copy(r->error_type, sizeof r->error_type, q, t, r, true);
}

/* The last non-blank line, which in a Python traceback names the exception. Python's text
 * logs keep a multi-line message in one event by turning '\n' into '\r'. */
static void last_line(const char *p, const char *end, const char **ls, const char **le)
{
    end = seg_logp_trim_end(p, end);
    const char *s = end;
    while (s > p && s[-1] != '\n' && s[-1] != '\r')
        s--;
    *ls = seg_logp_skip_blank(s, end);
    *le = end;
}

static void exception_type(const char *p, const char *end, struct seg_log_record *r)
{
    const char *colon = exception_name(p, end), *q;
    if (colon) {
        seg_logp_copy(r->error_type, sizeof r->error_type, p, colon, r, true);
    } else if ((q = seg_logp_find(p, end, LIT("\"errorType\":\"")))) {
        /* Node: "Invoke Error \t{"errorType":"Error","errorMessage":...}" */
        q += 13;
        const char *t = q;
        while (t < end && ident_char(*t))
            t++;
        if (t < end && *t == '"')
            seg_logp_copy(r->error_type, sizeof r->error_type, q, t, r, true);
    }
}

static void event_time(const char *p, const char *line, struct seg_log_record *r)
{
    int64_t ms;
    const char *n, *site;
    if (seg_logp_time_ms(p, line, &ms, &n) && (n == line || *n == ',' || seg_logp_blank(*n))) {
        r->event_time_ms = ms;
        r->has_event_time = true;
    } else {
        r->malformed = true;
    }
    if ((site = seg_logp_find(p, line, LIT("Site ID:")))) {
        site = seg_logp_skip_blank(site + 8, line);
        seg_logp_copy(r->site_id, sizeof r->site_id, site, line, r, true);
    }
}

void seg_logp_body(const char *p, const char *end, struct seg_log_record *r)
{
    const char *line = seg_logp_trim_end(p, seg_logp_line_end(p, end)), *q;
    if (seg_logp_has(p, line, LIT("Image Name:"))) {
        r->kind = SEG_LOG_IMAGE_NAME;
        q = seg_logp_skip_blank(p + 11, line);
        seg_logp_copy(r->image_name, sizeof r->image_name, q, line, r, true);
    } else if (seg_logp_has(p, line, LIT("Event Time:"))) {
        r->kind = SEG_LOG_EVENT_TIME;
        event_time(seg_logp_skip_blank(p + 11, line), line, r);
    } else if (seg_logp_has(p, line, LIT("Writing to database"))) {
        r->kind = SEG_LOG_DB_WRITE;
    } else if ((q = seg_logp_find(p, end, LIT("Task timed out after")))) {
        r->kind = SEG_LOG_TIMEOUT;
        q = seg_logp_skip_blank(q + 20, end);
        r->has_timeout = seg_logp_decimal(q, end, &r->timeout_s, &q);
        r->malformed = !r->has_timeout;
        excerpt(p, end, r);
    } else if (seg_logp_find(p, end, LIT("Runtime.OutOfMemory")) ||
               seg_logp_find(p, end, LIT("Runtime exited with error: signal: killed"))) {
        r->kind = SEG_LOG_OOM; /* the runtime was killed: Lambda's OOM signature */
        runtime_error_type(p, end, r);
        excerpt(p, end, r);
    } else if (seg_logp_find(p, end, LIT("Runtime exited"))) {
        r->kind = SEG_LOG_RUNTIME_EXIT;
        runtime_error_type(p, end, r);
        excerpt(p, end, r);
    } else if (seg_logp_has(p, end, LIT("Traceback (most recent call last):"))) {
        r->kind = SEG_LOG_TRACEBACK;
        const char *ls, *le;
        last_line(p, end, &ls, &le);
        exception_type(ls, le, r);
        excerpt(ls, le, r);
    } else if (r->level >= SEG_LOG_LEVEL_ERROR) {
        r->kind = SEG_LOG_APP_ERROR;
        exception_type(p, line, r);
        excerpt(p, end, r);
    }
}
