#!/usr/bin/env bash
# Installs what the build and the tests need. Idempotent: each step checks before it installs, so a reused
# machine skips what it already has. Each part of the project adds its own step in scripts/setup.d/.
set -euo pipefail
cd "$(dirname "$0")"
for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== setup: ${step##*/}"
  bash "$step"
done
