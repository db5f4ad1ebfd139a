#include "engine/correlate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dedupe.h"
#include "logs/parse.h"
#include "util/xalloc.h"

#define STREAM_STARTS 32 /* STARTs remembered per stream (one environment, recent ones) */

/* ---- a small string-keyed hash table ---- */

struct hent {
    char *key;
    void *val;
    struct hent *next;
};

struct htab {
    struct hent **b;
    size_t nb, n;
};

static void *hget(const struct htab *t, const char *key)
{
    if (!t->nb)
        return NULL;
    size_t i = seg_dedupe_hash(key, strlen(key)) & (t->nb - 1);
    for (struct hent *e = t->b[i]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e->val;
    return NULL;
}

static void hput(struct htab *t, const char *key, void *val)
{
    if (t->n >= t->nb) {
        size_t nb = t->nb ? t->nb * 2 : 256;
        struct hent **b = seg_xcalloc(nb, sizeof *b);
        for (size_t i = 0; i < t->nb; i++) {
            for (struct hent *e = t->b[i], *next; e; e = next) {
                next = e->next;
                size_t j = seg_dedupe_hash(e->key, strlen(e->key)) & (nb - 1);
                e->next = b[j];
                b[j] = e;
            }
        }
        free(t->b);
        t->b = b;
        t->nb = nb;
    }
    struct hent *e = seg_xcalloc(1, sizeof *e);
    e->key = seg_xstrdup(key);
    e->val = val;
    size_t i = seg_dedupe_hash(key, strlen(key)) & (t->nb - 1);
    e->next = t->b[i];
    t->b[i] = e;
    t->n++;
}

static void hfree(struct htab *t, void (*fv)(void *))
{
    for (size_t i = 0; i < t->nb; i++) {
        for (struct hent *e = t->b[i], *next; e; e = next) {
            next = e->next;
            if (fv)
                fv(e->val);
            free(e->key);
            free(e);
        }
    }
    free(t->b);
    memset(t, 0, sizeof *t);
}

/* ---- state ---- */

enum mark_kind { MARK_EVENT_TIME, MARK_DB_WRITE, MARK_ERROR, MARK_IMAGE };

struct stream;

struct mark {
    enum mark_kind kind;
    int64_t ts, val; /* val: MARK_IMAGE the wave of its key; MARK_EVENT_TIME the time */
    char *text;
    const struct stream *via; /* the stream whose START claimed the line; NULL: it named its id */
};

struct rep {
    int64_t ts, ingest;
    double duration, billed, init;
    int32_t memory, max_memory;
    bool cold, emitted;
    enum seg_inv_status status;
    char error_type[SEG_LOG_ERROR_TYPE_MAX + 1];
    int gsite;
};

struct start {
    int64_t ts;
    int64_t init_ts; /* the stream's INIT_START when this was its first START; else NONE */
};

struct inv {
    char rid[SEG_LOG_REQUEST_ID_MAX + 1];
    int wave, site; /* 0 until known */
    int gsite;      /* group of its first event */
    bool bound;     /* the store knows the id */
    bool pending;   /* on the work list */
    struct start *starts;
    size_t nstarts;
    struct rep *reps;
    size_t nreps;
    struct mark *marks;
    size_t nmarks;
    int64_t open_start;  /* START sent to the store for the open attempt, or NONE */
    int64_t last_report; /* last REPORT sent, or NONE */
    bool extra;          /* started by the bucket's notification (invoke/event) */
    size_t extra_runs;   /* of those, reported through on_extra so far */
};

/* A line waiting for its stream's START. */
struct orphan {
    int64_t ts;
    struct seg_log_record rec;
};

struct stream {
    int64_t start_ts[STREAM_STARTS];
    struct inv *start_inv[STREAM_STARTS];
    size_t nstarts;  /* sorted by ts */
    int64_t init_ts; /* INIT_START of the environment, or NONE */
    struct orphan *orphans;
    size_t norphans;
};

struct wavekey {
    int wave;
    char *key;
};

struct seg_corr {
    struct seg_store *store;
    enum seg_trigger trigger;
    struct seg_corr_hooks hooks;
    struct htab invs, streams;
    struct wavekey *waves;
    size_t nwaves;
    int64_t *covered; /* per gsite (index 0: shared group) */
    int ncovered;
    struct htab resolved; /* "wave|site" whose Invoke has its answer (invoke/event) */
    struct inv **work;    /* invs with held work */
    size_t nwork, capwork;
    struct seg_corr_stats st;
};

static void inv_free(void *p)
{
    struct inv *v = p;
    for (size_t i = 0; i < v->nmarks; i++)
        free(v->marks[i].text);
    free(v->marks);
    free(v->starts);
    free(v->reps);
    free(v);
}

static void stream_free(void *p)
{
    struct stream *s = p;
    free(s->orphans);
    free(s);
}

struct seg_corr *seg_corr_new(struct seg_store *store, enum seg_trigger trigger,
                              const struct seg_corr_hooks *hooks)
{
    struct seg_corr *c = seg_xcalloc(1, sizeof *c);
    c->store = store;
    c->trigger = trigger;
    if (hooks)
        c->hooks = *hooks;
    return c;
}

void seg_corr_free(struct seg_corr *c)
{
    if (!c)
        return;
    hfree(&c->invs, inv_free);
    hfree(&c->streams, stream_free);
    hfree(&c->resolved, NULL);
    for (size_t i = 0; i < c->nwaves; i++)
        free(c->waves[i].key);
    free(c->waves);
    free(c->covered);
    free(c->work);
    free(c);
}

void seg_corr_stats(const struct seg_corr *c, struct seg_corr_stats *out)
{
    *out = c->st;
    out->held_reports = 0;
    out->unbound_ids = 0;
    for (size_t i = 0; i < c->nwork; i++) {
        struct inv *v = c->work[i];
        if (!v->bound && !v->extra)
            out->unbound_ids++;
        for (size_t j = 0; j < v->nreps; j++)
            out->held_reports += !v->reps[j].emitted;
    }
}

void seg_corr_add_wave(struct seg_corr *c, int wave, const char *key)
{
    c->waves = seg_xrealloc(c->waves, (c->nwaves + 1) * sizeof *c->waves);
    c->waves[c->nwaves++] = (struct wavekey){wave, seg_xstrdup(key)};
}

static int wave_of_key(const struct seg_corr *c, const char *key)
{
    for (size_t i = c->nwaves; i-- > 0;)
        if (strcmp(c->waves[i].key, key) == 0)
            return c->waves[i].wave;
    return 0;
}

static struct inv *inv_get(struct seg_corr *c, const char *rid, int gsite)
{
    struct inv *v = hget(&c->invs, rid);
    if (!v) {
        v = seg_xcalloc(1, sizeof *v);
        snprintf(v->rid, sizeof v->rid, "%s", rid);
        v->gsite = gsite;
        v->open_start = v->last_report = SEG_TIME_NONE;
        hput(&c->invs, rid, v);
    }
    return v;
}

static void work_add(struct seg_corr *c, struct inv *v)
{
    if (v->pending)
        return;
    if (c->nwork == c->capwork) {
        c->capwork = c->capwork ? c->capwork * 2 : 64;
        c->work = seg_xrealloc(c->work, c->capwork * sizeof *c->work);
    }
    c->work[c->nwork++] = v;
    v->pending = true;
}

void seg_corr_known(struct seg_corr *c, const char *request_id, int wave, int site)
{
    struct inv *v = inv_get(c, request_id, site);
    v->wave = wave;
    v->site = site;
    v->bound = true;
    work_add(c, v);
}

static void resolved_key(int wave, int site, char out[32])
{
    snprintf(out, 32, "%d|%d", wave, site);
}

void seg_corr_trigger_resolved(struct seg_corr *c, int wave, int site)
{
    char key[32];
    resolved_key(wave, site, key);
    if (!hget(&c->resolved, key))
        hput(&c->resolved, key, c); /* any non-NULL value: present */
}

/* An unbound id of a wave's object at a site whose Invoke already answered with another id
 * (or none): the notification started it. */
static bool is_extra(struct seg_corr *c, struct inv *v)
{
    char key[32];
    if (v->extra)
        return true;
    if (c->trigger == SEG_TRIGGER_S3 || v->bound || !v->wave || !v->site)
        return false;
    resolved_key(v->wave, v->site, key);
    if (!hget(&c->resolved, key))
        return false;
    v->extra = true;
    c->st.extra_ids++;
    return true;
}

/* Counts an extra run's new STARTs or REPORTs (whichever are more: one may be lost). */
static void extra_advance(struct seg_corr *c, struct inv *v)
{
    size_t runs = v->nstarts > v->nreps ? v->nstarts : v->nreps;
    int64_t since = v->nstarts > v->nreps ? v->starts[v->nstarts - 1].ts : SEG_TIME_NONE;
    int fresh = (int)(runs - v->extra_runs);
    v->extra_runs = runs;
    for (size_t i = 0; i < v->nreps; i++)
        v->reps[i].emitted = true;
    if (c->hooks.on_extra)
        c->hooks.on_extra(c->hooks.ud, v->wave, v->site, fresh, since);
}

static int64_t covered_of(const struct seg_corr *c, int gsite)
{
    return gsite >= 0 && gsite < c->ncovered ? c->covered[gsite] : SEG_TIME_NONE;
}

void seg_corr_covered(struct seg_corr *c, int gsite, int64_t covered_ms)
{
    if (gsite < 0)
        return;
    if (gsite >= c->ncovered) {
        int n = gsite + 64;
        c->covered = seg_xrealloc(c->covered, (size_t)n * sizeof *c->covered);
        for (int i = c->ncovered; i < n; i++)
            c->covered[i] = SEG_TIME_NONE;
        c->ncovered = n;
    }
    if (covered_ms > c->covered[gsite])
        c->covered[gsite] = covered_ms;
}

/* Site number from "Site ID: 7" / "site7". */
static int parse_site(const char *s)
{
    size_t n = strlen(s);
    size_t i = n;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        i--;
    if (i == n || n - i > 6)
        return 0;
    return atoi(s + i);
}

static void add_mark(struct inv *v, enum mark_kind k, int64_t ts, int64_t val, const char *text,
                     const struct stream *via)
{
    for (size_t i = 0; i < v->nmarks; i++)
        if (v->marks[i].kind == k && v->marks[i].ts == ts)
            return; /* the same line again */
    v->marks = seg_xrealloc(v->marks, (v->nmarks + 1) * sizeof *v->marks);
    v->marks[v->nmarks++] = (struct mark){k, ts, val, text ? seg_xstrdup(text) : NULL, via};
}

static void try_bind(struct seg_corr *c, struct inv *v)
{
    if (v->bound || !v->wave || !v->site || c->trigger != SEG_TRIGGER_S3)
        return;
    enum seg_err rc = seg_store_bind(c->store, v->wave, v->site, v->rid);
    if (rc == SEG_OK)
        v->bound = true;
    /* SEG_ERR_STATE: an earlier attempt of (wave, site) is open under another id (a
     * duplicated S3 event): retried at the next flush. */
}

static enum seg_inv_status status_of(const struct seg_log_record *r)
{
    switch (r->status) {
    case SEG_LOG_STATUS_TIMEOUT:
        return SEG_INV_TIMEOUT;
    case SEG_LOG_STATUS_ERROR:
    case SEG_LOG_STATUS_FAILURE:
    case SEG_LOG_STATUS_OTHER:
        return SEG_INV_ERROR;
    default:
        return SEG_INV_OK;
    }
}

/* Applies a line whose request id is known (via: the stream whose START claimed it, NULL
 * when the line named its request id). */
static void apply(struct seg_corr *c, struct inv *v, int gsite, int64_t ts, int64_t ingest,
                  const struct seg_log_record *r, const struct stream *via)
{
    switch (r->kind) {
    case SEG_LOG_IMAGE_NAME: {
        int wave = wave_of_key(c, r->image_name);
        if (!v->wave) {
            v->wave = wave;
            if (gsite > 0)
                v->site = gsite;
        }
        add_mark(v, MARK_IMAGE, ts, wave, NULL, via);
        break;
    }
    case SEG_LOG_EVENT_TIME:
        if (!v->site && gsite == 0)
            v->site = parse_site(r->site_id);
        if (r->has_event_time)
            add_mark(v, MARK_EVENT_TIME, ts, r->event_time_ms, NULL, via);
        break;
    case SEG_LOG_DB_WRITE:
        add_mark(v, MARK_DB_WRITE, ts, ts, NULL, via);
        break;
    case SEG_LOG_TIMEOUT:
    case SEG_LOG_OOM:
    case SEG_LOG_RUNTIME_EXIT:
    case SEG_LOG_TRACEBACK:
    case SEG_LOG_APP_ERROR:
        add_mark(v, MARK_ERROR, ts, 0, r->excerpt, via);
        break;
    case SEG_LOG_REPORT: {
        for (size_t i = 0; i < v->nreps; i++)
            if (v->reps[i].ts == ts)
                return; /* the same REPORT through another event id */
        struct rep p = {.ts = ts,
                        .ingest = ingest,
                        .duration = r->has_duration ? r->duration_ms : NAN,
                        .billed = r->has_billed ? r->billed_ms : NAN,
                        .init = r->has_init ? r->init_ms : NAN,
                        .memory = r->has_memory ? (int32_t)r->memory_mb : -1,
                        .max_memory = r->has_max_memory ? (int32_t)r->max_memory_mb : -1,
                        .cold = seg_log_record_cold(r),
                        .status = status_of(r),
                        .gsite = gsite};
        snprintf(p.error_type, sizeof p.error_type, "%s", r->error_type);
        size_t i = v->nreps;
        v->reps = seg_xrealloc(v->reps, (v->nreps + 1) * sizeof *v->reps);
        while (i > 0 && v->reps[i - 1].ts > ts) {
            v->reps[i] = v->reps[i - 1];
            i--;
        }
        v->reps[i] = p;
        v->nreps++;
        break;
    }
    default:
        return;
    }
    try_bind(c, v);
    work_add(c, v);
}

static void add_start(struct inv *v, int64_t ts, int64_t init_ts)
{
    for (size_t i = 0; i < v->nstarts; i++) {
        if (v->starts[i].ts == ts) {
            if (init_ts != SEG_TIME_NONE)
                v->starts[i].init_ts = init_ts;
            return;
        }
    }
    size_t i = v->nstarts;
    v->starts = seg_xrealloc(v->starts, (v->nstarts + 1) * sizeof *v->starts);
    while (i > 0 && v->starts[i - 1].ts > ts) {
        v->starts[i] = v->starts[i - 1];
        i--;
    }
    v->starts[i] = (struct start){ts, init_ts};
    v->nstarts++;
}

/* The START of the stream owning a line at ts, or NULL: the latest START not after it, unless
 * that run is known to have ended before ts (a REPORT of its id in [START, ts)) or the line
 * is the Image Name of another wave's object. Then the line's own START has not been read
 * yet (each event has its own ingestion delay, so a warm run's first lines can arrive before
 * its START) and the line waits for it, instead of going to the previous run. */
static struct inv *owner(const struct seg_corr *c, const struct stream *s, int64_t ts,
                         const struct seg_log_record *rec)
{
    for (size_t i = s->nstarts; i-- > 0;) {
        if (s->start_ts[i] > ts)
            continue;
        struct inv *v = s->start_inv[i];
        for (size_t k = 0; k < v->nreps; k++)
            if (v->reps[k].ts >= s->start_ts[i] && v->reps[k].ts < ts)
                return NULL;
        if (rec->kind == SEG_LOG_IMAGE_NAME && v->wave) {
            int w = wave_of_key(c, rec->image_name);
            if (w && w != v->wave)
                return NULL;
        }
        return v;
    }
    return NULL;
}

static struct stream *stream_get(struct seg_corr *c, int gsite, const char *name)
{
    char key[700];
    snprintf(key, sizeof key, "%d|%s", gsite, name ? name : "");
    struct stream *s = hget(&c->streams, key);
    if (!s) {
        s = seg_xcalloc(1, sizeof *s);
        s->init_ts = SEG_TIME_NONE;
        hput(&c->streams, key, s);
    }
    return s;
}

/* START i of the stream was read after lines of its run that went to the run before it
 * (whose REPORT, which would have shown that it had ended, was not read yet either): they
 * move to START i's run, the lines that START claimed at or after it and before the next. */
static void rehome(struct seg_corr *c, struct stream *s, size_t i)
{
    struct inv *from = i > 0 ? s->start_inv[i - 1] : NULL, *to = s->start_inv[i];
    if (!from || from == to)
        return;
    int64_t lo = s->start_ts[i], hi = i + 1 < s->nstarts ? s->start_ts[i + 1] : INT64_MAX;
    size_t k = 0;
    bool image = false;
    for (size_t j = 0; j < from->nmarks; j++) {
        struct mark m = from->marks[j];
        if (m.via != s || m.ts < lo || m.ts >= hi) {
            from->marks[k++] = m;
            continue;
        }
        if (m.kind == MARK_IMAGE && !to->wave)
            to->wave = (int)m.val;
        if (!to->site)
            to->site = from->site; /* one stream is one function's environment */
        image |= m.kind == MARK_IMAGE;
        add_mark(to, m.kind, m.ts, m.val, m.text, s);
        free(m.text);
    }
    if (k == from->nmarks)
        return;
    from->nmarks = k;
    if (image && !from->bound) { /* its wave came from its own Image Name, if any */
        from->wave = 0;
        for (size_t j = 0; j < from->nmarks; j++)
            if (from->marks[j].kind == MARK_IMAGE)
                from->wave = (int)from->marks[j].val;
    }
    try_bind(c, to);
    work_add(c, from);
}

static void stream_start(struct seg_corr *c, struct stream *s, int gsite, int64_t ts, struct inv *v)
{
    for (size_t i = 0; i < s->nstarts; i++)
        if (s->start_ts[i] == ts && s->start_inv[i] == v)
            return;
    if (s->nstarts == STREAM_STARTS) { /* forget the oldest */
        memmove(s->start_ts, s->start_ts + 1, (STREAM_STARTS - 1) * sizeof *s->start_ts);
        memmove(s->start_inv, s->start_inv + 1, (STREAM_STARTS - 1) * sizeof *s->start_inv);
        s->nstarts--;
    }
    size_t i = s->nstarts;
    while (i > 0 && s->start_ts[i - 1] > ts) {
        s->start_ts[i] = s->start_ts[i - 1];
        s->start_inv[i] = s->start_inv[i - 1];
        i--;
    }
    s->start_ts[i] = ts;
    s->start_inv[i] = v;
    s->nstarts++;
    /* The environment's first START carries its INIT_START. */
    add_start(v, ts,
              i == 0 && s->init_ts != SEG_TIME_NONE && s->init_ts <= ts ? s->init_ts
                                                                        : SEG_TIME_NONE);
    rehome(c, s, i);
    /* Lines that were waiting for an owner. */
    size_t k = 0;
    for (size_t j = 0; j < s->norphans; j++) {
        struct inv *o = owner(c, s, s->orphans[j].ts, &s->orphans[j].rec);
        if (o)
            apply(c, o, gsite, s->orphans[j].ts, SEG_TIME_NONE, &s->orphans[j].rec, s);
        else
            s->orphans[k++] = s->orphans[j];
    }
    s->norphans = k;
    work_add(c, v);
}

/* Every line of a site, any kind, for the site detail's last lines. In a shared group only
 * a line whose request id is bound names its site. */
static void note_line(struct seg_corr *c, int gsite, int64_t ts, const struct seg_log_record *rec)
{
    int site = gsite;
    if (site <= 0) {
        const struct inv *v = rec->request_id[0] ? hget(&c->invs, rec->request_id) : NULL;
        site = v ? v->site : 0;
    }
    if (site > 0 && rec->line[0])
        seg_store_log_line(c->store, site, ts, rec->line);
}

void seg_corr_event(struct seg_corr *c, int gsite, const char *stream, int64_t ts_ms,
                    int64_t ingest_ms, const struct seg_log_record *rec)
{
    note_line(c, gsite, ts_ms, rec);
    if (rec->kind == SEG_LOG_OTHER)
        return;
    c->st.events++;
    struct stream *s = stream_get(c, gsite, stream);
    if (rec->kind == SEG_LOG_INIT_START) {
        s->init_ts = ts_ms;
        if (s->nstarts && s->start_ts[0] >= ts_ms)
            add_start(s->start_inv[0], s->start_ts[0], ts_ms);
        return;
    }
    if (rec->kind == SEG_LOG_START && rec->request_id[0]) {
        stream_start(c, s, gsite, ts_ms, inv_get(c, rec->request_id, gsite));
        return;
    }
    struct inv *v = NULL;
    if (rec->request_id[0] && rec->kind != SEG_LOG_IMAGE_NAME && rec->kind != SEG_LOG_EVENT_TIME)
        v = inv_get(c, rec->request_id, gsite);
    else if (rec->request_id[0])
        v = inv_get(c, rec->request_id, gsite);
    else
        v = owner(c, s, ts_ms, rec);
    if (!v) {
        if (s->norphans >= 4096) { /* a stream with no START in sight: drop the oldest */
            memmove(s->orphans, s->orphans + 1, (s->norphans - 1) * sizeof *s->orphans);
            s->norphans--;
        }
        s->orphans = seg_xrealloc(s->orphans, (s->norphans + 1) * sizeof *s->orphans);
        s->orphans[s->norphans++] = (struct orphan){ts_ms, *rec};
        c->st.orphan_lines++;
        return;
    }
    apply(c, v, gsite, ts_ms, ingest_ms, rec, rec->request_id[0] ? NULL : s);
}

/* The latest mark of kind k within (lo, hi]. */
static const struct mark *mark_in(const struct inv *v, enum mark_kind k, int64_t lo, int64_t hi)
{
    const struct mark *best = NULL;
    for (size_t i = 0; i < v->nmarks; i++) {
        const struct mark *m = &v->marks[i];
        if (m->kind == k && m->ts > lo && m->ts <= hi && (!best || m->ts > best->ts))
            best = m;
    }
    return best;
}

static void do_start(struct seg_corr *c, struct inv *v, int64_t ts)
{
    if (seg_store_start(c->store, v->rid, ts) == SEG_OK) {
        v->open_start = ts;
        if (c->hooks.on_start)
            c->hooks.on_start(c->hooks.ud, v->wave, v->site, ts);
    }
}

/* Sends what is ready, in time order; false when something is still held. */
static bool advance(struct seg_corr *c, struct inv *v)
{
    if (!v->bound) {
        try_bind(c, v);
        if (!v->bound && !is_extra(c, v))
            return false;
    }
    if (v->extra) {
        extra_advance(c, v);
        return true;
    }
    size_t si = 0;
    int64_t prev = SEG_TIME_NONE;
    for (size_t ri = 0; ri <= v->nreps; ri++) {
        struct rep *p = ri < v->nreps ? &v->reps[ri] : NULL;
        int64_t hi = p ? p->ts : INT64_MAX;
        /* STARTs before this REPORT (and after the previous one). */
        const struct start *own = NULL;
        for (; si < v->nstarts && v->starts[si].ts <= hi; si++) {
            if (v->starts[si].ts <= prev)
                continue;
            own = &v->starts[si];
            if ((p && p->emitted) || v->last_report >= own->ts || v->open_start == own->ts)
                continue;
            do_start(c, v, own->ts);
        }
        if (!p)
            break;
        if (!p->emitted) {
            const struct mark *et = mark_in(v, MARK_EVENT_TIME, prev, p->ts);
            int64_t cov = covered_of(c, p->gsite);
            if (!et && (cov == SEG_TIME_NONE || cov < p->ts))
                return false; /* held: its Event Time line may still come */
            const struct mark *db = mark_in(v, MARK_DB_WRITE, prev, p->ts);
            const struct mark *er = mark_in(v, MARK_ERROR, prev, p->ts);
            if (p->cold && own) {
                int64_t st = own->init_ts != SEG_TIME_NONE ? own->init_ts
                             : !isnan(p->init)             ? own->ts - (int64_t)p->init
                                                           : own->ts;
                if (st != v->open_start)
                    do_start(c, v, st);
            }
            struct seg_report r;
            seg_report_init(&r);
            r.ts_ms = p->ts;
            r.ingest_ms = p->ingest;
            r.event_time_ms = et ? et->val : SEG_TIME_NONE;
            r.db_write_ms = db ? db->val : SEG_TIME_NONE;
            r.duration_ms = p->duration;
            r.billed_ms = p->billed;
            r.init_ms = p->init;
            r.memory_mb = p->memory;
            r.max_memory_mb = p->max_memory;
            r.cold = p->cold;
            r.status = p->status;
            r.error_type = p->error_type[0] ? p->error_type : NULL;
            r.error_message = er && er->text && er->text[0] ? er->text : NULL;
            if (r.status == SEG_INV_OK && er && !p->error_type[0])
                r.error_message = NULL;
            enum seg_err rc = seg_store_report(c->store, v->rid, &r);
            p->emitted = true;
            if (rc == SEG_OK) {
                c->st.reports_emitted++;
                v->last_report = p->ts;
                v->open_start = SEG_TIME_NONE;
                if (c->hooks.on_report)
                    c->hooks.on_report(c->hooks.ud, v->wave, v->site, r.status, p->ts, p->ingest);
            }
        }
        prev = p->ts;
    }
    return true;
}

void seg_corr_flush(struct seg_corr *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->nwork; i++) {
        struct inv *v = c->work[i];
        if (advance(c, v))
            v->pending = false;
        else
            c->work[k++] = v;
    }
    c->nwork = k;
}
