/* Helpers shared by the log parsers (parse.c, parse_fields.c, parse_text.c, parse_json.c).
 * Every scanner takes [p, end) and never reads outside it. */
#ifndef SEGTOP_CORE_LOGS_PARSE_INTERNAL_H
#define SEGTOP_CORE_LOGS_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "logs/record.h"
#include "util/seg.h"

/* Literal arguments: seg_logp_has(p, end, LIT("REPORT ")). */
#define LIT(s) s, (sizeof(s) - 1)

static inline bool seg_logp_has(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static inline bool seg_logp_blank(char c)
{
    return c == ' ' || c == '\t';
}

static inline const char *seg_logp_skip_blank(const char *p, const char *end)
{
    while (p < end && seg_logp_blank(*p))
        p++;
    return p;
}

/* The end of the first line of [p, end): a '\n', or end. */
static inline const char *seg_logp_line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* [p, end) without trailing blanks, CR and LF. */
const char *seg_logp_trim_end(const char *p, const char *end);
/* First occurrence of needle in [p, end), or NULL (memmem is not POSIX 2008). */
const char *seg_logp_find(const char *p, const char *end, const char *needle, size_t n);
/* Copies [p, end) into dst[size] through the terminal sanitiser; sets r->truncated when it
 * did not fit and flag_trunc is set. */
void seg_logp_copy(char *dst, size_t size, const char *p, const char *end, struct seg_log_record *r,
                   bool flag_trunc);
/* A request id: 1..36 printable ASCII bytes (0x21-0x7E) ending at a blank or end. */
bool seg_logp_request_id(const char *p, const char *end, char *dst, const char **next);
/* A UUID-shaped token (8-4-4-4-12 alphanumerics), as in app-line prefixes. */
bool seg_logp_uuid_like(const char *p, const char *end);
/* Unsigned decimal "123" or "123.45" (no sign, exponent, inf, nan). */
bool seg_logp_decimal(const char *p, const char *end, double *out, const char **next);
/* YYYY-MM-DD[T ]HH:MM:SS[.fff][Z] in UTC, to epoch milliseconds. */
bool seg_logp_time_ms(const char *p, const char *end, int64_t *ms, const char **next);

enum seg_log_status seg_logp_status(const char *s, size_t n);
enum seg_log_level seg_logp_level(const char *s, size_t n);

/* "Key: value unit" fields of REPORT/START/END/INIT_* lines, up to end (one line). */
void seg_logp_fields(const char *p, const char *end, struct seg_log_record *r);
/* Any text line that is not REPORT. */
void seg_logp_text(const char *p, const char *end, struct seg_log_record *r);
/* Classifies an application message body (handler lines, errors) with r->level set. */
void seg_logp_body(const char *p, const char *end, struct seg_log_record *r);
/* A JSON record; false (r untouched) when [p, p+len) is not a JSON object. */
bool seg_logp_json(const char *p, size_t len, struct seg_log_record *r);

#endif
