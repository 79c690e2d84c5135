#!/usr/bin/env bash
# Browser tests of www/ (HOSTS.md §2): Debian Chromium (never `npx playwright install`) and npm playwright-core,
# pinned in www/tests/package-lock.json. Idempotent: each piece is installed only when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! [ -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! (cd www/tests && npm ls --depth=0 playwright-core >/dev/null 2>&1); then
  (cd www/tests && npm ci --no-audit --no-fund)
fi
