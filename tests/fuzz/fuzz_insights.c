/* libFuzzer target over the Logs Insights compiler: any bytes must compile or fail with a
 * location inside the query, never crash or leak; what compiles is run over a few Lambda
 * lines (REPORT, START, application) so the evaluator sees fuzzed pipelines too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/insights.h"
#include "util/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = seg_xmalloc(size ? size : 1);
    if (size)
        memcpy(text, data, size);
    struct seg_sim_insights_query *q = NULL;
    struct seg_sim_insights_error err = {0};
    if (seg_sim_insights_compile(text, size, &q, &err) == SEG_OK) {
        /* A separate constant: clang warns on concatenated literals inside an array. */
        static const char report_line[] =
            "REPORT RequestId: r1\tDuration: 100.50 ms\tBilled Duration: 101 ms\tMemory Size: "
            "128 MB\tMax Memory Used: 75 MB\tInit Duration: 200.25 ms\t\n";
        const char *const msgs[] = {
            "START RequestId: r1 Version: $LATEST\n",
            report_line,
            "2026-09-01T12:00:00.000Z\tr1\tINFO\tImage Name: site7/a.png\n",
        };
        struct seg_sim_insights_run *run = seg_sim_insights_run_new(q, 100);
        for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
            struct seg_sim_log_event ev = {.stream = "s",
                                           .timestamp_ms = 1788264000000 + (int64_t)i,
                                           .ingestion_ms = 1788264001000,
                                           .seq = i + 1,
                                           .message = msgs[i],
                                           .message_len = strlen(msgs[i])};
            seg_sim_insights_run_feed(run, "123456789012:/aws/lambda/g", &ev);
        }
        struct seg_sim_insights_result res;
        seg_sim_insights_run_finish(run, &res);
        seg_sim_insights_result_release(&res);
        seg_sim_insights_free(q);
    } else if (err.message[0] == '\0' || err.start > err.end || err.end > size) {
        __builtin_trap();
    }
    free(text);
    return 0;
}
