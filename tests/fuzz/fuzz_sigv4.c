/* libFuzzer target for SigV4: the bytes are a request ("flags-byte", a target line, header
 * lines "Name:value", a blank line, a body). Runs the canonicalisation stages and the
 * verifier on it (they must never crash), and checks one property: whatever segtop signs,
 * segtop's verifier accepts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "aws/sigv4_internal.h"
#include "aws/uri.h"
#include "fuzz_signable.h"
#include "http/request.h"
#include "util/buf.h"

#define FUZZ_NOW    ((time_t)1440938160) /* 2015-08-30T12:36:00Z */
#define FUZZ_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool lookup(void *ud, const char *akid, char *secret, size_t size)
{
    (void)ud;
    if (strcmp(akid, "AKIDEXAMPLE") != 0)
        return false;
    snprintf(secret, size, "%s", FUZZ_SECRET);
    return true;
}

/* Next line of [*p, end) as a NUL-terminated copy (NULs in it cut it short). */
static char *next_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    size_t n = (size_t)(stop - *p);
    if (n && (*p)[n - 1] == '\r')
        n--;
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    *p = nl ? nl + 1 : end;
    return s;
}

static void run_stages(const struct seg_http_req *req, unsigned flags)
{
    struct seg_buf b, n;
    seg_buf_init(&b, 0);
    seg_buf_init(&n, 0);
    (void)seg_sigv4_canonical_uri(&b, req->path, flags);
    seg_buf_reset(&b);
    (void)seg_sigv4_canonical_query(&b, req->query);
    seg_buf_reset(&b);
    (void)seg_sigv4_canonical_headers(&b, &n, req, NULL, 0, NULL);
    if (req->path) {
        seg_buf_reset(&b);
        (void)seg_uri_decode(&b, req->path, strlen(req->path));
        seg_buf_reset(&b);
        (void)seg_uri_normalize_path(&b, req->path, strlen(req->path));
    }
    time_t t;
    for (size_t i = 0; i < req->nheaders; i++) {
        (void)seg_sigv4_parse_date(req->headers[i].value, false, &t);
        (void)seg_sigv4_parse_date(req->headers[i].value, true, &t);
    }
    seg_buf_release(&b);
    seg_buf_release(&n);
}

static void verify_once(const struct seg_http_req *req, unsigned flags, time_t now)
{
    struct seg_sigv4_verify_result res;
    if (seg_sigv4_verify(req, flags, now, 300, lookup, NULL, &res) != SEG_OK)
        abort(); /* only internal failures return an error */
    seg_sigv4_verify_result_release(&res);
}

/* What both the signer and the verifier handle (fuzz_signable.h), and no odd payload hash. */
static bool signable(const struct seg_http_req *req)
{
    if (!fuzz_names_signable(req))
        return false;
    /* A caller's odd x-amz-content-sha256 is signed as given but refused by the verifier. */
    return !seg_http_req_header(req, "x-amz-content-sha256");
}

/* Reaching deep into the Authorization parser from scratch is slow: splice the body's bytes
 * into a valid header instead (at an offset from the flags byte and the body). */
static void splice_authorization(const struct seg_http_req *s, unsigned flags)
{
    const char *auth = seg_http_req_header(s, "authorization");
    if (!auth || s->body_len < 2)
        return;
    size_t alen = strlen(auth);
    size_t at = (s->body[0] | (size_t)(flags & 15) << 8) % (alen + 1);
    size_t cut = s->body[1] % 24;
    if (cut > alen - at)
        cut = alen - at;
    size_t ins = s->body_len - 2;
    char *mut = malloc(alen + ins + 1);
    if (!mut)
        abort();
    memcpy(mut, auth, at);
    memcpy(mut + at, s->body + 2, ins);
    memcpy(mut + at + ins, auth + at + cut, alen - at - cut + 1);
    struct seg_http_req m;
    seg_http_req_copy(&m, s);
    seg_http_req_set_header(&m, "Authorization", mut); /* stops at an inserted NUL */
    verify_once(&m, flags & 31, FUZZ_NOW);
    seg_http_req_release(&m);
    free(mut);
}

static void sign_then_verify(const struct seg_http_req *req, unsigned flags)
{
    if (!seg_http_req_header(req, "host") || !signable(req))
        return;
    struct seg_http_req s;
    seg_http_req_copy(&s, req);
    struct seg_sigv4_creds creds = {"AKIDEXAMPLE", FUZZ_SECRET, (flags & 32) ? "tok" : NULL};
    struct seg_sigv4_params params = {"us-east-1", "s3", flags & 31, FUZZ_NOW};
    if (seg_sigv4_sign(&s, &creds, &params, NULL, NULL) == SEG_OK) {
        struct seg_sigv4_verify_result res;
        if (seg_sigv4_verify(&s, flags & 31, FUZZ_NOW, 300, lookup, NULL, &res) != SEG_OK)
            abort();
        if (res.verdict != SEG_SIGV4_VALID) {
            fprintf(stderr, "signed request refused: %s: %s\n", seg_sigv4_verdict_name(res.verdict),
                    res.detail);
            abort();
        }
        seg_sigv4_verify_result_release(&res);
        splice_authorization(&s, flags);
    }
    seg_http_req_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned flags = data[0] & 63;
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    struct seg_http_req req;
    seg_http_req_init(&req);
    /* "METHOD target [HTTP/1.1]": the target runs to the last space when there are two. */
    char *line = next_line(&p, end);
    char *sp = strchr(line, ' ');
    if (sp) {
        *sp = '\0';
        char *target = sp + 1;
        char *last = strrchr(target, ' ');
        if (last)
            *last = '\0';
        (void)seg_http_req_set_target(&req, line, target);
    }
    free(line);
    while (p < end) {
        line = next_line(&p, end);
        if (!*line) {
            free(line);
            seg_http_req_set_body(&req, p, (size_t)(end - p));
            break;
        }
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            seg_http_req_add_header(&req, line, colon + 1);
        }
        free(line);
    }
    run_stages(&req, flags);
    verify_once(&req, flags & 31, FUZZ_NOW);
    verify_once(&req, flags & 31, 0);
    sign_then_verify(&req, flags);
    seg_http_req_release(&req);
    return 0;
}
