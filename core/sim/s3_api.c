#include "sim/s3_api.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <strings.h>

#include "sim/errors.h"
#include "sim/query.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/xalloc.h"

#define DEFAULT_ACCOUNT    "123456789012"
#define DEFAULT_MAX_OBJECT ((size_t)8 << 20)
#define CHUNK_LINE_MAX     4096
#define S3_XMLNS           "http://s3.amazonaws.com/doc/2006-03-01/"

struct seg_sim_s3_api {
    struct seg_sim_fleet *fleet;
    char *region;
    char *account;
    size_t max_object;
    char owner_id[SEG_SHA256_HEX_LEN + 1]; /* a canonical user id: 64 hex digits */
    char created[40];                      /* the buckets' CreationDate */
};

/* ---- addressing ---- */

void seg_sim_s3_target_release(struct seg_sim_s3_target *t)
{
    if (!t)
        return;
    free(t->bucket);
    free(t->key);
    memset(t, 0, sizeof *t);
}

/* The host without its port, lowercased ("[::1]:80" → "[::1]"). */
static char *host_only(const char *host)
{
    char *h = seg_xstrdup(host ? host : "");
    char *colon = h[0] == '[' ? strchr(h, ']') : h;
    colon = colon ? strchr(colon, ':') : NULL;
    if (colon)
        *colon = '\0';
    for (char *p = h; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return h;
}

static bool virtual_host(const char *host, seg_sim_s3_known_fn *known, void *ud, char **bucket)
{
    char *h = host_only(host);
    bool found = false;
    /* A bucket name may hold dots: try every dot, longest known prefix first. */
    for (char *p = h + strlen(h); p > h && !found; p--) {
        if (*p != '.')
            continue;
        *p = '\0';
        if (known && known(ud, h)) {
            *bucket = seg_xstrdup(h);
            found = true;
        }
        *p = '.';
    }
    if (!found) { /* an unknown bucket still addressed virtual-hosted style */
        char *dot = strchr(h, '.');
        if (dot && dot > h &&
            (strncmp(dot, ".s3.", 4) == 0 || strncmp(dot, ".s3-", 4) == 0 ||
             strcmp(dot, ".localhost") == 0)) {
            *bucket = seg_xstrndup(h, (size_t)(dot - h));
            found = true;
        }
    }
    free(h);
    return found;
}

enum seg_err seg_sim_s3_parse_target(const char *host, const char *path, seg_sim_s3_known_fn *known,
                                     void *known_ud, struct seg_sim_s3_target *out)
{
    memset(out, 0, sizeof *out);
    if (!path || path[0] != '/')
        return SEG_ERR_PARSE;
    const char *rest = path + 1;
    if (virtual_host(host, known, known_ud, &out->bucket)) {
        out->style = SEG_SIM_S3_VIRTUAL;
    } else if (*rest) {
        size_t n = strcspn(rest, "/");
        if (seg_sim_pct_decode(rest, n, &out->bucket) != SEG_OK)
            return SEG_ERR_PARSE;
        rest += n;
        if (*rest == '/')
            rest++;
    }
    if (*rest && seg_sim_pct_decode(rest, strlen(rest), &out->key) != SEG_OK) {
        seg_sim_s3_target_release(out);
        return SEG_ERR_PARSE;
    }
    return SEG_OK;
}

/* ---- aws-chunked ---- */

void seg_sim_s3_chunked_release(struct seg_sim_s3_chunked *c)
{
    if (!c)
        return;
    free(c->data);
    free(c->trailer_name);
    free(c->trailer_value);
    memset(c, 0, sizeof *c);
}

/* One CRLF-terminated line at *pos (CR optional), without its terminator. */
static bool chunk_line(const unsigned char *b, size_t len, size_t *pos, const char **line,
                       size_t *n)
{
    const unsigned char *start = b + *pos;
    size_t avail = len - *pos;
    const unsigned char *nl = memchr(start, '\n', avail < CHUNK_LINE_MAX ? avail : CHUNK_LINE_MAX);
    if (!nl)
        return false;
    size_t l = (size_t)(nl - start);
    *pos += l + 1;
    if (l > 0 && start[l - 1] == '\r')
        l--;
    *line = (const char *)start;
    *n = l;
    return true;
}

enum seg_err seg_sim_s3_decode_chunked(const unsigned char *body, size_t len, size_t cap,
                                       struct seg_sim_s3_chunked *out)
{
    memset(out, 0, sizeof *out);
    struct seg_buf b;
    seg_buf_init(&b, cap ? cap : DEFAULT_MAX_OBJECT);
    size_t pos = 0;
    enum seg_err rc = SEG_OK;
    const char *line;
    size_t n;
    for (;;) {
        if (!chunk_line(body, len, &pos, &line, &n)) {
            rc = SEG_ERR_PARSE;
            break;
        }
        size_t hexlen = 0;
        while (hexlen < n && isxdigit((unsigned char)line[hexlen]))
            hexlen++;
        if (hexlen == 0 || hexlen > 8 || (hexlen < n && line[hexlen] != ';')) {
            rc = SEG_ERR_PARSE;
            break;
        }
        char hex[9];
        memcpy(hex, line, hexlen);
        hex[hexlen] = '\0';
        size_t size = (size_t)strtoul(hex, NULL, 16);
        if (size == 0)
            break;
        if (size > len - pos) {
            rc = SEG_ERR_PARSE;
            break;
        }
        rc = seg_buf_add(&b, body + pos, size);
        if (rc)
            break;
        pos += size;
        /* The chunk's data is followed by CRLF. */
        if (!chunk_line(body, len, &pos, &line, &n) || n != 0) {
            rc = SEG_ERR_PARSE;
            break;
        }
    }
    /* Trailers: "name:value" lines up to an empty line (or the end of the body). */
    while (!rc && pos < len) {
        if (!chunk_line(body, len, &pos, &line, &n)) {
            rc = SEG_ERR_PARSE;
            break;
        }
        if (n == 0)
            break;
        const char *colon = memchr(line, ':', n);
        if (!colon || colon == line) {
            rc = SEG_ERR_PARSE;
            break;
        }
        char *name = seg_xstrndup(line, (size_t)(colon - line));
        if (!out->trailer_name && strncasecmp(name, "x-amz-checksum-", 15) == 0) {
            out->trailer_name = name;
            out->trailer_value = seg_xstrndup(colon + 1, n - (size_t)(colon - line) - 1);
        } else {
            free(name);
        }
    }
    if (rc) {
        seg_buf_release(&b);
        seg_sim_s3_chunked_release(out);
        return rc;
    }
    out->data = (unsigned char *)seg_buf_detach(&b, &out->len);
    return SEG_OK;
}

/* ---- checksums ---- */

static uint32_t crc_reflected(const void *data, size_t len, uint32_t poly)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? poly ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    const unsigned char *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++)
        crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

uint32_t seg_sim_crc32(const void *data, size_t len)
{
    return crc_reflected(data, len, 0xEDB88320u);
}

uint32_t seg_sim_crc32c(const void *data, size_t len)
{
    return crc_reflected(data, len, 0x82F63B78u);
}

/* base64 of a CRC as S3 prints it: the four bytes big-endian. */
static char *crc_b64(uint32_t c)
{
    unsigned char b[4] = {(unsigned char)(c >> 24), (unsigned char)(c >> 16),
                          (unsigned char)(c >> 8), (unsigned char)c};
    return seg_sim_base64(b, 4);
}

/* ---- lifecycle ---- */

struct seg_sim_s3_api *seg_sim_s3_api_new(const struct seg_sim_s3_config *cfg)
{
    struct seg_sim_s3_api *api = seg_xcalloc(1, sizeof *api);
    api->fleet = cfg->fleet;
    api->region = seg_xstrdup(cfg->region ? cfg->region : "us-west-1");
    api->account = seg_xstrdup(cfg->account_id ? cfg->account_id : DEFAULT_ACCOUNT);
    api->max_object = cfg->max_object ? cfg->max_object : DEFAULT_MAX_OBJECT;
    seg_sha256_hex(api->account, strlen(api->account), api->owner_id);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(api->created, sizeof api->created, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return api;
}

void seg_sim_s3_api_free(struct seg_sim_s3_api *api)
{
    if (!api)
        return;
    free(api->region);
    free(api->account);
    free(api);
}

/* ---- responses ---- */

static void s3_error(struct seg_httpd_response *resp, int status, const char *code, const char *msg,
                     const struct seg_sim_error_field *f, size_t nf)
{
    struct seg_sim_error e = {
        .status = status, .code = code, .message = msg, .fields = f, .nfields = nf};
    seg_sim_error_render(SEG_AWS_S3, &e, resp);
}

static void no_such_bucket(struct seg_httpd_response *resp, const char *bucket)
{
    const struct seg_sim_error_field f[] = {{"BucketName", bucket}};
    s3_error(resp, 404, "NoSuchBucket", "The specified bucket does not exist", f, 1);
}

static void not_implemented(struct seg_httpd_response *resp)
{
    s3_error(resp, 501, "NotImplemented",
             "A header you provided implies functionality that is not implemented", NULL, 0);
}

static void xml_text(struct seg_buf *b, enum seg_err *rc, const char *s)
{
    for (; s && *s && !*rc; s++) {
        switch (*s) {
        case '&':
            *rc = seg_buf_adds(b, "&amp;");
            break;
        case '<':
            *rc = seg_buf_adds(b, "&lt;");
            break;
        case '>':
            *rc = seg_buf_adds(b, "&gt;");
            break;
        case '"':
            *rc = seg_buf_adds(b, "&quot;");
            break;
        default:
            *rc = seg_buf_addc(b, *s);
        }
    }
}

static void xml_elem(struct seg_buf *b, enum seg_err *rc, const char *name, const char *v)
{
    if (!*rc)
        *rc = seg_buf_addf(b, "<%s>", name);
    xml_text(b, rc, v);
    if (!*rc)
        *rc = seg_buf_addf(b, "</%s>", name);
}

static void send_xml(struct seg_httpd_response *resp, struct seg_buf *b, enum seg_err rc)
{
    if (rc) {
        s3_error(resp, 500, "InternalError", "We encountered an internal error. Please try again.",
                 NULL, 0);
    } else {
        resp->status = 200;
        seg_httpd_response_set_header(resp, "Content-Type", "application/xml");
        seg_httpd_response_set_body(resp, b->data, b->len);
    }
    seg_buf_release(b);
}

static void list_buckets(struct seg_sim_s3_api *api, struct seg_httpd_response *resp)
{
    struct seg_buf b;
    seg_buf_init(&b, 0);
    enum seg_err rc = seg_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                       "<ListAllMyBucketsResult xmlns=\"" S3_XMLNS "\"><Owner>");
    xml_elem(&b, &rc, "ID", api->owner_id);
    xml_elem(&b, &rc, "DisplayName", "segtop-sim");
    if (!rc)
        rc = seg_buf_adds(&b, "</Owner><Buckets>");
    size_t n = seg_sim_fleet_nsites(api->fleet);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = seg_buf_adds(&b, "<Bucket>");
        xml_elem(&b, &rc, "Name", seg_sim_fleet_site(api->fleet, i)->bucket);
        xml_elem(&b, &rc, "CreationDate", api->created);
        if (!rc)
            rc = seg_buf_adds(&b, "</Bucket>");
    }
    if (!rc)
        rc = seg_buf_adds(&b, "</Buckets></ListAllMyBucketsResult>");
    send_xml(resp, &b, rc);
}

static void head_bucket(struct seg_sim_s3_api *api, struct seg_httpd_response *resp)
{
    resp->status = 200;
    seg_httpd_response_set_header(resp, "x-amz-bucket-region", api->region);
    seg_httpd_response_set_header(resp, "x-amz-access-point-alias", "false");
    seg_httpd_response_set_header(resp, "Content-Type", "application/xml");
}

static void get_location(struct seg_sim_s3_api *api, struct seg_httpd_response *resp)
{
    struct seg_buf b;
    seg_buf_init(&b, 0);
    enum seg_err rc = seg_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                       "<LocationConstraint xmlns=\"" S3_XMLNS "\">");
    /* us-east-1 reads as an empty constraint, for history's sake. */
    if (strcmp(api->region, "us-east-1") != 0)
        xml_text(&b, &rc, api->region);
    if (!rc)
        rc = seg_buf_adds(&b, "</LocationConstraint>");
    send_xml(resp, &b, rc);
}

/* The model names LambdaFunctionConfiguration "CloudFunctionConfiguration" on the wire and
 * its LambdaFunctionArn "CloudFunction". */
static void get_notification(struct seg_sim_s3_api *api, const struct seg_site *site,
                             struct seg_httpd_response *resp)
{
    char *arn = seg_xasprintf("arn:aws:lambda:%s:%s:function:%s", api->region, api->account,
                              site->function);
    char *id = seg_xasprintf("segtop-sim-%s", site->function);
    struct seg_buf b;
    seg_buf_init(&b, 0);
    enum seg_err rc = seg_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                       "<NotificationConfiguration xmlns=\"" S3_XMLNS "\">"
                                       "<CloudFunctionConfiguration>");
    xml_elem(&b, &rc, "Id", id);
    xml_elem(&b, &rc, "CloudFunction", arn);
    xml_elem(&b, &rc, "Event", "s3:ObjectCreated:*");
    if (!rc)
        rc = seg_buf_adds(&b, "</CloudFunctionConfiguration></NotificationConfiguration>");
    send_xml(resp, &b, rc);
    free(arn);
    free(id);
}

/* ---- PutObject ---- */

/* Checks one x-amz-checksum-* value against the payload; false with resp holding the 400. */
static bool checksum_ok(const char *name, const char *given, const unsigned char *data, size_t len,
                        struct seg_httpd_response *resp)
{
    char *want = NULL;
    const char *algo = NULL;
    if (strcasecmp(name, "x-amz-checksum-crc32") == 0) {
        want = crc_b64(seg_sim_crc32(data, len));
        algo = "CRC32";
    } else if (strcasecmp(name, "x-amz-checksum-crc32c") == 0) {
        want = crc_b64(seg_sim_crc32c(data, len));
        algo = "CRC32C";
    } else if (strcasecmp(name, "x-amz-checksum-sha256") == 0) {
        unsigned char md[SEG_SHA256_LEN];
        seg_sha256(data, len, md);
        want = seg_sim_base64(md, sizeof md);
        algo = "SHA256";
    } else {
        return true; /* SHA1, CRC64NVME: accepted unverified */
    }
    bool ok = strcmp(want, given) == 0;
    if (!ok) {
        char *msg =
            seg_xasprintf("The %s you specified did not match the calculated checksum.", algo);
        s3_error(resp, 400, "BadDigest", msg, NULL, 0);
        free(msg);
    }
    free(want);
    return ok;
}

static bool content_md5_ok(const char *given, const unsigned char *data, size_t len,
                           struct seg_httpd_response *resp)
{
    if (!given)
        return true;
    if (strlen(given) != 24 || given[22] != '=' || given[23] != '=') {
        s3_error(resp, 400, "InvalidDigest", "The Content-MD5 you specified was invalid.", NULL, 0);
        return false;
    }
    unsigned char md[SEG_MD5_LEN];
    seg_md5(data, len, md);
    char *want = seg_sim_base64(md, sizeof md);
    bool ok = strcmp(want, given) == 0;
    free(want);
    if (!ok) {
        const struct seg_sim_error_field f[] = {{"ExpectedDigest", given}};
        s3_error(resp, 400, "BadDigest",
                 "The Content-MD5 you specified did not match what we "
                 "received.",
                 f, 1);
    }
    return ok;
}

static bool is_chunked(const struct seg_http_req *req)
{
    const char *sha = seg_http_req_header(req, "x-amz-content-sha256");
    const char *ce = seg_http_req_header(req, "Content-Encoding");
    return (sha && strncmp(sha, "STREAMING-", 10) == 0) || (ce && strstr(ce, "aws-chunked"));
}

/* The object's bytes: the body, or the decoded aws-chunked payload (into ch). False with
 * resp holding S3's 400. */
static bool payload(struct seg_sim_s3_api *api, const struct seg_http_req *req,
                    struct seg_sim_s3_chunked *ch, const unsigned char **data, size_t *len,
                    struct seg_httpd_response *resp)
{
    memset(ch, 0, sizeof *ch);
    if (!is_chunked(req)) {
        *data = req->body ? req->body : (const unsigned char *)"";
        *len = req->body_len;
        return true;
    }
    enum seg_err rc = seg_sim_s3_decode_chunked(req->body ? req->body : (const unsigned char *)"",
                                                req->body_len, api->max_object, ch);
    if (rc == SEG_ERR_TOOBIG) {
        s3_error(resp, 400, "EntityTooLarge",
                 "Your proposed upload exceeds the maximum allowed size", NULL, 0);
        return false;
    }
    const char *dcl = seg_http_req_header(req, "x-amz-decoded-content-length");
    char *end = NULL;
    unsigned long long declared = dcl ? strtoull(dcl, &end, 10) : 0;
    if (rc || (dcl && (*end || declared != ch->len))) {
        seg_sim_s3_chunked_release(ch);
        s3_error(resp, 400, "IncompleteBody",
                 "The request body terminated unexpectedly (malformed aws-chunked encoding, or "
                 "x-amz-decoded-content-length does not match)",
                 NULL, 0);
        return false;
    }
    *data = ch->data ? ch->data : (const unsigned char *)"";
    *len = ch->len;
    return true;
}

/* Every x-amz-checksum-* header (and trailer) verified; false with resp holding the 400. */
static bool checksums_ok(const struct seg_http_req *req, const struct seg_sim_s3_chunked *ch,
                         const unsigned char *data, size_t len, struct seg_httpd_response *resp)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct seg_http_header *h = &req->headers[i];
        if (strncasecmp(h->name, "x-amz-checksum-", 15) != 0 ||
            strcasecmp(h->name, "x-amz-checksum-type") == 0)
            continue;
        if (!checksum_ok(h->name, h->value, data, len, resp))
            return false;
    }
    return !ch->trailer_name || checksum_ok(ch->trailer_name, ch->trailer_value, data, len, resp);
}

/* S3 echoes the checksums it verified. */
static void echo_checksums(const struct seg_http_req *req, const struct seg_sim_s3_chunked *ch,
                           struct seg_httpd_response *resp)
{
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct seg_http_header *h = &req->headers[i];
        if (strncasecmp(h->name, "x-amz-checksum-", 15) == 0 &&
            strcasecmp(h->name, "x-amz-checksum-type") != 0)
            seg_httpd_response_set_header(resp, h->name, h->value);
    }
    if (ch->trailer_name)
        seg_httpd_response_set_header(resp, ch->trailer_name, ch->trailer_value);
}

static void put_object(struct seg_sim_s3_api *api, const struct seg_http_req *req,
                       const struct seg_site *site, const char *key,
                       struct seg_httpd_response *resp)
{
    if (strlen(key) > SEG_SIM_S3_KEY_MAX) {
        s3_error(resp, 400, "KeyTooLongError", "Your key is too long", NULL, 0);
        return;
    }
    struct seg_sim_s3_chunked ch;
    const unsigned char *data;
    size_t len;
    if (!payload(api, req, &ch, &data, &len, resp))
        return;
    if (content_md5_ok(seg_http_req_header(req, "Content-MD5"), data, len, resp) &&
        checksums_ok(req, &ch, data, len, resp)) {
        char md5[SEG_MD5_HEX_LEN + 1];
        seg_md5_hex(data, len, md5);
        char etag[SEG_MD5_HEX_LEN + 3];
        snprintf(etag, sizeof etag, "\"%s\"", md5);
        resp->status = 200;
        seg_httpd_response_set_header(resp, "ETag", etag);
        seg_httpd_response_set_header(resp, "x-amz-server-side-encryption", "AES256");
        echo_checksums(req, &ch, resp);
        /* Committed: the bucket's notification fires the site's function. */
        seg_sim_fleet_s3_put(api->fleet, site, key, len, md5);
    }
    seg_sim_s3_chunked_release(&ch);
}

/* ---- dispatch ---- */

static bool known_bucket(void *ud, const char *bucket)
{
    return seg_sim_fleet_find_bucket(ud, bucket) != NULL;
}

/* Query parameters that name a sub-resource or another operation than the plain one. */
static bool plain_query(const char *query)
{
    if (!query || !*query)
        return true;
    /* x-id=PutObject is what newer SDKs append to plain object requests. */
    return strncmp(query, "x-id=", 5) == 0 && !strchr(query, '&');
}

void seg_sim_s3_handle(struct seg_sim_s3_api *api, const struct seg_http_req *req,
                       struct seg_httpd_response *resp)
{
    struct seg_sim_s3_target t;
    if (seg_sim_s3_parse_target(seg_http_req_header(req, "Host"), req->path, known_bucket,
                                api->fleet, &t) != SEG_OK) {
        s3_error(resp, 400, "InvalidURI", "Couldn't parse the specified URI.", NULL, 0);
        return;
    }
    const char *m = req->method;
    bool head = strcmp(m, "HEAD") == 0;
    const struct seg_site *site = t.bucket ? seg_sim_fleet_find_bucket(api->fleet, t.bucket) : NULL;
    if (!t.bucket) {
        if (strcmp(m, "GET") == 0)
            list_buckets(api, resp);
        else
            not_implemented(resp);
    } else if (!site) {
        no_such_bucket(resp, t.bucket);
    } else if (!t.key && head) {
        head_bucket(api, resp);
    } else if (!t.key && strcmp(m, "GET") == 0 && seg_sim_query_has(req->query, "notification")) {
        get_notification(api, site, resp);
    } else if (!t.key && strcmp(m, "GET") == 0 && seg_sim_query_has(req->query, "location")) {
        get_location(api, resp);
    } else if (t.key && strcmp(m, "PUT") == 0 && plain_query(req->query) &&
               !seg_http_req_header(req, "x-amz-copy-source")) {
        put_object(api, req, site, t.key, resp);
    } else if (t.key && (head || strcmp(m, "GET") == 0) && plain_query(req->query)) {
        /* Objects are not kept: uploads only fire the pipeline. */
        const struct seg_sim_error_field f[] = {{"Key", t.key}};
        s3_error(resp, 404, "NoSuchKey", "The specified key does not exist.", f, 1);
    } else {
        not_implemented(resp);
    }
    if (head) { /* HEAD answers carry no body, errors included */
        seg_httpd_response_set_body(resp, NULL, 0);
    }
    seg_sim_s3_target_release(&t);
}
