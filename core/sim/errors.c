#include "sim/errors.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "util/crypto.h"

/* Random bytes for ids; a counter keeps ids unique should the RNG ever fail. */
static void id_bytes(unsigned char *b, size_t n)
{
    static atomic_uint_fast64_t fallback;
    if (seg_random_bytes(b, n) == SEG_OK)
        return;
    uint64_t v = atomic_fetch_add(&fallback, 1) + 1;
    memset(b, 0, n);
    for (size_t i = 0; i < n && i < sizeof v; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

void seg_sim_request_id_new(enum seg_aws_service svc, char out[SEG_SIM_REQUEST_ID_SIZE])
{
    unsigned char b[16];
    id_bytes(b, sizeof b);
    if (svc == SEG_AWS_S3) {
        snprintf(out, SEG_SIM_REQUEST_ID_SIZE, "%02X%02X%02X%02X%02X%02X%02X%02X", b[0], b[1], b[2],
                 b[3], b[4], b[5], b[6], b[7]);
        return;
    }
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40); /* UUID version 4 */
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    snprintf(out, SEG_SIM_REQUEST_ID_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* S3's x-amz-id-2 is an opaque base64 token. */
static void host_id_new(char out[65])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char b[48];
    id_bytes(b, sizeof b);
    size_t o = 0;
    for (size_t i = 0; i < sizeof b; i += 3) {
        unsigned v = (unsigned)b[i] << 16 | (unsigned)b[i + 1] << 8 | b[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = b64[v & 63];
    }
    out[o] = '\0';
}

const char *seg_sim_response_stamp(enum seg_aws_service svc, struct seg_httpd_response *resp)
{
    const char *name = svc == SEG_AWS_S3 ? "x-amz-request-id" : "x-amzn-RequestId";
    const char *have = seg_httpd_response_header(resp, name);
    if (have)
        return have;
    char id[SEG_SIM_REQUEST_ID_SIZE];
    seg_sim_request_id_new(svc, id);
    seg_httpd_response_add_header(resp, name, id);
    if (svc == SEG_AWS_S3 && !seg_httpd_response_header(resp, "x-amz-id-2")) {
        char host[65];
        host_id_new(host);
        seg_httpd_response_add_header(resp, "x-amz-id-2", host);
    }
    return seg_httpd_response_header(resp, name);
}

/* ---- bodies ---- */

static void take_json(struct seg_httpd_response *resp, cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    if (text) {
        seg_httpd_response_set_body(resp, text, strlen(text));
        cJSON_free(text);
    } else { /* cJSON ran out of memory: still answer with valid JSON */
        seg_httpd_response_set_body(resp, "{}", 2);
    }
    cJSON_Delete(obj);
}

static cJSON *json_error(const char *type_key, const char *type, const char *message)
{
    cJSON *obj = cJSON_CreateObject();
    if (obj) {
        (void)cJSON_AddStringToObject(obj, type_key, type);
        (void)cJSON_AddStringToObject(obj, "message", message ? message : "");
    }
    return obj;
}

/* XML 1.0 text: the five escapes, and no C0 controls other than TAB, LF, CR. */
static void xml_escaped(struct seg_buf *b, enum seg_err *err, const char *s)
{
    for (; s && *s && !*err; s++) {
        unsigned char c = (unsigned char)*s;
        const char *rep = NULL;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                continue;
        }
        *err = rep ? seg_buf_adds(b, rep) : seg_buf_addc(b, (char)c);
    }
}

static void xml_element(struct seg_buf *b, enum seg_err *err, const char *name, const char *v)
{
    if (!*err)
        *err = seg_buf_addf(b, "<%s>", name);
    xml_escaped(b, err, v);
    if (!*err)
        *err = seg_buf_addf(b, "</%s>", name);
}

static void render_s3(const struct seg_sim_error *e, const char *request_id, const char *host_id,
                      struct seg_httpd_response *resp)
{
    struct seg_buf b;
    seg_buf_init(&b, 0);
    enum seg_err err = seg_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    xml_element(&b, &err, "Code", e->code);
    xml_element(&b, &err, "Message", e->message);
    for (size_t i = 0; i < e->nfields; i++)
        xml_element(&b, &err, e->fields[i].name, e->fields[i].value);
    xml_element(&b, &err, "RequestId", request_id);
    xml_element(&b, &err, "HostId", host_id ? host_id : "");
    if (!err)
        err = seg_buf_adds(&b, "</Error>");
    if (err) { /* only a field past the buffer cap gets here: drop the fields */
        struct seg_sim_error bare = *e;
        bare.fields = NULL;
        bare.nfields = 0;
        seg_buf_release(&b);
        render_s3(&bare, request_id, host_id, resp);
        return;
    }
    seg_httpd_response_set_body(resp, b.data, b.len);
    seg_buf_release(&b);
}

void seg_sim_error_render(enum seg_aws_service svc, const struct seg_sim_error *e,
                          struct seg_httpd_response *resp)
{
    resp->status = e->status;
    resp->action = SEG_HTTPD_RESPOND;
    const char *rid = seg_sim_response_stamp(svc, resp);
    switch (svc) {
    case SEG_AWS_LOGS:
        seg_httpd_response_set_header(resp, "Content-Type", "application/x-amz-json-1.1");
        take_json(resp, json_error("__type", e->code, e->message));
        break;
    case SEG_AWS_LAMBDA:
        /* restJson1 servers MUST send the type header; the body carries the message. */
        seg_httpd_response_set_header(resp, "X-Amzn-ErrorType", e->code);
        seg_httpd_response_set_header(resp, "Content-Type", "application/json");
        take_json(resp, json_error("Type", e->status >= 500 ? "Service" : "User", e->message));
        break;
    case SEG_AWS_S3:
    default:
        seg_httpd_response_set_header(resp, "Content-Type", "application/xml");
        render_s3(e, rid, seg_httpd_response_header(resp, "x-amz-id-2"), resp);
        break;
    }
}
