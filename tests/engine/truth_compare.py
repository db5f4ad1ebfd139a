#!/usr/bin/python3
"""Compares segtop's invocations export with the simulator's ground truth (--sim-truth).

Rows the logs never show are left out of the truth: async throttles (status throttled)
never reach the logs (traps.md). Every other truth row must appear exactly once in the
export, keyed by (site, request id, attempt order by start), with the same cold flag,
status and error type, and start/end within 1 ms.

--extra N (--trigger invoke|event): the upload before each Invoke also fires the function
(the bucket notifies it), so the truth holds two runs per (wave, site). The exported ones
(the request ids the Invoke answers named) must match as above, every (wave, site) of the
truth must have exactly one exported request id (nothing lost or doubled), and the truth
rows of the other ids, the notification's runs, must number N (segtop's extra count).

--site-from-function: the export's site numbers are positions (--discover renumbered the
functions); compare by the first integer of the export's function name, as the simulator
numbers its sites.

Usage: truth_compare.py TRUTH INVOCATIONS [--extra N] [--site-from-function]
"""
import csv
import re
import sys
from datetime import datetime, timezone


def ms(text):
    if not text:
        return None
    if text.isdigit():
        return int(text)
    d = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    return round(d.timestamp() * 1000)


def split_extra(want, got, extra):
    """Moves the notification's runs out of want; checks their count and the pairs."""
    problems = []
    pairs = {}
    for rows in want.values():
        for r in rows:
            pairs.setdefault((int(r["wave"]), int(r["site"])), set())
    for (site, rid), rows in got.items():
        for r in rows:
            pairs.setdefault((int(r["wave"]), site), set()).add(rid)
    for k, rids in sorted(pairs.items()):
        if len(rids) != 1:
            problems.append(f"wave {k[0]} site {k[1]}: {len(rids)} exported request ids")
    others = [k for k in want if k not in got]
    n = sum(len(want.pop(k)) for k in others)
    print(f"notification runs in the truth: {n}; segtop's extra count: {extra}")
    if n != extra:
        problems.append(f"extra runs: truth {n}, segtop {extra}")
    return problems


def compare_keys(want, got):
    """The rule, per (site, request id): the same attempts in start order, with the same cold
    flag, status and error type, start and end within 1 ms; nothing lost or doubled."""
    problems = []
    for k in sorted(set(want) | set(got)):
        w = sorted(want.get(k, []), key=lambda r: ms(r["start"]) or 0)
        g = sorted(got.get(k, []), key=lambda r: ms(r["start"]) or 0)
        if len(w) != len(g):
            what = "lost" if len(w) > len(g) else "doubled"
            problems.append(f"{k}: {what}: truth has {len(w)} attempts, export {len(g)}")
            continue
        for a, b in zip(w, g):
            cold = "true" if a["cold"] in ("1", "true", "True") else "false"
            if cold != b["cold"]:
                problems.append(f"{k}: cold {a['cold']} vs {b['cold']}")
            if a["status"] != b["status"]:
                problems.append(f"{k}: status {a['status']} vs {b['status']}")
            if (a["error_type"] or "") != (b["error_type"] or ""):
                problems.append(f"{k}: error_type {a['error_type']!r} vs {b['error_type']!r}")
            for col in ("start", "end"):
                x, y = ms(a[col]), ms(b[col])
                if x is None or y is None or abs(x - y) > 1:
                    problems.append(f"{k}: {col} {a[col]} vs {b[col]}")
    return problems


def main():
    truth, export = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    extra = int(args[args.index("--extra") + 1]) if "--extra" in args else None
    by_function = "--site-from-function" in args
    want = {}
    with open(truth, newline="") as f:
        for r in csv.DictReader(f):
            if r["status"] == "throttled":
                continue
            want.setdefault((int(r["site"]), r["request_id"]), []).append(r)
    got = {}
    with open(export, newline="") as f:
        for r in csv.DictReader(f):
            if by_function:
                r["site"] = re.search(r"[0-9]+", r["function"]).group(0)
            got.setdefault((int(r["site"]), r["request_id"]), []).append(r)
    problems = []
    if extra is not None:
        problems += split_extra(want, got, extra)
    problems += compare_keys(want, got)
    n = sum(len(v) for v in want.values())
    print(f"truth rows (visible): {n}; export rows: {sum(len(v) for v in got.values())}; "
          f"problems: {len(problems)}")
    for p in problems[:30]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
