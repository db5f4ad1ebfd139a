/* The SigV4 verifier the simulator runs on every request: it rebuilds the canonical request
 * from the raw request with the same stages the signer uses (sigv4.c), so the two cannot
 * drift apart. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4.h"
#include "aws/sigv4_internal.h"
#include "util/crypto.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* ---- verifier ---------------------------------------------------------------------- */

struct auth_parts {
    char *copy; /* the header, cut in place; the fields below point into it */
    const char *akid, *date8, *region, *service, *signature;
    const char *names[SEG_SIGV4_MAX_SIGNED];
    size_t n_names;
};

static void set_detail(struct seg_sigv4_verify_result *r, enum seg_sigv4_verdict v, const char *fmt,
                       ...) SEG_PRINTF(3, 4);

static void set_detail(struct seg_sigv4_verify_result *r, enum seg_sigv4_verdict v, const char *fmt,
                       ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
    r->verdict = v;
}

static bool is_lower_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* Credential=AKID/YYYYMMDD/region/service/aws4_request */
static const char *parse_credential(char *v, struct auth_parts *a)
{
    char *part[5];
    for (int i = 0; i < 5; i++) {
        part[i] = v;
        char *slash = strchr(v, '/');
        if (i < 4 && !slash)
            return "Credential must have the form AKID/date/region/service/aws4_request";
        if (slash)
            *slash = '\0';
        v = slash ? slash + 1 : v + strlen(v);
        if (i == 4 && slash)
            return "Credential must have the form AKID/date/region/service/aws4_request";
    }
    int ignored;
    if (!seg_sigv4_scope_part_ok(part[0], 128))
        return "Credential has an invalid access key id";
    if (strlen(part[1]) != 8 || !seg_time_digits(part[1], 8, &ignored))
        return "Credential has an invalid date";
    if (!seg_sigv4_scope_part_ok(part[2], 63) || !seg_sigv4_scope_part_ok(part[3], 63))
        return "Credential has an invalid region or service";
    if (strcmp(part[4], "aws4_request") != 0)
        return "Credential should be scoped with a valid terminator: 'aws4_request'";
    a->akid = part[0];
    a->date8 = part[1];
    a->region = part[2];
    a->service = part[3];
    return NULL;
}

/* SignedHeaders=a;b;c: lowercase tokens, strictly ascending, at most SEG_SIGV4_MAX_SIGNED. */
static const char *parse_signed_headers(char *v, struct auth_parts *a)
{
    for (;;) {
        if (a->n_names == SEG_SIGV4_MAX_SIGNED)
            return "too many signed headers";
        char *semi = strchr(v, ';');
        if (semi)
            *semi = '\0';
        if (!*v)
            return "SignedHeaders has an empty name";
        for (const char *c = v; *c; c++)
            if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f || *c == ':' ||
                (*c >= 'A' && *c <= 'Z'))
                return "SignedHeaders names must be lowercase tokens";
        if (a->n_names && strcmp(a->names[a->n_names - 1], v) >= 0)
            return "SignedHeaders must be sorted and unique";
        if (strcmp(v, "authorization") == 0)
            return "the Authorization header cannot be signed";
        a->names[a->n_names++] = v;
        if (!semi)
            return NULL;
        v = semi + 1;
    }
}

/* "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...": the three fields in
 * any order, each once, separated by ',' with optional spaces (SDKs differ there). */
static const char *parse_authorization(const char *header, struct auth_parts *a)
{
    static const char alg[] = SEG_SIGV4_ALGORITHM " ";
    if (strlen(header) > SEG_SIGV4_MAX_AUTH_LEN)
        return "Authorization header too long";
    if (strncmp(header, alg, sizeof alg - 1) != 0)
        return "Authorization must start with AWS4-HMAC-SHA256";
    a->copy = seg_xstrdup(header + sizeof alg - 1);
    bool have_cred = false, have_names = false;
    char *p = a->copy;
    for (;;) {
        while (*p == ' ')
            p++;
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *end = p + strlen(p);
        while (end > p && end[-1] == ' ')
            *--end = '\0';
        const char *msg = NULL;
        if (strncmp(p, "Credential=", 11) == 0 && !have_cred) {
            msg = parse_credential(p + 11, a);
            have_cred = true;
        } else if (strncmp(p, "SignedHeaders=", 14) == 0 && !have_names) {
            msg = parse_signed_headers(p + 14, a);
            have_names = true;
        } else if (strncmp(p, "Signature=", 10) == 0 && !a->signature) {
            a->signature = p + 10;
            if (!is_lower_hex(a->signature, SEG_SHA256_HEX_LEN))
                msg = "Signature must be 64 lowercase hex digits";
        } else {
            msg = "Authorization has an unknown, repeated or empty field";
        }
        if (msg)
            return msg;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!have_cred || !have_names || !a->signature)
        return "Authorization needs Credential, SignedHeaders and Signature";
    return NULL;
}

static bool names_has(const struct auth_parts *a, const char *name)
{
    for (size_t i = 0; i < a->n_names; i++)
        if (strcmp(a->names[i], name) == 0)
            return true;
    return false;
}

static void copy_field(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* AWS's wording for skew, e.g. "(20131008T001612Z - 5 min.)". */
static void skew_detail(struct seg_sigv4_verify_result *r, time_t t, time_t now, int skew)
{
    char limit[SEG_SIGV4_AMZ_DATE_LEN + 1] = "?", nows[SEG_SIGV4_AMZ_DATE_LEN + 1] = "?";
    char span[32];
    bool late = t < now;
    if (seg_sigv4_format_amz_date(late ? now - skew : now + skew, limit) != SEG_OK)
        strcpy(limit, "?");
    if (seg_sigv4_format_amz_date(now, nows) != SEG_OK)
        strcpy(nows, "?");
    if (skew % 60 == 0)
        snprintf(span, sizeof span, "%d min.", skew / 60);
    else
        snprintf(span, sizeof span, "%d sec.", skew);
    if (late)
        set_detail(r, SEG_SIGV4_SKEWED, "Signature expired: %s is now earlier than %s (%s - %s)",
                   r->amz_date, limit, nows, span);
    else
        set_detail(r, SEG_SIGV4_SKEWED,
                   "Signature not yet current: %s is still later than %s (%s + %s)", r->amz_date,
                   limit, nows, span);
}

/* Decides the payload hash to recompute with; false (verdict set) when the header is bad. */
static bool check_payload(const struct seg_http_req *req, unsigned flags,
                          struct seg_sigv4_verify_result *r, char out[SEG_SHA256_HEX_LEN + 1])
{
    const char *given = seg_http_req_header(req, "x-amz-content-sha256");
    char body[SEG_SHA256_HEX_LEN + 1];
    seg_sha256_hex(req->body ? (const void *)req->body : "", req->body_len, body);
    if (!given) {
        if (flags & SEG_SIGV4_CONTENT_SHA256) {
            set_detail(r, SEG_SIGV4_PAYLOAD_HASH,
                       "Missing required header for this request: x-amz-content-sha256");
            return false;
        }
        strcpy(out, (flags & SEG_SIGV4_UNSIGNED_PAYLOAD) ? SEG_SIGV4_UNSIGNED : body);
        return true;
    }
    if (strcmp(given, SEG_SIGV4_UNSIGNED) == 0 || strcmp(given, SEG_SIGV4_STREAMING) == 0) {
        strcpy(out, given);
        return true;
    }
    if (!is_lower_hex(given, SEG_SHA256_HEX_LEN)) {
        set_detail(r, SEG_SIGV4_PAYLOAD_HASH,
                   "The x-amz-content-sha256 header must be UNSIGNED-PAYLOAD, "
                   "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value");
        return false;
    }
    if (!seg_ct_equal(given, body, SEG_SHA256_HEX_LEN)) {
        set_detail(r, SEG_SIGV4_PAYLOAD_HASH,
                   "The provided 'x-amz-content-sha256' header does not match what was computed");
        return false;
    }
    strcpy(out, given);
    return true;
}

/* Reads X-Amz-Date, else Date (which must then be signed); false (verdict set) when bad. */
static bool check_date(const struct seg_http_req *req, const struct auth_parts *a,
                       struct seg_sigv4_verify_result *r, time_t *t)
{
    const char *amz = seg_http_req_header(req, "x-amz-date");
    const char *date = seg_http_req_header(req, "date");
    const char *name = amz ? "x-amz-date" : "date";
    if (!amz && !date) {
        set_detail(r, SEG_SIGV4_MALFORMED, "missing X-Amz-Date or Date header");
        return false;
    }
    if (!names_has(a, name)) {
        set_detail(r, SEG_SIGV4_MALFORMED, "SignedHeaders must include %s", name);
        return false;
    }
    if (seg_sigv4_parse_date(amz ? amz : date, !amz, t) != SEG_OK ||
        seg_sigv4_format_amz_date(*t, r->amz_date) != SEG_OK) {
        set_detail(r, SEG_SIGV4_MALFORMED, "%s header cannot be parsed", name);
        return false;
    }
    return true;
}

/* Rebuilds the signature from the names the client signed; on MISMATCH hands the canonical
 * request and string-to-sign to the result. Secrets and keys are wiped here. */
static enum seg_err check_signature(const struct seg_http_req *req, unsigned flags,
                                    const struct auth_parts *a, const char *secret,
                                    const char *payload, struct seg_sigv4_verify_result *r)
{
    struct seg_buf cr, sts, scope;
    seg_buf_init(&cr, SEG_SIGV4_CANONICAL_CAP);
    seg_buf_init(&sts, SEG_SIGV4_CANONICAL_CAP);
    seg_buf_init(&scope, SEG_SIGV4_CANONICAL_CAP);
    unsigned char key[SEG_SHA256_LEN];
    char sig[SEG_SHA256_HEX_LEN + 1];
    size_t missing = 0;
    enum seg_err err =
        seg_sigv4_canonical_request(&cr, NULL, req, flags, payload, a->names, a->n_names, &missing);
    if (!err)
        err = seg_buf_addf(&scope, "%s/%s/%s/aws4_request", a->date8, a->region, a->service);
    if (!err)
        err = seg_sigv4_string_to_sign(&sts, r->amz_date, scope.data, cr.data);
    if (err == SEG_ERR_NOTFOUND) { /* checked earlier; kept so a slip cannot crash */
        set_detail(r, SEG_SIGV4_MALFORMED, "signed header %s is missing", a->names[missing]);
        err = SEG_OK;
        goto out;
    }
    if (err == SEG_ERR_TOOBIG) {
        set_detail(r, SEG_SIGV4_MALFORMED, "request too large to canonicalise");
        err = SEG_OK;
        goto out;
    }
    if (err)
        goto out;
    seg_sigv4_signing_key(secret, a->date8, a->region, a->service, key);
    seg_sigv4_signature(key, sts.data, sig);
    seg_wipe(key, sizeof key);
    if (!seg_ct_equal(sig, a->signature, SEG_SHA256_HEX_LEN)) {
        set_detail(r, SEG_SIGV4_MISMATCH,
                   "The request signature we calculated does not match the signature you "
                   "provided. Check your AWS Secret Access Key and signing method.");
        r->canonical_request = seg_buf_detach(&cr, NULL);
        r->string_to_sign = seg_buf_detach(&sts, NULL);
    }
out:
    seg_buf_release(&cr);
    seg_buf_release(&sts);
    seg_buf_release(&scope);
    return err;
}

enum seg_err seg_sigv4_verify(const struct seg_http_req *req, unsigned flags, time_t now,
                              int max_skew_s, seg_sigv4_secret_fn *lookup, void *lookup_ud,
                              struct seg_sigv4_verify_result *out)
{
    if (!out)
        return SEG_ERR_INVALID;
    memset(out, 0, sizeof *out);
    if (!req || !lookup || max_skew_s < 0)
        return SEG_ERR_INVALID;
    struct auth_parts a = {0};
    char secret[256];
    char payload[SEG_SHA256_HEX_LEN + 1];
    time_t t;
    enum seg_err err = SEG_OK;
    const char *header = seg_http_req_header(req, "authorization");
    if (!header) {
        set_detail(out, SEG_SIGV4_MISSING, "Missing Authentication Token");
        goto out;
    }
    const char *msg = parse_authorization(header, &a);
    if (msg) {
        set_detail(out, SEG_SIGV4_MALFORMED, "%s", msg);
        goto out;
    }
    copy_field(out->access_key_id, sizeof out->access_key_id, a.akid);
    copy_field(out->region, sizeof out->region, a.region);
    copy_field(out->service, sizeof out->service, a.service);
    if (!names_has(&a, "host")) {
        set_detail(out, SEG_SIGV4_MALFORMED, "SignedHeaders must include host");
        goto out;
    }
    for (size_t i = 0; i < a.n_names; i++) {
        if (!seg_http_req_header(req, a.names[i])) {
            set_detail(out, SEG_SIGV4_MALFORMED, "signed header %s is missing", a.names[i]);
            goto out;
        }
    }
    if (!check_date(req, &a, out, &t))
        goto out;
    if (memcmp(a.date8, out->amz_date, 8) != 0) {
        set_detail(out, SEG_SIGV4_SCOPE,
                   "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                   "date from HTTP: '%s' != '%.8s', from '%s'",
                   a.date8, out->amz_date, out->amz_date);
        goto out;
    }
    if ((t < now && now - t > max_skew_s) || (t > now && t - now > max_skew_s)) {
        skew_detail(out, t, now, max_skew_s);
        goto out;
    }
    if (!lookup(lookup_ud, a.akid, secret, sizeof secret)) {
        set_detail(out, SEG_SIGV4_UNKNOWN_KEY,
                   "The AWS Access Key Id you provided does not exist in our records.");
        goto out;
    }
    secret[sizeof secret - 1] = '\0';
    if (check_payload(req, flags, out, payload))
        err = check_signature(req, flags, &a, secret, payload, out);
out:
    seg_wipe(secret, sizeof secret); /* also after a refused lookup that may have written */
    free(a.copy);
    return err;
}

void seg_sigv4_verify_result_release(struct seg_sigv4_verify_result *r)
{
    if (!r)
        return;
    free(r->canonical_request);
    free(r->string_to_sign);
    r->canonical_request = NULL;
    r->string_to_sign = NULL;
}

const char *seg_sigv4_verdict_name(enum seg_sigv4_verdict v)
{
    static const char *const names[] = {
        [SEG_SIGV4_VALID] = "valid",
        [SEG_SIGV4_MISSING] = "missing",
        [SEG_SIGV4_MALFORMED] = "malformed",
        [SEG_SIGV4_UNKNOWN_KEY] = "unknown-key",
        [SEG_SIGV4_SKEWED] = "skewed",
        [SEG_SIGV4_MISMATCH] = "mismatch",
        [SEG_SIGV4_PAYLOAD_HASH] = "payload-hash",
        [SEG_SIGV4_SCOPE] = "scope",
    };
    if ((unsigned)v >= SEG_ARRAY_LEN(names) || !names[v])
        return "unknown";
    return names[v];
}
