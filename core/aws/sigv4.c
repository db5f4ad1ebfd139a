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

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil):
 * timegm() is not POSIX. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static enum seg_err make_time(int y, int mo, int d, int h, int mi, int s, time_t *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59)
        return SEG_ERR_PARSE;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return SEG_ERR_PARSE;
    *out = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
    return SEG_OK;
}

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
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const wdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int y, mo = 0, d, h, mi, sec;
    if (!rfc1123) {
        if (strlen(s) != SEG_SIGV4_AMZ_DATE_LEN || s[8] != 'T' || s[15] != 'Z' ||
            !digits(s, 4, &y) || !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d) ||
            !digits(s + 9, 2, &h) || !digits(s + 11, 2, &mi) || !digits(s + 13, 2, &sec))
            return SEG_ERR_PARSE;
        return make_time(y, mo, d, h, mi, sec, out);
    }
    /* "Sun, 30 Aug 2015 12:36:00 GMT": fixed layout, 29 bytes. */
    if (strlen(s) != 29 || memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || strcmp(s + 25, " GMT") != 0)
        return SEG_ERR_PARSE;
    bool wday_ok = false;
    for (size_t i = 0; i < SEG_ARRAY_LEN(wdays); i++)
        wday_ok |= memcmp(s, wdays[i], 3) == 0;
    for (int i = 0; i < 12; i++)
        if (memcmp(s + 8, months[i], 3) == 0)
            mo = i + 1;
    if (!wday_ok || !mo || !digits(s + 5, 2, &d) || !digits(s + 12, 4, &y) ||
        !digits(s + 17, 2, &h) || !digits(s + 20, 2, &mi) || !digits(s + 23, 2, &sec))
        return SEG_ERR_PARSE;
    return make_time(y, mo, d, h, mi, sec, out);
}

/* ---- signer ------------------------------------------------------------------------ */

/* Scope parts end up in a header and a '/'-separated scope: keep them plain. */
static bool scope_part_ok(const char *s, size_t max)
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
        !scope_part_ok(creds->access_key_id, 128) || !scope_part_ok(params->region, 63) ||
        !scope_part_ok(params->service, 63) || !seg_http_req_header(req, "host"))
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
    if (!scope_part_ok(part[0], 128))
        return "Credential has an invalid access key id";
    if (strlen(part[1]) != 8 || !digits(part[1], 8, &ignored))
        return "Credential has an invalid date";
    if (!scope_part_ok(part[2], 63) || !scope_part_ok(part[3], 63))
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
