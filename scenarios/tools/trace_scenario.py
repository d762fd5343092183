"""Shared part of the trace converters: a list of trace jobs -> a scenario YAML document.

A trace job is a dict with: name, vc, submit (seconds since the trace's first submission), gpus,
run (seconds), status ("succeeded", "failed" or "killed"). Each virtual cluster (VC) becomes one
manual cluster sized to the VC's peak concurrent GPU demand in the trace.
"""

import math

# GPUs per node -> the Batch AI VM size with that many GPUs (Tesla K80 sizes).
VM_SIZES = {1: "STANDARD_NC6", 2: "STANDARD_NC12", 4: "STANDARD_NC24"}


def collect(records, convert_one, limit=None, vc=None, skipped=None):
    """Jobs of the usable records, with times rebased to the first submission.

    convert_one(record) gives a trace job, None for a job that never ran, or raises ValueError (or
    TypeError, AttributeError, OverflowError, OSError) for a malformed record, which is counted in skipped[0]
    and left out, as are jobs with times that are not finite.
    """
    jobs = []
    for r in records:
        if vc and isinstance(r, dict) and r.get("vc") != vc:
            continue
        try:
            job = convert_one(r)
        except (ValueError, TypeError, AttributeError, OverflowError, OSError):
            if skipped is not None:
                skipped[0] += 1
            continue
        if job is None or not all(math.isfinite(job[k]) for k in ("submit", "start", "run")):
            continue
        jobs.append(job)
        if limit and len(jobs) >= limit:
            break
    if jobs:
        t0 = min(j["submit"] for j in jobs)
        for j in jobs:
            j["start"] -= t0
            j["submit"] -= t0
    return jobs


def safe_name(text):
    out = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(text))
    return out.strip("-_")[:60] or "x"


def peak_gpus(jobs):
    """Peak GPUs running at once, from the trace's own start and end times."""
    edges = []
    for j in jobs:
        if j.get("start") is None:
            continue
        edges.append((j["start"], j["gpus"]))
        edges.append((j["start"] + j["run"], -j["gpus"]))
    edges.sort(key=lambda e: (e[0], e[1]))
    peak = cur = 0
    for _, d in edges:
        cur += d
        peak = max(peak, cur)
    return peak


def to_scenario(jobs, name, source, gpus_per_node=4, seed=1, max_nodes=None):
    if gpus_per_node not in VM_SIZES:
        raise ValueError("gpus per node must be 1, 2 or 4 (NC6, NC12, NC24)")
    vm_size = VM_SIZES[gpus_per_node]
    vcs = sorted({j["vc"] for j in jobs})
    lines = [
        "# Converted by scenarios/tools from " + source + ". Do not edit by hand: re-run the converter.",
        "name: " + name,
        "description: %d jobs from %s on %d virtual cluster(s) of %s nodes." % (len(jobs), source, len(vcs), vm_size),
        "seed: %d" % seed,
        "settings:",
        "  nodes:",
        "    maxPerCluster: 100000",
        "  quota:",
        "    dedicatedVcpusPerFamily: 1000000000",
        "    totalDedicatedVcpus: 1000000000",
        "    clusters: 100000",
        "resources:",
    ]
    for vc in vcs:
        demand = peak_gpus([j for j in jobs if j["vc"] == vc])
        nodes = max(1, math.ceil(demand / gpus_per_node))
        biggest = max(math.ceil(max(1, j["gpus"]) / gpus_per_node) for j in jobs if j["vc"] == vc)
        nodes = max(nodes, biggest)
        if max_nodes:
            nodes = min(nodes, max_nodes)
        lines.append("  - {cluster: %s, nodes: %d, vmSize: %s}" % (safe_name("vc-" + vc), nodes, vm_size))
    lines.append("timeline:")
    counts = {"succeeded": 0, "failed": 0}
    for j in sorted(jobs, key=lambda j: (j["submit"], j["name"])):
        nodes = max(1, math.ceil(j["gpus"] / gpus_per_node))
        exit_code = 0 if j["status"] == "succeeded" else (137 if j["status"] == "killed" else 1)
        counts["succeeded" if exit_code == 0 else "failed"] += 1
        lines.append("  - {at: %ds, submit: %s, cluster: %s, nodes: %d, duration: %ds, exitCode: %d}"
                     % (int(j["submit"]), safe_name(j["name"]), safe_name("vc-" + j["vc"]), nodes,
                        max(1, int(round(j["run"]))), exit_code))
    lines.append("expectations:")
    for state, n in counts.items():
        lines.append("  - {jobs: %s, count: %d}" % (state, n))
    return "\n".join(lines) + "\n"
