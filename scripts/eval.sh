#!/usr/bin/env bash
# Accuracy of `ioclens extract` on our synthetic corpus (docs/accuracy.md): writes the corpus with
# scripts/eval/corpus.py and scores it with scripts/eval/score.py (per-type P/R/F1, trap set, defang probes).
#
#   scripts/eval.sh                  # seed 7: 400 labelled documents, 100 trap documents, 25 probes per style
#   SEED=11 scripts/eval.sh          # another corpus drawn by the same recipe
#   MB=20 OUT=/tmp/c20 scripts/eval.sh   # also write (and keep) a 20 MiB speed corpus: /tmp/c20/speed_corpus.txt
#   PROFILE=release scripts/eval.sh  # score the release binary
#   GATE=1 scripts/eval.sh           # exit 1 below the CI thresholds (scripts/test.d/15-accuracy.sh)
#
# Needs python3 (standard library only) and cargo. No network; nothing outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${SEED:-7}"; docs="${DOCS:-400}"; traps="${TRAPS:-100}"; probes="${PROBES:-25}"; mb="${MB:-0}"
profile="${PROFILE:-debug}"
out="${OUT:-}"
if [ -z "$out" ]; then out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT; fi
# Same flags as the Rust stage (scripts/test.d/10-rust.sh) so CI reuses its build.
if [ "$profile" = release ]; then cargo build --quiet --release -p ioclens-cli; else cargo build --quiet --workspace --all-features --locked; fi
echo "# corpus: scripts/eval/corpus.py --seed $seed --docs $docs --traps $traps --probes $probes --mb $mb"
python3 scripts/eval/corpus.py --out "$out" --seed "$seed" --docs "$docs" --traps "$traps" --probes "$probes" --mb "$mb"
python3 scripts/eval/score.py "$out" --bin "$PWD/target/$profile/ioclens" ${GATE:+--gate}
