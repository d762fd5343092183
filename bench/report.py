#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements into markdown tables: median, min-max and run count per
metric, machine info, notes on what was skipped, and each goal of the issue with where it stands.

  report.py gbench FILE.json SECTION >> raw.tsv    # Google Benchmark JSON -> raw rows
  report.py wrk FILE.txt SECTION NAME [CPU_SECONDS] >> raw.tsv
                                                    # wrk --latency (or paced_load) output -> raw
                                                    # rows; with the server's CPU time during the
                                                    # run, CPU/request
  report.py pauses FILE.txt SECTION NAME >> raw.tsv # pause_probe's line -> raw rows
  report.py markdown RAW.tsv MACHINE.txt NOTES.txt  # prints the report
Raw rows are tab-separated: section, name, metric, unit, value (one row per run).
"""

import json
import re
import statistics
import sys
from collections import OrderedDict

TIME_TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def row(section, name, metric, unit, value):
    print(f"{section}\t{name}\t{metric}\t{unit}\t{value:.6g}")


def from_gbench(path, section):
    with open(path) as f:
        data = json.load(f)
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "iteration" or b.get("error_occurred"):
            continue
        name = b.get("run_name", b["name"]).replace("/iterations:1", "")
        unit = b.get("time_unit", "ns")
        row(section, name, "real time", unit, b["real_time"])
        if "items_per_second" in b:
            row(section, name, "items/s", "1/s", b["items_per_second"])
        if "bytes_per_second" in b:
            row(section, name, "MB/s", "MB/s", b["bytes_per_second"] / 1e6)
        for key, value in b.items():
            if key.endswith("/s") and isinstance(value, (int, float)):
                row(section, name, key, "1/s", value)


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not m:
        return None
    return float(m.group(1)) * TIME_TO_MS[m.group(2)]


def from_wrk(path, section, name, cpu_seconds=None):
    text = open(path).read()
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        row(section, name, "req/s", "1/s", float(m.group(1)))
    m = re.search(r"(\d+) requests in", text)
    if m and cpu_seconds is not None and int(m.group(1)) > 0:
        # What one request costs the server whatever else shares its core.
        row(section, name, "server CPU per request", "us", cpu_seconds * 1e6 / int(m.group(1)))
    for pct in ("50", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        if m and to_ms(m.group(1)) is not None:
            row(section, name, f"p{pct} latency", "ms", to_ms(m.group(1)))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    row(section, name, "non-2xx responses", "count", float(m.group(1)) if m else 0.0)
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    row(section, name, "socket errors", "count", float(sum(int(g) for g in m.groups())) if m else 0.0)


def from_pauses(path, section, name):
    text = open(path).read()
    m = re.search(r"pauses: (\d+) over 200 us \(([\d.]+)/s\), (\d+) over 1 ms \(([\d.]+)/s\), "
                  r"longest ([\d.]+) ms, ([\d.]+)% of the time", text)
    if not m:
        return
    row(section, name, "pauses over 1 ms per second", "1/s", float(m.group(4)))
    row(section, name, "longest pause", "ms", float(m.group(5)))
    row(section, name, "time paused", "%", float(m.group(6)))


def load_raw(path):
    series = OrderedDict()
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            section, name, metric, unit, value = parts
            series.setdefault((section, name, metric, unit), []).append(float(value))
    return series


def fmt(value):
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


# (goal, section, name, metric, unit of the target, target, higher is better)
GOALS = [
    ("REST GET of a resource, 1 server thread, 64 keep-alive connections", "rest", "GET job, 64 connections",
     "req/s", "req/s", 50000, True),
    ("REST GET p99 latency at 50,000 req/s (open loop), 64 connections", "rest",
     "GET job at 50000 req/s, 64 connections", "p99 latency", "ms", 1.0, False),
    ("REST GET at 50,000 req/s: the rate kept", "rest", "GET job at 50000 req/s, 64 connections", "req/s",
     "req/s", 49500, True),
    ("job creates/s with durable state (SQLite)", "rest", "PUT new job, durable, 64 connections", "req/s",
     "req/s", 5000, True),
    ("1,000 concurrent LRO pollers: 5xx/non-2xx", "rest", "GET operation, 1000 connections", "non-2xx responses",
     "responses", 0, False),
    ("1,000 concurrent LRO pollers: dropped connections", "rest", "GET operation, 1000 connections",
     "socket errors", "errors", 0, False),
    ("start-up to `ready`", "startup", "serve --backend sim --in-memory", "time to ready", "ms", 1000, False),
    ("idle RSS", "startup", "serve --backend sim --in-memory", "idle RSS", "MiB", 100, False),
    ("gang placement at 5,000 GPU nodes", "engine", "BM_GangPlacement/5000", "placements/s", "placements/s", 1000,
     True),
    ("autoscale evaluation at 1,000 nodes", "engine", "BM_AutoscaleEvaluation/1000", "real time", "us", 10000,
     False),
    ("FUSE sequential read 1 MiB, first open, store on disk", "fuse", "sequential read 1 MiB (first open) (disk)",
     "FUSE/native", "%", 30, True),
    ("FUSE creates/s, store on tmpfs", "fuse", "creates (tmpfs)", "FUSE", "files/s", 5000, True),
    ("FUSE stats/s, attribute cache, store on disk", "fuse", "stats (default attribute cache) (disk)", "FUSE",
     "stats/s", 30000, True),
    ("container: submit to first process, idle node", "container", "submit to first process, idle node", "latency",
     "ms", 100, False),
    ("container: 2-node MPI hello, submit to succeeded", "container", "2-node customMpi hello, submit to succeeded",
     "time", "s", 2, False),
]


def markdown(raw_path, machine_path, notes_path):
    series = load_raw(raw_path)
    out = ["# Benchmark results", ""]
    out += ["## Machine", "", "```", open(machine_path).read().rstrip(), "```", ""]
    out += ["## Goals", "", "| goal | target | median | min-max | runs | status |", "|---|---|---|---|---|---|"]
    for goal, section, name, metric, unit, target, higher in GOALS:
        values = next((v for (s, n, m, _), v in series.items() if (s, n, m) == (section, name, metric)), None)
        target_text = f"{'>=' if higher else '<='} {fmt(target)} {unit}"
        if not values:
            out.append(f"| {goal} | {target_text} | not measured | | | - |")
            continue
        med = statistics.median(values)
        ok = med >= target if higher else med <= target
        out.append(f"| {goal} | {target_text} | {fmt(med)} | {fmt(min(values))}-{fmt(max(values))} | "
                   f"{len(values)} | {'met' if ok else 'NOT met'} |")
    out.append("")
    sections = OrderedDict()
    for key, values in series.items():
        sections.setdefault(key[0], []).append((key, values))
    for section, items in sections.items():
        out += [f"## {section}", "", "| benchmark | metric | median | min-max | runs |", "|---|---|---|---|---|"]
        for (_, name, metric, unit), values in items:
            unit_text = "" if unit in ("count", "1/s") else f" {unit}"
            out.append(f"| {name} | {metric} | {fmt(statistics.median(values))}{unit_text} | "
                       f"{fmt(min(values))}-{fmt(max(values))} | {len(values)} |")
        out.append("")
    notes = open(notes_path).read().strip()
    if notes:
        out += ["## Notes", "", notes, ""]
    print("\n".join(out))


def main(argv):
    if len(argv) >= 4 and argv[1] == "gbench":
        from_gbench(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "wrk":
        from_wrk(argv[2], argv[3], argv[4], float(argv[5]) if len(argv) > 5 else None)
    elif len(argv) >= 5 and argv[1] == "pauses":
        from_pauses(argv[2], argv[3], argv[4])
    elif len(argv) >= 5 and argv[1] == "markdown":
        markdown(argv[2], argv[3], argv[4])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
