#!/usr/bin/env python3
"""Converts the Microsoft Philly trace's cluster_job_log (a JSON list of jobs) to a scenario.

  python3 scenarios/tools/philly_to_scenario.py cluster_job_log -o philly.yaml [--limit 1000]
      [--gpus-per-node 4] [--vc VC]

Per job: submitted_time -> submit offset; the GPUs of its last attempt -> nodeCount on the VM size
with --gpus-per-node GPUs; the last attempt's end - start -> run time; status Pass -> exit 0,
Failed -> exit 1, Killed -> exit 137. Jobs that never started are left out.
"""

import argparse
import datetime
import json
import sys

import trace_scenario

FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_time(text):
    if text in (None, "", "None"):
        return None
    return datetime.datetime.strptime(text, FORMAT).timestamp()


def convert_one(r):
    """The job of one record, None when it never ran; ValueError when the record is malformed."""
    if not isinstance(r, dict):
        raise ValueError("a job record is not a JSON object")
    attempts = r.get("attempts") or []
    if not isinstance(attempts, list) or not attempts:
        return None
    last = attempts[-1]
    if not isinstance(last, dict):
        raise ValueError("an attempt is not a JSON object")
    start, end = parse_time(last.get("start_time")), parse_time(last.get("end_time"))
    submit = parse_time(r.get("submitted_time"))
    if start is None or end is None or submit is None or end < start:
        return None
    gpus = sum(len(d.get("gpus", [])) for d in last.get("detail", []))
    status = {"Pass": "succeeded", "Failed": "failed", "Killed": "killed"}.get(r.get("status"), "failed")
    return {"name": str(r.get("jobid", "job")), "vc": str(r.get("vc", "default")), "submit": submit,
            "start": start, "gpus": gpus, "run": end - start, "status": status}


def convert(records, limit=None, vc=None, skipped=None):
    """Jobs of the usable records; malformed ones are counted in skipped[0] and left out."""
    return trace_scenario.collect(records, convert_one, limit, vc, skipped)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("log", help="cluster_job_log (JSON)")
    p.add_argument("-o", "--output", help="scenario file to write (default: stdout)")
    p.add_argument("--limit", type=int, help="convert only the first N usable jobs")
    p.add_argument("--vc", help="only this virtual cluster")
    p.add_argument("--gpus-per-node", type=int, default=4, choices=[1, 2, 4])
    p.add_argument("--name", default="philly-trace")
    a = p.parse_args(argv)
    try:
        with open(a.log, encoding="utf-8") as f:
            records = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError) as failure:
        sys.exit("philly_to_scenario: %s is not a readable cluster_job_log (a JSON list of jobs): %s" % (a.log, failure))
    if not isinstance(records, list):
        sys.exit("philly_to_scenario: %s is not a cluster_job_log: expected a JSON list of jobs" % a.log)
    skipped = [0]
    jobs = convert(records, a.limit, a.vc, skipped)
    if skipped[0]:
        print("philly_to_scenario: left out %d malformed job records" % skipped[0], file=sys.stderr)
    if not jobs:
        sys.exit("philly_to_scenario: %s has no job with a start and an end time" % a.log)
    text = trace_scenario.to_scenario(jobs, a.name, "the Philly trace (cluster_job_log)", a.gpus_per_node)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
