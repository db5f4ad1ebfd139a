"""simapi.boto3: Debian's boto3 against a standalone `segtop sim` (run by boto3_test.sh).

Usage: boto3_client.py MAIN_ENDPOINT THROTTLED_ENDPOINT REGION KEY SECRET
Every check prints one line; the last line is a summary; exit 1 on any failure."""
import base64
import datetime
import hashlib
import json
import os
import sys
import time
import zlib

import boto3
import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from botocore.httpsession import URLLib3Session

MAIN, THROTTLED, REGION, KEY, SECRET = sys.argv[1:6]
SCALE = float(os.environ.get("SEGTOP_TEST_TIME_SCALE", "1"))
passed, failed = 0, []


def check(name, cond, detail=""):
    global passed
    if cond:
        passed += 1
        print("ok   %s" % name)
    else:
        failed.append(name)
        print("FAIL %s %s" % (name, detail))


def client(svc, endpoint=MAIN, secret=SECRET, key=KEY, attempts=1, **cfg):
    return boto3.client(
        svc, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"mode": "standard", "max_attempts": attempts}, **cfg))


def error_of(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except ClientError as e:
        return e.response
    return None


def code(resp):
    return resp and resp["Error"]["Code"]


def status(resp):
    return resp and resp["ResponseMetadata"]["HTTPStatusCode"]


lam, s3, logs = client("lambda"), client("s3"), client("logs")
# botocore 1.29 predates LoggingConfig (2023): read the raw JSON for it.
raw = {}


def keep_raw(response_dict=None, **kw):
    body = (response_dict or {}).get("body")
    if not isinstance(body, (bytes, str)):
        return  # a streaming Invoke payload: not a configuration document
    try:
        raw["last"] = json.loads(body or b"{}")
    except ValueError:
        raw["last"] = None


lam.meta.events.register("response-received.lambda.*", keep_raw)

# ---- Lambda control plane ----
pages, names, marker = 0, [], None
while True:
    kw = {"MaxItems": 7}
    if marker:
        kw["Marker"] = marker
    page = lam.list_functions(**kw)
    pages += 1
    names += [f["FunctionName"] for f in page["Functions"]]
    marker = page.get("NextMarker")
    if not marker or pages > 10:
        break
check("ListFunctions pages by MaxItems/Marker", pages == 3 and len(names) == 20,
      "pages=%d n=%d" % (pages, len(names)))
check("ListFunctions names", names == ["site%d-lambdafunction" % i for i in range(1, 21)])
f = lam.list_functions()["Functions"][0]
rf = raw["last"]["Functions"][0]
check("FunctionConfiguration fields",
      f["PackageType"] == "Image" and f["MemorySize"] == 6200 and f["Timeout"] == 781
      and "Runtime" not in f and f["FunctionArn"].endswith(":function:site1-lambdafunction")
      and rf["LoggingConfig"] == {"LogFormat": "Text",
                                  "LogGroup": "/aws/lambda/site1-lambdafunction"}, json.dumps(rf))
arn = "arn:aws:lambda:%s:123456789012:function:site3-lambdafunction" % REGION
for form in ("site3-lambdafunction", "123456789012:function:site3-lambdafunction", arn,
             arn + ":$LATEST"):
    c = lam.get_function_configuration(FunctionName=form)
    check("GetFunctionConfiguration by %s" % form,
          c["FunctionName"] == "site3-lambdafunction"
          and raw["last"]["LoggingConfig"]["LogFormat"] == "Text")
c = lam.get_function_configuration(FunctionName="site3-lambdafunction", Qualifier="$LATEST")
check("GetFunctionConfiguration Qualifier=$LATEST", c["Version"] == "$LATEST")
r = error_of(lam.get_function_configuration, FunctionName="site3-lambdafunction", Qualifier="prod")
check("unknown qualifier is 404", code(r) == "ResourceNotFoundException" and status(r) == 404)
c = lam.get_function_concurrency(FunctionName="site3-lambdafunction")
check("GetFunctionConcurrency without a reservation", "ReservedConcurrentExecutions" not in c)
a = lam.get_account_settings()
check("GetAccountSettings", a["AccountLimit"]["ConcurrentExecutions"] == 1000
      and a["AccountUsage"]["FunctionCount"] == 20)
g = lam.get_function(FunctionName="site2-lambdafunction")
check("GetFunction", g["Configuration"]["FunctionName"] == "site2-lambdafunction")

# ---- Invoke ----
event = {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                      "eventTime": "2025-01-01T00:00:00.000Z",
                      "s3": {"bucket": {"name": "site1-simulatedbucket"},
                             "object": {"key": "image_capture_sync.jpg", "size": 4}}}]}
t0 = time.time()
r = lam.invoke(FunctionName="site1-lambdafunction", Payload=json.dumps(event).encode(),
               LogType="Tail")
rid = r["ResponseMetadata"]["RequestId"]
tail = base64.b64decode(r.get("LogResult", "")).decode("utf-8", "replace")
check("Invoke RequestResponse 200", r["StatusCode"] == 200 and r["ExecutedVersion"] == "$LATEST")
check("Invoke Tail log has START and REPORT of x-amzn-RequestId",
      ("START RequestId: %s" % rid) in tail and ("REPORT RequestId: %s" % rid) in tail, tail[-400:])
r = lam.invoke(FunctionName="site1-lambdafunction", InvocationType="Event", Payload=b"{}")
check("Invoke Event 202", r["StatusCode"] == 202 and len(r["ResponseMetadata"]["RequestId"]) == 36)
r = lam.invoke(FunctionName="site1-lambdafunction", InvocationType="DryRun")
check("Invoke DryRun 204", r["StatusCode"] == 204)
r = error_of(lam.invoke, FunctionName="nosuch-function", Payload=b"{}")
check("Invoke unknown function 404", code(r) == "ResourceNotFoundException" and status(r) == 404
      and "Function not found: arn:aws:lambda:" in r["Error"]["Message"], str(r))
r = error_of(lam.invoke, FunctionName="site1-lambdafunction", Payload=b"{not json")
check("Invoke malformed JSON 400", code(r) == "InvalidRequestContentException"
      and status(r) == 400, str(r))
r = error_of(lam.invoke, FunctionName="bad name!", Payload=b"{}")
check("Invoke malformed name 400", status(r) == 400 and code(r) == "ValidationException", str(r))

# ---- S3 ----
b = s3.list_buckets()
check("ListBuckets", [x["Name"] for x in b["Buckets"]][:2] ==
      ["site1-simulatedbucket", "site2-simulatedbucket"] and len(b["Buckets"]) == 20)
check("HeadBucket 200", s3.head_bucket(Bucket="site5-simulatedbucket")
      ["ResponseMetadata"]["HTTPStatusCode"] == 200)
r = error_of(s3.head_bucket, Bucket="nosuch-bucket")
check("HeadBucket unknown 404", status(r) == 404)
n = s3.get_bucket_notification_configuration(Bucket="site3-simulatedbucket")
lc = n.get("LambdaFunctionConfigurations", [])
check("GetBucketNotificationConfiguration", len(lc) == 1
      and lc[0]["LambdaFunctionArn"] == arn and lc[0]["Events"] == ["s3:ObjectCreated:*"], str(n))
body = b"\xff\xd8\xff\xe0 simulated jpeg bytes"
key = "image_capture_2025-01-01_00-00-00.jpg"
p = s3.put_object(Bucket="site2-simulatedbucket", Key=key, Body=body)
check("PutObject ETag is the quoted MD5", p["ETag"] == '"%s"' % hashlib.md5(body).hexdigest())
p = s3.put_object(Bucket="site6-simulatedbucket", Key="crc.jpg", Body=body,
                  ChecksumAlgorithm="CRC32")
want = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
check("PutObject with x-amz-checksum-crc32", p.get("ChecksumCRC32") == want, str(p))
r = error_of(s3.put_object, Bucket="nosuch-bucket", Key="k", Body=b"x")
check("PutObject unknown bucket 404 NoSuchBucket", code(r) == "NoSuchBucket" and status(r) == 404)
r = error_of(s3.put_object, Bucket="site6-simulatedbucket", Key="bad.jpg", Body=body,
             ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode())
check("PutObject Content-MD5 mismatch 400 BadDigest", code(r) == "BadDigest", str(r))

# Virtual-hosted style: the bucket in an explicit Host header, signed by botocore.
host = "site7-simulatedbucket." + MAIN.split("//", 1)[1]
req = AWSRequest(method="PUT", url=MAIN + "/virtual.jpg", data=body,
                 headers={"Host": host, "Content-Type": "image/jpeg"})
botocore.auth.S3SigV4Auth(Credentials(KEY, SECRET), "s3", REGION).add_auth(req)
resp = URLLib3Session().send(req.prepare())
check("PutObject virtual-hosted via Host header", resp.status_code == 200
      and resp.headers.get("ETag") == '"%s"' % hashlib.md5(body).hexdigest(),
      "%s %s" % (resp.status_code, resp.content[:300]))

# ---- S3 upload → the site's function runs → REPORT in its log group ----
deadline = time.time() + 60 * SCALE
group = "/aws/lambda/site2-lambdafunction"
found_rid, report = None, None
while time.time() < deadline and not report:
    token, evs = None, []
    while True:
        kw = {"logGroupName": group, "limit": 5}
        if token:
            kw["nextToken"] = token
        page = logs.filter_log_events(**kw)
        evs += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    # The handler prints the Image Name without a request id: the REPORT that follows it in
    # the same log stream is that invocation's.
    evs.sort(key=lambda e: (e["logStreamName"], e["timestamp"], e["eventId"]))
    seen_stream = None
    for e in evs:
        if ("Image Name: %s" % key) in e["message"]:
            seen_stream = e["logStreamName"]
        elif seen_stream == e["logStreamName"] and e["message"].startswith("REPORT RequestId: "):
            report = e["message"]
            found_rid = report.split()[2]
            break
    if not report:
        time.sleep(0.25)
check("S3 upload -> REPORT for that Image Name (FilterLogEvents paging)", report is not None,
      "rid=%s" % found_rid)
check("REPORT fields", report is not None and "Billed Duration:" in report
      and "Memory Size: 6200 MB" in report, str(report))

q = logs.start_query(logGroupNames=[group], startTime=0, endTime=int(time.time() * 1000) + 10**9,
                     queryString="fields @timestamp, @message | filter @message like /REPORT/ "
                                 "| limit 20")
res, deadline = None, time.time() + 30 * SCALE
while time.time() < deadline:
    res = logs.get_query_results(queryId=q["queryId"])
    if res["status"] in ("Complete", "Failed", "Cancelled", "Timeout"):
        break
    time.sleep(0.2)
check("Insights query -> results", res and res["status"] == "Complete"
      and len(res["results"]) >= 1, str(res)[:300])

# ---- SigV4 failures ----
r = error_of(client("lambda", secret=SECRET + "x").list_functions)
check("wrong secret: Lambda 403 InvalidSignatureException",
      status(r) == 403 and code(r) == "InvalidSignatureException", str(r))
r = error_of(client("s3", secret=SECRET + "x").list_buckets)
check("wrong secret: S3 403 SignatureDoesNotMatch",
      status(r) == 403 and code(r) == "SignatureDoesNotMatch", str(r))
r = error_of(client("s3", key="AKIDUNKNOWNKEY0000000").list_buckets)
check("unknown key: S3 403 InvalidAccessKeyId", status(r) == 403 and code(r) == "InvalidAccessKeyId")

tampered = client("lambda")


def tamper(request, **kw):
    request.body = b'{"tampered": true}'  # after signing: the hash no longer matches


tampered.meta.events.register("before-send.lambda.Invoke", tamper)
r = error_of(tampered.invoke, FunctionName="site1-lambdafunction", Payload=b'{"a": 1}')
check("tampered body 403", status(r) == 403 and code(r) == "InvalidSignatureException", str(r))

real_datetime = botocore.auth.datetime.datetime


class Skewed(real_datetime):
    @classmethod
    def utcnow(cls):
        return real_datetime.utcnow() - datetime.timedelta(minutes=15)


botocore.auth.datetime.datetime = Skewed
try:
    r_lam = error_of(client("lambda").list_functions)
    r_s3 = error_of(client("s3").list_buckets)
finally:
    botocore.auth.datetime.datetime = real_datetime
check("stale date: Lambda 403", status(r_lam) == 403
      and code(r_lam) == "InvalidSignatureException", str(r_lam))
check("stale date: S3 403 RequestTimeTooSkewed", status(r_s3) == 403
      and code(r_s3) == "RequestTimeTooSkewed", str(r_s3))

# ---- throttling (a sim with --sim-faults throttle=1:lambda) ----
attempts = []
thr = client("lambda", endpoint=THROTTLED, attempts=3)
thr.meta.events.register("before-send.lambda.Invoke", lambda **kw: attempts.append(1))
r = error_of(thr.invoke, FunctionName="site1-lambdafunction", Payload=b"{}")
check("throttle: 429 TooManyRequestsException with Reason and Retry-After",
      status(r) == 429 and code(r) == "TooManyRequestsException"
      and r.get("Reason") and r["ResponseMetadata"]["HTTPHeaders"].get("retry-after"), str(r))
# Config(retries={"max_attempts": 3}) means 3 retries after the first call in botocore.
check("throttle: standard mode sent 1 + 3 retries", len(attempts) == 4, str(len(attempts)))
ok = client("s3", endpoint=THROTTLED).put_object(Bucket="site1-simulatedbucket", Key="k.jpg",
                                                 Body=b"x")
check("throttle scoped to lambda: S3 unaffected", ok["ResponseMetadata"]["HTTPStatusCode"] == 200)

print("simapi.boto3: %d passed, %d failed%s" % (passed, len(failed),
      (": " + ", ".join(failed)) if failed else ""))
sys.exit(1 if failed else 0)
