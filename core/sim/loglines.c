#include "sim/loglines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "util/timefmt.h"
#include "util/xalloc.h"

#define RUNTIME_VERSION "python:3.12.v38"
#define RUNTIME_HASH    "0cdcfbdefbc5e7d3343f73c2e2dd1cba17d61dea0686b404502a0c9ce83931b9"
/* The hostile line of evil-log (DESIGN §6): ESC[2J, OSC 0 title, OSC 52 clipboard, raw C1
 * CSI 0x9B and its UTF-8 form U+009B, U+202E, invalid UTF-8, and a NUL. A NUL cannot live in
 * a C string nor in the log store, so it is the six characters \u0000 that AWS's JSON
 * carries for it. */
#define EVIL_LINE                                                      \
    "evil: \x1b[2J \x1b]0;pwned-title\x07 \x1b]52;c;cHduZWQ=\x07 \x9b" \
    "31m \xc2\x9b"                                                     \
    "31m \xe2\x80\xae"                                                 \
    "txt.exe \xff\xfe\xc3 \\u0000 end"
#define ERROR_TYPE    "ConnectionError"
#define ERROR_MESSAGE "database write failed: connection reset by peer"

static void copy_cut(char *out, size_t n, const char *buf)
{
    size_t len = strlen(buf);
    if (len >= n)
        len = n - 1;
    memcpy(out, buf, len);
    out[len] = '\0';
}

void seg_sim_fmt_iso_ms(int64_t epoch_ms, char *out, size_t n)
{
    char buf[32];
    seg_time_format_ms(epoch_ms, 'T', true, true, buf);
    copy_cut(out, n, buf);
}

void seg_sim_fmt_sec(int64_t epoch_ms, char *out, size_t n)
{
    char buf[32];
    seg_time_format_ms(epoch_ms, ' ', false, false, buf);
    copy_cut(out, n, buf);
}

bool seg_sim_parse_iso_ms(const char *s, int64_t *out)
{
    return seg_time_parse_iso_ms(s, out);
}

void seg_sim_loglist_release(struct seg_sim_loglist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->ev[i].msg);
    free(l->ev);
    memset(l, 0, sizeof *l);
}

static void add(struct seg_sim_loglist *l, int64_t ts, char *msg)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->ev = seg_xrealloc(l->ev, l->cap * sizeof *l->ev);
    }
    l->ev[l->n].ts_ms = ts;
    l->ev[l->n].msg = msg;
    l->n++;
}

/* cJSON escapes the backslash of the evil line's "\u0000": undo that so the record carries
 * a real JSON NUL escape, as AWS would. */
static char *print_json(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        seg_fatal("out of memory printing JSON");
    char *p;
    while ((p = strstr(s, "\\\\u0000")) != NULL)
        memmove(p + 1, p + 2, strlen(p + 2) + 1);
    char *line = seg_xasprintf("%s\n", s);
    cJSON_free(s);
    return line;
}

static double r2(double v)
{
    return (double)(long long)(v * 100.0 + 0.5) / 100.0;
}

const char *seg_sim_outcome_error_type(enum seg_sim_outcome o)
{
    switch (o) {
    case SEG_SIM_ERROR:
        return "Runtime.Unhandled";
    case SEG_SIM_OOM:
        return "Runtime.OutOfMemory";
    default:
        return NULL;
    }
}

static const char *status_word(enum seg_sim_outcome o, bool json)
{
    switch (o) {
    case SEG_SIM_OK:
        return json ? "success" : NULL;
    case SEG_SIM_TIMEOUT:
        return "timeout";
    default:
        return "error";
    }
}

static char *app_line(const struct seg_sim_attempt_log *a, int64_t ts, const char *level,
                      const char *text)
{
    if (!a->json)
        return seg_xasprintf("%s\n", text);
    char iso[32];
    seg_sim_fmt_iso_ms(ts, iso, sizeof iso);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "timestamp", iso);
    cJSON_AddStringToObject(o, "level", level);
    cJSON_AddStringToObject(o, "message", text);
    cJSON_AddStringToObject(o, "logger", "root");
    cJSON_AddStringToObject(o, "requestId", a->request_id);
    return print_json(o);
}

static char *platform(const struct seg_sim_attempt_log *a, int64_t ts, const char *type,
                      cJSON *record)
{
    char iso[32];
    seg_sim_fmt_iso_ms(ts, iso, sizeof iso);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "time", iso);
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddItemToObject(o, "record", record);
    (void)a;
    return print_json(o);
}

static char *init_start(const struct seg_sim_attempt_log *a)
{
    char arn[160];
    snprintf(arn, sizeof arn, "arn:aws:lambda:%s::runtime:%s", a->region, RUNTIME_HASH);
    if (!a->json)
        return seg_xasprintf("INIT_START Runtime Version: %s\tRuntime Version ARN: %s\n",
                             RUNTIME_VERSION, arn);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "initializationType", "on-demand");
    cJSON_AddStringToObject(r, "phase", "init");
    cJSON_AddStringToObject(r, "runtimeVersion", RUNTIME_VERSION);
    cJSON_AddStringToObject(r, "runtimeVersionArn", arn);
    cJSON_AddStringToObject(r, "functionName", a->function);
    cJSON_AddStringToObject(r, "functionVersion", "$LATEST");
    cJSON_AddStringToObject(r, "instanceId", a->instance_id);
    cJSON_AddNumberToObject(r, "instanceMaxMemory", (double)a->memory_mb * 1048576.0);
    return platform(a, a->begin_ms, "platform.initStart", r);
}

static char *start_line(const struct seg_sim_attempt_log *a, int64_t ts)
{
    if (!a->json)
        return seg_xasprintf("START RequestId: %s Version: $LATEST\n", a->request_id);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "requestId", a->request_id);
    cJSON_AddStringToObject(r, "version", "$LATEST");
    return platform(a, ts, "platform.start", r);
}

static char *report_line(const struct seg_sim_attempt_log *a, int64_t ts)
{
    const char *st = status_word(a->outcome, a->json);
    const char *et = seg_sim_outcome_error_type(a->outcome);
    if (a->json) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "requestId", a->request_id);
        cJSON_AddStringToObject(r, "status", st);
        if (et)
            cJSON_AddStringToObject(r, "errorType", et);
        cJSON *m = cJSON_AddObjectToObject(r, "metrics");
        cJSON_AddNumberToObject(m, "durationMs", r2(a->duration_ms));
        cJSON_AddNumberToObject(m, "billedDurationMs", (double)a->billed_ms);
        cJSON_AddNumberToObject(m, "memorySizeMB", a->memory_mb);
        cJSON_AddNumberToObject(m, "maxMemoryUsedMB", a->max_memory_mb);
        if (a->cold)
            cJSON_AddNumberToObject(m, "initDurationMs", r2(a->init_ms));
        return platform(a, ts, "platform.report", r);
    }
    char init[48] = "", status[96] = "";
    if (a->cold)
        snprintf(init, sizeof init, "Init Duration: %.2f ms\t", r2(a->init_ms));
    if (st && et)
        snprintf(status, sizeof status, "Status: %s\tError Type: %s\t", st, et);
    else if (st)
        snprintf(status, sizeof status, "Status: %s\t", st);
    return seg_xasprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %ld ms\t"
                         "Memory Size: %d MB\tMax Memory Used: %d MB\t%s%s\n",
                         a->request_id, r2(a->duration_ms), a->billed_ms, a->memory_mb,
                         a->max_memory_mb, init, status);
}

static char *error_line(const struct seg_sim_attempt_log *a, int64_t ts)
{
    static const char *const frames[] = {
        "  File \"/var/task/app.py\", line 88, in lambda_handler\n    write_to_database(result)",
        "  File \"/var/task/db.py\", line 31, in write_to_database\n    conn.execute(SQL, row)",
    };
    if (!a->json)
        return seg_xasprintf("[ERROR] %s: %s\nTraceback (most recent call last):\n%s\n%s\n",
                             ERROR_TYPE, ERROR_MESSAGE, frames[0], frames[1]);
    char iso[32];
    seg_sim_fmt_iso_ms(ts, iso, sizeof iso);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "timestamp", iso);
    cJSON_AddStringToObject(o, "log_level", "ERROR");
    cJSON_AddStringToObject(o, "errorMessage", ERROR_MESSAGE);
    cJSON_AddStringToObject(o, "errorType", ERROR_TYPE);
    cJSON_AddStringToObject(o, "requestId", a->request_id);
    cJSON *st = cJSON_AddArrayToObject(o, "stackTrace");
    for (size_t i = 0; i < 2; i++)
        cJSON_AddItemToArray(st, cJSON_CreateString(frames[i]));
    return print_json(o);
}

void seg_sim_loglines_build(const struct seg_sim_attempt_log *a, struct seg_sim_loglist *out)
{
    int64_t t_start = a->begin_ms + (a->cold ? (int64_t)a->init_ms : 0);
    int64_t t_end = t_start + (int64_t)a->duration_ms;
    int64_t t_app = t_start + (int64_t)a->app_gap_ms;
    if (t_app > t_end)
        t_app = t_end;
    char buf[1024];
    if (a->cold)
        add(out, a->begin_ms, init_start(a));
    add(out, t_start, start_line(a, t_start));
    snprintf(buf, sizeof buf, "Image Name: %s", a->image_name);
    add(out, t_app, app_line(a, t_app, "INFO", buf));
    char sec[24];
    seg_sim_fmt_sec(a->event_time_ms, sec, sizeof sec);
    snprintf(buf, sizeof buf, "Event Time: %s, Site ID: %d", sec, a->site);
    add(out, t_app, app_line(a, t_app, "INFO", buf));
    if (a->evil)
        add(out, t_app + 1, app_line(a, t_app + 1, "INFO", EVIL_LINE));
    int64_t t_write = t_end - (int64_t)a->write_gap_ms;
    if (t_write < t_app)
        t_write = t_app;
    if (a->outcome == SEG_SIM_OK || a->outcome == SEG_SIM_ERROR)
        add(out, t_write, app_line(a, t_write, "INFO", "Writing to database..."));
    char iso[32];
    seg_sim_fmt_iso_ms(t_end, iso, sizeof iso);
    switch (a->outcome) {
    case SEG_SIM_ERROR:
        add(out, t_end, error_line(a, t_end));
        break;
    case SEG_SIM_TIMEOUT:
        snprintf(buf, sizeof buf, "%s %s Task timed out after %.2f seconds", iso, a->request_id,
                 a->duration_ms / 1000.0);
        add(out, t_end, a->json ? app_line(a, t_end, "ERROR", buf) : seg_xasprintf("%s\n", buf));
        break;
    case SEG_SIM_OOM:
        snprintf(buf, sizeof buf,
                 "RequestId: %s Error: Runtime exited with error: signal: killed\n"
                 "Runtime.OutOfMemory",
                 a->request_id);
        add(out, t_end, a->json ? app_line(a, t_end, "ERROR", buf) : seg_xasprintf("%s\n", buf));
        break;
    default:
        break;
    }
    if (!a->json)
        add(out, t_end, seg_xasprintf("END RequestId: %s\n", a->request_id));
    add(out, t_end, report_line(a, t_end));
}

char *seg_sim_loglines_tail(const struct seg_sim_loglist *l, size_t max)
{
    size_t total = 0;
    for (size_t i = 0; i < l->n; i++)
        total += strlen(l->ev[i].msg);
    char *all = seg_xmalloc(total + 1);
    size_t at = 0;
    for (size_t i = 0; i < l->n; i++) {
        size_t n = strlen(l->ev[i].msg);
        memcpy(all + at, l->ev[i].msg, n);
        at += n;
    }
    all[at] = '\0';
    if (at > max)
        memmove(all, all + at - max, max + 1);
    return all;
}

char *seg_sim_loglines_payload(const struct seg_sim_attempt_log *a, const char **function_error)
{
    cJSON *o = cJSON_CreateObject();
    char msg[256];
    *function_error = "Unhandled";
    switch (a->outcome) {
    case SEG_SIM_OK:
        *function_error = NULL;
        cJSON_AddNumberToObject(o, "statusCode", 200);
        snprintf(msg, sizeof msg, "Processed %.200s", a->image_name);
        cJSON_AddStringToObject(o, "body", msg);
        break;
    case SEG_SIM_ERROR:
        cJSON_AddStringToObject(o, "errorMessage", ERROR_MESSAGE);
        cJSON_AddStringToObject(o, "errorType", ERROR_TYPE);
        cJSON_AddStringToObject(o, "requestId", a->request_id);
        cJSON_AddArrayToObject(o, "stackTrace");
        break;
    case SEG_SIM_TIMEOUT:
        snprintf(msg, sizeof msg, "RequestId: %s Error: Task timed out after %.2f seconds",
                 a->request_id, a->duration_ms / 1000.0);
        cJSON_AddStringToObject(o, "errorType", "Sandbox.Timedout");
        cJSON_AddStringToObject(o, "errorMessage", msg);
        break;
    case SEG_SIM_OOM:
        snprintf(msg, sizeof msg, "RequestId: %s Error: Runtime exited with error: signal: killed",
                 a->request_id);
        cJSON_AddStringToObject(o, "errorType", "Runtime.OutOfMemory");
        cJSON_AddStringToObject(o, "errorMessage", msg);
        break;
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        seg_fatal("out of memory printing JSON");
    char *copy = seg_xstrdup(s);
    cJSON_free(s);
    return copy;
}
