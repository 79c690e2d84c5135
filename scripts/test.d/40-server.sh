#!/usr/bin/env bash
# Server: TAXII 2.1 interop (server/tests/taxii_interop.py), then fuzz the API with schemathesis against a real `ioclens serve --demo` on 127.0.0.1, driven by the
# OpenAPI document it serves. Checks: no 5xx, every status/content type/header/body as documented.
# Bounded: --max-examples per operation and --max-time (under 2 minutes on 2 cores). One worker: with two,
# CPython 3.11's ast.parse is not thread-safe and hypothesis can die with "AST constructor recursion depth mismatch".
set -euo pipefail
cd "$(dirname "$0")/../.."
venv="${IOCLENS_SERVER_VENV:-$PWD/.venv-server}"
[ -x "$venv/bin/schemathesis" ] && [ -x "$venv/bin/medallion" ] || bash scripts/setup.d/40-server.sh
cargo build -p ioclens-cli --locked --quiet
bin="$PWD/target/debug/ioclens"
# TAXII 2.1 both ways against OASIS's own implementations (medallion serves, taxii2-client reads; ~4 s).
"$venv/bin/python" server/tests/taxii_interop.py "$bin"
tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin" serve --db "$tmp/store.db" --listen "127.0.0.1:$port" --demo 2> "$tmp/serve.log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.2
done
grep -q 'ioc_[A-Za-z0-9_-]*' "$tmp/serve.log" || { cat "$tmp/serve.log"; echo "no demo key"; exit 1; }
# The demo key is rate-limited (600/min); the fuzzer gets an unlimited key of its own, so it fuzzes the API
# rather than the rate limit (429 is still exercised by tests/api.rs).
key="$("$bin" keys create --db "$tmp/store.db" --name fuzz --rate-limit 0 | grep -o 'ioc_[A-Za-z0-9_-]*' | head -1)"
[ -n "$key" ] || { echo "no fuzz key"; exit 1; }
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${IOCLENS_FUZZ_EXAMPLES:-50}" \
  --max-time "${IOCLENS_FUZZ_SECONDS:-90}" \
  --seed 7 \
  --workers 1 \
  --report-dir "$tmp/report" \
  --warnings off
