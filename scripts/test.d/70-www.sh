#!/usr/bin/env bash
# www/: build the wasm package, the page and the extension zips, then run the browser suite in Debian Chromium
# against the unpacked extension and the standalone page served by a real `ioclens serve` on 127.0.0.1; then
# addons-linter on the Firefox zip and the Firefox variant installed in Firefox ESR.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x /usr/bin/chromium ] && [ -x /usr/bin/firefox-esr ] \
  && (cd www/tests && npm ls --depth=0 playwright-core puppeteer-core addons-linter esbuild >/dev/null 2>&1 \
    && node -e "require('esbuild')" >/dev/null 2>&1) \
  || bash scripts/setup.d/70-www.sh
[ -f dist/web/ioclens_wasm_bg.wasm ] || cargo xtask wasm
cargo build -p ioclens-cli --locked --quiet
node www/build.mjs
(cd www/tests && node --test unit.test.mjs && timeout 300 node --test --test-concurrency=1 www.test.mjs \
  && timeout 300 node --test firefox.test.mjs)
