#!/usr/bin/env python3
"""Runs `splunk-appinspect inspect --mode precert --included-tags cloud` (from .venv-appinspect) on the package
and fails unless it reports zero failures and zero errors. Prints the warnings for the record.

    python3 plugin-splunk/appinspect.py dist/ioclens-splunk-<version>.tgz
"""

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, ".venv-appinspect", "bin", "splunk-appinspect")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    package = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        argv = [TOOL, "inspect", package, "--mode", "precert", "--included-tags", "cloud"]
        proc = subprocess.run(argv + ["--output-file", report, "--data-format", "json"], capture_output=True, text=True)
        if not os.path.exists(report):
            sys.exit(
                "appinspect wrote no report (exit {}):\n{}\n{}".format(
                    proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]
                )
            )
        with open(report, encoding="utf-8") as handle:
            data = json.load(handle)
    summary = data.get("summary", {})
    bad = []
    for rep in data.get("reports", []):
        for group in rep.get("groups", []):
            for check in group.get("checks", []):
                if check.get("result") in ("failure", "error", "warning"):
                    messages = check.get("messages", [])[:2]
                    texts = "; ".join((m.get("message") or "").split("\n")[0][:160] for m in messages)
                    print("  {:8s} {}: {}".format(check["result"], check["name"], texts))
                    if check.get("result") in ("failure", "error"):
                        bad.append(check["name"])
    print("appinspect summary: " + ", ".join("{} {}".format(k, v) for k, v in sorted(summary.items())))
    if bad or summary.get("failure", 0) or summary.get("error", 0):
        sys.exit("appinspect: {} failing check(s): {}".format(len(bad), ", ".join(bad)))


if __name__ == "__main__":
    main()
