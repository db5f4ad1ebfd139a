/* simlogs.unit: the pure parts of the simulator's CloudWatch Logs: filter patterns, the
 * Insights subset (what compiles, what is refused, what a run returns), the store's ordering,
 * visibility and event ids, and the token-bucket rate limiter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seg_test.h"
#include "sim/clock.h"
#include "sim/filterpattern.h"
#include "sim/insights.h"
#include "sim/logstore.h"
#include "sim/ratelimit.h"

/* ---- filter patterns ---- */

static bool fp_match(const char *pattern, const char *msg)
{
    struct seg_sim_filterpattern *fp = NULL;
    struct seg_errmsg err = {{0}};
    assert_int_equal(seg_sim_filterpattern_compile(pattern, strlen(pattern), &fp, &err), SEG_OK);
    bool m = seg_sim_filterpattern_match(fp, msg, strlen(msg));
    seg_sim_filterpattern_free(fp);
    return m;
}

static enum seg_err fp_compile(const char *pattern, size_t len)
{
    struct seg_sim_filterpattern *fp = NULL;
    struct seg_errmsg err = {{0}};
    enum seg_err e = seg_sim_filterpattern_compile(pattern, len, &fp, &err);
    if (e == SEG_OK)
        seg_sim_filterpattern_free(fp);
    else
        assert_true(err.text[0] != '\0');
    return e;
}

static void test_filter_terms(void **state)
{
    (void)state;
    const char *report = "REPORT RequestId: abc\tDuration: 1.00 ms\tInit Duration: 2.00 ms\n";
    assert_true(fp_match("", report));
    assert_true(fp_match("   ", report));
    assert_true(fp_match("\" \"", "anything"));
    assert_true(fp_match("REPORT", report));
    assert_true(fp_match("REPORT Duration", report));
    assert_false(fp_match("REPORT ERROR", report));
    assert_false(fp_match("report", report)); /* case-sensitive */
    assert_true(fp_match("\"REPORT RequestId\"", report));
    assert_false(fp_match("\"RequestId REPORT\"", report));
    assert_true(fp_match("\"Init Duration\"", report));
    assert_false(fp_match("\"Init Duration\"", "REPORT RequestId: x\tDuration: 1 ms"));
    assert_true(fp_match("?ERROR ?REPORT", report));
    assert_false(fp_match("?ERROR ?WARN", report));
    assert_true(fp_match("?\"Task timed out\" ?\"Status: timeout\"",
                         "2019-09-18T00:02:46.542Z f27 Task timed out after 5.01 seconds"));
    assert_true(fp_match("REPORT -ERROR", report));
    assert_false(fp_match("REPORT -Init", report));
    assert_false(fp_match("-\"Init Duration\"", report));
    assert_true(fp_match("\"say \\\"hi\\\"\"", "they say \"hi\" twice"));
    assert_true(fp_match("%Duration: [0-9]+%", report));
    assert_false(fp_match("%Status: [a-z]+%", report));
    /* all plain terms AND at least one alternative, minus exclusions */
    assert_true(fp_match("REPORT ?Init ?Status", report));
    assert_false(fp_match("REPORT ?Status ?Error", report));
}

static void test_filter_errors(void **state)
{
    (void)state;
    assert_int_equal(fp_compile("\"unterminated", 13), SEG_ERR_PARSE);
    assert_int_equal(fp_compile("{ $.type = \"platform.report\" }", 30), SEG_ERR_INVALID);
    assert_int_equal(fp_compile("[ip, user]", 10), SEG_ERR_INVALID);
    assert_int_equal(fp_compile("%a% %b% %c%", 11), SEG_ERR_INVALID); /* at most 2 regexes */
    assert_int_equal(fp_compile("%(a)%", 5), SEG_ERR_PARSE);          /* no ( ) in AWS regex */
    assert_int_equal(fp_compile("%a\\1%", 5), SEG_ERR_PARSE);
    assert_int_equal(fp_compile("%%", 2), SEG_ERR_PARSE);
    assert_int_equal(fp_compile("%a+++%", 6), SEG_ERR_PARSE); /* glibc would expand it */
    assert_int_equal(fp_compile("%a{200}b{200}%", 14), SEG_ERR_PARSE);
    assert_int_equal(fp_compile("%a{2,9}[+*]+%", 13), SEG_OK);
    assert_int_equal(fp_compile("ab\"cd", 5), SEG_ERR_PARSE);
    assert_int_equal(fp_compile("a\0b", 3), SEG_ERR_PARSE);
    char big[1100];
    memset(big, 'a', sizeof big);
    assert_int_equal(fp_compile(big, 1025), SEG_ERR_TOOBIG);
    assert_int_equal(fp_compile(big, 1024), SEG_OK);
}

/* ---- Insights ---- */

static enum seg_err compile_q(const char *q, struct seg_sim_insights_error *err)
{
    struct seg_sim_insights_query *cq = NULL;
    enum seg_err e = seg_sim_insights_compile(q, strlen(q), &cq, err);
    seg_sim_insights_free(cq);
    return e;
}

static void test_insights_accepts(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "fields @timestamp, @message",
        "fields @timestamp, @message | sort @timestamp desc | limit 20",
        "filter @type = \"REPORT\" | stats avg(@duration), max(@duration) by bin(5m)",
        "filter @message like /REPORT/ | fields @requestId, @duration",
        "filter @message like \"Init Duration\" and @duration > 100",
        "filter (@logStream like /site1/ or @logStream like /site2/) and not @type != \"REPORT\"",
        "filter @message =~ /Duration: \\d+/",
        "filter @message not like /START/",
        "parse @message \"Image Name: *\" as key | filter ispresent = 1 or key like /x/",
        "parse @message \"Event Time: *, Site ID: *\" as t, site | stats count(*) by site",
        "stats count(*) as n, pct(@duration, 95) as p95, sum(@billedDuration) by @logStream",
        "stats count(*) as n by @logStream | sort n desc",
        "filter @type = \"REPORT\" | stats count(@initDuration) as cold, count(*) as all",
        "fields @timestamp as t, @log # a comment\n| limit 10000",
        "FIELDS @message | LIMIT 5",
    };
    for (size_t i = 0; i < SEG_ARRAY_LEN(ok); i++) {
        struct seg_sim_insights_error err = {0};
        if (compile_q(ok[i], &err) != SEG_OK)
            fail_msg("refused %s: %s", ok[i], err.message);
    }
}

static void test_insights_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "dedup @requestId",
        "display @message",
        "fields @message | unmask @message",
        "stats count_distinct(@requestId)",
        "stats avg(@duration + 1)",
        "parse @message /Duration: (?<d>.*?) ms/",
        "parse @message \"a * b * c\" as one",
        "parse @message \"no star\" as x",
        "filter @message like \"unterminated",
        "filter @message like /(?i)report/",
        "filter @message like /a\\1/",
        "limit 0",
        "limit 10001",
        "limit many",
        "sort",
        "fields @message |",
        "fields @message filter x",
        "stats count(*) | stats count(*)",
        "filter @duration ~ 3",
        "stats pct(@duration, 101)",
        "stats count(*) by bin(5y)",
        "fields a;b",
    };
    for (size_t i = 0; i < SEG_ARRAY_LEN(bad); i++) {
        struct seg_sim_insights_error err = {0};
        if (compile_q(bad[i], &err) == SEG_OK)
            fail_msg("accepted %s", bad[i]);
        assert_true(err.message[0] != '\0');
        assert_true(err.start <= err.end);
        assert_true(err.end <= strlen(bad[i]));
    }
    struct seg_sim_insights_error err = {0};
    assert_int_not_equal(compile_q("fields @message | dedup x", &err), SEG_OK);
    assert_int_equal(err.start, 18); /* points at the unknown command */
    assert_int_equal(err.end, 23);
}

static const char *cell(const struct seg_sim_insights_row *r, const char *field)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->fields[i].field, field) == 0)
            return r->fields[i].value;
    return NULL;
}

static void run_q(const char *q, struct seg_sim_insights_result *res)
{
    static const char *const msgs[] = {
        "START RequestId: r1 Version: $LATEST\n",
        "REPORT RequestId: r1\tDuration: 100.50 ms\tBilled Duration: 101 ms\tMemory Size: 128 "
        "MB\tMax Memory Used: 75 MB\tInit Duration: 200.25 ms\t\n",
        "REPORT RequestId: r2\tDuration: 300.50 ms\tBilled Duration: 301 ms\tMemory Size: 128 "
        "MB\tMax Memory Used: 80 MB\t\n",
        "2026-09-01T12:00:00.000Z\tr3\tINFO\tImage Name: site7/img-3.png\n",
        "REPORT RequestId: r3\tDuration: 200.00 ms\tBilled Duration: 200 ms\tMemory Size: 256 "
        "MB\tMax Memory Used: 90 MB\tStatus: error\tError Type: Runtime.Unknown\n",
    };
    struct seg_sim_insights_query *cq = NULL;
    struct seg_sim_insights_error err = {0};
    if (seg_sim_insights_compile(q, strlen(q), &cq, &err) != SEG_OK)
        fail_msg("%s: %s", q, err.message);
    struct seg_sim_insights_run *run = seg_sim_insights_run_new(cq, 0);
    for (size_t i = 0; i < SEG_ARRAY_LEN(msgs); i++) {
        struct seg_sim_log_event ev = {.stream = i < 3 ? "s-a" : "s-b",
                                       .timestamp_ms = 1788264000000 + (int64_t)i * 1000,
                                       .ingestion_ms = 1788264000500 + (int64_t)i * 1000,
                                       .seq = i + 1,
                                       .message = msgs[i],
                                       .message_len = strlen(msgs[i])};
        seg_sim_insights_run_feed(run, "123456789012:/aws/lambda/g", &ev);
    }
    seg_sim_insights_run_finish(run, res);
    seg_sim_insights_free(cq);
}

static void test_insights_run(void **state)
{
    (void)state;
    struct seg_sim_insights_result r;
    run_q("filter @type = \"REPORT\" | fields @requestId, @duration, @maxMemoryUsed, "
          "@initDuration | sort @duration desc",
          &r);
    assert_int_equal(r.nrows, 3);
    assert_int_equal((int)r.records_scanned, 5);
    assert_int_equal((int)r.records_matched, 3);
    assert_string_equal(cell(&r.rows[0], "@requestId"), "r2");
    assert_string_equal(cell(&r.rows[0], "@duration"), "300.50");
    assert_string_equal(cell(&r.rows[0], "@maxMemoryUsed"), "80000000");
    assert_null(cell(&r.rows[0], "@initDuration"));
    assert_string_equal(cell(&r.rows[2], "@initDuration"), "200.25");
    assert_non_null(cell(&r.rows[0], "@ptr"));
    assert_null(cell(&r.rows[0], "@message"));
    seg_sim_insights_result_release(&r);

    run_q("filter @type = \"REPORT\" | stats count(*) as n, avg(@duration) as avg, "
          "max(@billedDuration), pct(@duration, 50) by @logStream",
          &r);
    assert_int_equal(r.nrows, 2);
    assert_string_equal(cell(&r.rows[0], "@logStream"), "s-a");
    assert_string_equal(cell(&r.rows[0], "n"), "2");
    assert_string_equal(cell(&r.rows[0], "avg"), "200.5");
    assert_string_equal(cell(&r.rows[0], "max(@billedDuration)"), "301");
    assert_string_equal(cell(&r.rows[0], "pct(@duration, 50)"), "100.5");
    assert_null(cell(&r.rows[0], "@ptr")); /* aggregates have no pointer */
    assert_string_equal(cell(&r.rows[1], "n"), "1");
    seg_sim_insights_result_release(&r);

    run_q("parse @message \"Image Name: */*\" as site, image | filter site like \"site\" "
          "| fields site, image, @timestamp, @log",
          &r);
    assert_int_equal(r.nrows, 1);
    assert_string_equal(cell(&r.rows[0], "site"), "site7");
    assert_string_equal(cell(&r.rows[0], "image"), "img-3.png");
    assert_string_equal(cell(&r.rows[0], "@timestamp"), "2026-09-01 12:00:03.000");
    assert_string_equal(cell(&r.rows[0], "@log"), "123456789012:/aws/lambda/g");
    seg_sim_insights_result_release(&r);

    run_q("fields @message | sort @timestamp desc | limit 2", &r);
    assert_int_equal(r.nrows, 2);
    assert_true(strncmp(cell(&r.rows[0], "@message"), "REPORT RequestId: r3", 20) == 0);
    seg_sim_insights_result_release(&r);

    run_q("filter @message like /Duration: [0-9]{3}\\.5/ | stats count(*)", &r);
    assert_int_equal(r.nrows, 1);
    assert_string_equal(cell(&r.rows[0], "count(*)"), "2");
    seg_sim_insights_result_release(&r);

    run_q("filter @requestId = \"nope\" | stats count(*)", &r);
    assert_int_equal(r.nrows, 1);
    assert_string_equal(cell(&r.rows[0], "count(*)"), "0");
    seg_sim_insights_result_release(&r);
}

/* ---- store ---- */

struct collect {
    char ids[64][SEG_SIM_EVENT_ID_SIZE];
    int64_t ts[64];
    size_t n;
};

static enum seg_sim_scan_verdict collect(void *ud, const struct seg_sim_log_event *ev)
{
    struct collect *c = ud;
    seg_sim_log_event_id(ev, c->ids[c->n]);
    c->ts[c->n++] = ev->timestamp_ms;
    return c->n < 64 ? SEG_SIM_SCAN_NEXT : SEG_SIM_SCAN_STOP;
}

static void test_store_order_visibility_ids(void **state)
{
    (void)state;
    struct seg_sim_clock clk = {.speed = 0, .t0_epoch_ms = 1000000, .t0_mono_ns = 0};
    struct seg_sim_logstore *ls = seg_sim_logstore_new(&clk);
    /* two streams, out of order, some ingested late */
    seg_sim_logstore_put(ls, "g", "b", 500, 900, "b500");
    seg_sim_logstore_put(ls, "g", "a", 300, 400, "a300");
    seg_sim_logstore_put(ls, "g", "a", 100, 200, "a100");
    seg_sim_logstore_put(ls, "g", "b", 200, 5000, "b200-late");
    seg_sim_logstore_put(ls, "g", "a", 300, 450, "a300-second");
    struct collect c = {0};
    struct seg_sim_logstore_scan q = {.group = "g",
                                      .start_ms = 0,
                                      .end_ms = INT64_MAX,
                                      .now_ms = 1000,
                                      .visit = collect,
                                      .ud = &c};
    struct seg_sim_logstore_scan_result res;
    assert_int_equal(seg_sim_logstore_scan(ls, &q, &res), SEG_OK);
    assert_int_equal(c.n, 4); /* b200 not yet ingested */
    assert_int_equal(c.ts[0], 100);
    assert_int_equal(c.ts[1], 300);
    assert_int_equal(c.ts[2], 300);
    assert_int_equal(c.ts[3], 500);
    assert_false(res.more);
    for (size_t i = 0; i < c.n; i++) {
        assert_int_equal(strlen(c.ids[i]), 56);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(c.ids[i], c.ids[j]);
    }
    struct collect c2 = {0};
    q.ud = &c2;
    q.now_ms = 5000;
    assert_int_equal(seg_sim_logstore_scan(ls, &q, &res), SEG_OK);
    assert_int_equal(c2.n, 5);
    assert_int_equal(c2.ts[1], 200);
    /* ids are stable: the same events keep theirs */
    assert_string_equal(c2.ids[0], c.ids[0]);
    assert_string_equal(c2.ids[2], c.ids[1]);
    assert_string_equal(c2.ids[4], c.ids[3]);
    /* time range is inclusive at both ends; a prefix selects streams */
    struct collect c3 = {0};
    q.ud = &c3;
    q.start_ms = 200;
    q.end_ms = 300;
    q.stream_prefix = "a";
    assert_int_equal(seg_sim_logstore_scan(ls, &q, &res), SEG_OK);
    assert_int_equal(c3.n, 2);
    assert_int_equal(res.streams, 1);
    /* a scan budget stops early and says where to resume */
    struct collect c4 = {0};
    q = (struct seg_sim_logstore_scan){.group = "g",
                                       .start_ms = 0,
                                       .end_ms = INT64_MAX,
                                       .now_ms = 5000,
                                       .max_scanned = 2,
                                       .visit = collect,
                                       .ud = &c4};
    assert_int_equal(seg_sim_logstore_scan(ls, &q, &res), SEG_OK);
    assert_int_equal(c4.n, 2);
    assert_true(res.more);
    q.has_after = true;
    q.after = res.last;
    assert_int_equal(seg_sim_logstore_scan(ls, &q, &res), SEG_OK);
    assert_int_equal(c4.n, 4);
    q.after = res.last;
    assert_int_equal(seg_sim_logstore_scan(ls, &q, &res), SEG_OK);
    assert_int_equal(c4.n, 5);
    assert_false(res.more);
    q.group = "nope";
    assert_int_equal(seg_sim_logstore_scan(ls, &q, &res), SEG_ERR_NOTFOUND);
    /* stream stats follow visibility */
    struct seg_sim_logstream_info *si;
    size_t n;
    assert_int_equal(seg_sim_logstore_list_streams(ls, "g", NULL, 1000, &si, &n), SEG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(si[1].name, "b");
    assert_int_equal(si[1].first_event_ms, 500);
    seg_sim_logstream_infos_free(si, n);
    /* over-long messages are cut at AWS's event size */
    char *big = malloc(300 * 1024);
    memset(big, 'x', 300 * 1024 - 1);
    big[300 * 1024 - 1] = '\0';
    seg_sim_logstore_put(ls, "g2", "s", 1, 1, big);
    free(big);
    struct seg_sim_loggroup_info *gi;
    seg_sim_logstore_list_groups(ls, "g2", NULL, &gi, &n);
    assert_int_equal(n, 1);
    assert_int_equal(gi[0].stored_bytes, SEG_SIM_LOG_MESSAGE_MAX);
    seg_sim_loggroup_infos_free(gi, n);
    seg_sim_logstore_free(ls);
}

static void test_ratelimit(void **state)
{
    (void)state;
    struct seg_sim_ratelimit *rl = seg_sim_ratelimit_new();
    seg_sim_ratelimit_set(rl, "FilterLogEvents", 5, 0);
    int64_t t = 1000000000;
    for (int i = 0; i < 5; i++)
        assert_true(seg_sim_ratelimit_take_at(rl, "FilterLogEvents", t));
    assert_false(seg_sim_ratelimit_take_at(rl, "FilterLogEvents", t));
    assert_true(seg_sim_ratelimit_take_at(rl, "Other", t)); /* unset: unlimited */
    assert_true(seg_sim_ratelimit_take_at(rl, "FilterLogEvents", t + 200000000)); /* +1 token */
    assert_false(seg_sim_ratelimit_take_at(rl, "FilterLogEvents", t + 200000000));
    assert_true(seg_sim_ratelimit_take_at(rl, "FilterLogEvents", t + 5000000000));
    seg_sim_ratelimit_set(rl, "FilterLogEvents", 0, 0);
    for (int i = 0; i < 100; i++)
        assert_true(seg_sim_ratelimit_take_at(rl, "FilterLogEvents", t));
    assert_true(seg_sim_ratelimit_tps(rl, "FilterLogEvents") == 0);
    seg_sim_ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_terms),     cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_insights_accepts), cmocka_unit_test(test_insights_rejects),
        cmocka_unit_test(test_insights_run),     cmocka_unit_test(test_store_order_visibility_ids),
        cmocka_unit_test(test_ratelimit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
