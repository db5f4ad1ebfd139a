/* LogFormat=JSON: platform.* records (Telemetry API schema, aws-wire.md §4.3) and
 * application records {"timestamp","level","message","requestId",...}, including Python's
 * uncaught-exception record {"log_level","errorType","errorMessage","stackTrace"}. */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "logs/parse_internal.h"

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = get(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static void copy_str(char *dst, size_t size, const char *s, struct seg_log_record *r)
{
    if (s)
        seg_logp_copy(dst, size, s, s + strlen(s), r, true);
}

/* A non-negative finite number; *has says whether it was there and usable. */
static void num(const cJSON *o, const char *key, double *out, bool *has, struct seg_log_record *r)
{
    const cJSON *v = get(o, key);
    if (!v)
        return;
    if (cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0) {
        *out = v->valuedouble;
        *has = true;
    } else {
        r->malformed = true;
    }
}

static void megabytes(const cJSON *o, const char *key, uint32_t *out, bool *has,
                      struct seg_log_record *r)
{
    double v = 0;
    bool ok = false;
    num(o, key, &v, &ok, r);
    if (ok && v <= UINT32_MAX) {
        *out = (uint32_t)v;
        *has = true;
    } else if (ok) {
        r->malformed = true;
    }
}

static void request_id(const cJSON *o, struct seg_log_record *r)
{
    const char *s = str(o, "requestId");
    if (!s)
        s = str(o, "AWSRequestId");
    if (s && !seg_logp_request_id(s, s + strlen(s), r->request_id, NULL))
        r->malformed = true;
    /* seg_logp_request_id accepts a token ending at a blank: refuse "id trailing" */
    if (s && r->request_id[0] && strlen(s) != strlen(r->request_id)) {
        r->request_id[0] = '\0';
        r->malformed = true;
    }
}

static void status_fields(const cJSON *rec, struct seg_log_record *r)
{
    const char *s = str(rec, "status");
    if (s)
        r->status = seg_logp_status(s, strlen(s));
    copy_str(r->error_type, sizeof r->error_type, str(rec, "errorType"), r);
    s = str(rec, "phase");
    if (s)
        r->phase = !strcmp(s, "init")     ? SEG_LOG_PHASE_INIT
                   : !strcmp(s, "invoke") ? SEG_LOG_PHASE_INVOKE
                                          : SEG_LOG_PHASE_NONE;
}

static void platform(const char *type, const cJSON *rec, struct seg_log_record *r)
{
    static const struct {
        const char *type;
        enum seg_log_kind kind;
    } types[] = {
        {"initStart", SEG_LOG_INIT_START},         {"start", SEG_LOG_START},
        {"runtimeDone", SEG_LOG_RUNTIME_DONE},     {"report", SEG_LOG_REPORT},
        {"initReport", SEG_LOG_INIT_REPORT},       {"restoreStart", SEG_LOG_RESTORE_START},
        {"restoreReport", SEG_LOG_RESTORE_REPORT},
    };
    for (size_t i = 0; i < SEG_ARRAY_LEN(types); i++) {
        if (!strcmp(type, types[i].type))
            r->kind = types[i].kind;
    }
    if (r->kind == SEG_LOG_OTHER || !cJSON_IsObject(rec))
        return;
    request_id(rec, r);
    status_fields(rec, r);
    copy_str(r->runtime_version, sizeof r->runtime_version, str(rec, "runtimeVersion"), r);
    const cJSON *m = get(rec, "metrics");
    if (r->kind == SEG_LOG_INIT_REPORT) {
        num(m, "durationMs", &r->init_ms, &r->has_init, r);
    } else if (r->kind == SEG_LOG_RESTORE_REPORT) {
        num(m, "durationMs", &r->restore_ms, &r->has_restore, r);
    } else {
        num(m, "durationMs", &r->duration_ms, &r->has_duration, r);
        num(m, "billedDurationMs", &r->billed_ms, &r->has_billed, r);
        megabytes(m, "memorySizeMB", &r->memory_mb, &r->has_memory, r);
        megabytes(m, "maxMemoryUsedMB", &r->max_memory_mb, &r->has_max_memory, r);
        num(m, "initDurationMs", &r->init_ms, &r->has_init, r);
        num(m, "restoreDurationMs", &r->restore_ms, &r->has_restore, r);
        num(m, "billedRestoreDurationMs", &r->billed_restore_ms, &r->has_billed_restore, r);
    }
    if (r->kind == SEG_LOG_REPORT && r->status == SEG_LOG_STATUS_NONE)
        r->status = SEG_LOG_STATUS_SUCCESS;
}

static void application(const cJSON *root, struct seg_log_record *r)
{
    const char *level = str(root, "level");
    if (!level)
        level = str(root, "log_level");
    if (level)
        r->level = seg_logp_level(level, strlen(level));
    request_id(root, r);
    const char *msg = str(root, "message"), *etype = str(root, "errorType");
    if (!msg)
        msg = str(root, "errorMessage");
    if (msg)
        seg_logp_body(msg, msg + strlen(msg), r);
    if (etype && (r->kind == SEG_LOG_OTHER || r->kind == SEG_LOG_APP_ERROR ||
                  r->kind == SEG_LOG_RUNTIME_EXIT || r->kind == SEG_LOG_OOM)) {
        copy_str(r->error_type, sizeof r->error_type, etype, r);
        if (!strcmp(etype, "Runtime.OutOfMemory"))
            r->kind = SEG_LOG_OOM;
        else if (r->kind == SEG_LOG_OTHER)
            r->kind = SEG_LOG_APP_ERROR;
        if (msg && !r->excerpt[0])
            seg_logp_copy(r->excerpt, sizeof r->excerpt, msg, msg + strlen(msg), r, false);
    }
}

bool seg_logp_json(const char *p, size_t len, struct seg_log_record *r)
{
    cJSON *root = cJSON_ParseWithLength(p, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return false;
    }
    r->format = SEG_LOG_FORMAT_JSON;
    const char *t = str(root, "time");
    if (!t)
        t = str(root, "timestamp");
    const char *after;
    if (t && seg_logp_time_ms(t, t + strlen(t), &r->time_ms, &after))
        r->has_time = true;
    const char *type = str(root, "type");
    if (type && !strncmp(type, "platform.", 9))
        platform(type + 9, get(root, "record"), r);
    else
        application(root, r);
    cJSON_Delete(root);
    return true;
}
