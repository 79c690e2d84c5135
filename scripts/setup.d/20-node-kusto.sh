#!/usr/bin/env bash
# Node + Microsoft's Kusto.Language (npm @kusto/language-service-next, pinned in tests/kql/package-lock.json)
# for the KQL validation stage (scripts/test.d/20-queries.sh). Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
lock=tests/kql/package-lock.json
stamp=tests/kql/node_modules/.ioclens-lock
if [ -f "$stamp" ] && cmp -s "$lock" "$stamp"; then
  echo "tests/kql: node_modules up to date"
else
  (cd tests/kql && npm ci --no-audit --no-fund --silent)
  cp "$lock" "$stamp"
fi
