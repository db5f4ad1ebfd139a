#include "pipeline/s3_event.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/uri.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

char *seg_s3_key_encode(const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(key);
    char *out = seg_xmalloc(n * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if (isalnum(*p) || strchr("-_.*/~", *p))
            *o++ = (char)*p;
        else if (*p == ' ')
            *o++ = '+';
        else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

char *seg_s3_key_decode(const char *key)
{
    char *out = seg_xmalloc(strlen(key) + 1), *o = out;
    for (const char *p = key; *p; p++) {
        int h, l;
        if (*p == '+')
            *o++ = ' ';
        else if (*p == '%' && (h = seg_uri_hexval((unsigned char)p[1])) >= 0 &&
                 (l = seg_uri_hexval((unsigned char)p[2])) >= 0 &&
                 (h || l)) { /* %00 stays literal: keys are C strings */
            *o++ = (char)(h * 16 + l);
            p += 2;
        } else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

char *seg_s3_event_json(const struct seg_s3_event *e)
{
    char iso[32], arn[128], etag[80] = "", cfg[64];
    seg_time_format_ms(e->event_time_ms, 'T', true, true, iso);
    snprintf(arn, sizeof arn, "arn:aws:s3:::%s", e->bucket);
    snprintf(cfg, sizeof cfg, "segtop-site%d-trigger", e->site);
    if (e->etag) { /* the record carries the ETag without its quotes */
        const char *s = e->etag;
        size_t n = strlen(s);
        if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
            s++;
            n -= 2;
        }
        snprintf(etag, sizeof etag, "%.*s", (int)(n < 64 ? n : 64), s);
    }
    char *ekey = seg_s3_key_encode(e->key);
    cJSON *root = cJSON_CreateObject();
    cJSON *recs = cJSON_AddArrayToObject(root, "Records");
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToArray(recs, r);
    cJSON_AddStringToObject(r, "eventVersion", "2.1");
    cJSON_AddStringToObject(r, "eventSource", "aws:s3");
    cJSON_AddStringToObject(r, "awsRegion", e->region);
    cJSON_AddStringToObject(r, "eventTime", iso);
    cJSON_AddStringToObject(r, "eventName", "ObjectCreated:Put");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "userIdentity"), "principalId",
                            "AWS:AIDAJSEGTOPSIMULATOR");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "requestParameters"), "sourceIPAddress",
                            "127.0.0.1");
    cJSON *resp = cJSON_AddObjectToObject(r, "responseElements");
    cJSON_AddStringToObject(resp, "x-amz-request-id", e->request_id);
    cJSON_AddStringToObject(resp, "x-amz-id-2", "c2VndG9wIHNpbXVsYXRvcg==");
    cJSON *s3 = cJSON_AddObjectToObject(r, "s3");
    cJSON_AddStringToObject(s3, "s3SchemaVersion", "1.0");
    cJSON_AddStringToObject(s3, "configurationId", cfg);
    cJSON *b = cJSON_AddObjectToObject(s3, "bucket");
    cJSON_AddStringToObject(b, "name", e->bucket);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "ownerIdentity"), "principalId",
                            "A3I5XTEXAMAI3E");
    cJSON_AddStringToObject(b, "arn", arn);
    cJSON *o = cJSON_AddObjectToObject(s3, "object");
    cJSON_AddStringToObject(o, "key", ekey);
    cJSON_AddNumberToObject(o, "size", (double)e->size);
    cJSON_AddStringToObject(o, "eTag", etag);
    cJSON_AddStringToObject(o, "sequencer", e->sequencer);
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    free(ekey);
    if (!s)
        seg_fatal("out of memory printing JSON");
    char *copy = seg_xstrdup(s);
    cJSON_free(s);
    return copy;
}

bool seg_s3_event_parse(const char *payload, size_t len, char **key_out, int64_t *event_time_ms)
{
    if (!payload || !len)
        return false;
    cJSON *root = cJSON_ParseWithLength(payload, len);
    bool ok = false;
    cJSON *recs = cJSON_GetObjectItemCaseSensitive(root, "Records");
    cJSON *r = cJSON_GetArrayItem(recs, 0);
    cJSON *s3 = cJSON_GetObjectItemCaseSensitive(r, "s3");
    cJSON *o = cJSON_GetObjectItemCaseSensitive(s3, "object");
    cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "key");
    cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "eventTime");
    if (cJSON_IsString(k) && k->valuestring[0]) {
        *key_out = seg_s3_key_decode(k->valuestring);
        if (!cJSON_IsString(t) || !seg_time_parse_iso_ms(t->valuestring, event_time_ms))
            *event_time_ms = -1;
        ok = true;
    }
    cJSON_Delete(root);
    return ok;
}
