#!/usr/bin/env python3
"""Validates the portable outputs in the query matrix with third-party tools.

    .venv-queries/bin/python tests/portable/check_portable.py target/query-matrix.json

* Sigma: every distinct rule is written to a temporary directory and checked with `sigma check`
  (PyPI sigma-cli) with --fail-on-issues; each rule is also parsed with pySigma to assert that indicator
  text never becomes a wildcard (only the template's leading/trailing wildcards from modifiers).
* Sigma conversions: every distinct rule is converted with pySigma's Splunk backend (no pipeline, and the
  splunk_windows pipeline for Windows rules) and with the Kusto backend under the three Microsoft pipelines
  (microsoft_xdr, sentinel_asim, azure_monitor). A rule may only fail a Microsoft pipeline that maps no table
  to its log source category (the rule's query notes say so), and every indicator type must have at least
  one rule converting under each pipeline.
* The ATT&CK data pySigma's tag validator needs is built from the repository's data/attack file (no network).
* STIX: every distinct pattern is validated with stix2-patterns and inspected: the number of comparison
  expressions must equal the number of values the query covers (nothing injected, nothing lost).
Exit code 1 on any failure.
"""
import json
import os
import re
import sys
import tempfile

from sigma.backends.kusto import KustoBackend
from sigma.backends.splunk import SplunkBackend
from sigma.collection import SigmaCollection
from sigma.data import mitre_attack, mitre_d3fend
from sigma.pipelines.azuremonitor import azure_monitor_pipeline
from sigma.pipelines.microsoftxdr import microsoft_xdr_pipeline
from sigma.pipelines.sentinelasim import sentinel_asim_pipeline
from sigma.pipelines.splunk import splunk_windows_pipeline
from sigma.types import SigmaString, SpecialChars
from stix2patterns.pattern import Pattern
from stix2patterns.validator import run_validator

# Validators excluded on purpose: escaped wildcards are how indicator text with `*`/`?` stays literal.
EXCLUDED_VALIDATORS = ["escaped_wildcard"]


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Log source categories a Microsoft pipeline maps to no table (pySigma-backend-kusto 1.0.1 mappings.py).
UNMAPPED = {
    "microsoft_xdr": {"dns_query", "proxy"},
    "sentinel_asim": {"dns_query"},
    "azure_monitor": {"dns_query", "proxy"},
}
MS_PIPELINES = {
    "microsoft_xdr": microsoft_xdr_pipeline,
    "sentinel_asim": sentinel_asim_pipeline,
    "azure_monitor": azure_monitor_pipeline,
}


def attack_bundle(directory: str) -> str:
    """A minimal STIX bundle of ATT&CK tactics and techniques from data/attack, for pySigma's tag validator."""
    with open(os.path.join(ROOT, "data", "attack", "attack_enterprise.json"), encoding="utf-8") as f:
        data = json.load(f)
    ref = lambda i: [{"source_name": "mitre-attack", "external_id": i}]  # noqa: E731
    objects = [{"type": "x-mitre-collection", "x_mitre_version": data.get("attack_version", "unknown")}]
    for t in data["tactics"]:
        objects.append({"type": "x-mitre-tactic", "x_mitre_shortname": t["shortname"], "external_references": ref(t["id"])})
    for t in data.get("techniques", []):
        objects.append({"type": "attack-pattern", "name": t.get("name", t["id"]), "external_references": ref(t["id"]),
                        "kill_chain_phases": []})
    path = os.path.join(directory, "enterprise-attack.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"type": "bundle", "objects": objects}, f)
    return path


PLAIN = re.compile(r"^      - '[A-Za-z0-9.:/_=-]*'$")


def shape(text: str) -> str:
    """The rule with plain indicator values (letters, digits, URL punctuation) and the id/title replaced, so
    rules that differ only in such values are converted once; any other value is converted as written."""
    out = []
    for line in text.splitlines():
        if line.startswith(("id: ", "title: ")):
            continue
        line = "      - 'X'" if PLAIN.match(line) else line
        if not (out and out[-1] == line == "      - 'X'"):
            out.append(line)
    return "\n".join(out)


def convert_all(sigma: dict) -> int:
    failures = 0
    converted = {}  # (type, pipeline) -> count of rules that converted
    types = set()
    shapes = {}
    for text, e in sigma.items():
        shapes.setdefault((e["type"], shape(text)), (text, e))
    for text, e in shapes.values():
        rule = SigmaCollection.from_yaml(text)
        category = rule.rules[0].logsource.category
        product = rule.rules[0].logsource.product
        types.add(e["type"])
        backends = [("splunk", lambda: SplunkBackend())]
        if product == "windows":
            backends.append(("splunk_windows", lambda: SplunkBackend(processing_pipeline=splunk_windows_pipeline())))
        for name, make in backends:
            try:
                out = make().convert(SigmaCollection.from_yaml(text))
                assert out and all(q.strip() for q in out), "empty conversion"
            except Exception as exc:  # noqa: BLE001
                failures += 1
                print(f"FAIL sigma {name} {e['case']} {e['type']}: {exc}\n{text}")
        for name, pipeline in MS_PIPELINES.items():
            try:
                out = KustoBackend(processing_pipeline=pipeline()).convert(SigmaCollection.from_yaml(text))
                assert out and all(q.strip() for q in out), "empty conversion"
                converted[(e["type"], name)] = converted.get((e["type"], name), 0) + 1
            except Exception as exc:  # noqa: BLE001
                if category in UNMAPPED[name]:
                    continue
                # sentinel_asim maps `SourceIP` but not the SigmaHQ/Sysmon spelling `SourceIp` (kusto 1.0.1).
                if name == "sentinel_asim" and "\n    SourceIp" in text:
                    continue
                failures += 1
                print(f"FAIL sigma {name} {e['case']} {e['type']} ({category}): {exc}\n{text}")
    for t in sorted(types):
        for name in MS_PIPELINES:
            if not converted.get((t, name)):
                failures += 1
                print(f"FAIL sigma: no {t} rule converts under {name}")
    print(f"check_portable: {len(shapes)} Sigma rule shapes of {len(sigma)} rules, {len(types)} types, converted with splunk + {len(MS_PIPELINES)} Microsoft pipelines")
    return failures


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

    failures += convert_all(sigma)

    with tempfile.TemporaryDirectory() as d:
        mitre_attack.set_cache_dir(os.path.join(d, "cache"))
        mitre_attack.set_url(attack_bundle(d))
        # The rules carry no D3FEND tags: an empty ontology keeps the tag validator offline.
        d3fend = os.path.join(d, "d3fend.json")
        with open(d3fend, "w", encoding="utf-8") as f:
            json.dump({"@graph": []}, f)
        mitre_d3fend.set_cache_dir(os.path.join(d, "cache-d3fend"))
        mitre_d3fend.set_url(d3fend)
        rules_dir = os.path.join(d, "rules")
        os.makedirs(rules_dir)
        ids = {}
        for i, text in enumerate(sigma):
            rid = next(l for l in text.splitlines() if l.startswith("id: "))[4:]
            if rid in ids:
                failures += 1
                print(f"FAIL sigma id {rid} shared by two different rules:\n{ids[rid]}\n{text}")
            ids[rid] = text
            for key in ("date: ", "tags:", "  product: " if "category: proxy" not in text else "logsource:"):
                if f"\n{key}" not in text:
                    failures += 1
                    print(f"FAIL sigma rule without `{key.strip()}`:\n{text}")
            with open(os.path.join(rules_dir, f"ioclens_hunt_{rid.replace('-', '_')}.yml"), "w", encoding="utf-8") as f:
                f.write(text)
        # sigma-cli's check, in this process so the offline ATT&CK data above is used.
        from sigma.cli.check import check as sigma_check

        args = ["--fail-on-issues"]
        for x in EXCLUDED_VALIDATORS:
            args += ["--exclude", x]
        try:
            # Without standalone mode click returns the exit code of `ctx.exit(n)` instead of exiting.
            ret = sigma_check.main(args + [rules_dir], standalone_mode=False)
            code = ret if isinstance(ret, int) else 0
        except SystemExit as exc:
            code = exc.code or 0
        except Exception as exc:  # noqa: BLE001
            print(f"sigma check raised {exc!r}")
            code = 1
        if code != 0:
            failures += 1
            print("FAIL sigma check (see the issues above)")

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
            # An ip:port indicator is one observation of two comparisons (address AND destination port).
            pairs = text.count("network-traffic:dst_port = ")
            ok = comparisons == per_value * e["values"] + pairs
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
