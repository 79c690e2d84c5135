#!/usr/bin/env bash
# WASM speed figures (docs/wasm.md): run after `cargo xtask wasm`. Prints medians; nothing is asserted here
# (speed targets are checked by reading these figures, not by timed unit tests). Throughput and per-call figures
# are CPU time on both sides (native: this thread; Node/Python: the process), so a loaded machine distorts them
# far less than wall time; first-call figures are wall time in fresh processes.
#   wasm/bench.sh            # native + Node + Python
# Node also measures every other plain-ABI build found as dist/abi*/ioclens_core.wasm (e.g. a variant to compare).
set -euo pipefail
cd "$(dirname "$0")/.."
# A 1 MiB synthetic report: prose, defanged and plain indicators, hashes, CVEs, ATT&CK ids, noise.
python3 - <<'PY'
import random
random.seed(7)
words = "the actor used a loader to reach its server after phishing with a macro document and then moved".split()
iocs = ["hxxps://login-micr0soft[.]com/auth.php?id={n}", "185.220.101[.]{m}", "10.0.{m}.1", "evil{n}[.]ru",
        "44d88612fea8a8f36de82e1278abb0{m:02x}", "CVE-2024-{n:04d}", "T1059.001", "admin{n}@corp-mail[.]com",
        "C:\\Users\\Public\\svc{n}.exe", "2001:db8::{m:x}", "AS{n}", "readme.txt", "version 1.2.3.4"]
out, size = [], 0
while size < 1 << 20:
    line = " ".join(random.choice(words) for _ in range(12)) + " " + random.choice(iocs).format(n=random.randrange(9999), m=random.randrange(255)) + ".\n"
    out.append(line); size += len(line.encode())
open("dist/bench-report.txt", "w").write("".join(out))
PY
cargo run --quiet --release --locked -p ioclens-wasm-abi --example bench -- dist/bench-report.txt
node wasm/tests/bench.mjs
.venv/bin/python wasm/tests/bench_python.py
