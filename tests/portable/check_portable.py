#!/usr/bin/env python3
"""Validates the portable outputs in the query matrix with third-party tools.

    .venv-queries/bin/python tests/portable/check_portable.py target/query-matrix.json

* Sigma: every distinct rule is written to a temporary directory and checked with `sigma check`
  (PyPI sigma-cli) with --fail-on-issues; each rule is also parsed with pySigma to assert that indicator
  text never becomes a wildcard (only the template's leading/trailing wildcards from modifiers).
* STIX: every distinct pattern is validated with stix2-patterns and inspected: the number of comparison
  expressions must equal the number of values the query covers (nothing injected, nothing lost).
Exit code 1 on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile

from sigma.collection import SigmaCollection
from sigma.types import SigmaString, SpecialChars
from stix2patterns.pattern import Pattern
from stix2patterns.validator import run_validator

# Validators excluded on purpose: escaped wildcards are how indicator text with `*`/`?` stays literal.
EXCLUDED_VALIDATORS = ["escaped_wildcard"]


def main(matrix_path: str) -> int:
    with open(matrix_path, encoding="utf-8") as f:
        matrix = json.load(f)
    failures = 0

    sigma = {}
    for e in matrix:
        if e["target"] == "sigma":
            sigma.setdefault(e["query"], e)
    stix = {}
    for e in matrix:
        if e["target"] == "stix":
            stix.setdefault(e["query"], e)
    if not sigma or not stix:
        print("check_portable: no Sigma or STIX entries in the matrix")
        return 1

    # pySigma parse: no wildcard may come from indicator text.
    for text, e in sigma.items():
        try:
            rule = SigmaCollection.from_yaml(text).rules[0]
        except Exception as exc:  # noqa: BLE001 - any parse error is a failure to report
            failures += 1
            print(f"FAIL sigma parse {e['case']}: {exc}\n{text}")
            continue
        for det in rule.detection.detections.values():
            for item in det.detection_items:
                for v in item.value:
                    if not isinstance(v, SigmaString):
                        continue
                    parts = v.s
                    inner = parts[1:-1] if len(parts) > 2 else []
                    if any(isinstance(p, SpecialChars) for p in inner):
                        failures += 1
                        print(f"FAIL sigma wildcard inside value {e['case']}: {v!r}")

    with tempfile.TemporaryDirectory() as d:
        for i, text in enumerate(sigma):
            rid = next(l for l in text.splitlines() if l.startswith("id: "))[4:]
            with open(os.path.join(d, f"ioclens_hunt_{rid.replace('-', '_')}.yml"), "w", encoding="utf-8") as f:
                f.write(text)
        sigma_bin = os.path.join(os.path.dirname(sys.executable), "sigma")
        cmd = [sigma_bin, "check", "--fail-on-issues"]
        for x in EXCLUDED_VALIDATORS:
            cmd += ["--exclude", x]
        r = subprocess.run(cmd + [d], capture_output=True, text=True, check=False)
        if r.returncode != 0:
            failures += 1
            print("FAIL sigma check:\n" + r.stdout[-4000:] + r.stderr[-2000:])

    for text, e in stix.items():
        errors = run_validator(text, stix_version="2.1")
        if errors:
            failures += 1
            print(f"FAIL stix {e['case']} {e['type']}: {errors}\n{text}")
            continue
        comparisons = sum(len(v) for v in Pattern(text).inspect().comparisons.values())
        per_value = 2 if e["type"] == "file_path" and " AND " in text else 1
        if e["type"] == "file_path":
            expected_min, expected_max = e["values"], 2 * e["values"]
            ok = expected_min <= comparisons <= expected_max
        else:
            ok = comparisons == per_value * e["values"]
        if not ok:
            failures += 1
            print(f"FAIL stix comparisons {e['case']}: {comparisons} for {e['values']} values\n{text}")

    print(f"check_portable: {len(sigma)} Sigma rules, {len(stix)} STIX patterns, {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
