#!/usr/bin/env bash
# Accuracy of `ioclens extract` on the shared synthetic corpus (ioclens-synth-v1 = gen_corpus.py --seed 7
# --acc-docs 400), scored by the shared harness, plus the per-defang-style probe matrix.
#
#   scripts/eval.sh                 # 20 MiB speed corpus + 400 labelled docs, seed 7 (docs/accuracy.md)
#   MB=1 scripts/eval.sh            # smaller speed corpus (the accuracy set does not depend on MB)
#   OUT=/tmp/c20 scripts/eval.sh    # keep the generated corpus
#   PROFILE=release scripts/eval.sh # score the release binary
#
# The harness lives beside the clone (`../shared/eval`, read-only); set IOCLENS_SHARED to point elsewhere.
# Needs python3 (stdlib only). No network.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=""
for d in "${IOCLENS_SHARED:-}" ../shared ../../shared; do
  if [ -n "$d" ] && [ -f "$d/eval/peers.py" ]; then shared="$d"; break; fi
done
[ -n "$shared" ] || { echo "eval: ../shared/eval/peers.py not found (set IOCLENS_SHARED)" >&2; exit 2; }
mb="${MB:-20}"; docs="${DOCS:-400}"; seed="${SEED:-7}"; profile="${PROFILE:-debug}"
out="${OUT:-}"
if [ -z "$out" ]; then out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT; fi
# Same flags as the test stage (scripts/test.d/10-rust.sh) so CI reuses its build.
if [ "$profile" = release ]; then cargo build --quiet --release -p ioclens-cli; else cargo build --quiet --workspace --all-features --locked; fi
bin="$PWD/target/$profile/ioclens"
python3 "$shared/eval/gen_corpus.py" --out "$out" --mb "$mb" --acc-docs "$docs" --seed "$seed" >&2
export IOC_CLI="$bin extract --format tsv"
echo "# accuracy: gen_corpus.py --mb $mb --acc-docs $docs --seed $seed; peers.py accuracy DIR cli"
python3 "$shared/eval/peers.py" accuracy "$out" cli
echo
echo "# probes: peers.py probes DIR cli"
python3 "$shared/eval/peers.py" probes "$out" cli
