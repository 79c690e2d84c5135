#!/usr/bin/env bash
# cargo-fuzz, for the brief fuzz stage (scripts/test.d/12-fuzz.sh), only where a nightly toolchain is already on
# the machine (this setup never downloads a toolchain). Pinned; idempotent.
set -euo pipefail
CARGO_FUZZ_VERSION=0.13.2
cargo +nightly --version >/dev/null 2>&1 || { echo "fuzz: no nightly toolchain; the fuzz stage will skip"; exit 0; }
if [ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi
