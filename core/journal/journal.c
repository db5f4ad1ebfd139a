#include "journal/journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/jsonw.h"
#include "util/buf.h"
#include "util/timefmt.h"
#include "util/xalloc.h"
#include "version.h"

#define FLUSH_BYTES    (64 * 1024) /* write out when the buffer holds this much */
#define FLUSH_EVERY_MS 1000
#define STOP_RESERVE   256 /* room kept under the cap for the stop record */

struct seg_journal {
    int fd;
    char *path;
    struct seg_buf buf; /* lines not yet written */
    uint64_t written;   /* bytes in the file */
    uint64_t max_bytes;
    int64_t last_flush_ms; /* monotonic */
    struct seg_store *store;
    int64_t now_ms; /* latest set_now, written lazily */
    bool now_dirty;
    enum seg_err failed; /* sticky: SEG_ERR_TOOBIG or SEG_ERR_IO once stopped */
    char problem[320];
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum seg_err seg_journal_default_dir(char **out, struct seg_errmsg *err)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    if (xdg && xdg[0] == '/') { /* the XDG spec says to ignore a relative value */
        *out = seg_xasprintf("%s/segtop", xdg);
        return SEG_OK;
    }
    const char *home = getenv("HOME");
    if (!home || !*home) {
        seg_errmsg_set(err, "journal: neither XDG_STATE_HOME nor HOME is set");
        return SEG_ERR_INVALID;
    }
    *out = seg_xasprintf("%s/.local/state/segtop", home);
    return SEG_OK;
}

/* mkdir -p, new directories 0700 (the journal is the user's business only). */
static enum seg_err make_dirs(const char *dir, struct seg_errmsg *err)
{
    char *p = seg_xstrdup(dir);
    for (char *q = p + 1;; q++) {
        if (*q != '/' && *q != '\0')
            continue;
        char c = *q;
        *q = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            seg_errmsg_set(err, "journal: cannot create %s: %s", p, strerror(errno));
            free(p);
            return SEG_ERR_IO;
        }
        *q = c;
        if (c == '\0')
            break;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        seg_errmsg_set(err, "journal: %s is not a directory", dir);
        return SEG_ERR_IO;
    }
    return SEG_OK;
}

/* `last` -> base name, replaced atomically (symlink to a temporary name, then rename). */
static void point_last(const char *dir, const char *base)
{
    char *tmp = seg_xasprintf("%s/.last-%ld", dir, (long)getpid());
    char *last = seg_xasprintf("%s/%s", dir, SEG_JOURNAL_LAST);
    (void)unlink(tmp);
    if (symlink(base, tmp) != 0 || rename(tmp, last) != 0)
        (void)unlink(tmp); /* replay --last then names an older session: not fatal */
    free(tmp);
    free(last);
}

/* Stops journaling for good: "journal <path>: <what>; journaling stopped<tail>". */
static void stop(struct seg_journal *j, enum seg_err e, const char *what, const char *tail)
{
    if (j->failed)
        return;
    j->failed = e;
    snprintf(j->problem, sizeof j->problem, "journal %s: %s; journaling stopped%s", j->path, what,
             tail);
    seg_buf_reset(&j->buf);
}

static void write_out(struct seg_journal *j)
{
    size_t off = 0;
    while (!j->failed && off < j->buf.len) {
        ssize_t n = write(j->fd, j->buf.data + off, j->buf.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            char what[160];
            snprintf(what, sizeof what, "write failed (%s)", strerror(n < 0 ? errno : EIO));
            stop(j, SEG_ERR_IO, what, "");
            return;
        }
        off += (size_t)n;
        j->written += (uint64_t)n;
    }
    seg_buf_reset(&j->buf);
}

static void add_now_record(struct seg_journal *j)
{
    if (!j->now_dirty)
        return;
    j->now_dirty = false;
    struct seg_jsonw w;
    seg_jsonw_begin(&w, &j->buf, "now");
    seg_jsonw_time(&w, "ms", j->now_ms);
    seg_jsonw_end(&w);
}

static void flush_now(struct seg_journal *j)
{
    if (!j->failed) {
        add_now_record(j);
        write_out(j);
    }
    j->last_flush_ms = mono_ms();
}

enum seg_err seg_journal_flush(struct seg_journal *j)
{
    if (!j)
        return SEG_OK;
    flush_now(j);
    return j->failed;
}

const char *seg_journal_problem(const struct seg_journal *j)
{
    return j && j->failed ? j->problem : NULL;
}

/* Called after each record is added: enforce the cap, write out when due. */
static void after_record(struct seg_journal *j, const struct seg_jsonw *w, size_t mark,
                         bool wave_done)
{
    if (j->failed)
        return;
    if (w->failed) { /* a string beyond the buffer's cap: drop the record, stop */
        j->buf.len = mark;
        if (j->buf.data)
            j->buf.data[mark] = '\0';
        write_out(j);
        stop(j, SEG_ERR_TOOBIG, "a record is too large", "");
        return;
    }
    if (j->written + j->buf.len + STOP_RESERVE > j->max_bytes) {
        j->buf.len = mark; /* drop the record that does not fit */
        j->buf.data[mark] = '\0';
        char reason[96];
        snprintf(reason, sizeof reason, "size cap of %llu bytes reached",
                 (unsigned long long)j->max_bytes);
        struct seg_jsonw sw;
        seg_jsonw_begin(&sw, &j->buf, "stop");
        seg_jsonw_str(&sw, "reason", reason);
        seg_jsonw_end(&sw);
        write_out(j);
        stop(j, SEG_ERR_TOOBIG, reason, " (the session goes on; replay shows it up to here)");
        return;
    }
    if (wave_done || j->buf.len >= FLUSH_BYTES || mono_ms() - j->last_flush_ms >= FLUSH_EVERY_MS)
        flush_now(j);
}

/* ---- observer ------------------------------------------------------------------------ */

#define BEGIN(op)               \
    struct seg_journal *j = ud; \
    if (j->failed)              \
        return;                 \
    size_t mark = j->buf.len;   \
    struct seg_jsonw w;         \
    seg_jsonw_begin(&w, &j->buf, op)

static bool wave_done(struct seg_journal *j, int wave)
{
    return j->store && seg_store_wave_complete(j->store, wave);
}

static void on_wave_begin(void *ud, int size, enum seg_trigger trigger, const char *key,
                          int64_t now_ms, int wave)
{
    BEGIN("wave");
    seg_jsonw_int(&w, "wave", wave);
    seg_jsonw_int(&w, "size", size);
    seg_jsonw_str(&w, "trigger", seg_trigger_name(trigger));
    seg_jsonw_str(&w, "key", key);
    seg_jsonw_time(&w, "now", now_ms);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, false);
}

static void on_set_site(void *ud, int site, const char *function)
{
    BEGIN("site");
    seg_jsonw_int(&w, "site", site);
    seg_jsonw_str(&w, "function", function);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, false);
}

static void on_set_clock_offset(void *ud, int64_t offset_ms)
{
    BEGIN("offset");
    seg_jsonw_int(&w, "ms", offset_ms);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, false);
}

static void on_set_now(void *ud, int64_t now_ms)
{
    struct seg_journal *j = ud;
    j->now_ms = now_ms; /* every tick: written once per flush, not once per call */
    j->now_dirty = true;
}

static void on_trigger_sent(void *ud, int wave, int site, int64_t ts_ms)
{
    BEGIN("sent");
    seg_jsonw_int(&w, "wave", wave);
    seg_jsonw_int(&w, "site", site);
    seg_jsonw_time(&w, "ts", ts_ms);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, false);
}

static void on_trigger_accepted(void *ud, int wave, int site, int64_t ts_ms, const char *rid)
{
    BEGIN("accepted");
    seg_jsonw_int(&w, "wave", wave);
    seg_jsonw_int(&w, "site", site);
    seg_jsonw_time(&w, "ts", ts_ms);
    seg_jsonw_str(&w, "rid", rid);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, false);
}

static void on_trigger_failed(void *ud, int wave, int site, int64_t ts_ms, bool throttled,
                              const char *message)
{
    BEGIN("failed");
    seg_jsonw_int(&w, "wave", wave);
    seg_jsonw_int(&w, "site", site);
    seg_jsonw_time(&w, "ts", ts_ms);
    seg_jsonw_bool(&w, "throttled", throttled);
    seg_jsonw_text(&w, "msg", message);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, wave_done(j, wave));
}

static void on_bind(void *ud, int wave, int site, const char *rid)
{
    BEGIN("bind");
    seg_jsonw_int(&w, "wave", wave);
    seg_jsonw_int(&w, "site", site);
    seg_jsonw_str(&w, "rid", rid);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, false);
}

static void on_start(void *ud, const char *rid, int64_t ts_ms)
{
    BEGIN("start");
    seg_jsonw_str(&w, "rid", rid);
    seg_jsonw_time(&w, "ts", ts_ms);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, false);
}

static void on_report(void *ud, const char *rid, const struct seg_report *r)
{
    BEGIN("report");
    seg_jsonw_str(&w, "rid", rid);
    seg_jsonw_time(&w, "ts", r->ts_ms);
    seg_jsonw_time(&w, "ingest", r->ingest_ms);
    seg_jsonw_time(&w, "event", r->event_time_ms);
    seg_jsonw_time(&w, "db", r->db_write_ms);
    seg_jsonw_num(&w, "duration", r->duration_ms);
    seg_jsonw_num(&w, "billed", r->billed_ms);
    seg_jsonw_num(&w, "init", r->init_ms);
    seg_jsonw_int(&w, "memory", r->memory_mb);
    seg_jsonw_int(&w, "max_memory", r->max_memory_mb);
    seg_jsonw_bool(&w, "cold", r->cold);
    seg_jsonw_str(&w, "status", seg_inv_status_name(r->status));
    seg_jsonw_text(&w, "error_type", r->error_type);
    seg_jsonw_text(&w, "error_message", r->error_message);
    seg_jsonw_end(&w);
    int wave = 0, site = 0, attempt = 0;
    bool done = j->store && seg_store_find(j->store, rid, &wave, &site, &attempt) == SEG_OK &&
                wave_done(j, wave);
    after_record(j, &w, mark, done);
}

static void on_declare_missing(void *ud, int wave, int site, int64_t now_ms)
{
    BEGIN("missing");
    seg_jsonw_int(&w, "wave", wave);
    seg_jsonw_int(&w, "site", site);
    seg_jsonw_time(&w, "now", now_ms);
    seg_jsonw_end(&w);
    after_record(j, &w, mark, wave_done(j, wave));
}

static const struct seg_store_observer journal_ops = {
    .wave_begin = on_wave_begin,
    .set_site = on_set_site,
    .set_clock_offset = on_set_clock_offset,
    .set_now = on_set_now,
    .trigger_sent = on_trigger_sent,
    .trigger_accepted = on_trigger_accepted,
    .trigger_failed = on_trigger_failed,
    .bind = on_bind,
    .start = on_start,
    .report = on_report,
    .declare_missing = on_declare_missing,
};

void seg_journal_attach(struct seg_journal *j, struct seg_store *store)
{
    if (j->store && j->store != store)
        seg_store_set_observer(j->store, NULL, NULL);
    j->store = store;
    if (store)
        seg_store_set_observer(store, &journal_ops, j);
}

/* ---- open and close ------------------------------------------------------------------ */

static int open_new(const char *dir, char **path_out)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    for (int k = 1; k <= 100; k++) {
        char suffix[16] = "";
        if (k > 1)
            snprintf(suffix, sizeof suffix, "-%d", k);
        char *path = seg_xasprintf("%s/journal-%s-%ld%s.jsonl", dir, stamp, (long)getpid(), suffix);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) {
            *path_out = path;
            return fd;
        }
        free(path);
    }
    *path_out = NULL;
    errno = EEXIST;
    return -1;
}

enum seg_err seg_journal_open(const char *dir, struct seg_journal **out, struct seg_errmsg *err)
{
    char *own_dir = NULL;
    enum seg_err rc = SEG_OK;
    if (!dir) {
        if ((rc = seg_journal_default_dir(&own_dir, err)))
            return rc;
        dir = own_dir;
    }
    if ((rc = make_dirs(dir, err))) {
        free(own_dir);
        return rc;
    }
    char *path = NULL;
    int fd = open_new(dir, &path);
    if (fd < 0) {
        seg_errmsg_set(err, "journal: cannot create a file in %s: %s", dir, strerror(errno));
        free(path);
        free(own_dir);
        return SEG_ERR_IO;
    }
    struct seg_journal *j = seg_xcalloc(1, sizeof *j);
    j->fd = fd;
    j->path = path;
    j->max_bytes = SEG_JOURNAL_MAX_BYTES;
    j->now_ms = SEG_TIME_NONE;
    j->last_flush_ms = mono_ms();
    seg_buf_init(&j->buf, 0);

    char created[32];
    seg_time_format_ms((int64_t)time(NULL) * 1000, 'T', true, true, created);
    struct seg_jsonw w;
    seg_jsonw_header(&w, &j->buf, SEG_JOURNAL_VERSION);
    seg_jsonw_str(&w, "segtop", SEGTOP_VERSION);
    seg_jsonw_str(&w, "created", created);
    seg_jsonw_int(&w, "pid", (int64_t)getpid());
    seg_jsonw_end(&w);
    write_out(j);
    if (j->failed) {
        seg_errmsg_set(err, "%s", j->problem);
        if (seg_journal_close(j) != SEG_OK) {
            /* already failing: the write error above is the one to report */
        }
        free(own_dir);
        return SEG_ERR_IO;
    }
    const char *base = strrchr(path, '/');
    point_last(dir, base ? base + 1 : path);
    free(own_dir);
    *out = j;
    return SEG_OK;
}

const char *seg_journal_path(const struct seg_journal *j)
{
    return j->path;
}

void seg_journal_set_max_bytes(struct seg_journal *j, uint64_t max_bytes)
{
    j->max_bytes = max_bytes ? max_bytes : SEG_JOURNAL_MAX_BYTES;
}

enum seg_err seg_journal_close(struct seg_journal *j)
{
    if (!j)
        return SEG_OK;
    if (j->store)
        seg_store_set_observer(j->store, NULL, NULL);
    enum seg_err rc = seg_journal_flush(j);
    if (j->fd >= 0) {
        if (fsync(j->fd) != 0 && !rc)
            rc = SEG_ERR_IO;
        if (close(j->fd) != 0 && !rc)
            rc = SEG_ERR_IO;
    }
    /* TOOBIG only means the tail was cut on purpose: closing itself went fine. */
    if (rc == SEG_ERR_TOOBIG)
        rc = SEG_OK;
    seg_buf_release(&j->buf);
    free(j->path);
    free(j);
    return rc;
}
