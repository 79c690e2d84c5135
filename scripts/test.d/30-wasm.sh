#!/usr/bin/env bash
# WebAssembly hosts: build the three artifacts (size and interface budgets), dump the native core's answers for
# the corpus, and require every host to give the same answers: Node (wasm-bindgen module, Extism plugin) and
# Python (plain-ABI module through wasmtime-py, Extism plugin through the extism host). The documents module
# (Node) must read the sample documents as the native `ioclens extract --format json` does.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo xtask wasm --check
cargo run --quiet --locked -p ioclens-wasm-abi --example golden -- dist/golden.json
mkdir -p dist/documents-native
for f in tests/fixtures/documents/*.pdf tests/fixtures/documents/*.docx tests/fixtures/documents/*.eml; do
  # Exit 1 is a document of which nothing could be read (the encrypted and broken samples): still an answer.
  rc=0
  cargo run --quiet --locked -p ioclens-cli -- extract --format json "$f" \
    >"dist/documents-native/$(basename "$f").json" 2>/dev/null || rc=$?
  [ "$rc" -le 1 ] || { echo "ioclens extract $f: exit $rc" >&2; exit 1; }
done
(cd wasm/tests && node --test && npx tsc -p .)
.venv/bin/python -m unittest discover -s wasm/tests -p 'test_*.py'
