#!/usr/bin/env bash
# Splunk app (plugin-splunk/): lint, build the WASM core and the app package, then in parallel: pytest under
# CPython 3.9 and 3.13 (every command over Search Command Protocol v2, the modular input against a real
# `ioclens serve`) and AppInspect's cloud checks on the packaged .tgz (zero failures and errors).
# Needs scripts/setup.d/50-splunk.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

lint=".venv-splunk-$(bash plugin-splunk/pythons.sh | tail -1 | cut -d' ' -f1)"
(cd plugin-splunk && "../$lint/bin/ruff" check . && "../$lint/bin/ruff" format --check .)

# The ioclens binary for the modular-input tests (a real server), and the plain C-ABI core module.
cargo build --quiet --locked -p ioclens-cli
bash plugin-splunk/build-core.sh
python3 plugin-splunk/build.py --wasm target/wasm32-unknown-unknown/wasm/ioclens_wasm_abi.wasm

logs="target/splunk/logs"
rm -rf "$logs" && mkdir -p "$logs"
pids=()
names=()
while read -r tag _; do
  (
    export IOCLENS_REQUIRE_CORE=1 IOCLENS_REQUIRE_SERVER=1
    cd plugin-splunk/tests
    "../../.venv-splunk-$tag/bin/python" --version
    "../../.venv-splunk-$tag/bin/python" -m pytest -q --basetemp="../../target/splunk/pytest-$tag"
  ) >"$logs/pytest-$tag.log" 2>&1 &
  pids+=($!)
  names+=("pytest-$tag")
done < <(bash plugin-splunk/pythons.sh)
python3 plugin-splunk/appinspect.py dist/ioclens-splunk-*.tgz >"$logs/appinspect.log" 2>&1 &
pids+=($!)
names+=("appinspect")

failed=0
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then status=ok; else status=FAILED; failed=1; fi
  echo "-- ${names[$i]}: $status"
  tail -n 15 "$logs/${names[$i]}.log"
done
exit "$failed"
