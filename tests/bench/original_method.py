#!/usr/bin/python3
"""The original pipeline's way of running and reading a wave, against segtop's simulator.

Uploads one object to every site's bucket at once (a thread pool, as a hand-written
uploader would), then walks CloudWatch Logs the way the original notebook did: for each
log group /aws/lambda/site{n}-lambdafunction, DescribeLogStreams, then GetLogEvents per
stream, until every site's REPORT for the wave's object key is found (groups still missing
it are walked again). Every HTTP attempt is counted, throttled ones too; botocore's
standard retry mode retries ThrottlingException.

Prints one line of key=value figures (calls, seconds) on stdout.
Usage: original_method.py --endpoint URL [--sites N] [--region R] [--timeout S]
Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (the simulator's test pair); run it
with Debian's /usr/bin/python3, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE pointing at
empty files and AWS_EC2_METADATA_DISABLED=true (docs/traps.md).
"""
import argparse
import concurrent.futures
import sys
import threading
import time

import boto3
import botocore.config
import botocore.exceptions



class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.attempts = {}
        self.throttles = 0

    def before_send(self, event_name=None, **kwargs):
        op = (event_name or "?").split(".")[-1]  # before-send.<service>.<Operation>
        with self.lock:
            self.attempts[op] = self.attempts.get(op, 0) + 1

    def needs_retry(self, response=None, **kwargs):
        if response is None:
            return
        parsed = response[1] if isinstance(response, tuple) and len(response) > 1 else None
        code = (parsed or {}).get("Error", {}).get("Code", "")
        if code in ("ThrottlingException", "Throttling", "TooManyRequestsException", "SlowDown"):
            with self.lock:
                self.throttles += 1

    def total(self, ops):
        with self.lock:
            return sum(v for k, v in self.attempts.items() if k in ops)


def client(service, args, counter, pool):
    cfg = botocore.config.Config(
        region_name=args.region,
        retries={"mode": "standard", "max_attempts": 10},
        max_pool_connections=pool,
        s3={"addressing_style": "path"},
    )
    c = boto3.session.Session().client(service, endpoint_url=args.endpoint, config=cfg)
    c.meta.events.register("before-send.*", counter.before_send)
    c.meta.events.register("needs-retry.*", counter.needs_retry)
    return c


def call(fn, counter, **kw):
    """One API call; the retry quota of the standard mode may run dry under throttling:
    then wait and call again, as a notebook user would re-run the cell."""
    while True:
        try:
            return fn(**kw)
        except botocore.exceptions.ClientError as e:
            if e.response.get("Error", {}).get("Code") != "ThrottlingException":
                raise
            time.sleep(1.0)


def walk_group(logs, counter, group, key):
    """True when the group holds the REPORT of the invocation that read `key`."""
    streams = call(logs.describe_log_streams, counter, logGroupName=group,
                   orderBy="LastEventTime", descending=True)["logStreams"]
    for s in streams:
        seen = False
        token = None
        while True:
            kw = {"logGroupName": group, "logStreamName": s["logStreamName"], "startFromHead": True}
            if token:
                kw["nextToken"] = token
            page = call(logs.get_log_events, counter, **kw)
            for ev in page["events"]:
                msg = ev["message"]
                # The handler's lines carry no request id: the REPORT after the stream's
                # "Image Name: <key>" line is that invocation's.
                if ("Image Name: " + key) in msg:
                    seen = True
                elif seen and msg.startswith("REPORT RequestId: "):
                    return True
            nxt = page.get("nextForwardToken")
            if not page["events"] or nxt == token:
                break
            token = nxt
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--sites", type=int, default=300)
    ap.add_argument("--region", default="us-west-1")
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()

    counter = Counter()
    s3 = client("s3", args, counter, 64)
    logs = client("logs", args, counter, 4)
    key = time.strftime("image_capture_%Y-%m-%d_%H-%M-%S.jpg", time.gmtime())
    body = b"\xff\xd8\xff\xe0" + b"\0" * 2044

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        futs = [pool.submit(s3.put_object, Bucket="site%d-simulatedbucket" % n, Key=key, Body=body)
                for n in range(1, args.sites + 1)]
        for f in futs:
            f.result()
    t_upload = time.monotonic() - t0

    missing = list(range(1, args.sites + 1))
    passes = 0
    while missing:
        passes += 1
        if time.monotonic() - t0 > args.timeout:
            print("original_method: timed out with %d sites missing" % len(missing), file=sys.stderr)
            return 1
        missing = [n for n in missing
                   if not walk_group(logs, counter, "/aws/lambda/site%d-lambdafunction" % n, key)]
    elapsed = time.monotonic() - t0

    log_ops = ("DescribeLogStreams", "GetLogEvents")
    print("original: sites=%d seconds=%.2f upload_s=%.3f passes=%d log_calls=%d "
          "describe_log_streams=%d get_log_events=%d put_object=%d throttles=%d"
          % (args.sites, elapsed, t_upload, passes, counter.total(log_ops),
             counter.total(("DescribeLogStreams",)), counter.total(("GetLogEvents",)),
             counter.total(("PutObject",)), counter.throttles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
