/* A demo engine for the dashboard (not shipped): its own thread owns a metrics store, fires
 * synthetic waves on command, advances them over simulated time and publishes snapshots
 * through struct seg_tui_ops, exactly as the real engine does. The tmux tests drive it.
 *
 *   tui_demo [--sites N] [--ladder 1,5,10] [--speed X] [--auto] [--prerun N]
 *            [--fail SITE] [--timeout SITE] [--throttle SITE] [--evil SITE]
 *            [--theme NAME] [--themes-dir DIR] [--replay] [--no-color]
 *
 * --evil SITE: that site's error message carries ESC[2J, OSC 0 (title), OSC 52
 * (clipboard), raw 0x9B, U+009B, U+202E and invalid UTF-8, as `--sim-faults evil-log` does. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include "metrics/snapshot.h"
#include "metrics/store.h"
#include "terminal.h"
#include "tui.h"

#define T0        1746745200000LL /* 2025-05-08T23:00:00Z: the simulated clock's start */
#define MAX_WAVES 256
#define MAX_SITES 5000

static const char evil_message[] = "evil\x1b[2J\x1b]0;PWNED-TITLE\x07\x1b]52;c;ZXZpbA==\x07"
                                   "\x9b"
                                   "31m\xc2\x9b"
                                   "1m\xe2\x80\xae"
                                   "desrever\xff\xfe\xc3 end";

enum stage { ST_PLANNED = 0, ST_SENT, ST_ACCEPTED, ST_STARTED, ST_DONE };

struct inv {
    enum stage stage;
    int64_t t_sent, t_acc, t_start, t_end;
    bool cold;
    double init_ms, billed_ms;
    char rid[48];
};

struct wave {
    int id, size;
    int64_t begin;
    struct inv *inv; /* [size] */
    bool complete;
};

struct demo {
    pthread_mutex_t mu;
    struct seg_store *store;
    struct seg_snapshot *latest;
    int pipe[2];
    struct seg_ui_command q[64];
    size_t nq;
    bool quit;

    int sites;
    int ladder[16];
    size_t n_ladder;
    int next_step;
    bool running_ladder;
    double speed;
    int64_t wall0, sim_at_wall0;
    int fail_site, timeout_site, throttle_site, evil_site;
    int64_t last_used[MAX_SITES + 1]; /* sim ms of each site's last execution end */

    struct wave waves[MAX_WAVES];
    int n_waves;
    uint64_t msg_seq;
    char message[512];
    bool dirty;
};

static int64_t wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t sim_now(const struct demo *d)
{
    return d->sim_at_wall0 + (int64_t)((double)(wall_now() - d->wall0) * d->speed);
}

/* Deterministic draws keyed by (wave, site, salt). */
static double draw(int wave, int site, int salt)
{
    uint64_t x = (uint64_t)wave * 0x9E3779B97F4A7C15ULL ^ (uint64_t)site * 0xC2B2AE3D27D4EB4FULL ^
                 (uint64_t)salt * 0x165667B19E3779F9ULL;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (double)(x >> 11) / 9007199254740992.0;
}

static void must(enum seg_err e, const char *what)
{
    if (e != SEG_OK) {
        fprintf(stderr, "tui_demo: %s: %s\n", what, seg_strerror(e));
        abort();
    }
}

static void start_wave(struct demo *d, int size, int64_t now)
{
    if (d->n_waves >= MAX_WAVES || size < 1)
        return;
    if (size > d->sites)
        size = d->sites;
    char key[64];
    int id = 0;
    snprintf(key, sizeof key, "image_capture_demo-w%d.jpg", d->n_waves + 1);
    must(seg_store_wave_begin(d->store, size, SEG_TRIGGER_S3, key, now, &id), "wave_begin");
    struct wave *w = &d->waves[d->n_waves++];
    w->id = id;
    w->size = size;
    w->begin = now;
    w->complete = false;
    w->inv = calloc((size_t)size, sizeof *w->inv);
    if (!w->inv)
        abort();
    /* Delivery spread grows with the wave size, as measured (~10 s at 300). */
    double spread = size * 33.0;
    for (int i = 0; i < size; i++) {
        int site = i + 1;
        struct inv *v = &w->inv[i];
        v->t_sent = now + i * 2;
        v->t_acc = v->t_sent + 30 + (int64_t)(draw(id, site, 1) * 40);
        v->t_start = v->t_acc + 150 + (int64_t)(draw(id, site, 2) * spread);
        v->cold = d->last_used[site] == 0 || now - d->last_used[site] > 600000;
        v->init_ms = v->cold ? 300 + draw(id, site, 3) * 1500 : NAN;
        v->billed_ms = 14000 + draw(id, site, 4) * 12000;
        if (site == d->fail_site || site == d->evil_site)
            v->billed_ms = 1500;
        if (site == d->timeout_site)
            v->billed_ms = 30000;
        v->t_end = v->t_start + (int64_t)(v->cold ? v->init_ms : 0) + (int64_t)v->billed_ms;
        snprintf(v->rid, sizeof v->rid, "%08x-demo-%04d-w%d", (unsigned)(id * 7919 + site), site,
                 id);
    }
    d->dirty = true;
}

static void finish(struct demo *d, struct wave *w, int site, struct inv *v)
{
    struct seg_report r;
    seg_report_init(&r);
    r.ts_ms = v->t_end;
    r.ingest_ms = v->t_end + 800 + (int64_t)(draw(w->id, site, 5) * 1500);
    r.event_time_ms = v->t_sent + 100;
    r.db_write_ms = v->t_end - 300;
    r.duration_ms = v->billed_ms - 0.4;
    r.billed_ms = ceil(v->billed_ms);
    r.init_ms = v->init_ms;
    r.memory_mb = 6200;
    r.max_memory_mb = 800 + (int32_t)(draw(w->id, site, 6) * 400);
    r.cold = v->cold;
    if (site == d->fail_site) {
        r.status = SEG_INV_ERROR;
        r.error_type = "ValueError";
        r.error_message = "boom: handler exploded on image_capture";
    } else if (site == d->evil_site) {
        r.status = SEG_INV_ERROR;
        r.error_type = "Runtime.HandlerError";
        r.error_message = evil_message;
    } else if (site == d->timeout_site) {
        r.status = SEG_INV_TIMEOUT;
        r.error_message = "Task timed out after 30.00 seconds";
    }
    must(seg_store_report(d->store, v->rid, &r), "report");
    /* The site detail's last lines, raw as a log carries them (the UI sanitises). */
    char line[256];
    if (r.error_message)
        seg_store_log_line(d->store, site, v->t_end - 1, r.error_message);
    snprintf(line, sizeof line, "REPORT RequestId: %s Duration: %.2f ms Billed Duration: %.0f ms",
             v->rid, r.duration_ms, r.billed_ms);
    seg_store_log_line(d->store, site, v->t_end, line);
    d->last_used[site] = v->t_end;
}

/* Moves every planned invocation whose time has come to its next stage. */
static void advance(struct demo *d, int64_t now)
{
    seg_store_set_now(d->store, now);
    for (int k = 0; k < d->n_waves; k++) {
        struct wave *w = &d->waves[k];
        if (w->complete)
            continue;
        bool all = true;
        for (int i = 0; i < w->size; i++) {
            int site = i + 1;
            struct inv *v = &w->inv[i];
            if (v->stage == ST_PLANNED && now >= v->t_sent) {
                must(seg_store_trigger_sent(d->store, w->id, site, v->t_sent), "sent");
                v->stage = ST_SENT;
                d->dirty = true;
            }
            if (v->stage == ST_SENT && now >= v->t_acc) {
                if (site == d->throttle_site) {
                    must(seg_store_trigger_failed(d->store, w->id, site, v->t_acc, true,
                                                  "SlowDown: Please reduce your request rate."),
                         "failed");
                    v->stage = ST_DONE;
                } else {
                    must(seg_store_trigger_accepted(d->store, w->id, site, v->t_acc, NULL), "acc");
                    v->stage = ST_ACCEPTED;
                }
                d->dirty = true;
            }
            if (v->stage == ST_ACCEPTED && now >= v->t_start) {
                must(seg_store_bind(d->store, w->id, site, v->rid), "bind");
                must(seg_store_start(d->store, v->rid, v->t_start), "start");
                char line[128];
                snprintf(line, sizeof line, "START RequestId: %s Version: $LATEST", v->rid);
                seg_store_log_line(d->store, site, v->t_start, line);
                v->stage = ST_STARTED;
                d->dirty = true;
            }
            if (v->stage == ST_STARTED && now >= v->t_end) {
                finish(d, w, site, v);
                v->stage = ST_DONE;
                d->dirty = true;
            }
            if (v->stage != ST_DONE)
                all = false;
        }
        w->complete = all;
    }
}

static bool wave_running(const struct demo *d)
{
    return d->n_waves > 0 && !d->waves[d->n_waves - 1].complete;
}

static void set_msg(struct demo *d, const char *m)
{
    snprintf(d->message, sizeof d->message, "%s", m);
    d->msg_seq++;
}

static void fire_step(struct demo *d, int step, int64_t now)
{
    if (step < 1 || (size_t)step > d->n_ladder)
        return;
    start_wave(d, d->ladder[step - 1], now);
    d->next_step = step % (int)d->n_ladder + 1;
}

static void run_command(struct demo *d, const struct seg_ui_command *c, int64_t now)
{
    char m[256];
    switch (c->kind) {
    case SEG_UI_WAVE_NEXT:
        fire_step(d, d->next_step, now);
        break;
    case SEG_UI_WAVE_PICK:
        fire_step(d, c->step, now);
        break;
    case SEG_UI_LADDER_PREV:
        if (d->next_step > 1)
            d->next_step--;
        break;
    case SEG_UI_LADDER_NEXT:
        if ((size_t)d->next_step < d->n_ladder)
            d->next_step++;
        break;
    case SEG_UI_RUN_REST:
        d->running_ladder = true;
        break;
    case SEG_UI_STOP:
        d->running_ladder = false;
        set_msg(d, "stopped: no more waves");
        break;
    case SEG_UI_EXPORT:
        snprintf(m, sizeof m,
                 "exported ./segtop-waves-DEMO.csv ./segtop-invocations-DEMO.csv "
                 "./segtop-sites-DEMO.csv (demo: %d waves, nothing written)",
                 d->n_waves);
        set_msg(d, m);
        break;
    case SEG_UI_QUIT:
        d->quit = true;
        break;
    default:
        break;
    }
}

static void publish(struct demo *d)
{
    struct seg_snapshot *s = seg_store_snapshot(d->store);
    seg_snapshot_release(d->latest);
    d->latest = s;
    char c = 1;
    ssize_t r = write(d->pipe[1], &c, 1); /* a full pipe already means "wake up" */
    (void)r;
}

static void *engine(void *arg)
{
    struct demo *d = arg;
    int64_t last_pub = 0;
    for (;;) {
        pthread_mutex_lock(&d->mu);
        int64_t now = sim_now(d);
        for (size_t i = 0; i < d->nq; i++)
            run_command(d, &d->q[i], now);
        d->nq = 0;
        if (d->quit) {
            pthread_mutex_unlock(&d->mu);
            break;
        }
        if (d->running_ladder && !wave_running(d)) {
            fire_step(d, d->next_step, now);
            if (d->next_step == 1)
                d->running_ladder = false; /* wrapped: the ladder is done */
        }
        advance(d, now);
        /* Publish on change, and every second while a wave runs (elapsed time moves). */
        int64_t w = wall_now();
        if (d->dirty || (wave_running(d) && w - last_pub >= 1000)) {
            publish(d);
            d->dirty = false;
            last_pub = w;
        }
        pthread_mutex_unlock(&d->mu);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* ---- seg_tui_ops ----------------------------------------------------------------------- */

static struct seg_snapshot *op_latest(void *ud)
{
    struct demo *d = ud;
    pthread_mutex_lock(&d->mu);
    struct seg_snapshot *s = d->latest ? seg_snapshot_acquire(d->latest) : NULL;
    pthread_mutex_unlock(&d->mu);
    return s;
}

static int op_wait_fd(void *ud)
{
    return ((struct demo *)ud)->pipe[0];
}

static void op_command(void *ud, const struct seg_ui_command *c)
{
    struct demo *d = ud;
    pthread_mutex_lock(&d->mu);
    if (d->nq < sizeof d->q / sizeof d->q[0])
        d->q[d->nq++] = *c;
    pthread_mutex_unlock(&d->mu);
}

static struct seg_inv_table *op_site_detail(void *ud, int site)
{
    struct demo *d = ud;
    pthread_mutex_lock(&d->mu);
    struct seg_inv_table *t = seg_store_site_detail(d->store, site);
    pthread_mutex_unlock(&d->mu);
    return t;
}

static void op_status(void *ud, struct seg_tui_status *st)
{
    struct demo *d = ud;
    pthread_mutex_lock(&d->mu);
    bool run = wave_running(d);
    st->log_calls_per_s = run ? 3.5 : 0.5;
    st->log_budget_tps = 4.0;
    st->log_throttles = 0;
    st->next_step = d->next_step;
    st->running_ladder = d->running_ladder;
    st->message_seq = d->msg_seq;
    snprintf(st->message, sizeof st->message, "%s", d->message);
    pthread_mutex_unlock(&d->mu);
}

/* ---- main ------------------------------------------------------------------------------ */

static int parse_ladder(struct demo *d, const char *s)
{
    d->n_ladder = 0;
    while (*s && d->n_ladder < 16) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1)
            return -1;
        d->ladder[d->n_ladder++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return d->n_ladder ? 0 : -1;
}

int main(int argc, char **argv)
{
    static struct demo d;
    struct seg_tui_config cfg = {
        .target = "demo:synthetic",
        .region = "us-west-1",
        .trigger = "s3",
        .account_concurrency = 1000,
        .log_tps = 4,
    };
    bool auto_wave = false;
    int prerun = 0;
    d.sites = 300;
    d.speed = 20;
    d.next_step = 1;
    parse_ladder(&d, "1,20,50,100,150,200,250,300");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (!strcmp(a, "--sites") && v)
            d.sites = atoi(v);
        else if (!strcmp(a, "--ladder") && v && parse_ladder(&d, v) == 0)
            ;
        else if (!strcmp(a, "--speed") && v)
            d.speed = atof(v);
        else if (!strcmp(a, "--fail") && v)
            d.fail_site = atoi(v);
        else if (!strcmp(a, "--timeout") && v)
            d.timeout_site = atoi(v);
        else if (!strcmp(a, "--throttle") && v)
            d.throttle_site = atoi(v);
        else if (!strcmp(a, "--evil") && v)
            d.evil_site = atoi(v);
        else if (!strcmp(a, "--prerun") && v)
            prerun = atoi(v);
        else if (!strcmp(a, "--theme") && v)
            cfg.theme = v;
        else if (!strcmp(a, "--themes-dir") && v)
            cfg.themes_dir = v;
        else {
            takes = false;
            if (!strcmp(a, "--auto"))
                auto_wave = true;
            else if (!strcmp(a, "--replay"))
                cfg.replay = true;
            else if (!strcmp(a, "--no-color"))
                cfg.no_color = true;
            else {
                fprintf(stderr, "tui_demo: bad argument '%s'\n", a);
                return 2;
            }
        }
        if (takes)
            i++;
    }
    if (d.sites < 1 || d.sites > MAX_SITES || !(d.speed > 0)) {
        fprintf(stderr, "tui_demo: bad --sites or --speed\n");
        return 2;
    }
    cfg.ladder = d.ladder;
    cfg.n_ladder = d.n_ladder;
    cfg.sites = d.sites;

    pthread_mutex_init(&d.mu, NULL);
    d.store = seg_store_new(NULL);
    for (int i = 1; i <= d.sites; i++) {
        char fn[64];
        snprintf(fn, sizeof fn, "site%d-lambdafunction", i);
        seg_store_set_site(d.store, i, fn);
    }
    if (pipe(d.pipe) != 0) {
        perror("pipe");
        return 1;
    }
    fcntl(d.pipe[1], F_SETFL, fcntl(d.pipe[1], F_GETFL) | O_NONBLOCK);

    /* Waves run to completion in simulated time before the UI starts (scaling view data). */
    int64_t t = T0;
    for (int k = 0; k < prerun; k++) {
        fire_step(&d, d.next_step, t);
        while (wave_running(&d)) {
            t += 250;
            advance(&d, t);
        }
        t += 5000;
    }
    d.wall0 = wall_now();
    d.sim_at_wall0 = t;
    if (auto_wave)
        fire_step(&d, d.next_step, t);
    advance(&d, t);
    publish(&d);

    /* Signals belong to the UI thread: block them in the engine thread (traps.md). */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_t th;
    if (pthread_create(&th, NULL, engine, &d) != 0) {
        fprintf(stderr, "tui_demo: pthread_create failed\n");
        return 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    seg_terminal_guard_install();
    struct seg_tui_ops ops = {
        .latest = op_latest,
        .wait_fd = op_wait_fd,
        .command = op_command,
        .site_detail = op_site_detail,
        .status = op_status,
    };
    int code = seg_tui_run(&cfg, &ops, &d);

    pthread_mutex_lock(&d.mu);
    d.quit = true;
    pthread_mutex_unlock(&d.mu);
    pthread_join(th, NULL);
    seg_snapshot_release(d.latest);
    for (int k = 0; k < d.n_waves; k++)
        free(d.waves[k].inv);
    seg_store_free(d.store);
    close(d.pipe[0]);
    close(d.pipe[1]);
    pthread_mutex_destroy(&d.mu);
    return code;
}
