/* A test server for simlogs.boto3: seg_httpd on 127.0.0.1:0 with the SigV4 front door
 * (built-in test key pair) in front of the Logs API, pre-populated with Lambda-style groups,
 * streams and tab-separated START/REPORT/END lines. Prints one JSON line
 * {"endpoint": ..., "now_ms": ...} and serves until stdin closes.
 *
 * Usage: simlogs_server [--speed X] [--tps N]   (--tps: every Logs API at N calls/s; default
 * unlimited, so paginators are not throttled) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "sim/auth.h"
#include "sim/clock.h"
#include "sim/faults.h"
#include "sim/httpd.h"
#include "sim/keystore.h"
#include "sim/logs_api.h"
#include "sim/logstore.h"

static void populate(struct seg_sim_logstore *ls, int64_t now)
{
    int64_t base = now - 600000; /* ten minutes ago */
    char msg[512], stream[128], group[64];
    for (int site = 1; site <= 3; site++) {
        snprintf(group, sizeof group, "/aws/lambda/site%d-lambdafunction", site);
        for (int env = 0; env < 2; env++) {
            snprintf(stream, sizeof stream, "2026/09/01/[$LATEST]%032x", site * 16 + env);
            for (int i = 0; i < 20; i++) {
                int64_t t = base + (int64_t)i * 20000 + env * 7 + site;
                char rid[40];
                snprintf(rid, sizeof rid, "%08x-0000-4000-8000-%012x", site, env * 100 + i);
                snprintf(msg, sizeof msg, "START RequestId: %s Version: $LATEST\n", rid);
                seg_sim_logstore_put(ls, group, stream, t, t + 2000, msg);
                snprintf(msg, sizeof msg,
                         "%s\t%s\tINFO\tEvent Time: 2026-09-01 12:00:%02d, Site ID: site%d\n",
                         "2026-09-01T12:00:00.000Z", rid, i, site);
                seg_sim_logstore_put(ls, group, stream, t + 5, t + 2005, msg);
                snprintf(msg, sizeof msg, "END RequestId: %s\n", rid);
                seg_sim_logstore_put(ls, group, stream, t + 9000, t + 11000, msg);
                snprintf(msg, sizeof msg,
                         "REPORT RequestId: %s\tDuration: %d.%02d ms\tBilled Duration: %d "
                         "ms\tMemory Size: 1024 MB\tMax Memory Used: %d MB\t%s\n",
                         rid, 19000 + i * 100, i, 19000 + i * 100 + 1, 150 + i,
                         i == 0 ? "Init Duration: 512.34 ms\t" : "");
                seg_sim_logstore_put(ls, group, stream, t + 9001, t + 11001, msg);
            }
            /* written now but ingested an hour (simulated) from now: never visible here */
            seg_sim_logstore_put(ls, group, stream, now - 1000, now + 3600000,
                                 "REPORT RequestId: late\tDuration: 1.00 ms\n");
        }
    }
    seg_sim_logstore_create_group(ls, "/aws/lambda/empty");
}

int main(int argc, char **argv)
{
    double speed = 20, tps = -1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--speed") == 0)
            speed = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--tps") == 0)
            tps = atof(argv[i + 1]);
    }
    struct seg_sim_clock clk;
    seg_sim_clock_init(&clk, speed);
    struct seg_sim_logstore *ls = seg_sim_logstore_new(&clk);
    populate(ls, seg_sim_clock_now_ms(&clk));
    struct seg_sim_faults faults;
    seg_sim_faults_init(&faults);
    struct seg_sim_logs_config lc = {.clock = &clk,
                                     .store = ls,
                                     .region = "us-west-1",
                                     .account_id = "123456789012",
                                     .faults = &faults,
                                     .tps = {tps, tps, tps, tps, tps, tps, tps},
                                     .seed = 1,
                                     .filter_scan_budget = 50};
    struct seg_sim_logs *logs = NULL;
    struct seg_sim_keystore *keys = seg_sim_keystore_new();
    struct seg_sim_auth *auth = NULL;
    struct seg_httpd *httpd = NULL;
    struct seg_errmsg err = {{0}};
    int rc = 1;
    if (seg_sim_logs_new(&lc, &logs) ||
        seg_sim_keystore_add(keys, SEG_SIM_TEST_ACCESS_KEY_ID, SEG_SIM_TEST_SECRET_ACCESS_KEY))
        goto out;
    struct seg_sim_auth_config ac = {
        .keys = keys, .region = "us-west-1", .next = seg_sim_logs_handler, .next_ud = logs};
    if (seg_sim_auth_new(&ac, &auth))
        goto out;
    struct seg_httpd_config hc = {
        .handler = seg_sim_auth_handle, .too_large = seg_sim_auth_too_large, .handler_ud = auth};
    if (seg_httpd_start(&hc, &httpd, &err)) {
        fprintf(stderr, "simlogs_server: %s\n", err.text);
        goto out;
    }
    printf("{\"endpoint\": \"http://127.0.0.1:%u\", \"now_ms\": %lld}\n",
           (unsigned)seg_httpd_port(httpd), (long long)seg_sim_clock_now_ms(&clk));
    fflush(stdout);
    char buf[256];
    while (read(STDIN_FILENO, buf, sizeof buf) > 0) {
    }
    rc = 0;
out:
    seg_httpd_free(httpd);
    seg_sim_auth_free(auth);
    seg_sim_keystore_free(keys);
    seg_sim_logs_free(logs);
    seg_sim_logstore_free(ls);
    return rc;
}
