#!/usr/bin/env bash
# Extraction accuracy gate (docs/accuracy.md): generate our synthetic corpus (seed 7: 400 labelled documents,
# 100 trap documents, defang probes) with scripts/eval/corpus.py, score `ioclens extract` on it with
# scripts/eval/score.py, and fail when micro-F1 over the ten base types < 0.99, domain or URL precision < 0.98,
# precision or recall of a new type (BTC, registry key, path, ASN, onion, ip:port, ATT&CK object) < 0.95, or any
# trap document yields an indicator. python3 (standard library) only; no network; nothing outside the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
if ! GATE=1 SEED=7 DOCS=400 TRAPS=100 scripts/eval.sh > "$report" 2>&1; then
  cat "$report"
  exit 1
fi
grep -E '^accuracy' "$report"
