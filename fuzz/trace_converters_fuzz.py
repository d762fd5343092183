#!/usr/bin/env python3
"""Fuzz harness for the Python trace converters (scenarios/tools): seeded mutations of the sample
traces are fed to each converter's main(); a clean run or a clean exit (SystemExit with a message)
passes, any other exception is a finding, grouped by exception type and the line that raised it.

    python3 fuzz/trace_converters_fuzz.py --seconds 10 [--findings DIR] [--strict] [--seed N] [--summary TSV]
Without --strict, findings are listed (and saved to DIR) but the exit code stays 0. --summary appends
one row per converter to run_fuzzers.sh's table (target, seconds, executions, exec/s, corpus, result).
"""

import argparse
import contextlib
import io
import json
import os
import random
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "scenarios", "tools")
sys.path.insert(0, TOOLS)

import helios_to_scenario  # noqa: E402
import philly_to_scenario  # noqa: E402

HOSTILE = [b"", b"None", b"Unknown", b"nan", b"inf", b"-1", b"1e309", b"0", b"\xff\xfe", b"\x00", b"\"",
           b",", b"\n", b"[]", b"{}", b"null", b"true", b"9999-99-99 99:99:99", b"1970-01-01 00:00:00",
           b"2020-04-01T08:05:15", b"-9e18", b"\"gpus\": 5", b"{\"gpus\": [1,2]}", b"COMPLETED", b"CANCELLED"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.random()
        pos = rng.randint(0, len(data)) if data else 0
        if op < 0.25 and data:
            data[min(pos, len(data) - 1)] = rng.randint(0, 255)
        elif op < 0.5:
            data[pos:pos] = rng.choice(HOSTILE)
        elif op < 0.7 and data:
            end = min(len(data), pos + rng.randint(1, 64))
            del data[pos:end]
        elif op < 0.85 and data:
            start = rng.randint(0, len(data) - 1)
            data[pos:pos] = data[start:start + rng.randint(1, 128)]
        else:
            # Replace a token between delimiters with a hostile value.
            delims = b",:\n"
            start = pos
            while start > 0 and data[start - 1] not in delims:
                start -= 1
            end = pos
            while end < len(data) and data[end] not in delims:
                end += 1
            data[start:end] = rng.choice(HOSTILE)
    return bytes(data)


def run_one(module, path, out):
    """None when the converter ran or exited cleanly; else (signature, traceback text)."""
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            module.main([path, "-o", out])
    except SystemExit:
        return None
    except Exception as failure:  # noqa: BLE001 - every other exception is what we look for
        frames = traceback.extract_tb(failure.__traceback__)
        ours = [f for f in frames if os.path.abspath(f.filename).startswith(os.path.abspath(TOOLS))]
        where = ours[-1] if ours else frames[-1]
        signature = f"{type(failure).__name__} at {os.path.basename(where.filename)}:{where.lineno}"
        return signature, "".join(traceback.format_exception(failure))
    return None


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--findings", help="folder for one reproducer per finding")
    p.add_argument("--strict", action="store_true", help="exit 1 when there is a finding")
    p.add_argument("--summary", help="tab-separated file to append one row per converter to")
    a = p.parse_args(argv)
    traces = os.path.join(HERE, "..", "scenarios", "traces")
    seeds = {
        "philly": (philly_to_scenario, [open(os.path.join(traces, "philly_sample_cluster_job_log.json"), "rb").read()]
                   + [open(os.path.join(HERE, "corpus", "philly", f), "rb").read()
                      for f in sorted(os.listdir(os.path.join(HERE, "corpus", "philly")))]),
        "helios": (helios_to_scenario, [open(os.path.join(traces, "helios_sample_cluster_log.csv"), "rb").read()]
                   + [open(os.path.join(HERE, "corpus", "helios", f), "rb").read()
                      for f in sorted(os.listdir(os.path.join(HERE, "corpus", "helios")))]),
    }
    rng = random.Random(a.seed)
    findings = {}
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, (module, corpus) in seeds.items():
            started = time.monotonic()
            deadline = started + a.seconds / len(seeds)
            runs = 0
            path, out = os.path.join(work, f"{name}.in"), os.path.join(work, f"{name}.yaml")
            while time.monotonic() < deadline:
                data = mutate(rng, rng.choice(corpus))
                with open(path, "wb") as f:
                    f.write(data)
                runs += 1
                found = run_one(module, path, out)
                if found and found[0] not in findings:
                    findings[found[0]] = (name, data, found[1])
            elapsed = time.monotonic() - started
            print(f"trace converter {name}: {runs} executions")
            rows.append((name, elapsed, runs, len(corpus)))
    for signature, (name, data, text) in sorted(findings.items()):
        print(f"trace converter {name}: FINDING {signature}; input {data[:120]!r}")
        if a.findings:
            os.makedirs(a.findings, exist_ok=True)
            stem = signature.replace(" ", "_").replace(":", "_")
            with open(os.path.join(a.findings, f"{name}-{stem}.in"), "wb") as f:
                f.write(data)
            with open(os.path.join(a.findings, f"{name}-{stem}.txt"), "w") as f:
                f.write(text)
    if not findings:
        print("trace converters: no finding")
    if a.summary:
        with open(a.summary, "a") as f:
            for name, elapsed, runs, seeds_used in rows:
                found = sum(1 for where, _, _ in findings.values() if where == name)
                result = f"FINDING ({found})" if found else "no finding"
                f.write(f"{name}_converter\t{elapsed:.0f}\t{runs}\t{runs / max(elapsed, 1e-9):.0f}\t"
                        f"{seeds_used}\t{result}\n")
    return 1 if findings and a.strict else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
