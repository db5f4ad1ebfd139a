#include "engine/outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine/summary.h"
#include "export/exporters.h"
#include "metrics/snapshot.h"

void seg_outputs_write(const struct seg_outputs_request *q, struct seg_outputs_result *res)
{
    *res = (struct seg_outputs_result){0};
    struct seg_errmsg err = {{0}};
    struct seg_snapshot *snap = seg_store_snapshot(q->store);
    struct seg_inv_table *table = seg_store_table(q->store);
    struct seg_export_paths paths = {0};
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct seg_export_request req = {.dir = q->export_dir,
                                     .file_prefix = q->export_file,
                                     .seed = q->seed,
                                     .stamp_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000,
                                     .table = table,
                                     .snap = snap};
    if (seg_export_run(&req, &paths, &err) != SEG_OK) {
        fprintf(stderr, "segtop: export: %s\n", err.text);
        res->io_failed = true;
    }
    if (seg_export_write_waves(q->out, snap) != SEG_OK)
        res->io_failed = true;
    for (size_t i = 0; i < paths.n; i++)
        fprintf(q->out, "export: %s\n", paths.paths[i]);
    fflush(q->out);

    struct seg_slo_result *results = NULL;
    size_t nresults = 0;
    if (q->slo && q->slo->n) {
        res->broken = seg_slo_check(q->slo, snap, false, &results, &nresults);
        for (size_t i = 0; i < nresults; i++) {
            char line[256];
            seg_slo_format(&results[i], line, sizeof line);
            fprintf(stderr, "segtop: slo: %s\n", line);
        }
    }
    for (size_t i = 0; i < snap->n_waves; i++)
        res->incomplete |= !snap->waves[i].complete;
    if (q->summary_json && seg_summary_write(q->summary_json, snap, q->status, results, nresults,
                                             q->interrupted, &err) != SEG_OK) {
        fprintf(stderr, "segtop: --summary-json: %s\n", err.text);
        res->io_failed = true;
    }
    free(results);
    seg_inv_table_free(table);
    seg_snapshot_release(snap);
    seg_export_paths_release(&paths);
}
