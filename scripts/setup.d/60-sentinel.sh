#!/usr/bin/env bash
# Sentinel package (plugin-sentinel/): two venvs, pinned.
# - .venv-msticpy: msticpy (~670 MB) + the notebook stack (nbclient, ipykernel, matplotlib) + test/lint tools; the
#   `python3` kernelspec comes with ipykernel inside it. ~3 min on a fresh machine.
# - .venv-sentinel-light: only what `pip install ./plugin-sentinel` needs (wasmtime, pandas) + pytest, proving the
#   core package installs and works without msticpy.
# Idempotent: each venv is (re)built only when a pin is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-venv
fi

COMMON="wasmtime==50.0.1 pandas==2.3.3 pytest==8.4.2 setuptools==80.9.0"
HEAVY="$COMMON msticpy==3.0.2 nbclient==0.11.0 nbformat==5.11.1 ipykernel==7.4.0 matplotlib==3.11.2 ruff==0.17.5"

ensure() { # venv, pins…
  local venv="$1"
  shift
  local missing=0 pin have
  for pin in "$@"; do
    have="$("$venv/bin/python" -c "import importlib.metadata as m; print(m.version('${pin%%==*}'))" 2>/dev/null || true)"
    [ "$have" = "${pin#*==}" ] || missing=1
  done
  if [ "$missing" = 1 ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
  fi
}

# shellcheck disable=SC2086
ensure .venv-msticpy $HEAVY
# shellcheck disable=SC2086
ensure .venv-sentinel-light $COMMON
