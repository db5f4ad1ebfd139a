/* One AWS SigV4 suite case (../shared/testdata/sigv4/<case>): every stage byte for byte, then
 * the whole signer, then the verifier on the signed request and on tampered copies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <strings.h>

#include "aws/sigv4.h"
#include "aws/sigv4_internal.h"
#include "http/request.h"
#include "seg_test.h"
#include "util/buf.h"
#include "util/crypto.h"

struct suite_case {
    char dir[1024];
    char akid[64], secret[128], token[1024], region[64], service[64];
    bool normalize, sign_body, omit_token;
    time_t when;
    struct seg_http_req req;
};

static const char *case_name;

static char *read_case_file(const struct suite_case *c, const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    char *s = seg_test_read_file(path, NULL);
    if (!s)
        fail_msg("cannot read %s", path);
    return s;
}

static void json_str(const cJSON *obj, const char *key, char *out, size_t size, bool need)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(it)) {
        if (need)
            fail_msg("context.json: no string %s", key);
        out[0] = '\0';
        return;
    }
    assert_true(strlen(it->valuestring) < size);
    strcpy(out, it->valuestring);
}

static bool json_bool(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static void load_context(struct suite_case *c)
{
    char *text = read_case_file(c, "context.json");
    cJSON *root = cJSON_Parse(text);
    assert_non_null(root);
    const cJSON *cred = cJSON_GetObjectItemCaseSensitive(root, "credentials");
    json_str(cred, "access_key_id", c->akid, sizeof c->akid, true);
    json_str(cred, "secret_access_key", c->secret, sizeof c->secret, true);
    json_str(cred, "token", c->token, sizeof c->token, false);
    json_str(root, "region", c->region, sizeof c->region, true);
    json_str(root, "service", c->service, sizeof c->service, true);
    c->normalize = json_bool(root, "normalize");
    c->sign_body = json_bool(root, "sign_body");
    c->omit_token = json_bool(root, "omit_session_token");
    /* "2015-08-30T12:36:00Z" -> "20150830T123600Z" for the strict parser. */
    char ts[32], amz[17];
    json_str(root, "timestamp", ts, sizeof ts, true);
    assert_int_equal(strlen(ts), 20);
    snprintf(amz, sizeof amz, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", ts, ts + 5, ts + 8, ts + 11, ts + 14,
             ts + 17);
    assert_int_equal(seg_sigv4_parse_date(amz, false, &c->when), SEG_OK);
    cJSON_Delete(root);
    free(text);
}

/* request.txt: "METHOD target HTTP/1.1", "Name:value" lines, lines starting with whitespace
 * continue the previous value (obs-fold, which RFC 7230 §3.2.4 replaces by a space: the
 * suite's get-header-value-multiline expects "value1 value2 value3"), blank line, body. */
static void load_request(struct suite_case *c)
{
    size_t len;
    char path[1200];
    snprintf(path, sizeof path, "%s/request.txt", c->dir);
    char *text = seg_test_read_file(path, &len);
    assert_non_null(text);
    char *p = text;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3; /* post-sts-header-before may start with a UTF-8 BOM */
    char *end = text + len;
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *line_end = nl ? nl : end;
    *line_end = '\0';
    char *sp = strchr(p, ' ');
    char *proto = strrchr(p, ' '); /* targets may hold spaces: "/example space/" */
    assert_non_null(sp);
    assert_true(proto > sp);
    *sp = '\0';
    *proto = '\0';
    seg_http_req_init(&c->req);
    assert_int_equal(seg_http_req_set_target(&c->req, p, sp + 1), SEG_OK);
    p = nl ? nl + 1 : end;
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        line_end = nl ? nl : end;
        *line_end = '\0';
        char *next = nl ? nl + 1 : end;
        if (!*p) { /* blank line: the rest is the body */
            seg_http_req_set_body(&c->req, next, (size_t)(end - next));
            break;
        }
        if (*p == ' ' || *p == '\t') {
            assert_true(c->req.nheaders > 0);
            struct seg_http_header *h = &c->req.headers[c->req.nheaders - 1];
            while (*p == ' ' || *p == '\t')
                p++;
            size_t old = strlen(h->value);
            h->value = realloc(h->value, old + strlen(p) + 2);
            assert_non_null(h->value);
            h->value[old] = ' ';
            strcpy(h->value + old + 1, p);
        } else {
            char *colon = strchr(p, ':');
            assert_non_null(colon);
            *colon = '\0';
            seg_http_req_add_header(&c->req, p, colon + 1);
        }
        p = next;
    }
    free(text);
}

static unsigned case_flags(const struct suite_case *c)
{
    return (c->normalize ? SEG_SIGV4_NORMALIZE_PATH : 0) |
           (c->sign_body ? SEG_SIGV4_CONTENT_SHA256 : 0) |
           (c->omit_token ? SEG_SIGV4_TOKEN_AFTER : 0);
}

/* Stage by stage, on a copy given the headers the signer would add. */
static void check_stages(const struct suite_case *c, const char *want_cr, const char *want_sts,
                         const char *want_sig)
{
    unsigned flags = case_flags(c);
    struct seg_http_req r;
    seg_http_req_copy(&r, &c->req);
    char amz[17], date8[9], payload[65], sig[65];
    assert_int_equal(seg_sigv4_format_amz_date(c->when, amz), SEG_OK);
    snprintf(date8, sizeof date8, "%.8s", amz);
    seg_http_req_set_header(&r, "X-Amz-Date", amz);
    if (c->token[0] && !c->omit_token)
        seg_http_req_set_header(&r, "X-Amz-Security-Token", c->token);
    if (c->sign_body) {
        char h[65];
        seg_sha256_hex(r.body ? (const void *)r.body : "", r.body_len, h);
        seg_http_req_set_header(&r, "X-Amz-Content-SHA256", h);
    }
    assert_int_equal(seg_sigv4_payload_hash(&r, flags, payload), SEG_OK);

    struct seg_buf cr, names, sts, scope;
    seg_buf_init(&cr, 0);
    seg_buf_init(&names, 0);
    seg_buf_init(&sts, 0);
    seg_buf_init(&scope, 0);
    assert_int_equal(seg_sigv4_canonical_request(&cr, &names, &r, flags, payload, NULL, 0, NULL),
                     SEG_OK);
    assert_string_equal(cr.data, want_cr);
    assert_int_equal(seg_buf_addf(&scope, "%s/%s/%s/aws4_request", date8, c->region, c->service),
                     SEG_OK);
    assert_int_equal(seg_sigv4_string_to_sign(&sts, amz, scope.data, cr.data), SEG_OK);
    assert_string_equal(sts.data, want_sts);
    unsigned char key[SEG_SHA256_LEN];
    seg_sigv4_signing_key(c->secret, date8, c->region, c->service, key);
    seg_sigv4_signature(key, sts.data, sig);
    assert_string_equal(sig, want_sig);
    seg_buf_release(&cr);
    seg_buf_release(&names);
    seg_buf_release(&sts);
    seg_buf_release(&scope);
    seg_http_req_release(&r);
}

struct trace_got {
    char *cr, *sts;
};

static void trace_cb(void *ud, const char *cr, const char *sts)
{
    struct trace_got *t = ud;
    free(t->cr);
    free(t->sts);
    t->cr = strdup(cr);
    t->sts = strdup(sts);
}

static bool lookup(void *ud, const char *akid, char *secret, size_t size)
{
    const struct suite_case *c = ud;
    if (strcmp(akid, c->akid) != 0 || strlen(c->secret) >= size)
        return false;
    strcpy(secret, c->secret);
    return true;
}

static enum seg_sigv4_verdict verify(const struct suite_case *c, const struct seg_http_req *r,
                                     bool expect_cr)
{
    struct seg_sigv4_verify_result res;
    unsigned flags = case_flags(c) & (SEG_SIGV4_NORMALIZE_PATH | SEG_SIGV4_CONTENT_SHA256);
    assert_int_equal(seg_sigv4_verify(r, flags, c->when, 300, lookup, (void *)c, &res), SEG_OK);
    enum seg_sigv4_verdict v = res.verdict;
    if (v == SEG_SIGV4_VALID) {
        assert_string_equal(res.access_key_id, c->akid);
        assert_string_equal(res.region, c->region);
        assert_string_equal(res.service, c->service);
    }
    if (expect_cr) {
        assert_non_null(res.canonical_request);
        assert_non_null(res.string_to_sign);
    }
    seg_sigv4_verify_result_release(&res);
    return v;
}

/* The Authorization line of header-signed-request.txt. */
static char *expected_authorization(const struct suite_case *c)
{
    char *text = read_case_file(c, "header-signed-request.txt");
    char *p = strstr(text, "\nAuthorization:");
    assert_non_null(p);
    p += strlen("\nAuthorization:");
    char *nl = strchr(p, '\n');
    if (nl)
        *nl = '\0';
    char *out = strdup(p);
    free(text);
    return out;
}

static void test_case(void **state)
{
    (void)state;
    struct suite_case c;
    memset(&c, 0, sizeof c);
    snprintf(c.dir, sizeof c.dir, "%s/testdata/sigv4/%s", seg_test_shared_dir(), case_name);
    load_context(&c);
    load_request(&c);
    char *want_cr = read_case_file(&c, "header-canonical-request.txt");
    char *want_sts = read_case_file(&c, "header-string-to-sign.txt");
    char *want_sig = read_case_file(&c, "header-signature.txt");
    char *want_auth = expected_authorization(&c);

    check_stages(&c, want_cr, want_sts, want_sig);

    /* The whole signer, with its trace. */
    struct seg_http_req signed_req;
    seg_http_req_copy(&signed_req, &c.req);
    struct seg_sigv4_creds creds = {c.akid, c.secret, c.token[0] ? c.token : NULL};
    struct seg_sigv4_params params = {c.region, c.service, case_flags(&c), c.when};
    struct trace_got got = {0};
    assert_int_equal(seg_sigv4_sign(&signed_req, &creds, &params, trace_cb, &got), SEG_OK);
    assert_string_equal(got.cr, want_cr);
    assert_string_equal(got.sts, want_sts);
    const char *auth = seg_http_req_header(&signed_req, "authorization");
    assert_non_null(auth);
    assert_string_equal(auth, want_auth);
    assert_non_null(strstr(auth, want_sig));
    if (c.token[0])
        assert_string_equal(seg_http_req_header(&signed_req, "x-amz-security-token"), c.token);

    /* The verifier accepts it, and refuses tampered copies. */
    assert_int_equal(verify(&c, &signed_req, false), SEG_SIGV4_VALID);
    struct seg_http_req bad;
    seg_http_req_copy(&bad, &signed_req);
    seg_http_req_set_header(&bad, "Host", "exbmple.amazonaws.com");
    assert_int_equal(verify(&c, &bad, true), SEG_SIGV4_MISMATCH);
    seg_http_req_release(&bad);
    for (size_t i = 0; i < signed_req.nheaders; i++) {
        if (strncasecmp(signed_req.headers[i].name, "my-header", 9) != 0)
            continue;
        seg_http_req_copy(&bad, &signed_req);
        bad.headers[i].value[strlen(bad.headers[i].value) - 1] ^= 1;
        assert_int_equal(verify(&c, &bad, true), SEG_SIGV4_MISMATCH);
        seg_http_req_release(&bad);
    }
    if (signed_req.body_len) {
        /* The body is covered by x-amz-content-sha256, so this is caught as a bad hash. */
        seg_http_req_copy(&bad, &signed_req);
        bad.body[0] ^= 1;
        assert_int_equal(verify(&c, &bad, false), SEG_SIGV4_PAYLOAD_HASH);
        seg_http_req_release(&bad);
    }

    free(got.cr);
    free(got.sts);
    free(want_cr);
    free(want_sts);
    free(want_sig);
    free(want_auth);
    seg_http_req_release(&signed_req);
    seg_http_req_release(&c.req);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <suite case>\n", argv[0]);
        return 2;
    }
    case_name = argv[1];
    const char *shared = seg_test_shared_dir();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/testdata/sigv4/%s", shared ? shared : "", case_name);
    char *probe = shared ? seg_test_read_file(strcat(dir, "/request.txt"), NULL) : NULL;
    if (!probe) {
        fprintf(stderr, "SigV4 suite case %s not found: skipped\n", case_name);
        return SEG_TEST_SKIP;
    }
    free(probe);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_case)};
    return cmocka_run_group_tests_name(case_name, tests, NULL, NULL);
}
