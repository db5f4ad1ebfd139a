/* sigv4.diff generator: prints N seeded pseudo-random requests for S3, Lambda and Logs as
 * JSON lines, each with segtop's canonical request, string-to-sign and signature, for
 * botocore_diff.py to re-sign with botocore. It also checks that segtop's own verifier
 * accepts every request it signs. Usage: sigv4_diffgen [count] [seed] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/sigv4.h"
#include "http/request.h"
#include "util/buf.h"

static uint64_t rng_state;

/* splitmix64: tiny, seedable, identical on every platform. */
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static unsigned pick(unsigned n)
{
    return (unsigned)(rng() % n);
}

static bool chance(unsigned percent)
{
    return pick(100) < percent;
}

static void must(enum seg_err err)
{
    if (err) {
        fprintf(stderr, "sigv4_diffgen: %s\n", seg_strerror(err));
        exit(1);
    }
}

static void add_pct(struct seg_buf *b, unsigned char c)
{
    must(seg_buf_addf(b, "%%%02X", c));
}

/* One piece of a path segment or query word, already in canonical wire form: unreserved
 * bytes raw, everything else as uppercase %XX (how botocore's serializer puts labels on the
 * wire, and the only form botocore's query sort leaves canonical). */
static void add_piece(struct seg_buf *b)
{
    static const char unreserved[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    static const char reserved[] = " !\"#$%&'()*+,/:;<=>?@[\\]^`{|}";
    static const char *const utf8[] = {"\xe1\x88\xb4", "\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
                                       "\xf0\x9f\x98\x80", "\xc2\xa0"};
    unsigned kind = pick(10);
    if (kind < 6) {
        unsigned n = 1 + pick(8);
        for (unsigned i = 0; i < n; i++)
            must(seg_buf_addc(b, unreserved[pick(sizeof unreserved - 1)]));
    } else if (kind < 9) {
        add_pct(b, (unsigned char)reserved[pick(sizeof reserved - 1)]);
    } else {
        for (const char *p = utf8[pick(SEG_ARRAY_LEN(utf8))]; *p; p++)
            add_pct(b, (unsigned char)*p);
    }
}

static void gen_path(struct seg_buf *b, bool dots)
{
    unsigned nseg = 1 + pick(5);
    for (unsigned s = 0; s < nseg; s++) {
        must(seg_buf_addc(b, '/'));
        unsigned k = pick(20);
        if (dots && k == 0)
            must(seg_buf_adds(b, "."));
        else if (dots && k == 1)
            must(seg_buf_adds(b, ".."));
        else if (k == 2)
            ; /* empty segment: "//" */
        else
            for (unsigned n = 1 + pick(3); n; n--)
                add_piece(b);
    }
    if (chance(20))
        must(seg_buf_addc(b, '/'));
}

static void gen_query(struct seg_buf *b)
{
    static const char *const keys[] = {"a",         "A",  "key", "Param",  "Param-3",
                                       "%E1%88%B4", "b~", "x.y", "prefix", "list-type"};
    unsigned n = 1 + pick(6);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            must(seg_buf_addc(b, '&'));
        unsigned form = pick(10);
        if (form == 0) { /* empty key: "=v" */
            must(seg_buf_addc(b, '='));
            add_piece(b);
            continue;
        }
        if (chance(60)) /* repeated keys come from the small fixed set */
            must(seg_buf_adds(b, keys[pick(SEG_ARRAY_LEN(keys))]));
        else
            for (unsigned k = 1 + pick(2); k; k--)
                add_piece(b);
        if (form == 1)
            continue; /* no '=': an empty value */
        must(seg_buf_addc(b, '='));
        if (form == 2)
            continue; /* "k=": an empty value */
        for (unsigned k = 1 + pick(3); k; k--)
            add_piece(b);
    }
}

/* A header value with odd spacing. Spaces only: botocore trims with str.split(), which also
 * splits on Unicode whitespace (U+0085, U+00A0...) that no SigV4 rule mentions. */
static char *gen_value(void)
{
    static const char chars[] = "abcXYZ0189-_.,;:=/\"'()+*&";
    struct seg_buf b;
    seg_buf_init(&b, 0);
    for (unsigned i = pick(3); i; i--)
        must(seg_buf_addc(&b, ' '));
    unsigned words = pick(4); /* 0 words: a value of spaces only */
    for (unsigned w = 0; w < words; w++) {
        if (w)
            for (unsigned i = 1 + pick(4); i; i--)
                must(seg_buf_addc(&b, ' '));
        for (unsigned i = 1 + pick(10); i; i--)
            must(seg_buf_addc(&b, chars[pick(sizeof chars - 1)]));
    }
    for (unsigned i = pick(3); i; i--)
        must(seg_buf_addc(&b, ' '));
    return seg_buf_detach(&b, NULL);
}

/* Header names to draw from, in random case. Left out on purpose: Date (botocore replaces it
 * with X-Amz-Date handling of its own), the headers the signer manages (X-Amz-Date,
 * Authorization, X-Amz-Security-Token, X-Amz-Content-SHA256 for S3, which botocore always
 * overwrites), and hop-by-hop headers (Connection, TE, Transfer-Encoding, Keep-Alive,
 * Upgrade...): segtop never signs them, like current botocore and aws-c-auth, but botocore
 * 1.29's SIGNED_HEADERS_BLACKLIST is only expect/user-agent/x-amzn-trace-id, so it still
 * signs them. Those three are included to check both sides skip them. */
static const char *const header_names[] = {
    "Content-Type",     "X-Amz-Meta-Color", "X-Custom-Header", "X-Amz-Target",
    "Content-Encoding", "Cache-Control",    "Range",           "X-Amz-Log-Type",
    "If-Match",         "My-Header1",       "User-Agent",      "Expect",
    "X-Amzn-Trace-Id",  "Content-MD5",
};

static char *random_case(const char *name)
{
    char *s = strdup(name);
    for (char *c = s; *c; c++) {
        if (chance(30) && *c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
        else if (chance(30) && *c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    }
    return s;
}

struct trace_got {
    char *cr, *sts;
};

static void trace_cb(void *ud, const char *cr, const char *sts)
{
    struct trace_got *t = ud;
    t->cr = strdup(cr);
    t->sts = strdup(sts);
}

static bool lookup(void *ud, const char *akid, char *secret, size_t size)
{
    (void)akid;
    snprintf(secret, size, "%s", (const char *)ud);
    return true;
}

static cJSON *gen_one(unsigned idx)
{
    static const char *const services[] = {"s3", "lambda", "logs"};
    static const unsigned flags_of[] = {SEG_SIGV4_FLAGS_S3, SEG_SIGV4_FLAGS_LAMBDA,
                                        SEG_SIGV4_FLAGS_LOGS};
    static const char *const methods[] = {"GET", "PUT", "POST", "DELETE", "HEAD"};
    static const char *const regions[] = {"us-east-1", "eu-west-3", "ap-southeast-2"};
    unsigned svc = idx % 3;
    const char *region = regions[pick(SEG_ARRAY_LEN(regions))];
    const char *method = methods[pick(SEG_ARRAY_LEN(methods))];
    char host[128], akid[32], secret[64], token[64];
    if (svc == 0)
        snprintf(host, sizeof host, "bucket-%u.s3.%s.amazonaws.com", pick(100), region);
    else
        snprintf(host, sizeof host, "%s.%s.amazonaws.com", services[svc], region);
    snprintf(akid, sizeof akid, "AKID%016" PRIX64, rng());
    snprintf(secret, sizeof secret, "wJalrXUtnFEMI/K7MDENG+%016" PRIx64 "/x", rng());
    snprintf(token, sizeof token, "FwoGZXIvYXdzE%016" PRIx64 "//+=", rng());
    bool with_token = chance(33);

    struct seg_buf target;
    seg_buf_init(&target, 0);
    gen_path(&target, true);
    size_t path_len = target.len;
    bool has_query = chance(60);
    if (has_query) {
        must(seg_buf_addc(&target, '?'));
        if (!chance(5))
            gen_query(&target);
    }
    struct seg_http_req req;
    seg_http_req_init(&req);
    must(seg_http_req_set_target(&req, method, target.data));

    cJSON *line = cJSON_CreateObject();
    cJSON *headers = cJSON_AddArrayToObject(line, "headers");
    char *hv = strdup(host);
    seg_http_req_add_header(&req, chance(80) ? "Host" : "host", hv);
    free(hv);
    unsigned nh = pick(6);
    for (unsigned i = 0; i < nh; i++) {
        const char *base = header_names[pick(SEG_ARRAY_LEN(header_names))];
        char *name = random_case(base);
        char *value = gen_value();
        seg_http_req_add_header(&req, name, value);
        if (chance(15)) { /* a duplicate, possibly in another case */
            free(name);
            free(value);
            name = random_case(base);
            value = gen_value();
            seg_http_req_add_header(&req, name, value);
        }
        free(name);
        free(value);
    }
    if (svc != 0 && chance(10)) /* honoured as the payload hash by both signers */
        seg_http_req_add_header(&req, "X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD");
    for (size_t i = 0; i < req.nheaders; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString(req.headers[i].name));
        cJSON_AddItemToArray(pair, cJSON_CreateString(req.headers[i].value));
        cJSON_AddItemToArray(headers, pair);
    }
    unsigned char body[256];
    size_t body_len = 0;
    if ((method[0] == 'P' && chance(85)) || chance(10)) {
        body_len = pick(sizeof body);
        for (size_t i = 0; i < body_len; i++)
            body[i] = (unsigned char)rng();
    }
    seg_http_req_set_body(&req, body, body_len);
    char body_hex[2 * sizeof body + 1];
    for (size_t i = 0; i < body_len; i++)
        snprintf(body_hex + 2 * i, 3, "%02x", body[i]);
    body_hex[2 * body_len] = '\0';

    /* Any second from 2000 to 2038. */
    time_t when = (time_t)(946684800 + rng() % (2145916800 - 946684800));
    struct seg_sigv4_creds creds = {akid, secret, with_token ? token : NULL};
    struct seg_sigv4_params params = {region, services[svc], flags_of[svc], when};
    struct trace_got got = {0};
    must(seg_sigv4_sign(&req, &creds, &params, trace_cb, &got));
    const char *auth = seg_http_req_header(&req, "authorization");
    const char *sig = strstr(auth, "Signature=") + strlen("Signature=");

    struct seg_sigv4_verify_result res;
    must(seg_sigv4_verify(&req, flags_of[svc], when, 300, lookup, secret, &res));
    if (res.verdict != SEG_SIGV4_VALID) {
        fprintf(stderr, "sigv4_diffgen: request %u: own verifier says %s: %s\n", idx,
                seg_sigv4_verdict_name(res.verdict), res.detail);
        exit(1);
    }
    seg_sigv4_verify_result_release(&res);

    target.data[path_len] = '\0';
    cJSON_AddStringToObject(line, "service", services[svc]);
    cJSON_AddStringToObject(line, "region", region);
    cJSON_AddStringToObject(line, "method", method);
    cJSON_AddStringToObject(line, "host", host);
    cJSON_AddStringToObject(line, "path", target.data);
    if (has_query)
        cJSON_AddStringToObject(line, "query", req.query ? req.query : "");
    else
        cJSON_AddNullToObject(line, "query");
    cJSON_AddStringToObject(line, "body_hex", body_hex);
    cJSON_AddStringToObject(line, "akid", akid);
    cJSON_AddStringToObject(line, "secret", secret);
    if (with_token)
        cJSON_AddStringToObject(line, "token", token);
    else
        cJSON_AddNullToObject(line, "token");
    cJSON_AddStringToObject(line, "amz_date", seg_http_req_header(&req, "x-amz-date"));
    cJSON_AddStringToObject(line, "canonical_request", got.cr);
    cJSON_AddStringToObject(line, "string_to_sign", got.sts);
    cJSON_AddStringToObject(line, "signature", sig);
    free(got.cr);
    free(got.sts);
    seg_buf_release(&target);
    seg_http_req_release(&req);
    return line;
}

int main(int argc, char **argv)
{
    unsigned long count = argc > 1 ? strtoul(argv[1], NULL, 10) : 1500;
    rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x5e67095167ULL;
    for (unsigned long i = 0; i < count; i++) {
        cJSON *line = gen_one((unsigned)i);
        char *s = cJSON_PrintUnformatted(line);
        if (!s || puts(s) == EOF)
            return 1;
        cJSON_free(s);
        cJSON_Delete(line);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
