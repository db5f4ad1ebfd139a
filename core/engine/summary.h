/* --summary-json FILE (DESIGN §4), for CI. Schema (version 1):
 * {"version":1, "interrupted":bool, "elapsed_s":n, "log_calls":n, "log_throttles":n,
 *  "lag_p95_ms":n|null,
 *  "freshness":{"n","p50_ms"|null,"p95_ms"|null,"max_ms"|null,"wall_p50_ms"|null,
 *               "wall_p95_ms"|null,"wall_max_ms"|null}: REPORT ingestionTime -> its arrival
 *               in the store, on the log clock (simulated time on the simulator) and in wall
 *               time (log / --sim-speed), over the run's REPORTs (seg_run_status),
 *  "last_wave_reports_s":n|null (wall: last wave's command -> every site's first REPORT),
 *  "last_wave_reports_log_calls":n (log API calls of the run by then),
 *  "trigger":"s3"|"invoke"|"event",
 *  "notification_runs":n (invoke/event: runs the buckets' own notifications started for the
 *            waves' objects; real load, in none of the figures below; 0 with s3),
 *  "account_concurrency":n|null (AccountLimit.ConcurrentExecutions from the pre-flight),
 *  "function_config_failed":n (sites whose GetFunctionConfiguration failed: default timeout
 *            and memory),
 *  "totals":{"launched","accepted","done","missing","errors","throttles","reports","cold",
 *            "cost_usd"},
 *  "waves":[{"wave","size","trigger","key","complete","launched","accepted","started",
 *            "done","missing","errors","throttles","cold_pct"|null,"mean_exec_ms"|null,
 *            "sd_exec_ms"|null,"p50_exec_ms"|null,"p95_exec_ms"|null,"p95_e2e_ms"|null,
 *            "p95_billed_ms"|null,"p95_init_ms"|null,"makespan_ms"|null,"cost_usd"}],
 *  "scaling":[{"size","waves","exec_ms":CI,"cost_usd":CI,"makespan_ms":CI}] with
 *            CI = {"n","mean"|null,"sd"|null,"ci95_lo"|null,"ci95_hi"|null},
 *  "welch_consecutive"/"welch_all":[{"size_a","size_b","exec_t"|null,"exec_df"|null,
 *            "exec_p_bonferroni"|null,"cost_p_bonferroni"|null}] (on wave means),
 *  "slo":[{"term","wave"(0 = all:),"evaluated","ok","observed"|null}],
 *  "slo_broken":n}
 * Written to a temporary file and renamed. */
#ifndef SEGTOP_CORE_ENGINE_SUMMARY_H
#define SEGTOP_CORE_ENGINE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/run.h"
#include "metrics/slo.h"
#include "metrics/snapshot.h"
#include "util/errmsg.h"
#include "util/seg.h"

enum seg_err seg_summary_write(const char *path, const struct seg_snapshot *snap,
                               const struct seg_run_status *st, const struct seg_slo_result *slo,
                               size_t nslo, bool interrupted, struct seg_errmsg *err) SEG_MUST_USE;

#endif
