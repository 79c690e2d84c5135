#!/usr/bin/env bash
# The project's test command (README.md): every gate CI runs, in order, stopping at the first failure.
# Each part of the project adds its own stage in scripts/test.d/ (NN-name.sh, run in name order).
# `./test.sh rust` runs only the stages whose name contains "rust".
set -euo pipefail
cd "$(dirname "$0")"
filter="${1:-}"
for stage in scripts/test.d/*.sh; do
  [ -e "$stage" ] || continue
  case "${stage##*/}" in *"$filter"*) ;; *) continue ;; esac
  echo "== test: ${stage##*/}"
  bash "$stage"
done
echo "== all test stages passed"
