#!/usr/bin/env python3
"""Prints median timings of the installed ioclens package (run with the venv's python):

    .venv-msticpy/bin/python plugin-sentinel/bench.py

- import + first call, cold (empty compile cache: Cranelift compiles the module) and warm (cache hit), each in a
  fresh interpreter;
- lookup per value (scores + both hunting queries), lookup without queries (bulk scoring), extract of a report,
  and the DataFrame accessor on 1,000 rows of 100 distinct values.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

STARTUP = (
    "import time; t = time.perf_counter(); import ioclens; ioclens.classify('8.8.8.8'); print(time.perf_counter() - t)"
)


def startup(cache: str) -> float:
    env = {**os.environ, "IOCLENS_WASM_CACHE": cache}
    cmd = [sys.executable, "-c", STARTUP]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)  # noqa: S603 - our own code
    return float(out.stdout)


def median(f, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    cold = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(startup(cache))
    with tempfile.TemporaryDirectory() as cache:
        startup(cache)
        warm = [startup(cache) for _ in range(5)]
    print(f"import + first call, cold cache : {statistics.median(cold) * 1000:8.1f} ms (median of 3)")
    print(f"import + first call, warm cache : {statistics.median(warm) * 1000:8.1f} ms (median of 5)")

    import pandas as pd

    import ioclens

    values = [f"185.220.{i // 250}.{i % 250}" for i in range(50)] + [f"evil-{i}.example-cdn.net" for i in range(50)]
    ioclens.lookup(values[:5])
    per = median(lambda: ioclens.lookup(values, now=1_767_225_600), 5) / len(values)
    bulk = median(lambda: ioclens.lookup(values, now=1_767_225_600, hunting=False), 5) / len(values)
    print(f"lookup with hunting queries     : {per * 1e6:8.0f} µs/value (median of 5 × 100 values)")
    print(f"lookup, hunting=False           : {bulk * 1e6:8.0f} µs/value (median of 5 × 100 values)")
    line = "Beacon to hxxp://c2[.]example-bad[.]com/a and 185.220.101[.]1, hash 44d88612fea8a8f36de82e1278abb02f. "
    report = line * 100
    ext = median(lambda: ioclens.extract(report), 5)
    print(f"extract, {len(report) // 1024} KiB report           : {ext * 1000:8.1f} ms (median of 5)")
    df = pd.DataFrame({"ip": values * 10})
    acc = median(lambda: df.ioclens.enrich("ip", now=1_767_225_600), 3)
    print(f"df.ioclens.enrich, 1000 rows    : {acc * 1000:8.1f} ms (median of 3; 100 distinct values)")


if __name__ == "__main__":
    main()
