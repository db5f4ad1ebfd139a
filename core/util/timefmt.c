#include "util/timefmt.h"

#include <stdio.h>
#include <string.h>

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

int64_t seg_time_days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool seg_time_digits(const char *s, size_t n, int *out)
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

enum seg_err seg_time_from_civil(int y, int mo, int d, int h, int mi, int s, time_t *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /* 60 admits a leap second as AWS timestamps may carry one; it rolls into the next. */
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60)
        return SEG_ERR_PARSE;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] + (mo == 2 && leap))
        return SEG_ERR_PARSE;
    int64_t t = seg_time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    if (sizeof(time_t) < 8 && t > 0x7fffffffLL)
        return SEG_ERR_PARSE;
    /* 9999-12-31T23:59:60 would roll into year 10000, which no 4-digit format can print. */
    if (t >= seg_time_days_from_civil(10000, 1, 1) * 86400)
        return SEG_ERR_PARSE;
    *out = (time_t)t;
    return SEG_OK;
}

void seg_time_format_http(time_t t, char out[SEG_HTTP_DATE_LEN + 1])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        memset(&tm, 0, sizeof tm);
        tm.tm_year = 70;
        tm.tm_mday = 1;
        tm.tm_wday = 4;
    }
    snprintf(out, SEG_HTTP_DATE_LEN + 1, "%s, %02u %s %04u %02u:%02u:%02u GMT",
             wdays[(unsigned)tm.tm_wday % 7u], (unsigned)tm.tm_mday % 100u,
             months[(unsigned)tm.tm_mon % 12u], (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

enum seg_err seg_time_parse_http(const char *s, time_t *out)
{
    int y, mo = 0, d, h, mi, sec;
    /* Fixed layout, 29 bytes. */
    if (strlen(s) != SEG_HTTP_DATE_LEN || memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' ||
        s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' || strcmp(s + 25, " GMT") != 0)
        return SEG_ERR_PARSE;
    bool wday_ok = false;
    for (size_t i = 0; i < SEG_ARRAY_LEN(wdays); i++)
        wday_ok |= memcmp(s, wdays[i], 3) == 0;
    for (int i = 0; i < 12; i++)
        if (memcmp(s + 8, months[i], 3) == 0)
            mo = i + 1;
    if (!wday_ok || !mo || !seg_time_digits(s + 5, 2, &d) || !seg_time_digits(s + 12, 4, &y) ||
        !seg_time_digits(s + 17, 2, &h) || !seg_time_digits(s + 20, 2, &mi) ||
        !seg_time_digits(s + 23, 2, &sec))
        return SEG_ERR_PARSE;
    return seg_time_from_civil(y, mo, d, h, mi, sec, out);
}

enum seg_err seg_time_parse_iso8601(const char *s, time_t *out)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    if (strlen(s) < 20 || !seg_time_digits(s, 4, &y) || s[4] != '-' ||
        !seg_time_digits(s + 5, 2, &mo) || s[7] != '-' || !seg_time_digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !seg_time_digits(s + 11, 2, &h) ||
        s[13] != ':' || !seg_time_digits(s + 14, 2, &mi) || s[16] != ':' ||
        !seg_time_digits(s + 17, 2, &se))
        return SEG_ERR_PARSE;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return SEG_ERR_PARSE;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int sign = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        sign = 0;
    } else if ((*p == '+' || *p == '-') && seg_time_digits(p + 1, 2, &oh)) {
        sign = *p == '+' ? 1 : -1;
        const char *q = p + 3;
        if (*q == ':')
            q++;
        if (!seg_time_digits(q, 2, &om) || q[2] != '\0' || oh > 23 || om > 59)
            return SEG_ERR_PARSE;
    } else {
        return SEG_ERR_PARSE;
    }
    time_t t;
    enum seg_err rc = seg_time_from_civil(y, mo, d, h, mi, se, &t);
    if (rc)
        return rc;
    t -= (time_t)sign * (oh * 3600 + om * 60);
    if (t <= 0)
        return SEG_ERR_PARSE;
    *out = t;
    return SEG_OK;
}

void seg_time_format_ms(int64_t ms, char sepc, bool millis, bool zone, char out[32])
{
    /* Floor division so times before 1970 still format (they never should occur). */
    int64_t secs = ms / 1000, rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        secs--;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        out[0] = '\0';
        return;
    }
    int n = snprintf(out, 32, "%04d-%02d-%02d%c%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, sepc, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (n < 0 || n >= 32)
        return;
    if (millis)
        n += snprintf(out + n, 32 - (size_t)n, ".%03d", (int)rem);
    if (zone && n < 31)
        snprintf(out + n, 32 - (size_t)n, "Z");
}

/* "YYYY-MM-DD?HH:MM:SS[.f...][Z]"; strict: separator 'T' and the Z required. */
static bool parse_ms(const char *s, bool strict, int64_t *out)
{
    int y, mo, d, h, mi, se, ms = 0;
    bool sep_ok = s[0] && strlen(s) >= 19 && (s[10] == 'T' || (!strict && s[10] == ' '));
    if (!sep_ok || !seg_time_digits(s, 4, &y) || s[4] != '-' || !seg_time_digits(s + 5, 2, &mo) ||
        s[7] != '-' || !seg_time_digits(s + 8, 2, &d) || !seg_time_digits(s + 11, 2, &h) ||
        s[13] != ':' || !seg_time_digits(s + 14, 2, &mi) || s[16] != ':' ||
        !seg_time_digits(s + 17, 2, &se))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        int digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 3)
                ms = ms * 10 + (*p - '0');
        if (digits == 0)
            return false;
        for (; digits < 3; digits++)
            ms *= 10;
    }
    if (*p == 'Z')
        p++;
    else if (strict)
        return false;
    time_t t;
    if (*p || seg_time_from_civil(y, mo, d, h, mi, se, &t) != SEG_OK)
        return false;
    *out = (int64_t)t * 1000 + ms;
    return true;
}

bool seg_time_parse_iso_ms(const char *s, int64_t *out)
{
    return parse_ms(s, true, out);
}

bool seg_time_parse_civil_ms(const char *s, int64_t *out)
{
    return parse_ms(s, false, out);
}
