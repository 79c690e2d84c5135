#!/usr/bin/env bash
# WebAssembly hosts (docs/wasm.md): wasm32 target, wasm-bindgen CLI pinned to the crate version, npm binaryen
# (wasm-opt) + @extism/extism for the Node tests, and a Python venv with wasmtime-py and the extism host.
# Idempotent: every step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/../.."

WASM_BINDGEN_VERSION=0.2.130 # must equal `wasm-bindgen = "=0.2.130"` in Cargo.toml

rustup target list --installed | grep -q '^wasm32-unknown-unknown$' || rustup target add wasm32-unknown-unknown

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # No --locked: the mirror's index lags the CLI's lockfile. ~4 min idle, ~18 min loaded.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm binaryen@132 (never Debian's binaryen 108: its output breaks wasm-bindgen modules at load).
if ! (cd wasm/tests && npm ls --depth=0 binaryen @extism/extism typescript >/dev/null 2>&1); then
  (cd wasm/tests && npm ci --no-audit --no-fund)
fi

want="extism==1.1.1 wasmtime==50.0.1"
[ -x .venv/bin/python ] || python3 -m venv .venv
have="$(.venv/bin/python -m pip freeze 2>/dev/null | { grep -iE '^(extism|wasmtime)==' || true; } | tr 'A-Z' 'a-z' | sort | tr '\n' ' ' | sed 's/ $//')"
if [ "$have" != "$want" ]; then
  # shellcheck disable=SC2086
  .venv/bin/python -m pip install --quiet $want
fi
