/* libFuzzer target over the simulator's front door (seg_sim_auth_handle): raw HTTP request
 * bytes, parsed as the server hands them over, are classified and SigV4-verified; whatever
 * they hold, the verifier and the error rendering never crash or leak, and an unsigned
 * request never reaches the API behind. With bit 0 of the flags byte the request is first
 * signed with the simulator's key, then (bits 1-2) one signed element is tampered with or
 * (bit 4) the date moved beyond the 5-minute skew: an untouched request must pass, every
 * change that alters what was signed must be refused.
 * Input: a flags byte, then "METHOD target HTTP/1.1", header lines "Name: value", an empty
 * line and the body (LF or CRLF). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strings.h>

#include "aws/sigv4.h"
#include "aws/sigv4_internal.h"
#include "fuzz_signable.h"
#include "sim/auth.h"
#include "sim/keystore.h"
#include "util/buf.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW ((time_t)1788264000) /* 2026-09-01T12:00:00Z */

static struct seg_sim_keystore *keys;
static struct seg_sim_auth *auth;
static int reached; /* calls of the API behind the front door */

static time_t fixed_clock(void *ud)
{
    (void)ud;
    return NOW;
}

static void api_stub(void *ud, const struct seg_http_req *req, struct seg_httpd_response *resp)
{
    (void)ud;
    (void)req;
    reached++;
    resp->status = 200;
    seg_httpd_response_set_body(resp, "ok", 2);
}

static void setup(void)
{
    keys = seg_sim_keystore_new();
    if (seg_sim_keystore_add(keys, SEG_SIM_TEST_ACCESS_KEY_ID, SEG_SIM_TEST_SECRET_ACCESS_KEY) !=
        SEG_OK)
        abort();
    struct seg_sim_auth_config cfg = {
        .keys = keys, .region = "us-west-1", .next = api_stub, .clock = fixed_clock};
    if (seg_sim_auth_new(&cfg, &auth) != SEG_OK)
        abort();
}

/* Next line of [*p, end) as a NUL-terminated copy without its CR LF. */
static char *next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    size_t n = (size_t)(stop - *p);
    if (n && (*p)[n - 1] == '\r')
        n--;
    char *s = seg_xstrndup(*p, n); /* a NUL inside cuts it, as a C string API would */
    *p = nl ? nl + 1 : end;
    return s;
}

/* The request as the HTTP server builds it; false when there is no request line. */
static bool parse(const char *p, const char *end, struct seg_http_req *req)
{
    char *line = next_line(&p, end);
    char *sp = strchr(line, ' ');
    if (!sp) {
        free(line);
        return false;
    }
    *sp = '\0';
    char *target = sp + 1, *last = strrchr(target, ' ');
    if (last)
        *last = '\0';
    if (seg_http_req_set_target(req, line, target) != SEG_OK &&
        seg_http_req_set_target(req, line, "/") != SEG_OK) {
        free(line);
        return false;
    }
    free(line);
    while (p < end) {
        line = next_line(&p, end);
        if (!*line) {
            free(line);
            seg_http_req_set_body(req, p, (size_t)(end - p));
            break;
        }
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vl = strlen(v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                v[--vl] = '\0';
            seg_http_req_add_header(req, line, v);
        }
        free(line);
    }
    return true;
}

/* What the signer and verifier both handle (fuzz_signable.h), without the headers the
 * harness signs itself. */
static bool signable(const struct seg_http_req *req)
{
    if (!fuzz_names_signable(req))
        return false;
    return !seg_http_req_header(req, "x-amz-content-sha256") &&
           !seg_http_req_header(req, "authorization") && !seg_http_req_header(req, "x-amz-date") &&
           !seg_http_req_header(req, "x-amz-security-token");
}

static char *canonical_uri(const char *path, unsigned flags)
{
    struct seg_buf b;
    seg_buf_init(&b, 0);
    if (seg_sigv4_canonical_uri(&b, path, flags) != SEG_OK)
        seg_buf_reset(&b);
    (void)seg_buf_add(&b, "", 1);
    size_t n;
    return seg_buf_detach(&b, &n);
}

/* Flips one letter or digit of s (chosen by pick); false when it has none. */
static bool flip(char *s, size_t pick)
{
    size_t n = strlen(s), alnum = 0;
    for (size_t i = 0; i < n; i++)
        alnum += (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
                 (s[i] >= 'a' && s[i] <= 'z');
    if (!alnum)
        return false;
    pick %= alnum;
    for (size_t i = 0; i < n; i++)
        if (((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') ||
             (s[i] >= 'a' && s[i] <= 'z')) &&
            pick-- == 0) {
            s[i] ^= 1;
            return true;
        }
    return false;
}

/* A signed header (not the Authorization itself) to tamper with, by index into SignedHeaders. */
static struct seg_http_header *signed_header(struct seg_http_req *req, size_t pick)
{
    const char *auth_v = seg_http_req_header(req, "authorization");
    const char *sh = auth_v ? strstr(auth_v, "SignedHeaders=") : NULL;
    if (!sh)
        return NULL;
    sh += 14;
    size_t names = 1;
    for (const char *q = sh; *q && *q != ','; q++)
        names += *q == ';';
    pick %= names;
    while (pick--)
        sh = strchr(sh, ';') + 1;
    size_t len = strcspn(sh, ";,");
    for (size_t i = 0; i < req->nheaders; i++)
        if (strlen(req->headers[i].name) == len && strncasecmp(req->headers[i].name, sh, len) == 0)
            return &req->headers[i];
    return NULL;
}

/* Signs, optionally tampers, and checks the verdict matches what changed. */
static void signed_case(struct seg_http_req *req, uint8_t flags, size_t pick)
{
    if (!seg_http_req_header(req, "host"))
        seg_http_req_add_header(req, "Host", "127.0.0.1:4566");
    if (!signable(req))
        return;
    enum seg_aws_service svc = seg_sim_classify(req);
    unsigned sflags = seg_aws_service_sigv4_flags(svc);
    struct seg_sigv4_creds creds = {SEG_SIM_TEST_ACCESS_KEY_ID, SEG_SIM_TEST_SECRET_ACCESS_KEY,
                                    (flags & 8) ? "token" : NULL};
    bool skewed = flags & 16;
    struct seg_sigv4_params params = {"us-west-1", seg_aws_service_name(svc), sflags,
                                      skewed ? NOW - 301 - (time_t)(pick % 5000) : NOW};
    if (seg_sigv4_sign(req, &creds, &params, NULL, NULL) != SEG_OK)
        return;
    bool changed = skewed;
    switch ((flags >> 1) & 3) {
    case 1:
        if (req->body_len) {
            req->body[pick % req->body_len] ^= 0x20;
            changed = true;
        }
        break;
    case 2: {
        char *before = canonical_uri(req->path, sflags);
        if (flip(req->path, pick)) {
            char *after = canonical_uri(req->path, sflags);
            /* Dot segments can hide a change (/x/../a is /a): only a different canonical
             * URI must be refused, or one that moves the request to another service. */
            changed = changed || strcmp(before, after) != 0 || seg_sim_classify(req) != svc;
            free(after);
        }
        free(before);
        break;
    }
    case 3: {
        struct seg_http_header *h = signed_header(req, pick);
        if (h && flip(h->value, pick / 7))
            changed = true;
        break;
    }
    default:
        break;
    }
    struct seg_httpd_response resp;
    seg_httpd_response_init(&resp);
    int before = reached;
    seg_sim_auth_handle(auth, req, &resp);
    bool passed = reached > before;
    if (passed == changed) {
        fprintf(stderr, "signed request %s (changed: %d, status %d)\n",
                passed ? "accepted" : "refused", changed, resp.status);
        __builtin_trap();
    }
    seg_httpd_response_release(&resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!auth)
        setup();
    if (size < 2)
        return 0;
    uint8_t flags = data[0];
    size_t pick = (size_t)data[1] * 131 + size;
    struct seg_http_req req;
    seg_http_req_init(&req);
    if (parse((const char *)data + 1, (const char *)data + size, &req)) {
        struct seg_httpd_response resp;
        seg_httpd_response_init(&resp);
        int before = reached;
        seg_sim_auth_handle(auth, &req, &resp);
        if (reached > before && !seg_http_req_header(&req, "authorization"))
            __builtin_trap(); /* unsigned requests never reach the API */
        if (reached == before && (resp.status < 400 || resp.status > 599))
            __builtin_trap(); /* a refusal is an HTTP error */
        seg_httpd_response_release(&resp);
        if (flags & 1)
            signed_case(&req, flags, pick);
    }
    seg_http_req_release(&req);
    return 0;
}
