#include "replay/replay.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "export/exporters.h"
#include "metrics/snapshot.h"
#include "replay/replay_internal.h"
#include "util/xalloc.h"

/* ---- helpers shared by the loaders ---------------------------------------------------- */

enum seg_err replay_fail(const struct replay_ctx *c, size_t line, enum seg_err rc, const char *fmt,
                         ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line)
        seg_errmsg_set(c->err, "%s:%zu: %s", c->name, line, msg);
    else
        seg_errmsg_set(c->err, "%s: %s", c->name, msg);
    return rc;
}

bool replay_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!*s || !(*s == '-' || (*s >= '0' && *s <= '9')))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool replay_parse_double(const char *s, double *out)
{
    if (!*s || !(*s == '-' || *s == '.' || (*s >= '0' && *s <= '9')))
        return false;
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

bool replay_trigger_from_name(const char *s, enum seg_trigger *out)
{
    for (int t = SEG_TRIGGER_S3; t <= SEG_TRIGGER_EVENT; t++) {
        if (strcmp(s, seg_trigger_name((enum seg_trigger)t)) == 0) {
            *out = (enum seg_trigger)t;
            return true;
        }
    }
    return false;
}

bool replay_status_from_name(const char *s, enum seg_inv_status *out)
{
    for (int st = 0; st < SEG_INV__COUNT; st++) {
        if (strcmp(s, seg_inv_status_name((enum seg_inv_status)st)) == 0) {
            *out = (enum seg_inv_status)st;
            return true;
        }
    }
    return false;
}

bool replay_span_ok(struct replay_ctx *c, int64_t t)
{
    if (t == SEG_TIME_NONE)
        return true;
    int64_t lo = c->span_lo == SEG_TIME_NONE || t < c->span_lo ? t : c->span_lo;
    int64_t hi = c->span_hi == SEG_TIME_NONE || t > c->span_hi ? t : c->span_hi;
    if (hi / 2 - lo / 2 > REPLAY_MAX_SPAN_MS / 2) /* halves: no overflow */
        return false;
    c->span_lo = lo;
    c->span_hi = hi;
    return true;
}

size_t replay_count_lines(const char *data, size_t from, size_t to)
{
    size_t n = 0;
    for (const char *p = data + from, *end = data + to;
         p < end && (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    return n;
}

enum seg_err replay_rows_open(struct replay_ctx *c, struct replay_rows *r, const char *data,
                              size_t len, size_t ncols)
{
    *r = (struct replay_rows){.data = data, .len = len, .ncols = ncols};
    seg_csv_record_init(&r->rec);
    /* The header line was checked by format detection: skip it. */
    enum seg_err rc = seg_csv_read_record(data, len, &r->pos, false, REPLAY_MAX_CELLS, &r->rec);
    r->next_line = 1 + replay_count_lines(data, 0, r->pos);
    if (rc)
        return replay_fail(c, 1, rc, "unreadable header");
    return SEG_OK;
}

enum seg_err replay_rows_next(struct replay_ctx *c, struct replay_rows *r, size_t *line)
{
    for (;;) {
        size_t at = r->next_line, before = r->pos;
        enum seg_err rc =
            seg_csv_read_record(r->data, r->len, &r->pos, true, REPLAY_MAX_CELLS, &r->rec);
        if (rc == SEG_ERR_NOTFOUND)
            return rc;
        if (rc)
            return replay_fail(c, at, rc,
                               rc == SEG_ERR_TOOBIG ? "too many cells" : "bad CSV quoting");
        r->next_line += replay_count_lines(r->data, before, r->pos);
        if (r->rec.n == 1 && !r->rec.cells[0][0])
            continue; /* a blank line */
        if (r->rec.n != r->ncols)
            return replay_fail(c, at, SEG_ERR_PARSE, "%zu cells, expected %zu", r->rec.n, r->ncols);
        *line = at;
        return SEG_OK;
    }
}

void replay_rows_close(struct replay_rows *r)
{
    seg_csv_record_release(&r->rec);
}

/* ---- detection and loading ------------------------------------------------------------ */

const char *seg_replay_format_name(enum seg_replay_format f)
{
    switch (f) {
    case SEG_REPLAY_JOURNAL:
        return "journal";
    case SEG_REPLAY_INVOCATIONS:
        return "invocations CSV";
    case SEG_REPLAY_LOGSDATA:
        return "logsdata.csv";
    case SEG_REPLAY_UNKNOWN:
    default:
        return "unknown";
    }
}

static bool line_is(const char *line, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(line, want, n) == 0;
}

enum seg_replay_format seg_replay_detect(const char *data, size_t len)
{
    const char *nl = memchr(data, '\n', len);
    size_t n = nl ? (size_t)(nl - data) : len;
    if (n && data[n - 1] == '\r')
        n--;
    static const char jhead[] = "{\"segtop_journal\":";
    if (n >= sizeof jhead - 1 && memcmp(data, jhead, sizeof jhead - 1) == 0)
        return SEG_REPLAY_JOURNAL;
    if (line_is(data, n, seg_export_header(SEG_EXPORT_INVOCATIONS)))
        return SEG_REPLAY_INVOCATIONS;
    if (line_is(data, n, seg_export_header(SEG_EXPORT_SEED)))
        return SEG_REPLAY_LOGSDATA;
    return SEG_REPLAY_UNKNOWN;
}

enum seg_err seg_replay_load_buffer(struct seg_store *store, const char *name, const char *data,
                                    size_t len, struct seg_replay_info *info,
                                    struct seg_errmsg *err)
{
    struct seg_replay_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) { /* a BOM from a spreadsheet */
        data += 3;
        len -= 3;
    }
    struct replay_ctx c = {
        .store = store,
        .name = name,
        .wave_base = seg_store_wave_count(store),
        .span_lo = SEG_TIME_NONE,
        .span_hi = SEG_TIME_NONE,
        .info = info,
        .err = err,
    };
    info->format = seg_replay_detect(data, len);
    enum seg_err rc;
    switch (info->format) {
    case SEG_REPLAY_JOURNAL:
        rc = replay_load_journal(&c, data, len);
        break;
    case SEG_REPLAY_INVOCATIONS:
        rc = replay_load_invocations(&c, data, len);
        break;
    case SEG_REPLAY_LOGSDATA:
        rc = replay_load_logsdata(&c, data, len);
        break;
    case SEG_REPLAY_UNKNOWN:
    default:
        return replay_fail(&c, 1, SEG_ERR_PARSE,
                           len ? "not a segtop journal, invocations CSV or logsdata.csv (unknown "
                                 "first line)"
                               : "empty file");
    }
    info->waves = seg_store_wave_count(store) - c.wave_base;
    return rc;
}

/* The whole file, at most SEG_REPLAY_MAX_BYTES; works for pipes too. */
static enum seg_err read_all(const char *path, char **data, size_t *len, struct seg_errmsg *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        seg_errmsg_set(err, "%s: cannot open: %s", path, strerror(errno));
        return SEG_ERR_IO;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        seg_errmsg_set(err, "%s: is a directory", path);
        return SEG_ERR_IO;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = seg_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if ((uint64_t)cap >= SEG_REPLAY_MAX_BYTES) {
                free(buf);
                fclose(f);
                seg_errmsg_set(err, "%s: larger than %llu MiB; not replayed", path,
                               (unsigned long long)(SEG_REPLAY_MAX_BYTES >> 20));
                return SEG_ERR_TOOBIG;
            }
            cap *= 2;
            if ((uint64_t)cap > SEG_REPLAY_MAX_BYTES)
                cap = (size_t)SEG_REPLAY_MAX_BYTES;
            buf = seg_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        free(buf);
        seg_errmsg_set(err, "%s: cannot read: %s", path, strerror(saved));
        return SEG_ERR_IO;
    }
    *data = buf;
    *len = n;
    return SEG_OK;
}

enum seg_err seg_replay_load_file(struct seg_store *store, const char *path,
                                  struct seg_replay_info *info, struct seg_errmsg *err)
{
    char *data = NULL;
    size_t len = 0;
    enum seg_err rc = read_all(path, &data, &len, err);
    if (rc)
        return rc;
    rc = seg_replay_load_buffer(store, path, data, len, info, err);
    free(data);
    return rc;
}

enum seg_err seg_replay_last_path(char **out, struct seg_errmsg *err)
{
    char *dir = NULL;
    enum seg_err rc = seg_journal_default_dir(&dir, err);
    if (rc)
        return rc;
    char *path = seg_xasprintf("%s/%s", dir, SEG_JOURNAL_LAST);
    struct stat st;
    if (stat(path, &st) != 0) {
        seg_errmsg_set(err, "no journal of a previous session: %s %s", path,
                       errno == ENOENT ? "does not exist" : strerror(errno));
        free(path);
        free(dir);
        return SEG_ERR_NOTFOUND;
    }
    free(dir);
    *out = path;
    return SEG_OK;
}

enum seg_err seg_replay_write_waves(struct seg_store *store, FILE *out)
{
    struct seg_snapshot *snap = seg_store_snapshot(store);
    enum seg_err rc = seg_export_write_waves(out, snap);
    if (!rc && fflush(out) != 0)
        rc = SEG_ERR_IO;
    seg_snapshot_release(snap);
    return rc;
}
