#!/usr/bin/env python3
"""Converts a Helios-style Slurm job CSV (cluster_log.csv) to a scenario.

  python3 scenarios/tools/helios_to_scenario.py cluster_log.csv -o helios.yaml [--limit 1000]
      [--gpus-per-node 4] [--vc VC]

Columns used: job_id, vc, gpu_num, state, submit_time, start_time, end_time (Helios' names; a
`duration` column is used when end_time is missing). State COMPLETED -> exit 0; CANCELLED -> exit
137; FAILED, TIMEOUT, NODE_FAIL and the rest -> exit 1. Jobs that never started are left out.
"""

import argparse
import csv
import datetime
import sys

import trace_scenario


def parse_time(text):
    if text in (None, "", "None", "Unknown"):
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, fmt).timestamp()
        except ValueError:
            pass
    try:
        return float(text)
    except ValueError:
        return None


def convert_one(r):
    """The job of one row, None when it never ran; ValueError when the row is malformed."""
    submit, start, end = parse_time(r.get("submit_time")), parse_time(r.get("start_time")), parse_time(
        r.get("end_time"))
    if end is None and start is not None and r.get("duration"):
        end = start + float(r["duration"])
    if submit is None or start is None or end is None or end < start:
        return None
    state = (r.get("state") or "").upper()
    status = "succeeded" if state == "COMPLETED" else ("killed" if state.startswith("CANCELLED") else "failed")
    return {"name": r.get("job_id") or "job", "vc": r.get("vc") or "default", "submit": submit,
            "start": start, "gpus": int(float(r.get("gpu_num") or 0)), "run": end - start, "status": status}


def convert(rows, limit=None, vc=None, skipped=None):
    """Jobs of the usable rows; malformed ones are counted in skipped[0] and left out."""
    return trace_scenario.collect(rows, convert_one, limit, vc, skipped)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv", help="Helios cluster_log.csv or any Slurm export with the same columns")
    p.add_argument("-o", "--output", help="scenario file to write (default: stdout)")
    p.add_argument("--limit", type=int, help="convert only the first N usable jobs")
    p.add_argument("--vc", help="only this virtual cluster")
    p.add_argument("--gpus-per-node", type=int, default=4, choices=[1, 2, 4])
    p.add_argument("--name", default="helios-trace")
    a = p.parse_args(argv)
    skipped = [0]
    try:
        with open(a.csv, newline="", encoding="utf-8") as f:
            jobs = convert(csv.DictReader(f), a.limit, a.vc, skipped)
    except (OSError, UnicodeDecodeError, csv.Error) as failure:
        sys.exit("helios_to_scenario: %s is not a readable Slurm CSV: %s" % (a.csv, failure))
    if skipped[0]:
        print("helios_to_scenario: left out %d malformed rows" % skipped[0], file=sys.stderr)
    if not jobs:
        sys.exit("helios_to_scenario: %s has no job with submit, start and end times" % a.csv)
    text = trace_scenario.to_scenario(jobs, a.name, "a Helios-style Slurm CSV", a.gpus_per_node)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
