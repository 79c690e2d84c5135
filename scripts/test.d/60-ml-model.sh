#!/usr/bin/env bash
# The lexical model is reproducible: retraining (stdlib-only Python, fixed seeds) must give the committed
# weights byte for byte; `cargo xtask codegen --check` (10-rust.sh) then ties them to core/src/generated/ml.rs.
set -euo pipefail
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
python3 scripts/ml/train.py --out "$out" --abs-out
cmp "$out" data/ml/lexical_model.json
echo "lexical model: retrained weights match data/ml/lexical_model.json"
