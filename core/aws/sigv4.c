/* SigV4 (aws-wire.md §1): the canonicalisation stages, the signer, and the verifier the
 * simulator uses. Signer and verifier share every stage, so they cannot drift apart. */
#include "aws/sigv4.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4_internal.h"
#include "aws/uri.h"
#include "util/crypto.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

static const char *const never_signed[] = {
    "authorization",
    "connection",
    "expect",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "x-amzn-trace-id",
};

bool seg_sigv4_header_unsigned(const char *lname)
{
    for (size_t i = 0; i < SEG_ARRAY_LEN(never_signed); i++)
        if (strcmp(lname, never_signed[i]) == 0)
            return true;
    return false;
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* ---- canonical URI and query ------------------------------------------------------- */

enum seg_err seg_sigv4_canonical_uri(struct seg_buf *out, const char *path, unsigned flags)
{
    if (!path || !*path)
        return seg_buf_addc(out, '/');
    struct seg_buf norm;
    seg_buf_init(&norm, SEG_SIGV4_CANONICAL_CAP);
    enum seg_err err = SEG_OK;
    const char *p = path;
    size_t len = strlen(path);
    if (flags & SEG_SIGV4_NORMALIZE_PATH) {
        err = seg_uri_normalize_path(&norm, path, len);
        p = norm.data;
        len = norm.len;
    }
    if (!err) {
        /* Double: the wire form is encoded once more ('%' -> "%25"). Single: the wire form,
         * with stray raw bytes (a space, UTF-8) encoded as the suite expects. */
        if (flags & SEG_SIGV4_DOUBLE_ENCODE)
            err = seg_uri_encode(out, p, len, true);
        else
            err = seg_uri_encode_wire(out, p, len);
    }
    seg_buf_release(&norm);
    return err;
}

struct qparam {
    char *key; /* UriEncoded */
    char *val;
};

static int qparam_cmp(const void *a, const void *b)
{
    const struct qparam *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->val, y->val);
}

/* Decodes then UriEncodes one key or value, so "%e1%88%b4", "%E1%88%B4" and raw UTF-8 all
 * give the same canonical bytes. */
static enum seg_err requote(const char *s, size_t len, char **out)
{
    struct seg_buf dec, enc;
    seg_buf_init(&dec, SEG_SIGV4_CANONICAL_CAP);
    seg_buf_init(&enc, SEG_SIGV4_CANONICAL_CAP);
    enum seg_err err = seg_uri_decode(&dec, s, len);
    if (!err)
        err = seg_uri_encode(&enc, dec.data ? dec.data : "", dec.len, false);
    if (!err)
        *out = seg_buf_detach(&enc, NULL);
    seg_buf_release(&dec);
    seg_buf_release(&enc);
    return err;
}

enum seg_err seg_sigv4_canonical_query(struct seg_buf *out, const char *query)
{
    if (!query || !*query)
        return SEG_OK;
    size_t n = 1;
    for (const char *p = query; *p; p++)
        n += *p == '&';
    if (n > SEG_SIGV4_MAX_QUERY_PARAMS)
        return SEG_ERR_TOOBIG;
    struct qparam *params = seg_xcalloc(n, sizeof *params);
    size_t got = 0;
    enum seg_err err = SEG_OK;
    for (const char *p = query; got < n && !err; got++) {
        const char *amp = strchr(p, '&');
        size_t plen = amp ? (size_t)(amp - p) : strlen(p);
        /* Split on the first '='; a missing '=' means an empty value. */
        const char *eq = memchr(p, '=', plen);
        size_t klen = eq ? (size_t)(eq - p) : plen;
        err = requote(p, klen, &params[got].key);
        if (!err)
            err = requote(eq ? eq + 1 : "", eq ? plen - klen - 1 : 0, &params[got].val);
        p = amp ? amp + 1 : p + plen;
    }
    if (!err) {
        qsort(params, n, sizeof *params, qparam_cmp);
        for (size_t i = 0; i < n && !err; i++)
            err = seg_buf_addf(out, "%s%s=%s", i ? "&" : "", params[i].key, params[i].val);
    }
    for (size_t i = 0; i < n; i++) {
        free(params[i].key);
        free(params[i].val);
    }
    free(params);
    return err;
}

/* ---- canonical headers ------------------------------------------------------------- */

struct hdr_ent {
    char *lname;
    const char *value;
    size_t idx; /* request order: duplicates keep it (stable sort by hand) */
};

static int hdr_cmp(const void *a, const void *b)
{
    const struct hdr_ent *x = a, *y = b;
    int c = strcmp(x->lname, y->lname);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int name_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

/* Trimall: strip leading/trailing whitespace, collapse inner runs to one space (even inside
 * quotes, as the suite's get-header-value-trim shows). */
static enum seg_err add_trimmed(struct seg_buf *out, const char *v)
{
    enum seg_err err = SEG_OK;
    bool pending = false, any = false;
    for (; *v && !err; v++) {
        if (is_ws(*v)) {
            pending = true;
            continue;
        }
        if (pending && any)
            err = seg_buf_addc(out, ' ');
        if (!err)
            err = seg_buf_addc(out, *v);
        pending = false;
        any = true;
    }
    return err;
}

enum seg_err seg_sigv4_canonical_headers(struct seg_buf *headers, struct seg_buf *signed_names,
                                         const struct seg_http_req *req, const char *const *only,
                                         size_t n_only, size_t *missing)
{
    struct hdr_ent *ents = seg_xcalloc(req->nheaders + 1, sizeof *ents);
    bool *found = seg_xcalloc(n_only + 1, sizeof *found);
    size_t n = 0;
    enum seg_err err = SEG_OK;
    for (size_t i = 0; i < req->nheaders; i++) {
        char *lname = seg_xstrdup(req->headers[i].name);
        for (char *c = lname; *c; c++)
            *c = ascii_lower(*c);
        bool take;
        if (only) {
            const char *const *hit = bsearch(lname, only, n_only, sizeof *only, name_cmp);
            take = hit != NULL;
            if (hit)
                found[hit - only] = true;
        } else {
            take = !seg_sigv4_header_unsigned(lname);
        }
        if (!take) {
            free(lname);
            continue;
        }
        ents[n].lname = lname;
        ents[n].value = req->headers[i].value ? req->headers[i].value : "";
        ents[n].idx = i;
        n++;
    }
    for (size_t i = 0; only && i < n_only; i++) {
        if (!found[i]) {
            if (missing)
                *missing = i;
            err = SEG_ERR_NOTFOUND;
            goto out;
        }
    }
    qsort(ents, n, sizeof *ents, hdr_cmp);
    for (size_t i = 0; i < n && !err; i++) {
        bool first = i == 0 || strcmp(ents[i - 1].lname, ents[i].lname) != 0;
        bool last = i + 1 == n || strcmp(ents[i + 1].lname, ents[i].lname) != 0;
        if (first) {
            err = seg_buf_addf(headers, "%s:", ents[i].lname);
            if (!err && signed_names)
                err = seg_buf_addf(signed_names, "%s%s", i ? ";" : "", ents[i].lname);
        } else {
            err = seg_buf_addc(headers, ','); /* duplicates: request order, comma-joined */
        }
        if (!err)
            err = add_trimmed(headers, ents[i].value);
        if (!err && last)
            err = seg_buf_addc(headers, '\n');
    }
out:
    for (size_t i = 0; i < n; i++)
        free(ents[i].lname);
    free(ents);
    free(found);
    return err;
}

/* ---- canonical request, string-to-sign, key, signature ----------------------------- */

enum seg_err seg_sigv4_canonical_request(struct seg_buf *out, struct seg_buf *signed_names,
                                         const struct seg_http_req *req, unsigned flags,
                                         const char *payload_hash, const char *const *only,
                                         size_t n_only, size_t *missing)
{
    struct seg_buf names;
    seg_buf_init(&names, SEG_SIGV4_CANONICAL_CAP);
    enum seg_err err = seg_buf_addf(out, "%s\n", req->method ? req->method : "");
    if (!err)
        err = seg_sigv4_canonical_uri(out, req->path, flags);
    if (!err)
        err = seg_buf_addc(out, '\n');
    if (!err)
        err = seg_sigv4_canonical_query(out, req->query);
    if (!err)
        err = seg_buf_addc(out, '\n');
    if (!err)
        err = seg_sigv4_canonical_headers(out, &names, req, only, n_only, missing);
    if (!err)
        err = seg_buf_addf(out, "\n%s\n%s", names.data ? names.data : "", payload_hash);
    if (!err && signed_names)
        err = seg_buf_adds(signed_names, names.data ? names.data : "");
    seg_buf_release(&names);
    return err;
}

enum seg_err seg_sigv4_string_to_sign(struct seg_buf *out, const char *amz_date, const char *scope,
                                      const char *canonical_request)
{
    char hash[SEG_SHA256_HEX_LEN + 1];
    seg_sha256_hex(canonical_request, strlen(canonical_request), hash);
    return seg_buf_addf(out, SEG_SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date, scope, hash);
}

void seg_sigv4_signing_key(const char *secret, const char *date8, const char *region,
                           const char *service, unsigned char key[SEG_SHA256_LEN])
{
    size_t slen = strlen(secret);
    char *k = seg_xmalloc(slen + 5);
    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, slen + 1);
    unsigned char a[SEG_SHA256_LEN], b[SEG_SHA256_LEN];
    seg_hmac_sha256(k, slen + 4, date8, strlen(date8), a);
    seg_hmac_sha256(a, sizeof a, region, strlen(region), b);
    seg_hmac_sha256(b, sizeof b, service, strlen(service), a);
    seg_hmac_sha256(a, sizeof a, "aws4_request", 12, key);
    seg_wipe(k, slen + 5);
    seg_wipe(a, sizeof a);
    seg_wipe(b, sizeof b);
    free(k);
}

void seg_sigv4_signature(const unsigned char key[SEG_SHA256_LEN], const char *string_to_sign,
                         char out[SEG_SHA256_HEX_LEN + 1])
{
    unsigned char mac[SEG_SHA256_LEN];
    seg_hmac_sha256(key, SEG_SHA256_LEN, string_to_sign, strlen(string_to_sign), mac);
    seg_hex_lower(mac, sizeof mac, out);
}

enum seg_err seg_sigv4_payload_hash(const struct seg_http_req *req, unsigned flags,
                                    char out[SEG_SHA256_HEX_LEN + 1])
{
    const char *given = seg_http_req_header(req, "x-amz-content-sha256");
    if (given) {
        if (strlen(given) > SEG_SHA256_HEX_LEN)
            return SEG_ERR_TOOBIG;
        strcpy(out, given);
    } else if (flags & SEG_SIGV4_UNSIGNED_PAYLOAD) {
        strcpy(out, SEG_SIGV4_UNSIGNED);
    } else {
        seg_sha256_hex(req->body ? (const void *)req->body : "", req->body_len, out);
    }
    return SEG_OK;
}

/* ---- dates ------------------------------------------------------------------------- */

enum seg_err seg_sigv4_format_amz_date(time_t t, char out[SEG_SIGV4_AMZ_DATE_LEN + 1])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
        return SEG_ERR_INVALID;
    if (strftime(out, SEG_SIGV4_AMZ_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) != SEG_SIGV4_AMZ_DATE_LEN)
        return SEG_ERR_INVALID;
    return SEG_OK;
}

enum seg_err seg_sigv4_parse_date(const char *s, bool rfc1123, time_t *out)
{
    int y, mo, d, h, mi, sec;
    if (rfc1123)
        return seg_time_parse_http(s, out);
    if (strlen(s) != SEG_SIGV4_AMZ_DATE_LEN || s[8] != 'T' || s[15] != 'Z' ||
        !seg_time_digits(s, 4, &y) || !seg_time_digits(s + 4, 2, &mo) ||
        !seg_time_digits(s + 6, 2, &d) || !seg_time_digits(s + 9, 2, &h) ||
        !seg_time_digits(s + 11, 2, &mi) || !seg_time_digits(s + 13, 2, &sec) || sec > 59)
        return SEG_ERR_PARSE;
    return seg_time_from_civil(y, mo, d, h, mi, sec, out);
}

/* ---- signer ------------------------------------------------------------------------ */

/* Scope parts end up in a header and a '/'-separated scope: keep them plain. */
bool seg_sigv4_scope_part_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if (*s == '/' || *s == ',' || *s == '=' || (unsigned char)*s <= ' ' ||
            (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

enum seg_err seg_sigv4_sign(struct seg_http_req *req, const struct seg_sigv4_creds *creds,
                            const struct seg_sigv4_params *params, seg_sigv4_trace_fn *trace,
                            void *trace_ud)
{
    char amz_date[SEG_SIGV4_AMZ_DATE_LEN + 1], payload[SEG_SHA256_HEX_LEN + 1];
    char date8[9], sig[SEG_SHA256_HEX_LEN + 1];
    unsigned char key[SEG_SHA256_LEN];
    struct seg_buf cr, names, sts, scope, auth;
    seg_buf_init(&cr, SEG_SIGV4_CANONICAL_CAP);
    seg_buf_init(&names, SEG_SIGV4_CANONICAL_CAP);
    seg_buf_init(&sts, SEG_SIGV4_CANONICAL_CAP);
    seg_buf_init(&scope, SEG_SIGV4_CANONICAL_CAP);
    seg_buf_init(&auth, SEG_SIGV4_CANONICAL_CAP);
    enum seg_err err = SEG_ERR_INVALID;

    /* Validate everything before touching req, so a refusal leaves it unchanged. */
    if (!req || !req->method || !creds || !params || !creds->secret_access_key ||
        !seg_sigv4_scope_part_ok(creds->access_key_id, 128) ||
        !seg_sigv4_scope_part_ok(params->region, 63) ||
        !seg_sigv4_scope_part_ok(params->service, 63) || !seg_http_req_header(req, "host"))
        goto out;
    err = seg_sigv4_format_amz_date(params->when, amz_date);
    if (err)
        goto out;
    const char *given = seg_http_req_header(req, "x-amz-content-sha256");
    if (given && strlen(given) > SEG_SHA256_HEX_LEN) {
        err = SEG_ERR_TOOBIG;
        goto out;
    }
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
    bool token = creds->session_token && *creds->session_token;

    /* A retry re-signs the same request: drop what a previous signing added. */
    seg_http_req_remove_header(req, "authorization");
    seg_http_req_set_header(req, "X-Amz-Date", amz_date);
    if (token) {
        seg_http_req_remove_header(req, "x-amz-security-token");
        if (!(params->flags & SEG_SIGV4_TOKEN_AFTER))
            seg_http_req_add_header(req, "X-Amz-Security-Token", creds->session_token);
    }
    err = seg_sigv4_payload_hash(req, params->flags, payload);
    if (err)
        goto out;
    /* S3 wants the hash as a header; an unsigned payload must be announced to be checkable. */
    if (!given && ((params->flags & SEG_SIGV4_CONTENT_SHA256) ||
                   (params->flags & SEG_SIGV4_UNSIGNED_PAYLOAD)))
        seg_http_req_add_header(req, "X-Amz-Content-SHA256", payload);

    err = seg_sigv4_canonical_request(&cr, &names, req, params->flags, payload, NULL, 0, NULL);
    if (!err)
        err = seg_buf_addf(&scope, "%s/%s/%s/aws4_request", date8, params->region, params->service);
    if (!err)
        err = seg_sigv4_string_to_sign(&sts, amz_date, scope.data, cr.data);
    if (err)
        goto out;
    seg_sigv4_signing_key(creds->secret_access_key, date8, params->region, params->service, key);
    seg_sigv4_signature(key, sts.data, sig);
    seg_wipe(key, sizeof key);
    if (trace)
        trace(trace_ud, cr.data, sts.data);
    err =
        seg_buf_addf(&auth, SEG_SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                     creds->access_key_id, scope.data, names.data, sig);
    if (err)
        goto out;
    seg_http_req_set_header(req, "Authorization", auth.data);
    if (token && (params->flags & SEG_SIGV4_TOKEN_AFTER))
        seg_http_req_add_header(req, "X-Amz-Security-Token", creds->session_token);
out:
    seg_buf_release(&cr);
    seg_buf_release(&names);
    seg_buf_release(&sts);
    seg_buf_release(&scope);
    seg_buf_release(&auth);
    return err;
}
