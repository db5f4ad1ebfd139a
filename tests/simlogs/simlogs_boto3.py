#!/usr/bin/python3
"""simlogs.boto3: the simulator's CloudWatch Logs through Debian's boto3 (1.26) over a real
loopback socket with SigV4: every operation, boto3 paginators, filter patterns, time ranges,
Insights start -> poll -> Complete -> results, StopQuery, ResourceNotFoundException and
ThrottlingException under a tight rate limit. Prints one summary line; exit 77 without boto3.

Usage: simlogs_boto3.py SIMLOGS_SERVER"""
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    print("simlogs.boto3: SKIP (/usr/bin/python3 has no boto3)")
    sys.exit(77)

SERVER = sys.argv[1]
KEY_ID = "SEGTOPSIMACCESSKEY01"
SECRET = "segtopSimulatorTestKey/NotASecret/000001"
SCALE = float(os.environ.get("SEGTOP_TEST_TIME_SCALE", "1"))
G1 = "/aws/lambda/site1-lambdafunction"

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def start_server(*args):
    p = subprocess.Popen([SERVER, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         text=True)
    line = p.stdout.readline()
    if not line:
        raise RuntimeError("simlogs_server printed nothing")
    return p, json.loads(line)


def client(endpoint):
    return boto3.session.Session().client(
        "logs", region_name="us-west-1", endpoint_url=endpoint,
        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10))


def error_code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", ""), \
            e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, None, 200


def filter_all(logs, **kw):
    pages = list(logs.get_paginator("filter_log_events").paginate(**kw))
    events = [e for p in pages for e in p["events"]]
    return pages, events


def test_describe(logs):
    groups = [g for p in logs.get_paginator("describe_log_groups").paginate(
        PaginationConfig={"PageSize": 2}) for g in p["logGroups"]]
    names = [g["logGroupName"] for g in groups]
    check(names == sorted(names) and len(names) == 4, "DescribeLogGroups pages ASCII-sorted")
    g = [x for x in groups if x["logGroupName"] == G1][0]
    check(g["arn"] == "arn:aws:logs:us-west-1:123456789012:log-group:%s:*" % G1, "group arn")
    check(g["storedBytes"] > 0 and g["creationTime"] > 0, "group storedBytes/creationTime")
    r = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/site2")
    check([x["logGroupName"] for x in r["logGroups"]] == ["/aws/lambda/site2-lambdafunction"],
          "logGroupNamePrefix")
    streams = [s for p in logs.get_paginator("describe_log_streams").paginate(
        logGroupName=G1, PaginationConfig={"PageSize": 1}) for s in p["logStreams"]]
    check(len(streams) == 2, "DescribeLogStreams paginator: 2 streams, got %d" % len(streams))
    check(all("uploadSequenceToken" not in s and s["lastIngestionTime"] >= s["lastEventTimestamp"]
              for s in streams), "stream fields")
    r = logs.describe_log_streams(logGroupName=G1, orderBy="LastEventTime", descending=True)
    last = [s["lastEventTimestamp"] for s in r["logStreams"]]
    check(last == sorted(last, reverse=True), "orderBy LastEventTime descending")
    return streams


def test_filter(logs, now_ms):
    pages, events = filter_all(logs, logGroupName=G1, PaginationConfig={"PageSize": 7})
    check(len(events) == 160, "FilterLogEvents paginator: 160 visible events, got %d" % len(events))
    check(len(pages) > 160 // 7, "partial pages with nextToken (scan budget)")
    ids = [e["eventId"] for e in events]
    check(len(set(ids)) == len(ids) and all(len(i) == 56 and i.isdigit() for i in ids),
          "eventIds unique, 56 digits")
    ts = [e["timestamp"] for e in events]
    check(ts == sorted(ts), "events in timestamp order")
    check(all(e["ingestionTime"] <= now_ms + 10 ** 6 for e in events), "no future events")
    _, again = filter_all(logs, logGroupName=G1)
    check([e["eventId"] for e in again] == ids, "eventIds stable across calls")
    _, reports = filter_all(logs, logGroupName=G1, filterPattern='"REPORT RequestId"')
    check(len(reports) == 40 and all(e["message"].startswith("REPORT RequestId: ")
                                     for e in reports), "quoted phrase: 40 REPORTs")
    check(all("\tDuration: " in e["message"] for e in reports), "REPORT lines tab-separated")
    cold_pages, cold = filter_all(logs, logGroupName=G1, filterPattern='"Init Duration"')
    check(len(cold) == 2, "cold starts: 2, got %d" % len(cold))
    check(any(not p["events"] and "nextToken" in p for p in cold_pages),
          "an empty page may still carry a nextToken (scan budget)")
    _, alt = filter_all(logs, logGroupName=G1, filterPattern="?START ?END")
    check(len(alt) == 80, "?alternatives: 80, got %d" % len(alt))
    _, excl = filter_all(logs, logGroupName=G1, filterPattern='RequestId -REPORT -START')
    check(len(excl) == 40 and all(e["message"].startswith("END") for e in excl), "-exclusions")
    t0 = reports[0]["timestamp"]
    _, rng = filter_all(logs, logGroupName=G1, filterPattern='"REPORT RequestId"',
                        startTime=t0, endTime=t0 + 40000 - 1)
    check([e["timestamp"] for e in rng] == [e["timestamp"] for e in reports
                                            if t0 <= e["timestamp"] <= t0 + 39999],
          "time range (startTime inclusive)")
    one = streams_of(events)[0]
    _, by_name = filter_all(logs, logGroupName=G1, logStreamNames=[one])
    check(len(by_name) == 80 and {e["logStreamName"] for e in by_name} == {one}, "logStreamNames")
    _, by_prefix = filter_all(logs, logGroupName=G1, logStreamNamePrefix=one[:-2],
                              interleaved=True)
    check(len(by_prefix) == 160, "logStreamNamePrefix + interleaved: %d" % len(by_prefix))
    return events


def streams_of(events):
    return sorted({e["logStreamName"] for e in events})


def test_get_log_events(logs, stream):
    r = logs.get_log_events(logGroupName=G1, logStreamName=stream, limit=10)
    check(len(r["events"]) == 10 and "eventId" not in r["events"][0], "GetLogEvents newest page")
    check(r["nextForwardToken"].startswith("f/") and r["nextBackwardToken"].startswith("b/"),
          "f/ and b/ tokens")
    seen, tok = [], None
    kw = {"logGroupName": G1, "logStreamName": stream, "startFromHead": True, "limit": 25}
    for _ in range(20):
        page = logs.get_log_events(**kw, **({"nextToken": tok} if tok else {}))
        seen += page["events"]
        if page["nextForwardToken"] == tok:
            break
        tok = page["nextForwardToken"]
    check(len(seen) == 80, "forward paging to the same token: 80 events, got %d" % len(seen))
    check(not error_code(logs.get_log_events, logGroupName=G1, logStreamName="nope")[2] == 200,
          "unknown stream refused")


def test_insights(logs, now_ms):
    start = now_ms // 1000 - 3600
    end = now_ms // 1000 + 60
    qid = logs.start_query(
        logGroupNames=[G1, "/aws/lambda/site2-lambdafunction", "/aws/lambda/empty"],
        startTime=start, endTime=end,
        queryString='filter @type = "REPORT" | fields @timestamp, @requestId, @duration, '
                    '@billedDuration, @maxMemoryUsed, @initDuration | sort @timestamp desc',
        limit=1000)["queryId"]
    statuses = []
    deadline = time.time() + 10 * SCALE
    while time.time() < deadline:
        r = logs.get_query_results(queryId=qid)
        statuses.append(r["status"])
        if r["status"] == "Complete":
            break
        time.sleep(0.02)
    check(statuses[-1] == "Complete", "query completes: %s" % statuses[-1:])
    check(statuses[0] in ("Scheduled", "Running"), "query starts Scheduled/Running")
    rows = r["results"]
    check(len(rows) == 80, "80 REPORT rows, got %d" % len(rows))
    row = {f["field"]: f["value"] for f in rows[0]}
    check("@ptr" in row and "eventId" not in row, "rows carry @ptr, no eventId")
    check(row.get("@maxMemoryUsed", "").isdigit() and int(row["@maxMemoryUsed"]) > 10 ** 8,
          "@maxMemoryUsed in bytes")
    cold = [x for x in rows if any(f["field"] == "@initDuration" for f in x)]
    check(len(cold) == 4, "@initDuration on cold REPORTs: %d" % len(cold))
    st = r["statistics"]
    check(st["recordsMatched"] == 80 and st["recordsScanned"] >= 320 and st["bytesScanned"] > 0,
          "statistics %s" % st)
    qid = logs.start_query(logGroupName=G1, startTime=start, endTime=end,
                           queryString='filter @type = "REPORT" | stats count(*) as n, '
                                       'avg(@duration), pct(@duration, 95) by @logStream')["queryId"]
    time.sleep(0.4)  # 3 s simulated at --speed 20 is 0.15 s
    r = logs.get_query_results(queryId=qid)
    check(r["status"] == "Complete" and len(r["results"]) == 2, "stats by @logStream")
    check(all({"field": "n", "value": "20"} in row for row in r["results"]), "count(*) = 20")
    qid = logs.start_query(logGroupName=G1, startTime=start, endTime=end,
                           queryString="fields @message")["queryId"]
    check(logs.stop_query(queryId=qid)["success"] is True, "StopQuery success")
    check(logs.get_query_results(queryId=qid)["status"] == "Cancelled", "Cancelled after StopQuery")
    code, _, _ = error_code(logs.start_query, logGroupName=G1, startTime=start, endTime=end,
                            queryString="fields @message | dedup @requestId")
    check(code == "MalformedQueryException", "MalformedQueryException: %s" % code)


def test_errors(logs):
    code, msg, status = error_code(logs.filter_log_events, logGroupName="/aws/lambda/nope")
    check((code, msg, status) == ("ResourceNotFoundException",
                                  "The specified log group does not exist.", 400),
          "ResourceNotFoundException: %s %s %s" % (code, msg, status))
    code, msg, _ = error_code(logs.filter_log_events, logGroupName=G1, nextToken="bogus")
    check(code == "InvalidParameterException", "bad nextToken: %s" % code)
    code, _, _ = error_code(logs.start_query, logGroupName="/aws/lambda/nope", startTime=0,
                            endTime=1, queryString="fields @message")
    check(code == "ResourceNotFoundException", "StartQuery unknown group: %s" % code)


def test_throttle():
    proc, info = start_server("--tps", "1")
    try:
        logs = client(info["endpoint"])
        results = [error_code(logs.filter_log_events, logGroupName=G1, limit=1)
                   for _ in range(4)]
        codes = [c for c, _, _ in results]
        check(codes[0] is None, "first call within the limit")
        check(("ThrottlingException", "Rate exceeded", 400) in results,
              "ThrottlingException 'Rate exceeded' under 1 TPS: %s" % codes)
        # another API has its own bucket
        check(error_code(logs.describe_log_groups)[0] is None, "per-API buckets")
        time.sleep(1.1)
        check(error_code(logs.filter_log_events, logGroupName=G1, limit=1)[0] is None,
              "bucket refills in wall time")
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


def main():
    tmp = tempfile.mkdtemp(prefix="simlogs")
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        path = os.path.join(tmp, name.lower())
        open(path, "w").close()
        os.environ[name] = path
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    os.environ["AWS_PAGER"] = ""
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(k, None)
    proc, info = start_server("--speed", "20")
    try:
        logs = client(info["endpoint"])
        streams = test_describe(logs)
        events = test_filter(logs, info["now_ms"])
        test_get_log_events(logs, streams[0]["logStreamName"])
        test_insights(logs, info["now_ms"])
        test_errors(logs)
        del events
    finally:
        proc.stdin.close()
        rc = proc.wait(timeout=10)
        check(rc == 0, "server exit status %d" % rc)
    test_throttle()
    print("simlogs.boto3: %d checks, %d failed (boto3 %s)" % (checks, len(failures),
                                                             boto3.__version__))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
