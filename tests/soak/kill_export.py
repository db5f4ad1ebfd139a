#!/usr/bin/python3
"""SIGKILL segtop while it writes --export-file PATH, many times (DESIGN §8).

Each run is a headless wave on the in-process simulator (no faults, so every run exports
the same number of rows) with --export-file DIR/run.csv: segtop writes DIR/run-invocations.csv,
DIR/run-waves.csv and DIR/run-sites.csv, each through a temp file and a rename. One complete
run primes them; then each iteration starts a run and kills it (SIGKILL) at a random moment
of its export, either a random delay after the line segtop prints just before exporting, or
right after the k-th temp file appears in DIR (k random), plus a random few hundred
microseconds. After every kill each of the three files must be a whole file: the exact
header, every row with the header's field count, a final newline, the expected number of
rows and consistent values; and it is either byte for byte the file before the kill or a
new whole one. Temp files a kill leaves behind (.segtop-tmp-<pid>-...) must be gone after
the next complete run. DESIGN §8 says "removed at start": how many were still there when the
next run had printed its first line is reported (today they go at the next export).

Prints one summary line; exit 1 on any partial or inconsistent file, or a leftover that
survived a later run. Usage: kill_export.py BINARY [--iterations N] [--sites N] [--seed S]
"""
import argparse
import csv
import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

HEADERS = {
    "invocations": "wave,site,function,trigger,attempt,request_id,trigger_key,trigger_sent,"
                   "trigger_accepted,start,end,exec_ms,duration_ms,billed_ms,init_ms,memory_mb,"
                   "max_memory_mb,cold,status,error_type,error_message,ingest_lag_ms,e2e_ms",
    "waves": "wave,size,launched,done,missing,cold_pct,p50_exec_ms,p95_exec_ms,mean_exec_ms,"
             "sd_exec_ms,p95_e2e_ms,makespan_ms,errors,throttles,cost_usd",
    "sites": "site,function,invocations,cold_pct,p50_exec_ms,p95_exec_ms,p50_init_ms,"
             "max_memory_mb,errors,last_error,state",
}
TMP_PREFIX = ".segtop-tmp-"


def check_file(kind, data, sites, waves):
    """None when data is a whole, consistent export of this run shape; else the reason."""
    if not data.endswith(b"\n"):
        return "no final newline"
    text = data.decode("utf-8")
    lines = text.split("\n", 1)
    if lines[0] != HEADERS[kind]:
        return "header %r" % lines[0][:60]
    rows = list(csv.reader(io.StringIO(text)))
    width = len(rows[0])
    body = rows[1:]
    for i, r in enumerate(body):
        if len(r) != width:
            return "row %d has %d fields, want %d" % (i + 1, len(r), width)
    if kind == "invocations":
        want = sum(waves)
        if len(body) != want:
            return "%d rows, want %d" % (len(body), want)
        if len({r[6] for r in body}) != 1:
            return "rows of more than one run (object keys %s)" % sorted({r[6] for r in body})
        seen = set()
        for r in body:
            w, s = int(r[0]), int(r[1])
            if not (1 <= w <= len(waves) and 1 <= s <= waves[w - 1]) or (w, s) in seen:
                return "row wave %d site %d out of place" % (w, s)
            seen.add((w, s))
            if r[18] != "ok" or not r[5] or not r[10]:
                return "wave %d site %d: status %r, id %r, end %r" % (w, s, r[18], r[5], r[10])
    elif kind == "waves":
        if len(body) != len(waves):
            return "%d rows, want %d" % (len(body), len(waves))
        for i, r in enumerate(body):
            if int(r[0]) != i + 1 or int(r[1]) != waves[i] or int(r[2]) != waves[i] or \
                    int(r[3]) != waves[i]:
                return "wave row %d: %s" % (i + 1, ",".join(r[:4]))
    else:
        if len(body) != sites:
            return "%d rows, want %d" % (len(body), sites)
        if [int(r[0]) for r in body] != list(range(1, sites + 1)):
            return "sites out of order"
    return None


def cross_check(inv, wav):
    """None when the waves file agrees with the invocations file (same run)."""
    rows = list(csv.DictReader(io.StringIO(inv.decode())))
    w = list(csv.DictReader(io.StringIO(wav.decode())))[0]
    done = [r for r in rows if r["end"]]
    cold = 100.0 * sum(r["cold"] == "true" for r in done) / len(done)
    mean = sum(int(r["exec_ms"]) for r in done) / len(done)
    if int(w["done"]) != len(done) or abs(float(w["cold_pct"]) - cold) > 0.051 or \
            abs(float(w["mean_exec_ms"]) - mean) > 0.051:
        return "waves (done %s, cold %s%%, mean %s) vs invocations (%d, %.1f%%, %.1f)" % (
            w["done"], w["cold_pct"], w["mean_exec_ms"], len(done), cold, mean)
    return None


def temps(d):
    return sorted(n for n in os.listdir(d) if n.startswith(TMP_PREFIX))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--sites", type=int, default=300)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--speed", type=float, default=1000)
    ap.add_argument("--time-limit", type=float, default=120.0, help="wall s per run")
    a = ap.parse_args()
    a.binary = os.path.abspath(a.binary)  # the runs work in a temporary folder
    rnd = random.Random(a.seed)
    waves = [a.sites]
    work = tempfile.mkdtemp(prefix="segtop-kill.")
    out = os.path.join(work, "out")
    os.mkdir(out)
    prefix = os.path.join(out, "run.csv")
    paths = {k: os.path.join(out, "run-%s.csv" % k) for k in HEADERS}
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(work, "state"))
    cmd = [a.binary, "--headless", "--sites", str(a.sites), "--waves", ",".join(map(str, waves)),
           "--gap", "0", "--sim-speed", str(a.speed), "--shared-log-group", "/segtop/kill",
           "--export-file", prefix]

    def start():
        return subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)

    def wait_for_export(p, deadline, on_first_line=None):
        """Reads stderr up to the line printed just before the export; False at EOF.
        on_first_line runs at the first line (the run has started, its export is far)."""
        for raw in p.stderr:
            if on_first_line:
                on_first_line()
                on_first_line = None
            if raw.startswith(b"segtop: freshness") or raw.startswith(b"segtop: no REPORT"):
                return True
            if time.monotonic() > deadline:
                return False
        return False

    def snapshot():
        s = {}
        for k, path in paths.items():
            try:
                with open(path, "rb") as f:
                    s[k] = f.read()
            except FileNotFoundError:
                s[k] = None
        return s

    problems = []
    # Prime: one complete run, and the time its export takes (freshness line -> exit).
    p = start()
    t_limit = time.monotonic() + a.time_limit
    if not wait_for_export(p, t_limit):
        p.kill()
        print("kill_export: the priming run printed no freshness line", file=sys.stderr)
        return 1
    t_exp = time.monotonic()
    p.stderr.read()
    rc = p.wait()
    export_s = time.monotonic() - t_exp
    if rc != 0:
        print("kill_export: the priming run exited %d" % rc, file=sys.stderr)
        return 1
    prev = snapshot()
    for k, data in prev.items():
        why = "missing" if data is None else check_file(k, data, a.sites, waves)
        if why:
            print("kill_export: priming run: %s: %s" % (k, why), file=sys.stderr)
            return 1
    why = cross_check(prev["invocations"], prev["waves"])
    if why:
        print("kill_export: priming run: %s" % why, file=sys.stderr)
        return 1

    kept = replaced = mixed = left = 0
    leftovers = {}  # name -> iteration that left it
    late_cleanup = 0  # leftovers still there once the next run had started
    for it in range(1, a.iterations + 1):
        p = start()
        deadline = time.monotonic() + a.time_limit
        at_start = []
        if not wait_for_export(p, deadline,
                               lambda: at_start.extend(set(temps(out)) & set(leftovers))):
            p.kill()
            p.wait()
            problems.append("iteration %d: no freshness line" % it)
            continue
        late_cleanup += len(at_start)
        if rnd.random() < 0.35:
            time.sleep(rnd.uniform(0, export_s * 1.3))
        else:
            k = rnd.randint(1, 3)
            seen = set()
            while p.poll() is None and time.monotonic() < deadline:
                now = [n for n in temps(out) if n not in leftovers]
                seen.update(now)
                if len(seen) >= k:
                    break
            time.sleep(rnd.uniform(0, 0.0008))
        p.kill()
        p.wait()
        p.stderr.close()
        cur = snapshot()
        changed = 0
        for kind, data in cur.items():
            if data is None:
                problems.append("iteration %d: %s: file gone" % (it, kind))
                continue
            if data == prev[kind]:
                continue
            why = check_file(kind, data, a.sites, waves)
            if why:
                problems.append("iteration %d: %s: partial or inconsistent: %s (sha %s)"
                                % (it, kind, why, hashlib.sha256(data).hexdigest()[:12]))
            changed += 1
        if changed == 0:
            kept += 1
        elif changed == len(cur):
            replaced += 1
            why = cross_check(cur["invocations"], cur["waves"])
            if why:
                problems.append("iteration %d: %s" % (it, why))
        else:
            mixed += 1
        prev = cur
        # Leftovers of earlier kills that this run removed.
        for name in list(leftovers):
            if name not in temps(out):
                del leftovers[name]
        for name in temps(out):
            if name not in leftovers:
                leftovers[name] = it
                left += 1
    # A last complete run removes whatever the kills left.
    p = start()
    if not wait_for_export(p, time.monotonic() + a.time_limit):
        p.kill()
        problems.append("final run: no freshness line")
    p.stderr.read()
    rc = p.wait()
    if rc != 0:
        problems.append("final run exited %d" % rc)
    for name in temps(out):
        problems.append("leftover temp file survived a complete run: %s" % name)
    final = snapshot()
    for k, data in final.items():
        why = "missing" if data is None else check_file(k, data, a.sites, waves)
        if why:
            problems.append("final run: %s: %s" % (k, why))
    if late_cleanup:
        problems.append("%d temp files of killed runs were still there when the next run "
                        "began its export (DESIGN 8: removed at start)" % late_cleanup)
    if not problems:
        why = cross_check(final["invocations"], final["waves"])
        if why:
            problems.append("final run: " + why)
    print("kill_export: %d kills (seed %d, %d sites, export ~%.0f ms): files untouched %d, all "
          "three replaced %d, some replaced %d; temp files left by kills %d, still there after "
          "the next run started %d; problems %d"
          % (a.iterations, a.seed, a.sites, export_s * 1000, kept, replaced, mixed, left,
             late_cleanup, len(problems)))
    for pr in problems[:20]:
        print("  " + pr)
    if not problems:
        subprocess.run(["rm", "-rf", work])
    else:
        print("  kept: " + work)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
