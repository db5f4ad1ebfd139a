#include "engine/keys.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum seg_err expand(const char *tpl, const char *stamp, int wave, int n, char *out,
                           size_t out_size, struct seg_errmsg *err)
{
    size_t len = 0;
    for (const char *p = tpl; *p;) {
        char piece[32];
        const char *add;
        size_t add_len;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t name_len = close ? (size_t)(close - p - 1) : 0;
            if (close && name_len == 5 && strncmp(p + 1, "stamp", 5) == 0)
                add = stamp;
            else if (close && name_len == 4 && strncmp(p + 1, "wave", 4) == 0)
                add = (snprintf(piece, sizeof piece, "%d", wave), piece);
            else if (close && name_len == 1 && p[1] == 'n')
                add = (snprintf(piece, sizeof piece, "%d", n), piece);
            else {
                seg_errmsg_set(err,
                               "--key-template: unknown placeholder at '%.20s'; use {stamp}, "
                               "{wave} or {n}",
                               p);
                return SEG_ERR_INVALID;
            }
            add_len = strlen(add);
            p = close + 1;
        } else {
            add = p;
            add_len = 1;
            p++;
        }
        if (len + add_len >= out_size) {
            seg_errmsg_set(err, "--key-template: the key would exceed %d bytes", SEG_KEY_MAX);
            return SEG_ERR_INVALID;
        }
        memcpy(out + len, add, add_len);
        len += add_len;
    }
    out[len] = '\0';
    if (len == 0) {
        seg_errmsg_set(err, "--key-template: the key is empty");
        return SEG_ERR_INVALID;
    }
    return SEG_OK;
}

static void format_stamp(int64_t ms, char out[20])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    snprintf(out, 20, "%04u-%02u-%02u_%02u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

enum seg_err seg_key_template_check(const char *tpl, struct seg_errmsg *err)
{
    char out[SEG_KEY_MAX + 1];
    /* Widest values, so a template that fits here fits for every wave. */
    return expand(tpl, "9999-12-31_23-59-59", 999999, 999999, out, sizeof out - 16, err);
}

enum seg_err seg_key_render(const char *tpl, int64_t start_ms, int wave, int n,
                            const char *const *used, size_t nused, char *out)
{
    char stamp[20];
    format_stamp(start_ms, stamp);
    enum seg_err rc = expand(tpl, stamp, wave, n, out, SEG_KEY_MAX + 1, NULL);
    if (rc)
        return rc;
    bool clash = false;
    for (size_t i = 0; i < nused && !clash; i++)
        clash = strcmp(used[i], out) == 0;
    if (!clash)
        return SEG_OK;
    /* Insert -w{wave} before the extension (or append it). */
    char suffix[24];
    snprintf(suffix, sizeof suffix, "-w%d", wave);
    size_t len = strlen(out), slen = strlen(suffix);
    const char *dot = strrchr(out, '.');
    const char *slash = strrchr(out, '/');
    size_t at = dot && (!slash || dot > slash) ? (size_t)(dot - out) : len;
    if (len + slen > SEG_KEY_MAX)
        return SEG_ERR_INVALID;
    memmove(out + at + slen, out + at, len - at + 1);
    memcpy(out + at, suffix, slen);
    return SEG_OK;
}
