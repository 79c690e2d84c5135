#!/usr/bin/env bash
# WebAssembly hosts: build the three artifacts (size and interface budgets), dump the native core's answers for
# the corpus, and require every host to give the same answers: Node (wasm-bindgen module, Extism plugin) and
# Python (plain-ABI module through wasmtime-py, Extism plugin through the extism host).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo xtask wasm --check
cargo run --quiet --locked -p ioclens-wasm-abi --example golden -- dist/golden.json
(cd wasm/tests && node --test && npx tsc -p .)
.venv/bin/python -m unittest discover -s wasm/tests -p 'test_*.py'
