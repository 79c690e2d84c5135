#!/usr/bin/env bash
# Rust toolchain pieces. The machine's rustup toolchain is used as is (no download of another toolchain).
set -euo pipefail
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown
cargo fetch --locked --quiet
