#!/usr/bin/env bash
# Extraction accuracy gate: score `ioclens extract --format tsv` on the shared synthetic corpus (400 labelled
# documents, seed 7; a 1 MiB speed corpus to keep it quick) and fail when micro-F1 < 0.99 or domain/URL precision
# < 0.98. Uses ../shared/eval (read-only, beside the clone) and python3; no network.
set -euo pipefail
cd "$(dirname "$0")/../.."
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
MB=1 DOCS=400 SEED=7 scripts/eval.sh > "$report"
python3 - "$report" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
rows = {}
for line in text.splitlines():
    m = re.match(r"\| (\*\*all supported\*\*|[a-z0-9]+) \| ([0-9.]+) \| ([0-9.]+) \| ([0-9.]+) \|", line)
    if m and m.group(1) not in rows:
        rows[m.group(1)] = tuple(float(x) for x in m.group(2, 3, 4))
allrow = rows.get("**all supported**")
if allrow is None:
    sys.exit("accuracy: could not parse the harness output:\n" + text)
fails = []
if allrow[2] < 0.99:
    fails.append("micro-F1 %.3f < 0.99" % allrow[2])
for t in ("domain", "url"):
    if t in rows and rows[t][0] < 0.98:
        fails.append("%s precision %.3f < 0.98" % (t, rows[t][0]))
print("accuracy: micro P/R/F1 = %.3f / %.3f / %.3f" % allrow)
if fails:
    print(text)
    sys.exit("accuracy gate failed: " + "; ".join(fails))
PY
