#!/usr/bin/env python3
"""Throughput and start-up of `| ioclens` through Search Command Protocol v2, pinned to one core.

Drives the staged app (target/splunk/stage/ioclens) exactly as the tests do (tests/scp.py), with splunkd-sized
execute chunks (50,000 events), and prints medians over --repeat runs:

- start-up: process start -> getinfo reply, cold (empty module cache) and cached;
- throughput: events/s from the first execute chunk to the last reply (wall clock), and the same events divided
  by the command's own CPU time over that span (what one core sustains when it is not shared: the figure to read
  on a loaded machine), for
  * `repeated`: events drawn from a pool of 5,000 distinct indicators (what a day of proxy/firewall logs
    looks like: values repeat; each distinct value goes to the core once per process), and
  * `distinct`: every event a new indicator (worst case: one core call per event).

    python3 plugin-splunk/bench.py [--events 200000] [--repeat 3] [--python PATH]
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tests"))

import scp  # noqa: E402

ROOT = os.path.dirname(HERE)
APP = os.environ.get("IOCLENS_SPLUNK_APP") or os.path.join(ROOT, "target", "splunk", "stage", "ioclens")
CHUNK = 50000


def indicator(rng, i):
    kind = i % 5
    if kind == 0:
        return "{}.{}.{}.{}".format(rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254))
    if kind == 1:
        return "host{}.example{}[.]com".format(i, rng.randint(0, 999))
    if kind == 2:
        return "hxxps://cdn{}.example.net/path/{}.php?id={}".format(i % 97, i, rng.randint(0, 10**6))
    if kind == 3:
        return "{:064x}".format(rng.getrandbits(256))
    return "user{}@mail{}.example.org".format(i, i % 13)


def events(n, distinct, seed=7):
    rng = random.Random(seed)
    if distinct:
        values = [indicator(rng, i) for i in range(n)]
    else:
        pool = [indicator(rng, i) for i in range(5000)]
        values = [rng.choice(pool) for _ in range(n)]
    return [{"_time": str(1700000000 + i), "host": "fw{}".format(i % 8), "ioc": v} for i, v in enumerate(values)]


def once(rows, cache, python, pin):
    prefix = ["taskset", "-c", "0"] if pin and shutil.which("taskset") else []
    chunks = [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]
    with tempfile.TemporaryDirectory() as dispatch:
        run = scp.run(
            APP,
            "ioclens",
            ["field=ioc"],
            chunks,
            tmp_path=dispatch,
            python=python,
            env={"IOCLENS_CACHE_DIR": cache},
            prefix=prefix,
        )
    if run.returncode != 0 or run.errors() or len(run.rows) != len(rows):
        sys.exit(
            "benchmark run failed: rc={} errors={} rows={} stderr={}".format(
                run.returncode, run.errors(), len(run.rows), run.stderr[-2000:]
            )
        )
    return run


def main():
    parser = argparse.ArgumentParser(description="ioclens Splunk command benchmark")
    parser.add_argument("--events", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--no-pin", action="store_true", help="do not pin the command to CPU 0")
    args = parser.parse_args()
    pin = not args.no_pin
    cache = tempfile.mkdtemp(prefix="ioclens-bench-cache-")
    try:
        cold, warm = [], []
        small = events(10, distinct=False)
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            os.makedirs(cache)
            cold.append(once(small, cache, args.python, pin).getinfo_seconds)
            warm.append(once(small, cache, args.python, pin).getinfo_seconds)
        print("python {}  app {}".format(args.python, APP))
        print(
            "start-up (process start -> getinfo reply), median of {}: cold {:.0f} ms, cached {:.0f} ms".format(
                args.repeat, statistics.median(cold) * 1000, statistics.median(warm) * 1000
            )
        )
        for label, distinct in (("repeated", False), ("distinct", True)):
            rows = events(args.events, distinct)
            rates, cpu_rates = [], []
            for _ in range(args.repeat):
                run = once(rows, cache, args.python, pin)
                rates.append(len(rows) / run.execute_seconds)
                if run.execute_cpu_seconds:
                    cpu_rates.append(len(rows) / run.execute_cpu_seconds)
            print(
                "throughput {:9s} {:>8,} events, {}-event chunks{}: wall median {:,.0f} events/s (runs: {})".format(
                    label,
                    len(rows),
                    CHUNK,
                    ", pinned to 1 core" if pin else "",
                    statistics.median(rates),
                    ", ".join("{:,.0f}".format(r) for r in rates),
                )
            )
            if cpu_rates:
                print(
                    "           {:9s} per CPU-second of the command: median {:,.0f} events/s (runs: {})".format(
                        "", statistics.median(cpu_rates), ", ".join("{:,.0f}".format(r) for r in cpu_rates)
                    )
                )
        print("load average after the runs: {:.1f} {:.1f} {:.1f} on {} CPUs".format(*os.getloadavg(), os.cpu_count()))
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
