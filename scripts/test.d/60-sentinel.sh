#!/usr/bin/env bash
# Sentinel package (plugin-sentinel/): lint; build the plain C-ABI core and the native golden answers for the
# corpus; pip-install the package into both venvs (its build hook copies the shared loader + module in); pytest
# in the light venv (no msticpy: core API, accessor, remote) and in .venv-msticpy (everything, including the
# TI provider, the KQL runners and the notebook executed with nbclient). Needs scripts/setup.d/60-sentinel.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

(cd plugin-sentinel && ../.venv-msticpy/bin/ruff check . && ../.venv-msticpy/bin/ruff format --check .)

bash plugin-splunk/build-core.sh # target/wasm32-unknown-unknown/wasm/ioclens_wasm_abi.wasm
cargo run --quiet --locked -p ioclens-wasm-abi --example golden -- dist/golden.json
cargo build --quiet --locked -p ioclens-cli # the real server for the remote tests
# No build.py here: the first `pip install` fills src/ioclens/_wasm/ through the package's build hook
# (plugin-sentinel/setup.py), as it does from a clean clone.
rm -rf plugin-sentinel/src/ioclens/_wasm

export IOCLENS_REQUIRE_CORE=1 IOCLENS_REQUIRE_SERVER=1 IOCLENS_WASM_CACHE="$PWD/target/sentinel/wasm-cache"
for venv in .venv-sentinel-light .venv-msticpy; do
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall ./plugin-sentinel
  "$venv/bin/pip" check >/dev/null
  rm -rf plugin-sentinel/build
  echo "-- pytest in $venv"
  (cd plugin-sentinel/tests && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider --basetemp="../../target/sentinel/pytest-${venv#.}")
done
