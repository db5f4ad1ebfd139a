#include "sim/logstore.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "util/xalloc.h"

struct ev {
    int64_t ts;
    int64_t ingest;
    uint64_t seq;
    char *msg;
    size_t len;
};

/* Events are kept sorted by (ts, seq): seq only grows, so an insert goes after every event
 * with the same or an earlier timestamp. */
struct stream {
    char *name;
    int64_t created;
    struct ev *ev;
    size_t n, alloc;
    int64_t max_ingest;
    uint64_t bytes;
};

struct group {
    char *name;
    int64_t created;
    struct stream **s; /* sorted by name */
    size_t n, alloc;
    uint64_t bytes;
};

struct seg_sim_logstore {
    pthread_rwlock_t rw;
    const struct seg_sim_clock *clock;
    struct group **g; /* sorted by name */
    size_t n, alloc;
    uint64_t next_seq;
};

struct seg_sim_logstore *seg_sim_logstore_new(const struct seg_sim_clock *clock)
{
    struct seg_sim_logstore *ls = seg_xcalloc(1, sizeof *ls);
    pthread_rwlock_init(&ls->rw, NULL);
    ls->clock = clock;
    ls->next_seq = 1;
    return ls;
}

static void stream_free(struct stream *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->ev[i].msg);
    free(s->ev);
    free(s->name);
    free(s);
}

static void group_free(struct group *g)
{
    for (size_t i = 0; i < g->n; i++)
        stream_free(g->s[i]);
    free(g->s);
    free(g->name);
    free(g);
}

void seg_sim_logstore_free(struct seg_sim_logstore *ls)
{
    if (!ls)
        return;
    for (size_t i = 0; i < ls->n; i++)
        group_free(ls->g[i]);
    free(ls->g);
    pthread_rwlock_destroy(&ls->rw);
    free(ls);
}

/* Binary search over an array of pointers to structs whose first member is char *name. */
static size_t name_pos(void *const *arr, size_t n, const char *name, bool *found)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(*(char *const *)arr[mid], name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static struct group *find_group(const struct seg_sim_logstore *ls, const char *name)
{
    bool found;
    size_t i = name_pos((void *const *)ls->g, ls->n, name, &found);
    return found ? ls->g[i] : NULL;
}

static struct stream *find_stream(const struct group *g, const char *name)
{
    bool found;
    size_t i = name_pos((void *const *)g->s, g->n, name, &found);
    return found ? g->s[i] : NULL;
}

static void insert_ptr(void ***arr, size_t *n, size_t *alloc, size_t at, void *p)
{
    if (*n == *alloc) {
        *alloc = *alloc ? *alloc * 2 : 16;
        *arr = seg_xrealloc(*arr, *alloc * sizeof **arr);
    }
    memmove(*arr + at + 1, *arr + at, (*n - at) * sizeof **arr);
    (*arr)[at] = p;
    (*n)++;
}

static struct group *get_group(struct seg_sim_logstore *ls, const char *name, int64_t now)
{
    bool found;
    size_t i = name_pos((void *const *)ls->g, ls->n, name, &found);
    if (found)
        return ls->g[i];
    struct group *g = seg_xcalloc(1, sizeof *g);
    g->name = seg_xstrdup(name);
    g->created = now;
    insert_ptr((void ***)&ls->g, &ls->n, &ls->alloc, i, g);
    return g;
}

static struct stream *get_stream(struct group *g, const char *name, int64_t now)
{
    bool found;
    size_t i = name_pos((void *const *)g->s, g->n, name, &found);
    if (found)
        return g->s[i];
    struct stream *s = seg_xcalloc(1, sizeof *s);
    s->name = seg_xstrdup(name);
    s->created = now;
    s->max_ingest = INT64_MIN;
    insert_ptr((void ***)&g->s, &g->n, &g->alloc, i, s);
    return s;
}

void seg_sim_logstore_create_group(struct seg_sim_logstore *ls, const char *group)
{
    int64_t now = seg_sim_clock_now_ms(ls->clock);
    pthread_rwlock_wrlock(&ls->rw);
    (void)get_group(ls, group, now);
    pthread_rwlock_unlock(&ls->rw);
}

void seg_sim_logstore_put(struct seg_sim_logstore *ls, const char *group, const char *stream,
                          int64_t timestamp_ms, int64_t ingestion_ms, const char *message)
{
    int64_t now = seg_sim_clock_now_ms(ls->clock);
    size_t len = strnlen(message, SEG_SIM_LOG_MESSAGE_MAX);
    char *copy = seg_xstrndup(message, len);
    pthread_rwlock_wrlock(&ls->rw);
    struct group *g = get_group(ls, group, now);
    struct stream *s = get_stream(g, stream, now);
    if (s->n == s->alloc) {
        s->alloc = s->alloc ? s->alloc * 2 : 64;
        s->ev = seg_xrealloc(s->ev, s->alloc * sizeof *s->ev);
    }
    size_t at = s->n; /* mostly in order: walk back from the end */
    while (at > 0 && s->ev[at - 1].ts > timestamp_ms)
        at--;
    memmove(&s->ev[at + 1], &s->ev[at], (s->n - at) * sizeof *s->ev);
    s->ev[at] = (struct ev){timestamp_ms, ingestion_ms, ls->next_seq++, copy, len};
    s->n++;
    if (ingestion_ms > s->max_ingest)
        s->max_ingest = ingestion_ms;
    s->bytes += len;
    g->bytes += len;
    pthread_rwlock_unlock(&ls->rw);
}

void seg_sim_log_event_id(const struct seg_sim_log_event *ev, char out[SEG_SIM_EVENT_ID_SIZE])
{
    /* timestamp (20) + seq (20) + a mix of both (16): unique through seq, stable, and
     * ordered like AWS's ids by time first. */
    uint64_t ts = ev->timestamp_ms < 0 ? 0 : (uint64_t)ev->timestamp_ms;
    uint64_t h = (ev->seq ^ (ts << 17)) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    snprintf(out, SEG_SIM_EVENT_ID_SIZE, "%020" PRIu64 "%020" PRIu64 "%016" PRIu64, ts, ev->seq,
             (uint64_t)(h % 10000000000000000ull));
}

static int key_cmp(int64_t ts, uint64_t seq, struct seg_sim_log_key k)
{
    if (ts != k.ts)
        return ts < k.ts ? -1 : 1;
    return seq < k.seq ? -1 : seq > k.seq ? 1 : 0;
}

/* First index whose key is > k (strict) or >= k. */
static size_t lower(const struct stream *s, struct seg_sim_log_key k, bool strict)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = key_cmp(s->ev[mid].ts, s->ev[mid].seq, k);
        if (c < 0 || (strict && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static struct seg_sim_log_event view(const struct stream *s, const struct ev *e)
{
    return (struct seg_sim_log_event){s->name, e->ts, e->ingest, e->seq, e->msg, e->len};
}

/* ---- group scan: a k-way merge over the selected streams ---- */

struct cursor {
    const struct stream *s;
    size_t i;
};

static bool cur_less(const struct cursor *a, const struct cursor *b)
{
    const struct ev *x = &a->s->ev[a->i], *y = &b->s->ev[b->i];
    return x->ts != y->ts ? x->ts < y->ts : x->seq < y->seq;
}

static void sift_down(struct cursor *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cur_less(&h[l], &h[m]))
            m = l;
        if (r < n && cur_less(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        struct cursor t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static bool selected(const struct seg_sim_logstore_scan *q, const struct stream *s)
{
    if (q->stream_prefix && strncmp(s->name, q->stream_prefix, strlen(q->stream_prefix)) != 0)
        return false;
    if (!q->streams)
        return true;
    for (size_t i = 0; i < q->nstreams; i++)
        if (q->streams[i] && strcmp(q->streams[i], s->name) == 0)
            return true;
    return false;
}

enum seg_err seg_sim_logstore_scan(struct seg_sim_logstore *ls,
                                   const struct seg_sim_logstore_scan *q,
                                   struct seg_sim_logstore_scan_result *out)
{
    memset(out, 0, sizeof *out);
    pthread_rwlock_rdlock(&ls->rw);
    const struct group *g = find_group(ls, q->group);
    if (!g) {
        pthread_rwlock_unlock(&ls->rw);
        return SEG_ERR_NOTFOUND;
    }
    struct cursor *h = seg_xmalloc((g->n ? g->n : 1) * sizeof *h);
    size_t hn = 0;
    struct seg_sim_log_key from = {q->start_ms, 0};
    bool strict = false;
    if (q->has_after && key_cmp(q->after.ts, q->after.seq, from) >= 0) {
        from = q->after;
        strict = true;
    }
    out->last = from; /* resuming strictly after it loses nothing: seq 0 is no event's */
    for (size_t i = 0; i < g->n; i++) {
        const struct stream *s = g->s[i];
        if (!selected(q, s))
            continue;
        out->streams++;
        size_t at = lower(s, from, strict);
        if (at < s->n && s->ev[at].ts <= q->end_ms)
            h[hn++] = (struct cursor){s, at};
    }
    for (size_t i = hn / 2; i-- > 0;)
        sift_down(h, hn, i);
    bool stopped = false;
    while (hn > 0 && !stopped) {
        const struct stream *s = h[0].s;
        const struct ev *e = &s->ev[h[0].i];
        if (e->ingest <= q->now_ms) {
            if (q->max_scanned && out->scanned >= q->max_scanned)
                break; /* budget spent before this event: resume with it */
            struct seg_sim_log_event v = view(s, e);
            enum seg_sim_scan_verdict vd = q->visit(q->ud, &v);
            if (vd == SEG_SIM_SCAN_STOP_BEFORE)
                break;
            out->scanned++;
            out->bytes_scanned += e->len;
            stopped = vd == SEG_SIM_SCAN_STOP;
        }
        out->last = (struct seg_sim_log_key){e->ts, e->seq};
        if (++h[0].i < s->n && s->ev[h[0].i].ts <= q->end_ms)
            sift_down(h, hn, 0);
        else if (--hn > 0) {
            h[0] = h[hn];
            sift_down(h, hn, 0);
        }
    }
    out->more = hn > 0;
    free(h);
    pthread_rwlock_unlock(&ls->rw);
    return SEG_OK;
}

enum seg_err seg_sim_logstore_walk(struct seg_sim_logstore *ls,
                                   const struct seg_sim_logstore_walk *w)
{
    pthread_rwlock_rdlock(&ls->rw);
    const struct group *g = find_group(ls, w->group);
    const struct stream *s = g ? find_stream(g, w->stream) : NULL;
    if (!s) {
        pthread_rwlock_unlock(&ls->rw);
        return SEG_ERR_NOTFOUND;
    }
    if (w->forward) {
        struct seg_sim_log_key from = {w->start_ms, 0};
        bool strict = false;
        if (w->has_bound && key_cmp(w->bound.ts, w->bound.seq, from) >= 0) {
            from = w->bound;
            strict = true;
        }
        for (size_t i = lower(s, from, strict); i < s->n && s->ev[i].ts <= w->end_ms; i++) {
            if (s->ev[i].ingest > w->now_ms)
                continue;
            struct seg_sim_log_event v = view(s, &s->ev[i]);
            if (w->visit(w->ud, &v) != SEG_SIM_SCAN_NEXT)
                break;
        }
    } else {
        /* Everything below end_ms + 1 (or strictly below the bound), newest first. */
        struct seg_sim_log_key to = {w->end_ms == INT64_MAX ? INT64_MAX : w->end_ms + 1, 0};
        if (w->end_ms == INT64_MAX)
            to.seq = UINT64_MAX;
        if (w->has_bound && key_cmp(w->bound.ts, w->bound.seq, to) < 0)
            to = w->bound;
        for (size_t i = lower(s, to, false); i-- > 0 && s->ev[i].ts >= w->start_ms;) {
            if (s->ev[i].ingest > w->now_ms)
                continue;
            struct seg_sim_log_event v = view(s, &s->ev[i]);
            if (w->visit(w->ud, &v) != SEG_SIM_SCAN_NEXT)
                break;
        }
    }
    pthread_rwlock_unlock(&ls->rw);
    return SEG_OK;
}

bool seg_sim_logstore_has_group(struct seg_sim_logstore *ls, const char *group)
{
    pthread_rwlock_rdlock(&ls->rw);
    bool has = find_group(ls, group) != NULL;
    pthread_rwlock_unlock(&ls->rw);
    return has;
}

void seg_sim_logstore_list_groups(struct seg_sim_logstore *ls, const char *prefix,
                                  const char *contains, struct seg_sim_loggroup_info **out,
                                  size_t *n)
{
    pthread_rwlock_rdlock(&ls->rw);
    struct seg_sim_loggroup_info *v = seg_xcalloc(ls->n ? ls->n : 1, sizeof *v);
    size_t k = 0;
    size_t plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < ls->n; i++) {
        const struct group *g = ls->g[i];
        if (prefix && strncmp(g->name, prefix, plen) != 0)
            continue;
        if (contains && !strstr(g->name, contains))
            continue;
        v[k++] = (struct seg_sim_loggroup_info){seg_xstrdup(g->name), g->created, g->bytes};
    }
    pthread_rwlock_unlock(&ls->rw);
    *out = v;
    *n = k;
}

void seg_sim_loggroup_infos_free(struct seg_sim_loggroup_info *infos, size_t n)
{
    for (size_t i = 0; infos && i < n; i++)
        free(infos[i].name);
    free(infos);
}

static void stream_stats(const struct stream *s, int64_t now, struct seg_sim_logstream_info *o)
{
    if (s->n && s->max_ingest <= now) { /* all visible: the sorted ends are the answer */
        o->has_events = true;
        o->first_event_ms = s->ev[0].ts;
        o->last_event_ms = s->ev[s->n - 1].ts;
        o->last_ingestion_ms = s->max_ingest;
        return;
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct ev *e = &s->ev[i];
        if (e->ingest > now)
            continue;
        if (!o->has_events) {
            o->has_events = true;
            o->first_event_ms = e->ts;
            o->last_ingestion_ms = e->ingest;
        }
        o->last_event_ms = e->ts;
        if (e->ingest > o->last_ingestion_ms)
            o->last_ingestion_ms = e->ingest;
    }
}

enum seg_err seg_sim_logstore_list_streams(struct seg_sim_logstore *ls, const char *group,
                                           const char *prefix, int64_t now_ms,
                                           struct seg_sim_logstream_info **out, size_t *n)
{
    pthread_rwlock_rdlock(&ls->rw);
    const struct group *g = find_group(ls, group);
    if (!g) {
        pthread_rwlock_unlock(&ls->rw);
        return SEG_ERR_NOTFOUND;
    }
    struct seg_sim_logstream_info *v = seg_xcalloc(g->n ? g->n : 1, sizeof *v);
    size_t k = 0, plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < g->n; i++) {
        const struct stream *s = g->s[i];
        if (prefix && strncmp(s->name, prefix, plen) != 0)
            continue;
        struct seg_sim_logstream_info *o = &v[k++];
        o->name = seg_xstrdup(s->name);
        o->creation_ms = s->created;
        o->stored_bytes = s->bytes;
        stream_stats(s, now_ms, o);
    }
    pthread_rwlock_unlock(&ls->rw);
    *out = v;
    *n = k;
    return SEG_OK;
}

void seg_sim_logstream_infos_free(struct seg_sim_logstream_info *infos, size_t n)
{
    for (size_t i = 0; infos && i < n; i++)
        free(infos[i].name);
    free(infos);
}
