/* Journal replay: each line's mutation re-applied to the store in order (format in
 * journal/journal.h). Every record was a successful call in the live session, so any call
 * that fails here means the file is not what the journal wrote: an error with its line. */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "replay/replay_internal.h"

#define MAX_SAFE_INT 9007199254740992.0 /* 2^53: larger integers lose precision in JSON */

struct rec {
    const cJSON *o;
    struct replay_ctx *c;
    size_t line;
    const char *bad; /* first missing or ill-typed field */
    bool reported;   /* the message is set already */
};

static const cJSON *field(struct rec *r, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->o, k);
    if (!v && !r->bad)
        r->bad = k;
    return v;
}

static int64_t get_int(struct rec *r, const char *k, bool nullable, int64_t none)
{
    const cJSON *v = field(r, k);
    if (v && nullable && cJSON_IsNull(v))
        return none;
    if (!v || !cJSON_IsNumber(v) || fabs(v->valuedouble) > MAX_SAFE_INT ||
        v->valuedouble != floor(v->valuedouble)) {
        if (!r->bad)
            r->bad = k;
        return none;
    }
    return (int64_t)v->valuedouble;
}

static int get_i32(struct rec *r, const char *k)
{
    int64_t v = get_int(r, k, false, 0);
    if (v < INT32_MIN || v > INT32_MAX) {
        if (!r->bad)
            r->bad = k;
        return 0;
    }
    return (int)v;
}

static int64_t get_time(struct rec *r, const char *k)
{
    return get_int(r, k, true, SEG_TIME_NONE);
}

static double get_num(struct rec *r, const char *k)
{
    const cJSON *v = field(r, k);
    if (v && cJSON_IsNull(v))
        return NAN;
    if (!v || !cJSON_IsNumber(v)) {
        if (!r->bad)
            r->bad = k;
        return NAN;
    }
    return v->valuedouble;
}

static const char *get_str(struct rec *r, const char *k)
{
    const cJSON *v = field(r, k);
    if (v && cJSON_IsNull(v))
        return NULL;
    if (!v || !cJSON_IsString(v)) {
        if (!r->bad)
            r->bad = k;
        return NULL;
    }
    return v->valuestring;
}

static bool get_bool(struct rec *r, const char *k)
{
    const cJSON *v = field(r, k);
    if (!v || !cJSON_IsBool(v)) {
        if (!r->bad)
            r->bad = k;
        return false;
    }
    return cJSON_IsTrue(v);
}

static enum seg_err span(struct rec *r, int64_t t)
{
    if (replay_span_ok(r->c, t))
        return SEG_OK;
    r->reported = true;
    return replay_fail(r->c, r->line, SEG_ERR_TOOBIG,
                       "times span more than %lld days; not a load test session",
                       REPLAY_MAX_SPAN_MS / 86400000);
}

static enum seg_err apply(struct rec *r, const char *op, bool *stop)
{
    const struct replay_ctx *c = r->c;
    struct seg_store *s = c->store;
    int base = c->wave_base;
    enum seg_err rc = SEG_OK;
    if (strcmp(op, "wave") == 0) {
        int wave = get_i32(r, "wave"), size = get_i32(r, "size");
        const char *tname = get_str(r, "trigger"), *key = get_str(r, "key");
        int64_t now = get_time(r, "now");
        enum seg_trigger t = SEG_TRIGGER_S3;
        if (!r->bad && (!tname || !replay_trigger_from_name(tname, &t)))
            r->bad = "trigger";
        if (r->bad)
            return SEG_ERR_PARSE;
        int got = 0;
        if ((rc = seg_store_wave_begin(s, size, t, key, now, &got)))
            return rc;
        r->reported = got != wave + base;
        if (r->reported)
            return replay_fail(c, r->line, SEG_ERR_PARSE, "wave %d out of order (expected %d)",
                               wave, got - base);
    } else if (strcmp(op, "site") == 0) {
        int site = get_i32(r, "site");
        const char *fn = get_str(r, "function");
        if (r->bad)
            return SEG_ERR_PARSE;
        if (site < 1 || site > REPLAY_MAX_SITE) /* the store sizes its site table by it */
            return SEG_ERR_INVALID;
        seg_store_set_site(s, site, fn);
    } else if (strcmp(op, "offset") == 0) {
        int64_t ms = get_int(r, "ms", false, 0);
        if (r->bad)
            return SEG_ERR_PARSE;
        seg_store_set_clock_offset(s, ms);
    } else if (strcmp(op, "now") == 0) {
        int64_t ms = get_time(r, "ms");
        if (r->bad)
            return SEG_ERR_PARSE;
        seg_store_set_now(s, ms);
    } else if (strcmp(op, "sent") == 0) {
        int wave = get_i32(r, "wave"), site = get_i32(r, "site");
        int64_t ts = get_time(r, "ts");
        if (r->bad)
            return SEG_ERR_PARSE;
        rc = seg_store_trigger_sent(s, wave + base, site, ts);
    } else if (strcmp(op, "accepted") == 0) {
        int wave = get_i32(r, "wave"), site = get_i32(r, "site");
        int64_t ts = get_time(r, "ts");
        const char *rid = get_str(r, "rid");
        if (r->bad)
            return SEG_ERR_PARSE;
        rc = seg_store_trigger_accepted(s, wave + base, site, ts, rid);
    } else if (strcmp(op, "failed") == 0) {
        int wave = get_i32(r, "wave"), site = get_i32(r, "site");
        int64_t ts = get_time(r, "ts");
        bool throttled = get_bool(r, "throttled");
        const char *msg = get_str(r, "msg");
        if (r->bad)
            return SEG_ERR_PARSE;
        rc = seg_store_trigger_failed(s, wave + base, site, ts, throttled, msg);
    } else if (strcmp(op, "bind") == 0) {
        int wave = get_i32(r, "wave"), site = get_i32(r, "site");
        const char *rid = get_str(r, "rid");
        if (r->bad)
            return SEG_ERR_PARSE;
        rc = seg_store_bind(s, wave + base, site, rid);
    } else if (strcmp(op, "start") == 0) {
        const char *rid = get_str(r, "rid");
        int64_t ts = get_time(r, "ts");
        if (r->bad)
            return SEG_ERR_PARSE;
        if ((rc = span(r, ts)))
            return rc;
        rc = rid ? seg_store_start(s, rid, ts) : SEG_ERR_INVALID;
    } else if (strcmp(op, "report") == 0) {
        struct seg_report rep;
        seg_report_init(&rep);
        const char *rid = get_str(r, "rid");
        rep.ts_ms = get_time(r, "ts");
        rep.ingest_ms = get_time(r, "ingest");
        rep.event_time_ms = get_time(r, "event");
        rep.db_write_ms = get_time(r, "db");
        rep.duration_ms = get_num(r, "duration");
        rep.billed_ms = get_num(r, "billed");
        rep.init_ms = get_num(r, "init");
        rep.memory_mb = get_i32(r, "memory");
        rep.max_memory_mb = get_i32(r, "max_memory");
        rep.cold = get_bool(r, "cold");
        const char *st = get_str(r, "status");
        rep.error_type = get_str(r, "error_type");
        rep.error_message = get_str(r, "error_message");
        if (!r->bad && (!st || !replay_status_from_name(st, &rep.status)))
            r->bad = "status";
        if (r->bad)
            return SEG_ERR_PARSE;
        if ((rc = span(r, rep.ts_ms)))
            return rc;
        rc = rid ? seg_store_report(s, rid, &rep) : SEG_ERR_INVALID;
    } else if (strcmp(op, "missing") == 0) {
        int wave = get_i32(r, "wave"), site = get_i32(r, "site");
        int64_t now = get_time(r, "now");
        if (r->bad)
            return SEG_ERR_PARSE;
        rc = seg_store_declare_missing(s, wave + base, site, now);
    } else if (strcmp(op, "stop") == 0) {
        *stop = true;
    } else {
        r->reported = true;
        return replay_fail(c, r->line, SEG_ERR_PARSE, "unknown record \"%.40s\"", op);
    }
    return rc;
}

static enum seg_err header(const struct replay_ctx *c, const cJSON *o)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "segtop_journal");
    if (!cJSON_IsNumber(v) || v->valuedouble < 1)
        return replay_fail(c, 1, SEG_ERR_PARSE, "not a segtop journal header");
    if (v->valuedouble > SEG_JOURNAL_VERSION)
        return replay_fail(c, 1, SEG_ERR_PARSE,
                           "journal format %g is newer than this segtop reads (%d)", v->valuedouble,
                           SEG_JOURNAL_VERSION);
    return SEG_OK;
}

enum seg_err replay_load_journal(struct replay_ctx *c, const char *data, size_t len)
{
    size_t pos = 0, line = 0;
    while (pos < len) {
        line++;
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (data + pos)) : len - pos;
        const char *p = data + pos;
        pos += n + (nl ? 1 : 0);
        bool last = !nl; /* cut by a lost terminal: the write never finished */
        if (n && p[n - 1] == '\r')
            n--;
        if (n == 0)
            continue;
        if (n > REPLAY_MAX_LINE)
            return replay_fail(c, line, SEG_ERR_TOOBIG, "line longer than %d bytes",
                               REPLAY_MAX_LINE);
        cJSON *o = cJSON_ParseWithLength(p, n);
        if (!o || !cJSON_IsObject(o)) {
            cJSON_Delete(o);
            if (last && line > 1) {
                c->info->truncated = true;
                break;
            }
            return replay_fail(c, line, SEG_ERR_PARSE, "not a JSON object");
        }
        enum seg_err rc = SEG_OK;
        bool stop = false;
        if (line == 1) {
            rc = header(c, o);
        } else {
            const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");
            struct rec r = {.o = o, .c = c, .line = line};
            if (!cJSON_IsString(op)) {
                rc = replay_fail(c, line, SEG_ERR_PARSE, "record without \"op\"");
            } else {
                rc = apply(&r, op->valuestring, &stop);
                if (rc && r.bad)
                    rc = replay_fail(c, line, SEG_ERR_PARSE,
                                     "%s record: field \"%s\" missing or of the wrong type",
                                     op->valuestring, r.bad);
                else if (rc && !r.reported)
                    rc = replay_fail(c, line, rc, "%s record does not apply to the store (%s)",
                                     op->valuestring, seg_strerror(rc));
                else if (!rc)
                    c->info->records++;
            }
        }
        cJSON_Delete(o);
        if (rc)
            return rc;
        if (stop) {
            c->info->stopped = true;
            break;
        }
    }
    if (line == 0)
        return replay_fail(c, 1, SEG_ERR_PARSE, "empty journal");
    return SEG_OK;
}
