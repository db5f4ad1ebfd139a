/* The pre-flight's answers (aws-wire.md §3.5): FunctionConfiguration documents, one at a
 * time (GetFunctionConfiguration) or 50 a page (ListFunctions), and GetAccountSettings.
 * Untrusted bytes: bounded, and values outside AWS's ranges count as absent. */
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/preflight.h"

#define TIMEOUT_MAX_S 86400  /* AWS allows 1..5400 today: room for tomorrow */
#define MEMORY_MAX_MB 262144 /* and 128..32768 MB */
#define MEMORY_MIN_MB 64

static cJSON *parse(const char *body, size_t len, enum seg_err *rc)
{
    *rc = SEG_OK;
    if (len > SEG_PREFLIGHT_BODY_MAX) {
        *rc = SEG_ERR_TOOBIG;
        return NULL;
    }
    cJSON *root = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        *rc = SEG_ERR_PARSE;
        return NULL;
    }
    return root;
}

static int int_in(const cJSON *o, const char *name, int lo, int hi)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi)
        return 0;
    return (int)v->valuedouble;
}

/* Copies a string member when it fits; "" otherwise. */
static void str_into(const cJSON *o, const char *name, char *dst, size_t size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    dst[0] = '\0';
    if (cJSON_IsString(v) && strlen(v->valuestring) < size)
        memcpy(dst, v->valuestring, strlen(v->valuestring) + 1);
}

static void fconfig(const cJSON *o, struct seg_preflight_fconfig *out)
{
    memset(out, 0, sizeof *out);
    str_into(o, "FunctionName", out->function, sizeof out->function);
    out->timeout_s = int_in(o, "Timeout", 1, TIMEOUT_MAX_S);
    out->memory_mb = int_in(o, "MemorySize", MEMORY_MIN_MB, MEMORY_MAX_MB);
    const cJSON *lc = cJSON_GetObjectItemCaseSensitive(o, "LoggingConfig");
    if (!cJSON_IsObject(lc))
        return;
    out->has_logging = true;
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(lc, "LogFormat");
    out->json_logs = cJSON_IsString(fmt) && strcmp(fmt->valuestring, "JSON") == 0;
    str_into(lc, "LogGroup", out->log_group, sizeof out->log_group);
}

enum seg_err seg_preflight_parse_config(const char *body, size_t len,
                                        struct seg_preflight_fconfig *out)
{
    enum seg_err rc;
    memset(out, 0, sizeof *out);
    cJSON *root = parse(body, len, &rc);
    if (root)
        fconfig(root, out);
    cJSON_Delete(root);
    return rc;
}

enum seg_err seg_preflight_parse_list(const char *body, size_t len, seg_preflight_each_fn *each,
                                      void *ud, char *next, size_t next_size)
{
    enum seg_err rc;
    next[0] = '\0';
    cJSON *root = parse(body, len, &rc);
    if (!root)
        return rc;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, "Functions");
    const cJSON *marker = cJSON_GetObjectItemCaseSensitive(root, "NextMarker");
    if (arr && !cJSON_IsArray(arr)) {
        rc = SEG_ERR_PARSE;
    } else if (cJSON_IsString(marker) && strlen(marker->valuestring) >= next_size) {
        rc = SEG_ERR_TOOBIG;
    } else {
        if (cJSON_IsString(marker))
            memcpy(next, marker->valuestring, strlen(marker->valuestring) + 1);
        const cJSON *f;
        cJSON_ArrayForEach(f, arr)
        {
            struct seg_preflight_fconfig fc;
            fconfig(f, &fc);
            each(ud, &fc);
        }
    }
    cJSON_Delete(root);
    return rc;
}

enum seg_err seg_preflight_parse_account(const char *body, size_t len, int *concurrency)
{
    enum seg_err rc;
    *concurrency = 0;
    cJSON *root = parse(body, len, &rc);
    if (!root)
        return rc;
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(root, "AccountLimit");
    *concurrency = int_in(lim, "ConcurrentExecutions", 1, 100000000);
    cJSON_Delete(root);
    return *concurrency > 0 ? SEG_OK : SEG_ERR_PARSE;
}
