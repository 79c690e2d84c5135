#!/usr/bin/env bash
# Python venv .venv-queries with sigma-cli, the pySigma Splunk and Kusto backends and stix2-patterns (pinned in tests/portable/requirements.txt)
# for the Sigma/STIX validation in scripts/test.d/20-queries.sh. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=tests/portable/requirements.txt
venv=.venv-queries
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
if [ -x "$venv/bin/python" ] && cmp -s "$req" "$venv/.ioclens-requirements"; then
  echo "$venv: up to date"
  exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
cp "$req" "$venv/.ioclens-requirements"
