#!/usr/bin/python3
"""Measurements for tests/bench/report.sh, one subcommand each; each prints key=value lines.

  trigger SEGTOP ENDPOINT SITES N SPEED WORKDIR
      one headless wave of N sites against a running simulator; stops it (SIGTERM) once
      every trigger has its answer and reads "N triggers on the wire X ms after the command".
  rss WORKDIR CMD...
      runs CMD, polling /proc/<pid>/status every 2 ms; the last VmHWM read before it exits
      and the kernel's own high-water mark (ru_maxrss from wait4), in KiB.
  cpu SEGTOP ENDPOINT SITES SPEED GAP_S WORKDIR
      a headless ladder 1,SITES with --gap GAP_S (simulated) against a running simulator;
      segtop's CPU (utime+stime of /proc/<pid>/stat, all threads) over 10 wall seconds in
      the middle of the gap (idle: waiting, logs read at the idle cadence) and from the
      last progress line before the second wave (at most 1 s before it fired) to the one
      with done=SITES (a wave in flight: triggers, harvesting, correlation).
Loopback only. Linux /proc.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def vm_hwm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def headless(segtop, endpoint, sites, waves, speed, workdir, extra=()):
    cmd = [segtop, "--headless", "--endpoint", endpoint, "--sites", str(sites), "--waves", waves,
           "--gap", "0", "--sim-speed", str(speed), "--export-dir", workdir] + list(extra)
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(workdir, "state"))
    return subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def trigger(segtop, endpoint, sites, n, speed, workdir):
    p = headless(segtop, endpoint, sites, str(n), speed, workdir)
    lines = []
    stopped = False
    for line in p.stderr:
        lines.append(line)
        m = re.search(r" sent=(\d+) acc=(\d+) ", line)
        if not stopped and m and int(m.group(1)) == n:
            # Every trigger is out: the figure is fixed. Stop the run (an interrupt).
            p.send_signal(signal.SIGTERM)
            stopped = True
    p.wait()
    text = "".join(lines)
    m = re.search(r"last wave: (\d+) triggers on the wire ([0-9.]+) ms", text)
    if not m:
        sys.stderr.write(text[-2000:])
        return 1
    print("n=%s trigger_ms=%s" % (m.group(1), m.group(2)))
    return 0


def rss(workdir, cmd):
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(workdir, "state"))
    p = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    last = None
    t0 = time.monotonic()
    while True:
        v = vm_hwm(p.pid)
        if v is not None:
            last = v
        try:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        except ChildProcessError:
            break
        if pid:
            break
        time.sleep(0.002)
    secs = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write(err[-2000:])
        return 1
    print("vmhwm_kib=%s maxrss_kib=%d seconds=%.2f" % (last, ru.ru_maxrss, secs))
    return 0


def cpu(segtop, endpoint, sites, speed, gap_s, workdir):
    p = headless(segtop, endpoint, sites, "1,%d" % sites, speed, workdir,
                 ["--gap", "%ds" % gap_s])
    state = {"gap_at": None, "wave_at": None, "wave_ticks": None, "done_at": None,
             "done_ticks": None}
    lines = []

    def reader():
        last = None  # (time, ticks) at the previous progress line
        for line in p.stderr:
            lines.append(line)
            now = time.monotonic()
            try:
                ticks = cpu_ticks(p.pid)
            except OSError:
                ticks = None
            if state["gap_at"] is None and re.search(r"wave 1/2 n=1 .* done=1 ", line):
                state["gap_at"] = now
            if state["wave_at"] is None and "wave 2/2" in line and last:
                # From the last line before the wave (at most a second before it fired).
                state["wave_at"], state["wave_ticks"] = last
            last = (now, ticks)
            if state["done_at"] is None and re.search(r"wave 2/2 .* done=%d " % sites, line):
                state["done_at"] = now
                state["done_ticks"] = cpu_ticks(p.pid)
                p.send_signal(signal.SIGTERM)  # the rest (drain, exports) is not measured

    t = threading.Thread(target=reader)
    t.start()
    idle = None
    while p.poll() is None and state["gap_at"] is None:
        time.sleep(0.05)
    gap_wall = gap_s / speed
    if state["gap_at"] is not None and gap_wall >= 16:
        # 10 s in the middle of the gap: away from the first wave's tail and the next wave.
        time.sleep(max(0.0, gap_wall / 2 - 5 - (time.monotonic() - state["gap_at"])))
        a, ta = cpu_ticks(p.pid), time.monotonic()
        time.sleep(10)
        b, tb = cpu_ticks(p.pid), time.monotonic()
        idle = (b - a) / TICK / (tb - ta)
    t.join()
    p.wait()
    if idle is None or state["done_ticks"] is None:
        sys.stderr.write("".join(lines)[-2000:])
        return 1
    busy_s = (state["done_ticks"] - state["wave_ticks"]) / TICK
    wall = state["done_at"] - state["wave_at"]
    print("idle_cpu_pct=%.2f wave_cpu_pct=%.1f wave_cpu_s=%.2f wave_wall_s=%.2f tick_hz=%d"
          % (idle * 100, busy_s / wall * 100 if wall > 0 else float("nan"), busy_s, wall, TICK))
    return 0


def main():
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "trigger":
        return trigger(a[0], a[1], int(a[2]), int(a[3]), float(a[4]), a[5])
    if cmd == "rss":
        return rss(a[0], a[1:])
    if cmd == "cpu":
        return cpu(a[0], a[1], int(a[2]), float(a[3]), int(a[4]), a[5])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
