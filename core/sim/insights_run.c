/* Logs Insights subset: running a compiled query over log events. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <regex.h>
#include <strings.h>

#include "sim/filterpattern.h"
#include "sim/insights.h"
#include "sim/insights_internal.h"
#include "util/buf.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* ---- running ---- */

struct kv {
    char *k;
    char *v;
};

/* One record: an event (with the fields the per-event stages added) or, after stats, one
 * aggregated row that has only kv. */
struct rec {
    size_t log; /* index into run->logs */
    char *stream;
    int64_t ts, ingest;
    uint64_t seq;
    char *msg;
    size_t len;
    struct kv *kv;
    size_t nkv;
    bool agg;
};

struct seg_sim_insights_run {
    const struct seg_sim_insights_query *q;
    size_t limit;
    char **logs;
    size_t nlogs;
    struct rec *r;
    size_t n, alloc;
    double matched, scanned, bytes;
};

#define SCRATCH 64

static void fmt_time(int64_t ms, char out[SCRATCH])
{
    char buf[32];
    seg_time_format_ms(ms, ' ', true, false, buf);
    snprintf(out, SCRATCH, "%s", buf);
}

static void fmt_num(double v, char out[SCRATCH])
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(out, SCRATCH, "%.0f", v);
        return;
    }
    snprintf(out, SCRATCH, "%.4f", v);
    char *e = out + strlen(out);
    while (e > out && e[-1] == '0')
        *--e = '\0';
    if (e > out && e[-1] == '.')
        e[-1] = '\0';
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void kv_set(struct rec *x, const char *k, char *v_owned)
{
    for (size_t i = 0; i < x->nkv; i++)
        if (strcmp(x->kv[i].k, k) == 0) {
            free(x->kv[i].v);
            x->kv[i].v = v_owned;
            return;
        }
    x->kv = seg_xrealloc(x->kv, (x->nkv + 1) * sizeof *x->kv);
    x->kv[x->nkv++] = (struct kv){seg_xstrdup(k), v_owned};
}

static void rec_release(struct rec *x, bool owns_event)
{
    for (size_t i = 0; i < x->nkv; i++) {
        free(x->kv[i].k);
        free(x->kv[i].v);
    }
    free(x->kv);
    if (owns_event) {
        free(x->stream);
        free(x->msg);
    }
}

static const char *rec_get(const struct seg_sim_insights_run *run, const struct rec *x,
                           const char *name, char scratch[SCRATCH])
{
    for (size_t i = x->nkv; i-- > 0;)
        if (strcmp(x->kv[i].k, name) == 0)
            return x->kv[i].v;
    if (x->agg || name[0] != '@')
        return NULL;
    if (strcmp(name, "@timestamp") == 0 || strcmp(name, "@ingestionTime") == 0) {
        fmt_time(name[1] == 't' ? x->ts : x->ingest, scratch);
        return scratch;
    }
    if (strcmp(name, "@message") == 0)
        return x->msg;
    if (strcmp(name, "@logStream") == 0)
        return x->stream;
    if (strcmp(name, "@log") == 0)
        return run->logs[x->log];
    if (strcmp(name, "@ptr") == 0) { /* opaque, unique per event, like AWS's */
        snprintf(scratch, SCRATCH, "Cm%016" PRIx64 "%016" PRIx64, fnv(run->logs[x->log]), x->seq);
        return scratch;
    }
    return NULL;
}

/* Lambda's discovered fields for a text REPORT line (aws-wire.md §4.2, §2.11). */
static void discover_report(struct rec *x)
{
    static const char head[] = "REPORT RequestId: ";
    if (x->len < sizeof head - 1 || memcmp(x->msg, head, sizeof head - 1) != 0)
        return;
    kv_set(x, "@type", seg_xstrdup("REPORT"));
    const char *p = x->msg + sizeof head - 1;
    const char *eol = strchr(p, '\n');
    if (!eol)
        eol = x->msg + x->len;
    size_t idn = strcspn(p, "\t \n");
    kv_set(x, "@requestId", seg_xstrndup(p, idn));
    p += idn;
    static const struct {
        const char *key, *field;
        bool bytes; /* MB -> bytes, as Insights reports memory */
    } keys[] = {{"Duration", "@duration", false},
                {"Billed Duration", "@billedDuration", false},
                {"Memory Size", "@memorySize", true},
                {"Max Memory Used", "@maxMemoryUsed", true},
                {"Init Duration", "@initDuration", false}};
    while (p < eol) {
        while (p < eol && (*p == '\t' || *p == ' '))
            p++;
        const char *seg_end = memchr(p, '\t', (size_t)(eol - p));
        if (!seg_end)
            seg_end = eol;
        const char *colon = memchr(p, ':', (size_t)(seg_end - p));
        for (size_t k = 0; colon && k < SEG_ARRAY_LEN(keys); k++) {
            size_t kl = strlen(keys[k].key);
            if ((size_t)(colon - p) != kl || memcmp(p, keys[k].key, kl) != 0)
                continue;
            const char *v = colon + 1;
            while (v < seg_end && *v == ' ')
                v++;
            size_t vl = 0;
            while (v + vl < seg_end && (isdigit((unsigned char)v[vl]) || v[vl] == '.'))
                vl++;
            if (vl == 0)
                break;
            char *val = seg_xstrndup(v, vl);
            if (keys[k].bytes) {
                char num[SCRATCH];
                fmt_num(strtod(val, NULL) * 1000 * 1000, num);
                free(val);
                val = seg_xstrdup(num);
            }
            kv_set(x, keys[k].field, val);
            break;
        }
        p = seg_end;
    }
}

static bool as_num(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    *out = strtod(s, &end);
    return *end == '\0' && isfinite(*out);
}

static int cmp_values(const char *a, const char *b)
{
    double x, y;
    if (as_num(a, &x) && as_num(b, &y))
        return x < y ? -1 : x > y ? 1 : 0;
    return strcmp(a, b);
}

static const char *operand_value(const struct seg_sim_insights_run *run, const struct rec *x,
                                 const struct operand *o, char scratch[SCRATCH])
{
    return o->is_field ? rec_get(run, x, o->text, scratch) : o->text;
}

static bool eval(const struct seg_sim_insights_run *run, const struct rec *x, const struct expr *e)
{
    char s1[SCRATCH], s2[SCRATCH];
    switch (e->k) {
    case E_AND:
        return eval(run, x, e->a) && eval(run, x, e->b);
    case E_OR:
        return eval(run, x, e->a) || eval(run, x, e->b);
    case E_NOT:
        return !eval(run, x, e->a);
    case E_LIKE_SUB:
    case E_LIKE_RE: {
        const char *v = operand_value(run, x, &e->l, s1);
        if (!v)
            return false;
        bool hit =
            e->k == E_LIKE_SUB ? strstr(v, e->r.text) != NULL : regexec(&e->re, v, 0, NULL, 0) == 0;
        return hit != e->negate;
    }
    case E_CMP: {
        const char *a = operand_value(run, x, &e->l, s1);
        const char *b = operand_value(run, x, &e->r, s2);
        if (!a || !b)
            return false;
        int c = cmp_values(a, b);
        switch (e->op) {
        case OP_EQ:
            return c == 0;
        case OP_NE:
            return c != 0;
        case OP_LT:
            return c < 0;
        case OP_LE:
            return c <= 0;
        case OP_GT:
            return c > 0;
        case OP_GE:
            return c >= 0;
        }
    }
    }
    return false;
}

/* parse: literal pieces in order; each * captures up to the next piece (the last to the end
 * of the line). No match leaves the record without the fields, as Insights does. */
static void run_parse(const struct seg_sim_insights_run *run, struct rec *x, const struct cmd *c)
{
    char scratch[SCRATCH];
    const char *s = rec_get(run, x, c->parse_src, scratch);
    if (!s)
        return;
    char **caps = seg_xcalloc(c->nfields ? c->nfields : 1, sizeof *caps);
    const char *p = s;
    bool ok = true;
    if (c->pieces[0][0]) {
        p = strstr(s, c->pieces[0]);
        ok = p != NULL;
        if (ok)
            p += strlen(c->pieces[0]);
    }
    for (size_t i = 1; ok && i < c->npieces; i++) {
        const char *lit = c->pieces[i];
        const char *e;
        if (*lit)
            e = strstr(p, lit);
        else if (i == c->npieces - 1) {
            e = p + strcspn(p, "\n");
        } else
            e = p;
        if (!e) {
            ok = false;
            break;
        }
        caps[i - 1] = seg_xstrndup(p, (size_t)(e - p));
        p = e + strlen(lit);
    }
    for (size_t i = 0; i < c->nfields; i++) {
        if (ok)
            kv_set(x, c->fields[i].name, caps[i]);
        else
            free(caps[i]);
    }
    free(caps);
}

/* The per-event commands; false when a filter drops the record. */
static bool run_streaming(const struct seg_sim_insights_run *run, struct rec *x)
{
    const struct seg_sim_insights_query *q = run->q;
    for (size_t i = 0; i < q->first_blocking; i++) {
        const struct cmd *c = &q->c[i];
        char scratch[SCRATCH];
        switch (c->k) {
        case C_FIELDS:
            for (size_t j = 0; j < c->nfields; j++) {
                if (strcmp(c->fields[j].field, c->fields[j].name) == 0)
                    continue;
                const char *v = rec_get(run, x, c->fields[j].field, scratch);
                if (v)
                    kv_set(x, c->fields[j].name, seg_xstrdup(v));
            }
            break;
        case C_FILTER:
            if (!eval(run, x, c->expr))
                return false;
            break;
        case C_PARSE:
            run_parse(run, x, c);
            break;
        default:
            break;
        }
    }
    return true;
}

struct seg_sim_insights_run *seg_sim_insights_run_new(const struct seg_sim_insights_query *q,
                                                      size_t limit)
{
    struct seg_sim_insights_run *run = seg_xcalloc(1, sizeof *run);
    run->q = q;
    run->limit = limit ? limit : SEG_SIM_INSIGHTS_MAX_LIMIT;
    return run;
}

void seg_sim_insights_run_feed(struct seg_sim_insights_run *run, const char *log,
                               const struct seg_sim_log_event *ev)
{
    run->scanned += 1;
    run->bytes += (double)ev->message_len;
    if (run->nlogs == 0 || strcmp(run->logs[run->nlogs - 1], log) != 0) {
        run->logs = seg_xrealloc(run->logs, (run->nlogs + 1) * sizeof *run->logs);
        run->logs[run->nlogs++] = seg_xstrdup(log);
    }
    struct rec x = {.log = run->nlogs - 1,
                    .stream = (char *)ev->stream, /* borrowed until kept */
                    .ts = ev->timestamp_ms,
                    .ingest = ev->ingestion_ms,
                    .seq = ev->seq,
                    .msg = (char *)ev->message,
                    .len = ev->message_len};
    discover_report(&x);
    if (!run_streaming(run, &x) || run->n >= SEG_SIM_INSIGHTS_MAX_RECORDS) {
        rec_release(&x, false);
        return;
    }
    run->matched += 1;
    x.stream = seg_xstrdup(ev->stream);
    x.msg = seg_xstrndup(ev->message, ev->message_len);
    if (run->n == run->alloc) {
        run->alloc = run->alloc ? run->alloc * 2 : 64;
        run->r = seg_xrealloc(run->r, run->alloc * sizeof *run->r);
    }
    run->r[run->n++] = x;
}

/* ---- blocking stages ---- */

struct sort_ctx {
    const struct seg_sim_insights_run *run;
    const struct sortkey *sk; /* NULL: by (timestamp, seq) */
    size_t nsk;
};

static int rec_cmp(const struct sort_ctx *c, const struct rec *a, const struct rec *b)
{
    if (!c->sk) {
        if (a->ts != b->ts)
            return a->ts < b->ts ? -1 : 1;
        return a->seq < b->seq ? -1 : a->seq > b->seq;
    }
    for (size_t i = 0; i < c->nsk; i++) {
        const char *f = c->sk[i].field;
        int r;
        if (!a->agg && !b->agg && strcmp(f, "@timestamp") == 0) {
            r = a->ts < b->ts ? -1 : a->ts > b->ts;
        } else {
            char s1[SCRATCH], s2[SCRATCH];
            const char *x = rec_get(c->run, a, f, s1), *y = rec_get(c->run, b, f, s2);
            if (!x || !y) { /* missing values sort last either way */
                if (x != y)
                    return x ? -1 : 1;
                continue;
            }
            r = cmp_values(x, y);
        }
        if (r)
            return c->sk[i].desc ? -r : r;
    }
    return 0;
}

/* A stable merge sort (qsort_r is not POSIX and qsort is not stable). */
static void msort(struct rec *v, struct rec *tmp, size_t n, const struct sort_ctx *c)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    msort(v, tmp, h, c);
    msort(v + h, tmp, n - h, c);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = rec_cmp(c, &v[j], &v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

static void sort_recs(struct seg_sim_insights_run *run, const struct sortkey *sk, size_t nsk)
{
    struct sort_ctx c = {run, sk, nsk};
    struct rec *tmp = seg_xmalloc((run->n ? run->n : 1) * sizeof *tmp);
    msort(run->r, tmp, run->n, &c);
    free(tmp);
}

static void truncate_recs(struct seg_sim_insights_run *run, size_t n)
{
    for (size_t i = n; i < run->n; i++)
        rec_release(&run->r[i], !run->r[i].agg);
    if (n < run->n)
        run->n = n;
}

struct keyed {
    char *key;
    size_t i;
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void agg_value(struct seg_sim_insights_run *run, const struct agg *a,
                      const struct keyed *grp, size_t n, struct rec *out)
{
    char num[SCRATCH];
    if (a->fn == A_COUNT_STAR) {
        fmt_num((double)n, num);
        kv_set(out, a->name, seg_xstrdup(num));
        return;
    }
    double *vals = seg_xmalloc((n ? n : 1) * sizeof *vals);
    size_t nv = 0, present = 0;
    for (size_t i = 0; i < n; i++) {
        char scratch[SCRATCH];
        const char *v = rec_get(run, &run->r[grp[i].i], a->field, scratch);
        present += v != NULL;
        if (v && as_num(v, &vals[nv]))
            nv++;
    }
    bool have = true;
    double r = 0;
    switch (a->fn) {
    case A_COUNT:
        r = (double)present;
        break;
    case A_SUM:
    case A_AVG:
        for (size_t i = 0; i < nv; i++)
            r += vals[i];
        if (a->fn == A_AVG)
            r = nv ? r / (double)nv : 0;
        have = nv > 0;
        break;
    case A_MIN:
    case A_MAX:
        for (size_t i = 0; i < nv; i++)
            if (i == 0 || (a->fn == A_MIN ? vals[i] < r : vals[i] > r))
                r = vals[i];
        have = nv > 0;
        break;
    case A_PCT:
        if ((have = nv > 0)) { /* nearest rank */
            qsort(vals, nv, sizeof *vals, dbl_cmp);
            double rank = ceil(a->pct / 100.0 * (double)nv);
            size_t idx = rank < 1 ? 0 : (size_t)rank - 1;
            r = vals[idx < nv ? idx : nv - 1];
        }
        break;
    case A_COUNT_STAR:
        break;
    }
    free(vals);
    if (have) {
        fmt_num(r, num);
        kv_set(out, a->name, seg_xstrdup(num));
    }
}

static void run_stats(struct seg_sim_insights_run *run, const struct cmd *c)
{
    struct keyed *k = seg_xmalloc((run->n ? run->n : 1) * sizeof *k);
    for (size_t i = 0; i < run->n; i++) {
        struct seg_buf b;
        seg_buf_init(&b, 0);
        for (size_t j = 0; j < c->nby; j++) {
            char scratch[SCRATCH];
            const char *v;
            if (c->by[j].field) {
                v = rec_get(run, &run->r[i], c->by[j].field, scratch);
            } else {
                int64_t w = c->by[j].bin_ms, ts = run->r[i].ts;
                int64_t start = ts >= 0 ? ts - ts % w : ts - (w + ts % w) % w;
                fmt_time(start, scratch);
                v = run->r[i].agg ? NULL : scratch;
            }
            if (seg_buf_adds(&b, v ? v : "\x1e") || seg_buf_addc(&b, '\x1f'))
                seg_buf_reset(&b); /* past the cap: group such records together */
        }
        size_t len;
        k[i] = (struct keyed){seg_buf_detach(&b, &len), i};
    }
    qsort(k, run->n, sizeof *k, keyed_cmp);
    struct rec *out = NULL;
    size_t nout = 0;
    for (size_t i = 0; i < run->n || (run->n == 0 && c->nby == 0 && nout == 0);) {
        size_t j = i;
        while (j < run->n && strcmp(k[j].key, k[i].key) == 0)
            j++;
        out = seg_xrealloc(out, (nout + 1) * sizeof *out);
        struct rec *o = &out[nout++];
        memset(o, 0, sizeof *o);
        o->agg = true;
        for (size_t b = 0; b < c->nby && j > i; b++) {
            char scratch[SCRATCH];
            const struct rec *first = &run->r[k[i].i];
            const char *v;
            if (c->by[b].field) {
                v = rec_get(run, first, c->by[b].field, scratch);
            } else {
                int64_t w = c->by[b].bin_ms, ts = first->ts;
                fmt_time(ts >= 0 ? ts - ts % w : ts - (w + ts % w) % w, scratch);
                v = first->agg ? NULL : scratch;
            }
            if (v)
                kv_set(o, c->by[b].name, seg_xstrdup(v));
        }
        for (size_t a = 0; a < c->nag; a++)
            agg_value(run, &c->ag[a], k + i, j - i, o);
        if (j == i)
            break; /* the single row of an empty, ungrouped stats */
        i = j;
    }
    for (size_t i = 0; i < run->n; i++)
        free(k[i].key);
    free(k);
    truncate_recs(run, 0);
    free(run->r);
    run->r = out;
    run->n = run->alloc = nout;
}

static void add_col(const char ***cols, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*cols)[i], name) == 0)
            return;
    *cols = seg_xrealloc(*cols, (*n + 1) * sizeof **cols);
    (*cols)[(*n)++] = name;
}

void seg_sim_insights_run_finish(struct seg_sim_insights_run *run,
                                 struct seg_sim_insights_result *out)
{
    const struct seg_sim_insights_query *q = run->q;
    memset(out, 0, sizeof *out);
    sort_recs(run, NULL, 0); /* groups arrive one after another: merge them by time */
    const char **cols = NULL;
    size_t ncols = 0;
    bool defaults = true;
    for (size_t i = 0; i < q->n; i++) {
        const struct cmd *c = &q->c[i];
        if (c->k == C_FIELDS) {
            defaults = false;
            for (size_t j = 0; j < c->nfields; j++)
                add_col(&cols, &ncols, c->fields[j].name);
        }
        if (c->k == C_STATS) {
            defaults = false;
            ncols = 0;
            for (size_t j = 0; j < c->nby; j++)
                add_col(&cols, &ncols, c->by[j].name);
            for (size_t j = 0; j < c->nag; j++)
                add_col(&cols, &ncols, c->ag[j].name);
        }
        if (i < q->first_blocking)
            continue;
        if (c->k == C_SORT)
            sort_recs(run, c->sk, c->nsk);
        else if (c->k == C_LIMIT)
            truncate_recs(run, c->limit);
        else if (c->k == C_STATS)
            run_stats(run, c);
        else if (c->k == C_FIELDS || c->k == C_FILTER || c->k == C_PARSE) {
            size_t kept = 0; /* per-record stages after a blocking one */
            for (size_t r = 0; r < run->n; r++) {
                struct seg_sim_insights_run one = *run;
                one.q = &(struct seg_sim_insights_query){
                    .c = (struct cmd *)c, .n = 1, .first_blocking = 1};
                if (run_streaming(&one, &run->r[r]))
                    run->r[kept++] = run->r[r];
                else
                    rec_release(&run->r[r], !run->r[r].agg);
            }
            run->n = kept;
        }
    }
    if (defaults) {
        static const char *const dflt[] = {"@timestamp", "@message", "@logStream", "@log"};
        for (size_t i = 0; i < SEG_ARRAY_LEN(dflt); i++)
            add_col(&cols, &ncols, dflt[i]);
    }
    truncate_recs(run, run->limit);
    out->rows = seg_xcalloc(run->n ? run->n : 1, sizeof *out->rows);
    for (size_t i = 0; i < run->n; i++) {
        const struct rec *x = &run->r[i];
        struct seg_sim_insights_row *row = &out->rows[out->nrows++];
        row->fields = seg_xcalloc(ncols + 1, sizeof *row->fields);
        for (size_t j = 0; j <= ncols; j++) {
            const char *name = j < ncols ? cols[j] : "@ptr";
            if (j == ncols && x->agg)
                break;
            char scratch[SCRATCH];
            const char *v = rec_get(run, x, name, scratch);
            if (v)
                row->fields[row->n++] =
                    (struct seg_sim_insights_field){seg_xstrdup(name), seg_xstrdup(v)};
        }
    }
    out->records_matched = run->matched;
    out->records_scanned = run->scanned;
    out->bytes_scanned = run->bytes;
    free(cols);
    truncate_recs(run, 0);
    free(run->r);
    for (size_t i = 0; i < run->nlogs; i++)
        free(run->logs[i]);
    free(run->logs);
    free(run);
}

void seg_sim_insights_result_release(struct seg_sim_insights_result *r)
{
    for (size_t i = 0; r && i < r->nrows; i++) {
        for (size_t j = 0; j < r->rows[i].n; j++) {
            free(r->rows[i].fields[j].field);
            free(r->rows[i].fields[j].value);
        }
        free(r->rows[i].fields);
    }
    if (r) {
        free(r->rows);
        memset(r, 0, sizeof *r);
    }
}
