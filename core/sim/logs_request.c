/* Reading and checking a Logs request's input and rendering its answer, shared by every
 * operation so that all of them give AWS's exact SerializationException and Coral validation
 * messages; also the opaque paging tokens, bound to a scope so one call's token is refused by
 * another. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/errors.h"
#include "sim/logs_internal.h"
#include "util/xalloc.h"

void seg_sim_logs_error(struct ctx *c, const char *code, const char *fmt, ...)
{
    if (c->failed)
        return;
    c->failed = true;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct seg_sim_error e = {.status = 400, .code = code, .message = msg};
    seg_sim_error_render(SEG_AWS_LOGS, &e, c->resp);
}

void seg_sim_logs_send_json(struct seg_httpd_response *resp, int status, cJSON *obj)
{
    resp->status = status;
    seg_httpd_response_set_header(resp, "Content-Type", "application/x-amz-json-1.1");
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    if (text) {
        seg_httpd_response_set_body(resp, text, strlen(text));
        cJSON_free(text);
    } else {
        seg_httpd_response_set_body(resp, "{}", 2);
    }
    cJSON_Delete(obj);
    (void)seg_sim_response_stamp(SEG_AWS_LOGS, resp);
}

/* Coral's shape for a constraint violation. */
void seg_sim_logs_invalid_value(struct ctx *c, const char *field, const char *value,
                                const char *rule)
{
    seg_sim_logs_error(
        c, "InvalidParameterException",
        "1 validation error detected: Value %s%.200s%s at '%s' failed to satisfy constraint: "
        "Member must %s",
        value ? "'" : "", value ? value : "null", value ? "'" : "", field, rule);
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "STRING_VALUE";
    if (cJSON_IsNumber(v))
        return "NUMBER_VALUE";
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? "VALUE_TRUE" : "VALUE_FALSE";
    if (cJSON_IsArray(v))
        return "START_ARRAY";
    return "START_OBJECT";
}

static void wrong_type(struct ctx *c, const cJSON *v, const char *type)
{
    if (cJSON_IsArray(v) || cJSON_IsObject(v))
        seg_sim_logs_error(c, "SerializationException", "Unexpected %s where a %s was expected",
                           json_kind(v), type);
    else
        seg_sim_logs_error(c, "SerializationException", "%s can not be converted to a%s %s",
                           json_kind(v), strchr("AEIOU", type[0]) ? "n" : "", type);
}

static const cJSON *member(struct ctx *c, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->in, name);
    return v && !cJSON_IsNull(v) ? v : NULL;
}

const char *seg_sim_logs_in_str(struct ctx *c, const char *name)
{
    const cJSON *v = member(c, name);
    if (!v || c->failed)
        return NULL;
    if (!cJSON_IsString(v)) {
        wrong_type(c, v, "String");
        return NULL;
    }
    return v->valuestring;
}

static bool in_number(struct ctx *c, const char *name, const char *type, int64_t *out)
{
    const cJSON *v = member(c, name);
    if (!v || c->failed)
        return false;
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        fabs(v->valuedouble) > 9.2e18) {
        wrong_type(c, v, type);
        return false;
    }
    *out = (int64_t)v->valuedouble;
    return true;
}

bool seg_sim_logs_in_long(struct ctx *c, const char *name, int64_t *out)
{
    return in_number(c, name, "Long", out);
}

/* Integers are range-checked by the caller, with Coral's validation message. */
bool seg_sim_logs_in_int(struct ctx *c, const char *name, int64_t *out)
{
    return in_number(c, name, "Integer", out);
}

bool seg_sim_logs_in_bool(struct ctx *c, const char *name, bool dflt)
{
    const cJSON *v = member(c, name);
    if (!v || c->failed)
        return dflt;
    if (!cJSON_IsBool(v)) {
        wrong_type(c, v, "Boolean");
        return dflt;
    }
    return cJSON_IsTrue(v);
}

/* A list of strings: *n items (NULL when absent); the strings are borrowed from the input. */
const char **seg_sim_logs_in_strlist(struct ctx *c, const char *name, size_t *n)
{
    const cJSON *v = member(c, name);
    *n = 0;
    if (!v || c->failed)
        return NULL;
    if (!cJSON_IsArray(v)) {
        wrong_type(c, v, "List");
        return NULL;
    }
    size_t k = (size_t)cJSON_GetArraySize(v);
    const char **out = seg_xcalloc(k ? k : 1, sizeof *out);
    const cJSON *it;
    cJSON_ArrayForEach(it, v)
    {
        if (!cJSON_IsString(it)) {
            wrong_type(c, it, "String");
            free(out);
            return NULL;
        }
        out[(*n)++] = it->valuestring;
    }
    return out;
}

void seg_sim_logs_check_len(struct ctx *c, const char *field, const char *v, size_t min, size_t max)
{
    if (!v || c->failed)
        return;
    size_t n = strlen(v);
    char rule[80];
    if (n < min) {
        snprintf(rule, sizeof rule, "have length greater than or equal to %zu", min);
        seg_sim_logs_invalid_value(c, field, v, rule);
    } else if (n > max) {
        snprintf(rule, sizeof rule, "have length less than or equal to %zu", max);
        seg_sim_logs_invalid_value(c, field, v, rule);
    }
}

void seg_sim_logs_check_range(struct ctx *c, const char *field, int64_t v, int64_t min, int64_t max)
{
    if (c->failed)
        return;
    char val[32], rule[80];
    snprintf(val, sizeof val, "%" PRId64, v);
    if (v < min) {
        snprintf(rule, sizeof rule, "have value greater than or equal to %" PRId64, min);
        seg_sim_logs_invalid_value(c, field, val, rule);
    } else if (v > max) {
        snprintf(rule, sizeof rule, "have value less than or equal to %" PRId64, max);
        seg_sim_logs_invalid_value(c, field, val, rule);
    }
}

void seg_sim_logs_check_group_name(struct ctx *c, const char *field, const char *v)
{
    seg_sim_logs_check_len(c, field, v, 1, 512);
    if (!v || c->failed)
        return;
    for (const char *p = v; *p; p++)
        if (!strchr(".-_/#", *p) && !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= '0' && *p <= '9')) {
            seg_sim_logs_invalid_value(c, field, v,
                                       "satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+");
            return;
        }
}

/* logGroupName or logGroupIdentifier (a name or an ARN, with or without ":*"). Returns a
 * heap copy of the name, or NULL with the error rendered. */
char *seg_sim_logs_resolve_group(struct ctx *c)
{
    const char *name = seg_sim_logs_in_str(c, "logGroupName");
    const char *ident = seg_sim_logs_in_str(c, "logGroupIdentifier");
    if (c->failed)
        return NULL;
    if (name && ident) {
        seg_sim_logs_error(c, "InvalidParameterException",
                           "LogGroup name and LogGroup ARN are mutually exclusive parameters.");
        return NULL;
    }
    if (!name && !ident) {
        seg_sim_logs_error(c, "InvalidParameterException",
                           "Either logGroupName or logGroupIdentifier must be specified.");
        return NULL;
    }
    if (name) {
        seg_sim_logs_check_group_name(c, "logGroupName", name);
        return c->failed ? NULL : seg_xstrdup(name);
    }
    seg_sim_logs_check_len(c, "logGroupIdentifier", ident, 1, 2048);
    if (c->failed)
        return NULL;
    if (strncmp(ident, "arn:", 4) != 0)
        return seg_xstrdup(ident);
    /* arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*] */
    const char *p = ident;
    for (int colons = 0; *p && colons < 6; p++)
        colons += *p == ':';
    if (strncmp(ident, "arn:aws:logs:", 13) != 0 || p - ident < 7 ||
        strncmp(p - 11, ":log-group:", 11) != 0 || !*p) {
        seg_sim_logs_error(c, "InvalidParameterException", "Invalid logGroupIdentifier: %.300s",
                           ident);
        return NULL;
    }
    size_t n = strlen(p);
    if (n >= 2 && strcmp(p + n - 2, ":*") == 0)
        n -= 2;
    return seg_xstrndup(p, n);
}

void seg_sim_logs_group_not_found(struct ctx *c)
{
    seg_sim_logs_error(c, "ResourceNotFoundException", "The specified log group does not exist.");
}

void seg_sim_logs_bad_token(struct ctx *c)
{
    seg_sim_logs_error(c, "InvalidParameterException", "The specified nextToken is invalid.");
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

uint32_t seg_sim_logs_token_check(const char *scope, uint64_t a, uint64_t b)
{
    uint64_t h = fnv(scope, strlen(scope), 1469598103934665603ull);
    h = fnv(&a, sizeof a, h);
    h = fnv(&b, sizeof b, h);
    return (uint32_t)(h ^ (h >> 32));
}

/* Opaque tokens: two numbers and a check bound to a scope (group, stream, query). */
char *seg_sim_logs_token_make(const char *scope, uint64_t a, uint64_t b)
{
    return seg_xasprintf("%016" PRIx64 "%016" PRIx64 "%08" PRIx32, a, b,
                         seg_sim_logs_token_check(scope, a, b));
}

bool seg_sim_logs_token_parse(const char *scope, const char *tok, uint64_t *a, uint64_t *b)
{
    if (strlen(tok) != 40 || strspn(tok, "0123456789abcdef") != 40)
        return false;
    char part[17];
    memcpy(part, tok, 16);
    part[16] = '\0';
    *a = strtoull(part, NULL, 16);
    memcpy(part, tok + 16, 16);
    *b = strtoull(part, NULL, 16);
    return strtoul(tok + 32, NULL, 16) == seg_sim_logs_token_check(scope, *a, *b);
}
