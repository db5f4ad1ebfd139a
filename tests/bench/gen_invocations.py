#!/usr/bin/python3
"""Writes a synthetic segtop invocations CSV (DESIGN §8) of N rows for the memory benchmark:
hourly waves of SITES sites (s3 trigger), every site one attempt with a REPORT, values drawn
like the measured pipeline's (billed ~ 20 s, 6200 MB functions, every run cold; 1 % errors).
Deterministic for a seed. Usage: gen_invocations.py N OUT [--sites 300] [--seed 1]
"""
import argparse
import random
import uuid
from datetime import datetime, timedelta, timezone

HEADER = ("wave,site,function,trigger,attempt,request_id,trigger_key,trigger_sent,"
          "trigger_accepted,start,end,exec_ms,duration_ms,billed_ms,init_ms,memory_mb,"
          "max_memory_mb,cold,status,error_type,error_message,ingest_lag_ms,e2e_ms")


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--sites", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    t0 = datetime(2025, 5, 2, 17, 30, tzinfo=timezone.utc)
    with open(a.out, "w") as f:
        f.write(HEADER + "\n")
        done = 0
        wave = 0
        while done < a.n:
            wave += 1
            wt = t0 + timedelta(hours=wave - 1)
            key = "image_capture_%s.jpg" % wt.strftime("%Y-%m-%d_%H-%M-%S")
            for site in range(1, a.sites + 1):
                if done >= a.n:
                    break
                done += 1
                sent = wt + timedelta(milliseconds=rnd.randint(0, 60))
                acc = sent + timedelta(milliseconds=rnd.randint(40, 400))
                start = acc + timedelta(milliseconds=rnd.randint(500, 3000))
                init = rnd.uniform(800, 4000)
                billed = max(8756, min(34829, int(rnd.gauss(20096, 3236))))
                dur = billed - init
                end = start + timedelta(milliseconds=billed)
                exec_ms = int((end - wt).total_seconds() * 1000)
                e2e = int((end - sent).total_seconds() * 1000)
                err = rnd.random() < 0.01
                rid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
                f.write(",".join([
                    str(wave), str(site), "site%d-lambdafunction" % site, "s3", "1", rid, key,
                    iso(sent), iso(acc), iso(start), iso(end), str(exec_ms), "%.2f" % dur,
                    str(billed), "%.2f" % init, "6200", str(rnd.randint(1800, 2900)), "true",
                    "error" if err else "ok", "Runtime.Unhandled" if err else "",
                    "ConnectionError: database write failed" if err else "",
                    str(rnd.randint(150, 2500)), str(e2e)]) + "\n")


if __name__ == "__main__":
    main()
