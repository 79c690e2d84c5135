#!/usr/bin/env bash
# ATT&CK: print how the KEV catalogue is covered by CTID mappings and by the fallback rules (docs/attack.md), and
# fail if the figures fall below what the embedded data gave when the rules were written (590 CTID, 736 fallback).
set -euo pipefail
json="$(cargo run --quiet --locked -p ioclens-cli -- attack --coverage --format json)"
cargo run --quiet --locked -p ioclens-cli -- attack --coverage --format table
python3 - "$json" <<'PY'
import json, sys
c = json.loads(sys.argv[1])
assert c["kev_with_ctid"] >= 590, c
assert c["kev_with_ctid"] + c["kev_fallback"] >= 1326, c
PY
