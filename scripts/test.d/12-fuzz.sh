#!/usr/bin/env bash
# Fuzz every core operation briefly (10 s per target) when a nightly toolchain and cargo-fuzz are present;
# otherwise say so and pass. The targets' bodies run on stable in any case: core/tests/fuzz_corpus.rs (in
# 10-rust.sh's `cargo test`) runs them over the committed seeds. Longer runs: scripts/fuzz.sh [SECONDS].
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/fuzz.sh "${IOCLENS_FUZZ_TARGET_SECONDS:-10}"
