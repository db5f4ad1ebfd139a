#include "aws/error.h"

#include <string.h>

#include <cjson/cJSON.h>
#include <strings.h>

/* botocore retries/standard.py lists, plus the auth failures that no retry fixes. */
static const char *const throttling_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "EC2ThrottledException",
};

static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
};

static const char *const auth_codes[] = {
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "RequestTimeTooSkewed",
    "InvalidAccessKeyId",
    "InvalidToken",
    "AccessDenied",
    "AccessDeniedException",
    "AuthFailure",
    "AuthorizationHeaderMalformed",
    "NotAuthorized",
    "TokenRefreshRequired",
};

static bool in_list(const char *code, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(code, list[i]) == 0)
            return true;
    }
    return false;
}

/* A bounded text sink: bytes beyond the capacity are dropped and the tail is trimmed back to
 * a UTF-8 boundary, so a truncated message is still valid text. */
struct sink {
    char *p;
    size_t cap; /* including the NUL */
    size_t len;
    bool full;
};

static void sink_init(struct sink *s, char *p, size_t cap)
{
    s->p = p;
    s->cap = cap;
    s->len = 0;
    s->full = false;
    p[0] = '\0';
}

static void sink_put(struct sink *s, const char *b, size_t n)
{
    for (size_t i = 0; i < n && !s->full; i++) {
        if (b[i] == '\0') /* C strings: NULs from the wire are dropped */
            continue;
        if (s->len + 1 >= s->cap) {
            s->full = true;
            break;
        }
        s->p[s->len++] = b[i];
    }
}

static void sink_finish(struct sink *s)
{
    size_t len = s->len;
    if (s->full && len > 0) {
        size_t i = len, cont = 0;
        while (i > 0 && cont < 4 && ((unsigned char)s->p[i - 1] & 0xC0) == 0x80) {
            i--;
            cont++;
        }
        if (i > 0) {
            unsigned char lead = (unsigned char)s->p[i - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
            if (need > 1 && cont + 1 < need)
                len = i - 1;
        }
    }
    s->p[len] = '\0';
    s->len = len;
}

/* Smithy's rule: keep what is before the first ':', then what is after the first '#'. Only
 * printable ASCII is kept (a code is a token, and it may reach a terminal). */
static void set_code(struct seg_aws_error *e, const char *s, size_t n)
{
    const char *end = s + n;
    const char *colon = memchr(s, ':', n);
    if (colon)
        end = colon;
    const char *hash = memchr(s, '#', (size_t)(end - s));
    if (hash)
        s = hash + 1;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    size_t o = 0;
    while (s < end && o + 1 < sizeof e->code) {
        unsigned char c = (unsigned char)*s++;
        if (c <= 0x20 || c >= 0x7F)
            break;
        e->code[o++] = (char)c;
    }
    e->code[o] = '\0';
}

static void set_text(char *dst, size_t cap, const char *s, size_t n)
{
    struct sink k;
    sink_init(&k, dst, cap);
    sink_put(&k, s, n);
    sink_finish(&k);
}

/* ---- JSON (awsJson1_1 and restJson1) ---- */

static const char *json_string(const cJSON *obj, const char *a, const char *b)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, a);
    if (!cJSON_IsString(it) && b)
        it = cJSON_GetObjectItemCaseSensitive(obj, b);
    return cJSON_IsString(it) && it->valuestring ? it->valuestring : NULL;
}

static void parse_json(const char *body, size_t len, struct seg_aws_error *e)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(root))
        goto out;
    if (!e->code[0]) {
        const char *code = json_string(root, "__type", NULL);
        if (!code)
            code = json_string(root, "code", "Code");
        if (code)
            set_code(e, code, strlen(code));
    }
    const char *msg = json_string(root, "message", "Message");
    if (msg)
        set_text(e->message, sizeof e->message, msg, strlen(msg));
    const char *rid = json_string(root, "RequestId", "requestId");
    if (rid)
        set_text(e->request_id, sizeof e->request_id, rid, strlen(rid));
out:
    cJSON_Delete(root);
}

/* ---- XML (restXml): a bounded scanner for three leaf elements, no XML library ---- */

/* The raw text of the first <name> element: up to the next '<' (leaf elements only), or
 * to the end of a truncated body. NULL when absent. */
static const char *xml_find(const char *p, size_t n, const char *name, size_t *out_len)
{
    size_t nl = strlen(name);
    const char *end = p + n;
    const char *s = p;
    while (s < end && (s = memchr(s, '<', (size_t)(end - s))) != NULL) {
        s++;
        if ((size_t)(end - s) <= nl)
            return NULL;
        char after = s[nl];
        if (memcmp(s, name, nl) != 0 || !(after == '>' || after == '/' || after == ' ' ||
                                          after == '\t' || after == '\n' || after == '\r'))
            continue;
        const char *gt = memchr(s + nl, '>', (size_t)(end - (s + nl)));
        if (!gt)
            return NULL;
        if (gt[-1] == '/') { /* <Code/> */
            *out_len = 0;
            return gt;
        }
        const char *content = gt + 1;
        const char *lt = memchr(content, '<', (size_t)(end - content));
        *out_len = (size_t)((lt ? lt : end) - content);
        return content;
    }
    return NULL;
}

static void put_utf8(struct sink *k, unsigned long cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sink_put(k, b, n);
}

/* Decodes one entity body (between '&' and ';'); false when it is not one we know. */
static bool decode_entity(struct sink *k, const char *e, size_t n)
{
    static const struct {
        const char *name;
        char c;
    } named[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t i = 0; i < SEG_ARRAY_LEN(named); i++) {
        if (strlen(named[i].name) == n && memcmp(e, named[i].name, n) == 0) {
            sink_put(k, &named[i].c, 1);
            return true;
        }
    }
    if (n < 2 || e[0] != '#')
        return false;
    bool hex = e[1] == 'x' || e[1] == 'X';
    size_t i = hex ? 2 : 1;
    if (i >= n)
        return false;
    unsigned long cp = 0;
    for (; i < n; i++) {
        char c = e[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (hex && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (hex && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        cp = cp * (hex ? 16 : 10) + d;
        if (cp > 0x10FFFF)
            return false;
    }
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD; /* not a character: U+FFFD, as a decoder should */
    put_utf8(k, cp);
    return true;
}

static void xml_text(char *dst, size_t cap, const char *s, size_t n)
{
    struct sink k;
    sink_init(&k, dst, cap);
    size_t i = 0;
    while (i < n && !k.full) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t plain = amp ? (size_t)(amp - (s + i)) : n - i;
        sink_put(&k, s + i, plain);
        i += plain;
        if (i >= n)
            break;
        /* s[i] == '&': the longest entity we know is "&#x10FFFF;" (and leading zeros). */
        size_t window = n - i - 1 < 16 ? n - i - 1 : 16;
        const char *semi = memchr(s + i + 1, ';', window);
        if (semi && decode_entity(&k, s + i + 1, (size_t)(semi - (s + i + 1)))) {
            i = (size_t)(semi - s) + 1;
        } else {
            sink_put(&k, "&", 1);
            i++;
        }
    }
    sink_finish(&k);
}

static void parse_xml(const char *body, size_t len, struct seg_aws_error *e)
{
    size_t n;
    const char *v;
    if (!e->code[0] && (v = xml_find(body, len, "Code", &n)) != NULL) {
        char raw[sizeof e->code];
        xml_text(raw, sizeof raw, v, n);
        set_code(e, raw, strlen(raw));
    }
    if ((v = xml_find(body, len, "Message", &n)) != NULL)
        xml_text(e->message, sizeof e->message, v, n);
    if ((v = xml_find(body, len, "RequestId", &n)) != NULL)
        xml_text(e->request_id, sizeof e->request_id, v, n);
}

/* ---- entry points ---- */

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return false;
}

enum seg_err seg_aws_error_parse(int status, const char *content_type, const char *x_amzn_errortype,
                                 const char *body, size_t len, struct seg_aws_error *out)
{
    if (!out || (!body && len > 0))
        return SEG_ERR_INVALID;
    memset(out, 0, sizeof *out);
    out->http_status = status;
    if (x_amzn_errortype && *x_amzn_errortype)
        set_code(out, x_amzn_errortype, strlen(x_amzn_errortype));
    if (len > SEG_AWS_ERROR_MAX_BODY)
        len = SEG_AWS_ERROR_MAX_BODY;

    /* The body's first byte decides; the content type only breaks ties. */
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (i < len && body[i] == '{')
        parse_json(body, len, out);
    else if (i < len && body[i] == '<')
        parse_xml(body, len, out);
    else if (len > 0 && contains_ci(content_type, "json"))
        parse_json(body, len, out);
    else if (len > 0 && contains_ci(content_type, "xml"))
        parse_xml(body, len, out);

    out->cls = seg_aws_error_classify(status, out->code);
    return SEG_OK;
}

void seg_aws_error_set_request_id(struct seg_aws_error *e, const char *request_id)
{
    if (e && request_id && !e->request_id[0])
        set_text(e->request_id, sizeof e->request_id, request_id, strlen(request_id));
}

enum seg_aws_error_class seg_aws_error_classify(int status, const char *code)
{
    if (code && *code) {
        if (in_list(code, throttling_codes, SEG_ARRAY_LEN(throttling_codes)))
            return SEG_AWS_CLASS_THROTTLING;
        if (in_list(code, transient_codes, SEG_ARRAY_LEN(transient_codes)))
            return SEG_AWS_CLASS_TRANSIENT;
        if (in_list(code, auth_codes, SEG_ARRAY_LEN(auth_codes)))
            return SEG_AWS_CLASS_AUTH;
    }
    if (status == 500 || status == 502 || status == 503 || status == 504)
        return SEG_AWS_CLASS_TRANSIENT;
    if (status == 429) /* a bare 429 (no code) is still a throttle */
        return SEG_AWS_CLASS_THROTTLING;
    if (status >= 500)
        return SEG_AWS_CLASS_SERVER;
    if (status >= 400)
        return SEG_AWS_CLASS_CLIENT;
    /* A 2xx/3xx carrying an error code (S3 can answer 200 with an <Error>) is still one. */
    return code && *code ? SEG_AWS_CLASS_SERVER : SEG_AWS_CLASS_NONE;
}

bool seg_aws_error_is_retryable(const struct seg_aws_error *e)
{
    return e && (e->cls == SEG_AWS_CLASS_THROTTLING || e->cls == SEG_AWS_CLASS_TRANSIENT);
}

bool seg_aws_error_is_clock_skew(const struct seg_aws_error *e)
{
    if (!e)
        return false;
    if (strcmp(e->code, "RequestTimeTooSkewed") == 0 || strcmp(e->code, "RequestExpired") == 0)
        return true;
    if (strcmp(e->code, "InvalidSignatureException") != 0 &&
        strcmp(e->code, "SignatureDoesNotMatch") != 0)
        return false;
    return strncmp(e->message, "Signature expired", 17) == 0 ||
           strncmp(e->message, "Signature not yet current", 25) == 0;
}

const char *seg_aws_error_class_name(enum seg_aws_error_class cls)
{
    static const char *const names[] = {
        [SEG_AWS_CLASS_NONE] = "none",           [SEG_AWS_CLASS_THROTTLING] = "throttling",
        [SEG_AWS_CLASS_TRANSIENT] = "transient", [SEG_AWS_CLASS_AUTH] = "auth",
        [SEG_AWS_CLASS_CLIENT] = "client",       [SEG_AWS_CLASS_SERVER] = "server",
    };
    if ((unsigned)cls >= SEG_ARRAY_LEN(names))
        return "unknown";
    return names[cls];
}
