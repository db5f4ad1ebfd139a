#include "fleet_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "seg_test.h"
#include "util/xalloc.h"

struct seg_site *sf_sites(int n, const char *shared_group)
{
    struct seg_site *s = seg_xcalloc((size_t)n, sizeof *s);
    for (int i = 0; i < n; i++) {
        s[i].n = i + 1;
        s[i].function = seg_xasprintf("site%d-lambdafunction", i + 1);
        s[i].bucket = seg_xasprintf("site%d-simulatedbucket", i + 1);
        s[i].log_group = shared_group ? seg_xstrdup(shared_group)
                                      : seg_xasprintf("/aws/lambda/%s", s[i].function);
        s[i].memory_mb = 6200;
        s[i].timeout_s = 781;
        s[i].reserved = -1;
    }
    return s;
}

void sf_sites_free(struct seg_site *s, int n)
{
    for (int i = 0; s && i < n; i++) {
        free(s[i].function);
        free(s[i].bucket);
        free(s[i].log_group);
    }
    free(s);
}

void sf_tap_init(struct sf_tap *t)
{
    memset(t, 0, sizeof *t);
    pthread_mutex_init(&t->mu, NULL);
}

void sf_tap_release(struct sf_tap *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->ev[i].group);
        free(t->ev[i].stream);
        free(t->ev[i].msg);
    }
    free(t->ev);
    pthread_mutex_destroy(&t->mu);
}

void sf_tap_fn(void *ud, const char *group, const char *stream, int64_t ts, int64_t ingest,
               const char *msg)
{
    struct sf_tap *t = ud;
    pthread_mutex_lock(&t->mu);
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->ev = seg_xrealloc(t->ev, t->cap * sizeof *t->ev);
    }
    t->ev[t->n++] =
        (struct sf_ev){seg_xstrdup(group), seg_xstrdup(stream), seg_xstrdup(msg), ts, ingest};
    pthread_mutex_unlock(&t->mu);
}

bool sf_wait_idle(struct seg_sim_fleet *f, double timeout_ms)
{
    double deadline = seg_test_now_ms() + timeout_ms * seg_test_time_scale();
    while (seg_sim_fleet_pending(f) > 0) {
        if (seg_test_now_ms() > deadline)
            return false;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return true;
}

size_t sf_count_prefix(struct sf_tap *t, const char *prefix)
{
    size_t n = 0, pl = strlen(prefix);
    pthread_mutex_lock(&t->mu);
    for (size_t i = 0; i < t->n; i++)
        if (strncmp(t->ev[i].msg, prefix, pl) == 0)
            n++;
    pthread_mutex_unlock(&t->mu);
    return n;
}

long sf_count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        if (c == '\n')
            n++;
    fclose(f);
    return n;
}
