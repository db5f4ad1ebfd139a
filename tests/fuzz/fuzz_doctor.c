/* libFuzzer target over what `segtop doctor` reads from an endpoint: GetAccountSettings,
 * GetFunctionConfiguration, GetFunctionConcurrency, HeadBucket, the bucket notification,
 * DescribeLogGroups pages and the probes, each as a status and a body, fed to doc_handle as
 * the engine would, then every section printed. Never a crash, a leak or undefined behaviour
 * (numbers from JSON are untrusted), and the report that reaches the terminal holds no
 * control character but the newline, whatever the endpoint sent.
 * Input: records of op, site, answer (status, content type, region header), length, body. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/error.h"
#include "doctor/checks_internal.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSITES 3

static struct seg_options opts;
static struct doc_target target;
static struct seg_site *sites;
static size_t nsites;

static void setup(void)
{
    seg_options_init(&opts);
    target.region = seg_xstrdup("us-west-1");
    struct seg_sites_config cfg = {.sites = NSITES};
    struct seg_errmsg err = {{0}};
    if (seg_sites_build(&cfg, &sites, &nsites, &err) != SEG_OK)
        abort();
}

static enum seg_aws_service service_of(enum doc_op op)
{
    switch (op) {
    case DOC_OP_HEAD:
    case DOC_OP_NOTIF:
        return SEG_AWS_S3;
    case DOC_OP_GROUPS:
    case DOC_OP_FILTER:
        return SEG_AWS_LOGS;
    default:
        return SEG_AWS_LAMBDA;
    }
}

/* One answer as the HTTP client hands it over (errors parsed by seg_aws_error_parse). */
static void answer(struct doc_ctx *c, const uint8_t *rec, const uint8_t *body, size_t len)
{
    static const int statuses[] = {200, 200, 200, 400, 403, 404, 301, 0};
    static const char *const ctypes[] = {"application/json", "application/x-amz-json-1.1",
                                         "application/xml", NULL};
    enum doc_op op = (enum doc_op)(rec[0] % DOC_OP__N);
    struct seg_http_result r = {0};
    r.id = ((uint64_t)(rec[1] % (NSITES + 1)) << 4) | op; /* site NSITES: out of range */
    r.service = service_of(op);
    r.status = statuses[rec[2] & 7];
    r.body = seg_xmalloc(len + 1); /* NUL-terminated, as the client's (NULs inside kept) */
    memcpy(r.body, body, len);
    r.body[len] = '\0';
    r.body_len = len;
    char hname[] = "x-amz-bucket-region", hvalue[] = "eu-west-3";
    struct seg_http_header h = {hname, hvalue};
    if (rec[2] & 8) {
        r.headers = &h;
        r.nheaders = 1;
    }
    if (r.status == 0) {
        r.outcome = (rec[2] & 16) ? SEG_HTTP_NOT_STARTED : SEG_HTTP_TRANSPORT;
        snprintf(r.transport_error, sizeof r.transport_error, "%.*s", (int)(len < 200 ? len : 200),
                 r.body);
    } else if (r.status == 200) {
        r.outcome = SEG_HTTP_OK;
    } else {
        r.outcome = SEG_HTTP_AWS_ERROR;
        if (seg_aws_error_parse(r.status, ctypes[(rec[2] >> 5) & 3], NULL, r.body, len, &r.error) !=
            SEG_OK)
            abort();
    }
    doc_handle(c, &r);
    free(r.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!sites)
        setup();
    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (!out)
        abort();
    struct doc_report rep;
    doc_report_init(&rep, out);
    struct doc_ctx c = {.o = &opts,
                        .t = &target,
                        .sites = sites,
                        .nsites = nsites,
                        .r = &rep,
                        .clock_lo = -1e18,
                        .clock_hi = 1e18};
    snprintf(c.account_id, sizeof c.account_id, "*");
    snprintf(c.sample_key, sizeof c.sample_key, "image_capture_2026-09-01_12-00-00.jpg");
    c.st = seg_xcalloc(nsites, sizeof *c.st);
    for (size_t i = 0; i < nsites; i++)
        c.st[i].reserved = -1;

    /* The engine answers each call once; doctor asks once per (check, site), except for
     * DescribeLogGroups, asked again for every page. */
    bool answered[DOC_OP__N][NSITES + 1] = {{false}};
    const uint8_t *p = data, *end = data + size;
    while (end - p >= 5) {
        const uint8_t *rec = p;
        size_t len = (size_t)rec[3] << 4 | (rec[4] & 15);
        p += 5;
        if (len > (size_t)(end - p))
            len = (size_t)(end - p);
        bool *once = &answered[rec[0] % DOC_OP__N][rec[1] % (NSITES + 1)];
        if (!*once || rec[0] % DOC_OP__N == DOC_OP_GROUPS)
            answer(&c, rec, p, len);
        *once = true;
        p += len;
    }
    doc_sections(&c);
    fclose(out);
    for (size_t i = 0; i < text_len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if ((ch < 0x20 && ch != '\n') || ch == 0x7f)
            __builtin_trap(); /* a control byte would reach the terminal */
    }
    free(text);
    doc_report_release(&rep);
    doc_ctx_release(&c);
    return 0;
}
