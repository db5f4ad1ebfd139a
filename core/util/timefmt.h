/* UTC time conversions without timegm() (not POSIX) and without the locale (strftime's %a
 * and %b follow it): civil dates, HTTP dates (IMF-fixdate) and ISO 8601. */
#ifndef SEGTOP_CORE_UTIL_TIMEFMT_H
#define SEGTOP_CORE_UTIL_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/seg.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t seg_time_days_from_civil(int64_t y, int64_t m, int64_t d);
/* A validated UTC date and time (year >= 1970) to epoch seconds. */
enum seg_err seg_time_from_civil(int y, int mo, int d, int h, int mi, int s,
                                 time_t *out) SEG_MUST_USE;
/* True when s starts with n ASCII digits; their value in *out. */
bool seg_time_digits(const char *s, size_t n, int *out);

#define SEG_HTTP_DATE_LEN 29
/* "Sun, 30 Aug 2015 12:36:00 GMT" */
void seg_time_format_http(time_t t, char out[SEG_HTTP_DATE_LEN + 1]);
enum seg_err seg_time_parse_http(const char *s, time_t *out) SEG_MUST_USE;

/* "2026-11-27T03:00:00Z", "…T03:00:00.123Z", "…T03:00:00+01:00" (also 't' or ' '). */
enum seg_err seg_time_parse_iso8601(const char *s, time_t *out) SEG_MUST_USE;

/* Epoch ms as "YYYY-MM-DD<sep>HH:MM:SS[.mmm][Z]" (UTC); times before 1970 floor correctly.
 * sep 'T' with millis and zone is the export format; ' ' without either is logsdata's. */
void seg_time_format_ms(int64_t ms, char sep, bool millis, bool zone, char out[32]);
/* "YYYY-MM-DDTHH:MM:SS[.fff…]Z" to epoch ms (fraction truncated to ms). */
bool seg_time_parse_iso_ms(const char *s, int64_t *out);
/* The same, also with ' ' for 'T' and the Z optional ("2025-05-08 23:00:40.448"). */
bool seg_time_parse_civil_ms(const char *s, int64_t *out);

#endif
