#!/usr/bin/env bash
# Splunk app (plugin-splunk/): test venvs for CPython 3.9 and 3.13 (Splunk 9.x and 10.x runtimes), the AppInspect
# venv, and the pinned wheels the app vendors into lib/. Idempotent: every step checks before it installs.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTEST=pytest==8.4.2        # last line that still supports 3.9 and runs on 3.13
TOMLI=tomli==2.2.1          # TOML for the corpus on 3.9/3.10 (3.11+ has tomllib)
APPINSPECT=splunk-appinspect==4.3.1
RUFF=ruff==0.17.5

# Debian's python3 needs python3-venv for `python3 -m venv` (pyenv builds include it).
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-venv
fi

# Interpreters: pyenv's 3.9 / 3.13 when present, else the machine's python3 (tests then run once).
# plugin-splunk/pythons.sh prints "<tag> <interpreter>" per line; test.d/50-splunk.sh uses the same list.
while read -r tag py; do
  venv=".venv-splunk-$tag"
  if ! "$venv/bin/python" -m pytest --version 2>/dev/null | grep -q "${PYTEST#pytest==}" \
    || ! "$venv/bin/python" -c 'import tomli' 2>/dev/null; then
    "$py" -m venv --clear "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$PYTEST" "$TOMLI"
  fi
done < <(bash plugin-splunk/pythons.sh)

# ruff lives in the venv of the newest interpreter (the last line of pythons.sh).
lint=".venv-splunk-$(bash plugin-splunk/pythons.sh | tail -1 | cut -d' ' -f1)"
if [ "$("$lint/bin/ruff" --version 2>/dev/null)" != "ruff ${RUFF#ruff==}" ]; then
  "$lint/bin/pip" install --quiet --disable-pip-version-check "$RUFF"
fi

if [ "$(.venv-appinspect/bin/python -c 'import importlib.metadata as m; print(m.version("splunk-appinspect"))' 2>/dev/null)" != "${APPINSPECT#*==}" ]; then
  python3 -m venv .venv-appinspect
  .venv-appinspect/bin/pip install --quiet --disable-pip-version-check "$APPINSPECT"
fi

# Wheels vendored into the app (pinned by sha256 in plugin-splunk/build.py, which verifies them).
python3 plugin-splunk/build.py --fetch-only
