#!/usr/bin/env bash
# Optional: score the Python peers (iocsearcher, ioc-finder, iocextract, msticpy) beside ioclens on the same
# corpus (docs/accuracy.md, "Peers"). Not part of ./test.sh. Needs their virtualenv, made once with
#   python3 -m venv .venv-peers && .venv-peers/bin/pip install iocsearcher ioc-finder iocextract msticpy
#   scripts/eval-peers.sh [TOOL ...]     # SEED, DOCS as for scripts/eval.sh
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv-peers/bin/python
[ -x "$py" ] || { echo "eval-peers: $py not found; create it as the header of $0 says" >&2; exit 2; }
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
cargo build --quiet -p ioclens-cli
"$py" scripts/eval/corpus.py --out "$out" --seed "${SEED:-7}" --docs "${DOCS:-400}" >/dev/null
"$py" scripts/eval/peers.py "$out" --bin "$PWD/target/debug/ioclens" "$@"
