#!/usr/bin/env python3
"""Recomputes the fleet model's calibration constants (core/sim/model.c) from the measured
data: python3 tests/simfleet/calibrate.py ../shared/seed-data/logsdata.csv
Filters as the original analysis does (image time parsed from id after 2025-05-02 17:30:00).
exec = function_end_timestamp - event_time; spread = max - min event_time within a wave;
makespan = max end - min event_time within a wave; wave = rows sharing an id."""
import csv, sys, statistics as st
from collections import defaultdict
from datetime import datetime

path = sys.argv[1] if len(sys.argv) > 1 else "../shared/seed-data/logsdata.csv"
cut = datetime(2025, 5, 2, 17, 30, 0)
waves = defaultdict(list)
with open(path, newline="") as f:
    for r in csv.DictReader(f):
        img = datetime.strptime(r["id"][len("image_capture_"):-4], "%Y-%m-%d_%H-%M-%S")
        if img <= cut:
            continue
        ev = datetime.strptime(r["event_time"], "%Y-%m-%d %H:%M:%S")
        end = datetime.strptime(r["function_end_timestamp"], "%Y-%m-%d %H:%M:%S.%f")
        waves[r["id"]].append((ev, end, float(r["billed_duration_ms"]), r["cold_start"]))
by_size = defaultdict(list)
for wid, rows in waves.items():
    by_size[len(rows)].append(rows)
allb = [b for rows in waves.values() for (_, _, b, _) in rows]
print("rows %d waves %d billed mean %.0f sd %.0f min %.0f max %.0f cold %.3f" % (
    len(allb), len(waves), st.mean(allb), st.pstdev(allb), min(allb), max(allb),
    sum(1 for rows in waves.values() for r in rows if r[3] == "True") / len(allb)))
print("size waves mean_exec_ms sd_exec_ms mean_billed_ms mean_spread_ms mean_makespan_ms "
      "mean_start_lag_ms")
for size in sorted(by_size):
    ws = by_size[size]
    ex = [(e - v).total_seconds() * 1000 for rows in ws for (v, e, _, _) in rows]
    bi = [b for rows in ws for (_, _, b, _) in rows]
    # start lag: exec - billed (delivery + init + ingest granularity), per invocation
    lag = [(e - v).total_seconds() * 1000 - b for rows in ws for (v, e, b, _) in rows]
    sp = [(max(r[0] for r in rows) - min(r[0] for r in rows)).total_seconds() * 1000 for rows in ws]
    mk = [(max(r[1] for r in rows) - min(r[0] for r in rows)).total_seconds() * 1000 for rows in ws]
    print("%d %d %.0f %.0f %.0f %.0f %.0f %.0f" % (size, len(ws), st.mean(ex), st.pstdev(ex),
          st.mean(bi), st.mean(sp), st.mean(mk), st.mean(lag)))
