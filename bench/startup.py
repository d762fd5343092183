#!/usr/bin/env python3
"""Start-up benchmark for bench/run.sh: starts `serve` N times and prints raw rows (see report.py):
the time from exec to the `ready` line, and the resident set size after a second of idling.

  startup.py EMULATOR RUNS [CPU]   # CPU: pin the server to that core with taskset
"""

import os
import signal
import subprocess
import sys
import tempfile
import time


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def one_start(emulator, cpu, data_dir):
    cmd = [emulator, "serve", "--backend", "sim", "--in-memory", "--data-dir", data_dir, "--http-port", "0",
           "--https-port", "0", "--log-level", "warn"]
    if cpu is not None:
        cmd = ["taskset", "-c", cpu] + cmd
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("ready"):
                ready_ms = (time.monotonic() - started) * 1000.0
                break
        else:
            raise RuntimeError(f"serve exited with {proc.wait()} before printing its ready line")
        time.sleep(1.0)
        return ready_ms, rss_mib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    emulator, runs = argv[1], int(argv[2])
    cpu = argv[3] if len(argv) > 3 else None
    name = "serve --backend sim --in-memory"
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="startup_bench.") as data_dir:
            ready_ms, rss = one_start(emulator, cpu, data_dir)
        print(f"startup\t{name}\ttime to ready\tms\t{ready_ms:.6g}")
        print(f"startup\t{name}\tidle RSS\tMiB\t{rss:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
