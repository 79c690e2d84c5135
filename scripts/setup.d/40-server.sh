#!/usr/bin/env bash
# Server tools: `wrk` (load benchmark, server/bench/) and, in one venv, schemathesis (API fuzzing) plus OASIS's
# own TAXII 2.1 implementations, `medallion` (a server our TAXII client pulls from) and `taxii2-client` (a client
# that reads our TAXII server), for the interop tests of scripts/test.d/40-server.sh.
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
if ! "$venv/bin/python" -c 'import medallion, taxii2client' 2>/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check "medallion==3.0.0" "taxii2-client==2.3.0"
fi
"$venv/bin/schemathesis" --version
