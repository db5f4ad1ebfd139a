#include "export/csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/timefmt.h"
#include "util/xalloc.h"

void seg_csv_init(struct seg_csv *w, FILE *f)
{
    w->f = f;
    w->row_started = false;
}

static void sep(struct seg_csv *w)
{
    if (w->row_started)
        fputc(',', w->f);
    w->row_started = true;
}

static bool is_trigger(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool seg_csv_needs_neutralize(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == '\'')
        i++;
    return i < n && is_trigger(s[i]);
}

const char *seg_csv_unneutralize(const char *s)
{
    if (s[0] != '\'')
        return s;
    return seg_csv_needs_neutralize(s + 1, strlen(s + 1)) ? s + 1 : s;
}

void seg_csv_textn(struct seg_csv *w, const char *s, size_t n)
{
    sep(w);
    if (!s || !n)
        return;
    bool neutral = seg_csv_needs_neutralize(s, n);
    bool quote = memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\r', n) || memchr(s, '\n', n);
    if (quote)
        fputc('"', w->f);
    if (neutral)
        fputc('\'', w->f);
    if (quote) {
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"')
                fputc('"', w->f);
            fputc(s[i], w->f);
        }
        fputc('"', w->f);
    } else {
        fwrite(s, 1, n, w->f);
    }
}

void seg_csv_text(struct seg_csv *w, const char *s)
{
    seg_csv_textn(w, s, s ? strlen(s) : 0);
}

void seg_csv_raw(struct seg_csv *w, const char *s)
{
    sep(w);
    fputs(s, w->f);
}

void seg_csv_empty(struct seg_csv *w)
{
    sep(w);
}

void seg_csv_i64(struct seg_csv *w, int64_t v)
{
    sep(w);
    fprintf(w->f, "%lld", (long long)v);
}

void seg_csv_double(struct seg_csv *w, const char *fmt, double v)
{
    sep(w);
    if (!isfinite(v))
        return;
    char buf[64];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(buf, sizeof buf, fmt, v);
#pragma GCC diagnostic pop
    fputs(buf, w->f);
}

void seg_csv_ms(struct seg_csv *w, double v)
{
    sep(w);
    if (!isfinite(v))
        return;
    char buf[64];
    snprintf(buf, sizeof buf, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf);
        while (e > dot + 1 && e[-1] == '0')
            e--;
        if (e == dot + 1)
            e = dot;
        *e = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    fputs(buf, w->f);
}

void seg_csv_time(struct seg_csv *w, int64_t ms)
{
    sep(w);
    if (ms == INT64_MIN)
        return;
    char buf[32];
    seg_time_format_ms(ms, 'T', true, true, buf);
    fputs(buf, w->f);
}

void seg_csv_end_row(struct seg_csv *w)
{
    fputc('\n', w->f);
    w->row_started = false;
}

enum seg_err seg_csv_status(const struct seg_csv *w)
{
    return ferror(w->f) ? SEG_ERR_IO : SEG_OK;
}

/* ---- reader ---------------------------------------------------------------------------- */

void seg_csv_record_init(struct seg_csv_record *r)
{
    memset(r, 0, sizeof *r);
    seg_buf_init(&r->storage, 0);
}

void seg_csv_record_release(struct seg_csv_record *r)
{
    if (!r)
        return;
    free(r->cells);
    seg_buf_release(&r->storage);
    memset(r, 0, sizeof *r);
}

enum seg_err seg_csv_read_record(const char *data, size_t len, size_t *pos, bool strip,
                                 size_t max_cells, struct seg_csv_record *r)
{
    size_t i = *pos;
    if (i >= len)
        return SEG_ERR_NOTFOUND;
    seg_buf_reset(&r->storage);
    r->n = 0;
    /* Cell start offsets first: storage may move while it grows. */
    size_t *offs = NULL, n_offs = 0, alloc_offs = 0;
    enum seg_err err = SEG_OK;
    for (;;) {
        if (n_offs == max_cells) {
            err = SEG_ERR_TOOBIG;
            goto out;
        }
        if (n_offs == alloc_offs) {
            alloc_offs = alloc_offs ? alloc_offs * 2 : 16;
            offs = seg_xrealloc(offs, alloc_offs * sizeof *offs);
        }
        offs[n_offs++] = r->storage.len;
        if (i < len && data[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    err = SEG_ERR_PARSE; /* unterminated quoted cell */
                    goto out;
                }
                if (data[i] == '"') {
                    if (i + 1 < len && data[i + 1] == '"') {
                        err = seg_buf_addc(&r->storage, '"');
                        i += 2;
                    } else {
                        i++;
                        break;
                    }
                } else {
                    err = seg_buf_addc(&r->storage, data[i++]);
                }
                if (err)
                    goto out;
            }
            if (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
                err = SEG_ERR_PARSE; /* text after the closing quote */
                goto out;
            }
        } else {
            size_t s0 = i;
            while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
                i++;
            if ((err = seg_buf_add(&r->storage, data + s0, i - s0)))
                goto out;
        }
        if ((err = seg_buf_addc(&r->storage, '\0')))
            goto out;
        if (i < len && data[i] == ',') {
            i++;
            continue;
        }
        if (i < len && data[i] == '\r')
            i++;
        if (i < len && data[i] == '\n')
            i++;
        break;
    }
    if (n_offs > r->cells_alloc) {
        r->cells_alloc = n_offs;
        r->cells = seg_xrealloc(r->cells, n_offs * sizeof *r->cells);
    }
    for (size_t k = 0; k < n_offs; k++) {
        char *c = r->storage.data + offs[k];
        r->cells[k] = c + (strip ? seg_csv_unneutralize(c) - c : 0);
    }
    r->n = n_offs;
    *pos = i;
out:
    free(offs);
    return err;
}
