#!/usr/bin/env bash
# Prints "<tag> <interpreter>" for each CPython the Splunk app is tested under: 3.9 (Splunk 9.x) and 3.13
# (Splunk 10.x), from pyenv when installed there or on PATH; falls back to the machine's python3.
set -euo pipefail
found=0
for v in 3.9 3.13; do
  py=""
  for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python"$v"; do
    [ -x "$cand" ] && py="$cand"
  done
  if [ -z "$py" ] && command -v "python$v" >/dev/null 2>&1 && "python$v" -c '' 2>/dev/null; then
    py="$(command -v "python$v")"
  fi
  if [ -n "$py" ]; then echo "py${v/./} $py"; found=1; fi
done
if [ "$found" = 0 ]; then echo "py3 $(command -v python3)"; fi
