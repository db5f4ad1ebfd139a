"""security.sim_auth: the real `segtop sim` refuses every request it cannot authenticate,
for each service, and a refused request has no effect (run by sim_auth.sh).

botocore signs (an independent signer, not segtop's own) and raw http.client sends, so each
request can be changed after signing. sim.auth checks the exact error documents of the front
door in-process; this checks the whole standalone simulator end to end, plus that nothing a
refused PutObject or Invoke asked for ever ran (the --sim-truth file stays empty until the
valid requests at the end, which prove the check can see a run).

Usage: sim_auth.py ENDPOINT REGION KEY SECRET TRUTH_FILE"""
import datetime
import http.client
import os
import sys
import time
import urllib.parse

import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ENDPOINT, REGION, KEY, SECRET, TRUTH = sys.argv[1:6]
SCALE = float(os.environ.get("SEGTOP_TEST_TIME_SCALE", "1"))
HOST = urllib.parse.urlsplit(ENDPOINT).netloc
passed, failed = 0, []


def check(name, cond, detail=""):
    global passed
    if cond:
        passed += 1
        print("ok   %s" % name)
    else:
        failed.append(name)
        print("FAIL %s %s" % (name, detail))


# One request per service that would change state or read data when accepted.
SERVICES = {
    "lambda": dict(method="POST", path="/2015-03-31/functions/site1-lambdafunction/invocations",
                   headers={"X-Amz-Invocation-Type": "Event",
                            "Content-Type": "application/json"}, body=b"{}"),
    "s3": dict(method="PUT", path="/site1-simulatedbucket/security-%s.jpg",
               headers={"Content-Type": "image/jpeg"}, body=b"\xff\xd8\xff\xe0 segtop"),
    "logs": dict(method="POST", path="/",
                 headers={"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                          "Content-Type": "application/x-amz-json-1.1"}, body=b"{}"),
}


class Shifted(datetime.datetime):
    """botocore reads utcnow() for X-Amz-Date: shift it to sign stale or future requests."""
    shift = datetime.timedelta(0)

    @classmethod
    def utcnow(cls):
        return REAL_DATETIME.utcnow() + cls.shift


REAL_DATETIME = botocore.auth.datetime.datetime


def signed(svc, case, key=KEY, secret=SECRET, region=REGION, service=None, shift_min=0):
    spec = SERVICES[svc]
    path = spec["path"] % case if "%s" in spec["path"] else spec["path"]
    req = AWSRequest(method=spec["method"], url=ENDPOINT + path, data=spec["body"],
                     headers=dict(spec["headers"]))
    signer = S3SigV4Auth if svc == "s3" else SigV4Auth
    Shifted.shift = datetime.timedelta(minutes=shift_min)
    botocore.auth.datetime.datetime = Shifted
    try:
        signer(Credentials(key, secret), service or svc, region).add_auth(req)
    finally:
        botocore.auth.datetime.datetime = REAL_DATETIME
    headers = {k: v for k, v in req.headers.items()}
    return spec["method"], urllib.parse.urlsplit(req.url).path, headers, spec["body"]


def send(method, path, headers, body):
    conn = http.client.HTTPConnection(HOST, timeout=10 * SCALE)
    conn.request(method, path, body=body, headers=dict(headers, Host=HOST))
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    # Lambda names the error in X-Amzn-ErrorType, the others in the body: search both.
    head = "".join("%s: %s\n" % kv for kv in resp.getheaders())
    return resp.status, head + data.decode("utf-8", "replace")


def refused(name, svc, req, codes):
    status, body = send(*req)
    ok = status in (400, 403) and any(c in body for c in codes)
    check("%s: %s refused" % (svc, name), ok, "got %d %s" % (status, body[-300:]))


def truth_rows():
    try:
        with open(TRUTH) as f:
            return [l for l in f.read().splitlines()[1:] if l.strip()]
    except FileNotFoundError:
        return []


SIG = ["SignatureDoesNotMatch", "InvalidSignatureException"]
for svc in SERVICES:
    m, p, h, b = signed(svc, "unsigned")
    for k in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256"):
        h.pop(k, None)
    refused("unsigned", svc, (m, p, h, b),
            ["AccessDenied", "MissingAuthenticationToken"])

    m, p, h, b = signed(svc, "tampered-body")
    refused("body changed after signing", svc, (m, p, h, b[:-1] + b"!"),
            SIG + ["XAmzContentSHA256Mismatch"])

    m, p, h, b = signed(svc, "tampered-path")
    refused("path changed after signing", svc,
            (m, p.replace("site1", "site2") if svc != "logs" else "/x", h, b), SIG)

    m, p, h, b = signed(svc, "tampered-header")
    h["Content-Type"] = "text/plain"  # a signed header
    refused("signed header changed", svc, (m, p, h, b), SIG)

    refused("stale (signed 6 minutes ago)", svc, signed(svc, "stale", shift_min=-6),
            ["RequestTimeTooSkewed", "Signature expired"])
    refused("future (signed 6 minutes ahead)", svc, signed(svc, "future", shift_min=6),
            ["RequestTimeTooSkewed", "Signature not yet current"])
    refused("unknown key id", svc, signed(svc, "unknown-key", key="AKIDSEGTOPUNKNOWN001"),
            ["InvalidAccessKeyId", "UnrecognizedClientException"])
    refused("wrong secret", svc, signed(svc, "wrong-secret", secret=SECRET + "x"), SIG)
    refused("another region's scope", svc, signed(svc, "region", region="eu-north-1"),
            SIG + ["AuthorizationHeaderMalformed"])
    refused("another service's scope", svc,
            signed(svc, "service", service="sts"), SIG + ["AuthorizationHeaderMalformed"])

# A query-string (presigned) signature with a wrong secret.
req = AWSRequest(method="GET", url=ENDPOINT + "/site1-simulatedbucket/security-presigned.jpg")
S3SigV4QueryAuth(Credentials(KEY, SECRET + "x"), "s3", REGION, expires=300).add_auth(req)
parts = urllib.parse.urlsplit(req.url)
refused("forged presigned URL", "s3", ("GET", parts.path + "?" + parts.query, {}, b""),
        ["AccessDenied", "SignatureDoesNotMatch", "MissingAuthenticationToken"])

# Nothing refused ran: give an accepted S3 event or async invoke time to start (it would
# write its truth row when it starts), then look.
time.sleep(1.0 * SCALE)
check("no refused request ran a function", truth_rows() == [], "\n".join(truth_rows()[:3]))

# The control: the same requests, valid, are accepted and do run.
for svc in SERVICES:
    status, body = send(*signed(svc, "valid"))
    check("%s: valid request accepted" % svc, 200 <= status < 300, "got %d %s" % (status, body[:200]))
deadline = time.time() + 10 * SCALE
while len(truth_rows()) < 2 and time.time() < deadline:
    time.sleep(0.1)
check("valid PutObject and Invoke ran (the truth check sees runs)", len(truth_rows()) >= 2,
      "%d rows" % len(truth_rows()))

print("security.sim_auth: %d passed, %d failed%s" % (passed, len(failed),
      (": " + ", ".join(failed)) if failed else ""))
sys.exit(1 if failed else 0)
