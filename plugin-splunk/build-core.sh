#!/usr/bin/env bash
# Builds the plain C-ABI core module (crate ioclens-wasm-abi, wasm/abi/) that the Splunk app ships as
# lib/ioclens_wasm/core.wasm; plugin-splunk/build.py picks it up from target/wasm32-unknown-unknown/wasm/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked --profile wasm --target wasm32-unknown-unknown -p ioclens-wasm-abi
