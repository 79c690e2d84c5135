#!/usr/bin/env bash
# Runs every cargo-fuzz target of the core (core/fuzz: classify, extract, lookup, hunt, attack, dispatch) for
# SECONDS each (default 300), starting from the committed seeds (core/fuzz/seeds/<target>/); new inputs go to
# core/fuzz/corpus/ (ignored by git), crashes to core/fuzz/artifacts/. Needs a nightly toolchain and cargo-fuzz
# (`rustup toolchain install nightly && cargo install cargo-fuzz`). Usage: scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/../core/fuzz"
seconds="${1:-300}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(classify extract lookup hunt attack dispatch)
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: no nightly toolchain (rustup toolchain install nightly); skipped"; exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz is not installed (cargo install cargo-fuzz); skipped"; exit 0
fi
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "fuzz: $t for ${seconds}s"
  cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$seconds" -max_len=65536 -print_final_stats=1
done
