/* What a finished run leaves behind (DESIGN §4, §8): the exports (paths on stdout as
 * `export: PATH`), the waves CSV on stdout, --summary-json and the --slo verdicts. */
#ifndef SEGTOP_CORE_ENGINE_OUTPUTS_H
#define SEGTOP_CORE_ENGINE_OUTPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/run.h"
#include "metrics/slo.h"
#include "metrics/store.h"

struct seg_outputs_request {
    struct seg_store *store;  /* owned by the calling thread now */
    const char *export_dir;   /* NULL: "." */
    const char *export_file;  /* NULL: stamped names */
    bool seed;                /* --export-format seed */
    const char *summary_json; /* NULL: none */
    const struct seg_slo *slo;
    const struct seg_run_status *status;
    bool interrupted;
    FILE *out; /* stdout */
};

struct seg_outputs_result {
    bool io_failed;  /* an export or the summary could not be written */
    size_t broken;   /* --slo checks broken */
    bool incomplete; /* a wave ended incomplete */
};

void seg_outputs_write(const struct seg_outputs_request *req, struct seg_outputs_result *res);

#endif
