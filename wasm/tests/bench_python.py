"""wasmtime-py speed figures (run by wasm/bench.sh): load from the compile cache + first call, each in a fresh
process (wall time: what a user waits for); extraction MiB/s and µs per classify/lookup in CPU time of the
process (`time.process_time`), each sample repeating the call for >= 0.3 s of CPU. Prints medians."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIST = os.path.join(ROOT, "dist")
sys.path.insert(0, os.path.join(ROOT, "wasm", "python"))
WASM = os.path.join(DIST, "abi", "ioclens_core.wasm")

CHILD = r"""
import sys, time, json
t0 = time.perf_counter()
import wasmtime
t1 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import ioclens_wasm
core = ioclens_wasm.Core(sys.argv[2], cache_dir=sys.argv[3])
t2 = time.perf_counter()
core.classify("hxxps://evil[.]com/gate.php")
t3 = time.perf_counter()
print(json.dumps({"import_wasmtime": (t1 - t0) * 1e3, "load_cached": (t2 - t1) * 1e3, "first_call": (t3 - t2) * 1e3}))
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        t = time.perf_counter()
        import ioclens_wasm

        ioclens_wasm.Core(WASM, cache_dir=cache)  # cold: compiles and writes the cache
        print(f"python cold load (compile + cache write): {(time.perf_counter() - t) * 1e3:.0f} ms")
        runs = [
            json.loads(subprocess.check_output([sys.executable, "-c", CHILD, os.path.join(ROOT, "wasm", "python"), WASM, cache]))
            for _ in range(7)
        ]
    for k in ("import_wasmtime", "load_cached", "first_call"):
        print(f"python {k}: {statistics.median(r[k] for r in runs):.2f} ms (median of 7 fresh processes)")
    print(
        "python cached load + first call: "
        f"{statistics.median(r['load_cached'] + r['first_call'] for r in runs):.2f} ms (median of 7)"
    )

    core = ioclens_wasm.Core(WASM, cache_dir=None)
    with open(os.path.join(DIST, "bench-report.txt"), encoding="utf-8") as f:
        text = f.read()
    req = json.dumps({"text": text}, ensure_ascii=False)
    mib = len(text.encode()) / (1024 * 1024)
    rates = [mib / s for s in cpu_per_call(lambda: core.call_raw("extract", req))]
    print(f"python abi extract: {statistics.median(rates):.1f} MiB/s CPU (median of 7)")
    for op, r in (("classify", {"value": "hxxps://evil[.]com/gate.php"}), ("lookup", {"value": "185.220.101.1", "now": 1767225600})):
        s = json.dumps(r)
        per = statistics.median(cpu_per_call(lambda s=s, op=op: core.call_raw(op, s)))
        print(f"python abi {op}: {per * 1e6:.2f} µs/call CPU (median of 7)")


def cpu_per_call(f) -> list[float]:
    """7 samples of the CPU seconds one `f()` takes, each repeating `f` for >= 0.3 s of CPU after a warm-up."""
    f()
    samples = []
    for _ in range(7):
        t0, n = time.process_time(), 0
        while (t := time.process_time() - t0) < 0.3:
            f()
            n += 1
        samples.append(t / n)
    return samples

if __name__ == "__main__":
    main()
