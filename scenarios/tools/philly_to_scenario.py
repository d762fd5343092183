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


def convert(records, limit=None, vc=None):
    jobs = []
    for r in records:
        if vc and r.get("vc") != vc:
            continue
        attempts = r.get("attempts") or []
        if not attempts:
            continue
        last = attempts[-1]
        start, end = parse_time(last.get("start_time")), parse_time(last.get("end_time"))
        submit = parse_time(r.get("submitted_time"))
        if start is None or end is None or submit is None or end < start:
            continue
        gpus = sum(len(d.get("gpus", [])) for d in last.get("detail", []))
        status = {"Pass": "succeeded", "Failed": "failed", "Killed": "killed"}.get(r.get("status"), "failed")
        jobs.append({"name": r.get("jobid", "job"), "vc": r.get("vc", "default"), "submit": submit, "start": start,
                     "gpus": gpus, "run": end - start, "status": status})
        if limit and len(jobs) >= limit:
            break
    if not jobs:
        return jobs
    t0 = min(j["submit"] for j in jobs)
    for j in jobs:
        j["start"] -= t0
        j["submit"] -= t0
    return jobs


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("log", help="cluster_job_log (JSON)")
    p.add_argument("-o", "--output", help="scenario file to write (default: stdout)")
    p.add_argument("--limit", type=int, help="convert only the first N usable jobs")
    p.add_argument("--vc", help="only this virtual cluster")
    p.add_argument("--gpus-per-node", type=int, default=4, choices=[1, 2, 4])
    p.add_argument("--name", default="philly-trace")
    a = p.parse_args(argv)
    with open(a.log) as f:
        records = json.load(f)
    jobs = convert(records, a.limit, a.vc)
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
