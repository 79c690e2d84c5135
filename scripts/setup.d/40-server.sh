#!/usr/bin/env bash
# Server tools: `wrk` (load benchmark, server/bench/) and schemathesis in a venv (API fuzzing, scripts/test.d/40-server.sh).
# Idempotent: each tool is installed only when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
venv="${IOCLENS_SERVER_VENV:-$PWD/.venv-server}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis>=4,<5"
fi
"$venv/bin/schemathesis" --version
