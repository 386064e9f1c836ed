"""Python Aspara 0.1.0's LocalRun.log of 3 metrics on this machine: calls/s and caller latency.

    python3 writer/benches/python_baseline.py [--calls N]

Prints one JSON line: {"calls": N, "calls_per_s": ..., "p50_us": ..., "p99_us": ..., "p999_us": ...}.
Every Aspara log call appends one line and fdatasyncs it (reference section 2.1), so this is both
its default and its only durability mode.
"""
import argparse
import json
import os
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--calls", type=int, default=20000)
args = ap.parse_args()

with tempfile.TemporaryDirectory() as d:
    os.environ["ASPARA_DATA_DIR"] = d
    from aspara.run._local_run import LocalRun

    run = LocalRun(name="bench", project="bench", dir=d)
    for i in range(200):  # warm-up
        run.log({"loss": 1.0 / (i + 1), "acc": 0.5, "lr": 1e-3})
    lat = []
    t0 = time.perf_counter()
    for i in range(args.calls):
        s = time.perf_counter_ns()
        run.log({"loss": 1.0 / (i + 1), "acc": 0.5, "lr": 1e-3})
        lat.append(time.perf_counter_ns() - s)
    total = time.perf_counter() - t0
    run.finish()
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] / 1000.0
    print(json.dumps({
        "calls": args.calls,
        "calls_per_s": args.calls / total,
        "p50_us": pct(0.50),
        "p99_us": pct(0.99),
        "p999_us": pct(0.999),
    }))
