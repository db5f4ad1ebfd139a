#!/usr/bin/python3
"""sigv4.diff: re-sign every request from sigv4_diffgen with botocore and compare the
canonical request, string-to-sign and signature with segtop's.

Run with Debian's /usr/bin/python3 (python3-botocore 1.29), never a python3 from PATH.
Usage: botocore_diff.py <sigv4_diffgen> [count]. Exit 77 when botocore is missing.
"""
import difflib
import json
import subprocess
import sys

try:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:
    print(f"sigv4-diff: botocore not importable ({e}): skipped")
    sys.exit(77)

MIN_REQUESTS = 1200


def botocore_stages(c):
    url = f"http://{c['host']}{c['path']}"
    if c['query'] is not None:
        url += '?' + c['query']
    req = AWSRequest(method=c['method'], url=url, data=bytes.fromhex(c['body_hex']))
    for name, value in c['headers']:
        req.headers[name] = value  # HTTPHeaders appends: duplicates kept in order
    creds = Credentials(c['akid'], c['secret'], c['token'])
    # S3SigV4Auth: no path normalisation, single encoding, sets X-Amz-Content-SHA256.
    # SigV4Auth: normalises and double-encodes the path (Lambda, Logs).
    cls = S3SigV4Auth if c['service'] == 's3' else SigV4Auth
    auth = cls(creds, c['service'], c['region'])
    req.context['timestamp'] = c['amz_date']  # fixed time instead of utcnow()
    auth._modify_request_before_signing(req)
    cr = auth.canonical_request(req)
    sts = auth.string_to_sign(req, cr)
    return cr, sts, auth.signature(sts, req)


def show(n, c, stage, ours, theirs):
    print(f"--- request {n} ({c['service']} {c['method']} {c['path']}"
          f"{'?' + c['query'] if c['query'] is not None else ''}): {stage} differs")
    for line in difflib.unified_diff(theirs.split('\n'), ours.split('\n'), 'botocore',
                                     'segtop', lineterm=''):
        print(line)


def main():
    if len(sys.argv) < 2:
        print("usage: botocore_diff.py <sigv4_diffgen> [count]", file=sys.stderr)
        return 2
    count = sys.argv[2] if len(sys.argv) > 2 else '1500'
    gen = subprocess.run([sys.argv[1], count], stdout=subprocess.PIPE, check=True)
    lines = gen.stdout.decode('ascii').splitlines()
    mismatches = 0
    for n, line in enumerate(lines):
        c = json.loads(line)
        cr, sts, sig = botocore_stages(c)
        bad = [(s, o, t) for s, o, t in (('canonical request', c['canonical_request'], cr),
                                         ('string-to-sign', c['string_to_sign'], sts),
                                         ('signature', c['signature'], sig)) if o != t]
        if bad:
            mismatches += 1
            if mismatches <= 5:
                show(n, c, *bad[0])
    print(f"sigv4-diff: {len(lines)} requests, {mismatches} mismatches")
    if len(lines) < MIN_REQUESTS:
        print(f"sigv4-diff: expected at least {MIN_REQUESTS} requests")
        return 1
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main())
