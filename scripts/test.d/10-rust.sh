#!/usr/bin/env bash
# Rust gates: format, lints (native and wasm32), generated code up to date, tests, docs.
set -euo pipefail
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
cargo xtask codegen --check
cargo test --workspace --all-features --locked
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet
