/* The engine thread: owns the HTTP client (and so every transfer). Other threads hand it
 * calls through a queue that wakes it with curl_multi_wakeup, and take results out by value.
 * Later engine work (waves, log polling) runs on this same thread. */
#ifndef SEGTOP_CORE_HTTP_ENGINE_H
#define SEGTOP_CORE_HTTP_ENGINE_H

#include <stdbool.h>

#include "http/client.h"
#include "util/errmsg.h"
#include "util/seg.h"

struct seg_engine;

/* Starts the thread (with SIGINT/SIGTERM/SIGWINCH blocked in it, so signals reach the UI
 * thread). cfg and the strings it points to are copied or only read before return. */
enum seg_err seg_engine_start(const struct seg_http_client_config *cfg, struct seg_engine **out,
                              struct seg_errmsg *err) SEG_MUST_USE;
/* Queues a call (moves call->req); callable from any thread. */
void seg_engine_submit(struct seg_engine *e, struct seg_http_call *call);
/* Takes the next result, waiting up to timeout_ms; false when none arrived. */
bool seg_engine_wait_result(struct seg_engine *e, struct seg_http_result *out, int timeout_ms);
/* Stops and joins the thread; drops calls still in flight; frees everything. */
void seg_engine_stop(struct seg_engine *e);

/* A driver runs its logic ON the engine thread (waves, log poller): results of every call go
 * to on_result instead of the result queue, and tick runs after each turn of the loop. Every
 * callback gets the client, so the driver submits calls without crossing threads. */
struct seg_engine_driver {
    void *ud;
    /* Owns *r (release it). */
    void (*on_result)(void *ud, struct seg_http_client *c, struct seg_http_result *r);
    /* Returns how long the loop may sleep (ms) before the next tick. */
    int (*tick)(void *ud, struct seg_http_client *c);
    /* Runs once on the engine thread after the last tick, before the client is freed. */
    void (*finish)(void *ud, struct seg_http_client *c);
};

/* As seg_engine_start, with a driver (copied; its ud must outlive the engine). */
enum seg_err seg_engine_start_driven(const struct seg_http_client_config *cfg,
                                     const struct seg_engine_driver *driver,
                                     struct seg_engine **out, struct seg_errmsg *err) SEG_MUST_USE;

/* Runs fn(ud, client) on the engine thread at its next turn (commands by value: fn gets
 * its own copy of arg, size bytes); callable from any thread. */
typedef void seg_engine_cmd_fn(void *ud, struct seg_http_client *c, void *arg);
void seg_engine_post(struct seg_engine *e, seg_engine_cmd_fn *fn, const void *arg, size_t size);
/* Wakes the engine thread (from any thread). */
void seg_engine_wakeup(struct seg_engine *e);

#endif
