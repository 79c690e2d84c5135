#!/usr/bin/env bash
# Splunk app (plugin-splunk/): build the WASM core and the app package, drive every command over Search Command
# Protocol v2 and the modular input against a real `ioclens serve` under CPython 3.9 and 3.13 (pytest), then
# AppInspect's cloud checks on the packaged .tgz (zero failures and errors). Needs scripts/setup.d/50-splunk.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

lint=".venv-splunk-$(bash plugin-splunk/pythons.sh | tail -1 | cut -d' ' -f1)"
(cd plugin-splunk && "../$lint/bin/ruff" check . && "../$lint/bin/ruff" format --check .)

# The ioclens binary for the modular-input tests (a real server), and the plain C-ABI core module.
cargo build --quiet --locked -p ioclens-cli
bash plugin-splunk/build-core.sh

python3 plugin-splunk/build.py

export IOCLENS_REQUIRE_CORE=1 IOCLENS_REQUIRE_SERVER=1
while read -r tag _; do
  echo "-- pytest plugin-splunk under $(".venv-splunk-$tag/bin/python" --version)"
  (cd plugin-splunk/tests && "../../.venv-splunk-$tag/bin/python" -m pytest -q -x)
done < <(bash plugin-splunk/pythons.sh)

echo "-- splunk-appinspect (precert, cloud tags)"
python3 plugin-splunk/appinspect.py dist/ioclens-splunk-*.tgz
