#!/usr/bin/env bash
# Browser tests of www/ (docs/www.md): Debian Chromium and Firefox ESR (never a downloaded browser), npm
# playwright-core, puppeteer-core and addons-linter, and esbuild (www/build.mjs bundles the page scripts with it),
# pinned in www/tests/package-lock.json. Idempotent: each piece is installed only when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Firefox ESR (>= 138: WebDriver BiDi `webExtension.install`) runs the Firefox variant of the extension.
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# `npm ls` trusts node_modules/.package-lock.json; loading esbuild proves its binary package is there too.
if ! (cd www/tests && npm ls --depth=0 playwright-core puppeteer-core addons-linter esbuild >/dev/null 2>&1 \
  && node -e "require('esbuild')" >/dev/null 2>&1); then
  (cd www/tests && npm ci --no-audit --no-fund)
fi
