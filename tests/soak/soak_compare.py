#!/usr/bin/python3
"""One soak seed: segtop's invocations export against the simulator's ground truth.

The rule is tests/engine/truth_compare.py's (imported, not copied): every truth row the logs
can show (async throttles never reach the logs) appears exactly once in the export, keyed by
(site, request id) with attempts in start order, with the same cold flag, status and error
type, start and end within 1 ms; nothing lost, nothing doubled. On top of it, for a hostile
fault mix:

- export rows without a request id are triggers that never ran the function: status
  trigger_failed or throttled (the PutObject failed) or missing (no REPORT in time), and the
  truth has no visible row for that (site, object key). Otherwise the run was lost.
- (wave, site, attempt) is unique in the export.

Prints one line of key=value figures, then the first problems. Exit 1 on any problem.
Usage: soak_compare.py TRUTH INVOCATIONS [SUMMARY_JSON]
"""
import csv
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "engine"))
import truth_compare  # noqa: E402  (ms() and the per-attempt rule)


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def compare(truth, export):
    """Problems (strings) of the truth_compare rule over rows with a request id."""
    want, got = {}, {}
    for r in truth:
        if r["status"] != "throttled":
            want.setdefault((int(r["site"]), r["request_id"]), []).append(r)
    for r in export:
        if r["request_id"]:
            got.setdefault((int(r["site"]), r["request_id"]), []).append(r)
    return truth_compare.compare_keys(want, got), sum(len(v) for v in want.values())


def main():
    truth = load(sys.argv[1])
    export = load(sys.argv[2])
    summary = {}
    if len(sys.argv) > 3 and os.path.exists(sys.argv[3]):
        with open(sys.argv[3]) as f:
            summary = json.load(f)

    problems, visible = compare(truth, export)

    ran = {(int(r["site"]), r["trigger_key"]) for r in truth if r["status"] != "throttled"}
    no_id = 0
    for r in export:
        if r["request_id"]:
            continue
        no_id += 1
        k = (int(r["site"]), r["trigger_key"])
        if r["status"] not in ("trigger_failed", "throttled", "missing"):
            problems.append(f"wave {r['wave']} site {r['site']}: no request id, status {r['status']}")
        elif k in ran:
            problems.append(f"wave {r['wave']} site {r['site']}: {r['status']} in the export "
                            f"but the function ran for {r['trigger_key']}")
    seen = set()
    for r in export:
        k = (r["wave"], r["site"], r["attempt"])
        if k in seen:
            problems.append(f"wave {k[0]} site {k[1]}: attempt {k[2]} twice")
        seen.add(k)

    # Figures for the table.
    first = set()
    retries = 0
    for r in sorted(truth, key=lambda r: truth_compare.ms(r["start"]) or 0):
        if r["status"] == "throttled":
            continue
        k = (int(r["site"]), r["request_id"])
        if k in first:
            retries += 1
        first.add(k)
    ids_per_key = {}
    for r in truth:
        if r["status"] != "throttled":
            ids_per_key.setdefault((int(r["site"]), r["trigger_key"]), set()).add(r["request_id"])
    dup_events = sum(len(v) - 1 for v in ids_per_key.values())
    async_thr = sum(1 for r in truth if r["status"] == "throttled")
    trig_thr = sum(1 for r in export if r["status"] == "throttled")
    trig_fail = sum(1 for r in export if r["status"] == "trigger_failed")
    missing = sum(1 for r in export if r["status"] == "missing")
    no_exec = sum(1 for r in export if r["end"] and not r["exec_ms"])
    log_thr = summary.get("log_throttles", 0)
    print(f"invocations={visible} export_rows={len(export)} mismatches={len(problems)} "
          f"throttles={log_thr + trig_thr + async_thr} log_throttles={log_thr} "
          f"trigger_throttles={trig_thr} async_throttles={async_thr} retries={retries} "
          f"dup_events={dup_events} trigger_failed={trig_fail} missing={missing} "
          f"no_exec={no_exec} log_calls={summary.get('log_calls', 0)}")
    for p in problems[:40]:
        print("  " + p)
    if len(problems) > 40:
        print(f"  ... {len(problems) - 40} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
