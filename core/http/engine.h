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

#endif
