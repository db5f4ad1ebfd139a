/* seg_tui_ops over a replayed store: one snapshot, read-only (the REPLAY badge; the UI
 * answers the wave keys itself). Only the UI thread exists, so it reads the store directly;
 * an export is small and written on the spot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export/exporters.h"
#include "live.h"
#include "metrics/snapshot.h"
#include "replay/replay.h"
#include "tui.h"

struct replay_view {
    const struct seg_options *o;
    struct seg_store *store;
    struct seg_snapshot *snap;
    uint64_t message_seq;
    char message[512];
};

static struct seg_snapshot *op_latest(void *ud)
{
    struct replay_view *v = ud;
    return seg_snapshot_acquire(v->snap);
}

static void export_now(struct replay_view *v)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct seg_inv_table *table = seg_store_table(v->store);
    struct seg_export_request req = {.dir = v->o->export_dir,
                                     .file_prefix = v->o->export_file,
                                     .seed = v->o->export_format == SEG_EXPORT_FORMAT_SEED,
                                     .stamp_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000,
                                     .table = table,
                                     .snap = v->snap};
    struct seg_export_paths paths = {0};
    struct seg_errmsg err = {{0}};
    enum seg_err rc = seg_export_run(&req, &paths, &err);
    size_t len =
        (size_t)snprintf(v->message, sizeof v->message, "%s", rc == SEG_OK ? "exported" : "export");
    for (size_t i = 0; i < paths.n && len < sizeof v->message; i++)
        len += (size_t)snprintf(v->message + len, sizeof v->message - len, " %s", paths.paths[i]);
    if (rc != SEG_OK && len < sizeof v->message)
        snprintf(v->message + len, sizeof v->message - len, " failed: %.200s", err.text);
    v->message_seq++;
    seg_export_paths_release(&paths);
    seg_inv_table_free(table);
}

static void op_command(void *ud, const struct seg_ui_command *c)
{
    if (c->kind == SEG_UI_EXPORT)
        export_now(ud);
}

static struct seg_inv_table *op_site_detail(void *ud, int site)
{
    struct replay_view *v = ud;
    return seg_store_site_detail(v->store, site);
}

static void op_status(void *ud, struct seg_tui_status *out)
{
    struct replay_view *v = ud;
    out->message_seq = v->message_seq;
    memcpy(out->message, v->message, sizeof out->message);
}

int seg_replay_dashboard_main(const struct seg_options *o)
{
    if (!seg_dashboard_have_terminal())
        return 2;
    struct replay_view v = {.o = o};
    v.store = seg_replay_open(o, stderr);
    if (!v.store)
        return 1;
    v.snap = seg_store_snapshot(v.store);
    snprintf(v.message, sizeof v.message, "replay: %zu waves, %zu invocations (read-only)",
             v.snap->n_waves, seg_store_count(v.store));
    v.message_seq = 1;
    const char *nc = getenv("NO_COLOR");
    struct seg_tui_config cfg = {
        .theme = o->theme,
        .no_color = nc && *nc,
        .replay = true,
        .target = o->replay_last ? "replay:last" : "replay",
        .region = "-",
        .trigger = "-",
        .sites = (int)v.snap->n_sites,
    };
    struct seg_tui_ops ops = {
        .latest = op_latest,
        .command = op_command,
        .site_detail = op_site_detail,
        .status = op_status,
    };
    int code = seg_tui_run(&cfg, &ops, &v);
    seg_snapshot_release(v.snap);
    seg_store_free(v.store);
    return code;
}
