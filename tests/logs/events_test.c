/* logs.events: the FilterLogEvents page and Logs Insights results parsers (core/logs/events.c)
 * on AWS-shaped responses (aws-wire.md §2.2, §2.5) and on hostile ones. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/events.h"
#include "seg_test.h"

struct seen {
    int n;
    char msg[4][128];
    char stream[4][64];
    char group[4][64];
    char id[4][64];
    int64_t ts[4], ingest[4];
};

static void collect(void *ud, const struct seg_log_event *ev)
{
    struct seen *s = ud;
    if (s->n < 4) {
        snprintf(s->msg[s->n], sizeof s->msg[0], "%s", ev->message);
        snprintf(s->stream[s->n], sizeof s->stream[0], "%s", ev->stream);
        snprintf(s->group[s->n], sizeof s->group[0], "%s", ev->group ? ev->group : "-");
        snprintf(s->id[s->n], sizeof s->id[0], "%s", ev->event_id ? ev->event_id : "-");
        s->ts[s->n] = ev->ts;
        s->ingest[s->n] = ev->ingest;
        assert_int_equal(ev->message_len, strlen(ev->message));
    }
    s->n++;
}

#define PAGE(lit, s, tok, skipped) \
    seg_logs_parse_filter_page(lit, sizeof(lit) - 1, collect, s, tok, skipped)

static void test_filter_page(void **state)
{
    (void)state;
    /* The shape of aws-wire.md §2.2, with one event lacking a timestamp. */
    static const char body[] =
        "{\"events\":[{\"logStreamName\":\"2026/09/01/[$LATEST]abc\",\"timestamp\":1788000000123,"
        "\"message\":\"REPORT RequestId: r1\\tDuration: 1.00 ms\\n\",\"ingestionTime\":"
        "1788000001000,\"eventId\":\"3725\"},{\"message\":\"no time\"},"
        "{\"timestamp\":1788000000200,\"message\":\"START RequestId: r2\"}],"
        "\"searchedLogStreams\":[],\"nextToken\":\"tok-2\"}";
    struct seen s = {0};
    char *tok = NULL;
    size_t skipped = 0;
    assert_int_equal(PAGE(body, &s, &tok, &skipped), SEG_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(skipped, 1);
    assert_string_equal(s.stream[0], "2026/09/01/[$LATEST]abc");
    assert_string_equal(s.id[0], "3725");
    assert_true(s.ts[0] == 1788000000123);
    assert_true(s.ingest[0] == 1788000001000);
    assert_string_equal(s.msg[0], "REPORT RequestId: r1\tDuration: 1.00 ms\n");
    assert_string_equal(s.stream[1], "");
    assert_string_equal(s.id[1], "-");
    assert_true(s.ingest[1] == INT64_MIN);
    assert_string_equal(tok, "tok-2");
    free(tok);

    /* The last page: an empty token means none. */
    s.n = 0;
    assert_int_equal(PAGE("{\"events\":[],\"nextToken\":\"\"}", &s, &tok, &skipped), SEG_OK);
    assert_null(tok);
    assert_int_equal(s.n, 0);
}

static void test_filter_page_hostile(void **state)
{
    (void)state;
    struct seen s = {0};
    char *tok = NULL;
    size_t skipped;
    assert_int_equal(PAGE("", &s, &tok, &skipped), SEG_ERR_PARSE);
    assert_int_equal(PAGE("[1,2]", &s, &tok, &skipped), SEG_ERR_PARSE);
    assert_int_equal(PAGE("{\"events\":", &s, &tok, &skipped), SEG_ERR_PARSE);
    /* Wrong types, negative and absurd times: skipped, not trusted. */
    assert_int_equal(PAGE("{\"events\":[{\"timestamp\":-5,\"message\":\"a\"},{\"timestamp\":1e300,"
                          "\"message\":\"b\"},{\"timestamp\":\"1\",\"message\":\"c\"},"
                          "{\"timestamp\":1,\"message\":7}],\"nextToken\":5}",
                          &s, &tok, &skipped),
                     SEG_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(skipped, 4);
    assert_null(tok);
    /* Over the cap: refused before parsing. */
    assert_int_equal(
        seg_logs_parse_filter_page("{}", SEG_LOGS_MAX_PAGE + 1, collect, &s, &tok, &skipped),
        SEG_ERR_TOOBIG);
}

#define QPAGE(lit, s, pg) seg_logs_parse_query_page(lit, sizeof(lit) - 1, collect, s, pg)

static void test_query_page(void **state)
{
    (void)state;
    /* The shape of aws-wire.md §2.5. */
    static const char body[] =
        "{\"queryLanguage\":\"CWLI\",\"results\":[[{\"field\":\"@timestamp\",\"value\":"
        "\"2026-09-01 12:00:01.234\"},{\"field\":\"@ingestionTime\",\"value\":\"2026-09-01 "
        "12:00:03.000\"},{\"field\":\"@message\",\"value\":\"START RequestId: r1\\n\"},"
        "{\"field\":\"@logStream\",\"value\":\"s1\"},{\"field\":\"@log\",\"value\":"
        "\"123456789012:/aws/lambda/site1-lambdafunction\"},{\"field\":\"@ptr\",\"value\":\"x\"}"
        "],[{\"field\":\"@message\",\"value\":\"no time\"}]],\"statistics\":{\"recordsMatched\":"
        "2.0},\"status\":\"Complete\"}";
    struct seen s = {0};
    struct seg_query_page pg;
    assert_int_equal(QPAGE(body, &s, &pg), SEG_OK);
    assert_int_equal(pg.status, SEG_QUERY_COMPLETE);
    assert_int_equal(pg.rows, 2);
    assert_int_equal(pg.skipped, 1);
    assert_null(pg.next_token);
    assert_int_equal(s.n, 1);
    /* 2026-09-01T12:00:01.234Z */
    assert_true(s.ts[0] == 1788264001234);
    assert_true(s.ingest[0] == 1788264003000);
    assert_string_equal(s.group[0], "/aws/lambda/site1-lambdafunction");
    assert_string_equal(s.stream[0], "s1");
    assert_string_equal(s.id[0], "-");
    assert_string_equal(s.msg[0], "START RequestId: r1\n");
}

static void test_query_page_running(void **state)
{
    (void)state;
    /* Partial results of a running query are counted but not visited. */
    struct seen s = {0};
    struct seg_query_page pg;
    assert_int_equal(QPAGE("{\"results\":[[{\"field\":\"@timestamp\",\"value\":\"2026-09-01 "
                           "12:00:01.000\"},{\"field\":\"@message\",\"value\":\"m\"}]],"
                           "\"status\":\"Running\",\"nextToken\":\"n\"}",
                           &s, &pg),
                     SEG_OK);
    assert_int_equal(pg.status, SEG_QUERY_RUNNING);
    assert_int_equal(pg.rows, 1);
    assert_int_equal(s.n, 0);
    assert_string_equal(pg.next_token, "n");
    free(pg.next_token);
    assert_int_equal(QPAGE("{\"status\":\"Exploded\"}", &s, &pg), SEG_OK);
    assert_int_equal(pg.status, SEG_QUERY_UNKNOWN);
    assert_int_equal(QPAGE("{\"status\":\"Complete\",\"results\":[[{\"field\":\"@timestamp\","
                           "\"value\":\"yesterday\"},{\"field\":\"@message\",\"value\":\"m\"}],7,"
                           "[{\"field\":1}]]}",
                           &s, &pg),
                     SEG_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(pg.rows, 3);
    assert_int_equal(QPAGE("nope", &s, &pg), SEG_ERR_PARSE);
}

static void test_query_id(void **state)
{
    (void)state;
    char id[64];
    static const char ok[] = "{\"queryId\":\"12ab3456-12ab-123a-789e-1234567890ab\"}";
    assert_int_equal(seg_logs_parse_query_id(ok, sizeof ok - 1, id, sizeof id), SEG_OK);
    assert_string_equal(id, "12ab3456-12ab-123a-789e-1234567890ab");
    assert_int_equal(seg_logs_parse_query_id(ok, sizeof ok - 1, id, 8), SEG_ERR_PARSE);
    assert_int_equal(seg_logs_parse_query_id("{}", 2, id, sizeof id), SEG_ERR_PARSE);
    assert_int_equal(seg_logs_parse_query_id("{\"queryId\":\"\"}", 14, id, sizeof id),
                     SEG_ERR_PARSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_page), cmocka_unit_test(test_filter_page_hostile),
        cmocka_unit_test(test_query_page),  cmocka_unit_test(test_query_page_running),
        cmocka_unit_test(test_query_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
