#!/usr/bin/env bash
# Rust gates: format, lints (native, and wasm32 for the crates that only build there: the WebAssembly hosts,
# with the one `unsafe` module, wasm/abi/src/ffi.rs), generated code up to date, tests (and no insta snapshot
# that no test reads), docs.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
cargo clippy -p ioclens-wasm -p ioclens-wasm-abi -p ioclens-extism --target wasm32-unknown-unknown --all-targets \
  --all-features --locked -- -D warnings
cargo xtask codegen --check
# insta records every snapshot file an assertion reads in INSTA_SNAPSHOT_REFERENCES_FILE (what
# `cargo insta test --unreferenced=reject` uses); a committed snapshot no test read is an orphan.
refs="$(mktemp)"
trap 'rm -f "$refs"' EXIT
INSTA_SNAPSHOT_REFERENCES_FILE="$refs" cargo test --workspace --all-features --locked
orphans="$(comm -23 <(git ls-files '*.snap' | sort) <(sed -e "s|^$PWD/||" -e "s|^$(pwd -P)/||" "$refs" | sort -u))"
if [ -n "$orphans" ]; then
  printf 'insta: snapshots no test reads (delete them, or restore their test):\n%s\n' "$orphans" >&2
  exit 1
fi
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet
