#include "engine/logclock.h"

#include <math.h>
#include <time.h>

#include "http/client.h"

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void seg_logclock_init(struct seg_logclock *c, double speed, seg_logclock_now_fn *fn, void *ud)
{
    c->speed = speed > 0 ? speed : 1.0;
    c->now_fn = fn;
    c->now_ud = ud;
    double mono = seg_http_now_ms();
    c->anchor = wall_ms() - c->speed * mono;
}

int64_t seg_logclock_now(const struct seg_logclock *c)
{
    if (c->now_fn)
        return c->now_fn(c->now_ud);
    if (c->speed == 1.0)
        return (int64_t)llround(wall_ms());
    return (int64_t)llround(c->speed * seg_http_now_ms() + c->anchor);
}

int64_t seg_logclock_at(const struct seg_logclock *c, double mono_ms)
{
    double back = c->speed * (seg_http_now_ms() - mono_ms);
    return seg_logclock_now(c) - (int64_t)llround(back);
}

void seg_logclock_observe(struct seg_logclock *c, int64_t ingest_ms, double mono_ms)
{
    if (c->now_fn || c->speed == 1.0)
        return;
    double a = (double)ingest_ms - c->speed * mono_ms;
    if (a > c->anchor)
        c->anchor = a;
}

void seg_logclock_sync(struct seg_logclock *c, int64_t server_ms, double sent_mono,
                       double answered_mono)
{
    if (c->now_fn || c->speed == 1.0 || sent_mono <= 0 || answered_mono < sent_mono)
        return;
    /* The server read its clock somewhere in the exchange: take the middle. */
    c->anchor = (double)server_ms - c->speed * ((sent_mono + answered_mono) / 2.0);
}
